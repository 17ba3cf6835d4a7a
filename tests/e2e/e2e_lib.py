"""Shared helpers of the end-to-end tests (tests/e2e/test_*.py).

Each test script is run by ctest as

    python3 tests/e2e/test_X.py --bin build/pretok-db \
        --corpus tools/corpus --data data

prints one line per check (PASS/FAIL/SKIP/NOTE) and ends with
`N passed, M failed`; it exits 1 if any check failed.
Python 3.11 standard library plus `regex` (2022.10.31 or later).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

from reference_count import (DEFAULT_SPECIAL_TOKENS, PATTERN, RefResult, count_bytes,
                             hex_export, sorted_items, top_n, tsv_escape, tsv_export,
                             tsv_unescape)

__all__ = ["DEFAULT_SPECIAL_TOKENS", "PATTERN", "RefResult", "count_bytes", "hex_export",
           "sorted_items", "top_n", "tsv_escape", "tsv_export", "tsv_unescape",
           "parse_args", "Report", "Runner", "RefCache", "make_corpus", "parse_hex_export",
           "diff_counts", "stats_without_elapsed", "TempDir", "stderr_lines", "run_suite"]


# --------------------------------------------------------------------------- args

def parse_args(description, extra=None):
    """--bin --corpus --data (as ctest passes them), plus --keep-tmp and extras."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--bin", default=os.path.join(root, "build", "pretok-db"),
                    help="path of the pretok-db binary")
    ap.add_argument("--corpus", default=os.path.join(root, "tools", "corpus"),
                    help="the corpus directory (make-corpus, samples/; default tools/corpus)")
    ap.add_argument("--data", default=os.path.join(root, "data"),
                    help="the project's data/ directory")
    ap.add_argument("--keep-tmp", action="store_true",
                    help="keep the temporary directory (printed) for debugging")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="timeout in seconds of one pretok-db command (default 300)")
    if extra:
        extra(ap)
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    a.corpus = os.path.abspath(a.corpus)
    a.data = os.path.abspath(a.data)
    return a


def run_suite(suite, description, extra=None):
    """The main() of a test script: parses the arguments, checks the binary,
    and runs suite(args, report, tempdir).main() in a temporary directory.
    Returns the exit code."""
    a = parse_args(description, extra)
    rep = Report()
    if not (os.path.isfile(a.bin) and os.access(a.bin, os.X_OK)):
        rep.fail("binary exists", "%s is not an executable file" % a.bin)
        return rep.finish()
    with TempDir(keep=a.keep_tmp) as tmp:
        suite(a, rep, tmp).main()
    return rep.finish()


# --------------------------------------------------------------------------- report

