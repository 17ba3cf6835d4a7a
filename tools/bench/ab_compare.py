#!/usr/bin/env python3
"""Two or more pretok-db binaries compared on one input, runs alternating.

On a noisy machine (a VM whose speed drifts with its neighbours) the runs
of one binary, then of the other, compare two different moments; here each
round runs every binary once, in turn (the order reversed every other
round), so that drift hits all of them alike. Prints one Markdown table:
per binary the fastest run, the median and the mean of the middle half of
the runs (wall time of the whole `index` command, a new database each
time), and the median's change against the first binary.

  python3 tools/bench/ab_compare.py --rounds 40 --workers 2 \\
      --input web-10M base=/tmp/old/build/pretok-db new=build/pretok-db

--input is a file, or KIND-SIZE for a cached make-corpus output (as in
bench_throughput.py). --pattern P indexes with `--pattern P` (default: the
binary's default, gpt2).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
# --pattern takes these names; any other pattern is given with --regex.
BUILTIN_NAMES = ("gpt2", "cl100k", "o200k", "r50k_base", "p50k_base", "cl100k_base", "o200k_base")
import tempfile
import time

from benchlib import add_common_args, corpus, machine_line


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_args(ap)
    ap.add_argument("--input", required=True)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="256M")
    ap.add_argument("--pattern", default=None, help="gpt2, cl100k, o200k or a regex")
    ap.add_argument("binaries", nargs="+", metavar="LABEL=PATH")
    args = ap.parse_args()

    specs = []
    for spec in args.binaries:
        label, sep, path = spec.partition("=")
        if not sep or not os.access(path, os.X_OK):
            sys.exit(f"not LABEL=EXECUTABLE: {spec}")
        specs.append((label, path))
    path = args.input
    if not os.path.exists(path):
        kind, _, size = path.partition("-")
        path = corpus(args.corpus, args.cache, kind, size)

    times = {label: [] for label, _ in specs}
    db = os.path.join(tempfile.mkdtemp(prefix="pretokdb-ab-", dir=args.tmp), "db")
    try:
        for r in range(args.rounds):
            for label, binary in (specs if r % 2 == 0 else specs[::-1]):
                shutil.rmtree(db, ignore_errors=True)
                cmd = [binary, "index", "--quiet", "--db", db, "--workers",
                       str(args.workers), "--memory-limit", args.memory_limit]
                cmd += ([("--pattern" if args.pattern in BUILTIN_NAMES else "--regex"), args.pattern] if args.pattern else []) + [path]
                t = time.perf_counter()
                p = subprocess.run(cmd, capture_output=True, text=True)
                times[label].append(time.perf_counter() - t)
                if p.returncode != 0:
                    sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    finally:
        shutil.rmtree(os.path.dirname(db), ignore_errors=True)

    print(machine_line())
    print(f"input: {path} ({os.path.getsize(path)} bytes), {args.workers} workers, "
          f"--memory-limit {args.memory_limit}, {args.rounds} alternating rounds"
          + (f", --pattern {args.pattern}" if args.pattern else ""))
    print()
    print("| binary | fastest (ms) | median (ms) | mean of middle half (ms) | median vs first |")
    print("|---|---|---|---|---|")
    base = None
    for label, _ in specs:
        v = sorted(times[label])
        q = len(v) // 4
        med = statistics.median(v)
        base = base or med
        print(f"| {label} | {v[0] * 1e3:.1f} | {med * 1e3:.1f} | "
              f"{statistics.mean(v[q:len(v) - q]) * 1e3:.1f} | {(med / base - 1) * 100:+.1f}% |")


if __name__ == "__main__":
    main()
