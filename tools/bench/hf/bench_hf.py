#!/usr/bin/env python3
"""pretok-db index vs HuggingFace tokenizers' pretokenize-and-count phase.

For each FILE and each thread count: `pretok-db index` (wall time of the
whole command) and the "Pre-processing files" phase of a byte-level BPE
training with the npm `tokenizers` package (hf_train.js, Rust core), which
reads the file line by line, pretokenizes each line with the ByteLevel
pretokenizer (GPT-2 regex) and counts the distinct pretokens. Median of
--repeat runs; peak RSS from /usr/bin/time -v. Prints one Markdown table.

  npm install                 # once, in this folder
  python3 bench_hf.py --threads 1,2 --repeat 3 FILE...

The HF phase is timed from its progress bars, which the Rust core draws on
stderr only when stderr is a terminal: node runs under a pty, and the phase
time is from the first draw of "Pre-processing files" to the first draw of
the next phase's bar, "Tokenize words". Unless --full, node is then killed
(the BPE merges that follow are not part of the comparison and take long),
as soon as that bar shows its total (the number of distinct pretokens, at
most 3 s later); its peak RSS is then /usr/bin/time's, which is also
checked against VmHWM read at the phase end.

Before each run the driver waits until other processes use less than
--idle-cores of CPU (sampled from /proc/stat), measures what they used
during the run, and retries a run (at most twice) where that was more.
"""
import argparse
import fcntl
import json
import os
import platform
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def parse_time_v(text):
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    parts = [float(x) for x in wall.split(":")]
    cpu = re.search(r"Percent of CPU this job got: (\d+)%", text)
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    return {
        "wall": sum(v * 60 ** i for i, v in enumerate(reversed(parts))),
        "rss": rss_kb * 1024,
        "cpu_pct": int(cpu.group(1)) if cpu else None,
        "cpu_s": user + system,
    }


