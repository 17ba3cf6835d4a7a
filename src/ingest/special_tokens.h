// Finds the special tokens that separate documents, with the semantics of
// Python's regex.split("|".join(escaped tokens sorted longest first), text):
// the leftmost occurrence wins, and of those starting at the same byte the
// longest; the search resumes after it.
//
// Matching raw bytes is the same as matching the decoded text: a token is
// valid UTF-8, so its first byte is never the continuation of an ill-formed
// sequence before it. (A token containing U+FFFD itself would also match
// replaced bytes in Python; such tokens are refused by the CLI.)
//
// Thread-safe after construction (const).

#ifndef PRETOKDB_INGEST_SPECIAL_TOKENS_H_
#define PRETOKDB_INGEST_SPECIAL_TOKENS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pretokdb {

class SpecialTokens {
 public:
  // Empty tokens are ignored.
  explicit SpecialTokens(std::vector<std::string> tokens);

  bool empty() const { return tokens_.empty(); }
  // Length of the longest token (0 if none).
  size_t max_length() const { return max_length_; }

  struct Match {
    size_t pos;  // offset in the searched text
    size_t len;  // 0: none found
  };

  // Appends to *out every separator of text, in order, as a scan from
  // text's first byte finds them. Occurrences that would run past the end
  // of text are not found.
  void FindAll(std::string_view text, std::vector<Match>* out) const;

  // True if some occurrence of a token (chosen or not) starts before q and
  // ends after it, i.e. contains bytes on both sides of the cut q. Looks at
  // text[q - max_length + 1, q + max_length - 1); the caller ensures those
  // bytes are in text or beyond its ends.
  bool Spans(std::string_view text, size_t q) const;

 private:
  std::vector<std::string> tokens_;  // longest first
  size_t max_length_ = 0;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_SPECIAL_TOKENS_H_
