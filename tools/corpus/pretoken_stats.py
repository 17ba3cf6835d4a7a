#!/usr/bin/python3
"""Counts the GPT-2 pretokens of files as the README's result contract does
(split on <|endoftext|>, decode with errors="replace", regex.finditer), and
prints documents, total and distinct pretokens; with --checkpoints, the
distinct count after each given size too (at the first document boundary
after it), for a Heaps curve in one pass. Needs the `regex` module.

    /usr/bin/python3 tools/corpus/pretoken_stats.py [--checkpoints 10M,100M] FILE...
"""
import argparse
import re
import sys

import regex

PAT = regex.compile(r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
EOT = b"<|endoftext|>"


def size(text):
    m = re.fullmatch(r"(\d+)([KMG]?)", text.strip().upper())
    return int(m.group(1)) << (10 * " KMG".index(m.group(2) or " "))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoints", default="", help="comma-separated sizes, e.g. 10M,100M")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    marks = sorted(size(x) for x in a.checkpoints.split(",") if x)
    seen = set()
    docs = total = done = 0
    for path in a.files:
        with open(path, "rb") as f:
            data = f.read()
        for doc in data.split(EOT):
            docs += 1
            tokens = PAT.findall(doc.decode("utf-8", errors="replace"))
            total += len(tokens)
            seen.update(tokens)
            done += len(doc) + len(EOT)
            while marks and done >= marks[0]:
                print("%d bytes: %d pretokens, %d distinct" % (marks.pop(0), total, len(seen)),
                      flush=True)
    print("documents %d, pretokens %d, distinct %d" % (docs, total, len(seen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
