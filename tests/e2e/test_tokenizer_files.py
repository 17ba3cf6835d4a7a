#!/usr/bin/env python3
"""The tokenizer files of `pretok-db train-bpe`, loaded by the real libraries.

For a gpt2, a cl100k and an o200k database of the corpus samples, trained to
a small vocabulary with two special tokens, Hugging Face tokenizers
(tokenizer.json) and tiktoken (tokenizer.tiktoken + tiktoken.json), the npm
packages pinned by tests/js/package-lock.json (tools/install-deps.sh installs
them; missing, the test fails), are run by tests/js/load_tokenizer_files.js.
Checked:

  - both libraries load the files;
  - decode(encode(x)) == x with each, on the samples and on multilingual
    text; special tokens come out as single ids, the same in both;
  - HF's pre-tokenization of every document of the samples is exactly the
    Python `regex` reference's pretokens, and their counts pretok-db's export;
  - HF's ids are those of merge-rank BPE on the merges (a plain Python
    encoder here) and equal tiktoken's on the samples;
  - every file is as specified: the same as write_reference_files() (a
    plain Python writer of the formats) makes of the trained merges;
  - cl100k's pattern is rewritten for Oniguruma where it must be: as
    tiktoken writes it, HF cuts runs of digits otherwise;
  - with the special tokens only in added_tokens (not in the model's vocab),
    the loader gives them other ids than theirs, which is why tokenizer.json
    has them in both;
  - tiktoken's rule (merge the pair whose concatenation has the lowest rank)
    and BPE's (apply the merges in order) part where a token can be reached
    through two merge paths: a model where that happens, shown with both
    libraries.
"""
import base64
import collections
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_lib import Runner, parse_hex_export, run_suite  # noqa: E402
from reference_count import PATTERNS  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bpe"))
import reference_bpe  # noqa: E402

import regex  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(os.path.dirname(HERE), "js")
LOADER = os.path.join(JS_DIR, "load_tokenizer_files.js")
SPECIAL_TOKENS = ["<|endoftext|>", "<|fim_middle|>"]
VOCAB_SIZE = 1500
SAMPLES = ["stories-1M.txt", "web-1M.txt", "adversarial-256K.bin"]

# Text the samples have little of: scripts, marks, emoji sequences, digits of
# other scripts, odd white space, contractions in capitals.
MULTILINGUAL = {
    "chinese": "我们今天去公园散步。天气很好！",
    "japanese": "東京は日本の首都です。カタカナとひらがな、そして漢字。",
    "korean": "안녕하세요. 오늘 날씨가 좋네요?",
    "arabic": "مرحبا بالعالم! الأرقام ١٢٣٤٥ ٦٧٨",
    "hindi": "नमस्ते दुनिया। क्षत्रिय ज्ञान",
    "russian_greek": "Привет, мир! Ελληνικά κείμενα ΑΒΓ",
    "thai": "สวัสดีครับ ภาษาไทย",
    "emoji": "👩‍👩‍👧‍👦 family, 🇫🇷 flag, 👍🏽 ok ✨",
    "combining": "e\u0301 n\u0303 a\u0308\u0301 Zalgo: Z\u0336\u0321a\u0337l\u0338g\u0335o",
    "whitespace": "a\u00a0b\u3000c\u2009d\t\te\r\nf\r\r\n\n  \u2028g  \n",
    "contractions": "I'LL DON'T you're WE'VE it's They'D 'S",
    "digits": "1234567 12,345.678 ⅓ ½ 2024-01-01 0x1F",
    "code": "def f(x):\n    return x**2  # square\n\tif (a && b) { c->d(); }\n",
    "trailing_space": "ends with spaces   ",
    "newlines_at_end": "line\n\n\n",
}

# Where cl100k's possessive quantifiers and `$` matter, and what surrounds them.
PATTERN_EDGES = [
    "1234567890", "a12345b", "x 1234\n",
    "end  \n  next", "end  \n", "end\n\n", "  \n\t\n  x", "a \r\n b", "tail   ",
    "!!!\n\n\nx", " ???\r\n", "Hello, world!\n", "\u00e9t\u00e9 ... d\u00e9j\u00e0",
    "'s 'S 'll 'LL", "don't DON'T", "\u00a0\u00a0word", "!!!abc", "$$$word\n\n", "\"\"x",
]


