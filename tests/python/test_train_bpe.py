"""train_bpe(): the vocabulary and merges of the plain Python trainer
(tests/bpe/reference_bpe.py, the oracle of `pretok-db train-bpe`)."""

import subprocess
import sys
import textwrap
import time
import warnings

import pytest

import pretokdb
from testlib import (CORPUS_FILES, DATA_FILES, ENDOFTEXT, ROOT, TINY_MEMORY_GB, load_by_path,
                     reference)

reference_bpe = load_by_path("reference_bpe", ROOT / "tests" / "bpe" / "reference_bpe.py")

SPECIALS = [pytest.param([ENDOFTEXT], id="endoftext"), pytest.param([], id="no-specials")]


def check_against_reference(path, special_tokens, sizes, tmp_path, pattern="gpt2", **kwargs):
    """train_bpe at each vocabulary size (one database, indexed once) equals
    the reference trained once at the largest: a smaller vocabulary is a
    prefix of a larger one, since each merge depends only on those before."""
    counts = reference(path, special_tokens, pattern)
    ref_vocab, ref_merges, _ = reference_bpe.train_bpe(counts, max(sizes), special_tokens,
                                                       kwargs.get("min_count", 1))
    db = tmp_path / "db"
    for size in sizes:
        vocab, merges = pretokdb.train_bpe(path, size, special_tokens, db_path=db,
                                           pattern=pattern, **kwargs)
        n = min(size, len(ref_vocab))
        assert vocab == {i: ref_vocab[i] for i in range(n)}, size
        assert merges == ref_merges[:n - 256 - len(special_tokens)], size
        assert all(type(t) is bytes for t in vocab.values())
        assert all(type(a) is bytes and type(b) is bytes for a, b in merges)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("special_tokens", SPECIALS)
def test_equals_reference(path, special_tokens, tmp_path):
    base = 256 + len(special_tokens)
    check_against_reference(path, special_tokens, [base, base + 1, 400, 700], tmp_path,
                            num_processes=2)


def test_cl100k_min_count_and_one_process(tmp_path):
    path = DATA_FILES[-1]
    check_against_reference(path, [ENDOFTEXT], [300, 600], tmp_path / "a", pattern="cl100k")
    check_against_reference(path, [ENDOFTEXT], [300, 600], tmp_path / "b", min_count=3,
                            num_processes=1)


def test_several_special_tokens_take_the_first_ids(tmp_path):
    path = tmp_path / "text.txt"
    path.write_bytes(b"low lower<|a|>newest widest<|bb|>newer low" * 50)
    tokens = ["<|bb|>", "<|a|>"]
    vocab, merges = pretokdb.train_bpe(path, 270, tokens)
    ref_vocab, ref_merges, _ = reference_bpe.train_bpe(reference(path, tokens), 270, tokens)
    assert (vocab, merges) == (ref_vocab, ref_merges)
    assert vocab[0] == b"<|bb|>" and vocab[1] == b"<|a|>" and vocab[2] == b"!"


def test_running_out_of_pairs_is_a_warning(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_bytes(b"ab ab abc")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vocab, merges = pretokdb.train_bpe(path, 1000, [])
    assert [w.category for w in caught] == [RuntimeWarning]
    assert "no pair left" in str(caught[0].message)
    assert merges == [(b"a", b"b"), (b" ", b"ab"), (b" ab", b"c")]
    assert len(vocab) == 259 and vocab[258] == b" abc"


def test_argument_errors(tmp_path):
    path = DATA_FILES[0]
    db = tmp_path / "db"
    with pytest.raises(pretokdb.InvalidArgumentError,
                       match="vocab_size: 256 is less than 256 bytes \\+ 1 special tokens = 257"):
        pretokdb.train_bpe(path, 256, [ENDOFTEXT], db_path=db)
    assert not db.exists()  # refused before indexing
    with pytest.raises(TypeError, match="vocab"):
        pretokdb.train_bpe(path, 300, [], vocab=1)
    with pytest.raises(TypeError):
        pretokdb.train_bpe(path, 300.0, [])
    with pytest.raises(pretokdb.InvalidArgumentError, match="min_count"):
        pretokdb.train_bpe(path, 300, [], min_count=0)
    with pytest.raises(pretokdb.InvalidArgumentError, match="special_tokens"):
        pretokdb.train_bpe(path, 300, [""])
    with pytest.raises(pretokdb.InputOutputError):
        pretokdb.train_bpe(tmp_path / "missing.txt", 300, [])
    # Too little memory for the trainer's words: refused before training.
    with pytest.raises(pretokdb.InvalidArgumentError, match="memory limit"):
        pretokdb.train_bpe(path, 300, [ENDOFTEXT], num_processes=1, max_memory_gb=TINY_MEMORY_GB)


# Training in a process of its own, interrupted by a real SIGINT 50 ms into
# train_bpe() (which takes about a second here): the stop is asked for
# while the trainer reads or merges, and takes effect at the next merge.
CHILD = textwrap.dedent("""
    import os, signal, sys, threading, time
    import pretokdb
    signal.signal(signal.SIGINT, signal.default_int_handler)
    path, db = sys.argv[1], sys.argv[2]
    threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT)).start()
    start = time.monotonic()
    try:
        pretokdb.train_bpe(path, 100000, ["<|endoftext|>"], num_processes=1, db_path=db)
    except KeyboardInterrupt:
        print("KeyboardInterrupt %.3f" % (time.monotonic() - start), flush=True)
        sys.exit(3)
    print("finished %.3f" % (time.monotonic() - start), flush=True)
""")


def test_ctrl_c_stops_training(tmp_path):
    path = tmp_path / "web.txt"
    subprocess.run([sys.executable, str(ROOT / "tools" / "corpus" / "make-corpus"), "--kind", "web",
                    "--size", "8M", "--seed", "3", "-o", str(path)], check=True, timeout=300)
    db = tmp_path / "db"
    pretokdb.pretokenize(path, [ENDOFTEXT], db_path=db)  # so that the child only trains
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(db)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert done.stdout.startswith("KeyboardInterrupt ")
    assert float(done.stdout.split()[1]) < 5
    # The database is intact: training again gives what it always gives.
    start = time.monotonic()
    vocab, merges = pretokdb.train_bpe(path, 2000, [ENDOFTEXT], db_path=db)
    assert len(merges) == 2000 - 257
    assert pretokdb.train_bpe(path, 2000, [ENDOFTEXT], db_path=db) == (vocab, merges)
    assert time.monotonic() - start < 60
