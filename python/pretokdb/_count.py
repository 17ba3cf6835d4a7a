"""pretokenize() and open(): counting a file's pretokens, reading a database."""

import os

from . import _core, _options

Reader = _core.Reader


def pretokenize(file_path, special_tokens, num_processes=None, max_memory_gb=None, *,
                db_path=None, pattern="gpt2", regex=None, jsonl=None, bad_records="skip",
                quick_check=False):
    """Counts the pretokens of a file: {pretoken bytes: count}.

    The drop-in for the usual Python function of a BPE course assignment,
    which splits the file at the special tokens, pretokenizes each document
    with a regular expression and counts; the counts are exactly that
    program's (README: "The result contract"):

        text = open(file_path, "rb").read().decode("utf-8", errors="replace")
        for doc in regex.split("|".join(map(regex.escape, specials)), text):
            for m in regex.finditer(PAT, doc):
                counts[m.group().encode("utf-8")] += 1

    file_path: a path (str, bytes or os.PathLike).
    special_tokens: a list of str that separate documents and are never
        counted (longest first where two start at the same byte); [] makes
        the whole file one document.
    num_processes: worker threads (the name is the assignment's); None: one
        per core.
    max_memory_gb: memory per process in GiB, so the run's limit is
        max_memory_gb x num_processes (one process per core when
        num_processes is None); None: the CLI's default (1 GiB, or half
        the memory available if less). Counts
        that do not fit are spilled to the database, which is why any corpus
        size fits in it.
    db_path: a database directory that is kept (created if needed). A run
        stopped by Ctrl-C, or killed, resumes when called again with the
        same arguments; a file already indexed is not read again. The dict
        returned holds everything the database counts, this file's and
        those indexed into it before. Without db_path a temporary database
        is used (under tempfile.gettempdir(): set TMPDIR for a big corpus)
        and removed afterwards.
    pattern: a built-in pattern's name: "gpt2" (GPT-2's, also r50k/p50k),
        "cl100k", "o200k" (tiktoken's patterns). A regular expression is
        refused here (InvalidArgumentError): give it as regex.
    regex: a pattern of your own, a regular expression written as for
        Python's `regex` (README: which constructs are refused); pattern is
        then left "gpt2". A name is never guessed from a regex, nor a regex
        from a name (`pattern="ok"` is an unknown name, `regex="ok"` a
        pattern matching "ok").
    jsonl: a field path ("text", "meta.text"): the file is JSON Lines, and
        the string in that field of each line's object is one document
        (README: "JSON Lines"); None: the file is text. Part of the
        database's configuration, like the pattern.
    bad_records: with jsonl, what a line that is not JSON, lacks the field,
        holds no string there, is too long or not UTF-8 does: "skip" (counted
        in reader.stats()["bad_records"]) or "strict" (InvalidArgumentError
        naming the line, before anything is counted).
    quick_check: with db_path, a file indexed before is checked by its size
        and first and last 64 KiB only, instead of re-reading (and hashing)
        everything counted of it; faster on huge files on slow disks, but an
        edit inside that keeps the size goes unseen and its counts stay
        stale (README: "Files seen again"). Default False: any edit of what
        was counted raises InvalidArgumentError.

    Raises a pretokdb.Error subclass (InvalidArgumentError for a bad pattern
    or a database built with another configuration, InputOutputError for an
    unreadable file, BusyError if another run writes the database...), with
    the CLI's message. Ctrl-C raises KeyboardInterrupt once the run has
    committed what it counted. Text too long to count (README: "Limits")
    is reported as a pretokdb.NotCountedWarning. The GIL is released while
    the file is counted.
    """
    with _options.database(db_path) as db:
        _options.index(db, [file_path], special_tokens, num_processes, max_memory_gb, pattern,
                       regex, jsonl, bad_records, quick_check)
        with Reader(db) as reader:
            return reader.to_dict()


def open(db_path):  # noqa: A001 (the module's reader, like io.open)
    """Opens the database at db_path (str, bytes or os.PathLike) for reading.

    Returns a pretokdb.Reader:
        reader.count(token)       -> int, 0 for a pretoken never seen
        reader.items(min_count=1) -> iterator of (bytes, int), sorted by
                                     bytes, streamed (flat memory)
        reader.top(n)             -> [(bytes, int)], most frequent first
        reader.stats()            -> dict, as `pretok-db stats --json`
        len(reader)               -> distinct pretokens
    It sees what was committed when it was opened, also while an index run
    writes the database. Use it in a `with` block, or call close().

    Raises NotFoundError if there is no database at db_path,
    InvalidArgumentError if the directory is not a pretok-db database.
    """
    return Reader(os.fsencode(db_path))
