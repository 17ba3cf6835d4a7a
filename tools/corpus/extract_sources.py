#!/usr/bin/python3
"""Rebuilds tools/corpus/sources/*.txt.xz from installed Debian 12 packages.

make-corpus reads only the stored files, never the packages, so that its
output does not depend on what a machine has installed. This script is how
the stored files were made; run it again (as root, once) with:

    apt-get install --no-install-recommends fortunes fortunes-min \
        fortunes-de fortunes-ru fortunes-zh fortunes-es fortunes-it \
        fortunes-pl fortunes-cs fortunes-bg fortunes-br bible-kjv \
        bible-kjv-text jargon-text debian-handbook libpython3.11-stdlib
    /usr/bin/python3 tools/corpus/extract_sources.py [--out DIR]

With the package versions listed in sources/SOURCES.md it writes the same
bytes (the xz encoder of Python 3.11's lzma, preset 9e).

Every source file is UTF-8 text whose records (a fortune, a Bible chapter,
a Jargon entry, a handbook paragraph or <pre> block, a Python top-level
block) are separated by NUL bytes. Each source is cut to a byte budget by
keeping an evenly spread subset of its records, so the whole of sources/
stays under ~5 MB. Two derived files are built from the others:

  lexicon.txt.xz  per language, the words of 3+ letters of that language's
                  sources, most frequent first (one record per language:
                  "lang\\n" then one word a line); make-corpus recombines
                  them into new words.
  simple-en.txt.xz English sentences from the fortunes and the Jargon File
                  made only of the 4000 most frequent English words, for
                  the stories kind.
"""
import argparse
import collections
import glob
import html.parser
import lzma
import os
import re
import shutil
import subprocess
import sys

FORTUNES = "/usr/share/games/fortunes"
HANDBOOK = "/usr/share/doc/debian-handbook/html"
PYLIB = "/usr/lib/python3.11"

# Byte budget of each stored source, uncompressed (xz keeps ~1/3 of it).
BUDGET = {
    "en-fortunes": 2_000_000,
    "en-kjv": 1_100_000,
    "en-jargon": 1_300_000,
    "en-handbook": 1_100_000,
    "code-python": 1_500_000,
    "de-fortunes": 450_000,
    "ru-fortunes": 450_000,
    "zh-fortunes": 350_000,
    "es-fortunes": 400_000,
    "it-fortunes": 400_000,
    "pl-fortunes": 350_000,
    "cs-fortunes": 350_000,
    "bg-fortunes": 110_000,
    "pt-fortunes": 260_000,
    "ar-handbook": 300_000,
    "el-handbook": 300_000,
    "fa-handbook": 300_000,
    "ja-handbook": 300_000,
    "vi-handbook": 300_000,
}

# Fortune packages and the directory (under /usr/share/games/fortunes) of
# each language; "" is the English top level.
FORTUNE_PACKAGES = {
    "en": ["fortunes", "fortunes-min"], "de": ["fortunes-de"], "ru": ["fortunes-ru"],
    "zh": ["fortunes-zh"], "es": ["fortunes-es"], "it": ["fortunes-it"],
    "pl": ["fortunes-pl"], "cs": ["fortunes-cs"], "bg": ["fortunes-bg"],
    "pt": ["fortunes-br"],
}
# Packages whose copyright files (and the GPL texts they refer to) are kept
# in sources/licenses/.
PACKAGES = ("fortunes", "fortunes-min", "fortunes-de", "fortunes-ru", "fortunes-zh",
            "fortunes-es", "fortunes-it", "fortunes-pl", "fortunes-cs", "fortunes-bg",
            "fortunes-br", "bible-kjv-text", "jargon-text", "debian-handbook",
            "libpython3.11-stdlib")
COMMON_LICENSES = ("GPL-2", "GPL-3")
HANDBOOK_LANGS = {"en": "en-US", "ar": "ar-MA", "el": "el-GR", "fa": "fa-IR",
                  "ja": "ja-JP", "vi": "vi-VN"}


def package_files(pkg):
    """Regular files a package installed, sorted (dpkg -L)."""
    out = subprocess.run(["dpkg", "-L", pkg], check=True, capture_output=True,
                         text=True).stdout.split("\n")
    return sorted(p for p in out if p and os.path.isfile(p) and not os.path.islink(p))


