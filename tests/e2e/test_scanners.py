#!/usr/bin/env python3
"""The cl100k and o200k scanners give the RE2 path's counts, byte for byte.

`--pattern cl100k` and `--pattern o200k` run hand-written scanners
(src/text/cl100k_scanner.h, o200k_scanner.h) and cut files at the kTiktoken
safe cuts (src/text/safe_cut.h). The same patterns spelled differently are
user patterns: RE2 runs them, and only special tokens cut. So indexing every
test corpus both ways and comparing the exports checks the scanners, their
block paths and the cut rule together: on data/, every sample of
tools/corpus/samples/, fresh make-corpus output of each kind and 3 MB of
text without a single ASCII byte (which only the cuts beyond ASCII can
split: a stretch of over 1 MiB without a cut would be skipped), with and
without special tokens (one document per file: cut at safe cuts only), at
1 and 2 workers and memory limits down to 64K (hundreds of spills).

Then the scanners against Python `regex` itself, through scan_dump (built
beside pretok-db): tools/fuzz_scanner_vs_python.py --pattern cl100k and
--pattern o200k on random and adversarial text and on the samples.
"""
import glob
import os
import random
import subprocess
import sys
# --pattern takes these names; any other pattern is given with --regex.
BUILTIN_NAMES = ("gpt2", "cl100k", "o200k", "r50k_base", "p50k_base", "cl100k_base", "o200k_base")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))

from e2e_lib import Runner, make_corpus, run_suite  # noqa: E402
import gen_pattern_golden  # noqa: E402

