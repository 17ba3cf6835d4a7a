#!/usr/bin/python3
"""Count a corpus on a Dask cluster: one `pretok-db index --shard K/N` task
per shard on the workers, then one `pretok-db merge`.

    # on a cluster started as `dask scheduler` + `dask worker --nthreads 1`:
    /usr/bin/python3 tools/dist/pretok_dask.py --scheduler tcp://HOST:8786 \
        --shards 8 --root /nfs/corpus --shared /nfs/pretok \
        /nfs/corpus/*.txt
    # or on this machine, with a LocalCluster of 4 worker processes:
    /usr/bin/python3 tools/dist/pretok_dask.py --local-workers 4 --shards 4 \
        --root corpus --shared out corpus/*.txt

The merged database is SHARED/merged.db; the shards are SHARED/shards/.

How a shard reaches the shared filesystem: it is indexed on the worker's
local disk (--work-dir) and published to SHARED/shards/ only when complete,
by a copy into a temporary name there and one rename. Why not index in
place on the shared filesystem: RocksDB's LOCK is an fcntl lock, and on
network filesystems a lock held by a client that died may stay held (or not
be honoured at all); then a retried task would wait on a dead lock, or two
attempts could write one database. Publishing by rename keeps the shared
filesystem free of databases being written: what is in SHARED/shards/ is
complete, the merge never sees half a shard, and a dead worker leaves only
its local directory (which a retry on the same machine resumes from) and
perhaps a temporary copy (ignored, removed by the next publication).

Failures: a task raises when pretok-db exits non-zero (or is killed); Dask
retries it (--retries). Resume makes a retry exact: a shard retried on the
same machine goes on from its last checkpoint, one retried elsewhere starts
afresh, and both end with the same counts. A shard already published is
not indexed again; a merge killed at any moment leaves its target as it was
or complete, and rerunning it is a no-op once complete.

Runs on Debian's /usr/bin/python3 with python3-distributed (2022.12).
"""
import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid


class PretokDbFailed(RuntimeError):
    """pretok-db exited non-zero: the task fails, and Dask may retry it."""


def shard_name(k, n):
    return "shard-%05d-of-%05d.db" % (k, n)


def _run(argv):
    """Runs pretok-db; raises PretokDbFailed (with its stderr's end) unless
    it exits 0."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       errors="replace")
    if p.returncode != 0:
        how = ("killed by signal %d" % -p.returncode if p.returncode < 0
               else "exit status %d" % p.returncode)
        tail = "\n".join(p.stderr.strip().splitlines()[-5:])
        raise PretokDbFailed("%s on %s: %s\n%s" % (" ".join(argv[:2]), socket.gethostname(),
                                                   how, tail))
    return p


def _fsync_tree(path):
    """Makes a copied database durable before it is published."""
    for dirpath, _, names in os.walk(path):
        for name in names:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(dirpath, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def publish(local_db, final_db):
    """Copies local_db to final_db on the shared filesystem, atomically: a
    temporary copy beside final_db, then one rename. If final_db appeared
    meanwhile (another attempt of the same task published it; both hold the
    same counts), keeps that one."""
    parent = os.path.dirname(final_db)
    os.makedirs(parent, exist_ok=True)
    tmp = os.path.join(parent, ".%s.%s.tmp" % (os.path.basename(final_db), uuid.uuid4().hex))
    try:
        shutil.copytree(local_db, tmp)
        _fsync_tree(tmp)
        try:
            os.rename(tmp, final_db)
        except OSError:
            if not os.path.isdir(final_db):
                raise
        fd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def index_shard(k, n, spec):
    """The task of shard k of n, on a worker: index it locally, publish it.
    Returns the published database's path."""
    final_db = os.path.join(spec["shared"], "shards", shard_name(k, n))
    if os.path.isdir(final_db):
        return final_db  # published by an earlier attempt: complete
    local_db = os.path.join(spec["work_dir"], shard_name(k, n))
    os.makedirs(spec["work_dir"], exist_ok=True)
    argv = [spec["bin"], "index", "--db", local_db, "--shard", "%d/%d" % (k, n),
            "--root", spec["root"], "--quiet"] + spec["index_args"] + spec["files"]
    _run(argv)
    publish(local_db, final_db)
    shutil.rmtree(local_db, ignore_errors=True)
    return final_db