BYTE_TO_CHAR = reference_bpe.bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def from_byte_level(s):
    return bytes(CHAR_TO_BYTE[c] for c in s)


def split_documents(text, specials):
    """The documents of text, cut at the special tokens (longest first)."""
    pat = "|".join(regex.escape(t) for t in sorted(specials, key=len, reverse=True))
    return regex.split(pat, text)


class MergeBpe:
    """BPE by the merges, as Hugging Face applies them: the pair of adjacent
    parts with the earliest merge is merged, every occurrence left to right
    (the loop of GPT-2's encoder.py), until no adjacent pair is a merge."""

    def __init__(self, vocab, merges):
        self.vocab = vocab                      # bytes -> id
        self.rank = {m: i for i, m in enumerate(merges)}
        self.cache = {}

    def encode(self, piece):
        ids = self.cache.get(piece)
        if ids is None:
            parts = [bytes([b]) for b in piece]
            while len(parts) > 1:
                pairs = set(zip(parts, parts[1:]))
                best = min(pairs, key=lambda q: self.rank.get(q, float("inf")))
                if best not in self.rank:
                    break
                merged, i = [], 0
                while i < len(parts):
                    if i + 1 < len(parts) and (parts[i], parts[i + 1]) == best:
                        merged.append(parts[i] + parts[i + 1])
                        i += 2
                    else:
                        merged.append(parts[i])
                        i += 1
                parts = merged
            ids = self.cache[piece] = [self.vocab[q] for q in parts]
        return ids


def write_reference_files(out_dir, specials, learnt, pat_str):
    """The five files of a model, as pretok-db writes them (checked against
    train-bpe's own below): specials (ids 0..k-1), the 256 bytes in GPT-2's
    order, then one token per merge of `learnt` [(left, right), ...]."""
    os.makedirs(out_dir, exist_ok=True)
    tokens = [t.encode() for t in specials] + [bytes([b]) for b in BYTE_TO_CHAR]
    tokens += [a + b for a, b in learnt]
    k = len(specials)

    def shown(i):
        return specials[i] if i < k else "".join(BYTE_TO_CHAR[b] for b in tokens[i])

    def show(t):
        return "".join(BYTE_TO_CHAR[b] for b in t)

    vocab = {shown(i): i for i in range(len(tokens))}
    merges = ["%s %s" % (show(a), show(b)) for a, b in learnt]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True}
    if pat_str == PATTERNS["gpt2"]:
        pre = dict(byte_level, use_regex=True)
    else:
        split = {"type": "Split", "pattern": {"Regex": oniguruma_form(pat_str)},
                 "behavior": "Isolated", "invert": False}
        pre = {"type": "Sequence", "pretokenizers": [split, dict(byte_level, use_regex=False)]}
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}
                         for i, t in enumerate(specials)],
        "normalizer": None, "pre_tokenizer": pre, "post_processor": None,
        "decoder": dict(byte_level, use_regex=True),
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": merges}}
    files = {
        "vocab.json": json.dumps(vocab, ensure_ascii=False, separators=(",", ":")) + "\n",
        "merges.txt": "#version: 0.2\n" + "".join(m + "\n" for m in merges),
        "tokenizer.json": json.dumps(tokenizer, ensure_ascii=False, indent=2) + "\n",
        "tokenizer.tiktoken": "".join("%s %d\n" % (base64.b64encode(tokens[i]).decode(), i)
                                      for i in range(k, len(tokens))),
        "tiktoken.json": json.dumps({"pat_str": pat_str,
                                     "special_tokens": {t: i for i, t in enumerate(specials)}},
                                    ensure_ascii=False, indent=2) + "\n",
    }
    for name, text in files.items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
    return files


