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

--patterns gpt2,cl100k,o200k measures each pattern (pretok-db --pattern P,
python_baseline.py --pattern P) in the same run, the patterns taking turns
in every round so that the machine's drift hits them alike, and adds the
speed against the first pattern's, same input and workers:

  python3 tools/bench/bench_throughput.py --bin build/pretok-db \
      --kinds stories,web --sizes 1G --workers 1 --python-max 0 \
      --patterns gpt2,cl100k,o200k --repeat 5
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

from benchlib import SEEDS, add_common_args, corpus, machine_line, parse_size, timed

def run_pretokdb(args, path, workers, pattern=None):
    db = tempfile.mkdtemp(prefix="pretokdb-bench-", dir=args.tmp)
    shutil.rmtree(db)
    extra = ["--pattern", pattern] if pattern else []
    try:
        return timed([args.bin, "index", "--quiet", "--db", db, "--workers", str(workers),
                      "--memory-limit", args.memory_limit] + extra + [path])
    finally:
        shutil.rmtree(db, ignore_errors=True)


def run_python(args, path, processes, pattern=None):
    here = os.path.dirname(os.path.abspath(__file__))
    extra = ["--pattern", pattern] if pattern else []
    return timed([sys.executable, os.path.join(here, "python_baseline.py"),
                  "--processes", str(processes)] + extra + [path])


def median_of(args, fn, *a):
    runs = [fn(args, *a) for _ in range(args.repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def alternating(args, fn, path, workers, patterns):
    """fn(args, path, workers, pattern) for each pattern, --repeat rounds,
    the patterns in turn (reversed every other round); per pattern the
    median wall time and the largest peak RSS."""
    runs = {p: [] for p in patterns}
    for r in range(args.repeat):
        for p in (patterns if r % 2 == 0 else patterns[::-1]):
            runs[p].append(fn(args, path, workers, p))
    return {p: (statistics.median(x[0] for x in v), max(x[1] for x in v))
            for p, v in runs.items()}


def main_patterns(args, patterns):
    print(machine_line())
    print(f"pretok-db: index --quiet --workers W --memory-limit {args.memory_limit} --pattern P FILE; "
          f"python: tools/bench/python_baseline.py --processes W --pattern P FILE; median of "
          f"{args.repeat}, patterns in turn; inputs: make-corpus --kind K --size S --seed {SEEDS}\n")
    print(f"| input | tool | pattern | workers | wall (s) | MB/s | peak RSS (MiB) | "
          f"vs {patterns[0]}, same run | vs Python, same pattern and workers |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in args.kinds.split(","):
        for size in args.sizes.split(","):
            path = corpus(args.corpus, args.cache, kind, size)
            mb = os.path.getsize(path) / 1e6
            for w in args.workers.split(","):
                python = {}
                if parse_size(size) <= parse_size(args.python_max):
                    python = alternating(args, run_python, path, int(w), patterns)
                    for p in patterns:
                        t, rss = python[p]
                        print(f"| {kind} {size} | python regex | {p} | {w} | {t:.1f} | "
                              f"{mb / t:.1f} | {rss / 2**20:.0f} | "
                              f"{python[patterns[0]][0] / t:.2f} | 1x |", flush=True)
                ours = alternating(args, run_pretokdb, path, int(w), patterns)
                for p in patterns:
                    t, rss = ours[p]
                    ratio = f"{python[p][0] / t:.0f}x" if p in python else "-"
                    wall = f"{t:.3f}" if t < 1 else f"{t:.2f}"
                    print(f"| {kind} {size} | pretok-db | {p} | {w} | {wall} | {mb / t:.0f} | "
                          f"{rss / 2**20:.0f} | {ours[patterns[0]][0] / t:.2f} | {ratio} |",
                          flush=True)
            if args.delete_after:
                os.remove(path)


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
    ap.add_argument("--patterns", default="gpt2",
                    help="comma-separated: gpt2, cl100k, o200k (compared in the same run)")
    args = ap.parse_args()
    patterns = args.patterns.split(",")
    if patterns != ["gpt2"]:
        return main_patterns(args, patterns)

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
