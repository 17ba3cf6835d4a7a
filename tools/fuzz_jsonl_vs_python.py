#!/usr/bin/env python3
"""Differential fuzzer: the JSON Lines reader (through tools/jsonl_dump.cc)
against the Python reference on random and mutated lines.

Usage:
  python3 tools/fuzz_jsonl_vs_python.py --bin build/jsonl_dump \\
      [--iterations 200] [--lines 300] [--seed 1]

Each iteration writes a file of random lines and runs `jsonl_dump` on it
(at a random read size, sometimes with a small --max-line), then compares
each line's outcome with tests/e2e/reference_count.py's jsonl_record():
json.loads(line.decode("utf-8")) (NaN and Infinity refused), the string at
the field path with lone surrogates as U+FFFD, or why the line is a bad
record (invalid_json, invalid_utf8, missing_field, not_string, too_long).
Lines are JSON made by json.dumps or by hand (escapes of every kind, lone
and paired surrogates, repeated keys, nesting, big numbers) and the same
mutated: cut, bytes replaced or inserted (quotes, backslashes, brackets,
control characters, invalid UTF-8), garbage appended; ends "\\n" or
"\\r\\n", blank lines, a last line without "\\n". Exits 1 on the first
mismatch and keeps the input that caused it.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "e2e"))
from reference_count import jsonl_lines, jsonl_record  # noqa: E402

FIELDS = ["text", "meta.text", "a.b.c"]
KEYS = ["text", "meta", "id", "a", "b", "c", "te\\u0078t", "", "t\u00e9xt"]
CHARS = ("abc xyz ABC 019 \t\n\r\"\\/\b\f\x00\x01\x1f\x7f \u00e9\u00a0\u2028\u4e2d"
         "\U0001F600\ufffd<|endoftext|>")
MUTATION_BYTES = [b'"', b"\\", b",", b":", b"{", b"}", b"[", b"]", b"u", b"e", b"-", b"0",
                  b".", b" ", b"\t", b"\x01", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\r",
                  b"\\u", b"\\ud800", b"\\udc00", b"NaN", b"1e400", b"null", b"tru"]


def random_string(rng):
    n = rng.choice([0, 1, 3, 10, 40])
    s = "".join(rng.choice(CHARS) for _ in range(n))
    if rng.random() < 0.2:
        # A lone or paired surrogate (json.dumps escapes them).
        s += rng.choice(["\ud800", "\udfff", "\ud83d\ude00", "\udc00\ud800"])
    return s


def random_value(rng, depth):
    r = rng.random()
    if depth > 3 or r < 0.35:
        return random_string(rng)
    if r < 0.5:
        return rng.choice([0, -1, 3.25, 1e300, 10 ** 30, -0.0, True, False, None])
    if r < 0.65:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return random_object(rng, depth + 1)


def random_object(rng, depth=0):
    return {rng.choice(KEYS): random_value(rng, depth) for _ in range(rng.randint(0, 4))}


def with_field(rng, obj, field):
    """obj with a value at field (usually a string), maybe twice."""
    parts = field.split(".")
    o = obj
    for p in parts[:-1]:
        if not isinstance(o.get(p), dict) or rng.random() < 0.1:
            o[p] = {} if rng.random() < 0.9 else random_value(rng, 3)
        o = o[p]
        if not isinstance(o, dict):
            return obj
    o[parts[-1]] = random_string(rng) if rng.random() < 0.85 else random_value(rng, 2)
    return obj


def serialize(rng, obj):
    r = rng.random()
    if r < 0.4:
        s = json.dumps(obj)  # ASCII: every non-ASCII escaped
    elif r < 0.8:
        s = json.dumps(obj, ensure_ascii=False, separators=rng.choice([(",", ":"), (", ", ": ")]))
    else:
        # By hand: upper-case hex escapes, escaped solidus, a repeated key.
        s = json.dumps(obj).replace("\\u00e9", "\\u00E9").replace("/", "\\/")
        if s.startswith("{") and len(s) > 2:
            s = '{"text": 5, ' + s[1:]
    if rng.random() < 0.2:
        s = rng.choice([" ", "\t", "  "]) + s + rng.choice(["", " ", "\t", "\r"])
    return s.encode("utf-8", "surrogatepass")


def mutate(rng, line):
    r = rng.random()
    if r < 0.25 and line:
        return line[:rng.randrange(len(line))]
    if r < 0.6 and line:
        i = rng.randrange(len(line))
        return line[:i] + rng.choice(MUTATION_BYTES) + line[i + rng.randint(0, 2):]
    if r < 0.7:
        return line + rng.choice([b" x", b"}", b",", b" {}", b"\xff"])
    if r < 0.8:
        depth = rng.choice([1, 50, 300])
        return b'{"text": "deep", "x": ' + b"[" * depth + b"]" * depth + b"}"
    return rng.choice([b"[1, 2]", b'"text"', b"42", b"null", b"\xef\xbb\xbf{\"text\": \"bom\"}",
                       b'{"text": "a\\u12"}', b"{'text': 'single'}"])


def make_input(rng, field, lines):
    out = []
    for _ in range(lines):
        r = rng.random()
        if r < 0.05:
            line = rng.choice([b"", b" ", b"\t\r", b"   "])
        else:
            line = serialize(rng, with_field(rng, random_object(rng), field))
            if r < 0.45:
                line = mutate(rng, line)
        out.append(line.replace(b"\n", b" ") + (b"\r\n" if rng.random() < 0.1 else b"\n"))
    data = b"".join(out)
    if rng.random() < 0.5:
        data = data.rstrip(b"\n")  # the last line without its "\n"
    return data


def expected(data, field, max_line):
    out = []
    for line in jsonl_lines(data):
        text, bad = jsonl_record(line, field, max_line)
        if bad is not None:
            out.append("B " + bad)
        elif text is None:
            out.append("-")
        else:
            out.append("R " + text.encode("utf-8").hex())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the jsonl_dump binary")
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--lines", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    checked = 0
    with tempfile.TemporaryDirectory(prefix="fuzz-jsonl-") as tmp:
        for it in range(a.iterations):
            field = rng.choice(FIELDS)
            data = make_input(rng, field, a.lines)
            max_line = rng.choice([8 << 20, 8 << 20, 60, 200])
            read = rng.choice([1, 7, 64, 4096, 65536])
            path = os.path.join(tmp, "in.jsonl")
            with open(path, "wb") as f:
                f.write(data)
            p = subprocess.run([a.bin, "--field", field, "--read-bytes", str(read),
                                "--max-line", str(max_line), path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            want = expected(data, field, max_line)
            got = p.stdout.decode().splitlines() if p.returncode == 0 else None
            if got != want:
                keep = os.path.abspath("fuzz-jsonl-failure-%d.jsonl" % it)
                with open(keep, "wb") as f:
                    f.write(data)
                print("MISMATCH at iteration %d (field %s, read %d, max-line %d): input kept "
                      "in %s" % (it, field, read, max_line, keep))
                if got is None:
                    print("jsonl_dump exit %d: %s" % (p.returncode, p.stderr.decode()[-2000:]))
                else:
                    lines = jsonl_lines(data)
                    for i, (g, w) in enumerate(zip(got, want)):
                        if g != w:
                            print("line %d: %r\n  jsonl_dump: %s\n  reference:  %s"
                                  % (i + 1, lines[i][:300], g[:200], w[:200]))
                            break
                    else:
                        print("line counts differ: %d / %d" % (len(got), len(want)))
                return 1
            checked += len(want)
    print("OK: %d iterations, %d lines, all equal to the reference" % (a.iterations, checked))
    return 0


if __name__ == "__main__":
    sys.exit(main())
