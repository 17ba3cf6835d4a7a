// GPT-2's byte-level alphabet: each of the 256 byte values shown as one
// printable Unicode character, so that any byte string is a printable
// string (vocab.json, merges.txt and tokenizer.json use it). The bytes that
// are printable in Latin-1 (33-126, 161-172, 174-255) stand for themselves;
// the other 68, in increasing order, become U+0100, U+0101, ...

#ifndef PRETOKDB_BPE_BYTE_LEVEL_H_
#define PRETOKDB_BPE_BYTE_LEVEL_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pretokdb {

// The UTF-8 encoding of the character byte b is shown as.
std::string_view ByteLevelChar(uint8_t b);

// Every byte of `bytes` through ByteLevelChar.
std::string ByteLevelEncode(std::string_view bytes);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_BYTE_LEVEL_H_
