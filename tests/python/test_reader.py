"""open(): a reader that agrees with the CLI's query, top and stats, streams
its items in byte order with flat memory, and works while a run writes."""

import subprocess
import sys
import textwrap
import threading

import pytest

import pretokdb
from testlib import DATA_FILES, ENDOFTEXT, TINY_MEMORY_GB, cli_stats, reference, reference_count


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A database of every data/ file; its path."""
    path = tmp_path_factory.mktemp("reader") / "data.db"
    for f in DATA_FILES:
        pretokdb.pretokenize(f, [ENDOFTEXT], 2, db_path=path)
    return path


@pytest.fixture(scope="module")
def expected():
    total = {}
    for f in DATA_FILES:
        for k, v in reference(f).items():
            total[k] = total.get(k, 0) + v
    return total


def test_items_are_every_count_in_byte_order(db, expected):
    with pretokdb.open(db) as reader:
        items = list(reader.items())
        assert [k for k, _ in items] == sorted(expected)
        assert dict(items) == expected
        assert reader.to_dict() == expected
        assert list(reader.items(min_count=5)) == [(k, v) for k, v in items if v >= 5]
        assert reader.to_dict(min_count=5) == {k: v for k, v in items if v >= 5}
        assert list(reader.items(min_count=10**12)) == []


def test_count_top_stats_len_agree_with_the_cli(db, expected, cli):
    with pretokdb.open(db) as reader:
        tokens = [b" the", b"\n", b"qwertyuiop", "é".encode(), b"\xff", b""] + sorted(expected)[:50]
        done = cli("query", "--db", db, "--hex", *[t.hex() for t in tokens if t])
        cli_counts = [int(line.split(b"\t")[0]) for line in done.stdout.splitlines()]
        assert [reader.count(t) for t in tokens if t] == cli_counts
        assert reader.count(b"") == 0
        assert reader.count(" the") == reader.count(b" the") > 0  # str: its UTF-8

        for n in (1, 7, 20, 1000, 10**6):
            done = cli("top", "--db", db, "-n", str(n))
            cli_top = []
            for line in done.stdout.splitlines():
                count, token = line.split(b"\t", 1)
                cli_top.append((reference_count.tsv_unescape(token), int(count)))
            assert reader.top(n) == cli_top
            assert reader.top(n) == reference_count.top_n(expected, n)
        assert reader.top(0) == []
        assert reader.top() == reader.top(20)

        assert reader.stats() == cli_stats(cli, db)
        assert len(reader) == reader.stats()["distinct_pretokens"] == len(expected)
        assert reader.stats()["pretokens"] == sum(expected.values())


def test_items_stream_with_flat_memory(tmp_path):
    # 600,000 distinct pretokens (" a", " b", ... " zz", ...): held as Python
    # objects they take ~70 MB. Iterated, with each key checked against the
    # one before, the process's peak RSS must grow by far less.
    words = tmp_path / "words.txt"
    with open(words, "w") as f:
        for i in range(600_000):
            w = ""
            while True:
                w += chr(97 + i % 26)
                i //= 26
                if i == 0:
                    break
            f.write(" " + w)
    db = tmp_path / "words.db"
    pretokdb.pretokenize(words, [], db_path=db)
    program = textwrap.dedent("""
        import resource, sys
        import pretokdb
        reader = pretokdb.open(sys.argv[1])
        items = reader.items()
        previous, n = next(items)[0], 1
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for token, count in items:
            assert token > previous and count == 1
            previous, n = token, n + 1
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(n, after - before)
    """)
    done = subprocess.run([sys.executable, "-c", program, str(db)], capture_output=True,
                          text=True, timeout=120, check=True)
    n, grown_kib = map(int, done.stdout.split())
    assert n == 600_000
    assert grown_kib < 16 << 10, "peak RSS grew by %d KiB while streaming" % grown_kib


def test_reader_during_a_run_sees_committed_snapshots(tmp_path):
    # A run with a tiny memory limit commits thousands of spills; readers
    # opened meanwhile each see one consistent snapshot.
    path = tmp_path / "input.txt"
    path.write_bytes(b"".join(f.read_bytes() for f in DATA_FILES) * 2)
    db = tmp_path / "db"
    errors = []

    def run():
        try:
            pretokdb.pretokenize(path, [ENDOFTEXT], 1, TINY_MEMORY_GB, db_path=db)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    writer = threading.Thread(target=run)
    writer.start()
    snapshots = 0
    while writer.is_alive():
        try:
            reader = pretokdb.open(db)
        except (pretokdb.NotFoundError, pretokdb.InvalidArgumentError):
            continue  # not created, or nothing committed, yet
        with reader:
            stats = reader.stats()
            assert sum(c for _, c in reader.items()) == stats["pretokens"]
            assert len(reader) == stats["distinct_pretokens"]
            snapshots += 1
    writer.join()
    assert not errors
    assert snapshots > 0
    with pretokdb.open(db) as reader:
        assert reader.to_dict() == reference_count.count_file(str(path)).counts


def test_closed_reader(db):
    reader = pretokdb.open(db)
    items = reader.items()
    assert not reader.closed and str(db) in repr(reader)
    reader.close()
    reader.close()
    assert reader.closed and "closed" in repr(reader)
    for call in (lambda: reader.count(b"a"), reader.items, reader.top, reader.stats,
                 lambda: len(reader), reader.to_dict):
        with pytest.raises(ValueError, match="closed"):
            call()
    assert len(list(items)) > 0  # an iterator made before keeps working
    assert reader.path == str(db)


def test_one_iterator_shared_by_threads(db, expected):
    # Batches are read without the GIL: a thread that calls next() then
    # gets ValueError (as for a running generator), never a broken entry.
    items = pretokdb.open(db).items()
    got = [[] for _ in range(4)]

    def drain(out):
        while True:
            try:
                out.append(next(items))
            except ValueError:
                continue
            except StopIteration:
                return

    threads = [threading.Thread(target=drain, args=(out,)) for out in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    merged = sorted(item for out in got for item in out)
    assert merged == sorted(expected.items())
    assert all(out == sorted(out) for out in got)


def test_stats_lists_named_streams_beside_files(tmp_path, cli):
    import os
    db = tmp_path / "db"
    data = b"hello world<|endoftext|>bye"
    for name, part in (("whole", data), ("half", data[:10])):
        done = subprocess.run([os.environ["PRETOKDB_CLI"], "index", "--quiet", "--db", str(db),
                               "--stream-name", name, "-"], input=part, capture_output=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
    with pretokdb.open(db) as reader:
        st = reader.stats()
        assert st["files"] == []
        assert st["streams"] == [{"name": "whole", "bytes_done": len(data), "complete": True},
                                 {"name": "half", "bytes_done": 10, "complete": True}]
        assert st == cli_stats(cli, db)
