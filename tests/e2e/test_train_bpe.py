#!/usr/bin/env python3
"""`pretok-db train-bpe` against the Python reference trainer.

Each case indexes files with the CLI, trains with the CLI, reads the merges
and the vocabulary back from merges.txt and vocab.json (GPT-2's format:
token bytes through the bytes-to-unicode map, inverted here; special tokens
as themselves), and compares them with tests/bpe/reference_bpe.py trained on
the same files counted by Python `regex`: merges identical, vocabularies
equal as id -> bytes. The reference runs once per input at the largest
vocabulary size a case asks for; the results at smaller sizes are its
prefixes (training is greedy: stopping earlier gives the first merges), so
the CLI, run at each size, is compared with the prefix.

Sections:
  1. reference      the reference's two ways of counting pairs (only the
                    words a merge changes; everything at every merge) agree.
  2. samples        the corpus samples and data/*.txt: gpt2 and cl100k, with
                    the database's special token, without any, with others
                    given to train-bpe; vocabulary sizes 300, 1000, 2000;
                    --min-count; --threads 1 and 2; the output files and the
                    --json summary.
  3. out of pairs   a vocabulary larger than the counts allow: training stops
                    when no pair is left, says so, and the files hold what was
                    learnt.
  4. growth         a file indexed half, then grown by appending the rest and
                    indexed again, trains to the same files as the whole file
                    indexed at once.
  5. errors         missing / not-a-database / regular-file --db, vocabulary
                    smaller than 256 + special tokens, unwritable --out (a
                    file, under a file, in /proc, a directory we may not
                    write, empty), bad --special-token, --memory-limit too small
                    (the --min-count it suggests then works), usage errors:
                    each one line on stderr, exit 1 (2 for usage), nothing
                    left in --out.
  6. stop           SIGINT during training: exit 130, one line, nothing
                    written.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
# --pattern takes these names; any other pattern is given with --regex.
BUILTIN_NAMES = ("gpt2", "cl100k", "o200k", "r50k_base", "p50k_base", "cl100k_base", "o200k_base")
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "bpe"))

from e2e_lib import Result, Runner, make_corpus, run_suite, stderr_lines  # noqa: E402
from reference_count import count_files  # noqa: E402
import reference_bpe  # noqa: E402

EOT = "<|endoftext|>"
FILES = ["vocab.json", "merges.txt", "tokenizer.json", "tokenizer.tiktoken", "tiktoken.json"]


def unicode_to_bytes():
    """The inverse of GPT-2's bytes_to_unicode(): character -> byte."""
    return {c: b for b, c in reference_bpe.bytes_to_unicode().items()}


U2B = unicode_to_bytes()


def token_bytes(s):
    return bytes(U2B[ch] for ch in s)


