#!/usr/bin/env python3
"""The usual Python pretokenization step, as a baseline for tools/bench.

Splits the file into pieces at special tokens, counts each piece's
pretokens with `regex.finditer` in a multiprocessing pool (one Counter per
task), and merges the Counters: the CS336-style approach, all in RAM.
Prints the number of distinct pretokens and the total.

  python3 tools/bench/python_baseline.py [--pattern gpt2|cl100k|o200k] --processes 2 FILE

--pattern: the GPT-2 pattern (default), or tiktoken's cl100k_base or
o200k_base, as src/text/pattern.h holds them.
"""
import argparse
import collections
import multiprocessing
import os

import regex

PATTERNS = {
    "gpt2": r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    "cl100k": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+"""
              r"""| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k": "|".join([
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*"""
        r"""[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+"""
        r"""[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]),
}
PAT = None  # the compiled pattern, set in each process (see init)
SPECIAL = b"<|endoftext|>"


def init(pattern):
    global PAT
    PAT = regex.compile(PATTERNS[pattern])


def boundaries(path, parts):
    """Byte offsets that cut the file just before a special token."""
    size = os.path.getsize(path)
    cuts = [0]
    with open(path, "rb") as f:
        for i in range(1, parts):
            f.seek(size * i // parts)
            while True:
                block = f.read(1 << 16)
                if not block:
                    cuts.append(size)
                    break
                at = block.find(SPECIAL)
                if at >= 0:
                    cuts.append(f.tell() - len(block) + at)
                    break
    cuts.append(size)
    return sorted(set(cuts))


def count(task):
    path, start, end = task
    with open(path, "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode("utf-8", errors="replace")
    counts = collections.Counter()
    for doc in regex.split(regex.escape(SPECIAL.decode()), text):
        for m in PAT.finditer(doc):
            counts[m.group().encode("utf-8")] += 1
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--processes", type=int, default=os.cpu_count())
    ap.add_argument("--pattern", choices=sorted(PATTERNS), default="gpt2")
    ap.add_argument("file")
    args = ap.parse_args()
    # Pieces of ~16 MiB so that memory is not one huge string per process.
    parts = max(args.processes, os.path.getsize(args.file) // (16 << 20))
    cuts = boundaries(args.file, parts)
    tasks = [(args.file, a, b) for a, b in zip(cuts, cuts[1:])]
    total = collections.Counter()
    with multiprocessing.Pool(args.processes, initializer=init,
                              initargs=(args.pattern,)) as pool:
        for c in pool.imap_unordered(count, tasks):
            total.update(c)
    print(len(total), sum(total.values()))


if __name__ == "__main__":
    main()
