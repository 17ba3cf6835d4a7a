#!/usr/bin/env python3
"""Throughput of `pretok-db index -` (a stream on standard input) against
the same bytes given as a file, at each worker count.

For each size: per worker count, `pretok-db index FILE` and
`cat FILE | pretok-db index -`, taking turns in every round (so that the
machine's drift hits them alike); the median of --repeat runs of wall time,
MB/s and the largest peak RSS of pretok-db (/usr/bin/time -v), and the
stream's speed against its speed with the first worker count. Prints one
Markdown table.

  python3 tools/bench/bench_stream.py --bin build/pretok-db \
      --kind web --sizes 1G --workers 1,2 --repeat 3

Corpora are made with tools/corpus/make-corpus and cached in --cache.
"""
import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import add_common_args, corpus, machine_line, parse_size, timed


def run_stream(args, path, workers):
    """cat path | pretok-db index -: (wall seconds, pretok-db's peak RSS)."""
    db = tempfile.mkdtemp(prefix="pretokdb-bench-", dir=args.tmp)
    shutil.rmtree(db)
    cmd = ["/usr/bin/time", "-v", args.bin, "index", "--quiet", "--db", db,
           "--workers", str(workers), "--memory-limit", args.memory_limit, "-"]
    try:
        t = time.perf_counter()
        cat = subprocess.Popen(["cat", path], stdout=subprocess.PIPE)
        p = subprocess.run(cmd, stdin=cat.stdout, capture_output=True, text=True)
        cat.stdout.close()
        cat.wait()
        wall = time.perf_counter() - t
        if p.returncode != 0 or cat.returncode != 0:
            sys.exit(f"failed: cat {path} | {' '.join(cmd[2:])}\n{p.stderr[-2000:]}")
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                               p.stderr).group(1))
        return wall, rss_kb * 1024
    finally:
        shutil.rmtree(db, ignore_errors=True)


def run_file(args, path, workers):
    db = tempfile.mkdtemp(prefix="pretokdb-bench-", dir=args.tmp)
    shutil.rmtree(db)
    try:
        return timed([args.bin, "index", "--quiet", "--db", db, "--workers", str(workers),
                      "--memory-limit", args.memory_limit, path])
    finally:
        shutil.rmtree(db, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("--kind", default="web", choices=["web", "stories"])
    ap.add_argument("--sizes", default="1G")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--memory-limit", default="1G")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]

    print(machine_line())
    print(f"pretok-db {args.bin}, --memory-limit {args.memory_limit}, "
          f"median of {args.repeat}; stream: cat FILE | pretok-db index -")
    print()
    print("| input | workers | file s | file MB/s | stream s | stream MB/s "
          "| stream peak RSS | stream vs file | stream vs 1st workers |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes.split(","):
        path = corpus(args.corpus, args.cache, args.kind, size)
        mb = parse_size(size) / 1e6
        first_stream = None
        for w in workers:
            runs = {"file": [], "stream": []}
            for r in range(args.repeat):
                order = ["file", "stream"] if r % 2 == 0 else ["stream", "file"]
                for kind in order:
                    fn = run_file if kind == "file" else run_stream
                    runs[kind].append(fn(args, path, w))
            f = statistics.median(x[0] for x in runs["file"])
            s = statistics.median(x[0] for x in runs["stream"])
            rss = max(x[1] for x in runs["stream"])
            if first_stream is None:
                first_stream = s
            print(f"| {args.kind} {size} | {w} | {f:.2f} | {mb / f:.1f} | {s:.2f} | "
                  f"{mb / s:.1f} | {rss / 2**20:.0f} MiB | {f / s:.2f}x | "
                  f"{first_stream / s:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
