#!/usr/bin/env python3
"""Resume test: a run killed at random moments and restarted ends exactly as
an uninterrupted run; re-indexing a finished file changes nothing; SIGTERM and
SIGINT stop cleanly, say how to resume, and a re-run finishes exactly.
"""
import os
import random
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import (RefCache, Runner, diff_counts, first_diff_line, hex_export, make_corpus,  # noqa: E402
                     parse_hex_export, run_suite, stats_without_elapsed)

WORKERS = 2
MEMORY = "1M"
MIN_KILLS = 5


def extra_args(ap):
    ap.add_argument("--seed", type=int, default=20251125, help="random seed of the kill delays")
    ap.add_argument("--size", default="30M", help="size of the generated web corpus")


class Resume:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.rng = random.Random(a.seed)
        self.ndb = 0

    def new_db(self):
        self.ndb += 1
        return self.tmp.join("db%02d" % self.ndb)

    def index_args(self, db):
        return ["index", "--db", db, "--workers", WORKERS, "--memory-limit", MEMORY, self.file]

    def sleep_while_running(self, proc, delay):
        end = time.time() + delay
        while proc.running():
            left = end - time.time()
            if left <= 0:
                break
            time.sleep(min(left, 0.01))

    def compare_with_baseline(self, name, db):
        """export byte-identical to the uninterrupted run; stats figures equal."""
        rep, run = self.rep, self.run
        e = run.export(db)
        if not rep.check(name + ": export exits 0", e.ok, "" if e.ok else e.describe()):
            return
        if e.out == self.export0:
            rep.check(name + ": export identical to the uninterrupted run", True)
        else:
            got, _ = parse_hex_export(e.out)
            base, _ = parse_hex_export(self.export0)
            detail = diff_counts(base, got) or first_diff_line(e.out, self.export0)
            rep.fail(name + ": export identical to the uninterrupted run", detail)
        st, sr = run.stats(db)
        if not rep.check(name + ": stats --json", st is not None,
                         "" if st is not None else sr.describe()):
            return
        bad = []
        for k in ("pretokens", "documents", "distinct_pretokens", "invalid_utf8_replaced"):
            if st.get(k) != self.stats0.get(k):
                bad.append("%s=%r, uninterrupted %r" % (k, st.get(k), self.stats0.get(k)))
        files = st.get("files") or []
        done = [f.get("bytes_done") for f in files if isinstance(f, dict)]
        if done != [self.size]:
            bad.append("bytes_done=%r expected [%d]" % (done, self.size))
        rep.check(name + ": stats equal to the uninterrupted run", not bad,
                  "; ".join(bad) if bad else "pretokens %s, documents %s"
                  % (st.get("pretokens"), st.get("documents")))

    def progress(self, db):
        """(bytes_done, pretokens) of a possibly partial DB, or None."""
        st, r = self.run.stats(db)
        if st is None:
            return None, r
        files = st.get("files") or []
        done = sum(f.get("bytes_done", 0) for f in files if isinstance(f, dict))
        return (done, st.get("pretokens")), r

    # ------------------------------------------------------------------ parts

    def baseline(self):
        rep, run = self.rep, self.run
        db = self.db0 = self.new_db()
        r = run.run(*self.index_args(db))
        self.t_full = r.elapsed
        if not rep.check("uninterrupted run exits 0", r.ok,
                         r.describe() if not r.ok else "%.2f s" % r.elapsed):
            return False
        e = run.export(db)
        if not rep.check("uninterrupted run: export exits 0", e.ok, "" if e.ok else e.describe()):
            return False
        self.export0 = e.out
        st, sr = run.stats(db)
        if not rep.check("uninterrupted run: stats --json", st is not None,
                         "" if st is not None else sr.describe()):
            return False
        self.stats0 = st
        rep.note("uninterrupted: %.2f s, spills %s, pretokens %s"
                 % (r.elapsed, st.get("spills"), st.get("pretokens")))
        # the baseline itself against the Python reference (cheap: ~3 s for 30 MB)
        ref = RefCache().file(self.file)
        if e.out == hex_export(ref.counts):
            rep.check("uninterrupted run: export identical to the Python reference", True)
        else:
            got, _ = parse_hex_export(e.out)
            rep.fail("uninterrupted run: export identical to the Python reference",
                     diff_counts(dict(ref.counts), got))
        bad = ["%s=%r expected %r" % (k, st.get(k), v) for k, v in
               (("pretokens", ref.pretokens), ("documents", ref.documents),
                ("distinct_pretokens", ref.distinct)) if st.get(k) != v]
        rep.check("uninterrupted run: stats match the Python reference", not bad, "; ".join(bad))
        return True

    def reindex_unchanged(self):
        rep, run = self.rep, self.run
        db = self.db0
        r = run.run(*self.index_args(db))
        if not rep.check("re-index of a fully indexed file exits 0", r.ok,
                         r.describe() if not r.ok else "%.2f s" % r.elapsed):
            return
        e = run.export(db)
        rep.check("re-index: export unchanged", e.ok and e.out == self.export0,
                  e.describe() if not e.ok else ("" if e.out == self.export0 else
                                                 first_diff_line(e.out, self.export0)))
        st, sr = run.stats(db)
        a, b = stats_without_elapsed(self.stats0), stats_without_elapsed(st)
        if st is None:
            rep.fail("re-index: stats unchanged (except elapsed_seconds)", sr.describe())
        else:
            diff = ["%s: %r -> %r" % (k, a.get(k), b.get(k))
                    for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
            rep.check("re-index: stats unchanged (except elapsed_seconds)", not diff,
                      "; ".join(diff))

    def kill_loop(self):
        rep, run = self.rep, self.run
        rep.note("kill delays: random.Random(%d), uniform(0.05, hi)" % self.a.seed)
        hi = min(1.5, max(0.1, 0.8 * self.t_full))
        kills, attempts, rounds = 0, 0, 0
        db = None
        partial = []   # (bytes_done, pretokens) after each kill
        finished = False
        while attempts < 40:
            if db is None:
                rounds += 1
                db = self.new_db()
                kills, partial = 0, []
                rep.note("round %d: fresh DB %s, delays up to %.2f s"
                         % (rounds, os.path.basename(db), hi))
            attempts += 1
            delay = self.rng.uniform(0.05, hi)
            if kills >= MIN_KILLS:
                p = run.start(*self.index_args(db))   # let it finish
                res = p.wait(self.a.timeout)
                rep.check("final run after %d kills exits 0" % kills, res.rc == 0
                          and not res.timed_out, res.describe() if res.rc else
                          "%.2f s" % res.elapsed)
                finished = True
                break
            p = run.start(*self.index_args(db))
            self.sleep_while_running(p, delay)
            sent = p.signal(signal.SIGKILL)
            res = p.wait(60)
            if sent:
                kills += 1
                # informational: a kill can land before the DB is even created
                prog, sr = self.progress(db)
                if prog is not None:
                    partial.append(prog)
                    rep.note("SIGKILL #%d after %.2f s: bytes_done %s of %d, pretokens %s"
                             % (kills, delay, prog[0], self.size, prog[1]))
                else:
                    rep.note("SIGKILL #%d after %.2f s: stats not available: %s"
                             % (kills, delay, sr.describe()))
            else:
                # it finished on its own before the kill: this round proves less.
                rep.check("run %d finished by itself before the kill exits 0" % attempts,
                          res.rc == 0, res.describe())
                if kills >= MIN_KILLS:
                    finished = True
                    break
                rep.note("finished after %.2f s, before the kill at %.2f s, after only %d kills:"
                         " retrying in a fresh DB with shorter delays" % (res.elapsed, delay, kills))
                if rounds >= 4:
                    finished = True
                    break
                hi = max(0.06, hi / 2)
                db = None
        rep.check("at least %d SIGKILLs landed mid-run" % MIN_KILLS, kills >= MIN_KILLS,
                  "%d kills in round %d, %d attempts" % (kills, rounds, attempts))
        if db is None or not finished:
            rep.fail("kill loop ended", "no final run (attempts %d)" % attempts)
            return
        final_pt = None
        if partial:
            st, _ = self.run.stats(db)
            final_pt = st.get("pretokens") if st else None
            over = [pt for _, pt in partial
                    if isinstance(pt, int) and isinstance(final_pt, int) and pt > final_pt]
            rep.check("pretokens after each kill never exceed the final count", not over,
                      "partial %s, final %s" % ([pt for _, pt in partial], final_pt))
        self.compare_with_baseline("after %d SIGKILLs + resume" % kills, db)
        shutil.rmtree(db, ignore_errors=True)

    def signal_then_resume(self, sig):
        rep, run = self.rep, self.run
        name = signal.Signals(sig).name
        res, db = None, None
        for frac in (0.4, 0.2, 0.1, 0.05):
            db = self.new_db()
            delay = max(0.05, frac * self.t_full)
            p = run.start(*self.index_args(db))
            self.sleep_while_running(p, delay)
            sent = p.signal(sig)
            t_sig = time.time()
            res = p.wait(60)
            if sent:
                waited = time.time() - t_sig
                break
            rep.note("%s: run finished before the signal at %.2f s; retrying earlier"
                     % (name, delay))
            shutil.rmtree(db, ignore_errors=True)
            res = None
        if res is None:
            rep.skip("%s mid-run" % name, "every run finished before the signal")
            return
        rep.check("%s after %.2f s: process stops within 60 s" % (name, delay),
                  not res.timed_out, "stopped %.2f s after the signal, exit %s"
                  % (waited, res.rc))
        err = res.err.decode("utf-8", "replace")
        rep.check("%s: stderr says how to resume" % name, "resume" in err.lower(),
                  "stderr: %r" % err[-500:])
        prog, sr = self.progress(db)
        if os.path.isdir(db):
            rep.check("%s: stats works on the interrupted DB" % name, prog is not None,
                      "" if prog is not None else sr.describe())
        else:
            rep.note("%s: no DB directory yet after %.2f s" % (name, delay))
        if prog is not None:
            rep.note("%s: interrupted at bytes_done %s of %d, pretokens %s"
                     % (name, prog[0], self.size, prog[1]))
        r = run.run(*self.index_args(db))
        if rep.check("%s: re-run exits 0" % name, r.ok,
                     r.describe() if not r.ok else "%.2f s" % r.elapsed):
            self.compare_with_baseline("%s + re-run" % name, db)
        shutil.rmtree(db, ignore_errors=True)

    def main(self):
        self.file = self.tmp.join("web-%s.txt" % self.a.size)
        make_corpus(self.a.corpus, "web", self.a.size, 5, self.file)
        self.size = os.path.getsize(self.file)
        print("random seed for kill delays: %d" % self.a.seed, flush=True)
        if not self.rep.section("uninterrupted run", self.baseline):
            return
        self.rep.section("re-index a fully indexed file", self.reindex_unchanged)
        self.rep.section("SIGKILL at random moments, then resume", self.kill_loop)
        self.rep.section("SIGTERM, then re-run", self.signal_then_resume, signal.SIGTERM)
        self.rep.section("SIGINT, then re-run", self.signal_then_resume, signal.SIGINT)


def main():
    return run_suite(Resume, __doc__.split("\n\n")[0], extra_args)


if __name__ == "__main__":
    sys.exit(main())
