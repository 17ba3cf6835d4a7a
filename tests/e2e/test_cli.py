#!/usr/bin/env python3
"""CLI test: query, top, export formats, -o, stats text, --db default, and
errors (one line on stderr, non-zero exit, database left as it was).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import (RefCache, Runner, diff_counts, first_diff_line, hex_export,  # noqa: E402
                     parse_hex_export, run_suite, stats_without_elapsed, top_n, tsv_escape,
                     tsv_export, tsv_unescape)

TIE_TEXT = b"zz yy xx zz yy xx ww"      # no trailing newline; ties at 2 and at 1


def number_re(n):
    """n as digits, optionally grouped by thousands (1,234 / 1 234 / 1_234)."""
    s = str(n)
    groups = []
    while s:
        groups.insert(0, s[-3:])
        s = s[:-3]
    return re.compile(r"(?<![\d.,])" + r"[,_' \u00a0\u202f]?".join(groups) + r"(?![\d])")


class Cli:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.refs = RefCache()
        sdir = os.path.join(a.corpus, "samples")
        self.stories = os.path.join(sdir, "stories-1M.txt")
        self.adv = os.path.join(sdir, "adversarial-256K.bin")
        self.web = os.path.join(sdir, "web-1M.txt")

    def write(self, name, data):
        p = self.tmp.join(name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def index_ok(self, name, db, *files, extra=()):
        r = self.run.run("index", "--db", db, *extra, *files)
        self.rep.check(name + ": index exits 0", r.ok,
                       r.describe() if not r.ok else "%.2f s" % r.elapsed)
        return r.ok

    def export_equals_ref(self, name, db, files):
        ref = self.refs.files(files)
        e = self.run.export(db)
        if not e.ok:
            return self.rep.fail(name + ": export == reference", e.describe())
        exp = hex_export(ref.counts)
        if e.out == exp:
            return self.rep.check(name + ": export == reference", True,
                                  "%d distinct" % ref.distinct)
        got, probs = parse_hex_export(e.out)
        return self.rep.fail(name + ": export == reference",
                             (diff_counts(dict(ref.counts), got) or first_diff_line(e.out, exp))
                             + ("; " + "; ".join(probs[:3]) if probs else ""))

    def snapshot(self, db):
        e = self.run.export(db)
        st, _ = self.run.stats(db)
        return (e.out if e.ok else None, stats_without_elapsed(st))

    # ------------------------------------------------------------------ query/top

    def setup_qdb(self):
        self.qdb = self.tmp.join("qdb")
        self.qfiles = [self.stories, self.adv]
        if not self.index_ok("stories+adversarial samples", self.qdb, *self.qfiles):
            return False
        self.export_equals_ref("stories+adversarial samples", self.qdb, self.qfiles)
        return True

    def query_plain(self):
        ref = self.refs.files(self.qfiles).counts
        toks = [" the", "the", "Lily", " Lily", ".", "qqqzzunseen-token", "'s", "\u2019"]
        for t in (" the", "the", "Lily"):
            if ref.get(t.encode(), 0) == 0:
                self.rep.note("reference has no %r: the check is weaker" % t)
        r = self.run.run("query", "--db", self.qdb, *toks)
        exp = "".join("%d\t%s\n" % (ref.get(t.encode(), 0), t) for t in toks).encode()
        self.rep.check("query (plain, leading space, unseen -> 0)", r.ok and r.out == exp,
                       r.describe() if not r.ok else
                       ("" if r.out == exp else "got %r, expected %r" % (r.out, exp)))

    def query_escaped(self):
        """Text output is one line per token: control bytes escaped as in top."""
        ref = self.refs.files(self.qfiles).counts
        toks = [b"\n", b"\n\n", b" \t", b"\r\n", b"a\\b", b"\x01"]
        r = self.run.run("query", "--db", self.qdb, *map(os.fsdecode, toks))
        exp = b"".join(b"%d\t%s\n" % (ref.get(t, 0), tsv_escape(t)) for t in toks)
        self.rep.check("query escapes tokens as top does (\\n, \\t, \\r, \\\\, \\xHH)",
                       r.ok and r.out == exp,
                       r.describe() if not r.ok else
                       ("" if r.out == exp else "got %r, expected %r" % (r.out, exp)))
        if ref.get(b"\n", 0) == 0:
            self.rep.note("reference has no '\\n': the check is weaker")

    def json_lines(self):
        """query --json and top --json: {"token", "hex", "count"} per line."""
        ref = self.refs.files(self.qfiles).counts
        def expect(pairs):
            return b"".join(json.dumps({"token": t.decode("utf-8", "replace"), "hex": t.hex(),
                                        "count": c}, ensure_ascii=False,
                                       separators=(",", ":")).encode() + b"\n"
                            for t, c in pairs)
        toks = [b" the", b"\n", b"\x00\xff", b"qqqzzunseen"]
        r = self.run.run("query", "--db", self.qdb, "--json", "--hex", *[t.hex() for t in toks])
        exp = expect((t, ref.get(t, 0)) for t in toks)
        self.rep.check("query --json --hex: token, hex (exact bytes, invalid UTF-8 too), count",
                       r.ok and r.out == exp, r.describe() if not r.ok else
                       ("" if r.out == exp else "got %r, expected %r" % (r.out, exp)))
        r = self.run.run("query", "--db", self.qdb, "--json", " the", "\n")
        exp = expect((t, ref.get(t, 0)) for t in toks[:2])
        self.rep.check("query --json", r.ok and r.out == exp, r.describe() if not r.ok else
                       ("" if r.out == exp else "got %r, expected %r" % (r.out, exp)))
        r = self.run.run("top", "--db", self.qdb, "--json", "-n", 5)
        exp = expect(top_n(ref, 5))
        self.rep.check("top --json -n 5", r.ok and r.out == exp, r.describe() if not r.ok else
                       ("" if r.out == exp else "got %r, expected %r" % (r.out, exp)))

    def query_hex(self):
        ref = self.refs.files(self.qfiles).counts
        non_ascii = max((k for k in ref if any(b >= 0x80 for b in k)), key=lambda k: ref[k])
        ctrl = max((k for k in ref if any(b < 0x20 and b != 0x0A for b in k)),
                   key=lambda k: ref[k])
        toks = [" the".encode().hex(), "efbfbd", "0a", non_ascii.hex(), ctrl.hex(),
                "00ff00ff", "20717171717a7a7a"]
        r = self.run.run("query", "--db", self.qdb, "--hex", *toks)
        exp = "".join("%d\t%s\n" % (ref.get(bytes.fromhex(t), 0), t) for t in toks).encode()
        self.rep.check("query --hex (U+FFFD, newline, non-ASCII, control, unseen)",
                       r.ok and r.out == exp, r.describe() if not r.ok else
                       ("" if r.out == exp else "got %r, expected %r" % (r.out, exp)))

    def top(self):
        ref = self.refs.files(self.qfiles).counts
        r = self.run.run("top", "--db", self.qdb, "-n", 5)
        exp = b"".join(b"%d\t%s\n" % (c, tsv_escape(k)) for k, c in top_n(ref, 5))
        self.rep.check("top -n 5 on samples", r.ok and r.out == exp,
                       r.describe() if not r.ok else
                       ("" if r.out == exp else "got %r, expected %r" % (r.out, exp)))
        # ties
        tie = self.write("tie.txt", TIE_TEXT)
        db = self.tmp.join("tiedb")
        if not self.index_ok("tie file", db, tie):
            return
        tref = self.refs.file(tie).counts
        for n in (5, 3, 100):
            r = self.run.run("top", "--db", db, "-n", n)
            exp = b"".join(b"%d\t%s\n" % (c, tsv_escape(k)) for k, c in top_n(tref, n))
            self.rep.check("top -n %d with ties (by bytes ascending)" % n,
                           r.ok and r.out == exp, r.describe() if not r.ok else
                           ("" if r.out == exp else "got %r, expected %r" % (r.out, exp)))

    # ------------------------------------------------------------------ export formats

    def export_formats(self):
        rep, run = self.rep, self.run
        db = self.tmp.join("advdb")
        if not self.index_ok("adversarial sample", db, self.adv):
            return
        ref = self.refs.file(self.adv).counts
        items = sorted(ref.items())

        # tsv: exact bytes, and parsed back
        r = run.export(db, "tsv")
        if rep.check("export --format tsv exits 0", r.ok, "" if r.ok else r.describe()):
            exp = tsv_export(ref)
            rep.check("export tsv: bytes as specified", r.out == exp,
                      "" if r.out == exp else first_diff_line(r.out, exp))
            parsed, probs = [], []
            for i, line in enumerate(r.out.split(b"\n")[:-1] if r.out.endswith(b"\n")
                                     else r.out.split(b"\n")):
                tok, sep, cnt = line.rpartition(b"\t")
                try:
                    if not sep:
                        raise ValueError("no tab")
                    parsed.append((tsv_unescape(tok), int(cnt)))
                except ValueError as e:
                    probs.append("line %d %r: %s" % (i + 1, line[:60], e))
            d = dict(parsed)
            detail = diff_counts(dict(ref), d)
            if not detail and [k for k, _ in parsed] != [k for k, _ in items]:
                detail = "order differs from byte order"
            if probs:
                detail += "; unparsable: " + "; ".join(probs[:3])
            rep.check("export tsv: unescaped == reference (same order)", not detail, detail)

        # jsonl
        r = run.export(db, "jsonl")
        if rep.check("export --format jsonl exits 0", r.ok, "" if r.ok else r.describe()):
            parsed, probs = [], []
            for i, line in enumerate(r.out.splitlines()):
                try:
                    o = json.loads(line.decode("utf-8"))
                    if list(o) != ["token", "hex", "count"]:
                        raise ValueError("keys %s" % list(o))
                    if not isinstance(o["token"], str) or not isinstance(o["count"], int):
                        raise ValueError("types")
                    raw = bytes.fromhex(o["hex"])
                    if o["token"] != raw.decode("utf-8", "replace"):
                        raise ValueError("token %r is not hex %s as text" % (o["token"], o["hex"]))
                    parsed.append((raw, o["count"]))
                except (ValueError, UnicodeError) as e:
                    probs.append("line %d %r: %s" % (i + 1, line[:60], e))
            d = dict(parsed)
            detail = diff_counts(dict(ref), d)
            if not detail and [k for k, _ in parsed] != [k for k, _ in items]:
                detail = "order differs from byte order"
            if probs:
                detail += "; unparsable: " + "; ".join(probs[:3])
            rep.check("export jsonl: decoded == reference (same order)", not detail, detail)

        j = run.run("export", "--db", db, "--json")
        rep.check("export --json == export --format jsonl", j.ok and j.out == r.out,
                  j.describe() if not j.ok else "%d vs %d bytes" % (len(j.out), len(r.out)))
        self.expect_usage("export --json --format tsv", ["export", "--db", db, "--json",
                                                         "--format", "tsv"], ["--json", "tsv"])

        # -o FILE
        for fmt in ("hex", "tsv"):
            out = self.tmp.join("export.%s" % fmt)
            r = run.run("export", "--db", db, "--format", fmt, "-o", out)
            s = run.export(db, fmt)
            content = open(out, "rb").read() if os.path.exists(out) else None
            ok = r.ok and r.out == b"" and s.ok and content == s.out and content
            rep.check("export --format %s -o FILE: file == stdout export, nothing on stdout" % fmt,
                      ok, r.describe() if not r.ok else
                      "stdout %d bytes, file %s bytes, stdout export %d bytes"
                      % (len(r.out), None if content is None else len(content), len(s.out)))

    # ------------------------------------------------------------------ stats text

    def stats_text(self):
        r = self.run.run("stats", "--db", self.qdb)
        if not self.rep.check("stats (text) exits 0", r.ok, "" if r.ok else r.describe()):
            return
        text = r.out.decode("utf-8", "replace")
        paths = [os.path.abspath(self.stories), os.path.realpath(self.stories)]
        found = any(p in text for p in paths)
        self.rep.check("stats text names the indexed file", found,
                       "" if found else "%s not in %r" % (paths[0], text[:400]))
        ref = self.refs.files(self.qfiles)
        found = number_re(ref.pretokens).search(text) is not None
        self.rep.check("stats text shows the pretoken count", found,
                       "" if found else "%d not in %r" % (ref.pretokens, text[:400]))

    # ------------------------------------------------------------------ small files

    def small_files(self):
        rep, run = self.rep, self.run
        empty = self.write("empty.txt", b"")
        db = self.tmp.join("emptydb")
        if self.index_ok("empty file", db, empty):
            e = run.export(db)
            rep.check("empty file: export is empty", e.ok and e.out == b"",
                      e.describe() if not e.ok else "%r" % e.out[:100])
            st, sr = run.stats(db)
            if st is None:
                rep.fail("empty file: stats", sr.describe())
            else:
                fl = st.get("files") or [{}]
                got = (st.get("pretokens"), st.get("distinct_pretokens"), st.get("documents"),
                       fl[0].get("size"), fl[0].get("bytes_done"))
                rep.check("empty file: stats pretokens 0, distinct 0, documents 1, size 0",
                          got == (0, 0, 1, 0, 0),
                          "pretokens, distinct, documents, size, bytes_done = %r" % (got,))
        for name, data in (("no trailing newline (ends in a word)",
                            b"Hello, world! It's 2024 and we'll see\n  x"),
                           ("no trailing newline (ends in spaces)",
                            b"ends with spaces\t and more   "),
                           ("no trailing newline (ends in a special token)",
                            b"one<|endoftext|>two <|endoftext|>")):
            p = self.write("nonl%d.txt" % len(data), data)
            db = self.tmp.join("nonl%ddb" % len(data))
            if self.index_ok(name, db, p):
                self.export_equals_ref(name, db, [p])

    def default_db_quiet_log(self):
        rep, run = self.rep, self.run
        cwd = self.tmp.join("cwd")
        os.mkdir(cwd)
        tie = self.write("tie2.txt", TIE_TEXT)
        log = self.tmp.join("index.log")
        r = run.run("index", "--quiet", "--log", log, tie, cwd=cwd)
        rep.check("index without --db (and --quiet --log FILE) exits 0", r.ok,
                  "" if r.ok else r.describe())
        rep.check("--quiet: nothing on stdout or stderr", r.out == b"" and r.err == b"",
                  "stdout %r, stderr %r" % (r.out[:200], r.err[:200]))
        rep.check("--db defaults to ./pretok.db", os.path.isdir(os.path.join(cwd, "pretok.db")),
                  "contents of cwd: %s" % os.listdir(cwd))
        q = run.run("query", " xx", cwd=cwd)
        rep.check("query without --db uses ./pretok.db", q.ok and q.out == b"2\t xx\n",
                  q.describe() if not q.ok else "%r" % q.out)
        # --log: one JSON object per line; a spill says what it wrote and
        # how long it took.
        events = []
        with open(log, encoding="utf-8") as f:
            for line in f:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    events.append({"unparsed": line})
        kinds = [e.get("event") for e in events]
        rep.check("--log: start, spill, checkpoint and finish events, all JSON",
                  all("unparsed" not in e for e in events) and kinds[:1] == ["start"]
                  and kinds[-1:] == ["finish"] and "spill" in kinds and "checkpoint" in kinds,
                  "events %r" % kinds)
        spills = [e for e in events if e.get("event") == "spill"]
        rep.check("--log: a spill has entries, batch_bytes, seconds and rss_bytes",
                  bool(spills) and all(
                      isinstance(e.get("entries"), int) and e["entries"] > 0
                      and isinstance(e.get("batch_bytes"), int) and e["batch_bytes"] > 0
                      and isinstance(e.get("seconds"), float) and 0 <= e["seconds"] < 60
                      and isinstance(e.get("rss_bytes"), int) for e in spills),
                  "spills %r" % spills)

    # ------------------------------------------------------------------ errors

    def expect_error(self, name, args, mentions, db=None, snapshot=None, absent=None,
                     unchanged_dir=None):
        rep = self.rep
        before_dir = dir_state(unchanged_dir) if unchanged_dir else None
        r = self.run.run(*args)
        err = r.err.decode("utf-8", "replace")
        lines = err.splitlines()
        ok = rep.check("error %s: non-zero exit" % name, r.rc != 0 and not r.timed_out,
                       ("exit %s" % r.rc) if r.rc and not r.timed_out else r.describe())
        one = len(lines) == 1 and lines[0].strip() != ""
        rep.check("error %s: exactly one line on stderr, nothing on stdout" % name,
                  one and r.out == b"", ("%r" % lines[0]) if one and r.out == b"" else
                  "stderr %r, stdout %r" % (err[:400], r.out[:200]))
        if mentions and lines:
            rep.check("error %s: message names %s" % (name, " or ".join(map(repr, mentions))),
                      any(m.lower() in err.lower() for m in mentions),
                      "" if any(m.lower() in err.lower() for m in mentions)
                      else "stderr %r" % err[:300])
        if db is not None and snapshot is not None:
            after = self.snapshot(db)
            diff = []
            if after[0] != snapshot[0]:
                diff.append("export changed")
            if after[1] != snapshot[1]:
                a, b = snapshot[1] or {}, after[1] or {}
                diff.append("stats changed: " + "; ".join(
                    "%s: %r -> %r" % (k, a.get(k), b.get(k))
                    for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))[:400])
            rep.check("error %s: database unchanged" % name, not diff, "; ".join(diff))
        if absent is not None:
            rep.check("error %s: %s not created" % (name, os.path.basename(absent)),
                      not os.path.exists(absent),
                      "it exists now" if os.path.exists(absent) else "")
        if unchanged_dir is not None:
            same = dir_state(unchanged_dir) == before_dir
            rep.check("error %s: directory left as it was" % name, same,
                      "" if same else "contents changed: %s" % sorted(os.listdir(unchanged_dir)))
        return ok

    def errors(self):
        rep = self.rep
        db = self.tmp.join("edb")
        base = self.write("base.txt", TIE_TEXT)
        if not self.index_ok("error-test base DB", db, base):
            return
        snap = self.snapshot(db)
        if snap[0] is None or snap[1] is None:
            rep.fail("error-test base DB: export and stats work")
            return
        new = self.write("new.txt", b"A new file whose words must not be counted.\n")
        missing = self.tmp.join("no-such-file.txt")
        adir = self.tmp.join("a-directory")
        os.mkdir(adir)
        E = self.expect_error
        E("missing file", ["index", "--db", db, missing], ["no-such-file.txt"], db, snap)
        E("missing file after a valid one", ["index", "--db", db, new, missing],
          ["no-such-file.txt"], db, snap)
        E("directory as FILE", ["index", "--db", db, adir], ["a-directory"], db, snap)

        unreadable = self.write("unreadable.txt", b"secret words here\n")
        os.chmod(unreadable, 0)
        try:
            open(unreadable, "rb").close()
            can_read = True
        except OSError:
            can_read = False
        if can_read:
            rep.skip("error unreadable file",
                     "chmod 000 does not stop this user (uid %d) from reading" % os.geteuid())
        else:
            E("unreadable file", ["index", "--db", db, unreadable], ["unreadable.txt"], db, snap)
        os.chmod(unreadable, 0o600)

        E("unknown flag", ["index", "--db", db, "--bogus-flag", new], ["--bogus-flag"], db, snap)
        E("bad --memory-limit 12X", ["index", "--db", db, "--memory-limit", "12X", new],
          ["12X", "memory-limit"], db, snap)
        E("--workers 0", ["index", "--db", db, "--workers", "0", new], ["workers"], db, snap)
        E("another special-token configuration on an existing DB",
          ["index", "--db", db, "--no-special-tokens", new], [], db, snap)

        nodb = self.tmp.join("no-such-db")
        E("query on a non-existent DB", ["query", "--db", nodb, "the"], ["no-such-db"],
          absent=nodb)
        E("export on a non-existent DB", ["export", "--db", nodb], ["no-such-db"], absent=nodb)
        E("stats on a non-existent DB", ["stats", "--db", nodb, "--json"], ["no-such-db"],
          absent=nodb)

        other = self.tmp.join("not-a-pretok-db")
        os.mkdir(other)
        with open(os.path.join(other, "notes.bin"), "wb") as f:
            f.write(os.urandom(1000))
        E("query with --db a directory that is not a database", ["query", "--db", other, "the"],
          ["not-a-pretok-db"], unchanged_dir=other)
        E("index with --db a directory that is not a database", ["index", "--db", other, new],
          ["not-a-pretok-db"], unchanged_dir=other)

    def read_only_db(self):
        """index on a database this user cannot write: one plain line, exit 1;
        the readers still work."""
        rep = self.rep
        import shutil
        import subprocess
        import tempfile
        prefix = []
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                return rep.skip("read-only database", "root, and no setpriv to drop to nobody")
            prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        top = tempfile.mkdtemp(prefix="pretokdb-ro-")
        try:
            os.chmod(top, 0o755)
            text = os.path.join(top, "ro.txt")
            with open(text, "wb") as f:
                f.write(b"read only words\n")
            db = os.path.join(top, "ro.db")
            if not self.index_ok("read-only database: first run", db, text):
                return
            for dirpath, dirnames, filenames in os.walk(db):
                for n in dirnames + filenames:
                    p = os.path.join(dirpath, n)
                    os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)
            os.chmod(db, 0o555)
            before = sorted(os.listdir(db))

            def run(*args):
                return subprocess.run(prefix + [self.a.bin] + list(args), capture_output=True,
                                      timeout=60, stdin=subprocess.DEVNULL)
            r = run("index", "--db", db, text)
            lines = r.stderr.decode("utf-8", "replace").splitlines()
            rep.check("read-only database: index exits 1 with one line saying it is read-only",
                      r.returncode == 1 and len(lines) == 1 and "read-only" in lines[0]
                      and "IO error" not in lines[0] and db in lines[0],
                      "exit %d, stderr %r" % (r.returncode, r.stderr[:400]))
            q = run("query", "--db", db, " only")
            rep.check("read-only database: query still reads it", q.returncode == 0
                      and q.stdout == b"1\t only\n", "exit %d, %r %r" % (q.returncode, q.stdout,
                                                                        q.stderr[:300]))
            rep.check("read-only database: nothing added to it", sorted(os.listdir(db)) == before,
                      "%s -> %s" % (before, sorted(os.listdir(db))))
        finally:
            if os.path.isdir(os.path.join(top, "ro.db")):
                os.chmod(os.path.join(top, "ro.db"), 0o755)
            shutil.rmtree(top, ignore_errors=True)

    def binary_warning(self):
        """A binary-looking input is warned of once (stderr and --log), and counted."""
        rep, run = self.rep, self.run
        binary = self.write("prog.bin", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64)
        latin1 = self.write("latin1.txt", "caf\u00e9 na\u00efve \u00e0 ".encode("latin-1") * 2000)
        text = self.write("plain.txt", b"plain text only\n" * 100)
        db = self.tmp.join("bindb")
        log = self.tmp.join("bin.log")
        r = run.run("index", "--db", db, "--log", log, binary, latin1, text)
        warned = [ln for ln in r.err.decode("utf-8", "replace").splitlines()
                  if ln.startswith("pretok-db: warning:")]
        rep.check("binary input: exit 0, one warning per binary-looking file, naming it",
                  r.ok and len(warned) == 2 and "prog.bin" in warned[0]
                  and "latin1.txt" in warned[1] and all("binary" in w for w in warned),
                  r.describe())
        with open(log, encoding="utf-8") as f:
            events = [json.loads(line) for line in f]
        paths = [e.get("path") for e in events if e.get("event") == "warning"]
        rep.check("binary input: a warning event in --log for each", paths == [binary, latin1],
                  "warning paths %r" % paths)
        self.export_equals_ref("binary input: still counted as --invalid-utf8 replace",
                               db, [binary, latin1, text])
        q = run.run("index", "--db", self.tmp.join("textdb"), text)
        rep.check("text input: no warning", q.ok and b"warning" not in q.err, q.describe())

    def rerun_nothing_to_do(self):
        """A rerun with every file indexed says so (one line), not a progress line."""
        rep, run = self.rep, self.run
        db = self.tmp.join("rerundb")
        a = self.write("rerun-a.txt", b"hello world\n")
        e = self.write("rerun-empty.txt", b"")
        if not self.index_ok("rerun: first run", db, a, e):
            return
        before = self.snapshot(db)
        r = run.run("index", "--db", db, a, e)
        lines = r.err.decode("utf-8", "replace").splitlines()
        rep.check("rerun with nothing to do: exit 0, one line saying all is already indexed",
                  r.ok and len(lines) == 1 and "already indexed" in lines[0]
                  and "nothing was done" in lines[0] and "MB/s" not in lines[0], r.describe())
        rep.check("rerun with nothing to do: database unchanged", self.snapshot(db) == before)
        q = run.run("index", "--db", db, "--quiet", a)
        rep.check("rerun with nothing to do, --quiet: silent", q.ok and q.err == b"", q.describe())
        with open(a, "ab") as f:
            f.write(b"more words\n")
        g = run.run("index", "--db", db, a, e)
        rep.check("rerun after a file grew: counted, not 'nothing was done'",
                  g.ok and b"nothing was done" not in g.err, g.describe())
        b = self.write("rerun-b.txt", b"")
        n = run.run("index", "--db", db, a, b)
        rep.check("rerun with a new (empty) file: not 'nothing was done'",
                  n.ok and b"nothing was done" not in n.err, n.describe())

    def many_runs(self):
        """Dozens of index runs on one database (as a multi-day job of short runs
        makes) keep a bounded number of files in it: no write-ahead log per run.
        A reader started at any moment meanwhile succeeds and sees the counts."""
        import threading
        rep, run = self.rep, self.run
        db = self.tmp.join("manydb")
        a = self.write("many-a.txt", b"hello world, again and again\n" * 50)
        if not self.index_ok("many runs: first run", db, a):
            return
        before = self.snapshot(db)
        sizes = []
        failures = []
        reads = [0]
        done = threading.Event()

        def read():
            while not done.is_set():
                q = run.run("query", "--db", db, " world")
                reads[0] += 1
                if not (q.ok and q.out == b"50\t world\n"):
                    failures.append(q.describe())
        reader = threading.Thread(target=read)
        reader.start()
        try:
            runs_ok = True
            for i in range(35):
                r = run.run("index", "--db", db, "--quiet", a)
                runs_ok = runs_ok and r.ok
                sizes.append(len(os.listdir(db)))
        finally:
            done.set()
            reader.join()
        logs = [n for n in os.listdir(db) if n.endswith(".log")]
        rep.check("many runs: 35 more index runs exit 0", runs_ok)
        rep.check("many runs: at most one write-ahead log (NNNNNN.log) left", len(logs) <= 1,
                  str(sorted(logs)))
        rep.check("many runs: files in the database stay few (at most 30, not growing)",
                  max(sizes) <= 30 and max(sizes[20:]) <= max(sizes[:15]),
                  "entries after each run: %s" % sizes)
        rep.check("many runs: %d queries during the runs all succeed with the counts" % reads[0],
                  reads[0] > 0 and not failures, "; ".join(failures[:2]))
        rep.check("many runs: counts and stats unchanged", self.snapshot(db) == before)

    def skipped_stretch(self):
        """A stretch with no possible cut over 1 MiB is skipped from the last
        possible cut before it to the first after it, exactly as README's Limits
        says: whitespace before a long word goes with it, punctuation does not."""
        rep, run = self.rep, self.run
        long_word = b"x" * (2 << 20)
        cases = [
            # (name, text, skipped offset, skipped bytes, counts of what is left)
            ("newline before it", b"one two\n" + long_word + b"\nthree\n", 7,
             1 + len(long_word), {b"one": 1, b" two": 1, b"\n": 2, b"three": 1}),
            ("a period before it", b"one two." + long_word + b".three\n", 8,
             len(long_word), {b"one": 1, b" two": 1, b".": 2, b"three": 1, b"\n": 1}),
        ]
        for i, (name, text, offset, skipped, left) in enumerate(cases):
            path = self.write("stretch-%d.txt" % i, text)
            db = self.tmp.join("stretchdb-%d" % i)
            r = run.run("index", "--db", db, "--quiet", path)
            warned = [ln for ln in r.err.decode("utf-8", "replace").splitlines()
                      if "warning" in ln]
            rep.check("skipped stretch, %s: one warning naming byte %d and %d bytes"
                      % (name, offset, skipped),
                      r.ok and len(warned) == 1 and ("at byte %d:" % offset) in warned[0]
                      and ("skipped %d bytes" % skipped) in warned[0], r.describe())
            e = run.export(db)
            got, _ = parse_hex_export(e.out)
            rep.check("skipped stretch, %s: exactly the rest is counted" % name, got == left,
                      diff_counts(left, got))
            st, _ = run.stats(db)
            rep.check("skipped stretch, %s: stats say 1 stretch, %d bytes" % (name, skipped),
                      st is not None and st["skipped_stretches"] == 1
                      and st["skipped_bytes"] == skipped
                      and st["pretokens"] == sum(left.values()), str(st)[:300])

    def moved_files(self):
        """A file moved since it was indexed is that file under a new path: said
        so (stderr and --log), recorded under the new path, not counted again; it
        resumes or grows there. A copy (its old path still there) counts again."""
        import signal
        import time
        rep, run = self.rep, self.run
        text = b"moved words and more words\n" * 200
        db = self.tmp.join("movedb")
        r1 = self.write("move-r1.txt", text)
        if not self.index_ok("moved: first run", db, r1):
            return
        r2 = self.tmp.join("move-r2.txt")
        os.rename(r1, r2)
        log = self.tmp.join("move.log")
        r = run.run("index", "--db", db, "--log", log, r2)
        warned = [ln for ln in r.err.decode("utf-8", "replace").splitlines() if "warning" in ln]
        rep.check("moved: one warning naming both paths",
                  r.ok and len(warned) == 1 and "moved from " + r1 in warned[0]
                  and r2 in warned[0], r.describe())
        with open(log, encoding="utf-8") as f:
            events = [json.loads(line) for line in f]
        moves = [e for e in events if e.get("event") == "warning"]
        rep.check("moved: a warning event in --log naming the new path",
                  len(moves) == 1 and moves[0].get("path") == r2 and r1 in moves[0]["message"],
                  str(moves))
        self.export_equals_ref("moved: counted once", db, [r2])
        st, _ = run.stats(db)
        rep.check("moved: stats list the new path only",
                  st is not None and [f["path"] for f in st["files"]] == [r2], str(st)[:300])
        again = run.run("index", "--db", db, r2)
        rep.check("moved: the next run finds it indexed, without a warning",
                  again.ok and b"already indexed" in again.err and b"warning" not in again.err,
                  again.describe())

        # A copy: the old path is still there, so it counts again.
        r3 = self.write("move-r3.txt", text)
        c = run.run("index", "--db", db, r3)
        rep.check("copy: indexed without a move warning", c.ok and b"moved" not in c.err,
                  c.describe())
        self.export_equals_ref("copy: counted twice (summed over the files)", db, [r2, r3])

        # Moved, then appended to: only the new bytes are counted.
        r4 = self.tmp.join("move-r4.txt")
        os.rename(r3, r4)
        with open(r4, "ab") as f:
            f.write(b"appended after the move\n")
        g = run.run("index", "--db", db, r4)
        rep.check("moved and grown: a move warning", g.ok and ("moved from " + r3).encode() in g.err,
                  g.describe())
        self.export_equals_ref("moved and grown: the old bytes once, the new ones counted",
                               db, [r2, r4])

        # Moved while unfinished: resumes under its new path.
        big = self.tmp.join("move-big.txt")
        with open(self.web, "rb") as src:
            web = src.read()
        with open(big, "wb") as f:
            for _ in range(3):
                f.write(web)
        bdb = self.tmp.join("movebigdb")
        p = run.start("index", "--db", bdb, "--memory-limit", "64K", "--workers", "1", big)
        time.sleep(0.5)
        p.signal(signal.SIGKILL)
        p.wait(60)
        st, _ = run.stats(bdb)
        unfinished = st is not None and st["files"] and \
            st["files"][0]["bytes_done"] < st["files"][0]["size"]
        moved_big = self.tmp.join("move-big-2.txt")
        os.rename(big, moved_big)
        m = run.run("index", "--db", bdb, moved_big)
        rep.check("moved while unfinished: resumes with a move warning",
                  m.ok and b"moved from" in m.err, m.describe())
        if not unfinished:
            rep.note("moved while unfinished: the first run had finished before the kill")
        self.export_equals_ref("moved while unfinished: counts of one uninterrupted run",
                               bdb, [moved_big])

    def pattern_or_regex(self):
        """--pattern takes a built-in name, --regex a regex of your own: neither is
        guessed from the other. A database built with a regex (its configuration
        holds the regex's text, as it always did) keeps working with --regex."""
        rep, run = self.rep, self.run
        text = self.write("regex.txt", b"ok bad okay, not ok\n<|endoftext|>ok ok\n")
        U = self.expect_usage
        U("--pattern ok (a regex)", ["index", "--db", self.tmp.join("rx0"), "--pattern", "ok", text],
          ["--pattern", "'ok'", "--regex"])
        U("--pattern 'ok|bad'", ["index", "--db", self.tmp.join("rx0"), "--pattern", "ok|bad", text],
          ["--pattern", "ok|bad", "--regex"])
        U("--pattern with --regex", ["index", "--db", self.tmp.join("rx0"), "--pattern", "cl100k",
                                     "--regex", "ok", text], ["--pattern", "--regex"])
        U("--regex gpt2 (a name)", ["index", "--db", self.tmp.join("rx0"), "--regex", "gpt2", text],
          ["--regex", "--pattern gpt2"])
        U("--regex ''", ["index", "--db", self.tmp.join("rx0"), "--regex", "", text], ["--regex"])
        rep.check("refused command lines create no database",
                  not os.path.exists(self.tmp.join("rx0")))

        from reference_count import count_bytes
        with open(text, "rb") as f:
            data = f.read()
        db = self.tmp.join("rxdb")
        if not self.index_ok("--regex ok", db, text, extra=("--regex", "ok")):
            return
        ref = count_bytes(data, ("<|endoftext|>",), pattern="ok")
        e = run.export(db)
        rep.check("--regex ok: counts == Python regex.finditer('ok')",
                  e.ok and e.out == hex_export(ref.counts), e.describe())
        st, _ = run.stats(db)
        rep.check("--regex ok: stats show the regex as a custom pattern",
                  st is not None and st["config"]["pattern"] == "custom"
                  and st["config"]["pattern_regex"] == "ok", str(st and st["config"]))
        more = self.write("regex-more.txt", b"ok again\n")
        self.index_ok("--regex ok: indexing into it again with the same --regex", db, more,
                      extra=("--regex", "ok"))
        q = run.run("query", "--db", db, "ok")
        rep.check("--regex ok: the second file is added", q.ok and q.out == b"%d\tok\n"
                  % (ref.counts.get(b"ok", 0) + 1), q.describe())
        r = run.run("index", "--db", db, more)
        err = r.err.decode("utf-8", "replace")
        rep.check("--regex database: indexing with the default pattern is refused, naming the regex",
                  r.rc == 1 and "regex 'ok'" in err and "gpt2" in err, r.describe())

    def expect_usage(self, name, args, mentions):
        """A malformed command line: exit 2, one line on stderr naming mentions."""
        r = self.run.run(*args)
        err = r.err.decode("utf-8", "replace")
        lines = err.splitlines()
        self.rep.check("usage %s: exit 2, one line on stderr, nothing on stdout" % name,
                       r.rc == 2 and len(lines) == 1 and r.out == b"",
                       "exit %s, stderr %r, stdout %r" % (r.rc, err[:400], r.out[:200]))
        missing = [m for m in mentions if m.lower() not in err.lower()]
        self.rep.check("usage %s: message names %s" % (name, ", ".join(map(repr, mentions))),
                       not missing, "stderr %r" % err[:400])

    def usage_errors(self):
        U = self.expect_usage
        U("unknown subcommand", ["frobnicate"],
          ["frobnicate", "index", "query", "top", "stats", "export", "train-bpe"])
        U("no subcommand", [], ["subcommand"])
        db = self.tmp.join("no-such-db-for-usage")
        for n in ("-3", "0", "1.5", "abc", "", "99999999999999999999"):
            U("top -n %r" % n, ["top", "--db", db, "-n", n], ["-n", "whole number"])
        text = self.write("mem.txt", b"hello world")
        for v in ("0", "abc", "1K", "12X", "1.G", "-1G", "20000000000T"):
            U("index --memory-limit %s" % v,
              ["index", "--db", db, "--memory-limit", v, text], ["memory-limit", v, "64K"])
            U("train-bpe --memory-limit %s" % v,
              ["train-bpe", "--db", db, "--vocab-size", "300", "--out", self.tmp.join("tok"),
               "--memory-limit", v], ["memory-limit", v, "64K"])
        mdb = self.tmp.join("memdb")
        self.index_ok("--memory-limit 1.5G (a decimal size)", mdb, text,
                      extra=("--memory-limit", "1.5G"))
        self.index_ok("--memory-limit 64K (the least)", self.tmp.join("memdb64k"), text,
                      extra=("--memory-limit", "64K"))

    def db_paths(self):
        """--db with a trailing slash, or under directories not made yet."""
        text = self.write("paths.txt", b"hello world")
        for name in ("slash-db/", os.path.join("not", "made", "yet.db")):
            db = self.tmp.join(name)
            if self.index_ok("--db " + name, db, text):
                st = self.run.run("stats", "--db", db, "--json")
                self.rep.check("--db " + name + ": stats reads it",
                               st.ok and json.loads(st.out)["pretokens"] == 2,
                               st.describe())
        leftovers = [n for n in os.listdir(self.tmp.path) if n.endswith(".creating")]
        self.rep.check("no staging directory left", leftovers == [], str(leftovers))

    def version(self):
        """--version: one line naming pretok-db's and RocksDB's versions, exit 0."""
        r = self.run.run("--version")
        self.rep.check("--version exits 0 with one line 'pretok-db X.Y.Z (RocksDB X.Y.Z)'",
                       r.ok and re.fullmatch(rb"pretok-db \d+\.\d+\.\d+ \(RocksDB \d+\.\d+\.\d+\)\n",
                                             r.out) is not None and r.err == b"",
                       r.describe())

    def main(self):
        rep = self.rep
        rep.section("--version", self.version)
        rep.section("--db paths", self.db_paths)
        if rep.section("index the samples for query/top", self.setup_qdb):
            rep.section("query", self.query_plain)
            rep.section("query (escaped)", self.query_escaped)
            rep.section("query --hex", self.query_hex)
            rep.section("query --json, top --json", self.json_lines)
            rep.section("top", self.top)
            rep.section("stats text", self.stats_text)
        rep.section("export formats and -o", self.export_formats)
        rep.section("empty file, no trailing newline", self.small_files)
        rep.section("default --db, --quiet, --log", self.default_db_quiet_log)
        rep.section("errors", self.errors)
        rep.section("rerun with nothing to do", self.rerun_nothing_to_do)
        rep.section("many runs on one database", self.many_runs)
        rep.section("a stretch too long to count", self.skipped_stretch)
        rep.section("moved files", self.moved_files)
        rep.section("--pattern NAME or --regex RE", self.pattern_or_regex)
        rep.section("binary input warning", self.binary_warning)
        rep.section("read-only database", self.read_only_db)
        rep.section("malformed command lines (exit 2)", self.usage_errors)


def dir_state(d):
    out = []
    for dirpath, dirnames, filenames in os.walk(d):
        dirnames.sort()
        for n in sorted(filenames):
            p = os.path.join(dirpath, n)
            with open(p, "rb") as f:
                out.append((os.path.relpath(p, d), f.read()))
        out.append((os.path.relpath(dirpath, d) + "/", sorted(dirnames)))
    return out


def main():
    return run_suite(Cli, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
