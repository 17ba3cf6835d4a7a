"""stream_stories_from_chunk(): the pieces of data[start:end].split(token),
decoded with errors="replace", whatever the block size."""

import random
import tracemalloc

import pytest

import pretokdb
from testlib import DATA_FILES, ENDOFTEXT

TOKEN = ENDOFTEXT.encode()


def expected(data, start, end, token=TOKEN):
    return [d.decode("utf-8", errors="replace") for d in data[start:end].split(token)]


def stories(path, start, end, token=ENDOFTEXT, **kwargs):
    return list(pretokdb.stream_stories_from_chunk(path, start, end, token, **kwargs))


@pytest.mark.parametrize("block_size", [1, 2, 3, 5, 12, 13, 14, 64, 1000, 1 << 20])
def test_block_sizes_around_the_token(tmp_path, block_size):
    # Tokens at every position relative to block edges, empty documents,
    # tokens at both ends, a partial token, invalid UTF-8 and a multi-byte
    # character cut by block edges.
    data = (b"<|endoftext|>first<|endoftext|><|endoftext|>caf\xc3\xa9 \xe2\x82 x\xff"
            b"<|endoftext|" b"<|endoftext|>" + b"long " * 50 + b"<|endoftext|>")
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    for start, end in [(0, len(data)), (1, len(data) - 1), (5, 40), (0, 0), (13, 13)]:
        assert stories(path, start, end, block_size=block_size) == expected(data, start, end)


def test_random_cuts_and_tokens(tmp_path):
    rng = random.Random(7)
    alphabet = [b"a", b" ", b"<", b"|", b">", b"\n", b"\xc3\xa9", b"\xff", b"\xe2\x82", TOKEN, b"<|"]
    for trial in range(200):
        data = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200)))
        path = tmp_path / ("t%d.txt" % trial)
        path.write_bytes(data)
        start = rng.randrange(0, len(data) + 1)
        end = rng.randrange(start, len(data) + 1)
        token = rng.choice([ENDOFTEXT, "<|", "a", "\u00e9"])
        got = stories(path, start, end, token, block_size=rng.choice([1, 2, 7, 16, 4096]))
        assert got == expected(data, start, end, token.encode()), (data, start, end, token)


def test_documents_bigger_than_the_block_come_out_whole(tmp_path):
    big = "é" * 300_000 + "x"  # 600 KB of UTF-8
    data = (ENDOFTEXT.join(["small", big, "", big[::-1]])).encode()
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    assert stories(path, 0, len(data), block_size=4096) == ["small", big, "", big[::-1]]


def test_memory_is_bounded_by_the_largest_document(tmp_path):
    # 40 MB of 1 KB documents, read in 64 KB blocks: the generator's
    # allocations stay near a block, far from the range.
    doc = b"x" * 1000
    path = tmp_path / "many.txt"
    path.write_bytes(TOKEN.join([doc] * 40_000))
    tracemalloc.start()
    try:
        n = 0
        for story in pretokdb.stream_stories_from_chunk(path, 0, path.stat().st_size, ENDOFTEXT,
                                                        block_size=64 << 10):
            assert len(story) == 1000
            n += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 40_000
    assert peak < 1 << 20, peak


def test_a_range_past_the_end_stops_at_the_end(tmp_path):
    path = tmp_path / "short.txt"
    path.write_bytes(b"a<|endoftext|>b")
    assert stories(path, 0, 1000) == ["a", "b"]
    assert stories(path, 500, 1000) == [""]


def test_on_the_data_files():
    for path in DATA_FILES:
        data = path.read_bytes()
        middle = len(data) // 3
        assert stories(path, 0, len(data)) == expected(data, 0, len(data))
        assert stories(path, middle, len(data), block_size=1000) == expected(data, middle, len(data))


def test_bad_arguments(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"x")
    with pytest.raises(ValueError):
        pretokdb.stream_stories_from_chunk(path, 0, 1, "")
    with pytest.raises(ValueError):
        pretokdb.stream_stories_from_chunk(path, 2, 1, ENDOFTEXT)
    with pytest.raises(ValueError):
        pretokdb.stream_stories_from_chunk(path, -1, 1, ENDOFTEXT)
    with pytest.raises(FileNotFoundError):
        next(pretokdb.stream_stories_from_chunk(tmp_path / "missing", 0, 1, ENDOFTEXT))