def spread(records, budget):
    """An evenly spread subset of the records, in order, within budget bytes."""
    total = sum(len(r.encode()) + 1 for r in records)
    if total <= budget:
        return records
    keep, acc = [], 0.0
    ratio = budget / total
    for r in records:  # keep a record each time the running share passes 1
        acc += ratio
        if acc >= 1.0:
            acc -= 1.0
            keep.append(r)
    return keep


def clean(text):
    """Text as make-corpus wants it: no NUL, no CR, no other C0 control but tab
    and newline (the generator adds its own), stripped of trailing blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    return text.strip("\n")


# --------------------------------------------------------------------- readers

def fortunes(lang):
    """Fortune cookies of one language: one record per cookie."""
    records = []
    for pkg in FORTUNE_PACKAGES[lang]:
        for path in package_files(pkg):
            if not path.startswith(FORTUNES + "/") or path.endswith((".dat", ".u8")):
                continue
            rel = path[len(FORTUNES) + 1:]
            if rel.startswith("cz/") or "/off/" in path:  # legacy duplicate tree; offensive sets
                continue
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", errors="replace")
            for cookie in re.split(r"\n%\n", text):
                cookie = clean(cookie)
                if cookie and cookie != "%":
                    records.append(cookie)
    return records


def kjv():
    """The King James Bible, one record per chapter, a verse a line."""
    out = subprocess.run(["bible", "-f", "-l", "100000", "Gen1:1-Rev22:21"], check=True,
                         capture_output=True).stdout.decode("utf-8", errors="replace")
    chapters = collections.OrderedDict()
    for line in out.split("\n"):
        m = re.match(r"(\S+?)(\d+):(\d+) (.*)", line)
        if m:
            chapters.setdefault((m.group(1), m.group(2)), []).append(line)
    return [clean("\n".join(v)) for v in chapters.values()]


def jargon():
    """The Jargon File, one record per entry (entries start with ':' in column 0)."""
    path = "/usr/share/doc/jargon-text/jargon.txt.gz"
    import gzip
    with gzip.open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    # The text is indented by three spaces; entries start with ":headword:".
    text = re.sub(r"(?m)^   ", "", text).replace("{", "").replace("}", "")
    start = text.find("\n:")  # the lexicon proper; the front matter is skipped
    entries = re.split(r"\n(?=:[^:\n]+:)", text[start + 1:])
    return [clean(e) for e in entries if clean(e)]


class _Blocks(html.parser.HTMLParser):
    """Paragraphs (div.para, list items, headings) as one line of text each,
    and <pre> blocks verbatim."""

    BLOCK = ("h1", "h2", "h3", "li", "dt", "td")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.buf, self.stack, self.pre = [], [], [], 0

    def flush(self):
        text = "".join(self.buf)
        self.buf = []
        if self.pre:
            text = clean(text)
        else:
            text = " ".join(text.split())
        if len(text) >= 20:
            self.out.append(text)

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        block = tag == "pre" or tag in self.BLOCK or (tag == "div" and "para" in cls.split())
        if tag in ("div", "pre") or tag in self.BLOCK:
            if block and self.buf:
                self.flush()  # a block inside a block ends the outer one's text so far
            self.stack.append(block)
            if tag == "pre":
                self.pre += 1

    def handle_endtag(self, tag):
        if tag in ("div", "pre") or tag in self.BLOCK:
            if self.stack and self.stack.pop() and self.buf:
                self.flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if any(self.stack):
            self.buf.append(data)


def handbook(lang):
    """The Debian Administrator's Handbook in one language, in its files'
    sorted order; for a translation, only the blocks not also in English and
    holding at least one letter that is not ASCII."""
    records = []
    for path in sorted(glob.glob(os.path.join(HANDBOOK, HANDBOOK_LANGS[lang], "*.html"))):
        p = _Blocks()
        with open(path, encoding="utf-8") as f:
            p.feed(f.read())
        p.close()
        records += p.out
    records = list(dict.fromkeys(records))  # once each (navigation repeats on every page)
    if lang != "en":
        english = set(handbook("en"))
        records = [r for r in records if r not in english and re.search(r"[^\x00-\x7f]", r)]
    return records


def python_code():
    """Top-level blocks (a def, a class, the statements between them) of the
    top-level modules of Python 3.11's standard library."""
    records = []
    for path in sorted(glob.glob(os.path.join(PYLIB, "*.py"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read().replace("\r\n", "\n")
        # cut before each unindented def/class/decorator line
        for block in re.split(r"\n(?=(?:def |class |async def |@))", text):
            block = clean(block.replace("\0", ""))
            if len(block) >= 40:
                records.append(block)
    return records


# --------------------------------------------------------------------- derived

WORD = re.compile(r"[^\W\d_]{3,}")


def lexicon(lang, records, limit):
    """The language's words, most frequent first (ties: alphabetical), at most
    `limit`; words in capitals only are left out (acronyms, shouting)."""
    c = collections.Counter()
    for r in records:
        for w in WORD.findall(r):
            if not w.isupper():
                c[w.lower() if w[:1].isupper() and w[1:].islower() else w] += 1
    words = sorted(c, key=lambda w: (-c[w], w))
    return words[:limit]


def simple_sentences(records, common):
    """Sentences of 4-16 words, every word in `common` (case-insensitive)."""
    out, seen = [], set()
    for r in records:
        for s in re.split(r"(?<=[.!?])\s+", " ".join(r.split())):
            words = re.findall(r"[A-Za-z']+", s)
            if not (4 <= len(words) <= 16) or not re.fullmatch(r"[A-Z][A-Za-z',; ]*[.!?]", s):
                continue
            if s.isupper() or s in seen:
                continue
            if all(w.lower().strip("'") in common for w in words):
                seen.add(s)
                out.append(s)
    return out


def write_xz(out_dir, name, records):
    data = "\0".join(records).encode("utf-8")
    comp = lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64,
                         preset=9 | lzma.PRESET_EXTREME)
    with open(os.path.join(out_dir, name + ".txt.xz"), "wb") as f:
        f.write(comp)
    print("%-16s %6d records %9d bytes -> %8d xz" % (name, len(records), len(data), len(comp)))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "sources"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    sources = {}
    for lang in FORTUNE_PACKAGES:
        sources[lang + "-fortunes"] = fortunes(lang)
    sources["en-kjv"] = kjv()
    sources["en-jargon"] = jargon()
    for lang in HANDBOOK_LANGS:
        sources[lang + "-handbook"] = handbook(lang)
    sources["code-python"] = python_code()

    lic = os.path.join(a.out, "licenses")
    os.makedirs(lic, exist_ok=True)
    for pkg in PACKAGES:
        shutil.copyfile("/usr/share/doc/%s/copyright" % pkg, os.path.join(lic, pkg + ".copyright"))
    for name in COMMON_LICENSES:
        shutil.copyfile("/usr/share/common-licenses/" + name, os.path.join(lic, name))
    versions = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n"] + list(PACKAGES),
                              check=True, capture_output=True, text=True).stdout
    print("package versions:\n" + versions, end="")

    kept = {}
    for name in sorted(sources):
        kept[name] = spread(sources[name], BUDGET[name])
        write_xz(a.out, name, kept[name])

    # Words per language from what is kept (the full texts would give words
    # that never appear in the output).
    by_lang = collections.defaultdict(list)
    for name, recs in kept.items():
        if not name.startswith("code-"):
            by_lang[name.split("-")[0]] += recs
    lex = []
    for lang in sorted(by_lang):
        if lang in ("zh", "ja"):
            continue  # no spaces between words: recombining them means nothing
        words = lexicon(lang, by_lang[lang], 30000 if lang == "en" else 6000)
        lex.append(lang + "\n" + "\n".join(words))
    write_xz(a.out, "lexicon", lex)

    english = lexicon("en", by_lang["en"], 4000)
    common = set(w.lower() for w in english) | {"a", "i", "an", "at", "as", "be", "by", "do",
                                                "go", "he", "if", "in", "is", "it", "me", "my",
                                                "no", "of", "oh", "on", "or", "so", "to", "up",
                                                "us", "we", "s", "t", "ll", "ve", "re", "d", "m"}
    simple = simple_sentences(kept["en-fortunes"] + kept["en-jargon"], common)
    write_xz(a.out, "simple-en", simple)
    return 0


if __name__ == "__main__":
    sys.exit(main())
