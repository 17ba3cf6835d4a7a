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
  Scanner scanner;
  // What Re2Pretokenizer runs, beside the scanner, as a cross-check; empty
  // for gpt2.
  std::string_view re2_regex;
};

constexpr BuiltIn kBuiltIns[] = {
    {"gpt2", kGpt2Pattern, CutRule::kGpt2, Scanner::kGpt2, {}},
    {"cl100k", kCl100kPattern, CutRule::kTiktoken, Scanner::kCl100k,
     kCl100kRe2Pattern},
    {"o200k", kO200kPattern, CutRule::kTiktoken, Scanner::kO200k,
     kO200kPattern},
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

namespace {

// The end of the group whose body starts at `from` (the index of its ')'),
// or regex.size(): parentheses counted, escapes and classes skipped.
size_t GroupEnd(std::string_view regex, size_t from) {
  int depth = 0;
  bool in_class = false;
  for (size_t j = from; j < regex.size(); ++j) {
    const char c = regex[j];
    if (c == '\\') {
      ++j;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
      if (j + 1 < regex.size() && regex[j + 1] == ']') ++j;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth-- == 0) return j;
    }
  }
  return regex.size();
}

// What in regex[from, to) could match, case-insensitively, a character that
// RE2 and `regex` fold differently ("" if nothing).
std::string RiskyForCaseFolding(std::string_view regex, size_t from,
                                size_t to) {
  static constexpr std::string_view kRisky[] = {
      "i", "I", "\xC4\xB0", "\xC4\xB1", "\xCE\x90", "\xE1\xBF\x93",
      "\xCE\xB0", "\xE1\xBF\xA3", "\xEF\xAC\x85", "\xEF\xAC\x86"};
  bool in_class = false;
  for (size_t j = from; j < to; ++j) {
    const char c = regex[j];
    if (c == '\\' && j + 1 < to) {
      const char e = regex[++j];
      if (std::string_view("pPwWSDbBhHvVNX").find(e) != std::string_view::npos) {
        return std::string("the class escape \\") + e;
      }
      if (e == 'x' || e == 'u' || e == 'U' || e == 'N') {
        return std::string("the escape \\") + e;
      }
      continue;
    }
    if (c == '[') {
      if (in_class || (j + 1 < to && regex[j + 1] == '^')) {
        return "a negated or nested character class";
      }
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    } else if (in_class && c == '-' && regex[j - 1] != '[' && j + 1 < to &&
               regex[j + 1] != ']') {
      return "a character range";
    } else if (!in_class && c == '.') {
      return "'.'";
    } else if (!in_class && c == '(' && j + 1 < to && regex[j + 1] == '?') {
      while (j < to && regex[j] != ')' && regex[j] != ':') ++j;  // flags
    } else {
      for (std::string_view r : kRisky) {
        if (regex.substr(j, r.size()) == r) {
          return "the letter '" + std::string(r) + "'";
        }
      }
    }
  }
  return "";
}

// RE2 and `regex` fold case alike except for ten characters: `regex` also
// matches U+0130 (İ) for i and U+0131 (ı) for I, and folds U+0390/U+1FD3,
// U+03B0/U+1FE3 and U+FB05/U+FB06 together. So a user pattern is refused if
// a part of it under the i flag could match one of these: the letters
// themselves, a class other than a plain list, a range, `.`, or a class
// escape (\p, \w, \S, ...). (?i:...) covers its group; a bare (?i) is
// taken to cover the rest of the pattern. It may refuse a pattern that
// would be safe, never accept one that is not.
Status CheckCaseFolding(std::string_view regex) {
  for (size_t j = 0; j + 2 < regex.size(); ++j) {
    if (regex[j] == '\\') {
      ++j;
      continue;
    }
    if (regex[j] != '(' || regex[j + 1] != '?') continue;
    size_t k = j + 2;
    bool flag_i = false;
    bool negative = false;
    for (; k < regex.size() && regex[k] != ')' && regex[k] != ':'; ++k) {
      negative |= regex[k] == '-';
      flag_i |= regex[k] == 'i' && !negative;
    }
    if (!flag_i || k >= regex.size()) continue;
    const size_t from = k + 1;
    const size_t to = regex[k] == ':' ? GroupEnd(regex, from) : regex.size();
    const std::string why = RiskyForCaseFolding(regex, from, to);
    if (!why.empty()) {
      return Status::InvalidArgument(
          "case-insensitive (?i) part uses " + why +
              ": RE2 folds i, I, U+0130, U+0131 and a few Greek letters and "
              "ligatures differently from Python's regex; spell the cases "
              "out (e.g. [sS]) instead",
          regex);
    }
  }
  return Status::OK();
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
  PRETOKDB_RETURN_IF_ERROR(CheckCaseFolding(name_or_regex));
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

Status ResolvePatternName(std::string_view name, PatternSpec* out) {
  if (const BuiltIn* b = FindBuiltIn(name)) {
    SetSpec(b->name, b->regex, b->cut_rule, out);
    return Status::OK();
  }
  const bool word = !name.empty() &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '_';
                    });
  if (word) {
    return Status::InvalidArgument(
        "unknown pattern name (known: gpt2, cl100k, o200k; give a regular "
        "expression of your own as the regex: --regex, regex=)",
        name);
  }
  return Status::InvalidArgument(
      "not a pattern name (gpt2, cl100k, o200k): give a regular expression "
      "of your own as the regex (--regex, regex=)",
      name);
}

Status ResolveRegex(std::string_view regex, PatternSpec* out) {
  if (regex.empty()) return Status::InvalidArgument("empty regex");
  if (FindBuiltIn(regex) != nullptr) {
    // A database stores a built-in pattern by its name and a user's by its
    // text: a regex spelled like a name would read back as that pattern.
    return Status::InvalidArgument(
        "a regex that is a pattern's name: for the built-in pattern give it "
        "as the pattern (--pattern, pattern=)",
        regex);
  }
  for (const BuiltIn& b : kBuiltIns) {
    if (regex == b.regex) {
      SetSpec(b.name, b.regex, b.cut_rule, out);
      return Status::OK();
    }
  }
  PRETOKDB_RETURN_IF_ERROR(CheckCaseFolding(regex));
  std::unique_ptr<Re2Pretokenizer> check;
  const Status s = Re2Pretokenizer::Create(regex, &check);
  if (!s.ok()) {
    return Status::InvalidArgument("regex cannot run", s.message());
  }
  SetSpec(kCustom, regex, CutRule::kNone, out);
  return Status::OK();
}

Status Pretokenizer::Create(const PatternSpec& spec,
                            std::unique_ptr<Pretokenizer>* out) {
  std::string_view re2_regex = spec.regex;
  Scanner scanner = Scanner::kRe2;
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
    scanner = b->scanner;
  }
  std::unique_ptr<Pretokenizer> tok(new Pretokenizer(spec, scanner));
  if (scanner == Scanner::kRe2) {
    PRETOKDB_RETURN_IF_ERROR(Re2Pretokenizer::Create(re2_regex, &tok->re2_));
  } else {
    tok->cross_check_regex_ = re2_regex;
  }
  *out = std::move(tok);
  return Status::OK();
}

const Re2Pretokenizer* Pretokenizer::re2() const {
  std::call_once(cross_check_once_, [this] {
    // The built-in patterns' RE2 forms are tested to compile.
    if (!cross_check_regex_.empty() &&
        !Re2Pretokenizer::Create(cross_check_regex_, &re2_).ok()) {
      re2_.reset();
    }
  });
  return re2_.get();
}

}  // namespace pretokdb
