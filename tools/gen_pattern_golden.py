#!/usr/bin/env python3
"""Writes data/golden/{cl100k,o200k}_tokens.txt: the pretokens of tricky
strings under tiktoken's cl100k_base and o200k_base patterns, as the Python
`regex` module gives them, for tests/text/pattern_golden_test.cc.

Usage: python3 tools/gen_pattern_golden.py [--out-dir DIR] [--cases N]
           [--seed S] [--max-len L]

Format: as data/golden/gpt2_tokens.txt (tools/gen_scanner_golden.py): '#'
lines are comments (one gives the pattern's UTF-8 as hex, for the test to
check it is src/text/pattern.h's); every other line is one case, the
input's UTF-8 as hex ("-" if empty), then one tab-separated hex field per
token.

Both files hold the same inputs. The alphabet holds only characters
assigned in Unicode 14 or earlier whose general category has not changed
since, so the expectations hold for Debian 12's python3-regex 2022.10.31 as
well as for newer `regex` versions (docs/DESIGN.md). random_text() is shared with
by-hand fuzzing against the C++ pretokenizer.
"""

import argparse
import os
import random
import sys
import unicodedata

import regex

# Verbatim as tiktoken (tiktoken_ext/openai_public.py) and src/text/pattern.h.
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+"""
    r"""| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
