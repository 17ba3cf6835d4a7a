#!/usr/bin/env python3
"""JSON Lines: `index --jsonl FIELD` counts the string in FIELD of each line
as a document, exactly as the Python reference (reference_count.py:
json.loads of each line, lone surrogates as U+FFFD), from a file and from
a pipe, with 1 and 2 workers and with spills; after SIGKILLs the resumed
run is exact; a grown file (its last line cut, then completed) is exact;
bad records are counted by reason, or refused with --bad-records strict
naming the line, in a file, a pipe, a named stream or a .zst; a database of one field refuses another, or text.
"""
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import Runner, hex_export, run_suite  # noqa: E402
from reference_count import BAD_RECORD_REASONS, count_jsonl_bytes  # noqa: E402


def make_jsonl(texts, rng):
    """JSON Lines bytes holding texts under "text" (or "meta.text" when
    nested), with every kind of line the reader meets: escapes (ASCII-only
    or raw UTF-8), lone surrogates, special tokens in a field, keys before
    and after, a repeated key, \\r\\n ends, blank lines, and bad records of
    every reason."""
    out = []
    for i, t in enumerate(texts):
        r = rng.random()
        if r < 0.02:
            t = t[:20] + "\ud800" + t[20:]  # json.dumps escapes it: \\ud800
        if r < 0.04:
            t = t + "<|endoftext|>" + t[:30]
        obj = {"id": i, "text": t, "meta": {"url": "https://x/%d" % i, "n": [1, 2.5, None]}}
        if rng.random() < 0.1:
            obj = {"text": 0, "id": i, **{"text": t}}  # repeated key: the last counts
        line = json.dumps(obj, ensure_ascii=rng.random() < 0.5)
        if "text" in obj and rng.random() < 0.01:
            line = line.replace('"text"', '"te\\u0078t"', 1)
        end = "\r\n" if rng.random() < 0.1 else "\n"
        out.append(line.encode("utf-8", "surrogatepass") + end.encode())
        if rng.random() < 0.02:
            out.append(rng.choice([b"\n", b"   \n", b"\t\r\n"]))
        if rng.random() < 0.03:
            out.append(rng.choice([
                b'{"text": "cut in the mid\n',                 # invalid_json
                b'{"text": "a", "x": [1,,2]}\n',               # invalid_json elsewhere
                b'{"text": NaN}\n',                            # invalid_json (not JSON)
                b'{"text": "bad \xff byte"}\n',                # invalid_utf8
                b'{"id": 5}\n',                                # missing_field
                b'[1, 2]\n',                                   # missing_field: no object
                b'{"text": ["a list"]}\n',                     # not_string
                b'{"text": null}\r\n',                         # not_string
            ]))
    return b"".join(out)


def documents_of(path):
    with open(path, "rb") as f:
        data = f.read().decode("utf-8", "replace")
    return [d for part in data.split("<|endoftext|>") for d in part.split("\n\n") if d.strip()]


