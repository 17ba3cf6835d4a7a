#include "bpe/hf_pattern.h"

#include "pretokdb/options.h"

namespace pretokdb {

namespace {

// cl100k's alternatives, rewritten one by one. Each alternative is tried
// where the last match ended, and the first that matches wins, so two
// forms are equivalent when each alternative matches the same text as its
// original at every position (or fails where it fails). A quantifier last
// in its alternative can be greedy instead of possessive: the alternative
// ends with it, so nothing after it could make the engine give a character
// back.
//
//   [^\r\n\p{L}\p{N}]?+\p{L}++  ->  [^\r\n\p{L}\p{N}]?\p{L}+
//       `\p{L}+` ends the alternative. The optional character is never a
//       letter, so giving it back cannot let `\p{L}+` match where it did
//       not: the greedy form fails where the possessive one fails.
//   \p{N}{1,3}+  ->  \p{N}{1,3}
//       Ends the alternative. (Oniguruma reads the original as
//       `(?:\p{N}{1,3})+`: any number of digits.)
//   ' ?[^\s\p{L}\p{N}]++[\r\n]*+'  ->  ' ?[^\s\p{L}\p{N}]+[\r\n]*'
//       `[\r\n]*` ends the alternative; what precedes it is followed only
//       by something that matches the empty string, so is never given
//       back.
//   \s++$  ->  \s+\z
//       `\s++` takes the whole run of white space, newlines included, so
//       the original's `$` (Python's: the end, or before a newline that
//       ends the text) can only hold at the very end: the run reaches the
//       end of the text. So does `\s+\z` (giving back characters cannot
//       reach the end). `\s+$` would not do in Oniguruma, whose `$`
//       holds before any newline.
constexpr std::string_view kCl100kOniguruma =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3})"
    R"(| ?[^\s\p{L}\p{N}]+[\r\n]*|\s+\z|\s*[\r\n]|\s+(?!\S)|\s)";

}  // namespace

std::string_view Cl100kForOniguruma() { return kCl100kOniguruma; }

std::string TiktokenPattern(std::string_view name, std::string_view regex) {
  if (!regex.empty()) return std::string(regex);
  return std::string(BuiltinPatternRegex(name));
}

HfPretokenization HfPretokenizationFor(std::string_view tiktoken_pattern) {
  HfPretokenization hf;
  if (tiktoken_pattern == BuiltinPatternRegex("gpt2")) {
    // ByteLevel's regex is `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+|
    // ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`: GPT-2's, the contractions spelled
    // out.
    hf.byte_level_regex = true;
  } else if (tiktoken_pattern == BuiltinPatternRegex("cl100k")) {
    hf.split_regex = kCl100kOniguruma;
  } else if (tiktoken_pattern == BuiltinPatternRegex("o200k")) {
    // No possessive quantifier, no `$`: Oniguruma reads it as it is.
    hf.split_regex = tiktoken_pattern;
  } else {
    hf.split_regex = tiktoken_pattern;
    hf.warning =
        "tokenizer.json and tiktoken.json hold the pattern as given; Hugging "
        "Face tokenizers (Oniguruma) and tiktoken may read it otherwise than "
        "pretok-db and Python's regex do, and cut text into other pretokens";
  }
  return hf;
}

}  // namespace pretokdb
