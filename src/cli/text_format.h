// How the CLI writes and reads pretokens and sizes.

#ifndef PRETOKDB_CLI_TEXT_FORMAT_H_
#define PRETOKDB_CLI_TEXT_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pretokdb {

// Lowercase hex of every byte.
std::string ToHex(std::string_view bytes);
// Inverse of ToHex (either case); false on odd length or a non-hex digit.
bool FromHex(std::string_view hex, std::string* bytes);

// The token readable on one line: \t \n \r \\ as two characters, other
// control bytes (0x00-0x1F, 0x7F) as \xHH, every other byte as it is.
std::string EscapeToken(std::string_view bytes);

// "64M" -> 67108864, "1.5G" -> 1610612736. Suffixes K, M, G, T mean
// powers of 1024 (a trailing "B" or "iB" is allowed); no suffix means
// bytes. A decimal part is allowed and the result rounded down to whole
// bytes. False if malformed, too large for 64 bits, or 0.
bool ParseSize(std::string_view text, uint64_t* bytes);

// The smallest --memory-limit that index and train-bpe accept.
constexpr uint64_t kMinMemoryLimit = 64 << 10;

// Empty if text is a valid --memory-limit (ParseSize, at least
// kMinMemoryLimit); otherwise what is wrong and what is accepted, for the
// option's validator (a malformed command line).
std::string MemoryLimitError(std::string_view text);

// 67108864 -> "64.0 MiB".
std::string FormatBytes(uint64_t bytes);

}  // namespace pretokdb

#endif  // PRETOKDB_CLI_TEXT_FORMAT_H_
