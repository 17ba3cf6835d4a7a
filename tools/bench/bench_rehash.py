#!/usr/bin/env python3
"""The cost of checking a file seen again: a no-op rerun of `pretok-db
index` on an already indexed file, with the default check (every counted
byte read again and hashed, ingest/extent_check.h) and with --quick-check
(size and first/last 64 KiB only), and the first index for scale.

The input is --copies copies of a cached make-corpus file (default web,
1G), concatenated into one file under --tmp (the check's cost depends on
the bytes, not on what they say), deleted at the end. Each rerun is timed
twice: warm (the file in the page cache, as right after indexing it) and
cold (the file's pages evicted first with posix_fadvise(DONTNEED), so it is
read from the disk; other files' caches are left alone). Prints one
Markdown table: wall time of the whole command (median of --repeat), the
check's own time from the --log hash_check event, and its speed.

  python3 tools/bench/bench_rehash.py --bin build/pretok-db \\
      --kind web --size 1G --copies 10 --workers 2 --repeat 3
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import add_common_args, corpus, machine_line, parse_size


def evict(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def run(args, db, path, extra):
    """(wall seconds, hash-check seconds or None) of one `index` command."""
    log = db + ".log"
    if os.path.exists(log):
        os.remove(log)
    cmd = [args.bin, "index", "--quiet", "--db", db, "--workers", str(args.workers),
           "--memory-limit", args.memory_limit, "--log", log] + extra + [path]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    check = None
    with open(log) as f:
        for line in f:
            e = json.loads(line)
            if e.get("event") == "hash_check":
                check = e["seconds"]
    return wall, check


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_args(ap)
    ap.add_argument("--kind", default="web")
    ap.add_argument("--size", default="1G", help="size of the make-corpus file copied")
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="1G")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    src = corpus(args.corpus, args.cache, args.kind, args.size)
    work = tempfile.mkdtemp(prefix="pretokdb-rehash-", dir=args.tmp)
    path = os.path.join(work, "input.txt")
    db = os.path.join(work, "db")
    try:
        with open(path, "wb") as out:
            for _ in range(args.copies):
                with open(src, "rb") as f:
                    shutil.copyfileobj(f, out, 16 << 20)
        size = os.path.getsize(path)
        load_before = os.getloadavg()
        first, _ = run(args, db, path, [])
        rows = []
        for label, extra in (("default check", []), ("--quick-check", ["--quick-check"])):
            for cache in ("warm", "cold"):
                walls, checks = [], []
                for _ in range(args.repeat):
                    if cache == "warm":
                        run(args, db, path, extra)  # brings the file into the cache
                    else:
                        evict(path)
                    wall, check = run(args, db, path, extra)
                    walls.append(wall)
                    checks.append(check or 0.0)
                rows.append((label, cache, statistics.median(walls),
                             statistics.median(checks)))
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(machine_line())
    print(f"input: {args.copies} x {args.kind}-{args.size} (make-corpus) = "
          f"{size / 1e9:.2f} GB, {args.workers} workers, --memory-limit "
          f"{args.memory_limit}, median of {args.repeat}; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print()
    print("| run | page cache | wall (s) | hash check (s) | check GB/s |")
    print("|---|---|---:|---:|---:|")
    print(f"| first index (for scale) | - | {first:.1f} | - | - |")
    for label, cache, wall, check in rows:
        speed = f"{size / 1e9 / check:.2f}" if check > 0.001 else "-"
        print(f"| no-op rerun, {label} | {cache} | {wall:.2f} | {check:.2f} | {speed} |")


if __name__ == "__main__":
    main()
