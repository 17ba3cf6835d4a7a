#!/usr/bin/env python3
"""Growth test: a file indexed before and grown since by appending (its old
bytes unchanged) is indexed incrementally when given again, and the counts
then equal those of the grown file indexed from scratch (the Python
reference), including the pretoken, whitespace run, special token, UTF-8
character or contraction cut at the old end; a file changed any other way is
refused with one line and the database is left as it was; an unchanged file
is skipped.

Test cases (one section each):
  1. cuts            one small file per case, indexed, appended to, indexed
                     again (and again for several appends in a row); after each
                     run `export --format hex` equals the reference over the
                     file as it is then, byte for byte, and never prints a 0
                     count; `stats --json` documents / pretokens / distinct /
                     invalid_utf8_replaced and files[].size / bytes_done match;
                     `query` of the cut pretoken ("hel") gives 0.
  2. several files   appends to one of several files (and to another one with
                     only that file given), plus a grown file and a new file in
                     one run.
  3. chunk edge      the old end inside a special token whose start lies in the
                     previous chunk (CJK text has no ASCII cut, so the planner's
                     last cut is inside the token's prefix).
  3b. other tokens   two special tokens sharing a prefix, a whitespace one, a
                     non-ASCII one, --no-special-tokens.
  3c. tail memory    the old end in a long cut-free CJK tail at --memory-limit
                     64K: exact counts, or a one-line refusal that leaves the
                     database as it was (also the other file's growth).
  3d. long stretch   a stretch longer than the maximum pretoken (skipped by
                     design): grown == indexed from scratch.
  4. big             multi-MB make-corpus files (web, cut in a word; stories, cut
                     in <|endoftext|>) indexed with 2 workers and a small
                     --memory-limit (many spills, multi-chunk plan), then grown
                     by MBs; also checked against `reference_count.py --stats`
                     run as a script.
  5. interrupted     the first run stopped by SIGINT (its last chunk partly
                     done / not started / done while an earlier chunk is not),
                     then the file grown, then the same command again.
  6. refused         same size with a byte changed in the middle, larger with an
                     old byte changed in the first 64 KiB / in the last 64 KiB
                     before the old end, shorter: one line, non-zero exit,
                     export and stats unchanged; also when given together with a
                     file that grew correctly (nothing of it committed).
  7. unchanged       re-running on grown-and-indexed files changes nothing.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import (Runner, count_bytes, diff_counts, first_diff_line, hex_export,  # noqa: E402
                     make_corpus, parse_hex_export, run_suite, stats_without_elapsed)
from reference_count import RefResult  # noqa: E402

SMALL_ARGS = ["--workers", "2", "--memory-limit", "64M"]
BIG_WORKERS = 2
BIG_MEMORY = "1M"       # hundreds of spills on a few MB of web text
SLOW_MEMORY = "64K"     # slow enough to interrupt inside a chunk
SPECIAL = b"<|endoftext|>"
KIB = 1024


# ----------------------------------------------------------------------------- planner
# A mirror of src/ingest/chunk_planner.cc (GPT-2 safe cuts, default special
# token), used only to say which chunk a checkpoint offset belongs to in the
# SIGINT cases; it is validated against the checkpoints of a full run.

_WS = set([chr(c) for c in range(9, 14)] + [" ", "\x85", "\xa0", "\u1680"]
          + [chr(c) for c in range(0x2000, 0x200B)]
          + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"])
_ASCII_WS = set(b"\t\n\x0b\x0c\r ")


def _char_before(data, q):
    for k in (1, 2, 3, 4):
        if q - k < 0:
            break
        try:
            s = data[q - k:q].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(s) == 1:
            return s
    return "\ufffd"


def _cls(b):
    if 0x30 <= b <= 0x39:
        return 1
    if 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A:
        return 2
    return 3


def _safe_cut(data, q):
    b = data[q]
    if b in _ASCII_WS:
        return _char_before(data, q) not in _WS
    a = data[q - 1]
    return (a < 0x80 and b < 0x80 and a not in _ASCII_WS and _cls(a) != _cls(b)
            and a != 0x27)


def _spanned(data, q):
    lo = max(0, q - len(SPECIAL) + 1)
    i = data.find(SPECIAL, lo, q + len(SPECIAL))
    while i != -1 and i < q:
        if i < q < i + len(SPECIAL):
            return True
        i = data.find(SPECIAL, i + 1, q + len(SPECIAL))
    return False


def mirror_plan(data, workers, from_=0, new_bytes=None):
    size = len(data)
    if new_bytes is None:
        new_bytes = size - from_
    target = min(max(new_bytes // (workers * 8 + 1), 256 * KIB), 64 << 20)
    share = 2 * workers
    chunks, begin = [], from_
    while begin < size:
        rest = size - begin
        want = min(target, max(256 * KIB, rest // share))
        cut = size
        if rest > want + want // 2:
            q = max(begin + want, 1)
            while q < size and not (_safe_cut(data, q) and not _spanned(data, q)):
                q += 1
            cut = q
        chunks.append((begin, cut))
        begin = cut
    return chunks


# ----------------------------------------------------------------------------- helpers

def ref_of(paths, specials=None):
    total = RefResult()
    for p in paths:
        with open(p, "rb") as f:
            total.add(count_bytes(f.read()) if specials is None
                      else count_bytes(f.read(), tuple(specials)))
    return total


def special_args(specials):
    if specials is None:
        return []
    if not specials:
        return ["--no-special-tokens"]
    out = []
    for t in specials:
        out += ["--special-token", t]
    return out


def read_log(path):
    out = []
    try:
        with open(path, "rb") as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    except OSError:
        pass
    return out


def show(b, limit=60):
    r = repr(b)
    return r if len(r) <= limit else r[:limit] + "..."


class Growth:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.n = 0

    # ------------------------------------------------------------------ basics

    def case_dir(self, name):
        self.n += 1
        d = self.tmp.join("c%03d-%s" % (self.n, "".join(c if c.isalnum() else "_"
                                                          for c in name)[:30]))
        os.mkdir(d)
        return d

    def write(self, path, data, append=False):
        with open(path, "ab" if append else "wb") as f:
            f.write(data)
        return path

    def index(self, db, files, args=SMALL_ARGS, log=None):
        extra = ["--log", log] if log else []
        return self.run.run("index", "--db", db, *args, *extra, *files)

    def index_ok(self, name, db, files, args=SMALL_ARGS, log=None):
        r = self.index(db, files, args, log)
        return self.rep.check("%s: index exits 0" % name, r.ok,
                              r.describe() if not r.ok else "%.2f s" % r.elapsed)

    def snapshot(self, db):
        e = self.run.export(db, "hex")
        st, _ = self.run.stats(db)
        return (e.out if e.ok else None, stats_without_elapsed(st))

    def verify(self, name, db, files, all_files=None, queries=None, ref=None):
        """export (hex) == reference over all_files (default files), no 0 count
        line, stats figures and files[] match, queries give the expected counts."""
        rep, run = self.rep, self.run
        all_files = all_files or files
        if ref is None:
            ref = ref_of(all_files)
        e = run.export(db, "hex")
        ok = True
        if not rep.check("%s: export exits 0" % name, e.ok, "" if e.ok else e.describe()):
            return False
        zero = [ln for ln in e.out.split(b"\n") if ln.endswith(b"\t0")]
        ok &= rep.check("%s: export prints no 0 count line" % name, not zero,
                        "%d such lines, e.g. %s" % (len(zero), ", ".join(
                            "%s (%s)" % (z.decode(), show(bytes.fromhex(
                                z.split(b"\t")[0].decode()))) for z in zero[:5])))
        want = hex_export(ref.counts)
        if e.out == want:
            rep.check("%s: export identical to the reference" % name, True,
                      "%d lines" % want.count(b"\n"))
        else:
            got, _ = parse_hex_export(e.out)
            ok = False
            rep.fail("%s: export identical to the reference" % name,
                     diff_counts(dict(ref.counts), got) or first_diff_line(e.out, want))
        st, sr = run.stats(db)
        if not rep.check("%s: stats --json" % name, st is not None,
                         "" if st is not None else sr.describe()):
            return False
        bad = ["%s=%r expected %r" % (k, st.get(k), v) for k, v in
               (("documents", ref.documents), ("pretokens", ref.pretokens),
                ("distinct_pretokens", ref.distinct),
                ("invalid_utf8_replaced", ref.invalid_utf8_replaced)) if st.get(k) != v]
        files_st = {f.get("path"): (f.get("size"), f.get("bytes_done"))
                    for f in st.get("files") or [] if isinstance(f, dict)}
        for p in all_files:
            size = os.path.getsize(p)
            got = files_st.get(os.path.abspath(p), files_st.get(os.path.realpath(p)))
            if got != (size, size):
                bad.append("%s: (size, bytes_done)=%r expected %r"
                           % (os.path.basename(p), got, (size, size)))
        ok &= rep.check("%s: stats match the reference" % name, not bad,
                        "; ".join(bad) if bad else "documents %d, pretokens %d, distinct %d"
                        % (ref.documents, ref.pretokens, ref.distinct))
        for tok in queries or ():
            n = ref.counts.get(tok, 0)   # the reference decides; see the cases
            q = run.run("query", "--db", db, "--hex", tok.hex())
            exp = b"%d\t%s\n" % (n, tok.hex().encode())
            ok &= rep.check("%s: query %s gives %d" % (name, show(tok), n),
                            q.ok and q.out == exp,
                            q.describe() if not q.ok else "got %r" % q.out)
        return ok

    def expect_refused(self, name, db, files, bad_path):
        rep = self.rep
        before = self.snapshot(db)
        r = self.index(db, files)
        err = r.err.decode("utf-8", "replace")
        lines = [ln for ln in err.splitlines() if ln.strip()]
        rep.check("%s: refused (non-zero exit, no crash, no hang)" % name,
                  r.rc not in (0, None) and r.rc > 0 and not r.timed_out,
                  ("exit %s" % r.rc) if r.rc and r.rc > 0 else r.describe())
        one = len(lines) == 1 and lines[0].startswith("pretok-db: error:")
        rep.check("%s: one line 'pretok-db: error: ...' naming the file" % name,
                  one and os.path.basename(bad_path) in lines[0],
                  "stderr %r" % err[:400])
        after = self.snapshot(db)
        diff = []
        if after[0] != before[0]:
            diff.append("export changed")
        if after[1] != before[1]:
            a, b = before[1] or {}, after[1] or {}
            diff.append("stats changed: " + "; ".join(
                "%s: %r -> %r" % (k, a.get(k), b.get(k))
                for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))[:500])
        rep.check("%s: database unchanged (export, stats)" % name, not diff, "; ".join(diff))
        return r

    def check_unchanged_rerun(self, name, db, files, args=SMALL_ARGS):
        before = self.snapshot(db)
        r = self.index(db, files, args)
        if not self.rep.check("%s: re-run on unchanged files exits 0" % name, r.ok,
                              r.describe() if not r.ok else ""):
            return
        after = self.snapshot(db)
        diff = []
        if after[0] != before[0]:
            diff.append("export changed: " + first_diff_line(after[0] or b"", before[0] or b""))
        if after[1] != before[1]:
            a, b = before[1] or {}, after[1] or {}
            diff.append("stats changed: " + "; ".join(
                "%s: %r -> %r" % (k, a.get(k), b.get(k))
                for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))[:500])
        self.rep.check("%s: unchanged files skipped (export, stats unchanged)" % name,
                       not diff, "; ".join(diff))

    def grow_case(self, name, parts, queries=None, rerun=False, specials=None):
        """File = parts[0], index; then for each further part: append, index,
        verify. `queries` are checked after the last run. specials: None for
        the default special token, () for --no-special-tokens, or the tokens."""
        d = self.case_dir(name)
        db, f = os.path.join(d, "db"), os.path.join(d, "f.txt")
        args = SMALL_ARGS + special_args(specials)
        self.write(f, parts[0])
        shown = " + ".join(show(p, 40) for p in parts)
        if specials is not None:
            shown += "; special tokens %r" % (list(specials),)
        if not self.index_ok("%s [%s] first run" % (name, shown), db, [f], args):
            return
        self.verify("%s: before growth" % name, db, [f], ref=ref_of([f], specials))
        for i, p in enumerate(parts[1:], 1):
            self.write(f, p, append=True)
            label = "%s: after append %d/%d" % (name, i, len(parts) - 1)
            if not self.index_ok(label, db, [f], args):
                return
            last = i == len(parts) - 1
            self.verify(label, db, [f], queries=queries if last else None,
                        ref=ref_of([f], specials))
        if rerun:
            self.check_unchanged_rerun(name, db, [f], args)

    # ------------------------------------------------------------------ sections

    def cuts(self):
        G = self.grow_case
        G("pretoken", [b"hel", b"lo world"], [b"hello", b"hel", b" world"], rerun=True)
        G("pretoken after a space", [b"Say hel", b"lo world\n"], [b" hello", b" hel"])
        G("number", [b"year 20", b"25 ok"], [b" 2025", b" 20"])
        G("punctuation run", [b"wait..", b". ok"], [b"...", b".."])
        G("whitespace run", [b"a  ", b"  b"], [b"   ", b"  ", b" b"])
        G("newline run", [b"a\n", b"\nb\n"], [b"\n\n"])
        G("space then word", [b"hello ", b"world"], [b" world", b" "])
        G("after a complete separator (whitespace)", [b"one two\n", b"three\n"])
        G("special token cut 7/13", [b"x <|endof", b"text|>x"],
          [b"<|", b"endof", b"x", b" "])
        G("special token cut 1/13", [b"x<", b"|endoftext|>y"], [b"<", b"y"])
        G("special token cut 12/13", [b"x<|endoftext|", b">y"], [b"|", b"<|"])
        G("special token cut 2/13 after space", [b"end. <|", b"endoftext|> next"])
        G("right after a complete special token", [b"x<|endoftext|>", b"y"], [b"y"])
        G("right after a special token, then one more", [b"x<|endoftext|>",
                                                          b"<|endoftext|>y"])
        G("special token prefix that does not complete", [b"a <|endof", b"fset b"],
          [b" <|", b"endoffset"])
        G("separator then newline", [b"story.\n<|endoftext|>\n", b"Once upon"])
        G("utf8 3-byte cut 2/3", [b"cost 5\xe2\x82", b"\xac"], [b"\xe2\x82\xac", b"\xef\xbf\xbd"])
        G("utf8 3-byte cut 1/3", [b"x\xe2", b"\x82\xac y"])
        G("utf8 4-byte cut 2/4", [b"hi \xf0\x9f", b"\x98\x80!"])
        G("utf8 4-byte cut 3/4", [b"\xf0\x9f\x98", b"\x80"])
        G("utf8 letter cut", [b"caf\xc3", b"\xa9 au lait"], [b"caf\xc3\xa9", b"caf"])
        G("utf8 NBSP cut (whitespace)", [b"a\xc2", b"\xa0b"])
        G("utf8 ideographic space cut", [b"a \xe3\x80", b"\x80 b"])
        G("invalid stays invalid", [b"a\xe2\x82", b"x"])
        G("invalid then valid", [b"a\xe2", b"\xe2\x82\xac"])
        G("contraction 't", [b"don'", b"t"], [b"'t", b"'", b"don"])
        G("contraction 'll", [b"we'l", b"l go"], [b"'ll", b"'l"])
        G("contraction 've", [b"I'", b"ve"], [b"'ve"])
        G("contraction apostrophe appended", [b"it", b"'s"], [b"'s"])
        G("empty file", [b"", b"hello world"], [b"hello"])
        G("empty file, then a special token", [b"", b"<|endoftext|>"])
        G("empty append (unchanged)", [b"abc", b""])
        G("special token completed over two appends", [b"<|e", b"n", b"doftext|>"],
          [b"<|", b"endoftext", b"|>"])
        G("special token completed over three appends", [b"x <|end", b"oft", b"ext", b"|>y"],
          [b"<|", b"endoftext", b" <|", b"y"])
        G("utf8 4-byte char over three appends", [b"a\xf0", b"\x9f", b"\x98", b"\x80b"])
        G("whitespace run over three appends", [b"a ", b" ", b"\n", b"b"])
        G("contraction over three appends", [b"we", b"'", b"l", b"l"], [b"'ll", b"'l", b"'"])
        G("CR then LF", [b"a\r", b"\nb\r\n"])
        G("special token inside the recounted tail", [b"x <|endoftext|>\xc3\xa9",
                                                      b"\xc3\xa9 y"])
        G("several appends in a row",
          [b"a", b"b", b" c", b"<|endof", b"text|>", b"d\xe2\x82", b"\xac", b"  ", b" e'",
           b"s", b"\n", b"\n<|endoftext|>", b"", b"z"],
          [b"ab", b"a", b"\xe2\x82\xac", b"\xef\xbf\xbd", b"'s"], rerun=True)

    def several_files(self):
        rep = self.rep
        d = self.case_dir("several")
        db = os.path.join(d, "db")
        a = self.write(os.path.join(d, "a.txt"), b"alpha beta gam")
        b = self.write(os.path.join(d, "b.txt"), b"one two thr")
        c = self.write(os.path.join(d, "c.txt"), b"x <|endof")
        files = [a, b, c]
        if not self.index_ok("several: first run", db, files):
            return
        self.verify("several: before growth", db, files)
        self.write(b, b"ee four", append=True)
        if self.index_ok("several: b grown, all given", db, files):
            self.verify("several: b grown, all given", db, files,
                        queries=[b" three", b" thr", b"alpha", b" gam"])
        self.write(c, b"text|>y z", append=True)
        if self.index_ok("several: c grown, only c given", db, [c]):
            self.verify("several: c grown, only c given", db, [c], all_files=files,
                        queries=[b"<|", b"endof", b" z"])
        # a grown file, an unchanged one and a new one in one run
        self.write(a, b"ma delta", append=True)
        n = self.write(os.path.join(d, "new.txt"), b"brand new <|endoftext|> file")
        files2 = [a, b, c, n]
        if self.index_ok("several: a grown + new file", db, files2):
            self.verify("several: a grown + new file", db, files2,
                        queries=[b" gamma", b" gam"])
        self.check_unchanged_rerun("several", db, files2)
        # the same file grown twice with other files growing in between
        self.write(b, b" five", append=True)
        self.write(c, b"\xe2\x82", append=True)
        if self.index_ok("several: b and c grown", db, files2):
            self.verify("several: b and c grown", db, files2)
        self.write(c, b"\xac!", append=True)
        if self.index_ok("several: c grown again", db, files2):
            self.verify("several: c grown again", db, files2)
        rep.note("several files: done")

    def chunk_edge(self):
        """The planner's last cut falls inside '<|endof' (no other cut in CJK
        text), so the old last chunk is 'endof' and the special token that the
        append completes starts in the previous chunk."""
        for workers in (1, 2):
            d = self.case_dir("edge%d" % workers)
            db, f = os.path.join(d, "db"), os.path.join(d, "f.txt")
            body = "日本語。".encode() * 40000 + b"<|endof"
            self.write(f, body)
            plan = mirror_plan(body, workers)
            self.rep.note("chunk edge (workers %d): file %d bytes, planner mirror: chunks %s"
                          % (workers, len(body), plan))
            args = ["--workers", str(workers), "--memory-limit", "64M"]
            name = "old end in a special token straddling the last chunk edge, %d worker(s)" \
                % workers
            r = self.index(db, [f], args)
            if not self.rep.check("%s: first run exits 0" % name, r.ok, r.describe()):
                continue
            self.verify("%s: before growth" % name, db, [f])
            self.write(f, b"text|>tail", append=True)
            r = self.index(db, [f], args)
            if self.rep.check("%s: run after growth exits 0" % name, r.ok, r.describe()):
                self.verify("%s: after growth" % name, db, [f],
                            queries=[b"\xe3\x80\x82<|", b"tail", b"endoftext"])

    def _cut_position(self, data, near, kind):
        if kind == "word":
            p = near
            while not (data[p - 1:p].isalpha() and data[p:p + 1].isalpha()
                       and data[p - 1] < 0x80 and data[p] < 0x80):
                p += 1
            return p
        if kind == "special":
            s = data.find(SPECIAL, near)
            return s + 5
        raise ValueError(kind)

    def corpus(self, kind):
        """make-corpus output, generated once per kind (it takes ~10 s)."""
        if not hasattr(self, "_corpora"):
            self._corpora = {}
        if kind not in self._corpora:
            size, seed = {"web": ("6M", 41), "stories": ("4M", 42)}[kind]
            path = make_corpus(self.a.corpus, kind, size, seed,
                               self.tmp.join("corpus-%s-%s.txt" % (kind, size)))
            with open(path, "rb") as fh:
                self._corpora[kind] = (size, fh.read())
        return self._corpora[kind]

    def big(self):
        for kind, cut in (("web", "word"), ("stories", "special")):
            d = self.case_dir("big-" + kind)
            size, data = self.corpus(kind)
            old_end = self._cut_position(data, len(data) * 5 // 8, cut)
            f = os.path.join(d, "f.txt")
            self.write(f, data[:old_end])
            db = os.path.join(d, "db")
            args = ["--workers", str(BIG_WORKERS), "--memory-limit", BIG_MEMORY]
            plan = mirror_plan(data[:old_end], BIG_WORKERS)
            name = "big %s %s (old end %d in a %s: %s|%s)" % (
                kind, size, old_end, cut, show(data[old_end - 10:old_end], 30),
                show(data[old_end:old_end + 10], 30))
            self.rep.note("%s: ~%d chunks in the old plan (mirror), last %s"
                          % (name, len(plan), plan[-1]))
            if not self.index_ok(name + ": first run", db, [f], args):
                continue
            self.verify(name + ": before growth", db, [f])
            # grow in two steps: a few bytes (completing the cut), then MBs
            small_end = old_end + 3
            self.write(f, data[old_end:small_end], append=True)
            if self.index_ok(name + ": grown by 3 bytes", db, [f], args):
                self.verify(name + ": grown by 3 bytes", db, [f])
            self.write(f, data[small_end:], append=True)
            if not self.index_ok(name + ": grown to the full file", db, [f], args):
                continue
            self.verify(name + ": grown to the full file", db, [f])
            st, _ = self.run.stats(db)
            self.rep.check(name + ": the runs spilled (small --memory-limit)",
                           st is not None and (st.get("spills") or 0) > 10,
                           "spills %s" % (st or {}).get("spills"))
            # the reference script itself, with --stats
            p = subprocess.run([sys.executable, os.path.join(os.path.dirname(
                os.path.abspath(__file__)), "reference_count.py"), "--stats", f],
                capture_output=True, timeout=600)
            figs = {}
            for ln in p.stderr.decode().splitlines():
                k, _, v = ln.partition(" ")
                if v.strip().isdigit():
                    figs[k] = int(v)
            e = self.run.export(db, "hex")
            self.rep.check(name + ": export == reference_count.py output", e.ok and
                           e.out == p.stdout, "" if e.out == p.stdout else
                           first_diff_line(e.out, p.stdout))
            bad = ["%s=%r expected %r" % (k, (st or {}).get(k), v) for k, v in figs.items()
                   if (st or {}).get(k) != v]
            self.rep.check(name + ": stats == reference_count.py --stats", figs and not bad,
                           "; ".join(bad) if bad else str(figs))
            self.check_unchanged_rerun(name, db, [f])

    def other_special_tokens(self):
        G = self.grow_case
        two = ("<|end|>", "<|endoftext|>")
        G("two special tokens, longer one completed", [b"a<|end", b"oftext|>b"], [b"<|", b"b"],
          specials=two)
        G("two special tokens, shorter one completed", [b"a<|end", b"|>b"], [b"<|", b"b"],
          specials=two)
        G("two special tokens, over three appends", [b"a<|en", b"d", b"|", b">b"],
          specials=two)
        G("special token with whitespace", [b"a\n", b"\nb"], [b"\n", b"b"], specials=("\n\n",))
        G("non-ASCII special token", [b"x\xe2\x96", b"\x81y"], [b"x", b"y"],
          specials=("\u2581",))
        G("--no-special-tokens", [b"a <|endof", b"text|>b"], [b" <|", b"endoftext", b"|>"],
          specials=())

    def tail_memory(self):
        """The old end in a long stretch of text with no ASCII cut (CJK, many
        distinct pretokens) at --memory-limit 64K: the tail to count again
        may not fit. Either it works (exact counts) or the run is refused with
        one line and leaves the database as it was, also the growth of the
        other file given with it."""
        rng = random.Random(1)
        cs = [chr(c) for c in range(0x4E00, 0x9FA5)]
        text = "\u3002".join("".join(rng.choice(cs) for _ in range(rng.randint(1, 4)))
                              for _ in range(60000)).encode()
        d = self.case_dir("tail-memory")
        db = os.path.join(d, "db")
        a = self.write(os.path.join(d, "a.txt"), b"hello wor")
        b = self.write(os.path.join(d, "b.txt"), text)
        args = ["--workers", "2", "--memory-limit", SLOW_MEMORY]
        if not self.index_ok("tail memory: first run", db, [a, b], args):
            return
        self.verify("tail memory: first run", db, [a, b])
        self.write(a, b"ld", append=True)
        self.write(b, "\u4e00".encode(), append=True)
        before = self.snapshot(db)
        r = self.index(db, [a, b], args)
        if r.ok:
            self.rep.check("tail memory: growth of a %d-byte cut-free CJK tail at 64K" % len(text),
                           True, "accepted")
            self.verify("tail memory: after growth", db, [a, b])
            return
        lines = [ln for ln in r.err.decode("utf-8", "replace").splitlines() if ln.strip()]
        self.rep.note("tail memory: growth refused: exit %s, %r" % (r.rc, lines))
        self.rep.check("tail memory: refusal is one line 'pretok-db: error: ...'",
                       len(lines) == 1 and lines[0].startswith("pretok-db: error:"),
                       "%r" % lines)
        after = self.snapshot(db)
        diff = []
        if after[0] != before[0]:
            diff.append("export changed")
        if after[1] != before[1]:
            x, y = before[1] or {}, after[1] or {}
            diff.append("stats changed: " + "; ".join(
                "%s: %r -> %r" % (k, x.get(k), y.get(k))
                for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k))[:600])
        self.rep.check("tail memory: the refused run leaves the database as it was (the "
                       "other file's growth not committed either)", not diff, "; ".join(diff))

    def long_stretch(self):
        """A stretch with no cut longer than the maximum pretoken (1 MiB) is
        skipped by design (not counted, reported), so the Python reference does
        not apply: the grown file indexed incrementally must equal the grown
        file indexed from scratch (export and stats figures)."""
        cases = (("stretch crosses 1 MiB by the append", b"x " + b"a" * (1000 * KIB),
                  b"a" * (100 * KIB) + b" y"),
                 ("stretch already over 1 MiB at the old end", b"x " + b"a" * (1100 * KIB),
                  b"a" * 10 + b" y"))
        for name, old, app in cases:
            d = self.case_dir("stretch")
            f = self.write(os.path.join(d, "f.txt"), old)
            db = os.path.join(d, "db")
            if not self.index_ok(name + ": first run", db, [f]):
                continue
            self.write(f, app, append=True)
            if not self.index_ok(name + ": after growth", db, [f]):
                continue
            g = self.write(os.path.join(d, "g.txt"), old + app)
            db2 = os.path.join(d, "db2")
            if not self.index_ok(name + ": from scratch", db2, [g]):
                continue
            e1, e2 = self.run.export(db, "hex"), self.run.export(db2, "hex")
            self.rep.check(name + ": export equals the grown file indexed from scratch",
                           e1.ok and e2.ok and e1.out == e2.out,
                           "" if e1.out == e2.out else first_diff_line(e1.out, e2.out))
            s1, s2 = self.run.stats(db)[0] or {}, self.run.stats(db2)[0] or {}
            keys = ("documents", "pretokens", "distinct_pretokens", "invalid_utf8_replaced",
                    "skipped_stretches", "skipped_bytes")
            bad = ["%s %r != %r" % (k, s1.get(k), s2.get(k)) for k in keys
                   if s1.get(k) != s2.get(k)]
            self.rep.check(name + ": stats equal the grown file indexed from scratch", not bad,
                           "; ".join(bad) if bad else "skipped_stretches %s, skipped_bytes %s"
                           % (s2.get("skipped_stretches"), s2.get("skipped_bytes")))

    # ------------------------------------------------------------------ SIGINT

    def interrupted(self):
        d = self.case_dir("interrupted-src")
        _, data = self.corpus("web")
        old_end = self._cut_position(data, len(data) * 3 // 4 + 12345, "word")
        old = data[:old_end]
        plan = mirror_plan(old, BIG_WORKERS)
        lb, le = plan[-1]
        ends = set(e for _, e in plan)
        args = ["--workers", str(BIG_WORKERS), "--memory-limit", SLOW_MEMORY]
        self.rep.note("interrupted: old file %d bytes cut in a word (%s|%s), mirror plan %d "
                      "chunks, last [%d, %d)" % (old_end, show(old[-8:]),
                                                 show(data[old_end:old_end + 8]),
                                                 len(plan), lb, le))
        # validate the mirror on a full run: every chunk end is a checkpoint
        f0 = self.write(os.path.join(d, "full.txt"), old)
        log0 = os.path.join(d, "full.log")
        r = self.index(os.path.join(d, "db-full"), [f0], args, log=log0)
        self.rep.check("interrupted: uninterrupted run of the old file exits 0", r.ok,
                       r.describe() if not r.ok else "%.2f s" % r.elapsed)
        t_full = r.elapsed
        offs = set(ev.get("offset") for ev in read_log(log0) if ev.get("event") == "checkpoint")
        missing = sorted(ends - offs)
        mirror_ok = not missing
        if mirror_ok:
            self.rep.note("interrupted: planner mirror agrees (every chunk end is a checkpoint)")
        else:
            self.rep.note("interrupted: planner mirror does NOT agree with the log (chunk ends "
                          "%s not seen): the scenario labels below are unreliable" % missing[:5])
        shutil.rmtree(os.path.join(d, "db-full"), ignore_errors=True)

        def last_state(log):
            cps = [ev.get("offset") for ev in read_log(log) if ev.get("event") == "checkpoint"]
            inside = [o for o in cps if lb < o <= le]
            if not inside:
                return "not started"
            m = max(inside)
            if m < le:
                return "partly done"
            # complete: is another chunk unfinished?
            unfinished = [c for c in plan[:-1]
                          if max([o for o in cps if c[0] < o <= c[1]] or [c[0]]) < c[1]]
            return ("done, %d earlier chunk(s) unfinished" % len(unfinished) if unfinished
                    else "done, all done")

        scenarios = [
            ("partly done", lambda o: lb + 4 * KIB < o < le),
            ("not started", lambda o: old_end * 0.3 < o < lb),
            ("done, 1 earlier chunk(s) unfinished", lambda o: o == le),
        ]
        seen = []
        for want_state, trigger in scenarios:
            for attempt in range(3 if want_state in ("partly done", "not started") else 1):
                state = self._interrupt_once(want_state, attempt, old, data, args, trigger,
                                             last_state, t_full)
                if state:
                    seen.append(state)
                if state == want_state:
                    break
        reached = [w for w, _ in scenarios if w in seen]
        self.rep.check("interrupted: SIGINT cases reached with the last chunk partly done "
                       "and not started", "partly done" in seen and "not started" in seen,
                       "reached: %s; all: %s" % (reached, seen))

    def _interrupt_once(self, want_state, attempt, old, data, args, trigger, last_state,
                        t_full):
        """SIGINT at the first checkpoint offset where trigger(offset); grow; re-run;
        verify. Returns the last chunk's state at the interruption (or None)."""
        d = self.case_dir("int%d" % attempt)
        f = self.write(os.path.join(d, "f.txt"), old)
        db, log = os.path.join(d, "db"), os.path.join(d, "run.log")
        p = self.run.start("index", "--db", db, *args, "--log", log, f)
        pos, sent, fired_at = 0, False, None
        deadline = time.time() + max(60.0, 5 * t_full)
        buf = b""
        while p.running() and time.time() < deadline:
            try:
                with open(log, "rb") as fh:
                    fh.seek(pos)
                    chunk = fh.read()
            except OSError:
                chunk = b""
            pos += len(chunk)
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for ln in lines:
                if b'"checkpoint"' not in ln:
                    continue
                try:
                    o = json.loads(ln).get("offset")
                except ValueError:
                    continue
                if isinstance(o, int) and trigger(o):
                    fired_at = o
                    break
            if fired_at is not None:
                sent = p.signal(signal.SIGINT)
                break
            time.sleep(0.002)
        res = p.wait(120)
        if not sent:
            self.rep.note("interrupted [want: last chunk %s] attempt %d: the run ended before "
                          "the trigger (exit %s)" % (want_state, attempt, res.rc))
            shutil.rmtree(d, ignore_errors=True)
            return None
        state = last_state(log)
        st, _ = self.run.stats(db)
        done = sum(x.get("bytes_done", 0) for x in (st or {}).get("files") or [])
        self.rep.note("interrupted [want: last chunk %s] attempt %d: SIGINT at checkpoint %d, "
                      "exit %s, bytes_done %d of %d, last chunk: %s"
                      % (want_state, attempt, fired_at, res.rc, done, len(old), state))
        if res.rc == 0:
            name = "interrupted run that completed anyway"
            state = None
        else:
            name = "interrupted (last chunk %s)" % state
            self.rep.check("%s: SIGINT exits 130" % name, res.rc == 130, res.describe())
        self.write(f, data[len(old):], append=True)
        r = self.index(db, [f], args)
        if self.rep.check("%s: run after growth exits 0" % name, r.ok,
                          r.describe() if not r.ok else "%.2f s" % r.elapsed):
            self.verify("%s: after growth" % name, db, [f])
        shutil.rmtree(d, ignore_errors=True)
        return state

    # ------------------------------------------------------------------ refused

    def refused(self):
        rep = self.rep
        # small file: same size, middle byte changed
        d = self.case_dir("refused-small")
        db = os.path.join(d, "db")
        f = self.write(os.path.join(d, "f.txt"), b"hello world foo bar baz")
        if not self.index_ok("refused: small file", db, [f]):
            return
        self.write(f, b"hello wOrld foo bar baz")
        self.expect_refused("refused: same size, a middle byte changed", db, [f], f)
        self.write(f, b"hello wOrld foo bar baz and more")
        self.expect_refused("refused: larger, an old byte changed", db, [f], f)
        self.write(f, b"hello world foo bar")
        self.expect_refused("refused: shorter (truncated)", db, [f], f)
        self.write(f, b"")
        self.expect_refused("refused: emptied", db, [f], f)
        # back to the original + an append: accepted
        self.write(f, b"hello world foo bar baz qux")
        if self.index_ok("refused: restored and appended", db, [f]):
            self.verify("refused: restored and appended", db, [f])

        # a larger file (> 128 KiB) so that first / last 64 KiB are distinct
        d = self.case_dir("refused-big")
        db = os.path.join(d, "db")
        base = self.corpus("web")[1][:(1 << 20) - 7]
        f = self.write(os.path.join(d, "f.txt"), base)
        g = self.write(os.path.join(d, "g.txt"), b"other file hel")
        if not self.index_ok("refused: 1M file", db, [f, g]):
            return
        self.verify("refused: 1M file", db, [f, g])
        n = len(base)

        def flip(data, at):
            b = bytearray(data)
            c = b[at]
            b[at] = ord("x") if c != ord("x") else ord("y")
            return bytes(b)

        app = b" and an appended tail<|endoftext|>more"
        for label, at in (("in the first 64 KiB", 1000), ("in the last 64 KiB before the old end",
                                                          n - 1000),
                          ("the last old byte", n - 1), ("the first byte", 0)):
            self.write(f, flip(base, at) + app)
            self.expect_refused("refused: larger, old byte changed %s (offset %d)" % (label, at),
                                db, [f, g], f)
        self.write(f, flip(base, 1000))
        self.expect_refused("refused: same size, byte changed in the first 64 KiB", db, [f, g], f)
        self.write(f, flip(base, n - 1000))
        self.expect_refused("refused: same size, byte changed in the last 64 KiB", db, [f, g], f)
        # a refused file next to one that grew correctly: nothing committed
        self.write(g, b"lo world", append=True)
        self.write(f, flip(base, 1000) + app)
        self.expect_refused("refused: changed file next to a correctly grown one", db, [g, f], f)
        # informational: a change the fingerprint does not cover
        self.write(f, flip(base, n // 2) + app)
        r = self.index(db, [f, g])
        rep.note("a byte changed in the middle of a 1 MB file (outside the first/last 64 KiB "
                 "the fingerprint covers) plus an append: exit %s (%s) [design: not detected]"
                 % (r.rc, r.err.decode("utf-8", "replace").strip()[:200]))

    # ------------------------------------------------------------------ main

    def main(self):
        rep = self.rep
        rep.section("appends that cut at the old end", self.cuts)
        rep.section("appends to one of several files", self.several_files)
        rep.section("old end in a special token across the last chunk edge", self.chunk_edge)
        rep.section("other special tokens, and none", self.other_special_tokens)
        rep.section("old end in a long cut-free tail, small memory limit", self.tail_memory)
        rep.section("old end in a stretch longer than the maximum pretoken", self.long_stretch)
        rep.section("multi-MB files, 2 workers, small memory limit", self.big)
        rep.section("growth after an interrupted (SIGINT) run", self.interrupted)
        rep.section("files changed otherwise are refused", self.refused)


def main():
    return run_suite(Growth, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
