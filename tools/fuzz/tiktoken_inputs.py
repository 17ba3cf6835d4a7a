"""Inputs for the differential tests of the cl100k and o200k scanners
against Python `regex` (tools/fuzz_scanner_vs_python.py --pattern): text
meant to reach every rule of both patterns.

adversarial_text() mixes, in short stretches:
  - characters of every general category (CATEGORY_SAMPLES), alone and in
    long runs of one category;
  - combining marks after letters, numbers, punctuation, spaces and other
    marks (o200k puts \\p{M} in both word classes; cl100k takes a mark for
    punctuation);
  - case runs: Lu, Lt, Ll, Lm, Lo in every order (o200k's words);
  - whitespace of every kind, with \\r and \\n mixed in every way, before
    words, numbers, punctuation and at the end;
  - decimal digits of every script (DIGIT_ZEROS), in runs of 1 to 10;
  - the contractions in every case, U+017F (long s, which `regex` matches
    for s) and near misses, after words and after punctuation;
  - punctuation runs before \\r, \\n and '/'.

The samples are code points assigned in Unicode 14 whose general category
is the same in Python 3.11's unicodedata (Unicode 14.0.0), in `regex`
2022.10.31 (Debian 12) and in `regex` 2026.5.9 (src/text/ tables): up to
24 per category, evenly spread over the code points that qualify. So the
expectations hold whichever of the two `regex` versions runs them;
check_samples() makes sure of it for the one that runs.
"""

import regex

