#!/usr/bin/env python3
"""Differential fuzzer: the C++ GPT-2 scanner (through tools/scan_dump.cc)
against Python `regex` on random text, random bytes and given files.

Usage:
  python3 tools/fuzz_scanner_vs_python.py --bin build/scan_dump \\
      [--iterations 200] [--size 200000] [--seed 1] [FILE ...]

Each iteration writes one random input, runs `scan_dump --replace` on it
(sometimes with --cut-every, which scans it in pieces cut at safe cuts) and
compares the tokens with
  regex.finditer(GPT2_PATTERN, data.decode("utf-8", errors="replace")).
Inputs are text from the golden alphabet, the same with invalid UTF-8 bytes
and truncated sequences mixed in, or raw random bytes. FILEs, if given, are
checked once each, whole and cut. Exits 1 on the first mismatch and keeps the
input that caused it.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile

import regex

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_scanner_golden import GPT2_PATTERN, random_text  # noqa: E402

# Bytes that start or continue ill-formed sequences: stray continuations,
# overlong leads, surrogate and out-of-range prefixes, F5..FF.
BAD_BYTES = [b"\x80", b"\xbf", b"\xc0", b"\xc1", b"\xc2", b"\xe0\x80",
             b"\xe2\x82", b"\xed\xa0\x80", b"\xf0\x9f\x98", b"\xf4\x90",
             b"\xf5", b"\xff", b"\xe0\xa0", b"\xf0\x80\x80\x80"]


# Mostly ASCII, for the scanner's 64-byte block path: the contraction
# letters in both cases, apostrophes, every ASCII space and the 0x1C..0x1F
# that are not spaces, with characters that are not ASCII mixed in at
# several densities: letters, numbers and others of 2 to 4 bytes, which the
# block path classifies (and carries across a block's end), a combining
# mark, and spaces, which make it leave the block to the scalar scanner.
ASCII_GROUPS = [
    (30, "abcxyzABCXYZsdmtlverSDMTLVER"),
    (20, " "),
    (6, "'"),
    (6, "\t\n\r\x0b\x0c"),
    (2, "\x1c\x1d\x1e\x1f\x00"),
    (8, "0123456789"),
    (8, ".,;:!?-_()[]\"#$%&*+/<=>@^`{|}~\\"),
]
RARE = ("\u00e9\u00a0\u0085\u3000\u2028\U0001F600\u0663\u00b2\u0301\ufffd"
        "\u4e2d\u0416\u2014\u201c\U0001D400\U0001D7CE\u2160")


def ascii_text(rng, size):
  weights = [w for w, _ in ASCII_GROUPS]
  rare = rng.choice([0.0, 0.0005, 0.01, 0.05, 0.2])
  out = []
  while len(out) < size:
    if rng.random() < rare:
      out.append(rng.choice(RARE))
    else:
      group = rng.choices(ASCII_GROUPS, weights=weights)[0][1]
      out.append(rng.choice(group) * rng.choice([1, 1, 1, 2, 3, 9]))
  return "".join(out)


def random_input(rng, size):
  kind = rng.choice(["text", "text", "dirty", "bytes", "ascii", "ascii"])
  if kind == "ascii":
    return kind, ascii_text(rng, size // 2).encode("utf-8")
  if kind == "bytes":
    return kind, bytes(rng.getrandbits(8) for _ in range(size // 8))
  parts = []
  total = 0
  while total < size:
    piece = random_text(rng, 60).encode("utf-8")
    if kind == "dirty" and rng.random() < 0.3:
      cut = rng.randint(0, len(piece))
      piece = piece[:cut] + rng.choice(BAD_BYTES) + piece[cut:]
    parts.append(piece)
    total += len(piece)
  return kind, b"".join(parts)


def python_tokens(data):
  text = data.decode("utf-8", errors="replace")
  return [m.group().encode("utf-8") for m in regex.finditer(GPT2_PATTERN, text)]


def cpp_tokens(binary, path, cut_every):
  cmd = [binary, "--replace", path]
  if cut_every:
    cmd[1:1] = ["--cut-every", str(cut_every)]
  out = subprocess.run(cmd, check=True, capture_output=True).stdout
  return [bytes.fromhex(line) for line in out.decode("ascii").splitlines()]


def compare(binary, path, data, cut_every, label):
  want = python_tokens(data)
  got = cpp_tokens(binary, path, cut_every)
  if got == want:
    return True
  i = next((k for k, (a, b) in enumerate(zip(got, want)) if a != b),
           min(len(got), len(want)))
  print("MISMATCH %s (cut_every=%s) at token %d" % (label, cut_every, i))
  print("  context : %r" % want[max(0, i - 3):i])
  print("  python  : %r" % want[i:i + 4])
  print("  scanner : %r" % got[i:i + 4])
  return False


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--bin", required=True, help="path to scan_dump")
  parser.add_argument("--iterations", type=int, default=200)
  parser.add_argument("--size", type=int, default=200000)
  parser.add_argument("--seed", type=int, default=1)
  parser.add_argument("files", nargs="*")
  args = parser.parse_args()

  for path in args.files:
    with open(path, "rb") as f:
      data = f.read()
    for cut_every in (0, 4096, 7):
      if not compare(args.bin, path, data, cut_every, path):
        return 1
    print("ok %s" % path)

  rng = random.Random(args.seed)
  with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "input.bin")
    for it in range(args.iterations):
      kind, data = random_input(rng, args.size)
      with open(path, "wb") as f:
        f.write(data)
      cut_every = rng.choice([0, 0, 1, 13, 1000])
      if not compare(args.bin, path, data, cut_every,
                     "iteration %d (%s)" % (it, kind)):
        kept = os.path.abspath("fuzz_failure_%d.bin" % it)
        with open(kept, "wb") as f:
          f.write(data)
        print("input kept in %s" % kept)
        return 1
  print("ok: %d random inputs of ~%d bytes (seed %d)" %
        (args.iterations, args.size, args.seed))
  return 0


if __name__ == "__main__":
  sys.exit(main())
