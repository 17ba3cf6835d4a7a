#!/usr/bin/python3
"""A stand-in for the pretok-db binary that SIGKILLs one run mid-way, once.

    kill_once.py REAL_BIN MARKER SUBCOMMAND MATCH -- ARGS...

runs REAL_BIN ARGS. The first run whose ARGS start with SUBCOMMAND and
contain MATCH (e.g. `index` and `--shard=1/4`'s "1/4", or `merge` and "")
is killed with SIGKILL once it has committed something — an `index` after
its first spill in its --log, a `merge` once its first run file exists —
and exits as killed. MARKER (a file) records that it happened
("killed-mid-run"), so every later run goes through: what a crashed machine
looks like to the Dask task that ran it, and to its retry. The killed run's
events are in MARKER.log; a retried `index` logs to MARKER.retry.log.
"""
import glob
import json
import os
import signal
import subprocess
import sys
import time


def committed_something(sub, args, log):
    if sub == "index":
        try:
            with open(log) as f:
                return any(json.loads(line).get("event") == "spill" for line in f if line.strip())
        except (OSError, ValueError):
            return False
    into = args[args.index("--into") + 1]
    return bool(glob.glob(os.path.join(into, "spill-tmp", "*")))


def main():
    real, marker, sub, match = sys.argv[1:5]
    assert sys.argv[5] == "--"
    args = sys.argv[6:]
    matches = args[:1] == [sub] and any(match in a for a in args)
    if matches and sub == "index" and os.path.exists(marker):
        # The retry: its --log shows where it started from.
        os.execv(real, [real, sub, "--log", marker + ".retry.log"] + args[1:])
    if not matches or os.path.exists(marker):
        os.execv(real, [real] + args)
    with open(marker, "w") as f:
        f.write("chosen\n")
    log = marker + ".log"
    extra = ["--log", log] if sub == "index" else []
    p = subprocess.Popen([real] + args[:1] + extra + args[1:])
    deadline = time.monotonic() + 120
    while p.poll() is None and time.monotonic() < deadline:
        if committed_something(sub, args, log):
            p.send_signal(signal.SIGKILL)
            p.wait()
            with open(marker, "w") as f:
                f.write("killed-mid-run\n")
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.002)
    # Finished before anything was committed: fail this attempt anyway (the
    # marker says so, and the test fails on it).
    p.wait()
    with open(marker, "w") as f:
        f.write("finished-before-kill\n")
    sys.exit(1)


if __name__ == "__main__":
    main()
