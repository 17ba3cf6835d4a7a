"""stream_stories_from_chunk(): the documents of a byte range, one at a time."""

import builtins

# Bytes read from the file at a time.
DEFAULT_BLOCK_SIZE = 1 << 20


def stream_stories_from_chunk(file_path, start, end, split_token, *,
                              block_size=DEFAULT_BLOCK_SIZE):
    """Yields the documents of the bytes [start, end) of a file, one at a time.

    The documents are the pieces of those bytes cut at every occurrence of
    split_token (not included), each decoded as UTF-8 with
    errors="replace"; they are exactly

        [d.decode("utf-8", errors="replace")
         for d in data[start:end].split(split_token.encode("utf-8"))]

    so a range holding k tokens yields k + 1 documents, empty ones included
    (a range that starts or ends with the token, two tokens in a row), as
    regex.split() of the decoded text would give. (Cutting the bytes first
    and decoding each piece gives the same strings as decoding first: a
    UTF-8 token starts on a character and ends after one, so no ill-formed
    sequence spans it.) A range past the file's end stops at the end.

    file_path: str, bytes or os.PathLike. start, end: byte offsets, usually
    boundaries that fall on split_token (e.g. found by the assignment's
    find_chunk_boundaries). split_token: a non-empty str (or bytes).
    block_size: bytes read at a time.

    Memory: the file is read block_size bytes at a time and only the bytes
    of the current document are kept (documents are decoded from them
    without a copy), so the generator holds at most the bytes of the
    largest document of the range plus one block and the token, besides the
    str it yields: proportional to the largest document, never to the
    range. A document longer than a block still comes out whole, as one
    str.
    """
    token = split_token.encode("utf-8") if isinstance(split_token, str) else bytes(split_token)
    if not token:
        raise ValueError("split_token must not be empty")
    if start < 0 or end < start:
        raise ValueError("need 0 <= start <= end, got start=%d, end=%d" % (start, end))
    if block_size < 1:
        raise ValueError("block_size must be at least 1")
    return _documents(file_path, start, end, token, block_size)


def _documents(file_path, start, end, token, block_size):
    # A generator of its own, so that the argument checks above run at the
    # call, not at the first next().
    with builtins.open(file_path, "rb") as f:
        f.seek(start)
        remaining = end - start
        pending = bytearray()  # the current document's bytes read so far
        while remaining > 0:
            block = f.read(min(block_size, remaining))
            if not block:
                break  # the file ends before `end`
            remaining -= len(block)
            # A token may straddle the old end of `pending`: look again from
            # len(token) - 1 bytes before it, not from its start (which would
            # make a long document quadratic).
            search_from = max(0, len(pending) - len(token) + 1)
            pending += block
            doc_start = 0
            # Decoded through a view, not a copy of the document's bytes; the
            # view ends before `pending` is resized (a bytearray cannot be
            # while viewed).
            with memoryview(pending) as view:
                while (cut := pending.find(token, max(doc_start, search_from))) >= 0:
                    yield str(view[doc_start:cut], "utf-8", "replace")
                    doc_start = cut + len(token)
            del pending[:doc_start]
        yield pending.decode("utf-8", errors="replace")