class Report:
    """One line per check; `finish()` prints the summary and returns the exit code."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []
        self.t0 = time.time()

    def _print(self, line):
        print(line, flush=True)

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            self._print("PASS  %s%s" % (name, ("  (%s)" % detail) if detail else ""))
        else:
            self.failed += 1
            self.failures.append(name)
            self._print("FAIL  %s%s" % (name, (": %s" % detail) if detail else ""))
        return bool(ok)

    def fail(self, name, detail=""):
        return self.check(name, False, detail)

    def skip(self, name, reason):
        self.skipped += 1
        self._print("SKIP  %s: %s" % (name, reason))

    def note(self, msg):
        self._print("NOTE  %s" % msg)

    def section(self, title, fn, *args, **kw):
        """Run fn; an unexpected exception is a failed check, the script goes on."""
        self._print("== %s" % title)
        try:
            return fn(*args, **kw)
        except Exception:  # noqa: BLE001
            tb = traceback.format_exc()
            self.fail("%s: unexpected exception" % title, tb.strip().splitlines()[-1])
            sys.stdout.write(tb)
            return None

    def finish(self):
        if self.failures:
            print("failed checks:")
            for f in self.failures:
                print("  - %s" % f)
        print("time %.1f s" % (time.time() - self.t0))
        if self.skipped:
            print("%d skipped" % self.skipped)
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


# --------------------------------------------------------------------------- running

class Result:
    def __init__(self, argv, rc, out, err, elapsed, timed_out=False):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        self.elapsed, self.timed_out = elapsed, timed_out

    @property
    def ok(self):
        return self.rc == 0 and not self.timed_out

    def describe(self):
        cmd = " ".join(_shq(x) for x in self.argv)
        if self.timed_out:
            st = "timed out after %.0f s" % self.elapsed
        else:
            st = "exit %s" % self.rc
        err = self.err.decode("utf-8", "replace").strip()
        if len(err) > 1500:
            err = err[:700] + " [...] " + err[-700:]
        return "%s: %s; stderr: %r" % (cmd, st, err)

    def json(self):
        return json.loads(self.out.decode("utf-8"))


def _shq(s):
    if s and all(c.isalnum() or c in "-_./=:+,@%" for c in s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def _child_setup():
    # Undo a SIGINT/SIGQUIT "ignore" inherited from a non-interactive shell, so the
    # binary sees the default dispositions it would get from a terminal.
    for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(s, signal.SIG_DFL)


class Runner:
    """Runs the pretok-db binary with a timeout; output captured as bytes."""

    def __init__(self, binary, timeout=300.0):
        self.bin = binary
        self.timeout = timeout

    def cmd(self, *args):
        return [self.bin] + [str(a) for a in args]

    def run(self, *args, timeout=None, cwd=None):
        argv = self.cmd(*args)
        t0 = time.time()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=cwd, preexec_fn=_child_setup)
        try:
            out, err = p.communicate(timeout=timeout or self.timeout)
            return Result(argv, p.returncode, out, err, time.time() - t0)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            return Result(argv, p.returncode, out, err, time.time() - t0, timed_out=True)

    def start(self, *args, cwd=None):
        """Start in the background (own session) with output to files; returns a Proc."""
        return Proc(self.cmd(*args), cwd)

    # shortcuts
    def export(self, db, fmt=None):
        args = ["export", "--db", db]
        if fmt:
            args += ["--format", fmt]
        return self.run(*args)

    def stats(self, db):
        r = self.run("stats", "--db", db, "--json")
        if not r.ok:
            return None, r
        try:
            return r.json(), r
        except ValueError as e:
            r.err += ("\n[test] stats --json output is not JSON: %s: %r" % (e, r.out[:300])).encode()
            return None, r


class Proc:
    """A background pretok-db process whose stdout/stderr go to temp files."""

    def __init__(self, argv, cwd=None):
        self.argv = argv
        self._out = tempfile.TemporaryFile()
        self._err = tempfile.TemporaryFile()
        self.t0 = time.time()
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._out,
                                  stderr=self._err, cwd=cwd, start_new_session=True,
                                  preexec_fn=_child_setup)

    def running(self):
        return self.p.poll() is None

    def signal(self, sig):
        """Send sig if still running; True if it was sent to a running process."""
        if self.p.poll() is not None:
            return False
        try:
            os.kill(self.p.pid, sig)
            return True
        except ProcessLookupError:
            return False

    def wait(self, timeout):
        """Wait; on timeout SIGKILL it. Returns a Result (timed_out set if killed)."""
        timed_out = False
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.p.kill()
            self.p.wait()
        elapsed = time.time() - self.t0
        self._out.seek(0)
        self._err.seek(0)
        out, err = self._out.read(), self._err.read()
        self._out.close()
        self._err.close()
        return Result(self.argv, self.p.returncode, out, err, elapsed, timed_out)


def stderr_lines(r):
    """Non-empty lines of a result's stderr."""
    return [ln for ln in r.err.decode("utf-8", "replace").splitlines() if ln.strip()]


# --------------------------------------------------------------------------- files

class TempDir:
    """A temporary directory removed at exit unless keep=True."""

    def __init__(self, prefix="pretokdb-e2e-", keep=False):
        self.path = tempfile.mkdtemp(prefix=prefix)
        self.keep = keep

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()

    def join(self, *p):
        return os.path.join(self.path, *p)

    def cleanup(self):
        if self.keep:
            print("NOTE  kept temporary directory %s" % self.path)
            return
        # restore permissions a test may have removed, then delete
        for dirpath, dirnames, filenames in os.walk(self.path):
            for n in dirnames + filenames:
                try:
                    os.chmod(os.path.join(dirpath, n), 0o700)
                except OSError:
                    pass
        shutil.rmtree(self.path, ignore_errors=True)


