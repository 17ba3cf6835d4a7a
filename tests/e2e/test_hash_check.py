#!/usr/bin/env python3
"""Hash check test: what was counted of a file is checked byte for byte
when the file is seen again (every committed chunk's XXH3), so an edit
the fingerprint misses (same size, same first and last 64 KiB) is refused
instead of leaving stale counts; --quick-check keeps the fingerprint alone.

Test cases (one section each):
  1. edit inside   a multi-chunk file indexed (export equal to the Python
                   reference), then one byte in the middle changed: refused
                   with one line naming the byte range, export unchanged;
                   with --quick-check the run is a no-op (the documented
                   miss); an unchanged rerun's --log hash_check event read
                   every byte.
  2. killed        a run SIGKILLed after a checkpoint, then a byte
                   it had counted (past the first 64 KiB) changed: refused,
                   with --quick-check too (a chunk to resume is read for its
                   hash anyway); the byte put back, the same command finishes
                   and the counts equal the reference.
  3. old database  checkpoints rewritten without hashes, as versions before
                   hashes wrote them (the strip_checkpoint_hashes tool built
                   beside the binary): finished, and killed mid-run. The next
                   run records the hashes once (a stderr line and the log's
                   bytes_hashed_first_time), the counts equal the reference,
                   the run after it checks them, and an edit is then refused.
  4. merge         two shards merged: the merged database's checkpoints keep
                   their hashes (a rerun into it checks every byte and
                   records none).
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import (RefCache, Runner, hex_export, make_corpus, parse_hex_export,  # noqa: E402
                     diff_counts, run_suite, stderr_lines)

KIB = 1024
ARGS = ["--workers", "2", "--memory-limit", "64M"]


def extra_args(ap):
    ap.add_argument("--size", type=int, default=3 << 20, help="bytes of web text")


def read_log(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        return []


def hash_checks(path):
    return [e for e in read_log(path) if e.get("event") == "hash_check"]


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x01]))


class HashCheck:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.refs = RefCache()
        self.strip = os.path.join(os.path.dirname(a.bin), "strip_checkpoint_hashes")
        self.ndb = 0

    def new_db(self):
        self.ndb += 1
        return self.tmp.join("db%02d" % self.ndb)

    def index(self, db, *extra, log=None, path=None):
        args = ["index", "--db", db, "--quiet"] + ARGS + list(extra)
        if log:
            args += ["--log", log]
        return self.run.run(*(args + [path or self.file]))

    def check_exact(self, name, db):
        e = self.run.export(db)
        want = hex_export(self.refs.file(self.file).counts)
        if e.ok and e.out == want:
            self.rep.check(name + ": export equals the reference", True)
            return
        detail = e.describe() if not e.ok else diff_counts(
            parse_hex_export(want)[0], parse_hex_export(e.out)[0])
        self.rep.fail(name + ": export equals the reference", detail)

    def check_refused(self, name, r, db, export_before):
        lines = stderr_lines(r)
        msg = lines[0] if lines else ""
        self.rep.check(name + ": refused in one line naming the bytes",
                       r.rc not in (0, None) and len(lines) == 1 and "changed since it was "
                       "indexed" in msg and "bytes [" in msg and "stale" in msg,
                       r.describe())
        e = self.run.export(db)
        self.rep.check(name + ": database unchanged", e.ok and e.out == export_before,
                       "" if e.ok else e.describe())

    def kill_after_checkpoint(self, db, workers="1", memory="1M", past=0):
        """Starts an index run and SIGKILLs it once a checkpoint past `past`
        is logged; returns whether it was killed and the logged offsets."""
        log = db + ".kill.log"
        p = self.run.start("index", "--db", db, "--quiet", "--workers", workers,
                           "--memory-limit", memory, "--log", log, self.file)
        deadline = time.time() + 60
        offsets = []
        while p.running() and time.time() < deadline:
            offsets = [e["offset"] for e in read_log(log) if e.get("event") == "checkpoint"]
            if offsets and max(offsets) > past:
                p.signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        r = p.wait(30)
        killed = r.rc == -signal.SIGKILL
        return killed, offsets

    # ------------------------------------------------------------------ cases

    def edit_inside(self):
        rep, db = self.rep, self.new_db()
        r = self.index(db)
        if not rep.check("edit inside: first index", r.ok, r.describe()):
            return
        self.check_exact("edit inside: first index", db)
        log = db + ".log"
        r = self.index(db, log=log)
        checks = hash_checks(log)
        rep.check("edit inside: unchanged rerun checks every counted byte",
                  r.ok and len(checks) == 1 and checks[0]["bytes_checked"] == self.size
                  and checks[0]["bytes_hashed_first_time"] == 0, repr(checks))
        before = self.run.export(db).out
        flip(self.file, self.size // 2)
        r = self.index(db)
        self.check_refused("edit inside", r, db, before)
        r = self.index(db, "--quick-check")
        e = self.run.export(db)
        rep.check("edit inside: --quick-check does not see it (documented)",
                  r.ok and e.ok and e.out == before, r.describe())
        flip(self.file, self.size // 2)

    def killed(self):
        rep, db = self.rep, self.new_db()
        killed, offsets = self.kill_after_checkpoint(db, past=96 * KIB)
        if not rep.check("killed: SIGKILLed after a checkpoint", killed and offsets,
                         "killed %s, checkpoints %r" % (killed, offsets)):
            return
        counted = max(offsets)  # one worker: chunk 0, [0, counted) committed
        if not rep.check("killed: counted past the first 64 KiB", counted > 96 * KIB,
                         "last checkpoint at %d" % counted):
            return
        before = self.run.export(db).out
        at = 64 * KIB + (counted - 64 * KIB) // 2
        flip(self.file, at)
        r = self.index(db)
        self.check_refused("killed: edited counted byte %d" % at, r, db, before)
        r = self.index(db, "--quick-check")
        self.check_refused("killed: edited, --quick-check", r, db, before)
        flip(self.file, at)
        r = self.index(db)
        if rep.check("killed: resumed once the byte is back", r.ok, r.describe()):
            self.check_exact("killed: resumed", db)

    def old_database(self):
        rep = self.rep
        if not rep.check("old database: strip_checkpoint_hashes built beside the binary",
                         os.access(self.strip, os.X_OK), self.strip):
            return
        for finished in (True, False):
            name = "old database (%s)" % ("finished" if finished else "killed")
            db = self.new_db()
            if finished:
                r = self.index(db)
                if not rep.check(name + ": first index", r.ok, r.describe()):
                    continue
            else:
                killed, offsets = self.kill_after_checkpoint(db, workers="2")
                if not rep.check(name + ": SIGKILLed after a checkpoint", killed and offsets,
                                 "killed %s, checkpoints %r" % (killed, offsets)):
                    continue
            p = subprocess.run([self.strip, db], capture_output=True)
            if not rep.check(name + ": checkpoints stripped", p.returncode == 0
                             and int(p.stdout or b"0") > 0, repr(p.stderr)):
                continue
            log = db + ".log"
            r = self.run.run("index", "--db", db, *ARGS, "--log", log, self.file)
            checks = hash_checks(log)
            recorded = checks[0]["bytes_hashed_first_time"] if checks else -1
            line = [ln for ln in stderr_lines(r) if "recorded the hashes" in ln]
            rep.check(name + ": hashes recorded once, reported on stderr and in the log",
                      r.ok and len(checks) == 1 and recorded > 0 and line
                      and (recorded == self.size or not finished)
                      and checks[0]["bytes_checked"] == 0,
                      "%s; %r" % (r.describe(), checks))
            self.check_exact(name, db)
            log2 = db + ".log2"
            r = self.index(db, log=log2)
            checks = hash_checks(log2)
            rep.check(name + ": the next run checks them",
                      r.ok and len(checks) == 1 and checks[0]["bytes_checked"] == self.size
                      and checks[0]["bytes_hashed_first_time"] == 0, repr(checks))
            before = self.run.export(db).out
            flip(self.file, self.size // 3)
            r = self.index(db)
            self.check_refused(name + ": then an edit", r, db, before)
            flip(self.file, self.size // 3)

    def merge(self):
        rep = self.rep
        shards = []
        for k in range(2):
            db = self.new_db()
            r = self.index(db, "--shard", "%d/2" % k, "--shard-unit", "256K")
            if not rep.check("merge: shard %d/2" % k, r.ok, r.describe()):
                return
            shards.append(db)
        merged = self.new_db()
        r = self.run.run("merge", "--into", merged, "--quiet", *shards)
        if not rep.check("merge: merged", r.ok, r.describe()):
            return
        self.check_exact("merge", merged)
        log = merged + ".log"
        r = self.index(merged, log=log)
        checks = hash_checks(log)
        rep.check("merge: the merged database's hashes are kept",
                  r.ok and len(checks) == 1 and checks[0]["bytes_checked"] == self.size
                  and checks[0]["bytes_hashed_first_time"] == 0, repr(checks))

    def main(self):
        self.file = self.tmp.join("web.txt")
        make_corpus(self.a.corpus, "web", self.a.size, 11, self.file)
        self.size = os.path.getsize(self.file)
        self.rep.section("edit inside", self.edit_inside)
        self.rep.section("killed", self.killed)
        self.rep.section("old database", self.old_database)
        self.rep.section("merge", self.merge)


if __name__ == "__main__":
    sys.exit(run_suite(HashCheck, __doc__.split("\n")[0], extra_args))
