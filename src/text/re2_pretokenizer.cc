// Copyright (c) pretok-db authors.
//
// How a Python `regex` pattern is run with RE2.
//
// Translation. One pass over the pattern, keeping track of character sets,
// groups and inline flags, rewrites what RE2 reads differently (see the
// header) and splits the top-level alternation. Unicode classes that the
// contract pins to the `regex` module (\s, general categories such as \p{L}
// or \p{Lu}) become explicit code point ranges computed from
// text/char_class.h and text/general_category.h.
//
// Matching. finditer takes, at the first position where the pattern matches
// at all, the first top-level alternative that matches there (each with its
// own preferred match). RE2's leftmost-first semantics give that for any
// alternation without lookaround, so only the \s+(?!\S) alternative needs
// care: the alternatives before it form one RE2 (`before_`), it is
// emulated, those after it form another (`after_`), and MatchAt() tries the
// three in that order, anchored. When nothing matches at a position, the
// next start is the nearer of RE2's next match of all real alternatives
// (`any_`) and the next position where the emulated one matches.
//
// Inline flags such as (?i) act, in `regex` as in RE2, until the end of the
// enclosing group, so one at top level also acts on the later top-level
// alternatives: it is repeated at the start of each of them, and each
// alternative is wrapped in (?:...) to keep its own flags to itself.

#include "text/re2_pretokenizer.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "text/char_class.h"
#include "text/general_category.h"