def make_corpus(corpus_dir, kind, size, seed, out_path, timeout=600):
    """Run <corpus>/make-corpus; returns the output path."""
    mc = os.path.join(corpus_dir, "make-corpus")
    t0 = time.time()
    subprocess.run([sys.executable, mc, "--kind", kind, "--size", str(size), "--seed", str(seed),
                    "-o", out_path], check=True, timeout=timeout, stdin=subprocess.DEVNULL)
    print("NOTE  make-corpus --kind %s --size %s --seed %s: %.1f s"
          % (kind, size, seed, time.time() - t0), flush=True)
    return out_path


# --------------------------------------------------------------------------- reference

class RefCache:
    """Reference results per (file, special tokens), computed once per run."""

    def __init__(self):
        self._c = {}

    def file(self, path, special_tokens=DEFAULT_SPECIAL_TOKENS):
        key = (os.path.abspath(path), tuple(special_tokens))
        if key not in self._c:
            t0 = time.time()
            with open(path, "rb") as f:
                self._c[key] = count_bytes(f.read(), tuple(special_tokens))
            dt = time.time() - t0
            if dt > 1:
                print("NOTE  reference %s: %.1f s" % (os.path.basename(path), dt), flush=True)
        return self._c[key]

    def files(self, paths, special_tokens=DEFAULT_SPECIAL_TOKENS):
        total = RefResult()
        for p in paths:
            total.add(self.file(p, special_tokens))
        return total


# --------------------------------------------------------------------------- exports

def parse_hex_export(data):
    """Parse `export --format hex`; returns (dict bytes->count, list of problems)."""
    counts, problems, prev = {}, [], None
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        if line == b"" and i == len(lines) - 1:
            break
        parts = line.split(b"\t")
        try:
            if len(parts) != 2:
                raise ValueError("not 2 fields")
            h, c = parts[0].decode("ascii"), int(parts[1])
            if h != h.lower():
                raise ValueError("hex not lowercase")
            k = bytes.fromhex(h)
        except ValueError as e:
            problems.append("line %d %r: %s" % (i + 1, line[:80], e))
            continue
        if prev is not None and k <= prev:
            problems.append("line %d out of order or duplicate" % (i + 1))
        prev = k
        counts[k] = c
    return counts, problems


def _show(k):
    s = k.decode("utf-8", "replace")
    return repr(s if len(s) <= 40 else s[:40] + "...")


def diff_counts(expected, actual, limit=5):
    """A short description of how two count dicts differ ('' if equal)."""
    if expected == actual:
        return ""
    missing = [k for k in expected if k not in actual]
    extra = [k for k in actual if k not in expected]
    wrong = [k for k in expected if k in actual and expected[k] != actual[k]]
    parts = ["expected %d distinct / %d total, got %d distinct / %d total"
             % (len(expected), sum(expected.values()), len(actual), sum(actual.values()))]
    if missing:
        missing.sort(key=lambda k: -expected[k])
        parts.append("%d missing e.g. %s" % (len(missing), ", ".join(
            "%s x%d" % (_show(k), expected[k]) for k in missing[:limit])))
    if extra:
        extra.sort(key=lambda k: -actual[k])
        parts.append("%d unexpected e.g. %s" % (len(extra), ", ".join(
            "%s x%d" % (_show(k), actual[k]) for k in extra[:limit])))
    if wrong:
        wrong.sort(key=lambda k: -abs(expected[k] - actual[k]))
        parts.append("%d wrong counts e.g. %s" % (len(wrong), ", ".join(
            "%s %d!=%d" % (_show(k), actual[k], expected[k]) for k in wrong[:limit])))
    return "; ".join(parts)


def first_diff_line(a, b):
    """First differing line of two byte strings, for messages."""
    la, lb = a.split(b"\n"), b.split(b"\n")
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return "line %d: got %r, expected %r" % (i + 1, x[:100], y[:100])
    return "got %d lines, expected %d" % (len(la), len(lb))


def stats_without_elapsed(st):
    if st is None:
        return None
    st = dict(st)
    st.pop("elapsed_seconds", None)
    return st
