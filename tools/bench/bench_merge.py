#!/usr/bin/env python3
"""Merging shard databases against indexing everything into one.

Generates N make-corpus inputs (web by default, seeds 100..100+N-1, cached),
indexes each into a database of its own (the shards), indexes them all into
one database, then merges the shards with `pretok-db merge` under
/usr/bin/time -v, checks that the merged export is byte-identical to the one
database's, and prints one Markdown table: the shards' index time (summed),
the one database's, the merge's wall time, the source entries it read per
second and its peak RSS.

  python3 tools/bench/bench_merge.py --shards 8 --size 100M --memory-limit 256M
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from benchlib import add_common_args, generator_fingerprint, machine_line, parse_size, timed


def shard_input(args, i):
    os.makedirs(args.cache, exist_ok=True)
    seed = 100 + i
    path = os.path.join(args.cache, f"{args.kind}-{args.size}-seed{seed}.txt")
    fp = generator_fingerprint(args.corpus)
    try:
        cached = open(path + ".gen").read().strip()
    except OSError:
        cached = None
    if not os.path.exists(path) or os.path.getsize(path) != parse_size(args.size) or cached != fp:
        subprocess.run([os.path.join(args.corpus, "make-corpus"), "--kind", args.kind, "--size",
                        args.size, "--seed", str(seed), "-o", path + ".tmp"], check=True)
        os.replace(path + ".tmp", path)
        with open(path + ".gen", "w") as f:
            f.write(fp + "\n")
    return path


def stats(args, db):
    return json.loads(subprocess.run([args.bin, "stats", "--db", db, "--json"],
                                     capture_output=True, text=True, check=True).stdout)


def export_digest(args, db):
    out = subprocess.run([args.bin, "export", "--db", db], capture_output=True, check=True).stdout
    return hashlib.sha256(out).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap)
    ap.add_argument("--kind", default="web")
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--size", default="100M", help="size of each shard's input")
    ap.add_argument("--memory-limit", default="256M")
    ap.add_argument("--workers", default="2")
    args = ap.parse_args()

    files = [shard_input(args, i) for i in range(args.shards)]
    work = tempfile.mkdtemp(prefix="pretokdb-bench-merge-", dir=args.tmp)
    try:
        index = [args.bin, "index", "--quiet", "--workers", args.workers,
                 "--memory-limit", args.memory_limit]
        shards, shard_seconds = [], 0.0
        for i, f in enumerate(files):
            db = os.path.join(work, f"shard{i}")
            shard_seconds += timed(index + ["--db", db, f])[0]
            shards.append(db)
        one = os.path.join(work, "one")
        one_seconds, one_rss = timed(index + ["--db", one] + files)
        merged = os.path.join(work, "merged")
        merge_seconds, merge_rss = timed([args.bin, "merge", "--quiet", "--into", merged,
                                          "--memory-limit", args.memory_limit] + shards)
        entries = sum(stats(args, db)["distinct_pretokens"] for db in shards)
        distinct = stats(args, merged)["distinct_pretokens"]
        exact = export_digest(args, merged) == export_digest(args, one)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    total_mb = sum(os.path.getsize(f) for f in files) / 1e6
    print(machine_line())
    print(f"{args.shards} shards of make-corpus --kind {args.kind} --size {args.size} "
          f"({total_mb:.0f} MB in all), --workers {args.workers}, "
          f"--memory-limit {args.memory_limit}; merged export identical to one "
          f"database's: {'yes' if exact else '**NO**'}\n")
    print("| shards | input | index shards, summed (s) | index all into one (s) | merge (s) "
          "| source entries | entries/s (M) | distinct merged | merge peak RSS (MiB) "
          "| merge vs one |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.shards} | {total_mb:.0f} MB | {shard_seconds:.1f} | {one_seconds:.1f} | "
          f"{merge_seconds:.2f} | {entries} | {entries / merge_seconds / 1e6:.2f} | {distinct} | "
          f"{merge_rss / 2**20:.0f} | {one_seconds / merge_seconds:.1f}x faster |")


if __name__ == "__main__":
    main()