# General category -> sample characters (see above).
CATEGORY_SAMPLES = {
    "Lu": (
        "\u0041\u0128\u01b7\u0389\u0417\u04cd\u054c\u13ba\u1ca0\u1e5c\u1efc"
        "\u2111\u2c69\ua65a\ua79c\U00010411\U00010582\U000118a7\U0001d414"
        "\U0001d4d0\U0001d576\U0001d611\U0001d6af\U0001d75e"),
    "Ll": (
        "\u0061\u0142\u020d\u028a\u03ed\u04ad\u057b\u1d12\u1e29\u1ed9\u1f87"
        "\u2c4d\u2d05\ua749\uab48\uabb1\U000104d8\U00010cd5\U00016e7f"
        "\U0001d4c8\U0001d58d\U0001d637\U0001d6ff\U0001d7ad"),
    "Lt": (
        "\u01c5\u01c8\u01cb\u01f2\u1f89\u1f8a\u1f8b\u1f8d\u1f8e\u1f8f\u1f98"
        "\u1f9a\u1f9b\u1f9c\u1f9e\u1f9f\u1fa8\u1fa9\u1fab\u1fac\u1fad\u1faf"
        "\u1fbc\u1fcc"),
    "Lm": (
        "\u02b0\u02bd\u02cf\u06e5\u1843\u1d32\u1d40\u1d4e\u1d5c\u1d6a\u1da7"
        "\u1db5\u2091\u2c7d\u30fe\ua719\ua9cf\U00010780\U0001078f\U0001079d"
        "\U000107ab\U000107ba\U00016f9c\U0001aff8"),
    "Lo": (
        "\u00aa\u399a\u4e94\u634d\u7807\u8cc0\ua17b\uba1a\uced4\U00010ea8"
        "\U000170ec\U000185a5\U00020860\U00021d1a\U000231d3\U0002468d"
        "\U00025b46\U00027000\U000284b9\U00029973\U0002ae4c\U0002c30f"
        "\U0002d7d6\U0002f8af"),
    "Mn": (
        "\u0300\u0351\u05bf\u0746\u08e1\u0ac3\u0e49\u0faf\u1885\u1b38\u1dcd"
        "\u2de0\ua927\ufe27\U00011100\U000114b6\U00011a33\U00011cb6\U0001cf25"
        "\U0001da18\U0001da84\U0001e947\U000e014d\U000e019e"),
    "Mc": (
        "\u0903\u09cb\u0b48\u0c41\u0d03\u0dda\u1062\u108f\u1925\u1a63\u1ba1"
        "\u1c2b\ua8bb\uaa2f\U00011000\U0001122d\U0001134b\U000114be\U000116af"
        "\U00011942\U00011d8a\U00016f5a\U00016f6c\U00016f7f"),
    "Me": (
        "\u0488\u0489\u1abe\u20dd\u20de\u20df\u20e0\u20e2\u20e3\u20e4\ua670"
        "\ua671\ua672"),
    "Nd": (
        "\u0030\u06f7\u09eb\u0b68\u0ce6\u0ded\u0f25\u17e2\u19d0\u1a97\u1c45"
        "\ua8d2\ua9f0\uabf7\U00010d35\U00011138\U00011450\U00011657\U000118e5"
        "\U00011d52\U00016ac0\U0001d7d5\U0001d7f1\U0001e2f2"),
    "Nl": (
        "\u16ee\u2166\u2170\u217a\u2186\u3027\ua6ea\U00010143\U0001014d"
        "\U00010157\U00010161\U0001016b\U00010341\U00012402\U0001240c"
        "\U00012416\U00012420\U0001242a\U00012434\U0001243d\U00012447"
        "\U00012451\U0001245b\U00012465"),
    "No": (
        "\u00b2\u0d72\u17f0\u2159\u247e\u24f1\u278c\u3258\ua834\U0001012a"
        "\U000102f6\U000108ff\U000109de\U00010a43\U00010baf\U00010e7e"
        "\U00011061\U00011c5b\U00011fd4\U0001d2e6\U0001d377\U0001ec8c"
        "\U0001ecb3\U0001ed24"),
    "Pc": (
        "\u005f\u203f\u2040\u2054\ufe33\ufe34\ufe4d\ufe4e\ufe4f\uff3f"),
    "Pd": (
        "\u002d\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015"
        "\u2e17\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58"
        "\ufe63\uff0d"),
    "Ps": (
        "\u0028\u0f3a\u201a\u207d\u2329\u276c\u2772\u27e8\u27ee\u2987\u298d"
        "\u2995\u29da\u2e24\u2e55\u2e5b\u300c\u3014\u301d\ufe35\ufe3b\ufe43"
        "\ufe5b\uff3b"),
    "Pe": (
        "\u0029\u0f3b\u2046\u2309\u2769\u2771\u27c6\u27eb\u2984\u298a\u2992"
        "\u2998\u29fd\u2e27\u2e58\u300b\u3011\u3019\u301f\ufe36\ufe3e\ufe44"
        "\ufe5c\uff3d"),
    "Pi": (
        "\u00ab\u2018\u201b\u201c\u201f\u2039\u2e02\u2e04\u2e09\u2e0c\u2e1c"
        "\u2e20"),
    "Pf": (
        "\u00bb\u2019\u201d\u203a\u2e03\u2e05\u2e0a\u2e0d\u2e1d\u2e21"),
    "Po": (
        "\u0021\u055d\u0703\u083b\u0f0c\u1363\u1808\u1b5f\u2017\u2047\u2cfe"
        "\u2e2c\u2e4a\ua6f6\ua9cb\ufe4a\uff0f\U00010a57\U00010f59\U000111c6"
        "\U000115c3\U00011661\U00011a43\U00012473"),
    "Sm": (
        "\u002b\u21ae\u2217\u223e\u2266\u228d\u22b5\u22dc\u239c\u25ff\u27f2"
        "\u2919\u2941\u2968\u29a6\u29cd\u29f9\u2a22\u2a4a\u2a71\u2a99\u2ac0"
        "\u2ae8\u2b3f"),
    "Sc": (
        "\u0024\u00a3\u058f\u07fe\u09f3\u0bf9\u17db\u20a2\u20a5\u20a7\u20aa"
        "\u20ac\u20af\u20b2\u20b4\u20b7\u20ba\u20bc\u20bf\ua838\uff04\uffe5"
        "\U00011fdd\U00011fe0"),
    "Sk": (
        "\u005e\u00b8\u02d2\u02d7\u02dc\u02e7\u02ed\u02f3\u02f8\u02fd\u0888"
        "\u1fcd\u1fdf\u1ffe\ua702\ua708\ua70d\ua712\ua720\uab6a\ufbb6\ufbbb"
        "\ufbc0\uffe3"),
    "So": (
        "\u00a6\u2326\u24c5\u25f0\u270c\u288c\u2bbd\u2f55\u3270\u339c"
        "\U00010185\U0001d039\U0001d158\U0001d80c\U0001d91f\U0001f014"
        "\U0001f152\U0001f35d\U0001f475\U0001f588\U0001f69c\U0001f7c6"
        "\U0001f95d\U0001fa84"),
    "Zs": (
        "\u0020\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
        "\u2008\u2009\u200a\u202f\u205f\u3000"),
    "Zl": (
        "\u2028"),
    "Zp": (
        "\u2029"),
    "Cc": (
        "\u0000\u0002\u0005\u0008\u000a\u000d\u0010\u0012\u0015\u0018\u001b"
        "\u001d\u007f\u0082\u0084\u0087\u008a\u008d\u008f\u0092\u0095\u0097"
        "\u009a\u009d"),
    "Cf": (
        "\u00ad\u0605\u180e\u202b\u2063\u206a\ufff9\U00013432\U0001bca0"
        "\U0001d176\U000e0020\U000e0027\U000e002e\U000e0035\U000e003c"
        "\U000e0042\U000e0049\U000e0050\U000e0057\U000e005e\U000e0064"
        "\U000e006b\U000e0072\U000e0079"),
    "Co": (
        "\ue000\uf65f\U000f13bf\U000f2a1f\U000f407f\U000f56df\U000f6d3f"
        "\U000f839e\U000f99fe\U000fb05e\U000fc6be\U000fdd1e\U000ff37e"
        "\U001009df\U0010203f\U0010369f\U00104cff\U0010635f\U001079bf"
        "\U0010901e\U0010a67e\U0010bcde\U0010d33e\U0010e99e"),
}

