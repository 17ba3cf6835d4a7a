#!/usr/bin/env python3
"""Reference pretoken counter: the contract of pretok-db (docs: docs/DESIGN.md).

    reference_count.py [--special-token T]... [--no-special-tokens]
                       [--pattern gpt2|cl100k|o200k|REGEX]
                       [--invalid-utf8 replace|skip|strict] FILE...

prints the counts in the format of `pretok-db export --format hex` (one line
per distinct pretoken: lowercase hex of its UTF-8 bytes, a tab, its count;
lines sorted by the pretoken bytes), so that

    diff <(pretok-db export --db D) <(tests/e2e/reference_count.py FILE...)

compares the two.  With --stats it prints the expected `stats` figures
(documents, pretokens, distinct_pretokens, invalid_utf8_replaced) to stderr.

--pattern names a built-in pattern (tiktoken's strings, docs/DESIGN.md "Built-in
patterns") or is itself the regular expression, used as is with
regex.finditer.  --invalid-utf8 is the decoding policy:
  replace  data.decode("utf-8", errors="replace"): one U+FFFD per maximal
           subpart of an ill-formed sequence (the default)
  skip     data.decode("utf-8", errors="ignore"): the same subparts dropped;
           special tokens are then split on the cleaned text, so bytes
           dropped can join words or form a special token
  strict   a file with invalid UTF-8 is an error: prints
           "FILE: invalid UTF-8 at byte OFFSET" to stderr (OFFSET =
           UnicodeDecodeError.start) and exits 3, printing no counts
invalid_utf8_replaced counts the ill-formed subparts in both replace and skip
modes (as many as replace writes U+FFFD).

Importable: count_bytes(), count_file(), hex_export(), ...  Needs the
third-party `regex` module (pip `regex`, Debian `python3-regex`); works with
Python 3.11 and regex 2022.10.31 or later.
"""
import argparse
import collections
import json
import sys

import regex

PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
PAT = regex.compile(PATTERN)
DEFAULT_SPECIAL_TOKENS = ("<|endoftext|>",)

# The built-in patterns, exactly as tiktoken (tiktoken_ext/openai_public.py)
# defines them; docs/DESIGN.md "Built-in patterns".
CL100K_PATTERN = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+"""
                  r"""| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
O200K_PATTERN = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
])
PATTERNS = {"gpt2": PATTERN, "cl100k": CL100K_PATTERN, "o200k": O200K_PATTERN}

# --invalid-utf8 policy -> the `errors` argument of bytes.decode.
INVALID_UTF8_POLICIES = {"replace": "replace", "skip": "ignore", "strict": "strict"}
EXIT_INVALID_UTF8 = 3


def resolve_pattern(pattern):
    """A built-in pattern's name -> its string; any other string is the regex."""
    return PATTERNS.get(pattern, pattern)


_compiled = {PATTERN: PAT}


def compile_pattern(pattern):
    """The compiled regex of a name or pattern string (regex.error if bad)."""
    pattern = resolve_pattern(pattern)
    pat = _compiled.get(pattern)
    if pat is None:
        pat = _compiled[pattern] = regex.compile(pattern)
    return pat


def decode(data, errors="replace"):
    """(text, ill-formed subparts) of data under a policy of
    INVALID_UTF8_POLICIES (or its Python name "ignore").  "strict" raises
    UnicodeDecodeError at the first ill-formed sequence."""
    py_errors = INVALID_UTF8_POLICIES.get(errors, errors)
    if py_errors not in ("replace", "ignore", "strict"):
        raise ValueError("unknown invalid-UTF-8 policy %r" % (errors,))
    if py_errors == "strict":
        return data.decode("utf-8"), 0
    replaced = data.decode("utf-8", errors="replace")
    # U+FFFD produced by the decoder = all U+FFFD minus those that were valid
    # EF BF BD in the input (EF is a lead byte, so such a triple can never be
    # part of an invalid subpart).
    invalid = replaced.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    if py_errors == "replace":
        return replaced, invalid
    text = data.decode("utf-8", errors="ignore")
    # "ignore" drops exactly the subparts "replace" turns into one U+FFFD each.
    assert len(replaced) - len(text) == invalid
    return text, invalid


class RefResult:
    """Counts keyed by pretoken UTF-8 bytes plus the figures `stats` reports."""

    def __init__(self):
        self.counts = collections.Counter()   # bytes -> int
        self.documents = 0
        self.invalid_utf8_replaced = 0

    @property
    def pretokens(self):
        return sum(self.counts.values())

    @property
    def distinct(self):
        return len(self.counts)

    def add(self, other):
        self.counts.update(other.counts)
        self.documents += other.documents
        self.invalid_utf8_replaced += other.invalid_utf8_replaced
        return self


