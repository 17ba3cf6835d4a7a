#!/usr/bin/env python3
"""Differential test of `index --pattern` and `--invalid-utf8`, special tokens
under every built-in pattern, and refusal of a database built otherwise.

Every counting check indexes into a fresh database and compares the whole
`export --format hex` output byte for byte with tests/e2e/reference_count.py
(count_bytes with pattern= and errors=), and the `stats --json` figures
(pretokens, distinct, documents, invalid_utf8_replaced, config) with it.

  1. patterns    cl100k and o200k on every corpus sample and on fresh
                 make-corpus output of each kind (1.5 MiB), at --workers 1/2 x
                 default memory / 1M (spills); user regexes on samples; a
                 regex RE2 cannot run as Python does (backreference,
                 lookbehind, possessive, ...) is refused in one line, no DB.
  2. utf8        replace / skip on the adversarial corpus and on hand-made
                 files (overlong, surrogates, truncated sequences at end of
                 file and around every 64 KiB read-buffer and 1 MiB edge, lone
                 continuation bytes, NUL, "<|endof\\xfftext|>", dropped bytes
                 between whitespace); strict refuses a file in one line naming
                 it and the byte offset of Python's UnicodeDecodeError.start,
                 leaves an existing DB unchanged and creates none; strict on a
                 valid file counts exactly.
  3. specials    several special tokens, one containing another, tokens that
                 are no pretoken boundary ("ab", " x ", "'s", "\\r\\n"), tokens
                 straddling read-buffer / chunk edges, for gpt2, cl100k, o200k.
  4. config      indexing into a database built with another --pattern,
                 --invalid-utf8 or special tokens is refused in one line naming
                 what differs; the database is unchanged; the same
                 configuration (also spelled otherwise) is accepted.
"""
import os
import random
import re
import shutil
import sys
# --pattern takes these names; any other pattern is given with --regex.
BUILTIN_NAMES = ("gpt2", "cl100k", "o200k", "r50k_base", "p50k_base", "cl100k_base", "o200k_base")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reference_count as refmod  # noqa: E402
from e2e_lib import (DEFAULT_SPECIAL_TOKENS, Runner, diff_counts, first_diff_line, hex_export,  # noqa: E402
                     make_corpus, parse_hex_export, run_suite, stats_without_elapsed,
                     stderr_lines)

GEN_SIZE = "1536K"
GEN_SEED = 23
KINDS = ("stories", "web", "adversarial")
SMALL_MEM = "1M"            # read buffers of 64 KiB, small tables: tens of spills
READ_BUF = 64 << 10         # the read buffer at SMALL_MEM (src/ingest/memory_plan.cc)
SMALL_TIMEOUT = 20          # seconds for a run on a few bytes (a hang is a failure)
CHECK_BLOCK = 1 << 20       # the strict check's block, and the default read buffer
# (workers, memory limit or None for the default)
SETTINGS = [(1, None), (2, None), (1, SMALL_MEM), (2, SMALL_MEM)]
TWO_SETTINGS = [(2, SMALL_MEM), (1, None)]

USER_REGEXES = [
    r"\p{L}+|\p{N}+|[^\s\p{L}\p{N}]+|\s+",
    r"\p{L}+|\p{N}+|[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}{1,2}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
]
# Python's `regex` treats I/i/İ/ı as case variants of each other under (?i);
# RE2's case folding does not: such a pattern must be refused or counted as
# Python counts it.
CASE_REGEXES = [r"(?i)[A-Z]+|\s+|(?s:.)", r"(?i)i+|\s+|(?s:.)"]
CASE_TEXT = "Dı iİi Iı İstanbul DIŞ dış Kİ kı KELVİN\n".encode("utf-8")

# (regex, words of which one must appear in the error, case-insensitive)
REFUSED_REGEXES = [
    (r"(a)\1", ("backreference",)),
    (r"(?P<n>a)(?P=n)", ("backreference",)),
    (r"(?<=a)b", ("lookbehind",)),
    (r"(?<!a)b", ("lookbehind",)),
    (r"a++", ("possessive",)),
    (r"\p{L}*+|\s", ("possessive",)),
    (r"(?>ab)", ("atomic",)),
    (r"a(?=b)|.", ("lookahead",)),
    (r"\bfoo|.", ("\\b", "boundary")),
    (r"\w+|\W", ("\\w",)),
    (r"(", ("missing", "unterminated", "paren")),
]