def merge_shards(shard_dbs, spec):
    """The final task: merge the published shards into SHARED/merged.db
    (locally first, then published like a shard). Returns its path."""
    final_db = os.path.join(spec["shared"], "merged.db")
    if os.path.isdir(final_db):
        return final_db
    local_db = os.path.join(spec["work_dir"], "merged.db")
    os.makedirs(spec["work_dir"], exist_ok=True)
    argv = [spec["bin"], "merge", "--into", local_db, "--quiet"] + spec["merge_args"] + \
        sorted(shard_dbs)
    _run(argv)
    publish(local_db, final_db)
    shutil.rmtree(local_db, ignore_errors=True)
    return final_db


def run(client, spec, shards, retries):
    """Submits the shard tasks and the merge; returns the merged database's
    path once it is published. Raises when a task fails after its retries."""
    # The keys name the job, so two jobs on one scheduler never share a
    # result, and the same job resubmitted reuses nothing stale.
    job = hashlib.sha256(repr(sorted(spec.items())).encode()).hexdigest()[:12]
    futures = [client.submit(index_shard, k, shards, spec, retries=retries, pure=False,
                             key="pretok-index-%s-%d-of-%d" % (job, k, shards))
               for k in range(shards)]
    merged = client.submit(merge_shards, futures, spec, retries=retries, pure=False,
                           key="pretok-merge-%s" % job)
    return merged.result()


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Index a corpus in N shards on a Dask cluster, then merge them.")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", help="address of a running Dask scheduler")
    where.add_argument("--local-workers", type=int,
                       help="start a LocalCluster of this many worker processes here")
    ap.add_argument("--shards", type=int, required=True, help="number of shards N")
    ap.add_argument("--root", required=True,
                    help="directory the inputs lie under (paths are recorded relative to it)")
    ap.add_argument("--shared", required=True,
                    help="directory on the filesystem every worker sees: shards/ and merged.db")
    ap.add_argument("--work-dir",
                    help="local directory where a worker indexes a shard before publishing it "
                         "(default: a directory under the system's temporary directory)")
    ap.add_argument("--bin", default=shutil.which("pretok-db") or "pretok-db",
                    help="the pretok-db binary, at the same path on every worker")
    ap.add_argument("--retries", type=int, default=3, help="retries of a failed task")
    ap.add_argument("--workers-per-task", type=int, default=0,
                    help="pretok-db --workers of each task (default: one per core)")
    ap.add_argument("--memory-limit", help="pretok-db --memory-limit of each task")
    ap.add_argument("--index-arg", action="append", default=[],
                    help="one more argument for every `index` (e.g. --index-arg=--pattern=cl100k)")
    ap.add_argument("files", nargs="+", help="input files (under --root)")
    a = ap.parse_args(argv)
    if a.shards < 1:
        ap.error("--shards takes a whole number >= 1")
    if a.local_workers is not None and a.local_workers < 1:
        ap.error("--local-workers takes a whole number >= 1")
    return a


def make_spec(a):
    shared = os.path.abspath(a.shared)
    work_dir = a.work_dir or os.path.join(
        tempfile.gettempdir(), "pretok-dask-" + hashlib.sha256(shared.encode()).hexdigest()[:12])
    common = []
    if a.workers_per_task:
        common += ["--workers", str(a.workers_per_task)]
    if a.memory_limit:
        common += ["--memory-limit", a.memory_limit]
    return {
        "bin": os.path.abspath(a.bin) if os.sep in a.bin else a.bin,
        "root": os.path.abspath(a.root),
        "shared": shared,
        "work_dir": os.path.abspath(work_dir),
        "files": [os.path.abspath(f) for f in a.files],
        "index_args": common + a.index_arg,
        "merge_args": ["--memory-limit", a.memory_limit] if a.memory_limit else [],
    }


def main(argv):
    a = parse_args(argv)
    spec = make_spec(a)
    from dask.distributed import Client, LocalCluster
    start = time.monotonic()
    if a.local_workers is not None:
        # Processes, one thread each: every task runs one pretok-db, which
        # has its own worker threads.
        with LocalCluster(n_workers=a.local_workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster, \
                Client(cluster) as client:
            merged = run(client, spec, a.shards, a.retries)
    else:
        with Client(a.scheduler) as client:
            merged = run(client, spec, a.shards, a.retries)
    print("merged %d shards into %s in %.1f s" % (a.shards, merged, time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
