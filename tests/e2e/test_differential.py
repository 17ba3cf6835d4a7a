#!/usr/bin/env python3
"""Differential test: pretok-db's counts against the Python `regex` reference.

For every input (data/*.txt, the corpus samples, fresh 3 MiB make-corpus
files of each kind) and every setting (--workers 1/2 x --memory-limit
64K/4M/1G), index into a fresh database and compare the whole
`export --format hex` output byte for byte with the reference, and the
`stats --json` figures with the reference's.  Then: several files in one
command, --no-special-tokens, and custom --special-token sets.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import shutil  # noqa: E402

from e2e_lib import (DEFAULT_SPECIAL_TOKENS, PATTERN, RefCache, Runner, diff_counts,  # noqa: E402
                     first_diff_line, hex_export, make_corpus, parse_hex_export, run_suite)

SETTINGS = [(w, m) for m in ("64K", "4M", "1G") for w in (1, 2)]
GEN_SIZE = "3M"
GEN_SEED = 11
SMALL = 16 << 20            # inputs up to this size must not spill at 1G
CUSTOM_TOKEN_SETS = [
    ("Once upon", "Once"),   # one is a prefix of the other: longest first; contains a space
    ("\n\n", "\u00e9"),      # whitespace-only token, and a non-ASCII one
]


class Differential:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.refs = RefCache()
        self.ndb = 0

    def new_db(self):
        self.ndb += 1
        return self.tmp.join("db%03d" % self.ndb)

    def index_and_compare(self, label, files, tokens=DEFAULT_SPECIAL_TOKENS, tok_args=(),
                          workers=2, mem="4M", min_spills=None, max_spills=None):
        """Index files into a fresh DB; check export and stats against the reference."""
        rep, run = self.rep, self.run
        name = "%s [workers=%d mem=%s]" % (label, workers, mem)
        db = self.new_db()
        try:
            r = run.run("index", "--db", db, "--workers", workers, "--memory-limit", mem,
                        *tok_args, *files)
            if not rep.check(name + ": index exits 0", r.ok, r.describe() if not r.ok
                             else "%.2f s" % r.elapsed):
                return
            ref = self.refs.files(files, tokens)

            # -- export, byte for byte
            e = run.export(db)
            if not rep.check(name + ": export exits 0", e.ok, "" if e.ok else e.describe()):
                return
            expected = hex_export(ref.counts)
            if e.out == expected:
                rep.check(name + ": export identical to reference", True,
                          "%d distinct" % ref.distinct)
            else:
                got, problems = parse_hex_export(e.out)
                detail = diff_counts(dict(ref.counts), got)
                if problems:
                    detail += "; format problems: %s" % "; ".join(problems[:3])
                if not detail:
                    detail = "same counts but bytes differ: " + first_diff_line(e.out, expected)
                rep.fail(name + ": export identical to reference", detail)

            # -- stats --json
            st, sr = run.stats(db)
            if not rep.check(name + ": stats --json", st is not None,
                             "" if st is not None else sr.describe()):
                return
            bad = []

            def want(key, exp):
                v = st.get(key, "<missing>")
                if v != exp:
                    bad.append("%s=%r expected %r" % (key, v, exp))

            want("pretokens", ref.pretokens)
            want("distinct_pretokens", ref.distinct)
            want("documents", ref.documents)
            want("invalid_utf8_replaced", ref.invalid_utf8_replaced)
            if not isinstance(st.get("db"), str):
                bad.append("db=%r is not a string" % st.get("db"))
            el = st.get("elapsed_seconds")
            if not isinstance(el, (int, float)) or isinstance(el, bool) or el < 0:
                bad.append("elapsed_seconds=%r" % el)
            spills = st.get("spills")
            if not isinstance(spills, int) or isinstance(spills, bool) or spills < 0:
                bad.append("spills=%r is not a non-negative int" % spills)
                spills = None
            elif ref.pretokens > 0 and spills < 1:
                bad.append("spills=0 but there were pretokens (the final write counts)")
            fl = st.get("files")
            if not isinstance(fl, list):
                bad.append("files=%r" % fl)
            else:
                if len(fl) != len(files):
                    bad.append("%d files listed, expected %d" % (len(fl), len(files)))
                by_path = {}
                for f in fl:
                    if isinstance(f, dict):
                        by_path[f.get("path")] = f
                for p in files:
                    cands = {os.path.abspath(p), os.path.realpath(p)}
                    f = next((by_path[c] for c in cands if c in by_path), None)
                    if f is None:
                        bad.append("file %s not listed (paths: %s)"
                                   % (os.path.abspath(p), sorted(map(str, by_path))[:4]))
                        continue
                    size = os.path.getsize(p)
                    if f.get("size") != size:
                        bad.append("%s size=%r expected %d"
                                   % (os.path.basename(p), f.get("size"), size))
                    if f.get("bytes_done") != size:
                        bad.append("%s bytes_done=%r expected %d"
                                   % (os.path.basename(p), f.get("bytes_done"), size))
            cfg = st.get("config")
            if not isinstance(cfg, dict):
                bad.append("config=%r" % cfg)
            else:
                if cfg.get("pattern") != "gpt2":
                    bad.append("config.pattern=%r" % cfg.get("pattern"))
                if cfg.get("pattern_regex") != PATTERN:
                    bad.append("config.pattern_regex=%r expected %r"
                               % (cfg.get("pattern_regex"), PATTERN))
                stoks = cfg.get("special_tokens")
                if not isinstance(stoks, list) or sorted(stoks) != sorted(tokens):
                    bad.append("config.special_tokens=%r expected %r" % (stoks, list(tokens)))
                if cfg.get("invalid_utf8") != "replace":
                    bad.append("config.invalid_utf8=%r" % cfg.get("invalid_utf8"))
            rep.check(name + ": stats match reference", not bad,
                      "; ".join(bad) if bad else "pretokens %d, documents %d, invalid %d, "
                      "spills %s" % (ref.pretokens, ref.documents, ref.invalid_utf8_replaced,
                                     spills))
            if spills is not None and min_spills is not None:
                rep.check(name + ": spills >= %d" % min_spills, spills >= min_spills,
                          "spills=%d" % spills)
            if spills is not None and max_spills is not None:
                rep.check(name + ": spills <= %d (no spill needed)" % max_spills,
                          spills <= max_spills, "spills=%d" % spills)
        finally:
            shutil.rmtree(db, ignore_errors=True)

    # ------------------------------------------------------------------ plan

    def inputs(self):
        a, rep = self.a, self.rep
        out = []   # (label, path, kind)
        txt = []
        if os.path.isdir(a.data):
            txt = sorted(f for f in os.listdir(a.data) if f.endswith(".txt")
                         and os.path.isfile(os.path.join(a.data, f)))
        if not txt:
            rep.note("no data/*.txt in %s: that input is skipped" % a.data)
        for f in txt:
            out.append(("data/" + f, os.path.join(a.data, f), "data"))
        sdir = os.path.join(a.corpus, "samples")
        samples = sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []
        rep.check("corpus samples present", len(samples) >= 3, "%s: %s" % (sdir, samples))
        for f in samples:
            out.append(("samples/" + f, os.path.join(sdir, f), "sample"))
        for kind in ("stories", "web", "adversarial"):
            p = self.tmp.join("%s-%s-seed%d" % (kind, GEN_SIZE, GEN_SEED))
            try:
                make_corpus(a.corpus, kind, GEN_SIZE, GEN_SEED, p)
            except Exception as e:  # noqa: BLE001
                rep.fail("make-corpus --kind %s" % kind, str(e))
                continue
            out.append(("make-corpus %s %s" % (kind, GEN_SIZE), p, "gen-" + kind))
        return out

    def main(self):
        inputs = self.inputs()
        for label, path, kind in inputs:
            size = os.path.getsize(path)
            settings = SETTINGS
            if kind == "data" and size > (4 << 20):
                settings = [(2, "4M"), (1, "1G")]
            for w, m in settings:
                kw = {}
                if m == "64K" and kind == "gen-web":
                    kw["min_spills"] = 100
                if m == "1G" and size <= SMALL:
                    kw["max_spills"] = w
                self.rep.section("%s workers=%d memory=%s" % (label, w, m),
                                 self.index_and_compare, label, [path], workers=w, mem=m, **kw)

        samples = [p for _, p, k in inputs if k == "sample"]
        gen = {k: p for _, p, k in inputs if k.startswith("gen-")}
        multi = samples + ([gen["gen-web"]] if "gen-web" in gen else [])
        self.rep.section("several files in one command", self.index_and_compare,
                         "%d files in one command" % len(multi), multi, workers=2, mem="4M")
        self.rep.section("several files in one command, 64K", self.index_and_compare,
                         "%d files in one command" % len(multi), multi, workers=2, mem="64K")

        nost = samples + ([gen["gen-web"]] if "gen-web" in gen else [])
        for p in nost:
            self.rep.section("--no-special-tokens %s" % os.path.basename(p),
                             self.index_and_compare,
                             "--no-special-tokens %s" % os.path.basename(p), [p], tokens=(),
                             tok_args=("--no-special-tokens",), workers=2, mem="1M")

        for toks in CUSTOM_TOKEN_SETS:
            tok_args = []
            for t in toks:
                tok_args += ["--special-token", t]
            for p in samples:
                label = "--special-token %s %s" % (" ".join(repr(t) for t in toks),
                                                   os.path.basename(p))
                self.rep.section(label, self.index_and_compare, label, [p], tokens=toks,
                                 tok_args=tok_args, workers=2, mem="4M")


def main():
    return run_suite(Differential, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
