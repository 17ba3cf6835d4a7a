#!/usr/bin/env python3
"""Shard test: `index --shard K/N --root DIR` on N databases indexes every
byte of the inputs exactly once between them, and together they count what
one unsharded database counts (and the Python reference).

Test cases (one section each):
  1. split        the corpus samples, a small and an empty file, in 3 shards
                  with 64 KiB units (--shard-unit), shard 2 through another
                  directory holding the same files (a copy, and a symlink to
                  the first): every shard records every file under the same
                  relative key; the held ranges (stats --json) are disjoint
                  and cover each file; one shard per file has its first
                  document; summed documents, pretokens, invalid UTF-8 and
                  the summed export equal one unsharded database and the
                  reference. A rerun of a shard is a no-op.
  2. resume       a shard SIGKILLed at several moments, run again: the same
                  export as the shard run once.
  3. growth       a file appended to: only the shard that owns its last unit
                  plans (and re-counts its old tail); the sums equal the
                  reference of the grown files; a rerun is a no-op.
  4. merge        `merge` of the 3 shards equals the unsharded database (counts,
                  stats, every file whole); an unsharded index of the same
                  files into it, or a shard, does nothing.
  5. fill         an unsharded run into one shard's database plans the parts
                  it lacks: then it equals the unsharded database; again: a
                  no-op.
  6. refused      malformed --shard, --shard with a stream, a file outside
                  --root: exit 2 with one line; --root into a database keyed
                  by absolute paths: refused.
"""
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import RefCache, diff_counts, parse_hex_export, run_suite  # noqa: E402

N = 3
UNIT = "64K"


