// Copyright (c) pretok-db authors.
//
// scan_dump: prints the pretokens of a file, one per line as lowercase hex
// of their UTF-8 bytes, for tools/fuzz_scanner_vs_python.py to compare with
// Python `regex`. The whole file is one document (no special tokens).
//
//   scan_dump [--pattern gpt2|cl100k|o200k] [--re2] [--replace]
//             [--cut-every N] FILE
//
// --pattern P    the built-in pattern (default gpt2), run by its
//                hand-written scanner;
// --re2          run it by the RE2 path instead (cl100k, o200k);
// --replace      decode with U+FFFD replacement first (as Python's
//                errors="replace"); without it invalid UTF-8 is an error.
// --cut-every N  scan in pieces: cut at the first safe cut of the
//                pattern's rule after every N bytes (text/safe_cut.h); the
//                output must not change.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include "text/pattern.h"
#include "text/safe_cut.h"
#include "text/utf8.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: scan_dump [--pattern gpt2|cl100k|o200k] [--re2] "
               "[--replace] [--cut-every N] FILE\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool replace = false;
  bool re2 = false;
  const char* pattern = "gpt2";
  size_t cut_every = 0;
  const char* path = nullptr;
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--replace") == 0) {
      replace = true;
    } else if (std::strcmp(argv[i], "--re2") == 0) {
      re2 = true;
    } else if (std::strcmp(argv[i], "--pattern") == 0 && i + 1 < argc) {
      pattern = argv[++i];
    } else if (std::strcmp(argv[i], "--cut-every") == 0 && i + 1 < argc) {
      cut_every = std::strtoull(argv[++i], nullptr, 10);
    } else if (argv[i][0] != '-' && path == nullptr) {
      path = argv[i];
    } else {
      return Usage();
    }
  }
  if (path == nullptr) return Usage();
  pretokdb::PatternSpec spec;
  std::unique_ptr<pretokdb::Pretokenizer> tok;
  if (!pretokdb::ResolvePattern(pattern, &spec).ok() || spec.name == "custom" ||
      !pretokdb::Pretokenizer::Create(spec, &tok).ok() ||
      (re2 && tok->re2() == nullptr)) {
    std::fprintf(stderr, "scan_dump: no such built-in pattern%s: %s\n",
                 re2 ? " with an RE2 path" : "", pattern);
    return 2;
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "scan_dump: cannot open %s\n", path);
    return 1;
  }
  std::string raw((std::istreambuf_iterator<char>(in)),
                  std::istreambuf_iterator<char>());
  std::string text;
  if (replace) {
    pretokdb::AppendReplacingInvalidUtf8(raw, &text);
  } else if (pretokdb::IsValidUtf8(raw.data(), raw.size())) {
    text = std::move(raw);
  } else {
    std::fprintf(stderr, "scan_dump: %s is not valid UTF-8\n", path);
    return 1;
  }

  std::string out;
  static const char kHex[] = "0123456789abcdef";
  auto sink = [&out](std::string_view token) {
    for (unsigned char c : token) {
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
    out.push_back('\n');
  };
  const char* p = text.data();
  const char* const limit = p + text.size();
  while (p < limit) {
    const char* piece_end = limit;
    if (cut_every != 0 && static_cast<size_t>(limit - p) > cut_every) {
      const char* cut =
          pretokdb::FindFirstSafeCut(p + cut_every - 1, limit, spec.cut_rule);
      if (cut != nullptr) piece_end = cut;
    }
    if (re2) {
      tok->re2()->Scan(p, piece_end, sink);
    } else {
      tok->Scan(p, piece_end, sink);
    }
    p = piece_end;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
