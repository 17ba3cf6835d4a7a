"""train_bpe(): a byte-level BPE tokenizer trained from a file's counts."""

import numbers
import warnings

from . import _core, _options
from .errors import InvalidArgumentError

_KWARGS = ("num_processes", "max_memory_gb", "min_count", "pattern", "regex", "db_path")


def train_bpe(input_path, vocab_size, special_tokens, **kwargs):
    """Trains a byte-level BPE tokenizer on a file: (vocab, merges).

    The signature and result of the usual course assignment's train_bpe:
    vocab maps ids to token bytes, merges lists the merges in the order they
    were made, as (bytes, bytes). The rules (include/pretokdb/bpe.h) are
    that assignment's, so results compare exactly:
    - ids 0..k-1 are the special tokens, in the order given; then the 256
      byte values in the order of GPT-2's bytes-to-unicode table; then one
      token per merge (vocab[256 + k + i] == merges[i][0] + merges[i][1]);
    - each step merges the most frequent adjacent pair within a pretoken,
      weighted by the pretoken's count; ties go to the lexicographically
      greater pair (first element, then second, as bytes);
    - merges never cross pretoken boundaries; special tokens never take
      part in merges.
    The file is pretokenized as pretokenize() does it, split into documents
    at the special tokens. Training stops early when no pair is left (a
    RuntimeWarning says so, and the vocabulary is smaller than asked).

    input_path: a path (str, bytes or os.PathLike).
    vocab_size: special tokens + 256 + merges; at least 256 + k.
    special_tokens: a list of str; they separate documents and take ids
        0..k-1.
    Keyword arguments:
    num_processes: worker threads for indexing and the trainer's initial
        pair count; None: one per core.
    max_memory_gb: memory per process in GiB (the limit is max_memory_gb x
        num_processes), for indexing and for training, which refuses at
        once, with InvalidArgumentError suggesting a min_count, when the
        pretokens do not fit; None: the CLI's default (1 GiB, or half
        the memory available if less), for both.
    min_count: pretokens counted fewer times are left out of training
        (default 1: none).
    pattern, regex: as for pretokenize() (a built-in name, "gpt2" by
        default; or a regular expression of your own as regex).
    db_path: a database that is kept, as for pretokenize(): indexing
        resumes there after Ctrl-C, and a second train_bpe() with other
        vocabulary sizes reads the counts without indexing again. Without
        it, a temporary database is removed afterwards.

    Raises a pretokdb.Error subclass with the CLI's message, TypeError for
    an unknown keyword. Ctrl-C raises KeyboardInterrupt (indexing commits
    what it counted; training stops at the next merge). The GIL is released
    while C++ works.
    """
    unknown = sorted(set(kwargs) - set(_KWARGS))
    if unknown:
        raise TypeError("train_bpe() got unexpected keyword arguments: %s (known: %s)"
                        % (", ".join(unknown), ", ".join(_KWARGS)))
    num_processes = kwargs.get("num_processes")
    max_memory_gb = kwargs.get("max_memory_gb")
    min_count = kwargs.get("min_count", 1)
    pattern, regex = _options.pattern_args(kwargs.get("pattern", "gpt2"), kwargs.get("regex"))

    # Checked before indexing, which may take long.
    tokens = _options.special_token_bytes(special_tokens)
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, numbers.Integral):
        raise TypeError("vocab_size must be an int, not %s" % type(vocab_size).__name__)
    base = 256 + len(tokens)
    if vocab_size < base:
        raise InvalidArgumentError("vocab_size: %d is less than 256 bytes + %d special tokens = %d"
                                   % (vocab_size, len(tokens), base))
    if isinstance(min_count, bool) or not isinstance(min_count, numbers.Integral):
        raise TypeError("min_count must be an int, not %s" % type(min_count).__name__)
    if min_count < 1:
        raise InvalidArgumentError("min_count: must be at least 1")
    threads = _options.workers(num_processes)
    limit = _options.memory_limit(max_memory_gb, num_processes)

    with _options.database(kwargs.get("db_path")) as db:
        _options.index(db, [input_path], special_tokens, num_processes, max_memory_gb, pattern,
                       regex or None)
        vocab, merges, stats = _core.train(db, int(vocab_size), tokens, int(min_count),
                                           threads, limit)
    if stats["ran_out_of_pairs"]:
        warnings.warn("no pair left to merge after %d of %d merges: the vocabulary has %d "
                      "tokens, not %d" % (stats["merges"], stats["merges_requested"],
                                          len(vocab), vocab_size),
                      RuntimeWarning, stacklevel=2)
    return vocab, merges
