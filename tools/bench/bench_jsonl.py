#!/usr/bin/env python3
"""Throughput of JSON Lines input (`index --jsonl text`) against the same
text as a plain file, at each worker count.

For each size, a make-corpus text is cut into its documents (at
<|endoftext|>) and written as JSON Lines, one record per document:
{"id": N, "url": "...", "text": DOC} (json.dumps, non-ASCII kept as UTF-8).
The plain file is the same documents joined by <|endoftext|>, so both
count the same pretokens. Per worker count, taking turns in every round:
the plain file, the .jsonl file, `zstdcat FILE.jsonl.zst | index --jsonl
text -` (a compressed shard through a pipe), and, with --zst-file, the
.jsonl.zst given as a file (needs compressed inputs). Prints the median
wall time of --repeat runs, MB/s of the plain text's bytes, the largest
peak RSS, and the time against the plain file's. One Markdown table.

  python3 tools/bench/bench_jsonl.py --bin build/pretok-db \\
      --kind web --sizes 1G --workers 1,2 --repeat 3

Corpora are made with tools/corpus/make-corpus and cached in --cache.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import add_common_args, corpus, machine_line, parse_size, timed

EOT = "<|endoftext|>"


def make_inputs(text_path):
    """(plain path, jsonl path, jsonl.zst path) next to text_path, made once."""
    base = text_path[:-len(".txt")]
    plain, jsonl, zst = base + ".docs.txt", base + ".jsonl", base + ".jsonl.zst"
    if not (os.path.exists(plain) and os.path.exists(jsonl)):
        with open(text_path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
        docs = text.split(EOT)
        with open(plain + ".tmp", "wb") as f:
            f.write(EOT.join(docs).encode("utf-8"))
        with open(jsonl + ".tmp", "wb") as f:
            for i, d in enumerate(docs):
                rec = {"id": i, "url": "https://example.org/doc/%d" % i, "text": d}
                f.write(json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n")
        os.replace(plain + ".tmp", plain)
        os.replace(jsonl + ".tmp", jsonl)
    if not os.path.exists(zst) and shutil.which("zstd"):
        subprocess.run(["zstd", "-q", "-3", "-f", jsonl, "-o", zst + ".tmp"], check=True)
        os.replace(zst + ".tmp", zst)
    return plain, jsonl, zst


def run_index(args, workers, inputs, jsonl):
    db = tempfile.mkdtemp(prefix="pretokdb-bench-", dir=args.tmp)
    shutil.rmtree(db)
    extra = ["--jsonl", "text"] if jsonl else []
    try:
        return timed([args.bin, "index", "--quiet", "--db", db, "--workers", str(workers),
                      "--memory-limit", args.memory_limit, *extra, inputs])
    finally:
        shutil.rmtree(db, ignore_errors=True)


def run_pipe(args, workers, zst):
    """zstdcat zst | pretok-db index --jsonl text -."""
    db = tempfile.mkdtemp(prefix="pretokdb-bench-", dir=args.tmp)
    shutil.rmtree(db)
    cmd = ["/usr/bin/time", "-v", args.bin, "index", "--quiet", "--db", db, "--jsonl", "text",
           "--workers", str(workers), "--memory-limit", args.memory_limit, "-"]
    try:
        t = time.perf_counter()
        cat = subprocess.Popen(["zstdcat", zst], stdout=subprocess.PIPE)
        p = subprocess.run(cmd, stdin=cat.stdout, capture_output=True, text=True)
        cat.stdout.close()
        cat.wait()
        wall = time.perf_counter() - t
        if p.returncode != 0 or cat.returncode != 0:
            sys.exit(f"failed: zstdcat {zst} | {' '.join(cmd[2:])}\n{p.stderr[-2000:]}")
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                               p.stderr).group(1))
        return wall, rss_kb * 1024
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
    ap.add_argument("--zst-file", action="store_true",
                    help="also index the .jsonl.zst as a file (compressed inputs)")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]

    print(machine_line())
    print(f"pretok-db {args.bin}, --memory-limit {args.memory_limit}, median of "
          f"{args.repeat}; MB/s of the plain text's bytes")
    print()
    print("| input | workers | wall s | MB/s | peak RSS | vs plain |")
    print("|---|---:|---:|---:|---:|---:|")
    for size in args.sizes.split(","):
        plain, jsonl, zst = make_inputs(corpus(args.corpus, args.cache, args.kind, size))
        mb = os.path.getsize(plain) / 1e6
        kinds = {"plain": lambda w: run_index(args, w, plain, False),
                 ".jsonl": lambda w: run_index(args, w, jsonl, True)}
        if os.path.exists(zst) and shutil.which("zstdcat"):
            kinds["zstdcat .jsonl.zst pipe"] = lambda w: run_pipe(args, w, zst)
            if args.zst_file:
                kinds[".jsonl.zst"] = lambda w: run_index(args, w, zst, True)
        for w in workers:
            runs = {k: [] for k in kinds}
            names = list(kinds)
            for r in range(args.repeat):
                for k in names[r % len(names):] + names[:r % len(names)]:
                    runs[k].append(kinds[k](w))
            base = statistics.median(x[0] for x in runs["plain"])
            for k in names:
                t = statistics.median(x[0] for x in runs[k])
                rss = max(x[1] for x in runs[k])
                print(f"| {args.kind} {size} {k} | {w} | {t:.2f} | {mb / t:.1f} | "
                      f"{rss / 2**20:.0f} MiB | {t / base:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
