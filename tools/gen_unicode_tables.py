#!/usr/bin/env python3
"""Generates the Unicode tables of src/text/, taken from the Python `regex`
module, which is the reference the counts must match (see docs/DESIGN.md):
  - src/text/unicode_tables.inc: the character classes that the GPT-2
    scanner needs (\\p{L}, \\p{N}, \\s);
  - src/text/general_category_tables.inc: the general category of every code
    point (\\p{Lu}, \\p{Ll}, \\p{M}, ... as o200k and user patterns use them);
  - src/text/o200k_class_tables.inc: for every code point, which of the
    o200k pattern's character classes hold it (src/text/o200k_classes.h).

It also checks what the cl100k and o200k scanners assume of case folding:
under `regex`'s case-insensitive matching, the contraction letters s, d, m,
t, l, v, r, e match themselves in both cases and nothing else, but for
U+017F (long s), which matches s (src/text/tiktoken_contraction.h).

Usage: python3 tools/gen_unicode_tables.py [--out src/text/unicode_tables.inc]
           [--category-out src/text/general_category_tables.inc]
           [--o200k-out src/text/o200k_class_tables.inc]

The output is committed; the build never runs Python. Re-run it only to move
to another `regex` version, and note the version change in the commit: the
classes of characters assigned in newer Unicode versions change with it.

Layout of each: a two-stage table. kCharClassStage1[cp >> 8] (resp.
kGeneralCategoryStage1) is the index of a 256-entry block in
kCharClassStage2 (kGeneralCategoryStage2); blocks are deduplicated, so the
many all-"other" planes cost one block.
"""

import argparse
import os
import sys

import regex

# Must stay equal to CharClass in src/text/char_class.h.
OTHER, LETTER, NUMBER, SPACE = 0, 1, 2, 3

MAX_CP = 0x10FFFF
BLOCK = 256

# The `regex` module's \s, as docs/DESIGN.md states it. Python's `re` differs (it
# adds U+001C..001F); the scanner must follow `regex`.
EXPECTED_SPACES = (
    list(range(0x09, 0x0E)) + [0x20, 0x85, 0xA0, 0x1680] +
    list(range(0x2000, 0x200B)) + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000])


def classify_all():
  """Returns a bytearray of the class of every code point 0..MAX_CP."""
  classes = bytearray(MAX_CP + 1)  # all OTHER; surrogates stay OTHER
  letter = regex.compile(r"\p{L}")
  number = regex.compile(r"\p{N}")
  space = regex.compile(r"\s")
  for cp in range(MAX_CP + 1):
    if 0xD800 <= cp <= 0xDFFF:
      continue
    ch = chr(cp)
    is_letter = letter.match(ch) is not None
    is_number = number.match(ch) is not None
    is_space = space.match(ch) is not None
    # The scanner relies on the classes being disjoint.
    assert is_letter + is_number + is_space <= 1, hex(cp)
    if is_letter:
      classes[cp] = LETTER
    elif is_number:
      classes[cp] = NUMBER
    elif is_space:
      classes[cp] = SPACE
  spaces = [cp for cp in range(MAX_CP + 1) if classes[cp] == SPACE]
  assert spaces == EXPECTED_SPACES, [hex(cp) for cp in spaces]
  return classes


# Must stay in the order of GeneralCategory in src/text/general_category.h:
# the value of a category is its index here. Cn (unassigned) is 0.
CATEGORIES = ("Cn Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po "
              "Sm Sc Sk So Zs Zl Zp Cc Cf Cs Co").split()


def categorize_all():
  """Returns a bytearray of the general category of every code point."""
  # One string of every code point (surrogates included: a Python str may
  # hold them, and `regex` gives them Cs), searched once per category.
  everything = "".join(chr(cp) for cp in range(MAX_CP + 1))
  categories = bytearray(MAX_CP + 1)
  seen = bytearray(MAX_CP + 1)
  for value, name in enumerate(CATEGORIES):
    for m in regex.finditer(r"\p{%s}" % name, everything):
      cp = ord(m.group())
      assert not seen[cp], "%s in two categories" % hex(cp)
      seen[cp] = 1
      categories[cp] = value
  assert all(seen), "a code point in no category"
  return categories


