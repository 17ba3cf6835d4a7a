// Copyright (c) pretok-db authors.

#include "text/pattern.h"

#include <algorithm>

namespace pretokdb {
namespace {

// cl100k for RE2. Re2Pretokenizer refuses possessive quantifiers and `$`
// (in general they cannot be translated), but in this pattern each has a
// plain equivalent:
//   - [^\r\n\p{L}\p{N}]?+\p{L}++  ==  [^\r\n\p{L}\p{N}]?\p{L}+
//     If the greedy version takes the optional character and \p{L}+ then
//     fails, backtracking to not take it makes \p{L}+ start on that same
//     character, which is not a letter: it fails too. Backtracking into
//     \p{L}+ is never needed: nothing follows it in the alternative.
//   - \p{N}{1,3}+  ==  \p{N}{1,3}: nothing follows in the alternative.
//   -  ?[^\s\p{L}\p{N}]++[\r\n]*+  ==   ?[^\s\p{L}\p{N}]+[\r\n]*
//     [\r\n]* always matches, so nothing ever backtracks into the run; the
//     two classes are disjoint (\r and \n are \s), so the run's end is the
//     same either way; and without the ' ', the run would have to start on
//     the space, which it cannot.
//   - \s++$  ==  \s+\Z ("a whitespace run reaching the end of the text").
//     Possessive, \s++ takes the whole run from its start, so `$` is tested
//     only at the run's end: there Python's `$` holds at the end of the text,
//     or before a final "\n"; but a "\n" there would be whitespace and
//     belong to the run. (Greedy \s+$ gives the same: it tries the whole run
//     first, and if the run does not reach the end, no shorter part of it
//     ends before a final "\n".)
// The alternation and its order are unchanged, and finditer takes the first
// alternative that matches at a position, so the matches are the same.
// tools/gen_pattern_golden.py checks that Python gives the same tokens for
// both strings on every golden case; tests/text/pattern_golden_test.cc
// checks RE2 against them.
constexpr std::string_view kCl100kRe2Pattern =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3})"
    R"(| ?[^\s\p{L}\p{N}]+[\r\n]*|\s+\Z|\s*[\r\n]|\s+(?!\S)|\s)";

struct BuiltIn {
  std::string_view name;
  std::string_view regex;
  CutRule cut_rule;
  std::string_view re2_regex;  // what Re2Pretokenizer runs; empty for gpt2
};

constexpr BuiltIn kBuiltIns[] = {
    {"gpt2", kGpt2Pattern, CutRule::kGpt2, {}},
    {"cl100k", kCl100kPattern, CutRule::kTiktoken, kCl100kRe2Pattern},
    {"o200k", kO200kPattern, CutRule::kTiktoken, kO200kPattern},
};

// tiktoken's encoding names.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"r50k_base", "gpt2"},
    {"p50k_base", "gpt2"},
    {"cl100k_base", "cl100k"},
    {"o200k_base", "o200k"},
};

constexpr std::string_view kCustom = "custom";

const BuiltIn* FindBuiltIn(std::string_view name) {
  for (const auto& [alias, canonical] : kAliases) {
    if (name == alias) name = canonical;
  }
  for (const BuiltIn& b : kBuiltIns) {
    if (name == b.name) return &b;
  }
  return nullptr;
}

void SetSpec(std::string_view name, std::string_view regex, CutRule rule,
             PatternSpec* out) {
  out->name = std::string(name);
  out->regex = std::string(regex);
  out->cut_rule = rule;
}

}  // namespace

Status ResolvePattern(std::string_view name_or_regex, PatternSpec* out) {
  if (name_or_regex.empty()) {
    return Status::InvalidArgument(
        "empty pattern: give gpt2, cl100k, o200k or a regex");
  }
  if (const BuiltIn* b = FindBuiltIn(name_or_regex)) {
    SetSpec(b->name, b->regex, b->cut_rule, out);
    return Status::OK();
  }
  for (const BuiltIn& b : kBuiltIns) {
    if (name_or_regex == b.regex) {
      SetSpec(b.name, b.regex, b.cut_rule, out);
      return Status::OK();
    }
  }
  // A plain word would be a valid regex matching only itself: surely a
  // mistyped name.
  if (std::all_of(name_or_regex.begin(), name_or_regex.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '_';
      })) {
    return Status::InvalidArgument(
        "unknown pattern name (known: gpt2, cl100k, o200k)", name_or_regex);
  }
  std::unique_ptr<Re2Pretokenizer> check;
  const Status s = Re2Pretokenizer::Create(name_or_regex, &check);
  if (!s.ok()) {
    return Status::InvalidArgument(
        "pattern is neither gpt2, cl100k, o200k nor a regex that can run",
        s.message());
  }
  SetSpec(kCustom, name_or_regex, CutRule::kNone, out);
  return Status::OK();
}

Status Pretokenizer::Create(const PatternSpec& spec,
                            std::unique_ptr<Pretokenizer>* out) {
  std::string_view re2_regex = spec.regex;
  if (spec.name == kCustom) {
    if (spec.cut_rule != CutRule::kNone) {
      return Status::InvalidArgument(
          "a custom pattern has no safe cuts but special tokens");
    }
  } else {
    const BuiltIn* b = nullptr;
    for (const BuiltIn& candidate : kBuiltIns) {
      if (spec.name == candidate.name) b = &candidate;
    }
    if (b == nullptr) {
      return Status::InvalidArgument("unknown pattern name", spec.name);
    }
    if (spec.regex != b->regex || spec.cut_rule != b->cut_rule) {
      return Status::InvalidArgument(
          "pattern spec does not match the built-in pattern", spec.name);
    }
    re2_regex = b->re2_regex;
  }
  std::unique_ptr<Pretokenizer> tok(new Pretokenizer(spec));
  if (!re2_regex.empty()) {
    PRETOKDB_RETURN_IF_ERROR(Re2Pretokenizer::Create(re2_regex, &tok->re2_));
  }
  *out = std::move(tok);
  return Status::OK();
}

}  // namespace pretokdb
