#!/usr/bin/env python3
"""Peak memory of `pretok-db index` against --memory-limit.

Generates make-corpus inputs (cached), runs `pretok-db index` under
/usr/bin/time -v for each (input, limit, workers) and prints one Markdown
table: wall time, MB/s, peak RSS and whether it stayed under the limit.

  python3 tools/bench/bench_memory.py --bin build/pretok-db \
      --kind web --sizes 100M,1G --limits 64M,256M --workers 2
"""
import argparse
import os
import re
import shutil
import subprocess
import tempfile

from benchlib import SEEDS, add_common_args, corpus, machine_line, parse_size, timed

def run_index(args, path, limit, workers):
    db = tempfile.mkdtemp(prefix="pretokdb-bench-", dir=args.tmp)
    shutil.rmtree(db)
    try:
        seconds, rss = timed([args.bin, "index", "--quiet", "--db", db, "--workers",
                              str(workers), "--memory-limit", limit, path])
        stats = subprocess.run([args.bin, "stats", "--db", db, "--json"],
                               capture_output=True, text=True, check=True).stdout
        spills = int(re.search(r'"spills": (\d+)', stats).group(1))
        return seconds, rss, spills
    finally:
        shutil.rmtree(db, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap)
    ap.add_argument("--kind", default="web")
    ap.add_argument("--sizes", default="100M,1G")
    ap.add_argument("--limits", default="64M,256M")
    ap.add_argument("--workers", default="2")
    args = ap.parse_args()

    print(machine_line())
    print(f"command: pretok-db index --quiet --workers W --memory-limit L FILE "
          f"(make-corpus --kind {args.kind} --seed {SEEDS.get(args.kind, 1)})\n")
    print("| input | --memory-limit | workers | wall (s) | MB/s | peak RSS (MiB) | under limit | spills |")
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        path = corpus(args.corpus, args.cache, args.kind, size)
        mb = os.path.getsize(path) / 1e6
        for limit in args.limits.split(","):
            for w in args.workers.split(","):
                seconds, rss, spills = run_index(args, path, limit, int(w))
                ok = "yes" if rss <= parse_size(limit) else "**no**"
                print(f"| {args.kind} {size} | {limit} | {w} | {seconds:.1f} | {mb / seconds:.0f} | "
                      f"{rss / 2**20:.0f} | {ok} | {spills} |", flush=True)


if __name__ == "__main__":
    main()
