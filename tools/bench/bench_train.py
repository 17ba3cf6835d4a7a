#!/usr/bin/env python3
"""How fast `pretok-db train-bpe` trains, beside the Python reference trainer
and Hugging Face tokenizers' BPE trainer. Prints one Markdown table.

    python3 tools/bench/bench_train.py [--bin build/pretok-db] [--no-hf]

Rows (corpora from make-corpus, cached in --cache, their databases too):
  - train-bpe, vocabulary 10,000 from a 500 MiB stories database, and
    32,000 and 30,000 from a 1 GiB web one: the whole command's wall time
    (process start to exit) and peak RSS (/usr/bin/time -v), its phases and
    merges/s from --json (merges/s = merges / the merge phase);
  - Hugging Face tokenizers (npm, Rust core; tools/bench/hf/hf_train.js) on
    the same 1 GiB web file: its Node binding always trains vocabulary
    30,000. Its phases after pre-processing ("Tokenize words", "Count
    pairs", "Compute merges": words to ids, pair counts, merges) are timed
    from its progress bars, drawn only on a terminal, so node runs on a pty
    and the driver timestamps each bar's first draw; the end is train()'s
    return. Those phases are what train-bpe does after `index`, and are
    compared with train-bpe's whole command at 30,000;
  - the Python reference (tests/bpe/reference_bpe.py, which counts the
    pretokens with `regex` and trains) on a small web file (--python-size,
    default 2M) at --python-vocab (default 2,000), beside `index` +
    `train-bpe` on the same file.

tokenizers comes from tools/bench/hf/node_modules (`npm install` there) or,
failing that, tests/js/node_modules (tools/install-deps.sh installs it).
"""
import argparse
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import add_common_args, corpus, machine_line, timed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HF_DIR = os.path.join(HERE, "hf")
REFERENCE = os.path.join(ROOT, "tests", "bpe", "reference_bpe.py")
PYTHON = "/usr/bin/python3"

HF_PHASES = [b"Pre-processing files", b"Tokenize words", b"Count pairs", b"Compute merges"]
HF_BAR = re.compile(rb"Compute merges[^\r\n]*?(\d+)\s*/\s*(\d+)")


def database(args, path):
    """The pretok-db database of a corpus file, indexed once and cached
    beside it, named by the generator's fingerprint (benchlib.corpus)."""
    with open(path + ".gen") as f:
        db = "%s.%s.db" % (path, f.read().strip())
    if not os.path.isdir(db):
        subprocess.run([args.bin, "index", "--quiet", "--db", db + ".tmp", path], check=True)
        os.replace(db + ".tmp", db)
    return db


def train_bpe(args, db, vocab):
    out = os.path.join(args.tmp, "bench-train-out")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [args.bin, "train-bpe", "--db", db, "--vocab-size", str(vocab), "--out", out, "--json"]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit("train-bpe failed:\n" + p.stderr[-2000:])
    shutil.rmtree(out, ignore_errors=True)
    j = json.loads(p.stdout)
    j["wall"] = wall
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return j, rss * 1024


def hf_env():
    env = dict(os.environ)
    for d in (os.path.join(HF_DIR, "node_modules"), os.path.join(ROOT, "tests", "js", "node_modules")):
        if os.path.isdir(os.path.join(d, "tokenizers")):
            env["NODE_PATH"] = d
            return env
    return None


