"""pretokenize(): the counts of the Python reference, whatever the processes,
memory and special tokens; db_path keeps a database, none leaves nothing."""

import os
import tempfile
import threading
import time
import warnings

import pytest

import pretokdb
from testlib import CORPUS_FILES, DATA_FILES, ENDOFTEXT, TINY_MEMORY_GB, reference

SPECIALS = [pytest.param([ENDOFTEXT], id="endoftext"), pytest.param([], id="no-specials")]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("special_tokens", SPECIALS)
@pytest.mark.parametrize("num_processes", [1, 2])
def test_equals_reference(path, special_tokens, num_processes):
    counts = pretokdb.pretokenize(path, special_tokens, num_processes)
    assert counts == reference(path, special_tokens)
    assert all(type(k) is bytes and type(v) is int for k, v in counts.items())


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("num_processes", [1, 2])
def test_tiny_memory_spills_and_still_equals_reference(path, num_processes, tmp_path):
    db = tmp_path / "db"
    counts = pretokdb.pretokenize(path, [ENDOFTEXT], num_processes, TINY_MEMORY_GB, db_path=db)
    assert counts == reference(path)
    with pretokdb.open(db) as reader:
        assert reader.stats()["spills"] > 1  # counted in several spills


def test_default_arguments_and_other_patterns():
    path = DATA_FILES[0]
    assert pretokdb.pretokenize(str(path), [ENDOFTEXT]) == reference(path)
    for pattern in ("cl100k", "o200k"):
        counts = pretokdb.pretokenize(path, [ENDOFTEXT], 2, 0.25, pattern=pattern)
        assert counts == reference(path, [ENDOFTEXT], pattern), pattern
    # A pattern of your own is a regex=, even one that looks like a word.
    for regex in (r"\p{L}+|\p{N}+|[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", "ok"):
        counts = pretokdb.pretokenize(path, [ENDOFTEXT], 2, 0.25, regex=regex)
        assert counts == reference(path, [ENDOFTEXT], regex), regex


def test_several_special_tokens_and_invalid_utf8(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"one two<|a|>three\xff four<|ab|>\xe2\x82<|a|>five<|ab|>six\xc3")
    tokens = ["<|a|>", "<|ab|>"]
    assert pretokdb.pretokenize(path, tokens, 1) == reference(path, tokens)


def test_db_path_keeps_a_database_that_open_reads(tmp_path):
    path = DATA_FILES[0]
    db = tmp_path / "sub" / "counts.db"  # missing parents are created
    counts = pretokdb.pretokenize(path, [ENDOFTEXT], 2, db_path=db)
    assert os.path.isdir(db)
    with pretokdb.open(db) as reader:
        assert dict(reader.items()) == counts
        stats = reader.stats()
    size = path.stat().st_size
    assert stats["files"] == [{"path": str(path), "relative": False, "size": size,
                               "bytes_held": size, "held": [[0, size]], "bytes_done": size,
                               "first_document": True}]
    # The same call again reads nothing new and gives the same counts.
    assert pretokdb.pretokenize(path, [ENDOFTEXT], 2, db_path=db) == counts
    # Another file adds to the database; the dict is everything it holds.
    other = DATA_FILES[1]
    both = pretokdb.pretokenize(other, [ENDOFTEXT], db_path=db)
    expected = dict(reference(path))
    for k, v in reference(other).items():
        expected[k] = expected.get(k, 0) + v
    assert both == expected


def test_temporary_database_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    pretokdb.pretokenize(DATA_FILES[0], [ENDOFTEXT])
    assert os.listdir(tmp_path) == []
    with pytest.raises(pretokdb.InputOutputError):
        pretokdb.pretokenize(tmp_path / "missing.txt", [ENDOFTEXT])
    assert os.listdir(tmp_path) == []


def test_argument_errors(tmp_path):
    path = DATA_FILES[0]
    with pytest.raises(TypeError):
        pretokdb.pretokenize(path, ENDOFTEXT)  # a str, not a list of str
    with pytest.raises(TypeError):
        pretokdb.pretokenize(path, [b"<|endoftext|>"])
    with pytest.raises(pretokdb.InvalidArgumentError, match="special_tokens: empty token"):
        pretokdb.pretokenize(path, [""])
    with pytest.raises(pretokdb.InvalidArgumentError, match="U\\+FFFD"):
        pretokdb.pretokenize(path, ["a\ufffd"])
    with pytest.raises(pretokdb.InvalidArgumentError, match="not valid UTF-8"):
        pretokdb.pretokenize(path, ["\udc80"])
    with pytest.raises(pretokdb.InvalidArgumentError, match="num_processes"):
        pretokdb.pretokenize(path, [], 0)
    with pytest.raises(TypeError):
        pretokdb.pretokenize(path, [], 1.5)
    with pytest.raises(pretokdb.InvalidArgumentError, match="max_memory_gb"):
        pretokdb.pretokenize(path, [], 1, 1e-9)
    for bad in (float("nan"), float("inf"), 0, -1):
        with pytest.raises(pretokdb.InvalidArgumentError, match="max_memory_gb"):
            pretokdb.pretokenize(path, [], 1, bad)
    with pytest.raises(TypeError):
        pretokdb.pretokenize(path, [], 1, "1G")
    with pytest.raises(TypeError):
        pretokdb.pretokenize(path, [], pattern=None)
    # Refused before any database is made.
    db = tmp_path / "db"
    with pytest.raises(pretokdb.InvalidArgumentError):
        pretokdb.pretokenize(path, [""], db_path=db)
    assert not db.exists()


def test_uncounted_text_is_a_warning(tmp_path):
    path = tmp_path / "long.txt"
    path.write_bytes(b"before " + b"a" * ((1 << 20) + 10) + b" after")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = pretokdb.pretokenize(path, [])
    assert [w.category for w in caught] == [pretokdb.NotCountedWarning]
    assert str(path) in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller's line
    assert counts == {b"before": 1, b" after": 1}


def test_the_gil_is_released_while_counting(tmp_path):
    # A Python thread keeps running while pretokenize() counts (with 64 KiB
    # of memory: a second or more).
    path = tmp_path / "input.txt"
    path.write_bytes(b"".join(f.read_bytes() for f in DATA_FILES) * 2)
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        start = time.monotonic()
        pretokdb.pretokenize(path, [ENDOFTEXT], 1, TINY_MEMORY_GB)
        end = time.monotonic()
    finally:
        done.set()
        ticker.join()
    during = [t for t in ticks if start < t < end]
    # Held, the GIL would stop the ticks for the whole call; released, they
    # come every millisecond or so (longer on a loaded machine, but far
    # from the call's length).
    gaps = [b - a for a, b in zip([start] + during, during + [end])]
    assert max(gaps) < 0.5 * (end - start), (max(gaps), end - start)
