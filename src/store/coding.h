// Endian-neutral encodings of integers and strings, after leveldb
// util/coding.h. Counts and offsets are fixed64 little-endian; keys that must
// sort numerically use big-endian (PutBigEndian64).

#ifndef PRETOKDB_STORE_CODING_H_
#define PRETOKDB_STORE_CODING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pretokdb {

// Writes value as 8 (4) bytes, little-endian, at dst.
void EncodeFixed64(char* dst, uint64_t value);
void EncodeFixed32(char* dst, uint32_t value);
void PutFixed64(std::string* dst, uint64_t value);
void PutFixed32(std::string* dst, uint32_t value);
void PutBigEndian64(std::string* dst, uint64_t value);
void PutVarint64(std::string* dst, uint64_t value);
void PutLengthPrefixed(std::string* dst, std::string_view value);

// Each Get* consumes from the front of *input; false if it is malformed.
bool GetFixed64(std::string_view* input, uint64_t* value);
bool GetBigEndian64(std::string_view* input, uint64_t* value);
bool GetVarint64(std::string_view* input, uint64_t* value);
bool GetLengthPrefixed(std::string_view* input, std::string_view* value);

// A value that must be exactly one fixed64 (a count, an offset).
bool DecodeFixed64Value(std::string_view value, uint64_t* out);

}  // namespace pretokdb

#endif  // PRETOKDB_STORE_CODING_H_
