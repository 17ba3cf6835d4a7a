// Copyright (c) pretok-db authors.
//
// Pretokenization with any pattern RE2 can run: the path for user patterns,
// and a second opinion on the hand-written scanners of the built-in ones
// (text/gpt2_scanner.h, cl100k_scanner.h, o200k_scanner.h). For a pattern
// P, Scan() yields exactly the matches of the Python reference
// regex.finditer(P, text) (docs/DESIGN.md), for patterns in the subset
// described below.
//
// The pattern is written in Python `regex` syntax (VERSION0, the default)
// and translated to RE2 so that it means the same thing:
//   - \s and \S are the `regex` module's White_Space set (text/char_class.h),
//     not RE2's ASCII \s. General categories, \p{L}, \pL, \p{Lu}, \p{M},
//     \p{Nd}, \p{Lowercase_Letter}, \p{gc=Lo}, ... (text/general_category.h
//     lists the names), their negations \P{..} and \p{^..}, and \d (which is
//     \p{Nd}) are the `regex` module's sets, taken from tables generated
//     from it like the scanner's, not RE2's own (older) Unicode tables. Other
//     \p{...} classes (scripts) are RE2's: they may differ from Python's on
//     characters assigned in recent Unicode versions.
//   - A top-level alternative that is exactly \s+(?!\S) is emulated (RE2 has
//     no lookahead): at a position where it is tried, a whitespace run that
//     reaches the end of the text matches whole; one followed by a non-space
//     matches without its last character if it has two or more, and fails
//     otherwise. The alternatives before and after it are tried in order
//     around it, as the backtracking matcher does.
//   - \uXXXX, \UXXXXXXXX, \xhh, octal escapes and `{,n}` are rewritten;
//     inline flags i, m, s (and the no-op u) keep Python's scoping.
//   - Case-insensitive matching is RE2's simple case folding. It equals
//     `regex`'s for every character but ten: `regex` also matches U+0130
//     for i and U+0131 for I (Turkish dotted and dotless i), and folds
//     U+0390 with U+1FD3, U+03B0 with U+1FE3, U+FB05 with U+FB06 (RE2
//     20220601 does not). Not corrected: no built-in pattern has these in
//     a case-insensitive part (those hold only contraction letters; s also
//     matches U+017F in both).
// Refused with InvalidArgument, naming the construct: any other lookaround,
// backreferences, possessive quantifiers, atomic groups, conditionals,
// recursion, branch reset; constructs RE2 would accept with another meaning
// (\w, \W, \b, \B, POSIX [[:alpha:]], `$` outside (?m), which in Python also
// matches before a final "\n"); flags other than i, m, s, u; a pattern that
// can match the empty string (no pretoken is empty); anything RE2 rejects.
//
// Thread-safe: after Create(), all methods are const and may run
// concurrently.

#ifndef PRETOKDB_TEXT_RE2_PRETOKENIZER_H_
#define PRETOKDB_TEXT_RE2_PRETOKENIZER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pretokdb/status.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace pretokdb {

class Re2Pretokenizer {
 public:
  // Translates and compiles `pattern`. On success stores the pretokenizer in
  // *out; otherwise returns InvalidArgument whose message names the
  // offending construct, and leaves *out unchanged.
  static Status Create(std::string_view pattern,
                       std::unique_ptr<Re2Pretokenizer>* out);

  Re2Pretokenizer(const Re2Pretokenizer&) = delete;
  Re2Pretokenizer& operator=(const Re2Pretokenizer&) = delete;
  ~Re2Pretokenizer();

  // Calls sink(std::string_view token) for each match of the pattern in
  // [p, limit), in order; tokens point into [p, limit). Text that no match
  // covers is skipped, as finditer skips it (the GPT-2 pattern covers all).
  //
  // REQUIRES: [p, limit) is valid UTF-8 and one document.
  template <typename Sink>
  void Scan(const char* p, const char* limit, Sink&& sink) const {
    const std::string_view text(p, static_cast<size_t>(limit - p));
    size_t pos = 0;
    size_t begin;
    size_t end;
    while (NextMatch(text, pos, &begin, &end)) {
      sink(text.substr(begin, end - begin));
      pos = end;
    }
  }

  void Scan(std::string_view text,
            const std::function<void(std::string_view)>& sink) const {
    Scan(text.data(), text.data() + text.size(), sink);
  }

  // The pattern as given to Create().
  const std::string& pattern() const { return pattern_; }

 private:
  Re2Pretokenizer() = default;

  // Finds the first match that starts at or after pos (a character
  // boundary) and stores its bounds in [*begin, *end), non-empty. Returns
  // false if there is none.
  bool NextMatch(std::string_view text, size_t pos, size_t* begin,
                 size_t* end) const;

  // Stores in *end the end of the match that starts exactly at pos, if any.
  bool MatchAt(std::string_view text, size_t pos, size_t* end) const;

  // The \s+(?!\S) alternative, emulated: true if it matches at pos.
  static bool WhitespaceLookaheadAt(std::string_view text, size_t pos,
                                    size_t* end);

  std::string pattern_;
  // The alternatives before the emulated \s+(?!\S) one, those after it, and
  // all but it (to find where the next match starts). Any may be null.
  std::unique_ptr<re2::RE2> before_;
  std::unique_ptr<re2::RE2> after_;
  std::unique_ptr<re2::RE2> any_;
  bool has_ws_lookahead_ = false;
};

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_RE2_PRETOKENIZER_H_