class Shards:
    def __init__(self, args, rep, tmp):
        self.rep, self.tmp = rep, tmp
        from e2e_lib import Runner
        self.run = Runner(args.bin, args.timeout)
        self.ref = RefCache()
        self.data = tmp.join("data")
        os.makedirs(self.data)
        samples = os.path.join(args.corpus, "samples")
        for name in sorted(os.listdir(samples)):
            shutil.copy(os.path.join(samples, name), self.data)
        with open(os.path.join(self.data, "small.txt"), "wb") as f:
            f.write(b"one<|endoftext|>two three")
        open(os.path.join(self.data, "empty.txt"), "wb").close()
        os.makedirs(os.path.join(self.data, "sub"))
        with open(os.path.join(self.data, "sub", "nested.txt"), "wb") as f:
            f.write(b"nested words here\n" * 4000)
        self.names = sorted(["small.txt", "empty.txt", "sub/nested.txt"]
                            + os.listdir(samples))
        # The same files seen through other paths: a copy and a symlink.
        self.copy = tmp.join("copy")
        shutil.copytree(self.data, self.copy)
        self.link = tmp.join("link")
        os.symlink(self.data, self.link)

    def roots(self, k):
        return self.copy if k == 2 else (self.link if k == 1 else self.data)

    def index_shard(self, db, k, root=None, extra=()):
        root = root or self.roots(k)
        files = [os.path.join(root, n) for n in self.names]
        return self.run.run("index", "--quiet", "--db", db, "--shard", "%d/%d" % (k, N),
                            "--shard-unit", UNIT, "--root", root, "--workers", "2",
                            *extra, *files)

    def counts(self, db):
        r = self.run.export(db, "hex")
        counts, problems = parse_hex_export(r.out) if r.ok else ({}, [r.describe()])
        return counts, problems

    def stats(self, db):
        st, r = self.run.stats(db)
        if st is None:
            self.rep.fail("stats " + db, r.describe())
        return st

    def summed(self, dbs):
        total, figures = {}, {}
        for db in dbs:
            counts, problems = self.counts(db)
            if problems:
                self.rep.fail("export " + db, problems[0])
            for k, v in counts.items():
                total[k] = total.get(k, 0) + v
            st = self.stats(db) or {}
            for f in ("documents", "pretokens", "invalid_utf8_replaced", "skipped_stretches"):
                figures[f] = figures.get(f, 0) + st.get(f, 0)
        return total, figures

    def check_cover(self, label, dbs, sizes):
        """Every file in every shard, same keys; held ranges disjoint, covering."""
        held = {n: [] for n in self.names}
        firsts = {n: 0 for n in self.names}
        ok_keys = True
        for db in dbs:
            st = self.stats(db) or {"files": []}
            keys = sorted(f["path"] for f in st["files"])
            ok_keys &= keys == self.names and all(f["relative"] for f in st["files"])
            for f in st["files"]:
                if f["path"] in held:
                    held[f["path"]] += [tuple(r) for r in f["held"]]
                    firsts[f["path"]] += f["first_document"]
                    ok_keys &= f["bytes_done"] == f["bytes_held"]
        self.rep.check("%s: every shard records every file by the same relative key, done"
                       % label, ok_keys)
        bad = []
        for n in self.names:
            ranges = sorted(held[n])
            pos = 0
            for b, e in ranges:
                if b != pos:
                    bad.append("%s: %s at %d" % (n, "gap" if b > pos else "overlap", pos))
                pos = e
            if pos != sizes[n]:
                bad.append("%s: covered to %d of %d" % (n, pos, sizes[n]))
            if firsts[n] != 1:
                bad.append("%s: first document in %d shards" % (n, firsts[n]))
        self.rep.check("%s: every byte held exactly once, one first document per file" % label,
                       not bad, "; ".join(bad[:5]))
        return held

    def check_sums(self, label, dbs, whole_db, ref):
        total, figures = self.summed(dbs)
        whole, _ = self.counts(whole_db)
        wst = self.stats(whole_db) or {}
        self.rep.check("%s: summed shard exports == reference" % label, total == ref.counts,
                       diff_counts(ref.counts, total))
        self.rep.check("%s: summed shard exports == the unsharded database" % label,
                       total == whole, diff_counts(whole, total))
        want = {"documents": wst.get("documents"), "pretokens": wst.get("pretokens"),
                "invalid_utf8_replaced": wst.get("invalid_utf8_replaced"),
                "skipped_stretches": wst.get("skipped_stretches")}
        self.rep.check("%s: summed stats == the unsharded database's, == reference" % label,
                       figures == want and figures["documents"] == ref.documents
                       and figures["pretokens"] == ref.pretokens,
                       "%r vs %r (reference documents %d)" % (figures, want, ref.documents))

    def sizes(self):
        return {n: os.path.getsize(os.path.join(self.data, n)) for n in self.names}

    def split(self):
        self.dbs = [self.tmp.join("shard%d" % k) for k in range(N)]
        for k, db in enumerate(self.dbs):
            r = self.index_shard(db, k)
            self.rep.check("index --shard %d/%d through %s" % (k, N, os.path.basename(self.roots(k))),
                           r.ok, r.describe())
        self.whole = self.tmp.join("whole")
        r = self.run.run("index", "--quiet", "--db", self.whole, "--root", self.data,
                         *[os.path.join(self.data, n) for n in self.names])
        self.rep.check("index unsharded", r.ok, r.describe())
        held = self.check_cover("split", self.dbs, self.sizes())
        self.rep.check("split: the files spread over several shards",
                       sum(1 for n in self.names if len(held[n]) > 1) >= 1
                       and all(self.stats(db)["pretokens"] > 0 for db in self.dbs))
        ref = self.ref.files([os.path.join(self.data, n) for n in self.names])
        self.check_sums("split", self.dbs, self.whole, ref)
        before = self.counts(self.dbs[1])[0]
        r = self.index_shard(self.dbs[1], 1)
        self.rep.check("split: a rerun of a shard is a no-op",
                       r.ok and self.counts(self.dbs[1])[0] == before, r.describe())

    def resume(self):
        want = self.counts(self.dbs[1])[0]
        for i, delay in enumerate((0.03, 0.08, 0.15)):
            db = self.tmp.join("resume%d" % i)
            root = self.roots(1)
            p = self.run.start("index", "--quiet", "--db", db, "--shard", "1/%d" % N,
                               "--shard-unit", UNIT, "--root", root, "--workers", "2",
                               "--memory-limit", "16M",
                               *[os.path.join(root, n) for n in self.names])
            time.sleep(delay)
            killed = p.signal(signal.SIGKILL)
            p.wait(30)
            self.rep.note("resume %d: %s" % (i, "killed mid-run" if killed else "had ended"))
            r = self.index_shard(db, 1)
            got = self.counts(db)[0]
            self.rep.check("resume: shard 1 SIGKILLed after %.2f s, run again: same export"
                           % delay, r.ok and got == want, r.describe() if not r.ok
                           else diff_counts(want, got))

    def growth(self):
        name = "web-1M.txt"
        # Twice: the second time the old end is inside a word ("wor|ds"),
        # so its owner takes back and counts again its old tail.
        for step, tail in enumerate((b" appended wor", b"ds and more <|endoftext|> next\n")):
            label = "growth %d" % (step + 1)
            owner, before = None, {}
            for k, db in enumerate(self.dbs):
                f = [f for f in self.stats(db)["files"] if f["path"] == name][0]
                before[k] = f
                if f["held"] and f["held"][-1][1] == f["size"]:
                    owner = k
            for d in (self.data, self.copy):
                with open(os.path.join(d, name), "ab") as f:
                    f.write(tail)
            for k, db in enumerate(self.dbs):
                r = self.index_shard(db, k)
                self.rep.check("%s: shard %d run again" % (label, k), r.ok, r.describe())
            sizes = self.sizes()
            for k, db in enumerate(self.dbs):
                f = [f for f in self.stats(db)["files"] if f["path"] == name][0]
                if k == owner:
                    self.rep.check("%s: shard %d (owns the last unit) holds the appended bytes"
                                   % (label, k), f["held"][-1][1] == sizes[name]
                                   and f["size"] == sizes[name], str(f["held"]))
                else:
                    self.rep.check("%s: shard %d keeps its parts, records the new size"
                                   % (label, k), f["held"] == before[k]["held"]
                                   and f["size"] == sizes[name], str(f))
            whole = self.tmp.join("whole_grown%d" % step)
            r = self.run.run("index", "--quiet", "--db", whole, "--root", self.data,
                             *[os.path.join(self.data, n) for n in self.names])
            self.ref = RefCache()  # the files changed
            ref = self.ref.files([os.path.join(self.data, n) for n in self.names])
            self.check_sums(label, self.dbs, whole, ref)
            owner_db = self.dbs[owner]
            before_counts = self.counts(owner_db)[0]
            r = self.index_shard(owner_db, owner)
            self.rep.check("%s: a rerun is a no-op" % label,
                           r.ok and self.counts(owner_db)[0] == before_counts, r.describe())
            self.grown_whole = whole

    def merged(self):
        into = self.tmp.join("merged")
        r = self.run.run("merge", "--quiet", "--into", into, *self.dbs)
        if not self.rep.check("merge: the 3 shards merge", r.ok, r.describe()):
            return
        got, want = self.counts(into)[0], self.counts(self.grown_whole)[0]
        self.rep.check("merge: == the unsharded database", got == want, diff_counts(want, got))
        st, wst = self.stats(into), self.stats(self.grown_whole)
        keys = ("documents", "pretokens", "invalid_utf8_replaced", "skipped_stretches")
        self.rep.check("merge: stats == the unsharded database's",
                       [st[k] for k in keys] == [wst[k] for k in keys]
                       and sorted(f["path"] for f in st["files"]) == self.names
                       and all(f["bytes_held"] == f["size"] and f["first_document"]
                               for f in st["files"]), str(st["files"])[:300])
        files = [os.path.join(self.data, n) for n in self.names]
        r = self.run.run("index", "--db", into, "--root", self.data, *files)
        self.rep.check("merge: an unsharded index of the same files into it does nothing",
                       r.ok and b"nothing was done" in r.err and self.counts(into)[0] == want,
                       r.describe())
        r = self.index_shard(into, 1)
        self.rep.check("merge: --shard 1/3 into it does nothing",
                       r.ok and self.counts(into)[0] == want, r.describe())

    def fill(self):
        db = self.dbs[0]
        files = [os.path.join(self.data, n) for n in self.names]
        r = self.run.run("index", "--quiet", "--db", db, "--root", self.data, *files)
        got, want = self.counts(db)[0], self.counts(self.grown_whole)[0]
        self.rep.check("fill: an unsharded run into shard 0 plans what it lacks: == unsharded",
                       r.ok and got == want, r.describe() if not r.ok else diff_counts(want, got))
        st, wst = self.stats(db), self.stats(self.grown_whole)
        self.rep.check("fill: documents and pretokens == unsharded",
                       (st["documents"], st["pretokens"]) == (wst["documents"], wst["pretokens"]),
                       "%r vs %r" % ((st["documents"], st["pretokens"]),
                                     (wst["documents"], wst["pretokens"])))
        r = self.run.run("index", "--db", db, "--root", self.data, *files)
        self.rep.check("fill: again: up to date", r.ok and self.counts(db)[0] == want,
                       r.describe())

    def refused(self):
        f = os.path.join(self.data, "small.txt")
        db = self.tmp.join("refused")
        for bad in ("3/3", "1/0", "a/b", "1", "-1/3", "1/3/4", ""):
            r = self.run.run("index", "--db", db, "--shard", bad, f)
            self.rep.check("refused: --shard %r exits 2 in one line" % bad,
                           r.rc == 2 and len(r.err.strip().splitlines()) == 1
                           and not os.path.exists(db), r.describe())
        r = self.run.run("index", "--db", db, "--shard", "0/2", "-")
        self.rep.check("refused: --shard with a stream exits 2",
                       r.rc == 2 and b"standard input" in r.err and not os.path.exists(db),
                       r.describe())
        r = self.run.run("index", "--db", db, "--root", self.copy, f)
        self.rep.check("refused: a file outside --root exits 2",
                       r.rc == 2 and b"--root" in r.err and not os.path.exists(db), r.describe())
        absdb = self.tmp.join("absolute")
        r = self.run.run("index", "--quiet", "--db", absdb, f)
        r = self.run.run("index", "--quiet", "--db", absdb, "--root", self.data, f)
        self.rep.check("refused: --root into a database keyed by absolute paths",
                       r.rc != 0 and b"absolute" in r.err, r.describe())

    def main(self):
        self.rep.section("split", self.split)
        self.rep.section("resume", self.resume)
        self.rep.section("growth", self.growth)
        self.rep.section("merge", self.merged)
        self.rep.section("fill", self.fill)
        self.rep.section("refused", self.refused)


def main():
    return run_suite(Shards, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
