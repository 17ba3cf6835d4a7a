#!/usr/bin/python3
"""Checks make-corpus's promises (README.md beside this file):

  - the committed samples are what make-corpus makes now (regenerate them
    and update README.md's table when the generator or sources/ change);
  - exact sizes, valid UTF-8 for stories and web, a smaller size a prefix of
    a larger one, the same bytes whatever PYTHONHASHSEED and to stdout or -o;
  - adversarial: the BOM first, a token straddling every power of two from
    4 KiB that is not inside a stretch, no token in the two stretches.

    /usr/bin/python3 tools/corpus/check_make_corpus.py     # ~10 s

Prints one line per check and `N passed, M failed`; exits 1 on a failure.
"""
import hashlib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MC = os.path.join(HERE, "make-corpus")
EOT = b"<|endoftext|>"
SAMPLES = (("stories", "1M", "stories-1M.txt"), ("web", "1M", "web-1M.txt"),
           ("adversarial", "256K", "adversarial-256K.bin"))
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    print("%s  %s%s" % ("PASS" if ok else "FAIL", name, "  (%s)" % detail if detail else ""))
    if ok:
        passed += 1
    else:
        failed += 1


def make(kind, size, seed, env=None, stdout=False):
    args = ["/usr/bin/python3", "-I", "-S", MC, "--kind", kind, "--size", str(size),
            "--seed", str(seed)]
    if stdout:
        return subprocess.run(args, check=True, capture_output=True, env=env).stdout
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out")
        subprocess.run(args + ["-o", path], check=True, env=env)
        with open(path, "rb") as f:
            return f.read()


def main():
    for kind, size, name in SAMPLES:
        with open(os.path.join(HERE, "samples", name), "rb") as f:
            want = hashlib.md5(f.read()).hexdigest()
        got = hashlib.md5(make(kind, size, 1)).hexdigest()
        check("samples/%s is make-corpus --kind %s --size %s --seed 1" % (name, kind, size),
              got == want, "md5 %s, file %s" % (got, want))

    for kind in ("stories", "web", "adversarial"):
        big = make(kind, 3 << 20, 7)
        check("%s: 3M is 3145728 bytes" % kind, len(big) == 3 << 20, str(len(big)))
        env = dict(os.environ, PYTHONHASHSEED="12345")
        check("%s: same bytes with another PYTHONHASHSEED, to stdout" % kind,
              make(kind, 3 << 20, 7, env=env, stdout=True) == big)
        small = make(kind, 1234567, 7)
        check("%s: 1234567 bytes" % kind, len(small) == 1234567)
        if kind == "adversarial":
            check_adversarial(big)
            continue
        for label, data in (("3M", big), ("1234567", small)):
            try:
                data.decode("utf-8")
                check("%s %s: valid UTF-8" % (kind, label), True)
            except UnicodeDecodeError as e:
                check("%s %s: valid UTF-8" % (kind, label), False, str(e))
        cut = len(small.rstrip(b"\n")) - 4  # before the final cut and padding
        check("%s: 1234567 bytes are a prefix of 3M (up to the final cut)" % kind,
              big[:cut] == small[:cut])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def check_adversarial(data):
    size = len(data)
    check("adversarial: starts with a UTF-8 BOM", data.startswith(b"\xef\xbb\xbf"))
    stretch = max(32 << 10, min(8 << 20, size // 6))
    quiet = [(size // 3, size // 3 + stretch), (2 * size // 3, 2 * size // 3 + stretch)]
    for a, b in quiet:
        # the stretch may start or end a few bytes off, for a token at a power of two
        check("adversarial: no <|endoftext|> in [%d, %d)" % (a, b),
              EOT not in data[a + 16:b - 16])
    missing, p = [], 4096
    while p + 13 <= size:
        inside = any(a + 16 <= p < b - 16 for a, b in quiet)
        s = data.find(EOT, p - 12)
        if not inside and not (0 <= s < p < s + len(EOT)):
            missing.append(p)
        p *= 2
    check("adversarial: a token straddles every power of two from 4 KiB", not missing,
          "missing at %s" % missing)


if __name__ == "__main__":
    sys.exit(main())