def check_consistent(classes, categories):
  """The one-letter classes of unicode_tables.inc are unions of categories:
  Re2Pretokenizer may use either table for them."""
  letter = {CATEGORIES.index(c) for c in ("Lu", "Ll", "Lt", "Lm", "Lo")}
  number = {CATEGORIES.index(c) for c in ("Nd", "Nl", "No")}
  for cp in range(MAX_CP + 1):
    assert (classes[cp] == LETTER) == (categories[cp] in letter), hex(cp)
    assert (classes[cp] == NUMBER) == (categories[cp] in number), hex(cp)


# Bits of src/text/o200k_classes.h, one per character class that the o200k
# pattern names; a code point's value is the set of those that hold it.
# Keep both in step.
O200K_CLASSES = (
    (1, r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]"),  # kO200kUpper: a word's head
    (2, r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]"),        # kO200kLower: a word's tail
    (4, r"\p{N}"),                            # kO200kNumber
    (8, r"\s"),                               # kO200kSpace
    (16, r"[^\s\p{L}\p{N}]"),                 # kO200kOther: a punctuation run
    (32, r"[^\r\n\p{L}\p{N}]"),               # kO200kPrefix: before a word
)
# The only sets that occur, and what the scanner takes them for:
O200K_SETS = {
    1: "Lu, Lt",
    2: "Ll",
    1 | 2: "Lm, Lo",
    1 | 2 | 16 | 32: "M (a mark is in both word classes and a punctuation run)",
    4: "N",
    8 | 32: "\\s but \\r and \\n",
    8: "\\r, \\n",
    16 | 32: "anything else",
}


def o200k_classify_all(categories):
  """Returns a bytearray of the o200k class bits of every code point."""
  everything = "".join(chr(cp) for cp in range(MAX_CP + 1))
  bits = bytearray(MAX_CP + 1)
  for bit, cls in O200K_CLASSES:
    for m in regex.finditer(cls, everything):
      bits[ord(m.group())] |= bit
  mark = {CATEGORIES.index(c) for c in ("Mn", "Mc", "Me")}
  for cp in range(MAX_CP + 1):
    assert bits[cp] in O200K_SETS, (hex(cp), bits[cp])
    assert (bits[cp] == 1 | 2 | 16 | 32) == (categories[cp] in mark), hex(cp)
  return bits


# The letters of the tiktoken contractions and what `regex` matches with
# each under (?i): itself in both cases, and U+017F for s.
CONTRACTION_FOLDS = {c: {c, c.upper()} for c in "sdmtlvre"}
CONTRACTION_FOLDS["s"].add("\u017f")


def check_contraction_folding():
  for letter, expected in CONTRACTION_FOLDS.items():
    pattern = regex.compile("(?i:%s)" % letter)
    found = {chr(cp) for cp in range(MAX_CP + 1)
             if not 0xD800 <= cp <= 0xDFFF and pattern.fullmatch(chr(cp))}
    assert found == expected, (letter, sorted(found))
    # Full case folding (the f flag, off in VERSION0) would not add a
    # single character either.
    pattern = regex.compile("(?fi:%s)" % letter)
    found = {chr(cp) for cp in range(MAX_CP + 1)
             if not 0xD800 <= cp <= 0xDFFF and pattern.fullmatch(chr(cp))}
    assert found == expected, (letter, sorted(found))


def build_tables(classes):
  stage1 = []
  blocks = []
  index_of = {}
  for start in range(0, MAX_CP + 1, BLOCK):
    block = bytes(classes[start:start + BLOCK])
    if block not in index_of:
      index_of[block] = len(blocks)
      blocks.append(block)
    stage1.append(index_of[block])
  assert len(blocks) <= 256, "stage1 entries are uint8_t"
  return stage1, blocks


def format_array(values, per_line):
  lines = []
  for i in range(0, len(values), per_line):
    lines.append("    " + ",".join(str(v) for v in values[i:i + per_line]) +
                 ",")
  return "\n".join(lines)


def source():
  return "regex %s, Python %s" % (regex.__version__, sys.version.split()[0])


def header():
  return [
      "// GENERATED by tools/gen_unicode_tables.py. DO NOT EDIT.",
      "// Source: Python `regex` module %s." % source().replace("regex ", ""),
      "//",
  ]


