"""A file indexed into a kept database (db_path) is checked byte for byte
when given again: an edit inside that keeps its size raises; quick_check
trusts its size and ends, so the stale counts are returned (README: "Files
seen again")."""

import random

import pytest

import pretokdb
from testlib import ENDOFTEXT, reference


def test_edit_inside_raises_unless_quick_check(tmp_path):
    rnd = random.Random(5)
    words = ["the", "cat", "sat", "on", "a", "mat", ENDOFTEXT, "\n"]
    text = " ".join(rnd.choice(words) for _ in range(100000)).encode()
    path = tmp_path / "in.txt"
    path.write_bytes(text)
    db = tmp_path / "db"
    counts = pretokdb.pretokenize(path, [ENDOFTEXT], 2, db_path=db)
    assert counts == reference(path)
    # A word changed in the middle, the size and both 64 KiB ends kept.
    middle = len(text) // 2
    at = text.index(b" the ", middle)
    path.write_bytes(text[:at] + b" dog " + text[at + 5:])
    with pytest.raises(pretokdb.InvalidArgumentError, match="changed since it was indexed"):
        pretokdb.pretokenize(path, [ENDOFTEXT], 2, db_path=db)
    assert pretokdb.pretokenize(path, [ENDOFTEXT], 2, db_path=db, quick_check=True) == counts
    with pytest.raises(TypeError):
        pretokdb.pretokenize(path, [ENDOFTEXT], 2, db_path=db, quick_check="yes")