def split_pattern(special_tokens):
    return "|".join(regex.escape(t) for t in
                    sorted(special_tokens, key=len, reverse=True))


def count_bytes(data, special_tokens=DEFAULT_SPECIAL_TOKENS, pattern=PATTERN,
                errors="replace"):
    """Count the pretokens of one file's bytes, exactly as the contract says.

    pattern: a name of PATTERNS or a regex string; errors: "replace", "skip"
    or "strict" (UnicodeDecodeError on invalid UTF-8).  The text is decoded
    first and split on special tokens after, as in the contract."""
    pat = compile_pattern(pattern)
    res = RefResult()
    text, res.invalid_utf8_replaced = decode(data, errors)
    if special_tokens:
        docs = regex.split(split_pattern(special_tokens), text)
    else:
        docs = [text]
    res.documents = len(docs)
    c = collections.Counter()
    if pat.groups == 0:
        findall = pat.findall  # no capture groups: same matches as finditer
        for doc in docs:
            c.update(findall(doc))
    else:
        for doc in docs:
            c.update(m.group() for m in pat.finditer(doc))
    # str -> UTF-8 bytes is injective (the decoded text has no surrogates).
    res.counts = collections.Counter({k.encode("utf-8"): v for k, v in c.items()})
    return res


# JSON Lines (README, "JSON Lines"): the longest line read as a record,
# without its line end (kMaxRecordBytes, src/ingest/jsonl_record.h).
MAX_RECORD_BYTES = 8 << 20
BAD_RECORD_REASONS = ("invalid_json", "invalid_utf8", "missing_field", "not_string",
                      "too_long")
_SURROGATE = regex.compile("[\ud800-\udfff]")
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)  # a long number is JSON; json.loads would refuse it


def _not_json(name):
    raise ValueError("%s is not JSON" % name)


def jsonl_lines(data):
    """The lines of JSON Lines bytes as the indexer reads them: split at
    "\n", one "\r" before it dropped; the last line needs no "\n"."""
    lines = data.split(b"\n")
    last = lines.pop()
    out = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    if last:
        out.append(last)
    return out