def render(stage1, blocks):
  stage2 = [v for block in blocks for v in block]
  out = header()
  out.append("// Class of every code point under the `regex` module: 1 = \\p{L},")
  out.append("// 2 = \\p{N}, 3 = \\s, 0 = anything else (surrogates, unassigned).")
  out.append("// class(cp) = kCharClassStage2[kCharClassStage1[cp >> 8] * 256 +")
  out.append("//                              (cp & 0xFF)]")
  out.append("// %d distinct blocks of %d." % (len(blocks), BLOCK))
  out.append("")
  out.append('constexpr char kUnicodeTablesSource[] = "%s";' % source())
  out.append("")
  out.append("constexpr uint8_t kCharClassStage1[%d] = {" % len(stage1))
  out.append(format_array(stage1, 32))
  out.append("};")
  out.append("")
  out.append("constexpr uint8_t kCharClassStage2[%d] = {" % len(stage2))
  out.append(format_array(stage2, 64))
  out.append("};")
  out.append("")
  return "\n".join(out)


def render_categories(stage1, blocks):
  stage2 = [v for block in blocks for v in block]
  out = header()
  out.append("// General category of every code point under the `regex`")
  out.append("// module; the value is the index in this list (0 = Cn,")
  out.append("// unassigned):")
  for i in range(0, len(CATEGORIES), 15):
    out.append("//   " + " ".join(CATEGORIES[i:i + 15]))
  out.append("// category(cp) = kGeneralCategoryStage2[")
  out.append("//     kGeneralCategoryStage1[cp >> 8] * 256 + (cp & 0xFF)]")
  out.append("// %d distinct blocks of %d." % (len(blocks), BLOCK))
  out.append("")
  out.append('constexpr char kGeneralCategorySource[] = "%s";' % source())
  out.append("")
  out.append("constexpr uint8_t kGeneralCategoryStage1[%d] = {" % len(stage1))
  out.append(format_array(stage1, 32))
  out.append("};")
  out.append("")
  out.append("constexpr uint8_t kGeneralCategoryStage2[%d] = {" % len(stage2))
  out.append(format_array(stage2, 64))
  out.append("};")
  out.append("")
  return "\n".join(out)


def render_o200k(stage1, blocks):
  stage2 = [v for block in blocks for v in block]
  out = header()
  out.append("// Which of the o200k pattern's character classes hold every code")
  out.append("// point under the `regex` module, one bit each:")
  for bit, cls in O200K_CLASSES:
    out.append("//   %2d  %s" % (bit, cls))
  out.append("// The sets that occur:")
  for value in sorted(O200K_SETS):
    out.append("//   %2d  %s" % (value, O200K_SETS[value]))
  out.append("// bits(cp) = kO200kClassStage2[kO200kClassStage1[cp >> 8] * 256 +")
  out.append("//                              (cp & 0xFF)]")
  out.append("// %d distinct blocks of %d." % (len(blocks), BLOCK))
  out.append("")
  out.append('constexpr char kO200kClassSource[] = "%s";' % source())
  out.append("")
  out.append("constexpr uint8_t kO200kClassStage1[%d] = {" % len(stage1))
  out.append(format_array(stage1, 32))
  out.append("};")
  out.append("")
  out.append("constexpr uint8_t kO200kClassStage2[%d] = {" % len(stage2))
  out.append(format_array(stage2, 64))
  out.append("};")
  out.append("")
  return "\n".join(out)


def write(path, text, blocks):
  with open(path, "w", encoding="ascii", newline="\n") as f:
    f.write(text)
  print("wrote %s: %d blocks" % (path, len(blocks)))


def main():
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument(
      "--out", default=os.path.join(root, "src", "text", "unicode_tables.inc"))
  parser.add_argument(
      "--category-out",
      default=os.path.join(root, "src", "text", "general_category_tables.inc"))
  parser.add_argument(
      "--o200k-out",
      default=os.path.join(root, "src", "text", "o200k_class_tables.inc"))
  args = parser.parse_args()
  check_contraction_folding()
  classes = classify_all()
  categories = categorize_all()
  check_consistent(classes, categories)
  stage1, blocks = build_tables(classes)
  assert len(stage1) == (MAX_CP + 1) // BLOCK
  write(args.out, render(stage1, blocks), blocks)
  stage1, blocks = build_tables(categories)
  write(args.category_out, render_categories(stage1, blocks), blocks)
  stage1, blocks = build_tables(o200k_classify_all(categories))
  write(args.o200k_out, render_o200k(stage1, blocks), blocks)


if __name__ == "__main__":
  main()
