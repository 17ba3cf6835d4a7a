"""What the benchmark scripts of tools/bench share: sizes, cached
make-corpus inputs, timing a command under /usr/bin/time -v, and the
machine line printed above each table."""
import hashlib
import os
import platform
import re
import subprocess
import sys
import time

UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
# make-corpus seeds used by every table: web 7, stories 1.
SEEDS = {"stories": 1, "web": 7}


def parse_size(s):
    return int(s[:-1]) * UNITS[s[-1]] if s[-1] in UNITS else int(s)


def generator_fingerprint(corpus_dir):
    """A digest of make-corpus and its sources/: the output depends on nothing else."""
    h = hashlib.sha256()
    files = [os.path.join(corpus_dir, "make-corpus")]
    src = os.path.join(corpus_dir, "sources")
    if os.path.isdir(src):
        files += sorted(os.path.join(src, n) for n in os.listdir(src) if n.endswith(".xz"))
    for path in files:
        with open(path, "rb") as f:
            h.update(os.path.basename(path).encode() + b"\0" + f.read())
    return h.hexdigest()[:16]


def corpus(corpus_dir, cache, kind, size):
    """Path of a cached make-corpus output, generated when missing or made by
    another version of the generator (its fingerprint is kept in PATH.gen)."""
    os.makedirs(cache, exist_ok=True)
    seed = SEEDS.get(kind, 1)
    path = os.path.join(cache, f"{kind}-{size}-seed{seed}.txt")
    fp = generator_fingerprint(corpus_dir)
    try:
        with open(path + ".gen") as f:
            cached_fp = f.read().strip()
    except OSError:
        cached_fp = None
    if (not os.path.exists(path) or os.path.getsize(path) != parse_size(size)
            or cached_fp != fp):
        gen = os.path.join(corpus_dir, "make-corpus")
        subprocess.run([gen, "--kind", kind, "--size", size, "--seed", str(seed),
                        "-o", path + ".tmp"], check=True)
        os.replace(path + ".tmp", path)
        with open(path + ".gen", "w") as f:
            f.write(fp + "\n")
    return path


def timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak RSS bytes).

    The wall time is taken here, to the microsecond: /usr/bin/time gives
    hundredths of a second, a quarter of a 40 ms run."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return wall, rss_kb * 1024


def machine_line():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"machine: {os.cpu_count()} cores ({cpu}), {ram:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}")


def add_common_args(ap):
    """The options every bench script takes: binary, corpus tool, caches."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap.add_argument("--bin", default=os.path.join(root, "build", "pretok-db"))
    ap.add_argument("--corpus", default=os.path.join(root, "tools", "corpus"),
                    help="directory of make-corpus (default tools/corpus)")
    ap.add_argument("--cache", default="/tmp/pretokdb-bench-corpora")
    ap.add_argument("--tmp", default="/tmp")