# The built-in patterns as user patterns, the same matches spelled
# otherwise, so that RE2 runs them: cl100k as src/text/pattern.cc gives it
# to RE2 (no possessives, \Z for $), o200k with the classes of its word
# branches listed in another order.
RE2_SPELLINGS = {
    "cl100k": gen_pattern_golden.CL100K_RE2_PATTERN,
    "o200k": gen_pattern_golden.O200K_PATTERN.replace(
        r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", r"[\p{Lt}\p{Lu}\p{Lm}\p{Lo}\p{M}]"),
}

# (workers, --memory-limit) of the scanner runs; the RE2 run is the first.
RE2_RUN = (2, "256M")
SCANNER_RUNS = [(1, "64K"), (2, "64K"), (2, "1M"), (1, "256M")]


class Scanners:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.n = 0

    def new_db(self):
        self.n += 1
        return self.tmp.join("db%03d" % self.n)

    def corpora(self):
        files = sorted(glob.glob(os.path.join(self.a.data, "*.txt")))
        files += sorted(glob.glob(os.path.join(self.a.corpus, "samples", "*")))
        for kind in ("stories", "web", "adversarial"):
            out = self.tmp.join("fresh-%s.txt" % kind)
            files.append(make_corpus(self.a.corpus, kind, "2M", 5, out))
        files.append(self.no_ascii(self.tmp.join("no-ascii.txt"), 3 << 20))
        return files

    @staticmethod
    def no_ascii(path, size):
        """Text with no ASCII byte: words of Chinese (no spaces), Cyrillic,
        Greek and Devanagari (with its marks), between non-ASCII spaces,
        line separators, CJK and other punctuation, digits of other scripts,
        emoji; Unicode 14 characters only."""
        rng = random.Random(14)
        scripts = ["\u4e00\u4e8c\u4e09\u6587\u5b57\u4e2d\u56fd\u4eba\u5927\u5c0f",
                   "\u0430\u0431\u0432\u0433\u0434\u0416\u0429\u042f\u0451\u044f",
                   "\u03b1\u03b2\u03b3\u0394\u03a9\u03c9\u1f88\u03ac",
                   "\u0915\u0916\u0917\u0928\u092e\u093e\u093f\u094d\u0947\u0902"]
        between = ["\u3000", "\u00a0", "\u2009", "\u3002", "\uff0c", "\u2014", "\u201c",
                   "\u201d", "\u2028", "\u0085", "\u00b7", "\u300c", "\u300d",
                   "\U0001f600", "\u2764\ufe0f", "\u00e9"]
        digits = ["\u0660", "\u0966", "\uff10"]
        out, n = [], 0
        while n < size:
            r = rng.random()
            if r < 0.7:
                chars = rng.choice(scripts)
                piece = "".join(rng.choice(chars) for _ in range(rng.randint(1, 12)))
            elif r < 0.95:
                piece = rng.choice(between)
            else:
                zero = ord(rng.choice(digits))
                piece = "".join(chr(zero + rng.randrange(10)) for _ in range(rng.randint(1, 7)))
            out.append(piece)
            n += len(piece.encode("utf-8"))
        data = "".join(out).encode("utf-8")
        assert max(data) >= 0x80 and min(data) >= 0x80
        with open(path, "wb") as f:
            f.write(data)
        return path

    def index(self, label, path, pattern, workers, memory, tokens):
        """Indexes path; returns (export bytes, stats dict), or (None, None)
        after reporting a failure."""
        db = self.new_db()
        args = ["index", "--quiet", "--db", db, ("--pattern" if pattern in BUILTIN_NAMES else "--regex"), pattern,
                "--workers", workers, "--memory-limit", memory]
        if not tokens:
            args.append("--no-special-tokens")
        r = self.run.run(*args, path)
        e = self.run.export(db) if r.ok else r
        st, s = self.run.stats(db) if r.ok else (None, r)
        if not (r.ok and e.ok and st is not None):
            failed = r if not r.ok else e if not e.ok else s
            self.rep.fail("%s, %d workers, %s: index, export, stats" % (label, workers, memory),
                          failed.describe())
            return None, None
        return e.out, st

    def compare(self, path, pattern, tokens):
        label = "%s %s%s" % (os.path.basename(path), pattern,
                             "" if tokens else " (no special tokens)")
        want, st = self.index(label + " by RE2", path, RE2_SPELLINGS[pattern], *RE2_RUN,
                              tokens)
        if want is None:
            return
        self.rep.check("%s: the RE2 spelling runs as a custom pattern" % label,
                       st["config"]["pattern"] == "custom", str(st["config"]))
        for workers, memory in SCANNER_RUNS:
            got, st = self.index(label, path, pattern, workers, memory, tokens)
            if got is None:
                continue
            detail = "%d workers, %s: %d spills, %d pretokens, %d stretches skipped" % (
                workers, memory, st["spills"], st["pretokens"], st["skipped_stretches"])
            self.rep.check("%s, %d workers, --memory-limit %s: export == RE2's, none skipped"
                           % (label, workers, memory),
                           got == want and st["skipped_stretches"] == 0, detail)
            if memory == "64K" and os.path.getsize(path) >= 1 << 20:
                self.rep.check("%s, %d workers, 64K: spills many times" % (label, workers),
                               st["spills"] >= 20, detail)

    def against_re2(self):
        for path in self.corpora():
            for pattern in ("cl100k", "o200k"):
                for tokens in (True, False):
                    self.compare(path, pattern, tokens)

    def against_python(self):
        scan_dump = os.path.join(os.path.dirname(self.a.bin), "scan_dump")
        if not os.access(scan_dump, os.X_OK):
            self.rep.skip("scanners vs Python regex", "no scan_dump beside %s" % self.a.bin)
            return
        fuzz = os.path.join(ROOT, "tools", "fuzz_scanner_vs_python.py")
        samples = sorted(glob.glob(os.path.join(self.a.corpus, "samples", "*")))
        for pattern in ("cl100k", "o200k"):
            p = subprocess.run([sys.executable, fuzz, "--bin", scan_dump, "--pattern", pattern,
                                "--iterations", "12", "--size", "100000", "--seed", "21"]
                               + samples, capture_output=True, text=True, timeout=self.a.timeout)
            last = (p.stdout.strip().splitlines() or [""])[-1]
            self.rep.check("%s scanner == Python regex on random, adversarial and sample text"
                           % pattern, p.returncode == 0,
                           last if p.returncode == 0 else p.stdout[-2000:] + p.stderr[-1000:])

    def main(self):
        self.rep.section("scanners vs the RE2 path, end to end", self.against_re2)
        self.rep.section("scanners vs Python regex", self.against_python)


def main():
    return run_suite(Scanners, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
