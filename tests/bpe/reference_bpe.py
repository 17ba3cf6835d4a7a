#!/usr/bin/env python3
"""Reference byte-level BPE trainer: the oracle of `pretok-db train-bpe`.

    reference_bpe.py --vocab-size N [--special-token T]... [--no-special-tokens]
                     [--train-special-token T]... [--pattern gpt2|cl100k|o200k|REGEX]
                     [--min-count C] [--naive] FILE...

counts the pretokens of FILEs with Python `regex` exactly as pretok-db's
contract says (tests/e2e/reference_count.py: the files are split into
documents at --special-token, default <|endoftext|>), trains on them and
prints one JSON object: {"vocab": {"ID": "HEX", ...}, "merges": [["HEX",
"HEX"], ...], "ran_out_of_pairs": bool}, token bytes as lowercase hex.
The tokens that take ids 0..k-1 are the splitting ones unless
--train-special-token is given (train-bpe's --special-token).

The rules (include/pretokdb/bpe.h):
- ids 0..k-1: the special tokens in the order given; then the 256 bytes in
  the order of GPT-2's bytes-to-unicode table; then one token per merge;
- each step merges the most frequent adjacent pair within a pretoken,
  weighted by the pretoken's count; ties go to the greater pair, compared
  as a tuple of byte strings (first element, then second): Python's
  max((count, pair));
- occurrences are counted at every position ("aaa" holds (a, a) twice) and
  merged left to right without overlap ("aaa" -> "aa" "a");
- pretokens counted fewer than --min-count times are left out; a pretoken
  whose bytes equal a special token is ordinary bytes like any other.

The pair counts are the sum over words of each word's own pair counts;
only the words a merge changes are counted again (their old pairs taken
out, their new ones put in). --naive counts every pair of every word again
at every merge instead, the same loop without that bookkeeping; the tests
check that both agree. Either is slow (seconds per thousand merges on a
megabyte of text) and meant to be obviously right, not fast.

Importable: train_bpe(counts, vocab_size, special_tokens, min_count=1,
naive=False) -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
ran_out_of_pairs: bool).
"""
import argparse
import collections
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))

from reference_count import DEFAULT_SPECIAL_TOKENS, count_files  # noqa: E402


def gpt2_byte_order():
    """The 256 byte values in the order of GPT-2's bytes_to_unicode()."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    return printable + [b for b in range(256) if b not in printable]


def bytes_to_unicode():
    """GPT-2's byte -> character map (encoder.py's bytes_to_unicode): the
    printable bytes stand for themselves, the other 68 in increasing order
    become U+0100, U+0101, ... (in gpt2_byte_order(), so also the ids' order)."""
    order = gpt2_byte_order()
    return {b: chr(b if i < 188 else 256 + i - 188) for i, b in enumerate(order)}


def merge_word(word, pair, merged):
    """word with every occurrence of pair, left to right, replaced by merged."""
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == pair[0] and word[i + 1] == pair[1]:
            out.append(merged)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def word_pairs(word):
    """Counter of the adjacent pairs of word, one per position."""
    return collections.Counter(zip(word, word[1:]))


def best_pair(pair_counts):
    """The pair of highest count; ties: the greater (bytes, bytes) tuple."""
    top = max(pair_counts.values())
    return max(p for p, c in pair_counts.items() if c == top)


def train_bpe(counts, vocab_size, special_tokens, min_count=1, naive=False):
    vocab = {}
    for t in special_tokens:
        vocab[len(vocab)] = t.encode("utf-8") if isinstance(t, str) else t
    for b in gpt2_byte_order():
        vocab[len(vocab)] = bytes([b])
    if vocab_size < len(vocab):
        raise ValueError("vocab_size %d < %d" % (vocab_size, len(vocab)))
    words = [tuple(bytes([b]) for b in w) for w, n in sorted(counts.items()) if n >= min_count]
    freq = [n for w, n in sorted(counts.items()) if n >= min_count]
    merges = []

    # pair -> count (weighted) and pair -> indices of the words holding it.
    pair_counts = collections.Counter()
    where = collections.defaultdict(set)
    for i, w in enumerate(words):
        for p, c in word_pairs(w).items():
            pair_counts[p] += c * freq[i]
            where[p].add(i)

    while len(vocab) < vocab_size:
        if naive:
            pair_counts = collections.Counter()
            for i, w in enumerate(words):
                for p in zip(w, w[1:]):
                    pair_counts[p] += freq[i]
        pair_counts = +pair_counts  # drop pairs whose count fell to 0
        if not pair_counts:
            return vocab, merges, True
        pair = best_pair(pair_counts)
        merged = pair[0] + pair[1]
        merges.append(pair)
        vocab[len(vocab)] = merged
        targets = range(len(words)) if naive else sorted(where.pop(pair))
        for i in targets:
            new = merge_word(words[i], pair, merged)
            if new == words[i]:
                continue
            if not naive:
                for p, c in word_pairs(words[i]).items():
                    pair_counts[p] -= c * freq[i]
                for p, c in word_pairs(new).items():
                    pair_counts[p] += c * freq[i]
                    where[p].add(i)
            words[i] = new
    return vocab, merges, False


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vocab-size", type=int, required=True)
    ap.add_argument("--special-token", action="append", default=None, metavar="T",
                    help="document separator (repeatable; default <|endoftext|>)")
    ap.add_argument("--no-special-tokens", action="store_true")
    ap.add_argument("--train-special-token", action="append", default=None, metavar="T",
                    help="the tokens of ids 0..k-1 (default: the separators)")
    ap.add_argument("--pattern", default="gpt2")
    ap.add_argument("--min-count", type=int, default=1)
    ap.add_argument("--naive", action="store_true", help="recount every pair at every merge")
    ap.add_argument("files", nargs="+", metavar="FILE")
    a = ap.parse_args(argv)
    if a.no_special_tokens:
        split = ()
    elif a.special_token is not None:
        split = tuple(a.special_token)
    else:
        split = DEFAULT_SPECIAL_TOKENS
    specials = split if a.train_special_token is None else tuple(a.train_special_token)
    counts = count_files(a.files, split, pattern=a.pattern).counts
    vocab, merges, ran_out = train_bpe(counts, a.vocab_size, specials, a.min_count, a.naive)
    json.dump({"vocab": {str(i): t.hex() for i, t in vocab.items()},
               "merges": [[x.hex(), y.hex()] for x, y in merges],
               "ran_out_of_pairs": ran_out}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