class Jsonl:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        rng = random.Random(20261207)
        sdir = os.path.join(a.corpus, "samples")
        texts = documents_of(os.path.join(sdir, "web-1M.txt"))
        texts += documents_of(os.path.join(sdir, "stories-1M.txt"))
        rng.shuffle(texts)
        self.texts = texts
        self.data = make_jsonl(texts, rng)
        # The last line without "\n": a record (the reference reads lines).
        self.data += b'{"text": "the last line has no newline"}'
        self.path = tmp.join("corpus.jsonl")
        with open(self.path, "wb") as f:
            f.write(self.data)
        self.ref = count_jsonl_bytes(self.data, "text")
        self.ref_export = hex_export(self.ref.counts)

    def stats(self, db):
        st, _ = self.run.stats(db)
        return st

    def check_db(self, what, db, ref=None, ref_export=None):
        ref = ref or self.ref
        e = self.run.export(db)
        self.rep.check(what + ": export == reference", e.ok and e.out == (ref_export or hex_export(ref.counts)),
                       e.describe() if not e.ok else "")
        st = self.stats(db)
        want = {"documents": ref.documents, "pretokens": ref.pretokens,
                "bad_records": sum(ref.bad_records.values()),
                "bad_records_by_reason": {k: ref.bad_records.get(k, 0) for k in BAD_RECORD_REASONS}}
        got = st and {k: st.get(k) for k in want}
        self.rep.check(what + ": stats == reference", got == want, "%s / %s" % (got, want))
        return st

    def feed(self, db, data, *extra):
        p = subprocess.run([self.a.bin, "index", "--quiet", "--db", db, "--jsonl", "text",
                            *extra, "-"], input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=self.a.timeout)
        return p.returncode, p.stderr.decode(errors="replace")

    def exact(self):
        self.rep.note("corpus: %d bytes, %d documents, bad records %s"
                      % (len(self.data), self.ref.documents, dict(self.ref.bad_records)))
        for workers in ("1", "2"):
            for limit in ("64K", "1G"):
                what = "file, --workers %s --memory-limit %s" % (workers, limit)
                db = self.tmp.join("file-%s-%s" % (workers, limit))
                r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text",
                                 "--workers", workers, "--memory-limit", limit, self.path)
                self.rep.check(what + ": exit 0", r.ok, r.describe())
                st = self.check_db(what, db)
                if limit == "64K":
                    self.rep.check(what + ": spilled", st is not None and st["spills"] > 1,
                                   str(st and st["spills"]))
                what = "pipe, --workers %s --memory-limit %s" % (workers, limit)
                db = self.tmp.join("pipe-%s-%s" % (workers, limit))
                rc, err = self.feed(db, self.data, "--workers", workers, "--memory-limit", limit)
                self.rep.check(what + ": exit 0", rc == 0, err)
                self.check_db(what, db)
        db = self.tmp.join("file-2-1G")
        st = self.stats(db)
        self.rep.check("stats --json names the field", st is not None
                       and st["config"].get("jsonl") == "text", str(st and st["config"]))
        r = self.run.run("stats", "--db", db)
        self.rep.check("stats shows the bad records by reason",
                       r.ok and b"bad records (skipped)" in r.out and b"invalid JSON" in r.out,
                       r.out.decode(errors="replace"))

    def nested(self):
        data = (b'{"meta": {"text": "nested one"}, "text": "top"}\n'
                b'{"meta": {"text": 3}}\n{"meta": "flat"}\n'
                b'{"meta": {"text": "two \\ud83d\\ude00 <|endoftext|> three"}}\n')
        path = self.tmp.join("nested.jsonl")
        with open(path, "wb") as f:
            f.write(data)
        db = self.tmp.join("nested")
        r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "meta.text", path)
        self.rep.check("--jsonl meta.text: exit 0", r.ok, r.describe())
        self.check_db("--jsonl meta.text", db, count_jsonl_bytes(data, "meta.text"))

    def killed(self):
        """SIGKILLed at random moments, then resumed: exact."""
        db = self.tmp.join("killed")
        big = self.tmp.join("big.jsonl")
        with open(big, "wb") as f:
            for _ in range(4):
                f.write(self.data + b"\n")
        ref = count_jsonl_bytes(open(big, "rb").read(), "text")
        rng = random.Random(7)
        args = ("index", "--quiet", "--db", db, "--jsonl", "text", "--workers", "2",
                "--memory-limit", "64K", big)
        kills = 0
        for _ in range(12):
            p = self.run.start(*args)
            time.sleep(rng.uniform(0.05, 0.6))
            if p.signal(signal.SIGKILL):
                kills += 1
            r = p.wait(60)
            if r.rc == 0:
                break
        self.rep.note("%d kills" % kills)
        self.rep.check("killed: at least 2 kills landed", kills >= 2, str(kills))
        r = self.run.run(*args)
        self.rep.check("killed: the resumed run ends", r.ok, r.describe())
        self.check_db("killed and resumed", db, ref)

    def grown(self):
        """A file whose last line was cut while being written, then completed
        and followed by more records: the cut line was a bad record, and is
        not one any more."""
        cut = self.data.index(b"\n", len(self.data) // 2) + 30
        path = self.tmp.join("grown.jsonl")
        with open(path, "wb") as f:
            f.write(self.data[:cut])
        db = self.tmp.join("grown")
        r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text", path)
        self.rep.check("grown: first part indexed", r.ok, r.describe())
        self.check_db("grown: first part (its last line cut)", db,
                      count_jsonl_bytes(self.data[:cut], "text"))
        with open(path, "ab") as f:
            f.write(self.data[cut:])
        r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text", "--workers", "2", path)
        self.rep.check("grown: the rest indexed", r.ok, r.describe())
        self.check_db("grown: whole", db)

    def strict(self):
        data = b'{"text": "ok"}\n\n{"text": "fine"}\r\n{"text": 12}\n{"text": "after"}\n'
        path = self.tmp.join("strict.jsonl")
        with open(path, "wb") as f:
            f.write(data)
        db = self.tmp.join("strict")
        r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text",
                         "--bad-records", "strict", path)
        err = r.err.decode(errors="replace")
        self.rep.check("strict: exit 1 naming the file and line 4",
                       r.rc == 1 and path in err and "line 4 " in err and "no string" in err, err)
        self.rep.check("strict: nothing created", not os.path.exists(db))
        rc, err = self.feed(db, data, "--bad-records", "strict", "--workers", "2")
        self.rep.check("strict pipe: exit 1 naming the line", rc == 1 and "line 4 (byte 34) " in err, err)
        st = self.stats(db)
        self.rep.check("strict pipe: nothing counted",
                       st is None or (st["pretokens"] == 0 and st["files"] == []), str(st))
        good = self.tmp.join("good.jsonl")
        with open(good, "wb") as f:
            f.write(data.replace(b"12", b'"twelve"'))
        r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text",
                         "--bad-records", "strict", good)
        self.rep.check("strict: a clean file is indexed", r.ok, r.describe())

    def strict_lines(self):
        """--bad-records strict names a bad record's line (counted from the
        input's start) wherever it lies: in a pipe of many chunks, in a named
        stream fed again, in a later frame of a .zst (checked before
        anything is counted, as a plain file is). A grown input whose old
        last line was cut (a bad record of a skip run) grows under strict."""
        clean = b"".join(json.dumps({"text": t}).encode() + b"\n" for t in self.texts)
        lines = clean.split(b"\n")
        k = len(lines) * 3 // 4  # the bad record is line k + 1
        bad = b"\n".join(lines[:k] + [b'{"text": {"not": "a string"}}'] + lines[k:])
        at = len(b"\n".join(lines[:k])) + 1
        want = "line %d (byte %d" % (k + 1, at)
        strict = ("--bad-records", "strict")
        for workers in ("1", "2"):
            db = self.tmp.join("strict-pipe-" + workers)
            rc, err = self.feed(db, bad, *strict, "--workers", workers, "--memory-limit", "64K")
            self.rep.check("strict pipe of many chunks, %s workers: exit 1 naming %s)"
                           % (workers, want), rc == 1 and want + ") " in err, err)
        # A named stream: its first part counted (its last line cut, so a
        # bad record of the skip run), then fed whole under strict.
        cut = clean.index(b"\n", len(clean) // 3) + 25
        db = self.tmp.join("strict-named")
        named = ("--stream-name", "shards", "--workers", "2", "--memory-limit", "64K")
        rc, err = self.feed(db, clean[:cut], *named)
        self.rep.check("named stream, first part: exit 0", rc == 0, err)
        rc, err = self.feed(db, bad, *named, *strict)
        self.rep.check("named stream fed again: exit 1 naming %s)" % want,
                       rc == 1 and want + ") " in err, err)
        # Again: the bad record's chunk now resumes from its record, past
        # lines counted before.
        rc, err = self.feed(db, bad, *named, *strict)
        self.rep.check("named stream fed a third time: exit 1 naming %s)" % want,
                       rc == 1 and want + ") " in err, err)
        rc, err = self.feed(db, clean, *named, *strict)
        self.rep.check("named stream grown under strict: exit 0", rc == 0, err)
        self.check_db("named stream grown under strict", db, count_jsonl_bytes(clean, "text"))
        # A file, the same way.
        path = self.tmp.join("strict-grown.jsonl")
        with open(path, "wb") as f:
            f.write(clean[:cut])
        db = self.tmp.join("strict-grown")
        r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text", path)
        self.rep.check("file, first part: exit 0", r.ok, r.describe())
        with open(path, "wb") as f:
            f.write(clean)
        r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text", *strict, path)
        self.rep.check("file grown under strict: exit 0", r.ok, r.describe())
        self.check_db("file grown under strict", db, count_jsonl_bytes(clean, "text"))
        # Compressed: many frames, in units of one frame or more.
        raw = self.tmp.join("strict.jsonl")
        with open(raw, "wb") as f:
            f.write(bad)
        zst = raw + ".zst"
        subprocess.run("split -b 100000 %s %s.part. && for p in %s.part.??; do zstd -q -c $p; "
                       "done > %s && rm %s.part.??" % (raw, raw, raw, zst, raw),
                       shell=True, check=True)
        db = self.tmp.join("strict-zst")
        for unit in ([], ["--compressed-unit", "1"]):
            r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text", "--workers", "2",
                             *strict, *unit, zst)
            err = r.err.decode(errors="replace")
            want_z = want + " of the decompressed text) "
            self.rep.check(".zst of many frames %s: exit 1 naming %s, nothing created"
                           % (" ".join(unit), want_z),
                           r.rc == 1 and zst in err and want_z in err and not os.path.exists(db), err)
        r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text", path)
        self.rep.check("a database to add to", r.ok, r.describe())
        r = self.run.run("index", "--quiet", "--db", db, "--jsonl", "text", "--workers", "2",
                         "--compressed-unit", "1", *strict, zst)
        err = r.err.decode(errors="replace")
        st = self.stats(db)
        self.rep.check(".zst into a database: exit 1 naming the line, no record of it",
                       r.rc == 1 and want in err and st is not None
                       and all(f["path"] != zst for f in st["files"]), err + str(st and st["files"]))

    def refused(self):
        db = self.tmp.join("file-1-1G")
        for args, what in ((["--jsonl", "meta.text"], "another field"), ([], "no --jsonl")):
            r = self.run.run("index", "--quiet", "--db", db, *args, self.path)
            err = r.err.decode(errors="replace")
            self.rep.check("refused: %s (exit 1, names --jsonl text)" % what,
                           r.rc == 1 and "--jsonl text" in err, err)
        for args in (["--jsonl", "text", "--invalid-utf8", "skip"], ["--bad-records", "strict"],
                     ["--jsonl", "a..b"], ["--jsonl", "text", "--bad-records", "maybe"]):
            r = self.run.run("index", "--quiet", "--db", self.tmp.join("x"), *args, self.path)
            self.rep.check("usage error: %s (exit 2)" % " ".join(args), r.rc == 2, r.describe())

    def main(self):
        self.exact()
        self.nested()
        self.killed()
        self.grown()
        self.strict()
        self.strict_lines()
        self.refused()


def main():
    return run_suite(Jsonl, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
