#!/usr/bin/env python3
"""Throughput of `pretok-db index` against the Python baseline.

For each corpus kind and size: pretok-db at each worker count, and (up to
--python-max) the Python multiprocessing baseline (tools/bench/python_baseline.py)
at each process count; the median of --repeat runs of wall time, MB/s and
peak RSS (/usr/bin/time -v). Prints one Markdown table.

  python3 tools/bench/bench_throughput.py --bin build/pretok-db \
      --kinds stories,web --sizes 10M,100M,1G --workers 1,2 --repeat 3

Corpora are made with tools/corpus/make-corpus and cached in --cache;
with --delete-after, an input is deleted once measured (for 10G).
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

from benchlib import SEEDS, add_common_args, corpus, machine_line, parse_size, timed

def run_pretokdb(args, path, workers):
    db = tempfile.mkdtemp(prefix="pretokdb-bench-", dir=args.tmp)
    shutil.rmtree(db)
    try:
        return timed([args.bin, "index", "--quiet", "--db", db, "--workers", str(workers),
                      "--memory-limit", args.memory_limit, path])
    finally:
        shutil.rmtree(db, ignore_errors=True)


def run_python(args, path, processes):
    here = os.path.dirname(os.path.abspath(__file__))
    return timed([sys.executable, os.path.join(here, "python_baseline.py"),
                  "--processes", str(processes), path])


def median_of(args, fn, *a):
    runs = [fn(args, *a) for _ in range(args.repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap)
    ap.add_argument("--kinds", default="stories,web")
    ap.add_argument("--sizes", default="10M,100M,1G")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--memory-limit", default="256M")
    ap.add_argument("--python-max", default="100M", help="largest size the Python baseline runs on")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--delete-after", action="store_true")
    args = ap.parse_args()

    print(machine_line())
    print(f"pretok-db: index --quiet --workers W --memory-limit {args.memory_limit} FILE; "
          f"python: tools/bench/python_baseline.py --processes P FILE; median of {args.repeat}; "
          f"inputs: make-corpus --kind K --size S --seed {SEEDS}\n")
    print("| input | tool | workers | wall (s) | MB/s | peak RSS (MiB) | vs Python, same workers |")
    print("|---|---|---|---|---|---|---|")
    for kind in args.kinds.split(","):
        for size in args.sizes.split(","):
            path = corpus(args.corpus, args.cache, kind, size)
            mb = os.path.getsize(path) / 1e6
            python = {}
            if parse_size(size) <= parse_size(args.python_max):
                for w in args.workers.split(","):
                    t, rss = median_of(args, run_python, path, int(w))
                    python[w] = t
                    print(f"| {kind} {size} | python regex | {w} | {t:.1f} | {mb / t:.1f} | "
                          f"{rss / 2**20:.0f} | 1x |", flush=True)
            for w in args.workers.split(","):
                t, rss = median_of(args, run_pretokdb, path, int(w))
                ratio = f"{python[w] / t:.0f}x" if w in python else "-"
                wall = f"{t:.3f}" if t < 1 else f"{t:.2f}"
                print(f"| {kind} {size} | pretok-db | {w} | {wall} | {mb / t:.0f} | "
                      f"{rss / 2**20:.0f} | {ratio} |", flush=True)
            if args.delete_after:
                os.remove(path)


if __name__ == "__main__":
    main()