O200K_PATTERN = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*"""
    r"""[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+"""
    r"""[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
])
# What src/text/pattern.cc gives RE2 for cl100k: no possessives, `$` as \Z.
# Checked here to give the same tokens on every case.
CL100K_RE2_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"""
    r"""| ?[^\s\p{L}\p{N}]+[\r\n]*|\s+\Z|\s*[\r\n]|\s+(?!\S)|\s""")

PATTERNS = {"cl100k": CL100K_PATTERN, "o200k": O200K_PATTERN}

SPACES = ("\t\n\x0b\x0c\r \x85\xa0\u1680" +
          "".join(chr(c) for c in range(0x2000, 0x200B)) +
          "\u2028\u2029\u202f\u205f\u3000")

# (weight, pieces). A piece is drawn whole; most are one character.
GROUPS = [
    (14, list("   ")),
    (6, ["\n", "\r", "\t", "\r\n", "\n\n"]),
    (4, list(SPACES)),
    (10, list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")),
    # Contractions: apostrophes and the letters after them, both cases;
    # U+017F (long s) and U+212A (Kelvin sign) fold to s and k.
    (8, list("''''") + ["'s", "'S", "'ll", "'LL", "'Ve", "'rE", "'d", "'M",
                        "'t", "'T", "\u2019"]),
    (6, list("sStTdDmMlLvVrReE\u017f\u212a")),
    (5, list("0123456789") + ["1234567", "42"]),
    (6, list("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~") + ["/", "//", "://"]),
    # Controls that are not \s, NUL, zero-width and format characters.
    (2, list("\x00\x1c\x1f\x7f\u200b\u200d\ufeff\u2060")),
    # Uppercase (Lu), including Turkish dotted I and the Ohm sign.
    (5, list("\u00c0\u00c9\u00d6\u00de\u0132\u0152\u03a3\u03a9\u0416\u042f"
             "\u0531\u0130\u2126\u1e9e")),
    # Lowercase (Ll), including dotless i and sharp s.
    (5, list("\u00e0\u00e9\u00f6\u00fe\u0133\u0153\u03c3\u03c9\u0436\u044f"
             "\u0561\u0131\u00df\u0390")),
    # Titlecase (Lt): Dz, Lj, Nj digraphs, Greek with prosgegrammeni.
    (3, list("\u01c5\u01c8\u01cb\u01f2\u1f88\u1fbc\u1ffc")),
    # Modifier letters (Lm), other letters (Lo: CJK, kana, Hangul, Hebrew,
    # Arabic, Devanagari, Thai, ordinal indicators), a non-BMP letter.
    (6, list("\u02b0\u02c7\u1d43\u30fc\u3005\u00aa\u00ba\u4e2d\u6587\u3042"
             "\u30a2\ud55c\u05d0\u05e9\u0639\u0631\u0928\u092e\u0e01"
             "\U00010400")),
    # Marks: Mn (acute, diaeresis, virama, fatha, combining grave), Mc
    # (Devanagari aa, visarga), Me (enclosing circle, keycap, hundred
    # thousands sign).
    (4, list("\u0301\u0308\u094d\u064e\u0300\u093e\u0903\u20dd\u20e3"
             "\u0488")),
    # Numbers beyond ASCII: Arabic-Indic, Devanagari, fullwidth, circled,
    # superscripts, fractions, Roman numerals, a non-BMP digit.
    (4, list("\u0663\u0664\u0969\u096a\uff13\u2460\u00b2\u00b3\u00bd\u2167"
             "\u2177\U0001d7d8")),
    # Symbols and emoji (skin tone, variation selector, regional
    # indicators), U+FFFD.
    (4, list("\u20ac\u00a9\u2014\u201c\u201d\u2026\U0001f600\U0001f44d"
             "\U0001f3fd\u2764\ufe0f\U0001f1eb\U0001f1f7\ufffd")),
]

HANDWRITTEN = [
    "", " ", "  ", "a", "'", "\n", "\r\n", "\x00", "\ufffd",
    # Whitespace at the end of the text (cl100k's \s++$) and before words.
    "a ", "a  ", "a \n", "a\n", "a\n\n", "a \n ", "  \n  ", "x\t\t", "\n\nfoo",
    "a  b", "a \n b", "x\t\ty", "  foo", "a\u00a0\u00a0b", "a \u3000b",
    # Punctuation absorbing newlines (and o200k also '/').
    "!\n", "!!\r\n", "?\n\n/", "/\n/", "x/\ny", "a/b", "http://x.y/z\n",
    ". \n", "a\r\nb", "a.\r\n\r\nb",
    # Contractions, cased every way, and near-misses.
    "it's", "IT'S", "It'S", "they'll", "THEY'LL", "we've", "WE'VE",
    "you're", "YOU'RE", "I'd", "I'D", "I'm", "I'M", "don't", "DON'T",
    "'s", " 's", "?'s", "''s", "'ll'", "'l", "'S", "'sa", "a's", "a'S",
    "x'\u017f", "X'\u017f", "x'\u212a", "don\u2019t", "rock'n'roll",
    # Case runs (o200k splits camelCase, keeps an upper run before lower).
    "HelloWorld", "camelCaseWord", "HTTPServer", "ABCdef", "abcDEF",
    "\u01c5emal", "\u1f88\u03b9", "\u00c9COLE \u00e9cole", "ÜBER über",
    "I\u0307stanbul", "\u0130stanbul", "d\u0131\u015f",
    # Marks alone, after letters, as a word prefix.
    "nai\u0308ve", "e\u0301t\u00e9", " \u0301a", "!\u0301x", "\u0301\u0301",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    # Numbers in threes.
    "1", "12", "123", "1234", "1234567", "x1234y", " 12ab", "ab12",
    "1,234.56", "\u0663\u0664\u0665\u0666", "\u00b2\u00b3\u00b9\u00bd",
    # Prefixes of words.
    "(word)", "\"quoted\"", "$x", " $x", "@home", "#tag", "_x", "-x",
    "\x00x", "\ufeffword",
    "\u043f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440",
    "\u4e2d\u6587 \u5b57", "\U0001f44d\U0001f3fd ok", " \U0001f600\U0001f600",
]


def tokens(pattern, text):
  return [m.group() for m in regex.finditer(pattern, text)]


def check_alphabet():
  """Keeps out characters assigned after Unicode 14 (and unassigned ones,
  which a later Unicode may assign), and checks that `regex` agrees with
  Python's Unicode 14 unicodedata on each character's category."""
  if unicodedata.unidata_version != "14.0.0":
    print("note: unicodedata is %s; the Unicode 14 check is approximate" %
          unicodedata.unidata_version, file=sys.stderr)
  chars = set("".join(p for _, pieces in GROUPS for p in pieces))
  chars |= set("".join(HANDWRITTEN))
  for ch in sorted(chars):
    cat = unicodedata.category(ch)
    assert cat != "Cn", "unassigned: %r" % ch
    assert regex.fullmatch(r"\p{%s}" % cat, ch), "category of %r" % ch


def random_text(rng, max_len):
  """A random string of up to max_len pieces. Some strings draw from few
  groups, so long runs of one class occur."""
  weights = [w for w, _ in GROUPS]
  n = rng.randint(0, max_len)
  groups = rng.choices(GROUPS, weights=weights, k=rng.choice([2, 3, 5, 20]))
  return "".join(rng.choice(rng.choice(groups)[1]) for _ in range(n))


def hex_or_dash(s):
  return s.encode("utf-8").hex() or "-"


def main():
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--out-dir", default=os.path.join(root, "data", "golden"))
  parser.add_argument("--cases", type=int, default=4000)
  parser.add_argument("--seed", type=int, default=20260510)
  parser.add_argument("--max-len", type=int, default=30)
  args = parser.parse_args()
  check_alphabet()
  rng = random.Random(args.seed)
  cases = list(HANDWRITTEN)
  while len(cases) < args.cases:
    cases.append(random_text(rng, args.max_len))
  for text in cases:
    assert tokens(CL100K_PATTERN, text) == tokens(CL100K_RE2_PATTERN, text), (
        repr(text))
  for name, pattern in PATTERNS.items():
    path = os.path.join(args.out_dir, "%s_tokens.txt" % name)
    with open(path, "w", encoding="ascii", newline="\n") as f:
      f.write("# GENERATED by tools/gen_pattern_golden.py. DO NOT EDIT.\n")
      f.write("# %s pretokens from Python `regex` %s, Python %s.\n" %
              (name, regex.__version__, sys.version.split()[0]))
      f.write("# pattern (hex): %s\n" % hex_or_dash(pattern))
      f.write("# One case a line: hex(input) or '-', then TAB hex(token) ...\n")
      for text in cases:
        toks = tokens(pattern, text)
        assert "".join(toks) == text, (name, repr(text))
        f.write("\t".join([hex_or_dash(text)] + [hex_or_dash(t) for t in toks]))
        f.write("\n")
    print("wrote %s: %d cases, %d bytes" %
          (path, len(cases), os.path.getsize(path)))


if __name__ == "__main__":
  main()
