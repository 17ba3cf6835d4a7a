"""What pretokenize() and train_bpe() share: their arguments turned into the
library's options, the database they run on, and the index run itself.

Arguments are checked here, before anything touches a database, and refused
with the messages of the CLI's flags (named as Python's arguments).
"""

import contextlib
import math
import numbers
import os
import shutil
import tempfile
import warnings

from . import _core
from .errors import InvalidArgumentError, NotCountedWarning

# The CLI's bounds: --workers 1..1024, --memory-limit at least 64K.
MAX_PROCESSES = 1024
MIN_MEMORY_BYTES = 64 << 10
GB = 1 << 30  # max_memory_gb counts GiB, as the CLI's "G" does


def special_token_bytes(special_tokens):
    """special_tokens (a list or tuple of str) as UTF-8 bytes, checked as
    `pretok-db index --special-token` checks them."""
    if isinstance(special_tokens, (str, bytes)) or not isinstance(special_tokens, (list, tuple)):
        raise TypeError("special_tokens must be a list of str, not %s"
                        % type(special_tokens).__name__)
    out = []
    for token in special_tokens:
        if not isinstance(token, str):
            raise TypeError("special_tokens must be a list of str, found %s"
                            % type(token).__name__)
        if not token:
            raise InvalidArgumentError("special_tokens: empty token")
        if "\ufffd" in token:
            # Under the replace policy invalid bytes become U+FFFD: such a
            # token would match them.
            raise InvalidArgumentError("special_tokens: a token may not contain U+FFFD "
                                       "(it would match replaced invalid bytes)")
        try:
            out.append(token.encode("utf-8"))
        except UnicodeEncodeError:
            raise InvalidArgumentError("special_tokens: %r is not valid UTF-8" % (token,)) from None
    return out


def workers(num_processes):
    """num_processes as the Indexer's worker count (0: one per core)."""
    if num_processes is None:
        return 0
    if isinstance(num_processes, bool) or not isinstance(num_processes, numbers.Integral):
        raise TypeError("num_processes must be an int or None, not %s"
                        % type(num_processes).__name__)
    if not 1 <= num_processes <= MAX_PROCESSES:
        raise InvalidArgumentError("num_processes: must be between 1 and %d" % MAX_PROCESSES)
    return int(num_processes)


def memory_limit(max_memory_gb, num_processes):
    """The run's memory limit in bytes: max_memory_gb per process, times the
    processes (one per core when num_processes is None); 0 when
    max_memory_gb is None (the CLI's default, DefaultMemoryLimit)."""
    if max_memory_gb is None:
        return 0
    if isinstance(max_memory_gb, bool) or not isinstance(max_memory_gb, numbers.Real):
        raise TypeError("max_memory_gb must be a number or None, not %s"
                        % type(max_memory_gb).__name__)
    if not (math.isfinite(max_memory_gb) and max_memory_gb > 0):
        raise InvalidArgumentError("max_memory_gb: %r is not a positive number of GiB"
                                   % (max_memory_gb,))
    processes = workers(num_processes) or os.cpu_count() or 1
    limit = max_memory_gb * GB * processes
    if limit < MIN_MEMORY_BYTES:
        raise InvalidArgumentError(
            "max_memory_gb: %r GiB x %d processes is less than the minimum of 64 KiB"
            % (max_memory_gb, processes))
    # More than any machine has is the library's to refuse ("out of
    # memory"), as the CLI's --memory-limit 1000T is.
    return int(min(limit, 1 << 62))


def pattern_args(pattern, regex):
    """(pattern, regex) checked: pattern a built-in name ("gpt2", "cl100k",
    "o200k"), regex None or a regular expression of your own, never both
    (pattern left "gpt2" with a regex). The library refuses a name that is
    not one, or a regex given as pattern, with a message naming regex."""
    if not isinstance(pattern, str):
        raise TypeError("pattern must be a str, not %s" % type(pattern).__name__)
    if regex is None:
        return pattern, ""
    if not isinstance(regex, str):
        raise TypeError("regex must be a str or None, not %s" % type(regex).__name__)
    if regex == "":
        raise InvalidArgumentError("regex: empty regular expression")
    if pattern != "gpt2":
        raise InvalidArgumentError("pattern=%r and regex= given together: give one "
                                   "(pattern a built-in name, regex a pattern of your own)"
                                   % pattern)
    return pattern, regex


@contextlib.contextmanager
def database(db_path):
    """Yields the path (bytes) of the database to run on: db_path, which
    stays, or a new one in a temporary directory (tempfile's: $TMPDIR or
    /tmp), removed at the end, whatever happens."""
    if db_path is not None:
        yield os.fsencode(db_path)
        return
    directory = tempfile.mkdtemp(prefix="pretokdb-")
    try:
        yield os.fsencode(os.path.join(directory, "db"))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def jsonl_args(jsonl, bad_records):
    """(field path, strict) checked: jsonl None (text) or a dotted field
    path such as "text" or "meta.text"; bad_records "skip" or "strict"."""
    if jsonl is not None and not isinstance(jsonl, str):
        raise TypeError("jsonl must be a str or None, not %s" % type(jsonl).__name__)
    if bad_records not in ("skip", "strict"):
        raise InvalidArgumentError("bad_records: %r is not one of 'skip', 'strict'"
                                   % (bad_records,))
    if jsonl is None:
        if bad_records != "skip":
            raise InvalidArgumentError("bad_records applies to jsonl input only")
        return "", False
    if jsonl == "" or any(part == "" for part in jsonl.split(".")):
        raise InvalidArgumentError("jsonl: %r is not a field path (names joined by '.', "
                                   "e.g. text or meta.text)" % (jsonl,))
    return jsonl, bad_records == "strict"


def index(db, paths, special_tokens, num_processes, max_memory_gb, pattern, regex=None,
          jsonl=None, bad_records="skip", quick_check=False):
    """Indexes paths into the database db (bytes), as `pretok-db index`
    would. Text left uncounted comes out as NotCountedWarning; Ctrl-C stops
    the run once it has committed what it counted, then raises
    KeyboardInterrupt (the same call resumes)."""
    tokens = special_token_bytes(special_tokens)
    n = workers(num_processes)
    limit = memory_limit(max_memory_gb, num_processes)
    pattern, regex = pattern_args(pattern, regex)
    field, strict = jsonl_args(jsonl, bad_records)
    files = [os.fsencode(p) for p in paths]
    if not isinstance(quick_check, bool):
        raise TypeError("quick_check must be a bool, not %s" % type(quick_check).__name__)
    for message in _core.index(db, files, tokens, pattern, regex, n, limit, field, strict,
                               quick_check):
        # stacklevel: the user's call of pretokenize() or train_bpe().
        warnings.warn(message, NotCountedWarning, stacklevel=3)
