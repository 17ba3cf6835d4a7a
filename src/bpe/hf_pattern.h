// How Hugging Face tokenizers is to cut text into the pretokens that
// pretok-db counted.
//
// tokenizers runs regular expressions on Oniguruma (Ruby syntax), which
// reads some of tiktoken's syntax otherwise than tiktoken and Python's
// `regex` do:
// - `X{m,n}+` is X{m,n} repeated (Ruby has no possessive interval), so
//   cl100k's `\p{N}{1,3}+` would take any run of digits, not three at most;
// - `$` holds before every newline (Ruby's `$` is always multi-line), not
//   only at the end of the text or before a final newline. (In cl100k's
//   `\s++$` that does no harm: the possessive run leaves no newline after
//   it. A plain `\s+$` would stop before any newline.)
// Its `?+`, `*+`, `++` are possessive, as in tiktoken. Even so cl100k is
// given to it in a form with plain quantifiers only and `\z` for `$`, one
// that any backtracking engine reads as tiktoken reads the original
// (hf_pattern.cc shows why each rewrite is exact;
// tests/e2e/test_tokenizer_files.py shows the original cutting digits
// otherwise in tokenizers 0.23). GPT-2's pattern is ByteLevel's own regex,
// the same expression; o200k has none of those constructs.

#ifndef PRETOKDB_BPE_HF_PATTERN_H_
#define PRETOKDB_BPE_HF_PATTERN_H_

#include <string>
#include <string_view>

namespace pretokdb {

// The tiktoken pattern that a model's pattern fields mean: pattern_regex if
// given, else the built-in pattern named (empty if neither).
std::string TiktokenPattern(std::string_view name, std::string_view regex);

struct HfPretokenization {
  // GPT-2's pattern: ByteLevel with use_regex, no Split.
  bool byte_level_regex = false;
  // Otherwise the pattern of a Split (Isolated) before ByteLevel.
  std::string split_regex;
  // Not empty when Oniguruma may read split_regex otherwise than Python's
  // `regex` (a pattern of the user's, passed on as given).
  std::string warning;
};

// For a tiktoken pattern (TiktokenPattern's result).
HfPretokenization HfPretokenizationFor(std::string_view tiktoken_pattern);

// cl100k's pattern as Oniguruma reads it the way tiktoken reads the
// original.
std::string_view Cl100kForOniguruma();

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_HF_PATTERN_H_
