"""Ctrl-C during pretokenize(): KeyboardInterrupt, and a database that the
same call resumes to exact counts."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pretokdb
from testlib import DATA_FILES, ENDOFTEXT, TINY_MEMORY_GB, reference_count

# Run as its own process, so that the signal goes to a Python main thread
# as Ctrl-C's would. SIGINT's handler is set explicitly: a process started
# with SIGINT ignored (a background job) would otherwise keep ignoring it.
CHILD = textwrap.dedent("""
    import signal, sys
    import pretokdb
    signal.signal(signal.SIGINT, signal.default_int_handler)
    path, db, memory_gb = sys.argv[1], sys.argv[2], float(sys.argv[3])
    try:
        pretokdb.pretokenize(path, ["<|endoftext|>"], 1, memory_gb, db_path=db)
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
        sys.exit(3)
    print("finished", flush=True)
""")


def committed_spills(db):
    """Spills committed in db so far (0 before there is a database)."""
    try:
        with pretokdb.open(db) as reader:
            return reader.stats()["spills"]
    except (pretokdb.NotFoundError, pretokdb.InvalidArgumentError):
        return 0


def test_ctrl_c_stops_cleanly_and_the_same_call_resumes(tmp_path):
    # 8 MB counted with 64 KiB of memory: thousands of spills, several
    # seconds; the signal comes after the first ones are committed.
    path = tmp_path / "input.txt"
    path.write_bytes(b"".join(f.read_bytes() for f in DATA_FILES) * 8)
    db = tmp_path / "db"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(db), str(TINY_MEMORY_GB)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while committed_spills(db) < 3 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert child.poll() is None, "the run ended before it could be interrupted"
        os.kill(child.pid, signal.SIGINT)
        sent = time.monotonic()
        out, err = child.communicate(timeout=60)
        stopped_after = time.monotonic() - sent
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 3, (out, err)
    assert out == "KeyboardInterrupt\n"
    assert stopped_after < 10

    with pretokdb.open(db) as reader:
        files = reader.stats()["files"]
    assert len(files) == 1 and files[0]["bytes_done"] < files[0]["size"]

    # The same call resumes where the run stopped and ends with the counts
    # of an uninterrupted run.
    expected = reference_count.count_file(str(path), (ENDOFTEXT,))
    assert pretokdb.pretokenize(path, [ENDOFTEXT], db_path=db) == expected.counts
    with pretokdb.open(db) as reader:
        stats = reader.stats()
    assert stats["pretokens"] == expected.pretokens
    assert stats["documents"] == expected.documents
