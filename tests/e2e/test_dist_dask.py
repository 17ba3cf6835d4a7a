#!/usr/bin/python3
"""tools/dist/pretok_dask.py on a real Dask LocalCluster (worker processes
on loopback): N `index --shard K/N` tasks, then one `merge`, must give
exactly the Python reference's counts of all the inputs — also when the
pretok-db process of one shard task is SIGKILLed mid-run (the task raises,
Dask retries it, the retry resumes from the shard's checkpoints), and when
the merge is SIGKILLed mid-run (retried; the target was left as before).

Needs Debian's python3-distributed (tools/install-deps.sh --tests).
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import (RefCache, Runner, diff_counts, parse_hex_export,  # noqa: E402
                     run_suite)

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "dist", "pretok_dask.py")
SHARDS = 4


class Dist:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        self.refs = RefCache()
        # The inputs under one root: the samples, a bigger file made of them
        # (so that a shard's run spills before it ends), a file with no
        # special token and an empty file.
        self.root = tmp.join("corpus")
        os.makedirs(os.path.join(self.root, "sub"))
        samples = os.path.join(a.corpus, "samples")
        names = ["stories-1M.txt", "web-1M.txt", "adversarial-256K.bin"]
        for n in names:
            shutil.copy(os.path.join(samples, n), os.path.join(self.root, n))
        with open(os.path.join(self.root, "sub", "big.txt"), "wb") as out:
            for _ in range(3):
                for n in names[:2]:
                    with open(os.path.join(samples, n), "rb") as f:
                        out.write(f.read())
        with open(os.path.join(self.root, "sub", "plain.txt"), "wb") as f:
            f.write(b"no separator here, just words and 123 numbers\n" * 1000)
        open(os.path.join(self.root, "empty.txt"), "wb").close()
        self.files = sorted(os.path.join(dp, n) for dp, _, ns in os.walk(self.root) for n in ns)
        self.ref = self.refs.files(self.files)

    def driver(self, name, binary, memory=("--memory-limit", "8M"), timeout=600):
        shared = self.tmp.join(name, "shared")
        argv = [sys.executable, DRIVER, "--local-workers", "3", "--shards", str(SHARDS),
                "--root", self.root, "--shared", shared,
                "--work-dir", self.tmp.join(name, "local"), "--bin", binary,
                "--retries", "2", "--workers-per-task", "1", *memory] + self.files
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        return p, os.path.join(shared, "merged.db"), shared

    def check_merged(self, what, p, merged):
        self.rep.check(what + ": driver exits 0", p.returncode == 0,
                       p.stderr.decode("utf-8", "replace")[-3000:])
        if p.returncode != 0:
            return
        e = self.run.export(merged, "hex")
        counts, problems = parse_hex_export(e.out)
        self.rep.check(what + ": merged export == reference over all inputs",
                       e.ok and not problems and counts == dict(self.ref.counts),
                       "; ".join(problems[:3]) or diff_counts(dict(self.ref.counts), counts))
        st, r = self.run.stats(merged)
        self.rep.check(what + ": merged stats: documents and pretokens of the reference",
                       st is not None and st["documents"] == self.ref.documents
                       and st["pretokens"] == self.ref.pretokens, r.describe())
        keys = sorted(f["path"] for f in st["files"]) if st else []
        want = sorted(os.path.relpath(f, self.root) for f in self.files)
        self.rep.check(what + ": merged stats lists every input once, relative to --root",
                       keys == want, "got %s" % keys)

    def wrapper(self, name, sub, match):
        """A --bin that kills the first `sub` run matching `match`, once."""
        marker = self.tmp.join(name + ".marker")
        path = self.tmp.join(name + "-pretok-db")
        with open(path, "w") as f:
            f.write("#!/bin/sh\nexec %s %s %s %s %s %s -- \"$@\"\n" % (
                sys.executable, os.path.join(HERE, "kill_once.py"), self.a.bin, marker, sub,
                match))
        os.chmod(path, 0o755)
        return path, marker

    def plain(self):
        p, merged, shared = self.driver("plain", self.a.bin)
        self.check_merged("%d shards on 3 workers" % SHARDS, p, merged)
        shards = sorted(os.listdir(os.path.join(shared, "shards")))
        self.rep.check("every shard published under shared/shards, no temporary left",
                       shards == ["shard-%05d-of-%05d.db" % (k, SHARDS) for k in range(SHARDS)],
                       str(shards))
        # Rerunning the same job is a no-op that gives the same database.
        before = self.run.export(merged, "hex").out
        p2, _, _ = self.driver("plain", self.a.bin)
        self.rep.check("the same job again: exit 0, same counts",
                       p2.returncode == 0 and self.run.export(merged, "hex").out == before,
                       p2.stderr.decode("utf-8", "replace")[-2000:])

    def killed_shard(self):
        # Shard 2 of 4 holds sub/big.txt (6 MiB; 64 MiB units deal the six
        # files in blocks of 1, 2, 1, 2); a tiny memory limit makes it spill
        # early and often.
        binary, marker = self.wrapper("kill-shard", "index", "2/%d" % SHARDS)
        p, merged, _ = self.driver("kill-shard", binary,
                                   memory=("--index-arg=--memory-limit=64K",))
        state = open(marker).read().strip() if os.path.exists(marker) else "never chosen"
        self.rep.check("shard 2's pretok-db was SIGKILLed after a spill", state == "killed-mid-run",
                       state)
        self.check_merged("shard task killed and retried by Dask", p, merged)
        # The retry resumed: it had fewer bytes to do than the killed run.
        def bytes_to_do(log):
            try:
                with open(log) as f:
                    return [json.loads(ln)["bytes_to_do"] for ln in f
                            if '"start"' in ln]
            except OSError:
                return []
        first, retry = bytes_to_do(marker + ".log"), bytes_to_do(marker + ".retry.log")
        self.rep.check("the retry resumed the shard from the killed run's checkpoints",
                       len(first) == 1 and len(retry) >= 1 and retry[0] < first[0],
                       "bytes to do: killed run %s, retries %s" % (first, retry))

    def killed_merge(self):
        binary, marker = self.wrapper("kill-merge", "merge", "--into")
        p, merged, _ = self.driver("kill-merge", binary)
        state = open(marker).read().strip() if os.path.exists(marker) else "never chosen"
        self.rep.check("merge's pretok-db was SIGKILLed after writing a run",
                       state == "killed-mid-run", state)
        self.check_merged("merge task killed and retried by Dask", p, merged)

    def main(self):
        try:
            import distributed  # noqa: F401
        except ImportError:
            self.rep.fail("python3-distributed is importable",
                          "install it: tools/install-deps.sh --tests")
            return
        self.rep.section("plain", self.plain)
        self.rep.section("a shard killed", self.killed_shard)
        self.rep.section("the merge killed", self.killed_merge)


if __name__ == "__main__":
    sys.exit(run_suite(Dist, __doc__.splitlines()[0]))
