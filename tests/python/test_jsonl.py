"""pretokenize(jsonl=...): JSON Lines counted as the Python reference counts
them (tests/e2e/reference_count.py), bad records in stats(), strict refusal,
and a database of one field refusing another."""

import json

import pytest

import pretokdb
from testlib import ENDOFTEXT, reference_jsonl

LINES = [
    {"text": "Hello world" + ENDOFTEXT + " again", "id": 1},
    {"meta": {"text": "nested"}, "text": "x \ud800 y"},
    {"text": 12},
    {"other": "no text"},
]


@pytest.fixture
def jsonl_file(tmp_path):
    path = tmp_path / "in.jsonl"
    data = b"".join(json.dumps(o).encode() + b"\n" for o in LINES) + b"not json\n\n"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("num_processes", [1, 2])
def test_equals_reference(jsonl_file, num_processes, tmp_path):
    db = tmp_path / "db"
    counts = pretokdb.pretokenize(jsonl_file, [ENDOFTEXT], num_processes, jsonl="text",
                                  db_path=db)
    ref = reference_jsonl(jsonl_file, "text", [ENDOFTEXT])
    assert counts == ref.counts
    with pretokdb.open(db) as reader:
        st = reader.stats()
    assert st["documents"] == ref.documents == 3
    assert st["bad_records"] == 3
    assert st["bad_records_by_reason"] == {"invalid_json": 1, "invalid_utf8": 0,
                                           "missing_field": 1, "not_string": 1,
                                           "too_long": 0}
    assert st["config"]["jsonl"] == "text"


def test_nested_field(jsonl_file):
    counts = pretokdb.pretokenize(jsonl_file, [ENDOFTEXT], jsonl="meta.text")
    assert counts == {b"nested": 1}


def test_strict_and_refusals(jsonl_file, tmp_path):
    with pytest.raises(pretokdb.InvalidArgumentError, match="line 3 "):
        pretokdb.pretokenize(jsonl_file, [ENDOFTEXT], jsonl="text", bad_records="strict")
    db = tmp_path / "db"
    pretokdb.pretokenize(jsonl_file, [ENDOFTEXT], jsonl="text", db_path=db)
    with pytest.raises(pretokdb.InvalidArgumentError, match="--jsonl text"):
        pretokdb.pretokenize(jsonl_file, [ENDOFTEXT], db_path=db)
    for kwargs in ({"jsonl": "a..b"}, {"jsonl": "text", "bad_records": "maybe"},
                   {"bad_records": "strict"}):
        with pytest.raises(pretokdb.InvalidArgumentError):
            pretokdb.pretokenize(jsonl_file, [ENDOFTEXT], **kwargs)