def read_output(out, specials):
    """(vocab id -> bytes, merges [(bytes, bytes)]) from vocab.json and
    merges.txt of a train-bpe output directory."""
    with open(os.path.join(out, "vocab.json"), encoding="utf-8") as f:
        vocab_json = json.load(f)
    vocab = {}
    for s, i in vocab_json.items():
        vocab[i] = s.encode("utf-8") if i < len(specials) else token_bytes(s)
    with open(os.path.join(out, "merges.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines[0] != "#version: 0.2":
        raise ValueError("merges.txt starts with %r" % lines[0])
    merges = []
    for line in lines[1:]:
        if line:
            a, b = line.split(" ")
            merges.append((token_bytes(a), token_bytes(b)))
    return vocab, merges


def show_merge(m):
    return "(%r, %r)" % m


class Suite:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.samples = os.path.join(a.corpus, "samples")
        self.ref_cache = {}
        self.n = 0

    def path(self, name):
        self.n += 1
        return self.tmp.join("%02d-%s" % (self.n, name))

    def main(self):
        r = self.rep
        r.section("reference: incremental == naive", self.reference_modes)
        r.section("samples and data", self.samples_and_data)
        r.section("out of pairs", self.out_of_pairs)
        r.section("growth", self.growth)
        r.section("errors", self.errors)
        r.section("stop", self.stop)

    # ------------------------------------------------------------------ helpers

    def index(self, files, pattern="gpt2", split=(EOT,), db=None):
        db = db or self.path("db")
        args = ["index", "--quiet", "--db", db, ("--pattern" if pattern in BUILTIN_NAMES else "--regex"), pattern]
        if split:
            for t in split:
                args += ["--special-token", t]
        else:
            args.append("--no-special-tokens")
        r = self.run.run(*(args + list(files)))
        if not r.ok:
            raise RuntimeError("index failed: " + r.describe())
        return db

    def reference(self, files, pattern, split, specials, vocab_size, min_count=1):
        """The reference's (vocab, merges, ran_out) at vocab_size, from its run
        at the largest size asked for these inputs (see the docstring)."""
        key = (tuple(files), pattern, tuple(split), tuple(specials), min_count)
        hit = self.ref_cache.get(key)
        if hit is None or hit[0] < vocab_size:
            t0 = time.time()
            counts = count_files(files, tuple(split), pattern=pattern).counts
            vocab, merges, ran_out = reference_bpe.train_bpe(counts, vocab_size, specials,
                                                             min_count)
            self.rep.note("reference %s %s vocab %d: %.1f s" % (
                "+".join(os.path.basename(f) for f in files), pattern, vocab_size,
                time.time() - t0))
            hit = self.ref_cache[key] = (vocab_size, vocab, merges, ran_out)
        size, vocab, merges, ran_out = hit
        k = len(specials) + 256
        n = vocab_size - k
        if size > vocab_size:
            ran_out = len(merges) < n
            merges = merges[:n]
            vocab = {i: t for i, t in vocab.items() if i < k + n}
        return vocab, merges, ran_out

    def train(self, db, vocab_size, out=None, extra=()):
        out = out or self.path("out")
        r = self.run.run("train-bpe", "--db", db, "--vocab-size", vocab_size, "--out", out,
                         "--json", *extra)
        return r, out

    def compare(self, name, files, pattern, split, specials, vocab_size, db,
                min_count=1, extra=()):
        rep = self.rep
        args = list(extra)
        if min_count != 1:
            args += ["--min-count", str(min_count)]
        r, out = self.train(db, vocab_size, extra=args)
        if not rep.check(name + ": train-bpe succeeds", r.ok, r.describe()):
            return None
        vocab, merges = read_output(out, specials)
        rvocab, rmerges, rran_out = self.reference(files, pattern, split, specials,
                                                   vocab_size, min_count)
        same = merges == rmerges
        detail = "%d merges" % len(merges)
        if not same:
            first = next((i for i, (x, y) in enumerate(zip(merges, rmerges)) if x != y),
                         min(len(merges), len(rmerges)))
            detail = ("%d merges, reference %d; first difference at %d: %s vs %s" % (
                len(merges), len(rmerges), first,
                show_merge(merges[first]) if first < len(merges) else "-",
                show_merge(rmerges[first]) if first < len(rmerges) else "-"))
        rep.check(name + ": merges identical to the reference", same, detail)
        rep.check(name + ": vocabulary equal as id -> bytes", vocab == rvocab,
                  "%d ids, reference %d" % (len(vocab), len(rvocab)))
        try:
            j = r.json()
        except ValueError as e:
            rep.fail(name + ": --json prints one object", str(e))
            return out
        rep.check(name + ": --json summary agrees",
                  j.get("merges") == len(merges) and j.get("vocab_size") == len(vocab)
                  and j.get("ran_out_of_pairs") == rran_out
                  and j.get("special_tokens") == list(specials)
                  and j.get("files") == FILES and j.get("peak_rss_bytes", 0) > 0,
                  json.dumps({k: j.get(k) for k in ("merges", "vocab_size", "ran_out_of_pairs",
                                                    "special_tokens", "files")}))
        return out

    # ------------------------------------------------------------------ sections

    def reference_modes(self):
        path = os.path.join(self.a.data, "sample-web.txt")
        with open(path, "rb") as f:
            data = f.read()[:96 << 10]
        small = self.path("ref-small.txt")
        with open(small, "wb") as f:
            f.write(data)
        counts = count_files([small], (EOT,)).counts
        fast = reference_bpe.train_bpe(counts, 500, [EOT])
        naive = reference_bpe.train_bpe(counts, 500, [EOT], naive=True)
        self.rep.check("reference: both ways of counting give the same merges",
                       fast == naive, "%d merges" % len(fast[1]))
        # "aaa" holds (a, a) twice and merges to "aa" "a".
        v, m, ran_out = reference_bpe.train_bpe({b"aaaa": 1, b"aaa": 2}, 300, [])
        self.rep.check("reference: overlapping pairs counted at every position",
                       m == [(b"a", b"a"), (b"aa", b"a"), (b"aa", b"aa")] and ran_out, repr(m))

    def samples_and_data(self):
        s = lambda n: os.path.join(self.samples, n)  # noqa: E731
        stories, web, adv = s("stories-1M.txt"), s("web-1M.txt"), s("adversarial-256K.bin")
        data = sorted(os.path.join(self.a.data, n) for n in os.listdir(self.a.data)
                      if n.endswith(".txt"))
        cases = [
            # (name, files, pattern, split, train specials (None: the db's), sizes, extra)
            ("stories gpt2", [stories], "gpt2", (EOT,), None, (300, 1000, 2000), ()),
            ("web gpt2", [web], "gpt2", (EOT,), None, (300, 1000, 2000), ()),
            ("web cl100k, no special tokens", [web], "cl100k", (), None, (1000,), ()),
            ("stories cl100k", [stories], "cl100k", (EOT,), None, (1000,), ("--threads", "1")),
            ("adversarial gpt2", [adv], "gpt2", (EOT,), None, (1000,), ()),
            ("data gpt2, no special tokens", data, "gpt2", (), None, (300, 1000), ()),
            ("data cl100k, two others given to train-bpe", data, "cl100k", (EOT,),
             ("<|fim|>", "<pad>"), (1000,), ("--threads", "2")),
        ]
        for name, files, pattern, split, given, sizes, extra in cases:
            db = self.index(files, pattern, split)
            specials = list(split) if given is None else list(given)
            args = list(extra)
            for t in given or ():
                args += ["--special-token", t]
            for size in sizes:
                out = self.compare("%s, vocab %d" % (name, size), files, pattern, split,
                                   specials, size, db, extra=args)
            if out:
                left = sorted(os.listdir(out))
                self.rep.check(name + ": --out holds the five files and nothing else",
                               left == sorted(FILES), repr(left))
        db = self.index([web])
        self.compare("web gpt2 --min-count 3, vocab 1000", [web], "gpt2", (EOT,), [EOT], 1000,
                     db, min_count=3)
        # --no-special-tokens: none at all, though the database has one.
        self.compare("web gpt2, --no-special-tokens, vocab 500", [web], "gpt2", (EOT,), [], 500,
                     db, extra=("--no-special-tokens",))

    def out_of_pairs(self):
        rep = self.rep
        f = self.path("few.txt")
        with open(f, "wb") as fh:
            fh.write(b"aaa aaaa abab<|endoftext|>ab ba aaa\n")
        db = self.index([f])
        r, out = self.train(db, 100000)
        if not rep.check("out of pairs: train-bpe succeeds", r.ok, r.describe()):
            return
        j = r.json()
        vocab, merges = read_output(out, [EOT])
        rvocab, rmerges, ran_out = self.reference([f], "gpt2", (EOT,), [EOT], 100000)
        rep.check("out of pairs: stops where the reference runs out",
                  ran_out and merges == rmerges and vocab == rvocab, "%d merges" % len(merges))
        rep.check("out of pairs: --json says so",
                  j.get("ran_out_of_pairs") is True and j.get("merges") == len(merges)
                  and j.get("merges_requested") == 100000 - 257, json.dumps(j)[:300])
        rep.check("out of pairs: stderr says so",
                  b"no pair left" in r.err, r.err.decode("utf-8", "replace"))

    def growth(self):
        rep = self.rep
        web = os.path.join(self.samples, "web-1M.txt")
        with open(web, "rb") as f:
            data = f.read()
        # Cut in the middle of a word, away from a special token.
        cut = len(data) // 2
        while not (data[cut - 1:cut].isalpha() and data[cut:cut + 1].isalpha()):
            cut += 1
        grown = self.path("grown.txt")
        with open(grown, "wb") as f:
            f.write(data[:cut])
        db = self.index([grown])
        with open(grown, "ab") as f:
            f.write(data[cut:])
        self.index([grown], db=db)
        whole = self.index([web])
        r1, out1 = self.train(db, 1500)
        r2, out2 = self.train(whole, 1500)
        if not rep.check("growth: both train", r1.ok and r2.ok,
                         r1.describe() + " / " + r2.describe()):
            return
        same = all(open(os.path.join(out1, n), "rb").read() == open(os.path.join(out2, n), "rb").read()
                   for n in ("vocab.json", "merges.txt", "tokenizer.tiktoken"))
        rep.check("growth: a database grown by appending trains to the same files", same,
                  "cut at byte %d of %d" % (cut, len(data)))
        vocab, merges = read_output(out1, [EOT])
        rvocab, rmerges, _ = self.reference([web], "gpt2", (EOT,), [EOT], 1500)
        rep.check("growth: and to the reference's merges", merges == rmerges and vocab == rvocab,
                  "%d merges" % len(merges))

    def expect_error(self, name, args, mentions, out, code=1, run=None):
        """The command fails with one line naming `mentions`, exit `code`, and
        `out` is as before (absent, or with the same entries)."""
        before = sorted(os.listdir(out)) if os.path.isdir(out) else (
            "file" if os.path.exists(out) else None)
        r = (run or self.run.run)(*args)
        lines = stderr_lines(r)
        after = sorted(os.listdir(out)) if os.path.isdir(out) else (
            "file" if os.path.exists(out) else None)
        err = r.err.decode("utf-8", "replace")
        ok = (r.rc == code and not r.timed_out and len(lines) == 1
              and lines[0].startswith("pretok-db: error: ")
              and all(m in err for m in mentions) and before == after)
        self.rep.check("error: " + name, ok,
                       "rc %s, out %r -> %r, stderr %r" % (r.rc, before, after, err.strip()))
        return r

    def errors(self):
        stories = os.path.join(self.samples, "stories-1M.txt")
        db = self.index([stories])
        out = self.path("out-never")
        T = lambda *a: ["train-bpe"] + list(a)  # noqa: E731
        missing = self.tmp.join("no-such.db")
        self.expect_error("missing --db", T("--db", missing, "--vocab-size", "300", "--out", out),
                          ["no-such.db"], out)
        notdb = self.path("not-a-db")
        os.mkdir(notdb)
        with open(os.path.join(notdb, "x.txt"), "w") as f:
            f.write("hello\n")
        self.expect_error("--db not a pretok-db database",
                          T("--db", notdb, "--vocab-size", "300", "--out", out), ["not-a-db"], out)
        afile = self.path("a-file")
        with open(afile, "w") as f:
            f.write("x\n")
        self.expect_error("--db a regular file",
                          T("--db", afile, "--vocab-size", "300", "--out", out), ["a-file"], out)
        self.expect_error("vocabulary smaller than 256 + the special token",
                          T("--db", db, "--vocab-size", "256", "--out", out),
                          ["--vocab-size", "257"], out)
        self.expect_error("vocabulary smaller than 256 + special tokens given",
                          T("--db", db, "--vocab-size", "257", "--out", out,
                            "--special-token", "<a>", "--special-token", "<b>"),
                          ["--vocab-size", "258"], out)
        self.expect_error("--out is a regular file",
                          T("--db", db, "--vocab-size", "300", "--out", afile), ["a-file"], afile)
        under = os.path.join(afile, "sub", "out")
        self.expect_error("--out under a regular file",
                          T("--db", db, "--vocab-size", "300", "--out", under), ["a-file"], under)
        self.expect_error("--out in /proc",
                          T("--db", db, "--vocab-size", "300", "--out", "/proc/pretokdb-out"),
                          ["/proc/pretokdb-out"], "/proc/pretokdb-out")
        self.expect_error("--out empty",
                          T("--db", db, "--vocab-size", "300", "--out", ""), ["--out"], out)
        self.unwritable_out(db)
        existing = self.path("out-existing")
        os.mkdir(existing)
        with open(os.path.join(existing, "keep.txt"), "w") as f:
            f.write("kept\n")
        self.expect_error("an error leaves an existing --out as it was",
                          T("--db", db, "--vocab-size", "10", "--out", existing),
                          ["--vocab-size"], existing)
        self.expect_error("empty --special-token",
                          T("--db", db, "--vocab-size", "300", "--out", out, "--special-token", ""),
                          ["--special-token"], out)
        self.expect_error("--special-token given twice",
                          T("--db", db, "--vocab-size", "300", "--out", out,
                            "--special-token", "<a>", "--special-token", "<a>"),
                          ["--special-token", "twice"], out)
        self.expect_error("--memory-limit malformed (usage)",
                          T("--db", db, "--vocab-size", "300", "--out", out, "--memory-limit", "lots"),
                          ["--memory-limit"], out, code=2)
        self.expect_error("missing --vocab-size (usage)", T("--db", db, "--out", out),
                          ["--vocab-size"], out, code=2)
        self.expect_error("--threads 0 (usage)",
                          T("--db", db, "--vocab-size", "300", "--out", out, "--threads", "0"),
                          ["--threads"], out, code=2)
        self.memory_limit()

    def unwritable_out(self, db):
        """--out in a directory we may not write: as nobody when root (root
        writes anywhere), else with the directory's write bit off."""
        locked = self.path("locked")
        os.mkdir(locked)
        out = os.path.join(locked, "out")
        args = ["train-bpe", "--db", db, "--vocab-size", "300", "--out", out]
        if os.geteuid() != 0:
            os.chmod(locked, 0o555)
            try:
                self.expect_error("--out in a directory without write permission", args,
                                  ["locked/out"], out)
            finally:
                os.chmod(locked, 0o755)
            return
        # As nobody: the binary and the database copied where nobody reads.
        pub = self.path("for-nobody")
        os.mkdir(pub)
        binary = os.path.join(pub, "pretok-db")
        shutil.copy2(self.a.bin, binary)
        ndb = os.path.join(pub, "db")
        shutil.copytree(db, ndb)
        for dirpath, _, filenames in os.walk(pub):
            os.chmod(dirpath, 0o755)
            for n in filenames:
                os.chmod(os.path.join(dirpath, n), 0o755)
        os.chmod(self.tmp.path, 0o755)
        os.chmod(locked, 0o755)

        def as_nobody(*a):
            def demote():
                for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
                    signal.signal(s, signal.SIG_DFL)
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            p = subprocess.run([binary] + [str(x) for x in a], stdin=subprocess.DEVNULL,
                               capture_output=True, preexec_fn=demote, timeout=60)
            return Result([binary] + list(a), p.returncode, p.stdout, p.stderr, 0)

        ctl = as_nobody("stats", "--db", ndb)
        if ctl.rc != 0:
            self.rep.skip("--out in a directory nobody may write",
                          "cannot run as uid 65534: %s" % ctl.describe())
            return
        self.expect_error("--out in a directory nobody may write (run as nobody)",
                          ["train-bpe", "--db", ndb, "--vocab-size", "300", "--out", out],
                          ["locked/out"], out, run=as_nobody)

    def memory_limit(self):
        rep = self.rep
        web = os.path.join(self.samples, "web-1M.txt")
        db = self.index([web])
        out = self.path("out-mem")
        r = self.expect_error("--memory-limit too small: refused, with a --min-count",
                              ["train-bpe", "--db", db, "--vocab-size", "2000", "--out", out,
                               "--memory-limit", "24M"],
                              ["distinct pretokens", "--min-count"], out)
        err = r.err.decode("utf-8", "replace")
        at = err.find("--min-count ")
        if at < 0:
            return
        suggested = int(err[at + len("--min-count "):].split()[0])
        r2, out2 = self.train(db, 2000, out=out, extra=("--memory-limit", "24M",
                                                        "--min-count", str(suggested)))
        rep.check("--memory-limit: the suggested --min-count %d fits" % suggested,
                  r2.ok and r2.json().get("pretokens_kept", 0) > 0, r2.describe())

    def stop(self):
        rep = self.rep
        corpus = make_corpus(self.a.corpus, "web", "16M", 7, self.path("web-16M.txt"))
        db = self.index([corpus])
        for attempt, delay in enumerate((0.4, 0.15, 0.05)):
            out = self.path("out-stopped")
            p = self.run.start("train-bpe", "--db", db, "--vocab-size", "60000", "--out", out)
            time.sleep(delay)
            sent = p.signal(signal.SIGINT)
            r = p.wait(120)
            if not sent or r.rc == 0:
                rep.note("train-bpe ended before SIGINT (%.2f s): again, sooner" % delay)
                continue
            lines = stderr_lines(r)
            rep.check("stop: SIGINT exits 130 with one line, nothing written",
                      r.rc == 130 and lines and "stopped" in lines[-1]
                      and not os.path.exists(out),
                      "rc %s, stderr %r, out exists: %s" % (r.rc, lines[-2:], os.path.exists(out)))
            return
        rep.skip("stop", "training always ended before the signal")


def main():
    return run_suite(Suite, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
