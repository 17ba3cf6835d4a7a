#include "bpe/word_table.h"

namespace pretokdb {

void WordTable::Reserve(uint64_t words, uint64_t bytes) {
  tokens_.reserve(bytes);
  words_.reserve(words);
}

void WordTable::Add(std::string_view bytes, uint64_t count) {
  words_.push_back(Word{count, tokens_.size(), bytes.size()});
  for (unsigned char c : bytes) tokens_.push_back(c);
}

uint64_t WordTable::memory_bytes() const {
  return tokens_.capacity() * sizeof(TokenId) + words_.capacity() * sizeof(Word);
}

uint64_t WordTable::MemoryFor(uint64_t words, uint64_t bytes) {
  return bytes * sizeof(TokenId) + words * sizeof(Word);
}

}  // namespace pretokdb