def jsonl_record(line, path, max_bytes=MAX_RECORD_BYTES):
    """(text, None) for a record: the string at the dotted field path of
    json.loads(line) (RFC 8259 JSON: NaN and Infinity refused), lone
    surrogates replaced by U+FFFD; (None, reason) for a bad record; (None,
    None) for a blank line (only spaces, tabs, CRs)."""
    if len(line) > max_bytes:
        return None, "too_long"
    if not line.strip(b" \t\r"):
        return None, None
    try:
        s = line.decode("utf-8")
    except UnicodeDecodeError:
        return None, "invalid_utf8"
    try:
        v = json.loads(s, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return None, "invalid_json"
    for key in path.split("."):
        if not isinstance(v, dict) or key not in v:
            return None, "missing_field"
        v = v[key]
    if not isinstance(v, str):
        return None, "not_string"
    return _SURROGATE.sub("\ufffd", v), None


def count_jsonl_bytes(data, field, special_tokens=DEFAULT_SPECIAL_TOKENS, pattern=PATTERN):
    """Counts of JSON Lines bytes: every record's field counted as the text of
    a file (split on special tokens; documents = those pieces of all
    records). res.bad_records: reason -> lines skipped."""
    pat = compile_pattern(pattern)
    split = regex.compile(split_pattern(special_tokens)) if special_tokens else None
    res = RefResult()
    res.bad_records = collections.Counter()
    c = collections.Counter()
    for line in jsonl_lines(data):
        text, bad = jsonl_record(line, field)
        if bad is not None:
            res.bad_records[bad] += 1
        if text is None:
            continue
        docs = split.split(text) if split is not None else [text]
        res.documents += len(docs)
        for doc in docs:
            c.update(m.group() for m in pat.finditer(doc))
    res.counts = collections.Counter({k.encode("utf-8"): v for k, v in c.items()})
    return res


def count_file(path, special_tokens=DEFAULT_SPECIAL_TOKENS, pattern=PATTERN, errors="replace"):
    with open(path, "rb") as f:
        return count_bytes(f.read(), special_tokens, pattern=pattern, errors=errors)


def count_files(paths, special_tokens=DEFAULT_SPECIAL_TOKENS, pattern=PATTERN, errors="replace"):
    """The files' counts added up.  With errors="strict" the first file (in
    the order given) with invalid UTF-8 raises InvalidUtf8File."""
    total = RefResult()
    for p in paths:
        try:
            total.add(count_file(p, special_tokens, pattern=pattern, errors=errors))
        except UnicodeDecodeError as e:
            raise InvalidUtf8File(p, e.start) from e
    return total


class InvalidUtf8File(Exception):
    """A file refused by --invalid-utf8 strict; str() is the CLI's message."""

    def __init__(self, path, offset):
        super().__init__("%s: invalid UTF-8 at byte %d" % (path, offset))
        self.path = path
        self.offset = offset


def sorted_items(counts):
    """(bytes, count) sorted by the pretoken bytes (unsigned lexicographic)."""
    return sorted(counts.items())


def hex_export(counts):
    """The exact bytes `pretok-db export --format hex` must print."""
    return "".join("%s\t%d\n" % (k.hex(), v) for k, v in sorted_items(counts)).encode("ascii")


_TSV_ESC = {0x09: b"\\t", 0x0A: b"\\n", 0x0D: b"\\r", 0x5C: b"\\\\"}


def tsv_escape(tok):
    """Escape pretoken bytes as in `export --format tsv` and `top`."""
    out = bytearray()
    for b in tok:
        e = _TSV_ESC.get(b)
        if e is not None:
            out += e
        elif b < 0x20 or b == 0x7F:
            out += b"\\x%02x" % b
        else:
            out.append(b)
    return bytes(out)


def tsv_unescape(s):
    """Inverse of tsv_escape; raises ValueError on a malformed escape."""
    out = bytearray()
    i, n = 0, len(s)
    while i < n:
        b = s[i]
        if b != 0x5C:
            out.append(b)
            i += 1
            continue
        if i + 1 >= n:
            raise ValueError("dangling backslash in %r" % s)
        c = s[i + 1]
        if c == ord("t"):
            out.append(9)
            i += 2
        elif c == ord("n"):
            out.append(10)
            i += 2
        elif c == ord("r"):
            out.append(13)
            i += 2
        elif c == 0x5C:
            out.append(0x5C)
            i += 2
        elif c == ord("x") and i + 4 <= n:
            out.append(int(s[i + 2:i + 4].decode("ascii"), 16))
            i += 4
        else:
            raise ValueError("bad escape at %d in %r" % (i, s))
    return bytes(out)


def tsv_export(counts):
    return b"".join(tsv_escape(k) + b"\t%d\n" % v for k, v in sorted_items(counts))


def top_n(counts, n):
    """Most frequent first, ties by pretoken bytes ascending."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--special-token", action="append", default=None, metavar="T",
                    help="special token (repeatable; replaces the default <|endoftext|>)")
    ap.add_argument("--no-special-tokens", action="store_true")
    ap.add_argument("--pattern", default="gpt2", metavar="gpt2|cl100k|o200k|REGEX",
                    help="built-in pattern name or a regex (default gpt2)")
    ap.add_argument("--invalid-utf8", default="replace", choices=tuple(INVALID_UTF8_POLICIES),
                    help="decoding policy (default replace)")
    ap.add_argument("--jsonl", metavar="FIELD",
                    help="JSON Lines: count the string in FIELD (dotted path) of each line")
    ap.add_argument("--stats", action="store_true",
                    help="print documents/pretokens/distinct/invalid to stderr")
    ap.add_argument("files", nargs="+", metavar="FILE")
    a = ap.parse_args(argv)
    if a.no_special_tokens:
        toks = ()
    elif a.special_token is not None:
        toks = tuple(a.special_token)
    else:
        toks = DEFAULT_SPECIAL_TOKENS
    try:
        compile_pattern(a.pattern)
    except regex.error as e:
        ap.error("bad --pattern %r: %s" % (a.pattern, e))
    try:
        if a.jsonl:
            res = RefResult()
            for p in a.files:
                with open(p, "rb") as f:
                    res.add(count_jsonl_bytes(f.read(), a.jsonl, toks, pattern=a.pattern))
        else:
            res = count_files(a.files, toks, pattern=a.pattern, errors=a.invalid_utf8)
    except InvalidUtf8File as e:
        print(e, file=sys.stderr)
        return EXIT_INVALID_UTF8
    out = sys.stdout.buffer
    out.write(hex_export(res.counts))
    out.flush()
    if a.stats:
        print("documents %d\npretokens %d\ndistinct_pretokens %d\ninvalid_utf8_replaced %d"
              % (res.documents, res.pretokens, res.distinct, res.invalid_utf8_replaced),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
