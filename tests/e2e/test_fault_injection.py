#!/usr/bin/env python3
"""Fault-injection test: an index run over several files (tens of MB of
make-corpus text, 2 workers, a small --memory-limit so that spills are
frequent) is SIGKILLed at random moments; between restarts one of the files
grows by appending (new text, often stopping in the middle of a word, a
special token, a UTF-8 character or a whitespace run); every restart is the
same command over the same files. The final export must equal the Python
reference over the final files byte for byte, and the stats figures its own.

Sections:
  1. kills + appends between restarts   (the main loop, >= MIN_KILLS kills)
  2. appends while a run is indexing     (the file grows under a running
                                          `index`; the next run sees it grown)
  3. SIGKILL while a new database is     (kills 0-160 ms into the first run;
     being created                        the same command must then work)

Everything random comes from random.Random(--seed); the seed and the list of
events (appends with their byte ranges, kills with their delays) are printed
with any failure, so a failure can be replayed by hand. Kill delays depend on
the machine's speed, so a replay may not land the kills at the same bytes.
"""
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import (Runner, count_bytes, diff_counts, first_diff_line, hex_export,  # noqa: E402
                     make_corpus, parse_hex_export, run_suite, stats_without_elapsed)
from reference_count import RefResult  # noqa: E402

WORKERS = 2
MEMORY = "1M"
MIN_KILLS = 10
MAX_ATTEMPTS = 40
SPECIAL = b"<|endoftext|>"
MIB = 1 << 20


def extra_args(ap):
    ap.add_argument("--seed", type=int, default=20251127,
                    help="random seed of the appends and the kill delays")
    ap.add_argument("--web-size", default="28M", help="make-corpus web size (two files)")
    ap.add_argument("--stories-size", default="10M", help="make-corpus stories size")


def is_letter(b):
    return 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A


class Grower:
    """One input file revealed as a growing prefix of a source text."""

    def __init__(self, name, path, source, initial):
        self.name, self.path, self.source = name, path, source
        self.length = initial
        with open(path, "wb") as f:
            f.write(source[:initial])

    def open_token(self):
        """Start of the special token the file ends inside of, or -1."""
        i = self.source.rfind(SPECIAL, 0, self.length + len(SPECIAL) - 1)
        return i if i != -1 and i < self.length < i + len(SPECIAL) else -1

    def in_special_token(self):
        return self.open_token() != -1

    def room(self):
        return len(self.source) - self.length

    def pick_end(self, rng, kind, size):
        """A new length > current: about current + size, adjusted for `kind`."""
        s, lo = self.source, self.length + 1
        target = min(len(s), self.length + max(1, size))
        p = None
        if kind == "word":
            p = target
            while p < len(s) and not (is_letter(s[p - 1]) and is_letter(s[p])):
                p += 1
        elif kind == "special":
            i = s.find(SPECIAL, max(0, target - len(SPECIAL) + 1))
            if i != -1:
                p = i + rng.randint(1, len(SPECIAL) - 1)
        elif kind == "utf8":
            p = target
            while p < len(s) and s[p] < 0xC2:
                p += 1
            if p < len(s):
                n = 2 if s[p] < 0xE0 else 3 if s[p] < 0xF0 else 4
                p += rng.randint(1, n - 1)
        elif kind == "same-token":
            # still inside (or just completing) the special token the file ends in
            i = self.open_token()
            if i != -1:
                p = rng.randint(self.length + 1, i + len(SPECIAL))
        elif kind == "space":
            p = target
            while p < len(s) and not (s[p - 1] in b" \n\t" and s[p] in b" \n\t"):
                p += 1
        if p is None or p > len(s):
            p = target
        return max(lo, min(p, len(s)))

    def grow_to(self, end):
        with open(self.path, "ab") as f:
            f.write(self.source[self.length:end])
        old, self.length = self.length, end
        return old


