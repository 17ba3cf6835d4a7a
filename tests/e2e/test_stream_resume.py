#!/usr/bin/env python3
"""Named streams: `pretok-db index - --stream-name NAME` resumes after SIGKILL.

The same command fed the same bytes again after a kill at a random moment
checks what was counted (each chunk's XXH3) and counts on from there: after
any number of kills, with 1 or 2 workers, spilling often or not, and with
--workers and --memory-limit changed between runs, the counts are the
Python reference's for the bytes, nothing counted twice. A stream that
differs from what was counted is refused and leaves the counts as they
were (the spills of later chunks wait for the check); fed again once complete, the same bytes change nothing, a longer
stream with the same prefix grows it (its old end mid-word too), a shorter
one is refused. `stats` lists the stream with its bytes and state.
"""
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import (Runner, count_bytes, hex_export, run_suite)  # noqa: E402


class StreamResume:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        sdir = os.path.join(a.corpus, "samples")
        with open(os.path.join(sdir, "web-1M.txt"), "rb") as f:
            web = f.read()
        with open(os.path.join(sdir, "stories-1M.txt"), "rb") as f:
            stories = f.read()
        self.data = web + stories
        self.ref = hex_export(count_bytes(self.data).counts)
        self.rng = random.Random(20)

    def feed(self, db, data, *extra):
        p = subprocess.run([self.a.bin, "index", "--quiet", "--db", db, *extra, "-"],
                           input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=self.a.timeout)
        return p.returncode, p.stderr.decode(errors="replace")

    def feed_killed(self, db, data, spills, *extra):
        """Feeds data and SIGKILLs the run once it has committed `spills`
        spills (its --log says so), at a random moment after; returns its
        exit code (0 if it ended first)."""
        log = self.tmp.join("run.log")
        if os.path.exists(log):
            os.remove(log)
        p = subprocess.Popen([self.a.bin, "index", "--quiet", "--log", log, "--db", db,
                              *extra, "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)

        def write():
            try:
                for i in range(0, len(data), 64 << 10):
                    p.stdin.write(data[i:i + (64 << 10)])
                p.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass
        t = threading.Thread(target=write)
        t.start()
        deadline = time.monotonic() + 60
        while p.poll() is None and time.monotonic() < deadline:
            try:
                with open(log) as f:
                    seen = sum(1 for line in f if '"event":"spill"' in line.replace(" ", ""))
            except OSError:
                seen = 0
            if seen >= spills:
                time.sleep(self.rng.uniform(0, 0.01))
                p.send_signal(signal.SIGKILL)
                break
            time.sleep(0.001)
        p.wait(timeout=60)
        t.join()
        return p.returncode

    def stream_stats(self, db):
        r = self.run.run("stats", "--db", db, "--json")
        return json.loads(r.out)["streams"] if r.ok else None

    def export(self, db):
        e = self.run.export(db)
        return e.out if e.ok else None

    def killed_and_resumed(self, workers, limit, label):
        """Kills runs at random moments until one completes, changing
        --workers and --memory-limit every other run."""
        db = self.tmp.join("kill-" + label)
        kills = partial_seen = 0
        for attempt in range(30):
            w, m = (workers, limit) if attempt % 2 == 0 else ("2" if workers == "1" else "1",
                                                               "8M" if limit == "64K" else "64K")
            extra = ("--stream-name", "corpus", "--workers", w, "--memory-limit", m)
            rc = self.feed_killed(db, self.data, self.rng.randint(1, 4), *extra)
            if rc == 0:
                break
            kills += 1
            st = self.stream_stats(db)
            if st and st[0]["bytes_done"] > 0 and not st[0]["complete"]:
                partial_seen += 1
        self.rep.check(label + ": completed after %d kills" % kills, rc == 0 and kills > 0,
                       "rc %s after %d attempts" % (rc, attempt + 1))
        self.rep.check(label + ": some kill left part of it counted", partial_seen > 0,
                       "%d of %d" % (partial_seen, kills))
        self.rep.check(label + ": export == Python reference", self.export(db) == self.ref)
        st = self.stream_stats(db)
        self.rep.check(label + ": stats: complete, every byte",
                       st == [{"name": "corpus", "bytes_done": len(self.data),
                               "complete": True}], str(st))
        return db

    def changed_refused(self):
        db = self.tmp.join("changed")
        extra = ("--stream-name", "s", "--memory-limit", "64K", "--workers", "2")
        # Part of it counted: stopped with SIGINT half-way.
        p = subprocess.Popen([self.a.bin, "index", "--quiet", "--db", db, *extra, "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(self.data[:len(self.data) // 2])
        p.stdin.flush()
        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
        p.wait(timeout=60)
        err = p.stderr.read().decode(errors="replace")
        self.rep.check("SIGINT: exit 130, says how to resume",
                       p.returncode == 130 and "fed the same stream" in err,
                       "rc %s: %s" % (p.returncode, err))
        st = self.stream_stats(db)
        done = st[0]["bytes_done"] if st else 0
        self.rep.check("SIGINT: part counted, not complete",
                       st is not None and 0 < done and not st[0]["complete"], str(st))
        before = self.export(db)
        # Changed in its first chunk, counted: every later chunk's spills
        # wait for that chunk's check, so none of the many that follow (at
        # 64K they spill at once) is committed before the refusal.
        first = bytearray(self.data)
        first[10] ^= 0x01
        rc, err = self.feed(db, bytes(first), *extra)
        self.rep.check("changed in its first chunk: refused",
                       rc == 1 and "differ" in err, err)
        self.rep.check("changed in its first chunk: nothing after it committed",
                       self.export(db) == before)
        changed = bytearray(self.data)
        changed[done // 2] ^= 0x01
        rc, err = self.feed(db, bytes(changed), *extra)
        self.rep.check("a changed stream: refused in one line, naming the bytes",
                       rc == 1 and "differ" in err and "[" in err
                       and len(err.strip().splitlines()) == 1, err)
        self.rep.check("a changed stream: counts unchanged", self.export(db) == before)
        rc, err = self.feed(db, self.data, *extra)
        self.rep.check("the same stream after: resumed to the reference",
                       rc == 0 and self.export(db) == self.ref, err)

    def fed_again(self, db):
        extra = ("--stream-name", "corpus")
        before = self.export(db)
        rc, err = self.feed(db, self.data, *extra)
        self.rep.check("complete, fed the same bytes: no-op",
                       rc == 0 and self.export(db) == before, err)
        rc, err = self.feed(db, self.data[:-1000], *extra)
        self.rep.check("complete, fed a shorter stream: refused",
                       rc == 1 and "ends at byte" in err, err)
        rc, err = self.feed(db, self.data[:1000] + b"x" + self.data[1001:], *extra)
        self.rep.check("complete, fed other bytes: refused", rc == 1 and "differ" in err, err)
        self.rep.check("refusals left the counts", self.export(db) == before)
        more = b" and then some more words<|endoftext|>a last one"
        rc, err = self.feed(db, self.data + more, *extra, "--workers", "2")
        self.rep.check("complete, fed a longer stream: grown to the reference",
                       rc == 0 and self.export(db) ==
                       hex_export(count_bytes(self.data + more).counts), err)
        # An old end mid-word: its last pretoken goes on in the longer stream.
        gdb = self.tmp.join("grow-mid-word")
        head = self.data[:300000] + b" hel"
        rc, err = self.feed(gdb, head, "--stream-name", "g", "--memory-limit", "64K")
        rc2, err2 = self.feed(gdb, head + b"lo world" + self.data[300000:400000],
                              "--stream-name", "g", "--memory-limit", "64K", "--workers", "2")
        self.rep.check("grown from a mid-word end: the reference of the longer stream",
                       rc == 0 and rc2 == 0 and self.export(gdb) == hex_export(
                           count_bytes(head + b"lo world" + self.data[300000:400000]).counts),
                       err + err2)
        st = self.run.run("stats", "--db", gdb)
        out = st.out.decode(errors="replace") if isinstance(st.out, bytes) else st.out
        self.rep.check("stats lists the stream by name, done",
                       st.ok and "streams" in out and "  g  %d bytes, done" % (
                           len(head) + 8 + 100000) in out, out)

    def merged(self, db):
        """A named stream is carried whole into a merge (and can be fed
        again there); the same name in two databases is refused."""
        other = self.tmp.join("other")
        rc, err = self.feed(other, self.data[:5000], "--stream-name", "small")
        into = self.tmp.join("merged")
        r = self.run.run("merge", "--quiet", "--into", into, db, other)
        st = self.stream_stats(into)
        self.rep.check("merge: both streams carried, complete",
                       r.ok and sorted((t["name"], t["bytes_done"], t["complete"]) for t in st)
                       == sorted([("corpus", len(self.data) + 48, True), ("small", 5000, True)]),
                       "%s %s" % (r.describe(), st))
        rc, err = self.feed(into, self.data[:5000], "--stream-name", "small")
        self.rep.check("merge: a carried stream fed again is a no-op there",
                       rc == 0 and self.stream_stats(into) == st, err)
        third = self.tmp.join("third")
        rc, err = self.feed(third, self.data[:7000], "--stream-name", "small")
        r = self.run.run("merge", "--quiet", "--into", self.tmp.join("twice"), other, third)
        self.rep.check("merge: a name in two databases refused",
                       r.rc == 1 and b"both hold a stream named" in (
                           r.err if isinstance(r.err, bytes) else r.err.encode()), r.describe())

    def main(self):
        db = self.killed_and_resumed("1", "64K", "1 worker, spilling")
        self.killed_and_resumed("2", "64K", "2 workers, spilling")
        self.changed_refused()
        self.fed_again(db)
        self.merged(db)
        r = self.run.run("index", "--db", self.tmp.join("x"), "--stream-name", "a",
                         os.path.join(self.a.corpus, "samples", "web-1M.txt"))
        self.rep.check("--stream-name without '-': exit 2", r.rc == 2, r.describe())


def main():
    return run_suite(StreamResume, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
