#!/usr/bin/env python3
"""Compressed files: .gz and .zst are read directly, told by their magic bytes.

Against Python over the decompressed text: gzip (one member and several),
zstd (one frame; -T2; without a checksum; pzstd's frames with skippable
frames; frames concatenated by cat), with 1 and 2 workers and spills, mixed
with a plain file in one command, committed per run of frames
(--compressed-unit) and resumed after SIGKILLs at random moments. Indexed
again: nothing to do; changed: refused. Truncated, corrupted (a flipped
byte: checksum error) and trailing garbage: a one-line error naming the
file and the frame's offset, and nothing of the bad unit counted.
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

from e2e_lib import (RefCache, Runner, hex_export, parse_hex_export, run_suite,  # noqa: E402
                     stderr_lines)
from reference_count import count_jsonl_bytes  # noqa: E402


class Compressed:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.refs = RefCache()
        sdir = os.path.join(a.corpus, "samples")
        self.web = os.path.join(sdir, "web-1M.txt")
        self.stories = os.path.join(sdir, "stories-1M.txt")
        self.ndb = 0

    def new_db(self, name):
        self.ndb += 1
        return self.tmp.join("db%02d-%s" % (self.ndb, name))

    def sh(self, cmd):
        subprocess.run(cmd, shell=True, check=True, cwd=self.tmp.path)

    def export(self, db):
        e = self.run.export(db)
        return e.out if e.ok else None

    def stats(self, db):
        st, _ = self.run.stats(db)
        return st

    def make_inputs(self):
        """The text (web + stories, 2 MiB) and its compressed forms."""
        t = self.tmp.join("text.txt")
        with open(t, "wb") as out:
            for p in (self.web, self.stories):
                with open(p, "rb") as f:
                    out.write(f.read())
        self.text = t
        self.sh("head -c 1000000 text.txt > a && tail -c +1000001 text.txt > b")
        self.sh("gzip -c text.txt > text.gz && gzip -c a > a.gz && gzip -c b > b.gz"
                " && cat a.gz b.gz > members.gz")
        self.sh("zstd -q -c text.txt > text.zst && zstd -q -T2 -c text.txt > t2.zst"
                " && zstd -q --no-check -c text.txt > nocheck.zst")
        self.sh("pzstd -q -1 -p 2 -c text.txt > pzstd.zst")
        self.sh("zstd -q -c a > a.zst && zstd -q -c b > b.zst && cat a.zst b.zst > cat.zst")
        # Many small frames (16 of 128 KiB) for runs of frames and kills.
        self.sh("split -b 131072 text.txt part. && for p in part.??; do zstd -q -c $p; done"
                " > many.zst && rm part.??")
        # pzstd wrote skippable frames, so the runs of frames meet them.
        with open(self.tmp.join("pzstd.zst"), "rb") as f:
            head = f.read(4)
        self.rep.check("pzstd's file starts with a skippable frame",
                       head[1:] == b"\x2a\x4d\x18" and head[0] & 0xF0 == 0x50, repr(head))

    def exact(self):
        ref = self.refs.file(self.text)
        ref_hex = hex_export(ref.counts)
        cases = [("text.gz", []), ("members.gz", []), ("text.zst", []), ("t2.zst", []),
                 ("nocheck.zst", []), ("pzstd.zst", []), ("cat.zst", []),
                 ("pzstd.zst", ["--compressed-unit", "1"]),
                 ("cat.zst", ["--compressed-unit", "1"]),
                 ("many.zst", ["--compressed-unit", "100K"])]
        both = {"text.gz", "text.zst", "many.zst"}
        for name, extra in cases:
            for workers in (("1", "2") if name in both or extra else ("2",)):
                what = "%s %s--workers %s" % (name, " ".join(extra) + " " if extra else "", workers)
                db = self.new_db(name)
                r = self.run.run("index", "--quiet", "--db", db, "--workers", workers,
                                 "--memory-limit", "1M", *extra, self.tmp.join(name))
                if not self.rep.check(what + ": exit 0", r.ok, r.describe()):
                    continue
                self.rep.check(what + ": export == Python over the text",
                               self.export(db) == ref_hex)
                st = self.stats(db)
                self.rep.check(what + ": stats as Python's, and spilled",
                               st is not None and st["documents"] == ref.documents
                               and st["pretokens"] == ref.pretokens and st["spills"] > 1,
                               str(st and (st["documents"], st["pretokens"], st["spills"])))
        # Indexed again: nothing to do. The file replaced: refused.
        db = self.new_db("again")
        z = self.tmp.join("again.zst")
        shutil.copy(self.tmp.join("many.zst"), z)
        r = self.run.run("index", "--db", db, "--compressed-unit", "100K", z)
        self.rep.check("first run", r.ok, r.describe())
        before = self.export(db)
        r = self.run.run("index", "--db", db, "--compressed-unit", "100K", z)
        self.rep.check("indexed again: nothing was done",
                       r.ok and "nothing was done" in r.err.decode(), r.describe())
        self.rep.check("indexed again: counts unchanged", self.export(db) == before)
        # A byte in the middle flipped (size, first and last 64 KiB kept):
        # the committed units' compressed bytes are hashed again.
        with open(z, "r+b") as f:
            f.seek(os.path.getsize(z) // 2)
            b = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([b[0] ^ 1]))
        r = self.run.run("index", "--db", db, "--compressed-unit", "100K", z)
        self.rep.check("a byte in the middle changed: refused, naming the byte range",
                       r.rc == 1 and "changed" in r.err.decode() and len(stderr_lines(r)) == 1,
                       r.describe())
        self.sh("zstd -q -f -19 -c text.txt > again.zst")
        r = self.run.run("index", "--db", db, z)
        self.rep.check("recompressed file: refused as changed, in one line",
                       r.rc == 1 and "changed since it was indexed" in r.err.decode()
                       and len(stderr_lines(r)) == 1, r.describe())
        self.rep.check("refused: counts unchanged", self.export(db) == before)

    def mixed(self):
        """A plain file, a .gz and a .zst (named .txt: the bytes tell) in one command."""
        disguised = self.tmp.join("zstd-named.txt")
        shutil.copy(self.tmp.join("pzstd.zst"), disguised)
        db = self.new_db("mixed")
        r = self.run.run("index", "--db", db, "--workers", "2", self.stories,
                         self.tmp.join("members.gz"), disguised)
        self.rep.check("mixed inputs: exit 0, no 'looks binary' warning",
                       r.ok and "binary" not in r.err.decode(), r.describe())
        ref = self.refs.files([self.stories, self.text, self.text])
        self.rep.check("mixed inputs: export == Python over the three texts",
                       self.export(db) == hex_export(ref.counts))
        st = self.stats(db)
        self.rep.check("mixed inputs: documents as Python's",
                       st is not None and st["documents"] == ref.documents,
                       str(st and st["documents"]))

    def jsonl(self):
        """corpus.jsonl.zst: JSON Lines inside zstd, one frame and many."""
        lines = []
        with open(self.text, "rb") as f:
            for i, ln in enumerate(f.read().decode("utf-8", "replace").split("\n")):
                lines.append(json.dumps({"id": i, "meta": {"text": ln}}))
                if i == 500:
                    lines.append('{"meta": {"text": 7}}')  # a bad record, skipped
        data = ("\n".join(lines) + "\n").encode()
        with open(self.tmp.join("c.jsonl"), "wb") as f:
            f.write(data)
        self.sh("zstd -q -c c.jsonl > c.jsonl.zst && split -b 100000 c.jsonl cj."
                " && for p in cj.??; do zstd -q -c $p; done > cm.jsonl.zst && rm cj.??")
        ref = count_jsonl_bytes(data, "meta.text")
        for name in ("c.jsonl.zst", "cm.jsonl.zst"):
            db = self.new_db(name)
            r = self.run.run("index", "--quiet", "--db", db, "--workers", "2", "--memory-limit",
                             "1M", "--compressed-unit", "1", "--jsonl", "meta.text",
                             self.tmp.join(name))
            self.rep.check(name + ": exit 0", r.ok, r.describe())
            self.rep.check(name + ": export == Python over the records",
                           self.export(db) == hex_export(ref.counts))
            st = self.stats(db)
            self.rep.check(name + ": documents as Python's",
                           st is not None and st["documents"] == ref.documents,
                           str(st and st["documents"]))

    def killed(self):
        """SIGKILL at random moments; each run resumes from the first run of
        frames not committed; the end is exact."""
        rng = random.Random(20261207)
        ref_hex = hex_export(self.refs.file(self.text).counts)
        size = os.path.getsize(self.tmp.join("many.zst"))
        for workers in ("1", "2"):
            db = self.new_db("killed")
            args = ["index", "--quiet", "--db", db, "--workers", workers, "--memory-limit",
                    "1M", "--compressed-unit", "1", self.tmp.join("many.zst")]
            # How long a whole run takes here, so the kills fall inside one.
            t0 = time.time()
            r = self.run.run(*args[:3], self.new_db("timing"), *args[4:])
            whole = time.time() - t0
            kills, partial, done = 0, 0, 0
            for _ in range(20):
                if done == size:
                    break
                p = self.run.start(*args)
                time.sleep(rng.uniform(0.02, 0.4) * whole)
                kills += p.signal(signal.SIGKILL)
                p.wait(self.a.timeout)
                st = self.stats(db)
                done = st["files"][0]["bytes_done"] if st and st["files"] else 0
                partial += 0 < done < size
            r = self.run.run(*args)
            self.rep.check("workers %s: resumed run after %d kills (%d left part of the "
                           "file committed): exit 0" % (workers, kills, partial), r.ok,
                           r.describe())
            self.rep.check("workers %s: killed and resumed: export == Python" % workers,
                           self.export(db) == ref_hex)
            self.rep.check("workers %s: some kill fell between two runs of frames" % workers,
                           kills >= 1 and partial > 0, "kills %d" % kills)

    def bad(self):
        good_z = open(self.tmp.join("text.zst"), "rb").read()
        good_g = open(self.tmp.join("text.gz"), "rb").read()
        many = open(self.tmp.join("many.zst"), "rb").read()

        def flip(data, at):
            d = bytearray(data)
            d[at] ^= 0x01
            return bytes(d)

        cases = [
            ("truncated.gz", good_g[:len(good_g) // 2], "truncated"),
            ("truncated.zst", good_z[:len(good_z) // 2], "truncated"),
            ("flipped.gz", flip(good_g, len(good_g) - 6), "corrupt"),
            ("flipped.zst", flip(good_z, len(good_z) - 2), "corrupt"),
            ("trailing.gz", good_g + b"not gzip", "garbage"),
            ("trailing.zst", good_z + b"not zstd", "garbage"),
        ]
        for name, data, word in cases:
            path = self.tmp.join(name)
            with open(path, "wb") as f:
                f.write(data)
            db = self.new_db(name)
            r = self.run.run("index", "--db", db, "--memory-limit", "8M", path)
            lines = stderr_lines(r)
            self.rep.check("%s: exit 1, one line naming the file and '%s'" % (name, word),
                           r.rc == 1 and len(lines) == 1 and path in lines[0]
                           and word in lines[0] and "offset" in lines[0], r.describe())
            st = self.stats(db)
            self.rep.check("%s: nothing counted" % name,
                           st is None or st["pretokens"] == 0, str(st and st["pretokens"]))
        # A frame in the middle of many corrupted: the runs of frames before
        # it are committed, nothing from it or after; the counts committed are
        # a part of the text's (never more).
        frames_at = []
        at = 0
        while at < len(many):  # the 16 frames, by their sizes (each a zstd frame)
            frames_at.append(at)
            at = many.index(b"\x28\xb5\x2f\xfd", at + 4) if b"\x28\xb5\x2f\xfd" in many[at + 4:] else len(many)
        path = self.tmp.join("corrupt-middle.zst")
        bad_frame = frames_at[10]
        with open(path, "wb") as f:
            f.write(flip(many, frames_at[11] - 2))
        db = self.new_db("corrupt-middle")
        r = self.run.run("index", "--db", db, "--compressed-unit", "1", path)
        self.rep.check("corrupt 11th frame: exit 1 naming its offset",
                       r.rc == 1 and ("offset %d " % bad_frame) in r.err.decode(), r.describe())
        got, _ = parse_hex_export(self.export(db) or b"")
        ref = self.refs.file(self.text).counts
        st = self.stats(db)
        self.rep.check("corrupt 11th frame: the frames before it counted, no more than "
                       "the text holds",
                       st is not None and 0 < st["pretokens"] < sum(ref.values())
                       and all(ref.get(k, 0) >= v for k, v in got.items()),
                       str(st and st["pretokens"]))
        # Refused outright.
        r = self.run.run("index", "--db", self.new_db("strict"), "--invalid-utf8", "strict",
                         self.tmp.join("text.gz"))
        self.rep.check("--invalid-utf8 strict with a compressed file: refused in one line",
                       r.rc == 1 and len(stderr_lines(r)) == 1 and "strict" in r.err.decode(),
                       r.describe())

    def main(self):
        self.rep.section("inputs", self.make_inputs)
        self.rep.section("exact", self.exact)
        self.rep.section("mixed", self.mixed)
        self.rep.section("jsonl", self.jsonl)
        self.rep.section("killed", self.killed)
        self.rep.section("bad input", self.bad)


def main():
    return run_suite(Compressed, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
