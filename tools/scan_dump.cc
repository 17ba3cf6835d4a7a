// Copyright (c) pretok-db authors.
//
// scan_dump: prints the GPT-2 pretokens of a file, one per line as lowercase
// hex of their UTF-8 bytes, for tools/fuzz_scanner_vs_python.py to compare
// with Python `regex`. The whole file is one document (no special tokens).
//
//   scan_dump [--replace] [--cut-every N] FILE
//
// --replace      decode with U+FFFD replacement first (as Python's
//                errors="replace"); without it invalid UTF-8 is an error.
// --cut-every N  scan in pieces: cut at the first safe cut after every N
//                bytes (text/safe_cut.h); the output must not change.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "text/gpt2_scanner.h"
#include "text/safe_cut.h"
#include "text/utf8.h"

namespace {

int Usage() {
  std::fprintf(stderr, "usage: scan_dump [--replace] [--cut-every N] FILE\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool replace = false;
  size_t cut_every = 0;
  const char* path = nullptr;
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--replace") == 0) {
      replace = true;
    } else if (std::strcmp(argv[i], "--cut-every") == 0 && i + 1 < argc) {
      cut_every = std::strtoull(argv[++i], nullptr, 10);
    } else if (argv[i][0] != '-' && path == nullptr) {
      path = argv[i];
    } else {
      return Usage();
    }
  }
  if (path == nullptr) return Usage();

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
      const char* cut = pretokdb::FindFirstSafeCut(p + cut_every - 1, limit);
      if (cut != nullptr) piece_end = cut;
    }
    pretokdb::ScanGpt2(p, piece_end, sink);
    p = piece_end;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