def oniguruma_form(pat_str):
    """cl100k's pattern without what Oniguruma reads otherwise (src/bpe/hf_pattern.cc)."""
    if pat_str != PATTERNS["cl100k"]:
        return pat_str
    return (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"""
            r"""| ?[^\s\p{L}\p{N}]+[\r\n]*|\s+\z|\s*[\r\n]|\s+(?!\S)|\s""")


class TokenizerFiles:
    def __init__(self, a, rep, tmp):
        self.a, self.rep, self.tmp = a, rep, tmp
        self.run = Runner(a.bin, a.timeout)
        sdir = os.path.join(a.corpus, "samples")
        self.samples = [os.path.join(sdir, s) for s in SAMPLES]
        self.node = shutil.which("node")

    # ------------------------------------------------------------ helpers

    def check(self, name, ok, detail=""):
        """A check whose detail is shown only when it fails."""
        return self.rep.check(name, ok, "" if ok else detail)

    def packages(self):
        """Node and the npm packages: without them nothing here can run."""
        ok = self.check("node is installed", self.node is not None,
                            "" if self.node else "no `node` on PATH: run tools/install-deps.sh")
        unreachable = os.path.join(JS_DIR, ".npm-registry-unreachable")
        for pkg in ("tokenizers", "tiktoken"):
            there = os.path.isfile(os.path.join(JS_DIR, "node_modules", pkg, "package.json"))
            if not there and os.path.isfile(unreachable):
                # tools/install-deps.sh found the registry out of reach (no
                # network, or an untrusted TLS proxy): the machine's state,
                # said loudly there and here. Anything else is a failure.
                with open(unreachable, encoding="utf-8") as f:
                    self.rep.skip("npm package %s" % pkg, f.read().strip())
                ok = False
                continue
            ok = self.check("npm package %s is installed in tests/js" % pkg, there,
                                "" if there else "tests/js/node_modules/%s missing: run "
                                "tools/install-deps.sh (npm ci in tests/js)" % pkg) and ok
        return ok

    def load(self, out_dir, texts=None, documents=None, name="load"):
        """Runs the Node loader on out_dir; its report, or None (a failed check)."""
        req = self.tmp.join(name + "-request.json")
        res = self.tmp.join(name + "-result.json")
        with open(req, "w", encoding="utf-8") as f:
            json.dump({"texts": texts or {}, "documents": documents or {}}, f)
        p = subprocess.run([self.node, LOADER, out_dir, req, res], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        if not self.check("%s: both libraries load the files" % name, p.returncode == 0,
                              p.stderr.decode("utf-8", "replace").strip()[-1500:]):
            return None
        with open(res, encoding="utf-8") as f:
            return json.load(f)

    def read_vocab(self, out_dir):
        """(bytes -> id, [(bytes, bytes)] merges) from vocab.json and merges.txt."""
        with open(os.path.join(out_dir, "vocab.json"), encoding="utf-8") as f:
            shown = json.load(f)
        vocab = {}
        for s, i in shown.items():
            vocab[s.encode() if i < len(SPECIAL_TOKENS) else from_byte_level(s)] = i
        with open(os.path.join(out_dir, "merges.txt"), encoding="utf-8") as f:
            lines = f.read().split("\n")
        merges = [tuple(from_byte_level(x) for x in ln.split(" ")) for ln in lines[1:] if ln]
        return vocab, merges, lines[0]

    # ------------------------------------------------------------ one pattern

    def pattern_suite(self, pattern):
        db = self.tmp.join(pattern + ".db")
        out = self.tmp.join(pattern + "-tok")
        r = self.run.run("index", "--quiet", "--db", db, "--pattern", pattern, *self.samples)
        if not self.check("%s: index the samples" % pattern, r.ok, r.describe()):
            return
        args = ["train-bpe", "--quiet", "--db", db, "--vocab-size", VOCAB_SIZE, "--out", out]
        for t in SPECIAL_TOKENS:
            args += ["--special-token", t]
        r = self.run.run(*args)
        if not self.check("%s: train-bpe --vocab-size %d" % (pattern, VOCAB_SIZE), r.ok,
                          r.describe()):
            return
        names = sorted(os.listdir(out))
        self.check("%s: train-bpe wrote the five files" % pattern,
                   names == ["merges.txt", "tiktoken.json", "tokenizer.json",
                             "tokenizer.tiktoken", "vocab.json"], str(names))
        vocab, merges, header = self.read_vocab(out)
        self.check("%s: vocab.json has %d tokens, merges.txt %d merges after #version: 0.2"
                   % (pattern, VOCAB_SIZE, VOCAB_SIZE - 256 - len(SPECIAL_TOKENS)),
                   len(vocab) == VOCAB_SIZE and header == "#version: 0.2"
                   and len(merges) == VOCAB_SIZE - 256 - len(SPECIAL_TOKENS),
                   "%d tokens, %d merges, %r" % (len(vocab), len(merges), header))
        self.same_as_reference_files(pattern, out, merges)

        texts = {}
        for path in self.samples:
            with open(path, "rb") as f:
                # As pretok-db reads it (--invalid-utf8 replace).
                texts[os.path.basename(path)] = f.read().decode("utf-8", "replace")
        multilingual = dict(MULTILINGUAL)
        multilingual["special_tokens"] = ("a" + SPECIAL_TOKENS[0] + " b" + SPECIAL_TOKENS[1]
                                          + SPECIAL_TOKENS[0] + "\n")
        documents = {n: split_documents(t, ["<|endoftext|>"]) for n, t in texts.items()}
        documents["multilingual"] = list(MULTILINGUAL.values())
        documents["pattern edges"] = PATTERN_EDGES
        res = self.load(out, dict(texts, **multilingual), documents, name=pattern)
        if res is None:
            return
        self.rep.note("%s: node %s, tokenizers %s, tiktoken %s" % (
            pattern, res["versions"]["node"], res["versions"]["tokenizers"],
            res["versions"]["tiktoken"]))

        pat = regex.compile(PATTERNS[pattern])
        reference = {n: [[p.encode("utf-8") for p in pat.findall(d)] for d in docs]
                     for n, docs in documents.items()}
        self.round_trips(pattern, res, dict(texts, **multilingual))
        self.special_tokens(pattern, res, multilingual["special_tokens"])
        self.pretokens(pattern, res, reference, db)
        self.ids(pattern, res, reference, vocab, merges)
        self.added_tokens_only(pattern, res)
        if pattern == "cl100k":
            self.unrewritten_cl100k(out, reference["pattern edges"])

    def same_as_reference_files(self, pattern, out, merges):
        """train-bpe's files == those that write_reference_files makes of its
        merges (the same text, JSON compared as values)."""
        ref_dir = self.tmp.join(pattern + "-reference")
        with open(os.path.join(out, "tiktoken.json"), encoding="utf-8") as f:
            pat_str = json.load(f)["pat_str"]
        self.check("%s: tiktoken.json's pat_str is tiktoken's pattern" % pattern,
                   pat_str == PATTERNS[pattern], repr(pat_str))
        want = write_reference_files(ref_dir, SPECIAL_TOKENS, merges, PATTERNS[pattern])
        for name, text in sorted(want.items()):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                got = f.read()
            same = json.loads(got) == json.loads(text) if name.endswith(".json") else got == text
            self.check("%s: %s is as specified" % (pattern, name), same,
                       first_difference(got.split("\n"), text.split("\n")))

    def round_trips(self, pattern, res, texts):
        for lib in ("hf", "tiktoken"):
            bad = [n for n, t in texts.items() if res["texts"][n][lib + "_decoded"] != t]
            self.check("%s: %s decode(encode(x)) == x on %d samples and %d multilingual texts"
                       % (pattern, lib, len(SAMPLES), len(texts) - len(SAMPLES)), not bad,
                       "differs on %s" % bad)

    def special_tokens(self, pattern, res, text):
        want = {t: i for i, t in enumerate(SPECIAL_TOKENS)}
        got = {t: (v["hf"], v["tiktoken"]) for t, v in res["special_tokens"].items()}
        self.check("%s: special tokens have ids 0..%d in both libraries"
                   % (pattern, len(SPECIAL_TOKENS) - 1),
                   got == {t: (i, i) for t, i in want.items()}, str(got))
        r = res["texts"]["special_tokens"]
        for lib in ("hf", "tiktoken"):
            ids = r[lib + "_ids"]
            # a, <|endoftext|>, " b", <|fim_middle|>, <|endoftext|>, "\n"
            self.check("%s: %s encodes each special token in %r as one id" % (pattern, lib, text),
                       len(ids) == 6 and [ids[1], ids[3], ids[4]] == [0, 1, 0]
                       and min(ids[0], ids[2], ids[5]) >= len(SPECIAL_TOKENS), str(ids))

    def pretokens(self, pattern, res, reference, db):
        counts = collections.Counter()
        for name, docs in reference.items():
            got = res["pretokens"][name]
            bad = None if len(got) == len(docs) else "%d documents, not %d" % (len(got), len(docs))
            for d, (ref, hf) in enumerate(zip(docs, got)):
                if name in SAMPLES:
                    counts.update(ref)
                hf = [from_byte_level(p) for p in hf]
                if hf != ref and bad is None:
                    i = next((i for i, (x, y) in enumerate(zip(hf, ref)) if x != y),
                             min(len(hf), len(ref)))
                    bad = "document %d, pretoken %d: HF %r, regex %r" % (
                        d, i, hf[i:i + 3], ref[i:i + 3])
            self.check("%s: HF's pre-tokenization of the %d documents of %s == regex's"
                       % (pattern, len(docs), name), bad is None, bad or "")
        e = self.run.export(db)
        exported, problems = parse_hex_export(e.out) if e.ok else ({}, [e.describe()])
        self.check("%s: the samples' pretokens counted == pretok-db export" % pattern,
                   not problems and exported == dict(counts),
                   "; ".join(problems[:3]) or "%d distinct vs %d" % (len(exported), len(counts)))

    def ids(self, pattern, res, reference, vocab, merges):
        """HF's ids are BPE's by the merges; tiktoken's equal them."""
        by_merges = MergeBpe(vocab, merges)
        for name, docs in reference.items():
            if name not in res["texts"]:
                continue
            want = []
            for d, pieces in enumerate(docs):
                if d:
                    want.append(0)  # the <|endoftext|> between documents
                for p in pieces:
                    want.extend(by_merges.encode(p))
            got = res["texts"][name]
            self.check("%s: HF's ids on %s == BPE by the merges (%d ids)"
                       % (pattern, name, len(want)), got["hf_ids"] == want,
                       first_difference(got["hf_ids"], want))
            self.check("%s: tiktoken's ids on %s == HF's" % (pattern, name),
                       got["tiktoken_ids"] == got["hf_ids"],
                       first_difference(got["tiktoken_ids"], got["hf_ids"]))
        for name, r in res["texts"].items():
            if name not in reference:
                self.check("%s: tiktoken's ids on multilingual text %r == HF's" % (pattern, name),
                           r["tiktoken_ids"] == r["hf_ids"],
                           first_difference(r["tiktoken_ids"], r["hf_ids"]))

    def unrewritten_cl100k(self, out, reference):
        """The rewrite is needed: with cl100k's pattern as tiktoken writes it,
        HF takes a run of more than three digits whole (`\\p{N}{1,3}+` is a
        repetition in Oniguruma). Its `?+`, `++`, `*+` are possessive there
        as in tiktoken, and `\\s++$` leaves no newline for `$` to stand
        before: those edges come out right even so."""
        raw = self.tmp.join("cl100k-unrewritten")
        shutil.copytree(out, raw)
        path = os.path.join(raw, "tokenizer.json")
        with open(path, encoding="utf-8") as f:
            t = json.load(f)
        t["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = PATTERNS["cl100k"]
        with open(path, "w", encoding="utf-8") as f:
            json.dump(t, f, ensure_ascii=False)
        res = self.load(raw, documents={"edges": PATTERN_EDGES}, name="cl100k-unrewritten")
        if res is None:
            return
        wrong = [(PATTERN_EDGES[i], [from_byte_level(p) for p in got])
                 for i, got in enumerate(res["pretokens"]["edges"])
                 if [from_byte_level(p) for p in got] != reference[i]]
        digits = regex.compile(r"\p{N}{4}")
        self.check("cl100k: tiktoken's own pattern in a Split cuts the %d pattern edges with "
                   "4 or more digits in a row otherwise, and only those (the rewrite is needed)"
                   % sum(1 for e in PATTERN_EDGES if digits.search(e)),
                   [t for t, _ in wrong] == [e for e in PATTERN_EDGES if digits.search(e)],
                   str(wrong))
        for text, got in wrong[:3]:
            self.rep.note("cl100k unrewritten: %r -> %r" % (text, got))

    def added_tokens_only(self, pattern, res):
        got = res["added_tokens_only"]
        shown = "; ".join("%s -> %s, the id of the model's %r" % (t, v["id"], v["model_token"])
                          for t, v in got.items())
        # The loader numbers an added token the model lacks from the model's
        # size on (its number of entries), whatever id added_tokens says: the
        # ids of the last learnt tokens.
        n = VOCAB_SIZE - len(SPECIAL_TOKENS)
        self.check("%s: special tokens only in added_tokens get the ids of learnt tokens "
                   "(why tokenizer.json has them in the model's vocab too)" % pattern,
                   [got[t]["id"] for t in SPECIAL_TOKENS] == list(range(n, n + len(SPECIAL_TOKENS)))
                   and all(v["model_token"] is not None for v in got.values()), shown)
        self.rep.note("%s: with the special tokens only in added_tokens: %s" % (pattern, shown))

    # ------------------------------------------------------------ two merge paths

    def two_paths(self):
        """A model in which "abc" is the merge (ab, c) but "bc" was merged
        first: BPE by the merges cannot make "abc" from "a" "bc"; tiktoken's
        rule can (and takes a piece that is a token whole). train-bpe makes
        no such model (its tokens have one merge each, and on the samples the
        two rules give the same ids above): this one is written by
        write_reference_files(), which makes train-bpe's files of its models."""
        out = self.tmp.join("two-paths")
        learnt = [(b"b", b"c"), (b"a", b"b"), (b"ab", b"c")]
        write_reference_files(out, SPECIAL_TOKENS, learnt, PATTERNS["gpt2"])
        k = len(SPECIAL_TOKENS)
        a, b, c, d = (k + list(BYTE_TO_CHAR).index(ord(x)) for x in "abcd")
        bc, ab, abc = k + 256, k + 257, k + 258
        texts = {"ab": "ab", "abc": "abc", "abcd": "abcd", "xabc": "xabc"}
        res = self.load(out, texts, name="two-paths")
        if res is None:
            return
        want = {"ab": ([ab], [ab]), "abc": ([a, bc], [abc]), "abcd": ([a, bc, d], [abc, d]),
                "xabc": ([ord("x") - 33 + k, a, bc], [ord("x") - 33 + k, abc])}
        for name, (hf, tt) in want.items():
            got = res["texts"][name]
            self.check("two merge paths: %r is %s by the merges (HF), %s by tiktoken's rule"
                       % (name, hf, tt), got["hf_ids"] == hf and got["tiktoken_ids"] == tt
                       and got["hf_decoded"] == got["tiktoken_decoded"] == name,
                       "HF %s, tiktoken %s" % (got["hf_ids"], got["tiktoken_ids"]))


def first_difference(a, b):
    if a == b:
        return ""
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return "at %d of %d/%d: %s vs %s" % (i, len(a), len(b), a[i:i + 5], b[i:i + 5])


class Suite(TokenizerFiles):
    def main(self):
        if not self.rep.section("npm packages", self.packages):
            return
        for pattern in ("gpt2", "cl100k", "o200k"):
            self.rep.section("pattern " + pattern, self.pattern_suite, pattern)
        self.rep.section("two merge paths", self.two_paths)


if __name__ == "__main__":
    sys.exit(run_suite(Suite, __doc__.splitlines()[0]))