# The zero of every script's decimal digits (\\p{Nd}); its nine
# successors are the other digits.
DIGIT_ZEROS = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6,
    0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0,
    0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50,
    0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0,
    0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0,
    0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0,
    0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6,
    0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
]

# Every \\s character of the `regex` module.
SPACES = ("\t\n\x0b\x0c\r \x85\xa0\u1680" +
          "".join(chr(c) for c in range(0x2000, 0x200B)) +
          "\u2028\u2029\u202f\u205f\u3000")

CONTRACTIONS = ["'s", "'S", "'\u017f", "'t", "'T", "'d", "'D", "'m", "'M",
                "'ll", "'LL", "'lL", "'Ll", "'ve", "'VE", "'vE", "'Ve",
                "'re", "'RE", "'rE", "'Re",
                # near misses
                "'", "''", "'l", "'v", "'r", "'x", "'\u212a", "'\u0130",
                "\u2019s", "'\u017f\u017f", "'sa", "'lla", "'s'"]

LINE_BREAKS = ["\n", "\r", "\r\n", "\n\r", "\n\n", "\r\r\n", " \n",
               "\n ", " \n ", "\t\n", "\n\t", "  \r\n  ", "\n\u00a0",
               "\u2028", "\x0b\n", "\n\x0c"]


def check_samples():
  """Every sample has its recorded category under the `regex` that runs."""
  for cat, chars in CATEGORY_SAMPLES.items():
    for ch in chars:
      assert regex.fullmatch(r"\p{%s}" % cat, ch), (cat, hex(ord(ch)))
  for zero in DIGIT_ZEROS:
    for d in range(10):
      assert regex.fullmatch(r"\p{Nd}", chr(zero + d)), hex(zero + d)


def _digits(rng):
  zero = rng.choice(DIGIT_ZEROS + [0x30, 0x30, 0x30])
  return "".join(chr(zero + rng.randrange(10))
                 for _ in range(rng.choice([1, 2, 3, 4, 6, 7, 10])))


def _cat(rng, cats):
  return rng.choice(CATEGORY_SAMPLES[rng.choice(cats)])


def _piece(rng):
  """One stretch of adversarial text."""
  kind = rng.randrange(12)
  if kind == 0:  # any category, a few characters
    return "".join(_cat(rng, list(CATEGORY_SAMPLES)) for _ in range(rng.randint(1, 4)))
  if kind == 1:  # a long run of one category
    chars = CATEGORY_SAMPLES[rng.choice(list(CATEGORY_SAMPLES))]
    return "".join(rng.choice(chars) for _ in range(rng.choice([5, 20, 70])))
  if kind == 2:  # marks after something
    base = rng.choice(["a", "A", "1", "!", " ", "'", "\n", "", _cat(rng, ["Lo", "Lm", "Lt"])])
    return base + "".join(_cat(rng, ["Mn", "Mc", "Me"]) for _ in range(rng.randint(1, 3)))
  if kind == 3:  # case runs
    return "".join(_cat(rng, ["Lu", "Lu", "Ll", "Ll", "Lt", "Lm", "Lo"]) if rng.random() < 0.5
                   else rng.choice("aAzZsS") for _ in range(rng.randint(1, 8)))
  if kind == 4:  # whitespace
    return "".join(rng.choice(SPACES) if rng.random() < 0.4 else rng.choice(" \n\r\t")
                   for _ in range(rng.randint(1, 6)))
  if kind == 5:
    return rng.choice(LINE_BREAKS)
  if kind == 6:
    return _digits(rng)
  if kind == 7:  # a contraction after a word or punctuation
    before = rng.choice(["don", "DON", "It", "x", "\u00c9", "\u4e2d", "!", " ", "",
                         "a\u0301", "1"])
    return before + rng.choice(CONTRACTIONS)
  if kind == 8:  # punctuation runs before line breaks and '/'
    return ("".join(rng.choice("!?.,;:/()'\"-") for _ in range(rng.randint(1, 3))) +
            "".join(rng.choice(["\n", "\r", "/", "//", "\r\n"]) for _ in range(rng.randint(0, 3))))
  if kind == 9:  # plain words
    return rng.choice([" the", " The", "word", " HTTPServer", "camelCase", " naive",
                       " na\u00efve", " nai\u0308ve", " \u0439\u043e", " \u65e5\u672c"])
  if kind == 10:
    return rng.choice([" ", " ", "  ", "\t"])
  return _cat(rng, ["Po", "Ps", "Pe", "Sm", "So", "Sk", "Cf", "Cc", "Co", "Pd", "Pc"])


def adversarial_text(rng, size):
  """About `size` characters of adversarial text."""
  out = []
  n = 0
  while n < size:
    piece = _piece(rng)
    out.append(piece)
    n += len(piece)
  return "".join(out)
