#!/usr/bin/env python3
"""Differential fuzzer: the C++ scanners (through tools/scan_dump.cc)
against Python `regex` on random text, random bytes and given files.

Usage:
  python3 tools/fuzz_scanner_vs_python.py --bin build/scan_dump \\
      [--pattern gpt2|cl100k|o200k] [--re2] [--iterations 200]
      [--size 200000] [--seed 1] [FILE ...]

Each iteration writes one random input, runs `scan_dump --pattern P
--replace` on it (sometimes with --cut-every, which scans it in pieces cut
at the pattern's safe cuts) and compares the tokens with
  regex.finditer(PATTERN, data.decode("utf-8", errors="replace"))
for the pattern P (default gpt2) as tiktoken defines it. Inputs are text
from the golden alphabet, the same with invalid UTF-8 bytes and truncated
sequences mixed in, raw random bytes, or mostly ASCII (for the 64-byte
block paths); for cl100k and o200k also adversarial text
(tools/fuzz/tiktoken_inputs.py: every general category, marks, case runs,
line breaks, digits of every script, contractions with case folding).
--re2 checks the RE2 path of cl100k or o200k instead of its scanner. FILEs,
if given, are checked once each, whole and cut. Exits 1 on the first
mismatch and keeps the input that caused it.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import unicodedata

import regex

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "fuzz"))
import gen_pattern_golden  # noqa: E402
import tiktoken_inputs  # noqa: E402
from gen_scanner_golden import GPT2_PATTERN, random_text  # noqa: E402

PATTERNS = {"gpt2": GPT2_PATTERN,
            "cl100k": gen_pattern_golden.CL100K_PATTERN,
            "o200k": gen_pattern_golden.O200K_PATTERN}

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
# For cl100k and o200k also: case classes (Lu, Lt, Lm, Lo beside é, Ж),
# long s, more marks, '/' and curly quotes, which their block paths treat
# apart.
RARE_TIKTOKEN = RARE + ("\u00c9\u01c5\u02b0\u3042\u017f\u0308\u094d\u20dd"
                        "\u2019\u00bd\ufe0f\u0130\u0131/")


def ascii_text(rng, size, rare_chars=RARE):
  weights = [w for w, _ in ASCII_GROUPS]
  rare = rng.choice([0.0, 0.0005, 0.01, 0.05, 0.2])
  out = []
  while len(out) < size:
    if rng.random() < rare:
      out.append(rng.choice(rare_chars))
    else:
      group = rng.choices(ASCII_GROUPS, weights=weights)[0][1]
      out.append(rng.choice(group) * rng.choice([1, 1, 1, 2, 3, 9]))
  return "".join(out)


# Code points assigned in Unicode 14 whose general category differs between
# regex 2022.10.31 (Debian 12) and 2026.5.9 (the src/text/ tables).
CHANGED_SINCE_14 = {0x295, 0x1171E}


def stable_bytes(data):
  """data with every well-formed character that Python 3.11's Unicode 14
  does not assign, or whose category changed since (see CHANGED_SINCE_14),
  replaced by '?': random bytes decode to such characters at times, which
  the two `regex` versions, and the C++ tables, class differently.
  Ill-formed bytes are kept as they are."""
  text = data.decode("utf-8", errors="surrogateescape")
  out = []
  for ch in text:
    cp = ord(ch)
    if 0xDC80 <= cp <= 0xDCFF:
      out.append(ch)  # an ill-formed byte, escaped
    elif unicodedata.category(ch) == "Cn" or cp in CHANGED_SINCE_14:
      out.append("?")
    else:
      out.append(ch)
  return "".join(out).encode("utf-8", errors="surrogateescape")


def random_input(rng, size):
  kind = rng.choice(["text", "text", "dirty", "bytes", "ascii", "ascii"])
  if kind == "ascii":
    return kind, ascii_text(rng, size // 2).encode("utf-8")
  if kind == "bytes":
    return kind, stable_bytes(bytes(rng.getrandbits(8) for _ in range(size // 8)))
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


def tiktoken_input(rng, size):
  """An input for cl100k or o200k: as random_input(), or adversarial."""
  kind = rng.choice(["text", "adversarial", "adversarial", "dirty", "bytes",
                     "ascii", "ascii"])
  if kind == "ascii":
    return kind, ascii_text(rng, size // 2, RARE_TIKTOKEN).encode("utf-8")
  if kind == "bytes":
    return kind, stable_bytes(bytes(rng.getrandbits(8) for _ in range(size // 8)))
  if kind == "adversarial":
    return kind, tiktoken_inputs.adversarial_text(rng, size // 3).encode("utf-8")
  parts = []
  total = 0
  while total < size:
    piece = gen_pattern_golden.random_text(rng, 40).encode("utf-8")
    if kind == "dirty" and rng.random() < 0.3:
      cut = rng.randint(0, len(piece))
      piece = piece[:cut] + rng.choice(BAD_BYTES) + piece[cut:]
    parts.append(piece)
    total += len(piece)
  return kind, b"".join(parts)


def python_tokens(pattern, data):
  text = data.decode("utf-8", errors="replace")
  return [m.group().encode("utf-8") for m in regex.finditer(pattern, text)]


def cpp_tokens(args, path, cut_every):
  cmd = [args.bin, "--pattern", args.pattern, "--replace", path]
  if args.re2:
    cmd[1:1] = ["--re2"]
  if cut_every:
    cmd[1:1] = ["--cut-every", str(cut_every)]
  out = subprocess.run(cmd, check=True, capture_output=True).stdout
  return [bytes.fromhex(line) for line in out.decode("ascii").splitlines()]


def compare(args, path, data, cut_every, label):
  want = python_tokens(PATTERNS[args.pattern], data)
  got = cpp_tokens(args, path, cut_every)
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
  parser.add_argument("--pattern", choices=sorted(PATTERNS), default="gpt2")
  parser.add_argument("--re2", action="store_true",
                      help="check the RE2 path of cl100k or o200k")
  parser.add_argument("--iterations", type=int, default=200)
  parser.add_argument("--size", type=int, default=200000)
  parser.add_argument("--seed", type=int, default=1)
  parser.add_argument("files", nargs="*")
  args = parser.parse_args()
  if args.re2 and args.pattern == "gpt2":
    parser.error("--re2 needs --pattern cl100k or o200k")
  if args.pattern != "gpt2":
    tiktoken_inputs.check_samples()
  make_input = random_input if args.pattern == "gpt2" else tiktoken_input

  for path in args.files:
    with open(path, "rb") as f:
      data = f.read()
    for cut_every in (0, 4096, 7):
      if not compare(args, path, data, cut_every, path):
        return 1
    print("ok %s" % path)

  rng = random.Random(args.seed)
  with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "input.bin")
    for it in range(args.iterations):
      kind, data = make_input(rng, args.size)
      with open(path, "wb") as f:
        f.write(data)
      cut_every = rng.choice([0, 0, 1, 13, 1000])
      if not compare(args, path, data, cut_every,
                     "iteration %d (%s)" % (it, kind)):
        kept = os.path.abspath("fuzz_failure_%d.bin" % it)
        with open(kept, "wb") as f:
          f.write(data)
        print("input kept in %s" % kept)
        return 1
  print("ok: %s%s, %d random inputs of ~%d bytes (seed %d)" %
        (args.pattern, " (RE2 path)" if args.re2 else "", args.iterations,
         args.size, args.seed))
  return 0


if __name__ == "__main__":
  sys.exit(main())