def run_hf(args, path):
    """HF's training on a pty; returns {phase: first draw time}, end, merges, RSS."""
    env = hf_env()
    if env is None:
        return None
    tfile = os.path.join(args.tmp, "bench-train-hf-time.txt")
    master, slave = pty.openpty()
    p = subprocess.Popen(["/usr/bin/time", "-v", "-o", tfile, "node",
                          os.path.join(HF_DIR, "hf_train.js"), path],
                         stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    seen, tail, merges, end = {}, b"", None, None
    while True:
        r, _, _ = select.select([master], [], [], 0.5)
        if not r:
            if p.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # every writer has closed the pty
            break
        if not data:
            break
        now = time.monotonic()
        win = tail + data
        tail = win[-512:]
        for phase in HF_PHASES:
            if phase not in seen and phase in win:
                seen[phase] = now
        for m in HF_BAR.finditer(win):
            merges = int(m.group(2))
        if end is None and b"HFBENCH done" in win:
            end = now
    p.wait()
    os.close(master)
    with open(tfile) as f:
        tv = f.read()
    os.remove(tfile)
    if p.returncode != 0 or end is None or len(seen) != len(HF_PHASES):
        sys.exit("HF training failed or its phases were not seen:\n" + tv[-1000:])
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", tv).group(1)) * 1024
    return {"phases": seen, "end": end, "merges": merges, "rss": rss}


def mib(b):
    return "%.0f" % (b / 2**20)


def row(cells):
    print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


def train_row(label, name, vocab, j, rss):
    s = j["seconds"]
    row([label, name, "{:,}".format(vocab), "%.2f" % j["wall"], "{:,}".format(j["merges"]),
         "{:,.0f}".format(j["merges_per_second"]), mib(rss),
         "read %.2f, pair count %.2f, merges %.2f, write %.2f; %s pretokens"
         % (s["read"], s["pair_count"], s["merges"], s["write"],
            "{:,}".format(j["pretokens_kept"]))])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap)
    ap.add_argument("--threads", type=int, default=0, help="train-bpe --threads (default: its own)")
    ap.add_argument("--python-size", default="2M")
    ap.add_argument("--python-vocab", type=int, default=2000)
    ap.add_argument("--no-hf", action="store_true", help="leave out Hugging Face")
    ap.add_argument("--no-python", action="store_true", help="leave out the Python reference")
    args = ap.parse_args()

    stories = corpus(args.corpus, args.cache, "stories", "500M")
    web = corpus(args.corpus, args.cache, "web", "1G")
    print(machine_line())
    print()
    row(["what", "input", "vocab", "wall (s)", "merges", "merges/s", "peak RSS (MiB)", "notes"])
    row(["---"] * 8)

    for name, path, vocab in (("stories-500M", stories, 10000), ("web-1G", web, 32000),
                              ("web-1G", web, 30000)):
        db = database(args, path)
        with open(path, "rb") as f:  # the page cache holds the corpus for HF alike
            while f.read(1 << 24):
                pass
        j, rss = train_bpe(args, db, vocab)
        train_row("pretok-db train-bpe", name, vocab, j, rss)
        if vocab == 30000:
            ours = j["wall"]

    if not args.no_hf:
        hf = run_hf(args, web)
        if hf is None:
            row(["HF tokenizers", "web-1G", "30,000", "-", "-", "-", "-",
                 "skipped: npm package tokenizers not installed"])
        else:
            ph = hf["phases"]
            pre = ph[b"Tokenize words"] - ph[b"Pre-processing files"]
            after = hf["end"] - ph[b"Tokenize words"]
            merging = hf["end"] - ph[b"Compute merges"]
            row(["HF tokenizers (after pre-processing)", "web-1G", "30,000", "%.2f" % after,
                 "{:,}".format(hf["merges"] or 0),
                 "{:,.0f}".format((hf["merges"] or 0) / merging) if merging > 0 else "-",
                 mib(hf["rss"]),
                 "tokenize words %.2f, count pairs %.2f, merges %.2f (pre-processing %.1f "
                 "not counted); train-bpe's whole command is %.1fx faster"
                 % (ph[b"Count pairs"] - ph[b"Tokenize words"],
                    ph[b"Compute merges"] - ph[b"Count pairs"], merging, pre, after / ours)])

    if not args.no_python:
        small = corpus(args.corpus, args.cache, "web", args.python_size)
        wall, rss = timed([PYTHON, REFERENCE, "--vocab-size", str(args.python_vocab), small])
        db = os.path.join(args.tmp, "bench-train-small.db")
        shutil.rmtree(db, ignore_errors=True)
        index_wall, _ = timed([args.bin, "index", "--quiet", "--db", db, small])
        j, trss = train_bpe(args, db, args.python_vocab)
        shutil.rmtree(db, ignore_errors=True)
        both = index_wall + j["wall"]
        row(["Python reference (count + train)", "web-" + args.python_size,
             "{:,}".format(args.python_vocab), "%.2f" % wall, "{:,}".format(j["merges"]),
             "%.0f" % (j["merges"] / wall), mib(rss), "merges/s over the whole run"])
        row(["pretok-db index + train-bpe", "web-" + args.python_size,
             "{:,}".format(args.python_vocab), "%.2f" % both, "{:,}".format(j["merges"]),
             "{:,.0f}".format(j["merges_per_second"]), mib(trss),
             "index %.2f s, train-bpe %.2f s: %.0fx faster than Python"
             % (index_wall, j["wall"], wall / both)])


if __name__ == "__main__":
    main()
