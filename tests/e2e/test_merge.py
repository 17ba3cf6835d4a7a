#!/usr/bin/env python3
"""Merge test: `pretok-db merge` of databases indexed apart gives the counts
of the Python reference over all their inputs and the stats of one database
indexing them all; the sources stay byte for byte as they were; a rerun does
nothing; a merge SIGKILLed at random moments leaves the target as it was or
complete, and the same command then completes it exactly; merges of merges
agree; refusals are one line, exit 1.
"""
import fcntl
import hashlib
import os
import random
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import (RefCache, Runner, diff_counts, make_corpus, parse_hex_export,  # noqa: E402
                     run_suite, stderr_lines)

MEMORY = "64M"
KILLS = 8


def extra_args(ap):
    ap.add_argument("--seed", type=int, default=20261207, help="random seed of the kill delays")
    ap.add_argument("--size", default="3M", help="size of each generated web corpus")


def tree_hash(path):
    """sha256 of every file under path, with names, sizes and mtimes."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            p = os.path.join(root, name)
            st = os.stat(p)
            h.update(("%s %d %d\n" % (os.path.relpath(p, path), st.st_size, st.st_mtime_ns)).encode())
            with open(p, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


# stats figures that do not depend on how the work was split
SAME = ("documents", "pretokens", "distinct_pretokens", "invalid_utf8_replaced",
        "skipped_stretches", "skipped_bytes", "config")


class Merge:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.rng = random.Random(a.seed)
        self.ref = RefCache()

    def index(self, name, files, *extra):
        db = self.tmp.join(name)
        r = self.run.run("index", "--db", db, "--quiet", "--memory-limit", "1M", *extra, *files)
        assert r.ok, r.describe()
        return db

    def merge(self, into, *sources):
        return self.run.run("merge", "--into", into, "--memory-limit", MEMORY, *sources)

    def counts(self, db):
        e = self.run.export(db)
        if not e.ok:
            return None
        return parse_hex_export(e.out)[0]

    def check_db(self, name, db, files):
        rep = self.rep
        want = self.ref.files(files)
        got = self.counts(db)
        rep.check(name + ": counts are the reference's", got == dict(want.counts),
                  "" if got is None else diff_counts(dict(want.counts), got))
        st, r = self.run.stats(db)
        one = self.run.stats(self.index("one-%s" % name.replace(" ", "-"), files))[0]
        if rep.check(name + ": stats", st is not None, "" if st else r.describe()):
            diff = [k for k in SAME if st[k] != one[k]]
            rep.check(name + ": stats equal one database's over all inputs", not diff,
                      ", ".join("%s %r != %r" % (k, st[k], one[k]) for k in diff))
            paths = sorted((f["path"], f["size"], f["bytes_done"]) for f in st["files"])
            rep.check(name + ": files listed, all done", paths == sorted(
                (f["path"], f["size"], f["bytes_done"]) for f in one["files"]), repr(paths[:3]))

    def setup(self):
        self.files = []
        for i in range(4):
            p = self.tmp.join("web%d.txt" % i)
            make_corpus(self.a.corpus, "web", self.a.size, 40 + i, p)
            self.files.append(p)
        self.dbs = [self.index("src%d" % i, [f]) for i, f in enumerate(self.files)]
        self.hashes = {db: tree_hash(db) for db in self.dbs}

    def sources_untouched(self, name):
        changed = [db for db in self.dbs if tree_hash(db) != self.hashes[db]]
        self.rep.check(name + ": sources byte for byte untouched", not changed, repr(changed))

    def basic(self):
        rep = self.rep
        m = self.tmp.join("m")
        r = self.merge(m, *self.dbs[:3])
        if not rep.check("merge exits 0", r.ok, r.describe()):
            return
        self.check_db("merge of 3", m, self.files[:3])
        self.sources_untouched("merge of 3")
        before = self.counts(m)
        r = self.merge(m, *self.dbs[:3])
        rep.check("rerun: exit 0, says nothing was done",
                  r.ok and "already merged" in r.err.decode(), r.describe())
        rep.check("rerun: counts unchanged", self.counts(m) == before)
        r = self.run.run("index", "--db", m, *self.files[:3])
        rep.check("index of covered inputs: nothing done",
                  r.ok and "already indexed" in r.err.decode(), r.describe())
        # Grow it with the fourth, then a merge of merges.
        r = self.merge(m, self.dbs[3])
        rep.check("merge into an existing database exits 0", r.ok, r.describe())
        self.check_db("grown by a 4th", m, self.files)
        ab, cd = self.tmp.join("ab"), self.tmp.join("cd")
        ok = self.merge(ab, *self.dbs[:2]).ok and self.merge(cd, *self.dbs[2:]).ok
        r = self.merge(self.tmp.join("abcd"), ab, cd)
        if rep.check("merge of merges exits 0", ok and r.ok, r.describe()):
            rep.check("merge of merges: same counts", self.counts(self.tmp.join("abcd")) ==
                      self.counts(m))
        self.sources_untouched("after all merges")

    def refusals(self):
        rep = self.rep

        def refused(name, r, words):
            lines = stderr_lines(r)
            text = " ".join(lines)
            rep.check("refused: " + name, r.rc == 1 and len(lines) == 1 and
                      all(w in text for w in words), r.describe())

        t = self.tmp.join("t-refused")
        k = self.index("k-cl100k", [self.files[0]], "--pattern", "cl100k")
        refused("other pattern", self.merge(t, self.dbs[0], k), ["pattern", "cl100k"])
        refused("same part of a file in two",
                self.merge(t, self.dbs[0], self.index("dup", [self.files[0]])),
                [self.files[0], "two databases"])
        refused("a database twice", self.merge(t, self.dbs[0], self.dbs[0]), ["same database"])
        refused("no such source", self.merge(t, self.tmp.join("nope")), ["nope"])
        rep.check("refusals wrote no target", not os.path.exists(t))
        # Being written: another process holds its lock, as an index run does.
        busy = self.tmp.join("busy")
        shutil.copytree(self.dbs[1], busy)
        # (Hashed outside the lock: closing any descriptor of LOCK in this
        # process would release it.)
        before = tree_hash(busy)
        with open(os.path.join(busy, "LOCK"), "r+b") as f:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            refused("source being written", self.merge(t, busy), ["being written"])
        rep.check("source being written: untouched", tree_hash(busy) == before)
        p = self.tmp.join("partial")
        ok = self.merge(p, self.dbs[0]).ok
        refused("some sources merged before", self.merge(p, self.dbs[0], self.dbs[1]),
                ["already holds", self.dbs[0]])
        rep.check("merged-before target unchanged", ok and self.counts(p) == self.counts(
            self.dbs[0]))
        r = self.run.run("merge", self.dbs[0])
        rep.check("no --into: usage error, exit 2", r.rc == 2, r.describe())
        self.sources_untouched("after refusals")

    def kills(self):
        rep = self.rep
        base = self.dbs[3]
        before = self.counts(base)
        sources = self.dbs[:3]
        # The uninterrupted merge into a copy of the fourth: the expected end.
        full = self.tmp.join("full")
        shutil.copytree(base, full)
        t0 = time.time()
        r = self.merge(full, *sources)
        duration = time.time() - t0
        assert r.ok, r.describe()
        final = self.counts(full)
        landed = 0
        for i in range(KILLS):
            t = self.tmp.join("kill%d" % i)
            shutil.copytree(base, t)
            delay = self.rng.uniform(0.02, duration)
            p = self.run.start("merge", "--into", t, "--memory-limit", MEMORY, *sources)
            time.sleep(delay)
            if p.signal(signal.SIGKILL):
                landed += 1
            p.wait(60)
            now = self.counts(t)
            rep.check("SIGKILL after %.3f s: target as before or complete" % delay,
                      now == before or now == final,
                      "as before" if now == before else "complete" if now == final else
                      "neither" if now is not None else "export failed")
            r = self.merge(t, *sources)
            rep.check("SIGKILL after %.3f s: rerun completes it exactly" % delay,
                      r.ok and self.counts(t) == final, r.describe())
            shutil.rmtree(t, ignore_errors=True)
        rep.note("%d of %d SIGKILLs landed while the merge ran (%.2f s)" % (landed, KILLS, duration))
        rep.check("some SIGKILLs landed mid-merge", landed >= KILLS // 2)
        self.sources_untouched("after kills")

    def shards(self):
        """index --shard K/3 of the same files, merged: one database's counts;
        then a file grows, the shards are indexed again and merged anew."""
        rep = self.rep
        d = self.tmp.join("shardin")
        os.makedirs(d)
        files = []
        for f in self.files:
            files.append(os.path.join(d, os.path.basename(f)))
            shutil.copy(f, files[-1])
        dbs = [self.tmp.join("shard%d" % k) for k in range(3)]

        def index_shards():
            for k, db in enumerate(dbs):
                r = self.run.run("index", "--db", db, "--quiet", "--shard", "%d/3" % k, *files)
                assert r.ok, r.describe()

        index_shards()
        m = self.tmp.join("m-shards")
        r = self.merge(m, *dbs)
        if rep.check("merge of 3 shards exits 0", r.ok, r.describe()):
            self.check_db("merge of 3 shards", m, files)
        # The last file grows: its shard counts the old tail again, the
        # others keep its old size (they hold nothing of it).
        with open(files[-1], "ab") as f:
            f.write(b"appended words<|endoftext|> and more\n")
        self.ref = RefCache()
        index_shards()
        r = self.merge(m, *dbs)
        rep.check("shards changed since their merge: refused",
                  r.rc == 1 and "changed since" in r.err.decode(), r.describe())
        m2 = self.tmp.join("m-shards-grown")
        r = self.merge(m2, *dbs)
        if rep.check("merge of grown shards exits 0", r.ok, r.describe()):
            self.check_db("merge of grown shards", m2, files)

    def main(self):
        print("random seed for kill delays: %d" % self.a.seed, flush=True)
        if self.rep.section("inputs and source databases", self.setup) is None and \
                not hasattr(self, "hashes"):
            return
        self.rep.section("merge, rerun, grow, merge of merges", self.basic)
        self.rep.section("refusals", self.refusals)
        self.rep.section("SIGKILL at random moments, then rerun", self.kills)
        self.rep.section("shards (--shard K/N), growth", self.shards)


def main():
    return run_suite(Merge, __doc__.split("\n\n")[0], extra_args)


if __name__ == "__main__":
    sys.exit(main())