def cpu_busy():
    """(busy seconds of all CPUs, steal seconds, monotonic time) from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    user, nice, system, idle, iowait, irq, softirq = v[:7]
    steal = v[7] if len(v) > 7 else 0
    return (user + nice + system + irq + softirq) / hz, steal / hz, time.monotonic()


def busy_cores(seconds):
    b0, _, t0 = cpu_busy()
    time.sleep(seconds)
    b1, _, t1 = cpu_busy()
    return (b1 - b0) / (t1 - t0)


def wait_idle(args):
    """Wait (at most --max-wait-run s) until no other process uses the CPUs:
    the load average lags by minutes after our own runs, so this samples
    /proc/stat instead."""
    start = time.time()
    while True:
        b = busy_cores(2.0)
        if b < args.idle_cores or time.time() - start >= args.max_wait_run:
            return b
        print(f"# machine busy ({b:.2f} cores used by others), waiting", file=sys.stderr)
        time.sleep(10)


def measured(args, fn, path, threads):
    """One run of fn, retried (up to 3 times) when other processes used more
    than --idle-cores of CPU during it. Adds 'others_cores' (CPU used by
    everything but the measured process tree, in cores, averaged over the
    run) and 'idle_before'."""
    for attempt in range(3):
        idle_before = wait_idle(args)
        r = fn(args, path, threads)
        (b0, s0, t0), (b1, s1, t1) = r.pop("busy")
        r["others_cores"] = max(0.0, (b1 - b0) - r["cpu_s"]) / (t1 - t0)
        r["steal_cores"] = (s1 - s0) / (t1 - t0)
        r["idle_before"] = idle_before
        r["attempt"] = attempt
        if r["others_cores"] < args.idle_cores:
            return r
        print(f"# {r['others_cores']:.2f} cores used by others during the run: again", file=sys.stderr)
    return r


def load1():
    return os.getloadavg()[0]


def wait_for_load(max_load, max_wait):
    start = time.time()
    while True:
        l = load1()
        if l < max_load:
            return l, time.time() - start
        if time.time() - start >= max_wait:
            print(f"# load {l:.2f} still >= {max_load} after {max_wait:.0f} s: measuring anyway",
                  file=sys.stderr)
            return l, time.time() - start
        print(f"# load {l:.2f} >= {max_load}, waiting ({time.time() - start:.0f} s)", file=sys.stderr)
        time.sleep(30)


def run_pretokdb(args, path, workers):
    shutil.rmtree(args.db, ignore_errors=True)
    load = load1()
    c0 = cpu_busy()
    p = subprocess.run(["/usr/bin/time", "-v", args.bin, "index", "--quiet", "--db", args.db,
                        "--workers", str(workers), "--memory-limit", args.memory_limit, path],
                       capture_output=True, text=True)
    c1 = cpu_busy()
    if p.returncode != 0:
        sys.exit(f"pretok-db failed:\n{p.stderr[-2000:]}")
    r = parse_time_v(p.stderr)
    r["busy"] = (c0, c1)
    r["phase"] = r["wall"]
    r["load"] = load
    st = subprocess.run([args.bin, "stats", "--db", args.db, "--json"], capture_output=True, text=True)
    if st.returncode == 0:
        j = json.loads(st.stdout)
        r["distinct"] = j.get("distinct_pretokens")
        r["pretokens"] = j.get("pretokens")
    shutil.rmtree(args.db, ignore_errors=True)
    return r


def child_pid(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def vm_hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


PP = b"Pre-processing files"
PP100 = re.compile(rb"Pre-processing files[^\r\n\x1b]*?100%")
TW = b"Tokenize words"
TW_TOTAL = re.compile(rb"Tokenize words[^\r\n\x1b]*?(\d+)\s*/\s*(\d+)")


def run_hf(args, path, threads):
    env = dict(os.environ)
    env["RAYON_NUM_THREADS"] = str(threads)
    if args.no_parallelism_for_1 and threads == 1:
        env["TOKENIZERS_PARALLELISM"] = "false"
    tfile = os.path.join(args.tmp, f"hfbench-time-{os.getpid()}.txt")
    cmd = ["/usr/bin/time", "-v", "-o", tfile, "node", os.path.join(HERE, "hf_train.js")]
    if args.prefix_space:
        cmd.append("--prefix-space")
    cmd.append(path)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    load = load1()
    c0 = cpu_busy()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env,
                         cwd=HERE)
    os.close(slave)
    t = {}
    node = None
    hwm = None
    total_words = None
    tail = b""
    log = bytearray()
    killed = False
    def maybe_kill():
        # Kill once the next phase has shown its word total (the number of
        # distinct pretokens counted), or 3 s after it started.
        nonlocal killed
        if (not args.full and not killed and node and "tw" in t
                and (total_words is not None or time.monotonic() - t["tw"] > 3)):
            os.kill(node, signal.SIGKILL)
            killed = True

    while True:
        r, _, _ = select.select([master], [], [], 0.1)
        if not r:
            maybe_kill()
            if p.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # EIO: every writer has closed the pty
            break
        if not data:
            break
        now = time.monotonic()
        if len(log) < (1 << 20):
            log += data
        win = tail + data
        tail = win[-256:]
        if "call" not in t and b"HFBENCH call" in win:
            t["call"] = now
        if "pp" not in t and PP in win:
            t["pp"] = now
            node = child_pid(p.pid)
        if "pp100" not in t and PP100.search(win):
            t["pp100"] = now
        if "tw" not in t and TW in win:
            t["tw"] = now
            hwm = vm_hwm(node) if node else None
        if total_words is None:
            m = TW_TOTAL.search(win)
            if m and int(m.group(2)) > 0:
                total_words = int(m.group(2))
        if "done" not in t and b"HFBENCH done" in win:
            t["done"] = now
        maybe_kill()
    p.wait()
    c1 = cpu_busy()
    os.close(master)
    with open(tfile) as f:
        tv = f.read()
    os.remove(tfile)
    if "pp" not in t or "tw" not in t:
        sys.exit(f"could not find the progress phases in node's output:\n{log[-3000:].decode(errors='replace')}\n{tv}")
    if not killed and p.returncode != 0:
        sys.exit(f"node failed:\n{log[-3000:].decode(errors='replace')}\n{tv}")
    r = parse_time_v(tv)
    r["busy"] = (c0, c1)
    r["phase"] = t["tw"] - t["pp"]
    r["to_100pct"] = t["pp100"] - t["pp"] if "pp100" in t else None
    r["call_to_pp"] = t["pp"] - t["call"] if "call" in t else None
    r["train_total"] = t["done"] - t["call"] if "done" in t and "call" in t else None
    r["hwm_at_phase_end"] = hwm
    r["distinct"] = total_words
    r["load"] = load
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", metavar="FILE")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "pretok-db"))
    ap.add_argument("--db", default="/tmp/x.db", help="pretok-db database, deleted before and after each run")
    ap.add_argument("--tmp", default="/tmp")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--tools", default="pretok-db,hf")
    ap.add_argument("--memory-limit", default="256M")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--full", action="store_true",
                    help="let the HF training run to the end (30k merges); also reports its total time")
    ap.add_argument("--prefix-space", action="store_true",
                    help="HF ByteLevel with add_prefix_space=true (its default; not GPT-2's behaviour)")
    ap.add_argument("--no-parallelism-for-1", action="store_true",
                    help="for 1 thread, also set TOKENIZERS_PARALLELISM=false (serial iterator, no rayon)")
    ap.add_argument("--max-load", type=float, default=0.5)
    ap.add_argument("--max-wait", type=float, default=900, help="seconds to wait for the load to drop")
    ap.add_argument("--idle-cores", type=float, default=0.25,
                    help="a run is retried (at most twice) when other processes used more CPU than this")
    ap.add_argument("--max-wait-run", type=float, default=300,
                    help="seconds to wait before each run for the machine to be idle")
    ap.add_argument("--json-out", help="append every run as one JSON line to this file")
    args = ap.parse_args()

    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    node_v = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    try:
        with open(os.path.join(HERE, "node_modules", "tokenizers", "package.json")) as f:
            tk_v = json.load(f)["version"]
    except OSError:
        sys.exit("node_modules/tokenizers missing: run `npm install` in " + HERE)
    l0, waited = wait_for_load(args.max_load, args.max_wait)
    print(f"machine: nproc {os.cpu_count()} ({cpu}), "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, "
          f"{platform.system()} {platform.release()}; node {node_v}, tokenizers (npm) {tk_v}")
    print(f"load (1 min) at start: {l0:.2f} after waiting {waited:.0f} s; median of {args.repeat}")
    print()
    print("| input | tool | threads | phase time (s) | MB/s | peak RSS (MiB) | CPU % | distinct pretokens | others' CPU (cores) |")
    print("|---|---|---|---|---|---|---|---|---|")
    tools = args.tools.split(",")
    for path in args.files:
        mb = os.path.getsize(path) / 1e6
        with open(path, "rb") as f:  # into the page cache
            while f.read(1 << 24):
                pass
        name = os.path.basename(path)
        for tool in tools:
            for th in [int(x) for x in args.threads.split(",")]:
                fn = run_pretokdb if tool == "pretok-db" else run_hf
                runs = [measured(args, fn, path, th) for _ in range(args.repeat)]
                if args.json_out:
                    with open(args.json_out, "a") as jf:
                        for i, r in enumerate(runs):
                            jf.write(json.dumps(dict(r, input=path, tool=tool, threads=th, rep=i)) + "\n")
                ph = statistics.median(r["phase"] for r in runs)
                rss = statistics.median(r["rss"] for r in runs)
                cpu_pct = statistics.median(r["cpu_pct"] or 0 for r in runs)
                label = "pretok-db index" if tool == "pretok-db" else "HF tokenizers pre-processing"
                loads = "/".join(f"{r['others_cores']:.2f}" for r in runs)
                print(f"| {name} | {label} | {th} | {ph:.2f} | {mb / ph:.1f} | {rss / 2**20:.0f} | "
                      f"{cpu_pct:.0f} | {runs[0].get('distinct')} | {loads} |", flush=True)
                if tool == "hf":
                    extra = [f"phase-to-100% {statistics.median(r['to_100pct'] for r in runs):.2f} s"
                             if all(r["to_100pct"] is not None for r in runs) else None,
                             "VmHWM at phase end " + "/".join(
                                 f"{(r['hwm_at_phase_end'] or 0) / 2**20:.0f}" for r in runs) + " MiB",
                             "process wall " + "/".join(f"{r['wall']:.2f}" for r in runs) + " s"]
                    if args.full:
                        extra.append("whole train() " + "/".join(
                            f"{r['train_total']:.1f}" for r in runs if r["train_total"]) + " s")
                    print("  <!-- " + "; ".join(e for e in extra if e) + " -->", flush=True)


if __name__ == "__main__":
    main()
