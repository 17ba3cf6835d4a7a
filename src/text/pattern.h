// Copyright (c) pretok-db authors.
//
// The pretokenization pattern of an index: one of the built-in patterns of
// tiktoken (docs/DESIGN.md, "Built-in patterns") or a user's regex, and the
// pretokenizer that runs it. For a pattern P, Pretokenizer::Scan() yields
// exactly the matches of the Python reference regex.finditer(P, doc).
//
// Thread-safe: a Pretokenizer is immutable after Create(); Scan() may run
// concurrently.

#ifndef PRETOKDB_TEXT_PATTERN_H_
#define PRETOKDB_TEXT_PATTERN_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "pretokdb/status.h"
#include "text/cl100k_scanner.h"
#include "text/cut_rule.h"
#include "text/gpt2_scanner.h"
#include "text/o200k_scanner.h"
#include "text/re2_pretokenizer.h"

namespace pretokdb {

// The built-in patterns, verbatim as tiktoken (tiktoken_ext/openai_public.py)
// defines them. gpt2 is also r50k_base and p50k_base.
inline constexpr std::string_view kGpt2Pattern =
    R"('(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+)"
    R"(|\s+(?!\S)|\s+)";
inline constexpr std::string_view kCl100kPattern =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+)"
    R"(| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s)";
inline constexpr std::string_view kO200kPattern =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*)"
    R"([\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+)"
    R"([\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

struct PatternSpec {
  // "gpt2", "cl100k", "o200k", or "custom".
  std::string name;
  // The pattern exactly as tiktoken or the user gives it: stored in the
  // database's configuration and shown by stats.
  std::string regex;
  // Where a chunk may be cut; kNone for user patterns (only special tokens
  // cut).
  CutRule cut_rule = CutRule::kNone;
};

// What runs a pattern: a hand-written scanner for each built-in pattern, RE2
// for a user's.
enum class Scanner {
  kGpt2,    // ScanGpt2 (text/gpt2_scanner.h)
  kCl100k,  // ScanCl100k (text/cl100k_scanner.h)
  kO200k,   // ScanO200k (text/o200k_scanner.h)
  kRe2,     // Re2Pretokenizer (text/re2_pretokenizer.h)
};

// Calls sink(std::string_view token) for each pretoken of [p, limit) by
// `scanner`; re2 is the pattern for kRe2, unused otherwise. Inlined, with
// the scanner, into the caller.
template <typename Sink>
[[gnu::always_inline]] inline void RunScanner(Scanner scanner,
                                              const Re2Pretokenizer* re2,
                                              const char* p, const char* limit,
                                              Sink& sink) {
  switch (scanner) {
    case Scanner::kGpt2:
      ScanGpt2(p, limit, sink);
      break;
    case Scanner::kCl100k:
      ScanCl100k(p, limit, sink);
      break;
    case Scanner::kO200k:
      ScanO200k(p, limit, sink);
      break;
    case Scanner::kRe2:
      re2->Scan(p, limit, sink);
      break;
  }
}

// Resolves name_or_regex: "gpt2", "cl100k", "o200k" (or tiktoken's names
// "r50k_base", "p50k_base", "cl100k_base", "o200k_base"), or a regex. A
// regex equal to a built-in pattern resolves to that built-in (so the
// regex stored in a database resolves back to its spec); any other is
// "custom", checked by Re2Pretokenizer::Create. Returns InvalidArgument,
// leaving *out unchanged, if the regex cannot run (naming the construct) or
// is a plain word ([A-Za-z0-9_]+: a mistyped name rather than a pattern).
Status ResolvePattern(std::string_view name_or_regex, PatternSpec* out);

// What an index run asks for, where a name and a regex are never guessed
// from the same string (IndexOptions::pattern and ::regex).
// ResolvePatternName: a built-in name only (as ResolvePattern names them);
// InvalidArgument for anything else, pointing a regex at ResolveRegex.
// ResolveRegex: a user's regex, checked as ResolvePattern checks one; the
// text of a built-in pattern resolves to that built-in. A regex that is
// a built-in name ("gpt2") is refused: stored by its text it would read
// back as the built-in.
Status ResolvePatternName(std::string_view name, PatternSpec* out);
Status ResolveRegex(std::string_view regex, PatternSpec* out);

// Runs a PatternSpec: the hand-written scanner of a built-in pattern, RE2
// for a user's.
class Pretokenizer {
 public:
  // Returns InvalidArgument if `spec` is not as ResolvePattern() makes it
  // (a built-in name with another regex or cut rule, a custom pattern with
  // a cut rule) or its regex cannot run.
  static Status Create(const PatternSpec& spec,
                       std::unique_ptr<Pretokenizer>* out);

  Pretokenizer(const Pretokenizer&) = delete;
  Pretokenizer& operator=(const Pretokenizer&) = delete;

  const PatternSpec& spec() const { return spec_; }
  Scanner scanner() const { return scanner_; }
  bool is_gpt2() const { return scanner_ == Scanner::kGpt2; }
  // The RE2 path: what Scan() runs for a user's pattern, and for cl100k and
  // o200k a second opinion on their scanners (tests and fuzzers compare
  // the two); nullptr for gpt2. For cl100k its pattern() is the internal
  // RE2-ready equivalent of the tiktoken string. For cl100k and o200k it
  // is compiled on the first call (tens of milliseconds a run that only
  // scans would lose); thread-safe.
  const Re2Pretokenizer* re2() const;

  // Calls sink(std::string_view token) for each pretoken of [p, limit), in
  // order; tokens point into [p, limit).
  //
  // REQUIRES: [p, limit) is valid UTF-8, a piece of one document that ends
  // at the document's end or at a safe cut of spec().cut_rule
  // (text/safe_cut.h). (So the end of the text, which `$` and (?!\S) test,
  // is only seen at a real document end or where no whitespace run can
  // reach it.)
  template <typename Sink>
  void Scan(const char* p, const char* limit, Sink&& sink) const {
    RunScanner(scanner_, re2_.get(), p, limit, sink);
  }

 private:
  Pretokenizer(PatternSpec spec, Scanner scanner)
      : spec_(std::move(spec)), scanner_(scanner) {}

  PatternSpec spec_;
  Scanner scanner_;
  // What re2() compiles for a built-in pattern, once; empty for gpt2 and
  // for a user's pattern, whose re2_ Create() compiles.
  std::string_view cross_check_regex_;
  mutable std::once_flag cross_check_once_;
  mutable std::unique_ptr<Re2Pretokenizer> re2_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_PATTERN_H_