namespace pretokdb {
namespace {

constexpr std::string_view kWhitespaceLookahead = R"(\s+(?!\S))";

// ---------------------------------------------------------------------------
// Explicit classes.

struct CodeRange {
  char32_t lo;
  char32_t hi;
};

// The code points of class k, as sorted disjoint ranges (no surrogates).
std::vector<CodeRange> RangesOf(CharClass k) {
  std::vector<CodeRange> ranges;
  for (char32_t cp = 0; cp <= 0x10FFFF; cp++) {
    if (ClassOf(cp) != k || (cp >= 0xD800 && cp <= 0xDFFF)) continue;
    if (!ranges.empty() && ranges.back().hi + 1 == cp) {
      ranges.back().hi = cp;
    } else {
      ranges.push_back({cp, cp});
    }
  }
  return ranges;
}

// All scalar values (U+0000..U+10FFFF without surrogates) not in `ranges`.
std::vector<CodeRange> Complement(const std::vector<CodeRange>& ranges) {
  std::vector<CodeRange> out;
  auto add = [&out](char32_t lo, char32_t hi) {
    // Surrogates cannot occur in valid UTF-8; RE2 would reject them.
    if (lo <= 0xDFFF && hi >= 0xD800) {
      if (lo < 0xD800) out.push_back({lo, 0xD7FF});
      if (hi > 0xDFFF) out.push_back({0xE000, hi});
    } else if (lo <= hi) {
      out.push_back({lo, hi});
    }
  };
  char32_t next = 0;
  for (const CodeRange& r : ranges) {
    if (r.lo > next) add(next, r.lo - 1);
    next = r.hi + 1;
  }
  if (next <= 0x10FFFF) add(next, 0x10FFFF);
  return out;
}

// The inside of an RE2 character class matching `ranges`, e.g.
// "\x{9}-\x{d}\x{20}".
std::string ClassBody(const std::vector<CodeRange>& ranges) {
  std::string body;
  char buf[32];
  for (const CodeRange& r : ranges) {
    if (r.lo == r.hi) {
      std::snprintf(buf, sizeof(buf), "\\x{%x}", static_cast<unsigned>(r.lo));
    } else {
      std::snprintf(buf, sizeof(buf), "\\x{%x}-\\x{%x}",
                    static_cast<unsigned>(r.lo), static_cast<unsigned>(r.hi));
    }
    body += buf;
  }
  return body;
}

// \s and its complement, spelled out once.
struct SpaceBodies {
  std::string space, not_space;
};

const SpaceBodies& Spaces() {
  static const SpaceBodies* const bodies = [] {
    auto* b = new SpaceBodies;
    const auto space = RangesOf(CharClass::kSpace);
    b->space = ClassBody(space);
    b->not_space = ClassBody(Complement(space));
    return b;
  }();
  return *bodies;
}

// Maximal runs of one general category over all scalar values (surrogates
// excluded: they cannot occur in valid UTF-8 and RE2 rejects them),
// computed once.
struct CategoryRun {
  char32_t lo;
  char32_t hi;
  GeneralCategory category;
};

const std::vector<CategoryRun>& CategoryRuns() {
  static const std::vector<CategoryRun>* const runs = [] {
    auto* v = new std::vector<CategoryRun>;
    for (char32_t cp = 0; cp <= 0x10FFFF; cp++) {
      if (cp == 0xD800) cp = 0xE000;
      const GeneralCategory c = GeneralCategoryOf(cp);
      if (!v->empty() && v->back().category == c && v->back().hi + 1 == cp) {
        v->back().hi = cp;
      } else {
        v->push_back({cp, cp, c});
      }
    }
    return v;
  }();
  return *runs;
}

// The scalar values whose category is in `mask`, as sorted disjoint ranges.
std::vector<CodeRange> RangesOf(CategoryMask mask) {
  std::vector<CodeRange> ranges;
  for (const CategoryRun& r : CategoryRuns()) {
    if ((mask & MaskOf(r.category)) == 0) continue;
    if (!ranges.empty() && ranges.back().hi + 1 == r.lo) {
      ranges.back().hi = r.hi;
    } else {
      ranges.push_back({r.lo, r.hi});
    }
  }
  return ranges;
}

// ---------------------------------------------------------------------------
// Translation.

struct Alternative {
  bool whitespace_lookahead = false;  // exactly \s+(?!\S): emulated
  std::string re2;                    // the RE2 pattern otherwise
};

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Length of the UTF-8 sequence whose lead byte is c (1 for ASCII and for
// bytes that cannot lead).
size_t Utf8Length(char c) {
  const auto b = static_cast<uint8_t>(c);
  return b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

std::string Hex(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "\\x{%x}", static_cast<unsigned>(cp));
  return buf;
}

class Translator {
 public:
  explicit Translator(std::string_view pattern) : p_(pattern) {}

  Status Run(std::vector<Alternative>* alts);

 private:
  // How the last item bears on a following quantifier character.
  enum class Repeat {
    kNone,        // nothing to repeat (start, '(', '|', '^')
    kAtom,        // an atom: a quantifier may follow
    kQuantifier,  // a quantifier: '?' makes it lazy, '+' possessive
    kLazy,        // a lazy quantifier: nothing more may follow
  };

  Status Error(std::string_view what, size_t at) const {
    return Status::InvalidArgument(what, "at offset " + std::to_string(at) +
                                             " of pattern " + std::string(p_));
  }

  bool AtWhitespaceLookaheadAlternative() const;
  Status Group(std::string* out);
  Status NamedGroup(size_t prefix, std::string* out);
  Status Flags(size_t start, std::string* out);
  Status CharacterSet(std::string* out);
  Status Escape(bool in_set, std::string* out);
  Status Property(bool negated, bool in_set, size_t start, std::string* out);
  Status CategorySet(CategoryMask mask, bool negated, bool in_set,
                     std::string* out);
  Status Quantifier(std::string* out);
  bool ParseBrace(size_t* end, std::string* normalized) const;

  std::string_view p_;
  size_t i_ = 0;
  int depth_ = 0;
  Repeat repeat_ = Repeat::kNone;
  bool multiline_ = false;
  // multiline_ outside each open group, innermost last.
  std::vector<bool> saved_multiline_;
  // Flag groups met at top level: repeated at the start of later top-level
  // alternatives, on which they act too.
  std::string top_level_flags_;
};

bool Translator::AtWhitespaceLookaheadAlternative() const {
  const std::string_view rest = p_.substr(i_);
  if (rest.substr(0, kWhitespaceLookahead.size()) != kWhitespaceLookahead) {
    return false;
  }
  return rest.size() == kWhitespaceLookahead.size() ||
         rest[kWhitespaceLookahead.size()] == '|';
}

Status Translator::Run(std::vector<Alternative>* alts) {
  alts->clear();
  alts->emplace_back();
  bool alternative_start = true;
  while (true) {
    Alternative& alt = alts->back();
    if (alternative_start) {
      alternative_start = false;
      repeat_ = Repeat::kNone;
      if (AtWhitespaceLookaheadAlternative()) {
        alt.whitespace_lookahead = true;
        i_ += kWhitespaceLookahead.size();
      } else {
        alt.re2 = top_level_flags_;
      }
    }
    if (i_ >= p_.size()) break;
    std::string* out = &alt.re2;
    const size_t at = i_;
    const char c = p_[i_];
    switch (c) {
      case '\\':
        PRETOKDB_RETURN_IF_ERROR(Escape(/*in_set=*/false, out));
        break;
      case '[':
        PRETOKDB_RETURN_IF_ERROR(CharacterSet(out));
        repeat_ = Repeat::kAtom;
        break;
      case '(':
        PRETOKDB_RETURN_IF_ERROR(Group(out));
        break;
      case ')':
        if (depth_ == 0) return Error("unbalanced parenthesis", at);
        depth_--;
        multiline_ = saved_multiline_.back();
        saved_multiline_.pop_back();
        *out += ')';
        i_++;
        repeat_ = Repeat::kAtom;
        break;
      case '|':
        i_++;
        if (depth_ == 0) {
          alts->emplace_back();
          alternative_start = true;
        } else {
          *out += '|';
          repeat_ = Repeat::kNone;
        }
        break;
      case '*':
      case '+':
      case '?':
      case '{':
        PRETOKDB_RETURN_IF_ERROR(Quantifier(out));
        break;
      case '^':
        *out += '^';
        i_++;
        repeat_ = Repeat::kNone;
        break;
      case '$':
        if (!multiline_) {
          return Error(
              "`$` outside (?m) is not supported (in Python it also matches "
              "before a final newline, in RE2 only at the end)",
              at);
        }
        *out += '$';
        i_++;
        repeat_ = Repeat::kNone;
        break;
      case '.':
        *out += '.';
        i_++;
        repeat_ = Repeat::kAtom;
        break;
      case ']':
      case '}':
        *out += '\\';
        *out += c;
        i_++;
        repeat_ = Repeat::kAtom;
        break;
      default: {
        // A literal character, copied whole so a quantifier applies to it.
        const size_t n = std::min(Utf8Length(c), p_.size() - i_);
        out->append(p_.substr(i_, n));
        i_ += n;
        repeat_ = Repeat::kAtom;
        break;
      }
    }
  }
  if (depth_ != 0) return Error("missing ), unterminated group", p_.size());
  return Status::OK();
}

// At '(' (plain group or extension).
Status Translator::Group(std::string* out) {
  const size_t at = i_;
  auto open = [&](std::string_view emitted, size_t consumed) {
    out->append(emitted);
    i_ += consumed;
    depth_++;
    saved_multiline_.push_back(multiline_);
    repeat_ = Repeat::kNone;
    return Status::OK();
  };
  const std::string_view rest = p_.substr(i_);
  if (rest.size() < 2 || rest[1] != '?') return open("(", 1);
  if (rest.size() < 3) return Error("unterminated group extension (?", at);
  const char k = rest[2];
  const char k2 = rest.size() > 3 ? rest[3] : '\0';
  switch (k) {
    case ':':
      return open("(?:", 3);
    case '=':
      return Error(
          "lookahead (?=...) is not supported by RE2 (only a top-level "
          "alternative exactly \\s+(?!\\S) is emulated)",
          at);
    case '!':
      return Error(
          "negative lookahead (?!...) is not supported by RE2 (only a "
          "top-level alternative exactly \\s+(?!\\S) is emulated)",
          at);
    case '>':
      return Error("atomic group (?>...) is not supported by RE2", at);
    case '(':
      return Error("conditional group (?(...)...) is not supported by RE2", at);
    case '|':
      return Error("branch reset group (?|...) is not supported by RE2", at);
    case '#': {
      // A comment: dropped.
      const size_t close = p_.find(')', i_);
      if (close == std::string_view::npos) {
        return Error("unterminated comment (?#...", at);
      }
      i_ = close + 1;
      return Status::OK();
    }
    case '<':
      if (k2 == '=') {
        return Error("lookbehind (?<=...) is not supported by RE2", at);
      }
      if (k2 == '!') {
        return Error("negative lookbehind (?<!...) is not supported by RE2",
                     at);
      }
      return NamedGroup(3, out);  // (?P<name>...) for RE2
    case 'P':
      if (k2 == '<') return NamedGroup(4, out);
      if (k2 == '=') {
        return Error("backreference (?P=name) is not supported by RE2", at);
      }
      if (k2 == '>') {
        return Error("recursion (?P>name) is not supported by RE2", at);
      }
      return Error("unknown group extension (?P", at);
    case 'R':
    case '&':
    case '+':
      return Error(
          "recursion or subroutine call (?R), (?&name), (?+n) is "
          "not supported by RE2",
          at);
    default:
      if (IsDigit(k) || (k == '-' && IsDigit(k2))) {
        return Error(
            "recursion or subroutine call (?n) is not supported by "
            "RE2",
            at);
      }
      return Flags(at, out);
  }
}

// At "(?<name>" or "(?P<name>"; `prefix` is the length before the name.
Status Translator::NamedGroup(size_t prefix, std::string* out) {
  const size_t at = i_;
  const size_t close = p_.find('>', i_ + prefix);
  if (close == std::string_view::npos) {
    return Error("missing >, unterminated group name", at);
  }
  out->append("(?P<");
  out->append(p_.substr(i_ + prefix, close + 1 - (i_ + prefix)));
  i_ = close + 1;
  depth_++;
  saved_multiline_.push_back(multiline_);
  repeat_ = Repeat::kNone;
  return Status::OK();
}

// At "(?" followed by flags: "(?flags)" or "(?flags-flags:...)".
Status Translator::Flags(size_t start, std::string* out) {
  size_t j = start + 2;
  std::string kept;
  bool negative = false;
  bool multiline = multiline_;
  while (j < p_.size() && p_[j] != ')' && p_[j] != ':') {
    const char f = p_[j];
    if (f == '-' && !negative) {
      negative = true;
      kept += '-';
    } else if (f == 'i' || f == 's') {
      kept += f;
    } else if (f == 'm') {
      kept += f;
      multiline = !negative;
    } else if (f == 'u') {
      // Unicode matching is the default for str patterns.
    } else if (f == 'x') {
      return Error("verbose flag (?x) is not supported by RE2", start);
    } else if (f == 'a') {
      return Error("ASCII flag (?a) is not supported (\\s, \\d would change)",
                   start);
    } else if (IsAsciiAlnum(f)) {
      return Error(std::string("inline flag '") + f +
                       "' is not supported (only i, m, s, u)",
                   start);
    } else {
      return Error("unknown group extension", start);
    }
    j++;
  }
  if (j >= p_.size()) return Error("unterminated group extension", start);
  if (!kept.empty() && kept.back() == '-') kept.pop_back();
  if (p_[j] == ':') {
    // Scoped: (?flags:...).
    i_ = j + 1;
    depth_++;
    saved_multiline_.push_back(multiline_);
    multiline_ = multiline;
    out->append(kept.empty() ? "(?:" : "(?" + kept + ":");
    repeat_ = Repeat::kNone;
    return Status::OK();
  }
  // (?flags): acts until the end of the enclosing group.
  i_ = j + 1;
  multiline_ = multiline;
  if (!kept.empty()) {
    const std::string group = "(?" + kept + ")";
    out->append(group);
    if (depth_ == 0) top_level_flags_ += group;
  }
  return Status::OK();
}

// At '['. Emits an RE2 character class with the same members.
Status Translator::CharacterSet(std::string* out) {
  const size_t at = i_;
  i_++;
  out->push_back('[');
  if (i_ < p_.size() && p_[i_] == '^') {
    out->push_back('^');
    i_++;
  }
  if (i_ < p_.size() && p_[i_] == ']') {  // a leading ']' is a member
    out->append("\\]");
    i_++;
  }
  while (true) {
    if (i_ >= p_.size()) return Error("unterminated character set", at);
    const char c = p_[i_];
    if (c == ']') {
      out->push_back(']');
      i_++;
      return Status::OK();
    }
    if (c == '\\') {
      PRETOKDB_RETURN_IF_ERROR(Escape(/*in_set=*/true, out));
      continue;
    }
    if (c == '[') {
      const size_t close = p_.find(":]", i_ + 2);
      if (i_ + 1 < p_.size() && p_[i_ + 1] == ':' &&
          close != std::string_view::npos &&
          p_.find(']', i_ + 2) == close + 1) {
        return Error(
            "POSIX class [:name:] is not supported (RE2's are ASCII-only)", i_);
      }
      out->append("\\[");
      i_++;
      continue;
    }
    const size_t n = std::min(Utf8Length(c), p_.size() - i_);
    out->append(p_.substr(i_, n));
    i_ += n;
  }
}

// At '\'. Inside a set, emits class members; outside, an atom or assertion.
Status Translator::Escape(bool in_set, std::string* out) {
  const size_t at = i_;
  if (i_ + 1 >= p_.size()) return Error("trailing backslash", at);
  const char c = p_[i_ + 1];
  i_ += 2;
  if (!in_set) repeat_ = Repeat::kAtom;
  const SpaceBodies& b = Spaces();
  auto set = [&](const std::string& body, bool negated) {
    if (in_set) {
      out->append(body);
    } else {
      out->append(negated ? "[^" : "[");
      out->append(body);
      out->push_back(']');
    }
    return Status::OK();
  };
  auto fixed_hex = [&](size_t digits) {
    if (p_.size() - i_ < digits) {
      return Error(std::string("incomplete escape \\") + c, at);
    }
    char32_t cp = 0;
    for (size_t k = 0; k < digits; k++) {
      const char h = p_[i_ + k];
      if (!IsHex(h)) return Error(std::string("incomplete escape \\") + c, at);
      cp = cp * 16 +
           static_cast<char32_t>(IsDigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    if (cp > 0x10FFFF) return Error("escape above U+10FFFF", at);
    i_ += digits;
    out->append(Hex(cp));
    return Status::OK();
  };
  switch (c) {
    case 's':
      // Python `regex`'s \s, not RE2's ASCII one (which also lacks U+0085,
      // U+00A0, ...).
      return set(b.space, false);
    case 'S':
      // Inside a set a negated class cannot nest, so its complement is
      // spelled out.
      return in_set ? set(b.not_space, false) : set(b.space, true);
    case 'd':
    case 'D':
      // \d is \p{Nd} in `regex` (Unicode patterns), from its own table.
      return CategorySet(MaskOf(GeneralCategory::kNd), c == 'D', in_set, out);
    case 'p':
    case 'P':
      return Property(c == 'P', in_set, at, out);
    case 'w':
    case 'W':
      return Error(
          "\\w and \\W are not supported (RE2's are ASCII-only, Python's "
          "Unicode)",
          at);
    case 'b':
      if (in_set) {  // backspace
        out->append(Hex(0x08));
        return Status::OK();
      }
      return Error("word boundary \\b is not supported (RE2's is ASCII-only)",
                   at);
    case 'B':
      return Error("non-boundary \\B is not supported (RE2's is ASCII-only)",
                   at);
    case 'A':
    case 'Z':
    case 'z':
      if (in_set) return Error(std::string("bad escape \\") + c, at);
      out->append(c == 'A' ? "\\A" : "\\z");
      repeat_ = Repeat::kNone;
      return Status::OK();
    case 'a':
      out->append(Hex(0x07));
      return Status::OK();
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
      out->push_back('\\');
      out->push_back(c);
      return Status::OK();
    case 'x':
      return fixed_hex(2);
    case 'u':
      return fixed_hex(4);
    case 'U':
      return fixed_hex(8);
    case 'N':
      return Error("named character \\N{...} is not supported", at);
    case 'g':
      return Error("backreference \\g<...> is not supported by RE2", at);
    default:
      break;
  }
  if (IsDigit(c)) {
    // Python: \0 and up to two more octal digits, or three octal digits,
    // is a character; any other number is a backreference.
    size_t end = i_;  // after the first digit
    if (c == '0') {
      while (end < p_.size() && end < i_ + 2 && IsOctal(p_[end])) end++;
    } else if (IsOctal(c) && i_ + 1 < p_.size() && IsOctal(p_[i_]) &&
               IsOctal(p_[i_ + 1])) {
      end = i_ + 2;
    } else {
      return Error(
          "backreference \\" + std::string(1, c) + " is not supported by RE2",
          at);
    }
    char32_t cp = static_cast<char32_t>(c - '0');
    for (size_t k = i_; k < end; k++) cp = cp * 8 + (p_[k] - '0');
    if (cp > 0377) return Error("octal escape above \\377", at);
    i_ = end;
    out->append(Hex(cp));
    return Status::OK();
  }
  if (IsAsciiAlnum(c)) {
    return Error(std::string("bad or unsupported escape \\") + c, at);
  }
  if (static_cast<uint8_t>(c) >= 0x80) {
    // An escaped non-ASCII character is the character itself.
    const size_t n = std::min(Utf8Length(c), p_.size() - (i_ - 1));
    out->append(p_.substr(i_ - 1, n));
    i_ += n - 1;
    return Status::OK();
  }
  out->push_back('\\');
  out->push_back(c);
  return Status::OK();
}

// After \p or \P: \pL, \p{L}, \p{^L}.
Status Translator::Property(bool negated, bool in_set, size_t start,
                            std::string* out) {
  std::string name;
  if (i_ < p_.size() && p_[i_] == '{') {
    const size_t close = p_.find('}', i_);
    if (close == std::string_view::npos) {
      return Error("unterminated \\p{...}", start);
    }
    name = std::string(p_.substr(i_ + 1, close - i_ - 1));
    i_ = close + 1;
  } else if (i_ < p_.size() && IsAsciiAlnum(p_[i_])) {
    name = std::string(1, p_[i_]);
    i_++;
  } else {
    return Error("malformed \\p", start);
  }
  if (!name.empty() && name[0] == '^') {
    negated = !negated;
    name.erase(0, 1);
  }
  CategoryMask mask;
  if (!CategoryMaskOf(name.c_str(), &mask)) {
    // Not a general category (a script, say): RE2's own table, and RE2
    // validates the name.
    out->append(negated ? "\\P{" : "\\p{");
    out->append(name);
    out->push_back('}');
    return Status::OK();
  }
  return CategorySet(mask, negated, in_set, out);
}

// Emits the code points of the categories in `mask` (or of all others, if
// negated): a class of its own, or members of the enclosing one.
Status Translator::CategorySet(CategoryMask mask, bool negated, bool in_set,
                               std::string* out) {
  const std::vector<CodeRange> ranges = RangesOf(mask);
  if (in_set) {
    // A negated class cannot nest: its complement is spelled out.
    out->append(ClassBody(negated ? Complement(ranges) : ranges));
  } else if (ranges.empty()) {
    // \p{Cs}: no scalar value; RE2 has no empty class.
    out->append(negated ? "[\\x{0}-\\x{10ffff}]" : "[^\\x{0}-\\x{10ffff}]");
  } else {
    out->append(negated ? "[^" : "[");
    out->append(ClassBody(ranges));
    out->push_back(']');
  }
  return Status::OK();
}

// Parses "{n}", "{n,}", "{,m}", "{n,m}" or "{,}" at i_; on success sets *end
// past it and *normalized to RE2's spelling. Anything else is a literal '{'
// in Python.
bool Translator::ParseBrace(size_t* end, std::string* normalized) const {
  size_t j = i_ + 1;
  std::string lo, hi;
  while (j < p_.size() && IsDigit(p_[j])) lo += p_[j++];
  bool comma = false;
  if (j < p_.size() && p_[j] == ',') {
    comma = true;
    j++;
    while (j < p_.size() && IsDigit(p_[j])) hi += p_[j++];
  }
  if (j >= p_.size() || p_[j] != '}') return false;
  if (!comma && lo.empty()) return false;  // "{}"
  *end = j + 1;
  if (lo.empty()) lo = "0";
  *normalized = "{" + lo + (comma ? "," + hi : "") + "}";
  return true;
}

// At '*', '+', '?' or '{'.
Status Translator::Quantifier(std::string* out) {
  const size_t at = i_;
  const char c = p_[i_];
  std::string spelled(1, c);
  size_t end = i_ + 1;
  if (c == '{' && !ParseBrace(&end, &spelled)) {
    out->append("\\{");  // a literal
    i_++;
    repeat_ = Repeat::kAtom;
    return Status::OK();
  }
  switch (repeat_) {
    case Repeat::kNone:
      return Error("nothing to repeat", at);
    case Repeat::kAtom:
      out->append(spelled);
      repeat_ = Repeat::kQuantifier;
      break;
    case Repeat::kQuantifier:
      if (c == '?') {
        out->push_back('?');
        repeat_ = Repeat::kLazy;
      } else if (c == '+') {
        return Error(
            "possessive quantifier (++, *+, ?+, {m,n}+) is not supported by "
            "RE2",
            at);
      } else {
        return Error("multiple repeat", at);
      }
      break;
    case Repeat::kLazy:
      return Error("multiple repeat", at);
  }
  i_ = end;
  return Status::OK();
}

std::string Truncated(const std::string& s) {
  constexpr size_t kMax = 300;
  return s.size() <= kMax ? s : s.substr(0, kMax) + "...";
}

Status Compile(const std::vector<const std::string*>& alternatives,
               std::unique_ptr<re2::RE2>* out) {
  if (alternatives.empty()) return Status::OK();
  std::string joined;
  for (const std::string* alt : alternatives) {
    if (!joined.empty()) joined += '|';
    joined += "(?:" + *alt + ")";
  }
  re2::RE2::Options options;
  options.set_encoding(re2::RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  // The explicit Unicode classes make large programs; the default 8 MiB
  // would leave the DFA little room and fall back to the slow NFA.
  options.set_max_mem(int64_t{64} << 20);
  auto re = std::make_unique<re2::RE2>(joined, options);
  if (!re->ok()) {
    return Status::InvalidArgument("RE2 rejects the translated pattern",
                                   Truncated(re->error()));
  }
  *out = std::move(re);
  return Status::OK();
}

// Decodes the character at text[i] (i < text.size()); sets *len. Invalid
// UTF-8 (excluded by contract) reads as a one-byte U+FFFD.
char32_t DecodeAt(std::string_view text, size_t i, size_t* len) {
  const auto* u = reinterpret_cast<const uint8_t*>(text.data()) + i;
  const uint32_t b0 = u[0];
  const size_t n = Utf8Length(static_cast<char>(b0));
  if (n == 1 || text.size() - i < n) {
    *len = 1;
    return b0 < 0x80 ? b0 : 0xFFFD;
  }
  *len = n;
  if (n == 2) return ((b0 & 0x1F) << 6) | (u[1] & 0x3F);
  if (n == 3) {
    return ((b0 & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F);
  }
  return ((b0 & 0x07) << 18) | ((u[1] & 0x3F) << 12) | ((u[2] & 0x3F) << 6) |
         (u[3] & 0x3F);
}

bool IsSpace(char32_t cp) { return ClassOf(cp) == CharClass::kSpace; }

}  // namespace

Status Re2Pretokenizer::Create(std::string_view pattern,
                               std::unique_ptr<Re2Pretokenizer>* out) {
  std::vector<Alternative> alts;
  PRETOKDB_RETURN_IF_ERROR(Translator(pattern).Run(&alts));

  std::unique_ptr<Re2Pretokenizer> tok(new Re2Pretokenizer);
  tok->pattern_ = std::string(pattern);
  std::vector<const std::string*> before, after, any;
  for (const Alternative& alt : alts) {
    if (alt.whitespace_lookahead) {
      // A repeated \s+(?!\S) can never match where the first one failed.
      tok->has_ws_lookahead_ = true;
      continue;
    }
    (tok->has_ws_lookahead_ ? after : before).push_back(&alt.re2);
    any.push_back(&alt.re2);
  }
  PRETOKDB_RETURN_IF_ERROR(Compile(before, &tok->before_));
  PRETOKDB_RETURN_IF_ERROR(Compile(after, &tok->after_));
  PRETOKDB_RETURN_IF_ERROR(Compile(any, &tok->any_));
  // finditer would yield empty matches, which are no pretokens. With the
  // constructs accepted here (no \b, lookaround or `$` outside (?m)), a
  // pattern can match the empty string somewhere iff it matches "".
  if (tok->any_ != nullptr && re2::RE2::FullMatch("", *tok->any_)) {
    return Status::InvalidArgument(
        "pattern can match the empty string, which is no pretoken",
        std::string(pattern));
  }
  *out = std::move(tok);
  return Status::OK();
}

Re2Pretokenizer::~Re2Pretokenizer() = default;

bool Re2Pretokenizer::WhitespaceLookaheadAt(std::string_view text, size_t pos,
                                            size_t* end) {
  size_t len;
  if (!IsSpace(DecodeAt(text, pos, &len))) return false;
  size_t last = pos;  // start of the run's last character
  size_t j = pos + len;
  while (j < text.size()) {
    if (!IsSpace(DecodeAt(text, j, &len))) break;
    last = j;
    j += len;
  }
  if (j == text.size()) {
    *end = j;  // (?!\S) holds at the end of the text
    return true;
  }
  if (last == pos) return false;  // one space before a non-space
  *end = last;                    // give up the last character
  return true;
}

bool Re2Pretokenizer::MatchAt(std::string_view text, size_t pos,
                              size_t* end) const {
  const re2::StringPiece subject(text.data(), text.size());
  re2::StringPiece m;
  if (before_ != nullptr && before_->Match(subject, pos, subject.size(),
                                           re2::RE2::ANCHOR_START, &m, 1)) {
    *end = static_cast<size_t>(m.data() + m.size() - text.data());
    return true;
  }
  if (has_ws_lookahead_ && WhitespaceLookaheadAt(text, pos, end)) return true;
  if (after_ != nullptr && after_->Match(subject, pos, subject.size(),
                                         re2::RE2::ANCHOR_START, &m, 1)) {
    *end = static_cast<size_t>(m.data() + m.size() - text.data());
    return true;
  }
  return false;
}

bool Re2Pretokenizer::NextMatch(std::string_view text, size_t pos,
                                size_t* begin, size_t* end) const {
  while (pos < text.size()) {
    size_t start = pos;
    if (!MatchAt(text, pos, end)) {
      // Nothing starts here: find the nearest start of any alternative.
      size_t next = text.size();
      if (any_ != nullptr) {
        const re2::StringPiece subject(text.data(), text.size());
        re2::StringPiece m;
        if (any_->Match(subject, pos, subject.size(), re2::RE2::UNANCHORED, &m,
                        1)) {
          next = static_cast<size_t>(m.data() - text.data());
        }
      }
      if (has_ws_lookahead_) {
        size_t len;
        size_t ws_end;
        for (size_t q = pos; q < next; q += len) {
          DecodeAt(text, q, &len);
          if (WhitespaceLookaheadAt(text, q, &ws_end)) {
            next = q;
            break;
          }
        }
      }
      if (next >= text.size() || !MatchAt(text, next, end)) return false;
      start = next;
    }
    if (*end > start) {
      *begin = start;
      return true;
    }
    // Empty matches are refused by Create(); should one occur anyway, step
    // over a character rather than loop.
    size_t len;
    DecodeAt(text, start, &len);
    pos = start + len;
  }
  return false;
}

}  // namespace pretokdb