class FaultInjection:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.rng = random.Random(a.seed)
        self.events = []

    def event(self, msg):
        self.events.append(msg)
        print("  [event %d] %s" % (len(self.events), msg), flush=True)

    def repro(self):
        return "seed %d; replay: tests/e2e/test_fault_injection.py --seed %d --keep-tmp; " \
               "events: %s" % (self.a.seed, self.a.seed, " | ".join(self.events))

    def index_args(self, db, files):
        return ["index", "--db", db, "--workers", WORKERS, "--memory-limit", MEMORY,
                "--quiet"] + [g.path for g in files]

    # ------------------------------------------------------------------ appends

    def append_one(self, files, label, forced_kind=None, tiny_same=None):
        rng = self.rng
        cands = [g for g in files if g.room() > 0]
        if not cands:
            return None
        g = tiny_same if tiny_same is not None and tiny_same.room() > 0 else rng.choice(cands)
        r = rng.random()
        if tiny_same is not None:
            size = rng.randint(1, 6)
        elif r < 0.25:
            size = rng.randint(1, 40)
        elif r < 0.55:
            size = rng.randint(100, 64 * 1024)
        else:
            size = rng.randint(256 * 1024, 3 * MIB)
        kind = forced_kind or rng.choice(["word", "word", "special", "special", "utf8", "space",
                                          "any", "any"])
        if tiny_same is not None and not forced_kind:
            if g.in_special_token() and rng.random() < 0.8:
                kind = "same-token"
        end = g.pick_end(rng, kind, size)
        old = g.grow_to(end)
        s = g.source
        self.event("%s: append to %s bytes [%d, %d) (+%d, cut: %s, new end %r|%r)"
                   % (label, g.name, old, end, end - old, kind, s[max(0, end - 12):end],
                      s[end:end + 12]))
        return g

    # ------------------------------------------------------------------ checks

    def compare(self, name, db, files):
        rep, run = self.rep, self.run
        ref = RefResult()
        t0 = time.time()
        for g in files:
            with open(g.path, "rb") as f:
                data = f.read()
            if data != g.source[:g.length]:
                rep.fail("%s: test harness: %s holds its expected bytes" % (name, g.name))
            ref.add(count_bytes(data))
        rep.note("%s: reference over %d files (%d bytes): %.1f s"
                 % (name, len(files), sum(g.length for g in files), time.time() - t0))
        e = run.export(db, "hex")
        if not rep.check(name + ": export exits 0", e.ok, "" if e.ok else e.describe()):
            return False
        want = hex_export(ref.counts)
        zero = [ln for ln in e.out.split(b"\n") if ln.endswith(b"\t0")]
        rep.check(name + ": export prints no 0 count line", not zero,
                  "%d such lines, e.g. %r; %s" % (len(zero), zero[:3], self.repro())
                  if zero else "")
        same = e.out == want
        if same:
            rep.check(name + ": export identical to the Python reference", True,
                      "%d lines, seed %d" % (want.count(b"\n"), self.a.seed))
        else:
            got, _ = parse_hex_export(e.out)
            rep.fail(name + ": export identical to the Python reference",
                     "%s; %s" % (diff_counts(dict(ref.counts), got)
                                 or first_diff_line(e.out, want), self.repro()))
        st, sr = run.stats(db)
        if not rep.check(name + ": stats --json", st is not None,
                         "" if st is not None else sr.describe()):
            return False
        bad = ["%s=%r expected %r" % (k, st.get(k), v) for k, v in
               (("documents", ref.documents), ("pretokens", ref.pretokens),
                ("distinct_pretokens", ref.distinct),
                ("invalid_utf8_replaced", ref.invalid_utf8_replaced)) if st.get(k) != v]
        fs = {f.get("path"): (f.get("size"), f.get("bytes_done")) for f in st.get("files") or []}
        for g in files:
            got = fs.get(os.path.abspath(g.path))
            if got != (g.length, g.length):
                bad.append("%s (size, bytes_done)=%r expected %r"
                           % (g.name, got, (g.length, g.length)))
        rep.check(name + ": stats match the Python reference", not bad,
                  ("; ".join(bad) + "; " + self.repro()) if bad else
                  "documents %d, pretokens %d, spills %s" % (ref.documents, ref.pretokens,
                                                             st.get("spills")))
        return same and not bad

    def sleep_while_running(self, proc, delay):
        end = time.time() + delay
        while proc.running():
            left = end - time.time()
            if left <= 0:
                break
            time.sleep(min(left, 0.005))

    def kill_delay(self, hi):
        if self.rng.random() < 0.2:
            return self.rng.uniform(0.0, 0.12)   # startup: planning, growth commit
        return self.rng.uniform(0.05, hi)

    # ------------------------------------------------------------------ sections

    def setup(self):
        web = make_corpus(self.a.corpus, "web", self.a.web_size, 51, self.tmp.join("web-src.txt"))
        stories = make_corpus(self.a.corpus, "stories", self.a.stories_size, 52,
                              self.tmp.join("stories-src.txt"))
        with open(web, "rb") as f:
            w = f.read()
        with open(stories, "rb") as f:
            s = f.read()
        os.unlink(web)
        os.unlink(stories)
        half = len(w) * 7 // 12
        self.sources = {"web-a": w[:half], "web-b": w[half:], "stories": s}

    def kills_and_appends(self):
        rep, run, rng = self.rep, self.run, self.rng
        d = self.tmp.join("main")
        os.mkdir(d)
        db = os.path.join(d, "db")
        files = [Grower(n, os.path.join(d, n + ".txt"), src, int(len(src) * frac))
                 for (n, src), frac in zip(sorted(self.sources.items()), (0.6, 0.55, 0.5))]
        self.event("initial files: %s" % ", ".join("%s %d bytes (of %d)" % (g.name, g.length,
                                                                              len(g.source))
                                                     for g in files))
        args = self.index_args(db, files)
        kills, attempts, hi, last_grown, checked_mid = 0, 0, 1.5, None, False
        failed_runs = 0
        while kills < MIN_KILLS and attempts < MAX_ATTEMPTS and failed_runs < 3:
            attempts += 1
            label = "before run %d" % attempts
            if attempts == 1:
                pass
            elif (last_grown is not None and last_grown.in_special_token()
                  and rng.random() < 0.75):
                # the file grown last ends inside a special token: a few more
                # bytes, mostly still inside it or just completing it
                last_grown = self.append_one(files, label, tiny_same=last_grown)
            elif rng.random() < 0.8:
                # sometimes a few more bytes onto the file grown last (a cut
                # completed or moved over several appends)
                tiny = last_grown if last_grown is not None and rng.random() < 0.3 else None
                last_grown = self.append_one(files, label, tiny_same=tiny)
            # the first run creates the DB: a kill then is the subject of its own
            # section; here it would only hide everything else
            delay = self.kill_delay(hi) if attempts > 1 else self.rng.uniform(0.3, hi)
            p = run.start(*args)
            self.sleep_while_running(p, delay)
            sent = p.signal(signal.SIGKILL)
            res = p.wait(self.a.timeout)
            if sent:
                kills += 1
                st, _ = run.stats(db)
                done = sum(f.get("bytes_done", 0) for f in (st or {}).get("files") or [])
                self.event("run %d: SIGKILL #%d after %.3f s (bytes_done %s of %d)"
                           % (attempts, kills, delay, done if st else "n/a",
                              sum(g.length for g in files)))
                continue
            ok = rep.check("run %d (finished before its kill at %.2f s) exits 0"
                           % (attempts, delay), res.rc == 0,
                           "%s; %s" % (res.describe(), self.repro()) if res.rc else
                           "%.2f s" % res.elapsed)
            self.event("run %d: finished by itself in %.2f s (exit %s)"
                       % (attempts, res.elapsed, res.rc))
            failed_runs = 0 if ok else failed_runs + 1
            hi = max(0.15, hi * 0.7)
            if ok and not checked_mid:
                checked_mid = True
                self.compare("after run %d (finished by itself)" % attempts, db, files)
            # give the next runs work: a large append
            last_grown = self.append_one(files, "after run %d" % attempts, forced_kind="special")
        rep.check("at least %d SIGKILLs landed mid-run" % MIN_KILLS, kills >= MIN_KILLS,
                  "%d kills in %d attempts%s" % (kills, attempts, "" if kills >= MIN_KILLS
                                                  else "; " + self.repro()))
        # one more growth that stops inside a special token, then a final run
        self.append_one(files, "before the final run", forced_kind="special")
        r = run.run(*args)
        self.event("final run: exit %s in %.2f s" % (r.rc, r.elapsed))
        if not rep.check("final run exits 0", r.ok, "%s; %s" % (r.describe(), self.repro())
                         if not r.ok else "%.2f s" % r.elapsed):
            return
        self.compare("after %d SIGKILLs and appends" % kills, db, files)
        before = (run.export(db).out, stats_without_elapsed(run.stats(db)[0]))
        r = run.run(*args)
        after = (run.export(db).out, stats_without_elapsed(run.stats(db)[0]))
        rep.check("re-run on the unchanged files exits 0 and changes nothing",
                  r.ok and before == after, r.describe() if not r.ok else
                  ("" if before == after else "export or stats changed"))

    def appends_during_runs(self):
        """The file grows while `index` runs on it: the run indexes what it
        planned; the next run sees the file grown."""
        rep, run, rng = self.rep, self.run, self.rng
        d = self.tmp.join("during")
        os.mkdir(d)
        db = os.path.join(d, "db")
        src_a = self.sources["web-b"][:6 * MIB]
        src_b = self.sources["stories"][:4 * MIB]
        files = [Grower("during-web", os.path.join(d, "w.txt"), src_a, 2 * MIB),
                 Grower("during-stories", os.path.join(d, "s.txt"), src_b, MIB)]
        args = self.index_args(db, files)
        for i in range(1, 7):
            p = run.start(*args)
            self.sleep_while_running(p, rng.uniform(0.02, 0.4))
            was_running = p.running()
            g = self.append_one(files, "during run D%d (%s)" % (
                i, "still running" if was_running else "already finished"))
            kill = i % 2 == 1
            if kill:
                self.sleep_while_running(p, rng.uniform(0.0, 0.3))
                sent = p.signal(signal.SIGKILL)
                res = p.wait(self.a.timeout)
                self.event("run D%d: %s" % (i, "SIGKILL" if sent else "finished before the kill"))
                if not sent:
                    rep.check("run D%d exits 0" % i, res.rc == 0, res.describe())
            else:
                res = p.wait(self.a.timeout)
                self.event("run D%d: finished, exit %s (%s grew during it)"
                           % (i, res.rc, g.name if g else "-"))
                rep.check("run D%d (file grew during it) exits 0" % i, res.rc == 0,
                          "%s; %s" % (res.describe(), self.repro()) if res.rc else "")
        r = run.run(*args)
        self.event("run D-final: exit %s" % r.rc)
        if rep.check("appends during runs: final run exits 0", r.ok,
                     r.describe() if not r.ok else "%.2f s" % r.elapsed):
            self.compare("appends during runs", db, files)

    def kill_during_creation(self):
        """SIGKILL in the first ~150 ms of a run on a new database (RocksDB
        creating its files, the column families, the config record): the same
        command must then work and give exact counts."""
        rep, run = self.rep, self.run
        d = self.tmp.join("create")
        os.mkdir(d)
        f = os.path.join(d, "f.txt")
        with open(f, "wb") as fh:
            fh.write(self.sources["stories"][:MIB])
        want = hex_export(count_bytes(self.sources["stories"][:MIB]).counts)
        bad = []
        for i in range(40):
            delay = 0.004 * i
            db = os.path.join(d, "db%02d" % i)
            p = run.start("index", "--db", db, "--quiet", f)
            self.sleep_while_running(p, delay)
            sent = p.signal(signal.SIGKILL)
            p.wait(60)
            left = sorted(os.listdir(db)) if os.path.isdir(db) else None
            r = run.run("index", "--db", db, "--quiet", f)
            e = run.export(db, "hex") if r.ok else None
            if not r.ok or e.out != want:
                bad.append("SIGKILL after %.3f s (%s) left %s; the same command then: %s"
                           % (delay, "mid-run" if sent else "had finished", left,
                              r.describe() if not r.ok else "export differs from the reference"))
                if len(bad) >= 3:
                    break
        rep.check("SIGKILL while a new database is being created, then the same command: "
                  "exit 0 and exact counts", not bad, " || ".join(bad))

    def main(self):
        print("random seed: %d (--seed to replay)" % self.a.seed, flush=True)
        if self.rep.section("generate corpora", self.setup) is None and \
                not hasattr(self, "sources"):
            return
        self.rep.section("SIGKILLs at random moments, appends between restarts",
                         self.kills_and_appends)
        self.rep.section("appends while a run is indexing", self.appends_during_runs)
        self.rep.section("SIGKILL while the database is being created", self.kill_during_creation)
        if self.rep.failed:
            print("random seed was %d" % self.a.seed)


def main():
    return run_suite(FaultInjection, __doc__.split("\n\n")[0], extra_args)


if __name__ == "__main__":
    sys.exit(main())