SPECIAL_SETS = [
    ("several, nested", ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|a|>", "<|a|>x")),
    ("inside pretokens", ("ab", " x ")),
    ("contraction, CRLF, non-ASCII", ("'s", "\r\n", "\u00e9")),
]

# Invalid (or borderline) sequences for the hand-made files.
BAD_SEQS = [
    b"\xff", b"\xfe", b"\x80", b"\xbf\x80",                 # never valid / lone continuation
    b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf",  # overlong
    b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0\xbd\xed\xb8\x80",   # surrogates, CESU-8
    b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",               # above U+10FFFF
    b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98",                  # truncated
    b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80",   # 5/6-byte forms
]
OK_SEQS = [b"\x00", b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xef\xbf\xbd",
           b"\xc2\xa0", b"\xe3\x80\x80"]
FILLER_WORDS = [b"the", b" cat", b" sat", b"\n", b"  ", b" 123", b"!!", b"'s", b" \n",
                b"\t", b" \xc3\xa9t\xc3\xa9", b"<|endoftext|>", b"\r\n"]


def mem_label(m):
    return m if m else "default"


class PatternsUtf8:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.ndb = 0
        self._ref = {}
        self._data = {}
        self.samples = []
        self.gen = {}

    # ------------------------------------------------------------------ helpers

    def new_db(self):
        self.ndb += 1
        return self.tmp.join("db%03d" % self.ndb)

    def data(self, path):
        if path not in self._data:
            with open(path, "rb") as f:
                self._data[path] = f.read()
        return self._data[path]

    def ref(self, path, tokens, pattern, errors):
        key = (path, tuple(tokens), pattern, errors)
        if key not in self._ref:
            self._ref[key] = refmod.count_bytes(self.data(path), tuple(tokens),
                                                pattern=pattern, errors=errors)
        return self._ref[key]

    def ref_files(self, paths, tokens, pattern, errors):
        total = refmod.RefResult()
        for p in paths:
            total.add(self.ref(p, tokens, pattern, errors))
        return total

    @staticmethod
    def tok_args(tokens):
        if tokens is None:
            return []
        if not tokens:
            return ["--no-special-tokens"]
        out = []
        for t in tokens:
            out += ["--special-token", t]
        return out

    def index_args(self, db, files, pattern=None, errors=None, tokens=None, workers=2,
                   mem=None):
        args = ["index", "--db", db, "--quiet", "--workers", workers]
        if mem:
            args += ["--memory-limit", mem]
        if pattern is not None:
            args += [("--pattern" if pattern in BUILTIN_NAMES else "--regex"), pattern]
        if errors is not None:
            args += ["--invalid-utf8", errors]
        args += self.tok_args(tokens)
        return args + list(files)

    def write(self, name, data):
        p = self.tmp.join(name)
        with open(p, "wb") as f:
            f.write(data)
        self._data.pop(p, None)
        return p

    def snapshot(self, db):
        """(stats without elapsed, export bytes) of a database, for 'unchanged'."""
        st, _ = self.run.stats(db)
        e = self.run.export(db)
        return stats_without_elapsed(st), (e.out if e.ok else None)

    def one_line_error(self, r):
        lines = stderr_lines(r)
        return (not r.ok and not r.timed_out and r.rc not in (0, 130) and r.rc > 0
                and len(lines) == 1), (lines[0] if len(lines) == 1 else " | ".join(lines)[:600])

    # ------------------------------------------------------------------ compare

    def compare(self, name, db, files, tokens, pattern, errors, expect_spills=None):
        """export and stats of db against the reference of files."""
        rep, run = self.rep, self.run
        tokens_eff = DEFAULT_SPECIAL_TOKENS if tokens is None else tuple(tokens)
        ref = self.ref_files(files, tokens_eff, pattern or "gpt2", errors or "replace")
        e = run.export(db)
        if not rep.check(name + ": export exits 0", e.ok, "" if e.ok else e.describe()):
            return False
        expected = hex_export(ref.counts)
        same = e.out == expected
        if same:
            rep.check(name + ": export identical to reference", True,
                      "%d distinct, %d total" % (ref.distinct, ref.pretokens))
        else:
            got, problems = parse_hex_export(e.out)
            detail = diff_counts(dict(ref.counts), got)
            if problems:
                detail += "; format problems: %s" % "; ".join(problems[:3])
            if not detail:
                detail = "same counts but bytes differ: " + first_diff_line(e.out, expected)
            rep.fail(name + ": export identical to reference", detail)
        st, sr = run.stats(db)
        if not rep.check(name + ": stats --json", st is not None,
                         "" if st is not None else sr.describe()):
            return False
        bad = []

        def want(key, exp):
            v = st.get(key, "<missing>")
            if v != exp:
                bad.append("%s=%r expected %r" % (key, v, exp))

        want("pretokens", ref.pretokens)
        want("distinct_pretokens", ref.distinct)
        want("documents", ref.documents)
        want("invalid_utf8_replaced", ref.invalid_utf8_replaced)
        for k in ("skipped_bytes", "skipped_stretches"):
            if k in st and st[k] != 0:
                bad.append("%s=%r expected 0" % (k, st[k]))
        cfg = st.get("config")
        if not isinstance(cfg, dict):
            bad.append("config=%r" % (cfg,))
        else:
            pat = pattern or "gpt2"
            if pat in refmod.PATTERNS:
                if cfg.get("pattern") != pat:
                    bad.append("config.pattern=%r expected %r" % (cfg.get("pattern"), pat))
            elif cfg.get("pattern") in refmod.PATTERNS:
                bad.append("config.pattern=%r for a user regex" % cfg.get("pattern"))
            if cfg.get("pattern_regex") != refmod.resolve_pattern(pat):
                bad.append("config.pattern_regex=%r expected %r"
                           % (cfg.get("pattern_regex"), refmod.resolve_pattern(pat)))
            if cfg.get("invalid_utf8") != (errors or "replace"):
                bad.append("config.invalid_utf8=%r expected %r"
                           % (cfg.get("invalid_utf8"), errors or "replace"))
            stoks = cfg.get("special_tokens")
            if not isinstance(stoks, list) or sorted(stoks) != sorted(tokens_eff):
                bad.append("config.special_tokens=%r expected %r" % (stoks, list(tokens_eff)))
        fl = st.get("files")
        if isinstance(fl, list):
            done = {f.get("path"): f.get("bytes_done") for f in fl if isinstance(f, dict)}
            for p in files:
                got = done.get(os.path.abspath(p), done.get(os.path.realpath(p)))
                if got != os.path.getsize(p):
                    bad.append("%s bytes_done=%r expected %d"
                               % (os.path.basename(p), got, os.path.getsize(p)))
        else:
            bad.append("files=%r" % (fl,))
        spills = st.get("spills")
        if expect_spills is not None and isinstance(spills, int) and spills < expect_spills:
            bad.append("spills=%d, expected >= %d at this memory limit" % (spills, expect_spills))
        rep.check(name + ": stats match reference", not bad,
                  "; ".join(bad) if bad else "documents %d, invalid %d, spills %s"
                  % (ref.documents, ref.invalid_utf8_replaced, spills))
        return same and not bad

    def index_and_compare(self, label, files, pattern=None, errors=None, tokens=None,
                          workers=2, mem=None, expect_spills=None, timeout=None):
        pat = pattern or "gpt2"
        name = "%s [pattern=%s utf8=%s workers=%d mem=%s]" % (
            label, pat if pat in refmod.PATTERNS else "REGEX", errors or "replace", workers,
            mem_label(mem))
        db = self.new_db()
        try:
            r = self.run.run(*self.index_args(db, files, pattern, errors, tokens, workers, mem),
                             timeout=timeout)
            if not self.rep.check(name + ": index exits 0", r.ok,
                                  r.describe() if not r.ok else "%.2f s" % r.elapsed):
                return False
            return self.compare(name, db, files, tokens, pattern, errors, expect_spills)
        finally:
            shutil.rmtree(db, ignore_errors=True)

    # ------------------------------------------------------------------ inputs

    def inputs(self):
        sdir = os.path.join(self.a.corpus, "samples")
        samples = sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []
        self.rep.check("corpus samples present", len(samples) >= 3, "%s: %s" % (sdir, samples))
        self.samples = [os.path.join(sdir, f) for f in samples]
        for kind in KINDS:
            p = self.tmp.join("%s-%s-seed%d" % (kind, GEN_SIZE, GEN_SEED))
            try:
                make_corpus(self.a.corpus, kind, GEN_SIZE, GEN_SEED, p)
                self.gen[kind] = p
            except Exception as e:  # noqa: BLE001
                self.rep.fail("make-corpus --kind %s" % kind, str(e))

    def sample(self, prefix):
        for p in self.samples:
            if os.path.basename(p).startswith(prefix):
                return p
        return self.samples[0] if self.samples else None

    # ------------------------------------------------------------------ 1 patterns

    def patterns(self):
        files = [("samples/" + os.path.basename(p), p) for p in self.samples]
        files += [("make-corpus %s %s" % (k, GEN_SIZE), p) for k, p in sorted(self.gen.items())]
        for pattern in ("cl100k", "o200k"):
            for label, path in files:
                for w, m in SETTINGS:
                    # stories saturate (few distinct pretokens): no spill needed there
                    spills = 3 if (m == SMALL_MEM and "stories" not in label
                                   and os.path.getsize(path) >= (1 << 20)) else None
                    self.rep.section("%s %s w=%d mem=%s" % (pattern, label, w, mem_label(m)),
                                     self.index_and_compare, label, [path], pattern=pattern,
                                     workers=w, mem=m, expect_spills=spills)
        # a random mix of the characters and strings where the patterns differ
        mix = self.make_mix_file()
        for pattern in ("gpt2", "cl100k", "o200k"):
            for w, m in TWO_SETTINGS:
                self.rep.section("%s random mix" % pattern, self.index_and_compare,
                                 "random mix", [mix], pattern=pattern, workers=w, mem=m)
        # aliases of tiktoken's encoding names count as the pattern itself
        web = self.sample("web")
        self.rep.section("pattern alias cl100k_base", self.alias_check, web)
        # user regexes
        for rx in USER_REGEXES:
            for path in (web, self.sample("adversarial")):
                for w, m in TWO_SETTINGS:
                    self.rep.section("regex %r %s" % (rx, os.path.basename(path)),
                                     self.index_and_compare,
                                     "regex %r %s" % (rx, os.path.basename(path)), [path],
                                     pattern=rx, workers=w, mem=m)
        # a user regex with anchors, the whole file one document (no special token)
        rx = r"(?m)^\S+|\s+|\S+"
        for w, m in TWO_SETTINGS:
            self.rep.section("regex %r --no-special-tokens" % rx, self.index_and_compare,
                             "regex %r --no-special-tokens %s" % (rx, os.path.basename(web)),
                             [web], pattern=rx, tokens=(), workers=w, mem=m)
        case_file = self.write("case-variants.txt", CASE_TEXT * 50)
        for rx in CASE_REGEXES:
            self.rep.section("case-insensitive regex %r" % rx, self.refused_or_exact,
                             "regex %r on I/i/İ/ı text" % rx, case_file, rx)
        for rx, words in REFUSED_REGEXES:
            self.rep.section("refused regex %r" % rx, self.refused_regex, rx, words, web)

    def make_mix_file(self):
        """Random strings over the pieces the three patterns treat differently:
        contractions in both cases, CR/LF runs, '/', whitespace and look-alikes, letters
        of every case class, marks, digits of other scripts, long s, Kelvin."""
        rnd = random.Random(1)
        alpha = ["a", "b", "A", "Z", "1", "9", "'", "s", "S", "t", "ll", "LL", "re", "VE", " ",
                 "  ", "\n", "\r", "\r\n", "/", "!", ".", "\t", "\u00e9", "\u01c5", "\u02b0",
                 "\u0301", "\u00a0", "\u3000", "\u017f", "\u212a", "\u0130", "\u00b2",
                 "\u0663", "<|endoftext|>", "x", " \n", "\n\n", "\u2028", "\x1c", "\x00",
                 "\U0001F600", "\u4e2d", "\u0085", "\u200b", "\u0394\u03b5"]
        weights = [8, 4, 3, 2, 4, 2, 5, 3, 2, 2, 1, 1, 1, 1, 10, 3, 4, 2, 2, 2, 2, 2, 2, 2, 1,
                   1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
        text = "".join(rnd.choices(alpha, weights, k=250_000))
        return self.write("random-mix.txt", text.encode("utf-8"))

    def alias_check(self, path):
        db = self.new_db()
        r = self.run.run(*self.index_args(db, [path], "cl100k_base", None, None, 2, None))
        if self.rep.check("--pattern cl100k_base: index exits 0", r.ok, "" if r.ok
                          else r.describe()):
            st, _ = self.run.stats(db)
            cfg = (st or {}).get("config") or {}
            self.rep.check("--pattern cl100k_base: counts as cl100k",
                           self.run.export(db).out == hex_export(
                               self.ref(path, DEFAULT_SPECIAL_TOKENS, "cl100k", "replace").counts),
                           "config.pattern=%r" % cfg.get("pattern"))
        shutil.rmtree(db, ignore_errors=True)

    def refused_or_exact(self, label, path, rx):
        db = self.new_db()
        r = self.run.run(*self.index_args(db, [path], rx, None, None, 1, None))
        if r.ok:
            self.compare(label + " (accepted)", db, [path], None, rx, None)
        else:
            ok, line = self.one_line_error(r)
            self.rep.check(label + ": refused in one line, no DB", ok and not os.path.exists(db),
                           line)
        shutil.rmtree(db, ignore_errors=True)

    def refused_regex(self, rx, words, path):
        name = "regex %r refused" % rx
        db = self.new_db()
        r = self.run.run(*self.index_args(db, [path], rx, None, None, 2, None))
        ok, line = self.one_line_error(r)
        self.rep.check(name + ": one-line error, non-zero exit", ok,
                       line if ok else r.describe())
        self.rep.check(name + ": error names the construct (%s)" % "/".join(words),
                       any(w.lower() in line.lower() for w in words), line)
        self.rep.check(name + ": no database created", not os.path.exists(db),
                       "%s exists" % db if os.path.exists(db) else "")
        shutil.rmtree(db, ignore_errors=True)

    # ------------------------------------------------------------------ 2 invalid UTF-8

    def make_edge_file(self):
        """Bad and multi-byte sequences at every 64 KiB read-buffer edge +-4 and
        around 1 MiB and 2 MiB, between short words, spaces and separators."""
        rnd = random.Random(3)
        seqs = BAD_SEQS + OK_SEQS + [b"<|endof\xfftext|>", b"<|endoftext|>", b" \xff ",
                                     b"\xc2\xa0\xff\xc2\xa0", b"  \x80  ", b"\n\xc0\n"]
        targets = sorted(set([k * READ_BUF + d for k in range(1, 36) for d in range(-4, 4)]
                             + [k * CHECK_BLOCK + d for k in (1, 2) for d in range(-6, 6)]))
        out = bytearray()
        for t in targets:
            while len(out) < t:
                out += rnd.choice(FILLER_WORDS)
            del out[t:]
            out += rnd.choice(seqs)
        return self.write("edges.bin", bytes(out))

    def make_skip_files(self):
        """Dropped bytes that join whitespace runs or form special tokens, dense,
        in long letter runs where the only safe cuts are near them."""
        rnd = random.Random(5)
        ws, tok = bytearray(), bytearray()
        while len(ws) < 400_000:
            ws += b"a" * rnd.randint(20, 2500)
            ws += rnd.choice([b"  \xff  ", b" \x80  b", b"\n\xff\n", b"\t\xc0\xaf  x",
                              b"   \xed\xa0\x80 z", b"\xff \xff", b". \xe2\x82 ?"])
        while len(tok) < 400_000:
            tok += b"a" * rnd.randint(20, 2500)
            tok += rnd.choice([b"<|endof\xfftext|>", b"<|\x80endoftext|>", b"<|endoftext\xc0|>",
                               b"<\xe2\x82|endoftext|>", b"<|endoftext|\xff>", b" <|end\xf0\x9f\x98of"
                               b"text|> ", b"1<|endoftext\xed\xa0\x80|>1"])
        return self.write("skip-ws.bin", bytes(ws)), self.write("skip-tok.bin", bytes(tok))

    def small_cases(self):
        """Small files: one case each, the bad bytes also at the very end."""
        cases = []
        for i, s in enumerate(BAD_SEQS):
            cases.append(("bad%02d-%s" % (i, s.hex()), b"word " + s + b" word\n" + b"tail " + s))
        cases.append(("broken-token", b"Hello<|endof\xfftext|>world <|endoftext|> end"))
        cases.append(("nul", b"a\x00b \x00\x00 c\x00\n\x00"))
        cases.append(("lone-continuations", b"\x80\x81\xbf abc\x80def \x80 \x80"))
        cases.append(("truncated-at-eof-4", b"abc \xf0\x9f\x98"))
        cases.append(("truncated-at-eof-2", b"abc \xc3"))
        cases.append(("bad-before-special", b"x\xe2\x82<|endoftext|>\xe2\x82y"))
        cases.append(("fffd-literal", b"\xef\xbf\xbd\xff\xef\xbf\xbd"))
        cases.append(("bad-after-last-special", b"abc<|endoftext|>\xff"))
        cases.append(("bad-around-special", b"\xff<|endoftext|>\xff"))
        cases.append(("bad-inside-last-special", b"<\xe2\x82|endoftext|>"))
        return [(n, self.write("case-%s.bin" % n, d)) for n, d in cases]

    def utf8(self):
        adv = [p for p in (self.sample("adversarial"), self.gen.get("adversarial")) if p]
        for path in adv:
            for errors in ("replace", "skip"):
                for pattern in ("gpt2", "cl100k"):
                    for w, m in TWO_SETTINGS:
                        label = "adversarial %s" % os.path.basename(path)
                        self.rep.section("%s %s %s" % (label, errors, pattern),
                                         self.index_and_compare, label, [path], pattern=pattern,
                                         errors=errors, workers=w, mem=m)
        edge = self.make_edge_file()
        for errors in ("replace", "skip"):
            for pattern in ("gpt2", "cl100k", "o200k"):
                for w, m in TWO_SETTINGS:
                    self.rep.section("edges.bin %s %s" % (errors, pattern),
                                     self.index_and_compare, "edges.bin", [edge],
                                     pattern=pattern, errors=errors, workers=w, mem=m)
        for path in self.make_skip_files():
            for pattern in ("gpt2", "cl100k"):
                for w, m in ((2, SMALL_MEM), (2, None)):
                    label = os.path.basename(path)
                    self.rep.section("%s skip %s" % (label, pattern), self.index_and_compare,
                                     label, [path], pattern=pattern, errors="skip",
                                     workers=w, mem=m)
        cases = self.small_cases()
        self.rep.section("small cases", self.small_case_checks, cases)
        self.rep.section("broken special token: skip vs replace", self.broken_token_semantics)
        for path in adv + [edge]:
            self.rep.section("strict refuses %s" % os.path.basename(path), self.strict_refused,
                             path, fresh=True)
        self.rep.section("strict at offsets", self.strict_offsets)
        self.rep.section("strict on an existing database", self.strict_existing_db)
        for kind in ("stories", "web"):
            if kind in self.gen:
                for w, m in TWO_SETTINGS:
                    self.rep.section("strict counts valid %s" % kind, self.index_and_compare,
                                     "strict on valid make-corpus %s" % kind, [self.gen[kind]],
                                     pattern="cl100k" if kind == "web" else None,
                                     errors="strict", workers=w, mem=m)

    def small_case_checks(self, cases):
        # a file of nothing but invalid bytes: skip leaves no text at all
        for name, data, w, m in (("only-invalid-1", b"\xff", 1, None),
                                 ("only-invalid-3", b"\xc0\xaf\x80", 1, None),
                                 ("only-invalid-300K", b"\xff" * 300_000, 2, SMALL_MEM)):
            p = self.write("case-%s.bin" % name, data)
            for errors in ("skip", "replace"):
                self.index_and_compare("case %s" % name, [p], errors=errors, workers=w,
                                       mem=m, timeout=SMALL_TIMEOUT)
        files = [p for _, p in cases]
        for errors in ("replace", "skip"):
            ok = self.index_and_compare("%d small cases in one command" % len(files), files,
                                        errors=errors, workers=2, mem=SMALL_MEM,
                                        timeout=3 * SMALL_TIMEOUT)
            if not ok:   # find which
                self.rep.note("one by one, to find the failing case(s):")
                for name, path in cases:
                    self.index_and_compare("case %s" % name, [path], errors=errors, workers=1,
                                           mem=SMALL_MEM, timeout=SMALL_TIMEOUT)
        for name, path in cases:
            if self.strict_expected_offset(path) is None:
                self.index_and_compare("case %s" % name, [path], errors="strict", workers=1,
                                       mem=SMALL_MEM, timeout=SMALL_TIMEOUT)
            else:
                self.strict_refused(path, fresh=True, label="case %s" % name)
        # the same cases in one file, under cl100k and o200k
        blob = self.write("cases-all.bin", b"\n".join(self.data(p) for _, p in cases))
        for pattern in ("cl100k", "o200k"):
            for errors in ("replace", "skip"):
                self.index_and_compare("all small cases", [blob], pattern=pattern,
                                       errors=errors, workers=1, mem=SMALL_MEM,
                                       timeout=SMALL_TIMEOUT)

    def broken_token_semantics(self):
        path = self.write("broken-token.bin", b"Hello<|endof\xfftext|>world")
        skip = self.ref(path, DEFAULT_SPECIAL_TOKENS, "gpt2", "skip")
        repl = self.ref(path, DEFAULT_SPECIAL_TOKENS, "gpt2", "replace")
        # sanity of the reference itself: the contract, spelled out
        self.rep.check("reference: <|endof\\xfftext|> separates under skip",
                       skip.documents == 2 and dict(skip.counts) == {b"Hello": 1, b"world": 1},
                       "%r" % dict(skip.counts))
        self.rep.check("reference: <|endof\\xfftext|> does not separate under replace",
                       repl.documents == 1, "%r" % dict(repl.counts))
        for errors, want_docs in (("skip", 2), ("replace", 1)):
            db = self.new_db()
            r = self.run.run(*self.index_args(db, [path], None, errors, None, 1, None))
            st, _ = self.run.stats(db) if r.ok else (None, None)
            self.rep.check("<|endof\\xfftext|> under %s: documents=%d" % (errors, want_docs),
                           r.ok and st is not None and st.get("documents") == want_docs,
                           r.describe() if not r.ok else "documents=%r" % (st or {}).get(
                               "documents"))
            shutil.rmtree(db, ignore_errors=True)

    def strict_expected_offset(self, path):
        try:
            self.data(path).decode("utf-8")
            return None
        except UnicodeDecodeError as e:
            return e.start

    def strict_refused(self, path, fresh=True, label=None, db=None, extra_files=(),
                       pattern=None):
        """index --invalid-utf8 strict; checks the one-line error and its offset.
        With db given (existing), checks that it is unchanged."""
        label = label or os.path.basename(path)
        exp = self.strict_expected_offset(path)
        if exp is None:
            self.rep.fail("strict %s: test input is valid UTF-8" % label)
            return
        own = db is None
        if own:
            db = self.new_db()
        before = None if own else self.snapshot(db)
        files = list(extra_files) + [path]
        r = self.run.run(*self.index_args(db, files, pattern, "strict", None, 2, SMALL_MEM),
                         timeout=3 * SMALL_TIMEOUT)
        ok, line = self.one_line_error(r)
        m = re.search(r"invalid UTF-8 at byte (\d+)", line)
        got = int(m.group(1)) if m else None
        named = path in line or os.path.abspath(path) in line or os.path.basename(path) in line
        self.rep.check("strict %s: one-line error naming the file and 'invalid UTF-8 at byte %d'"
                       % (label, exp), ok and named and got == exp,
                       ("got offset %r: " % got if got != exp else "") + (line or r.describe()))
        if own:
            self.rep.check("strict %s: no database created" % label, not os.path.exists(db),
                           "%s exists: %s" % (db, sorted(os.listdir(db))[:6])
                           if os.path.exists(db) else "")
            shutil.rmtree(db, ignore_errors=True)
        else:
            after = self.snapshot(db)
            self.rep.check("strict %s: database unchanged" % label, before == after,
                           "" if before == after else "stats before %r after %r"
                           % (before[0], after[0]))

    def strict_offsets(self):
        """One bad sequence per file at the 1 MiB check-block edge and the 64 KiB
        read-buffer edge (and at the end of the file); valid multi-byte characters
        straddling those edges must pass and count."""
        rnd = random.Random(9)
        filler = bytearray()
        while len(filler) < CHECK_BLOCK + 64:
            filler += rnd.choice([b"lorem", b" ipsum", b" dolor", b"\n", b" 42", b"."])
        n = 0
        seqs = [b"\xff", b"\x80", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
                b"\xf4\x90\x80\x80", b"\xe2\x82", b"\xf0\x9f\x98"]
        for base in (CHECK_BLOCK, READ_BUF):
            for d in (-3, -2, -1, 0, 1):
                for s in seqs[(d + 3) % 2::2]:
                    pos = base + d
                    tail = b"" if (n % 3 == 2) else b" tail"
                    p = self.write("strict-%d.bin" % n, bytes(filler[:pos]) + s + tail)
                    self.strict_refused(p, label="%s at %d%s" % (s.hex(), pos,
                                                                 " (end of file)" if not tail
                                                                 else ""))
                    n += 1
        # valid 2/3/4-byte characters across the 1 MiB edge: strict must accept
        parts = bytearray(filler[:CHECK_BLOCK - 2]) + b"\xf0\x9f\x98\x80 \xe2\x82\xac"
        p = self.write("strict-valid-straddle.bin", bytes(parts) + b" \xc3\xa9" + b" end\n")
        self.index_and_compare("strict, 4-byte char across the 1 MiB edge", [p],
                               errors="strict", workers=2, mem=None)
        p2 = self.write("strict-valid-eof.bin", bytes(filler[:CHECK_BLOCK - 1]) + b"\xf0\x9f\x98\x80")
        self.index_and_compare("strict, 4-byte char ending the file past 1 MiB", [p2],
                               errors="strict", workers=1, mem=SMALL_MEM)

    def strict_existing_db(self):
        ok_file = self.write("strict-ok.txt", b"valid text, caf\xc3\xa9 <|endoftext|> more\n")
        ok2 = self.write("strict-ok2.txt", b"another valid file\n")
        bad = self.write("strict-bad.txt", b"valid start\n" * 100 + b"bad \xed\xa0\x80 here\n")
        db = self.new_db()
        r = self.run.run(*self.index_args(db, [ok_file], None, "strict", None, 2, None))
        if not self.rep.check("strict: index a valid file", r.ok, "" if r.ok else r.describe()):
            return
        self.compare("strict existing DB", db, [ok_file], None, None, "strict")
        # a bad file alone, then a valid new file followed by a bad one
        self.strict_refused(bad, fresh=False, db=db, label="bad file into existing DB")
        self.strict_refused(bad, fresh=False, db=db, extra_files=[ok2],
                            label="valid new file + bad file into existing DB")
        # growth: the indexed file gets invalid bytes appended
        with open(ok_file, "ab") as f:
            f.write(b"appended \xc0\xaf bytes\n")
        self._data.pop(ok_file, None)
        self.strict_refused(ok_file, fresh=False, db=db,
                            label="invalid bytes appended to an indexed file")
        shutil.rmtree(db, ignore_errors=True)

    # ------------------------------------------------------------------ 3 special tokens

    def make_special_file(self):
        """Web text with every special token of SPECIAL_SETS (and near misses)
        inserted densely, and at every 64 KiB edge -14..+1 so that tokens
        straddle read buffers."""
        rnd = random.Random(17)
        text = self.data(self.sample("web"))[:900_000].decode("utf-8", "ignore")
        inserts = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|a|>", "<|a|>x",
                   "<|a|>xyz", "<|a|><|a|>x", "<|a|", "<|im_", "ab", " x ", "x x x",
                   " x  x ", "abab", "'s", "'S", "\r\n", "\r\r\n", "é", "e\u0301", "'se",
                   "<|endoftext|><|im_end|>", " <|im_start|>user\n", "<|a|>x<|a|>"]
        out = []
        n = 0
        i = 0
        while i < len(text):
            step = rnd.randint(1, 400)
            out.append(text[i:i + step])
            n += len(out[-1].encode("utf-8"))
            i += step
            t = rnd.choice(inserts)
            out.append(t)
            n += len(t.encode("utf-8"))
        data = bytearray("".join(out).encode("utf-8"))
        # tokens across read-buffer edges: overwrite bytes at k*64K + d with a token
        for k in range(1, len(data) // READ_BUF):
            t = rnd.choice(inserts[:5]).encode("utf-8")
            at = k * READ_BUF + rnd.randint(-len(t) + 1, 1)
            data[at:at] = t
        return self.write("specials.txt", bytes(data))

    def specials(self):
        path = self.make_special_file()
        for label, toks in SPECIAL_SETS:
            for pattern in ("gpt2", "cl100k", "o200k"):
                for w, m in TWO_SETTINGS:
                    self.rep.section("special tokens %s %s" % (label, pattern),
                                     self.index_and_compare,
                                     "special tokens %s %r" % (label, toks), [path],
                                     pattern=pattern, tokens=toks, workers=w, mem=m)
        # a corpus with a separator every few hundred bytes at 256K: chunk and buffer edges
        stories = self.gen.get("stories")
        if stories:
            for pattern in ("cl100k", "o200k"):
                self.rep.section("stories 64K %s" % pattern, self.index_and_compare,
                                 "stories, many separators", [stories], pattern=pattern,
                                 workers=2, mem="256K")

    # ------------------------------------------------------------------ 4 config

    def config_mismatch(self):
        a_file = self.sample("stories")
        b_file = self.write("config-b.txt", b"Some more text <|endoftext|> and more, caf\xc3\xa9\n")
        c_file = self.write("config-c.txt", b"A third file\n")
        bases = [
            ("gpt2/replace/default tokens", dict()),
            ("cl100k/skip/two tokens", dict(pattern="cl100k", errors="skip",
                                            tokens=("<|endoftext|>", "<|im_end|>"))),
            ("regex/strict/no tokens", dict(pattern=USER_REGEXES[0], errors="strict",
                                            tokens=())),
        ]
        for base_label, base in bases:
            db = self.new_db()
            r = self.run.run(*self.index_args(db, [a_file], base.get("pattern"),
                                              base.get("errors"), base.get("tokens"), 2, None))
            if not self.rep.check("config %s: base index" % base_label, r.ok,
                                  "" if r.ok else r.describe()):
                continue
            others = {
                "pattern": [p for p in ("gpt2", "o200k", USER_REGEXES[1])
                            if p != base.get("pattern", "gpt2")][:2],
                "invalid-utf8": [e for e in ("replace", "skip", "strict")
                                 if e != base.get("errors", "replace")],
                "special tokens": [t for t in (("<|im_end|>", "<|endoftext|>", "<|x|>"),
                                               ("<|endoftext|>",), (), ("<|im_end|>",))
                                   if tuple(sorted(t)) != tuple(sorted(
                                       base.get("tokens", DEFAULT_SPECIAL_TOKENS)))][:2],
            }
            for what, values in others.items():
                for v in values:
                    kw = dict(pattern=base.get("pattern"), errors=base.get("errors"),
                              tokens=base.get("tokens"))
                    kw[{"pattern": "pattern", "invalid-utf8": "errors",
                        "special tokens": "tokens"}[what]] = v
                    self.mismatch_refused(db, "config %s, other %s %r" % (base_label, what, v),
                                          what, [b_file], **kw)
            # the same configuration, spelled explicitly: accepted, counts add up
            same = dict(pattern=base.get("pattern", "gpt2"),
                        errors=base.get("errors", "replace"),
                        tokens=tuple(reversed(base.get("tokens", DEFAULT_SPECIAL_TOKENS))))
            r = self.run.run(*self.index_args(db, [b_file], same["pattern"], same["errors"],
                                              same["tokens"], 2, None))
            if self.rep.check("config %s: same config spelled explicitly is accepted"
                              % base_label, r.ok, "" if r.ok else r.describe()):
                self.compare("config %s: after a second file" % base_label, db,
                             [a_file, b_file], base.get("tokens"), base.get("pattern"),
                             base.get("errors"))
            # flags omitted: refused, or counted with the database's own config
            before = self.snapshot(db)
            r = self.run.run("index", "--db", db, "--quiet", c_file)
            if r.ok:
                self.compare("config %s: flags omitted, accepted with the DB's config"
                             % base_label, db, [a_file, b_file, c_file], base.get("tokens"),
                             base.get("pattern"), base.get("errors"))
            elif not base:
                self.rep.fail("config %s: flags omitted (the same config) is accepted"
                              % base_label, r.describe())
            else:
                ok, line = self.one_line_error(r)
                after = self.snapshot(db)
                self.rep.check("config %s: flags omitted: refused in one line, DB unchanged"
                               % base_label, ok and before == after, line)
            shutil.rmtree(db, ignore_errors=True)

    def mismatch_refused(self, db, label, what, files, pattern=None, errors=None,
                         tokens=None):
        before = self.snapshot(db)
        r = self.run.run(*self.index_args(db, files, pattern, errors, tokens, 2, None))
        ok, line = self.one_line_error(r)
        words = {"pattern": ("pattern",), "invalid-utf8": ("invalid-utf8", "utf-8", "utf8"),
                 "special tokens": ("special",)}[what]
        named = any(w in line.lower() for w in words)
        self.rep.check(label + ": refused in one line naming the %s" % what, ok and named,
                       line or r.describe())
        after = self.snapshot(db)
        self.rep.check(label + ": database unchanged", before == after and after[1] is not None,
                       "" if before == after else "stats before %r after %r"
                       % (before[0], after[0]))

    # ------------------------------------------------------------------ main

    def main(self):
        self.inputs()
        self.rep.section("1. patterns", self.patterns)
        self.rep.section("2. invalid UTF-8", self.utf8)
        self.rep.section("3. special tokens", self.specials)
        self.rep.section("4. configuration mismatch", self.config_mismatch)


def main():
    return run_suite(PatternsUtf8, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
