#!/usr/bin/env python3
"""Throughput of each input format against the same text as a plain file,
at each worker count: a pipe (`cat FILE | pretok-db index -`), .zst of one
frame (`zstd -3`), .zst of many frames (`pzstd -3 -p 2`), .gz (`gzip -6`),
and .jsonl.zst (the documents as JSON Lines records, `--jsonl text`,
against the same documents as a plain file; tools/bench/bench_jsonl.py
makes both).

Per worker count, the inputs take turns in every round (so the machine's
drift hits them alike). Printed: the median of --repeat runs of wall time,
MB/s of decompressed text, the CPU time of the whole command (user + sys,
of pretok-db and, for the pipe, cat), the largest peak RSS of pretok-db
(/usr/bin/time -v), and the time against the plain file's with the same
workers. Above the table: the load average before and after, and what the
decompressors alone take (`zstd -dc`, `gzip -dc` to /dev/null), the floor
of one reader. One Markdown table.

  python3 tools/bench/bench_formats.py --bin build/pretok-db \\
      --kind web --size 1G --workers 1,2 --repeat 3

Corpora are made with tools/corpus/make-corpus and cached in --cache, the
compressed forms beside them.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench_jsonl import make_inputs
from benchlib import add_common_args, corpus, machine_line, parse_size

RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
USER = re.compile(r"User time \(seconds\): ([\d.]+)")
SYS = re.compile(r"System time \(seconds\): ([\d.]+)")


def compressed(path, suffix, cmd):
    """path + suffix, made once by cmd (a list, with {in} and {out})."""
    out = path + suffix
    if not os.path.exists(out):
        argv = [a.format(**{"in": path, "out": out + ".tmp"}) for a in cmd]
        subprocess.run(argv, check=True)
        os.replace(out + ".tmp", out)
    return out


def cpu_of(stderr):
    return float(USER.search(stderr).group(1)) + float(SYS.search(stderr).group(1))


def run(args, workers, path, pipe=False, jsonl=False):
    """(wall s, cpu s, peak RSS bytes) of one index run into a new database."""
    db = tempfile.mkdtemp(prefix="pretokdb-bench-", dir=args.tmp)
    shutil.rmtree(db)
    cmd = ["/usr/bin/time", "-v", args.bin, "index", "--quiet", "--db", db,
           "--workers", str(workers), "--memory-limit", args.memory_limit]
    if jsonl:
        cmd += ["--jsonl", "text"]
    try:
        t = time.perf_counter()
        if pipe:
            cat = subprocess.Popen(["/usr/bin/time", "-f", "%U %S", "-o", db + ".cat",
                                    "cat", path], stdout=subprocess.PIPE)
            p = subprocess.run(cmd + ["-"], stdin=cat.stdout, capture_output=True, text=True)
            cat.stdout.close()
            cat.wait()
        else:
            p = subprocess.run(cmd + [path], capture_output=True, text=True)
        wall = time.perf_counter() - t
        if p.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd[2:])} {path}\n{p.stderr[-2000:]}")
        cpu = cpu_of(p.stderr)
        if pipe:
            with open(db + ".cat") as f:
                cpu += sum(float(x) for x in f.read().split()[-2:])
            os.remove(db + ".cat")
        return wall, cpu, int(RSS.search(p.stderr).group(1)) * 1024
    finally:
        shutil.rmtree(db, ignore_errors=True)


def decode_alone(cmd, path):
    """Wall seconds of cmd path > /dev/null."""
    t = time.perf_counter()
    with open(os.devnull, "wb") as null:
        subprocess.run(cmd + [path], stdout=null, check=True)
    return time.perf_counter() - t


ZLIB_ALONE = """
import sys, zlib
d = zlib.decompressobj(wbits=47)  # gzip or zlib headers; members one by one
with open(sys.argv[1], "rb") as f:
    while block := f.read(1 << 20):
        while block:
            d.decompress(block, 0)
            block = d.unused_data
            if d.eof:
                d = zlib.decompressobj(wbits=47)
"""


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("--kind", default="web", choices=["web", "stories"])
    ap.add_argument("--size", default="1G")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--memory-limit", default="1G")
    ap.add_argument("--no-jsonl", action="store_true", help="leave out .jsonl.zst")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]

    text = corpus(args.corpus, args.cache, args.kind, args.size)
    zst = compressed(text, ".zst", ["zstd", "-q", "-3", "-f", "{in}", "-o", "{out}"])
    pz = compressed(text, ".p.zst", ["pzstd", "-q", "-3", "-p", "2", "-f", "{in}", "-o", "{out}"])
    gz = compressed(text, ".gz", ["sh", "-c", "gzip -6 -c {in} > {out}"])
    inputs = [("plain file", text, {}), ("pipe (cat |)", text, {"pipe": True}),
              (".zst, 1 frame", zst, {}), (".zst, pzstd frames", pz, {}), (".gz", gz, {})]
    docs = None
    if not args.no_jsonl:
        docs, _, jzst = make_inputs(text)
        inputs += [("docs as a plain file", docs, {}),
                   (".jsonl.zst", jzst, {"jsonl": True})]
    mb = parse_size(args.size) / 1e6

    print(machine_line())
    print(f"load average before: {loadavg()}")
    print(f"decoders alone, to /dev/null: zstd -dc {decode_alone(['zstd', '-qdc'], zst):.2f} s, "
          f"pzstd -dc -p 1 {decode_alone(['pzstd', '-qdc', '-p', '1'], pz):.2f} s, "
          f"gzip -dc {decode_alone(['gzip', '-dc'], gz):.2f} s, "
          f"zlib's inflate (Python's zlib, the libz pretok-db links) "
          f"{decode_alone([sys.executable, '-c', ZLIB_ALONE], gz):.2f} s "
          f"({args.kind} {args.size} of text)")
    print(f"pretok-db {args.bin}, --memory-limit {args.memory_limit}, median of {args.repeat}")
    print()
    print("| input | workers | wall s | MB/s | CPU s | peak RSS | vs plain |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for w in workers:
        runs = {name: [] for name, _, _ in inputs}
        for r in range(args.repeat):
            order = inputs if r % 2 == 0 else list(reversed(inputs))
            for name, path, kw in order:
                runs[name].append(run(args, w, path, **kw))
        base = {}
        for name, path, kw in inputs:
            wall = statistics.median(x[0] for x in runs[name])
            cpu = statistics.median(x[1] for x in runs[name])
            rss = max(x[2] for x in runs[name])
            ref = "docs as a plain file" if kw.get("jsonl") else "plain file"
            base.setdefault(name, wall)
            vs = wall / base[ref] if ref in base else 1.0
            print(f"| {name} | {w} | {wall:.2f} | {mb / wall:.0f} | {cpu:.2f} | "
                  f"{rss / 2**20:.0f} MiB | {vs:.2f}x |", flush=True)
    print()
    print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
