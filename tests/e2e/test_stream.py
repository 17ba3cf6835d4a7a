#!/usr/bin/env python3
"""Standard input: `pretok-db index -` counts a stream exactly, all at once.

A stream cannot be read again, so its counts are committed in one piece at
its end: stopped (SIGINT) or killed (SIGKILL) before, nothing of it is
counted, the database is as it was, and the next run works. Several
workers count a stream at once, exactly as they count the same bytes in a
file. Also: `-` with files is refused, strict UTF-8 is refused for a
stream, an empty stream.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import (RefCache, Runner, hex_export, run_suite)  # noqa: E402


class Stream:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.refs = RefCache()
        sdir = os.path.join(a.corpus, "samples")
        self.web = os.path.join(sdir, "web-1M.txt")
        self.stories = os.path.join(sdir, "stories-1M.txt")

    def feed(self, db, data, *extra):
        """index - with data on stdin; returns (rc, stderr)."""
        p = subprocess.run([self.a.bin, "index", "--quiet", "--db", db, *extra, "-"],
                           input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=self.a.timeout)
        return p.returncode, p.stderr

    def stats_json(self, db):
        r = self.run.run("stats", "--db", db, "--json")
        return json.loads(r.out) if r.ok else None

    def export(self, db):
        e = self.run.export(db)
        return e.out if e.ok else None

    def exact(self):
        with open(self.web, "rb") as f:
            data = f.read()
        ref = hex_export(self.refs.file(self.web).counts)
        for workers in ("1", "2"):
            for limit in ("64K", "1G"):
                what = "stdin, --workers %s --memory-limit %s" % (workers, limit)
                db = self.tmp.join("exact-%s-%s" % (workers, limit))
                rc, err = self.feed(db, data, "--workers", workers, "--memory-limit", limit)
                self.rep.check(what + ": exit 0", rc == 0, err.decode())
                self.rep.check(what + ": export == reference", self.export(db) == ref)
                st = self.stats_json(db)
                if limit == "64K":
                    self.rep.check(what + ": spilled", st is not None and st["spills"] > 1,
                                   str(st and st["spills"]))
        st = self.stats_json(db)
        self.rep.check("stats lists the stream as '-' with its size",
                       st is not None and [f["path"] for f in st["files"]] == ["-"]
                       and st["files"][0]["size"] == len(data)
                       and st["files"][0]["bytes_done"] == len(data), str(st))
        # A stream added to a database of files adds to the counts.
        db = self.tmp.join("mixed")
        r = self.run.run("index", "--quiet", "--db", db, self.stories)
        self.rep.check("file then stream: file indexed", r.ok, r.describe())
        rc, err = self.feed(db, data)
        both = self.refs.files([self.stories, self.web])
        self.rep.check("file then stream: export == reference of both",
                       rc == 0 and self.export(db) == hex_export(both.counts), err.decode())

    def like_a_file(self):
        """Ill-formed UTF-8 dropped (skip) or replaced, two workers, many
        spills: the stream's export and stats are the file's."""
        adv = os.path.join(self.a.corpus, "samples", "adversarial-256K.bin")
        with open(adv, "rb") as f:
            data = f.read()
        with open(self.web, "rb") as f:
            data += f.read(300000)
        path = self.tmp.join("like-a-file.bin")
        with open(path, "wb") as f:
            f.write(data)
        keys = ("documents", "pretokens", "distinct_pretokens", "invalid_utf8_replaced",
                "skipped_stretches", "skipped_bytes")
        for policy in ("skip", "replace"):
            fdb = self.tmp.join("file-" + policy)
            r = self.run.run("index", "--quiet", "--db", fdb, "--invalid-utf8", policy, path)
            self.rep.check(policy + ": file indexed", r.ok, r.describe())
            sdb = self.tmp.join("stream-" + policy)
            rc, err = self.feed(sdb, data, "--invalid-utf8", policy, "--workers", "2",
                                "--memory-limit", "64K")
            fst, sst = self.stats_json(fdb), self.stats_json(sdb)
            self.rep.check(policy + ": 2 workers, stream export == file export",
                           rc == 0 and self.export(sdb) == self.export(fdb), err.decode())
            self.rep.check(policy + ": stream stats == file stats",
                           fst is not None and sst is not None
                           and all(fst.get(k) == sst.get(k) for k in keys),
                           "%s / %s" % ({k: fst and fst.get(k) for k in keys},
                                        {k: sst and sst.get(k) for k in keys}))

    def interrupted(self, sig):
        name = signal.Signals(sig).name
        db = self.tmp.join("interrupted-" + name)
        r = self.run.run("index", "--quiet", "--db", db, self.stories)
        self.rep.check(name + ": base file indexed", r.ok, r.describe())
        before = self.export(db)
        with open(self.web, "rb") as f:
            data = f.read()
        p = subprocess.Popen([self.a.bin, "index", "--quiet", "--db", db,
                              "--memory-limit", "64K", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        # Feed part of the stream, so that it has spilled, then signal.
        p.stdin.write(data[: len(data) // 2])
        p.stdin.flush()
        time.sleep(1.0)
        p.send_signal(sig)
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
        p.wait(timeout=60)
        err = p.stderr.read()
        if sig == signal.SIGINT:
            self.rep.check("SIGINT: exit 130", p.returncode == 130, "rc %s" % p.returncode)
            self.rep.check("SIGINT: says the stream cannot be resumed",
                           b"cannot be resumed" in err, err.decode(errors="replace"))
        else:
            self.rep.check("SIGKILL: killed", p.returncode == -signal.SIGKILL,
                           "rc %s" % p.returncode)
        self.rep.check(name + ": nothing of the stream counted", self.export(db) == before)
        st = self.stats_json(db)
        self.rep.check(name + ": the stream is not listed",
                       st is not None and len(st["files"]) == 1, str(st))
        rc, err = self.feed(db, data)
        both = self.refs.files([self.stories, self.web])
        self.rep.check(name + ": the next stream counts exactly",
                       rc == 0 and self.export(db) == hex_export(both.counts), err.decode())
        leftovers = os.listdir(os.path.join(db, "spill-tmp"))
        self.rep.check(name + ": no staged runs left", leftovers == [], str(leftovers))

    def refused(self):
        db = self.tmp.join("refused")
        r = self.run.run("index", "--db", db, "-", self.web)
        self.rep.check("'-' with a file: refused in one line",
                       r.rc == 1 and len(r.err.strip().splitlines()) == 1
                       and not os.path.exists(db), r.describe())
        rc, err = self.feed(db, b"hello", "--invalid-utf8", "strict")
        self.rep.check("stream with --invalid-utf8 strict: refused",
                       rc == 1 and b"strict" in err, err.decode())
        rc, err = self.feed(self.tmp.join("empty"), b"")
        st = self.stats_json(self.tmp.join("empty"))
        self.rep.check("empty stream: one empty source, nothing counted",
                       rc == 0 and st is not None and st["pretokens"] == 0
                       and [f["size"] for f in st["files"]] == [0], str(st))
        rc, err = self.feed(self.tmp.join("skip"), b"ab\xffcd <|endof\xfftext|> x",
                            "--invalid-utf8", "skip", "--workers", "2")
        self.rep.check("stream with --invalid-utf8 skip: dropped bytes join",
                       rc == 0 and self.export(self.tmp.join("skip")) ==
                       hex_export({b"abcd": 1, b" ": 1, b" x": 1}), err.decode())

    def main(self):
        self.exact()
        self.like_a_file()
        self.interrupted(signal.SIGINT)
        self.interrupted(signal.SIGKILL)
        self.refused()


def main():
    return run_suite(Stream, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
