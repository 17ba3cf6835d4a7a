"""pretokdb: the pretokenization stage of byte-level BPE training, on disk.

The Python face of pretok-db (README.md): count the pretokens of corpora of
any size into a resumable RocksDB database, read the counts back, and train a
byte-level BPE tokenizer from them, with the results of the usual Python
programs, byte for byte.

    import pretokdb

    counts = pretokdb.pretokenize("owt_train.txt", ["<|endoftext|>"],
                                  num_processes=8, max_memory_gb=2)
    # {b" the": 14175, b".": 34024, ...}: the assignment's pretokenize()

    vocab, merges = pretokdb.train_bpe("owt_train.txt", 32000, ["<|endoftext|>"])

    pretokdb.pretokenize("owt_train.txt", ["<|endoftext|>"], db_path="owt.db")
    with pretokdb.open("owt.db") as db:
        db.count(b" the"), db.top(10), db.stats(), len(db)
        for token, count in db.items(min_count=2):   # streamed, sorted
            ...

    for story in pretokdb.stream_stories_from_chunk("owt_train.txt", 0, 1 << 30,
                                                    "<|endoftext|>"):
        ...

Functions: pretokenize, train_bpe, open, stream_stories_from_chunk.
Errors: pretokdb.Error and its subclasses (pretokdb.errors), whose messages
are the CLI's. Long calls release the GIL, and Ctrl-C stops them cleanly
(KeyboardInterrupt; a database given as db_path resumes on the next call).
"""

from ._count import Reader, open, pretokenize
from ._stories import stream_stories_from_chunk
from ._train import train_bpe
from .errors import (AbortedError, BusyError, CorruptionError, Error, InputOutputError,
                     InvalidArgumentError, NotCountedWarning, NotFoundError)

__all__ = [
    # Not "open": `from pretokdb import *` would hide the builtin open().
    "pretokenize", "train_bpe", "Reader", "stream_stories_from_chunk",
    "Error", "NotFoundError", "InvalidArgumentError", "InputOutputError",
    "CorruptionError", "BusyError", "AbortedError", "NotCountedWarning",
]
