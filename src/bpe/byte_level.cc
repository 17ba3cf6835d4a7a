#include "bpe/byte_level.h"

#include <array>
#include <vector>

#include "pretokdb/bpe.h"

namespace pretokdb {

namespace {

bool PrintableInLatin1(int b) {
  return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
}

std::string Utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else {  // every code point here is below U+0800
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

struct Alphabet {
  std::vector<uint8_t> order;          // GPT-2's ids 0..255
  std::array<std::string, 256> chars;  // byte -> UTF-8 of its character

  Alphabet() {
    for (int b = 0; b < 256; ++b) {
      if (PrintableInLatin1(b)) {
        order.push_back(static_cast<uint8_t>(b));
        chars[b] = Utf8(b);
      }
    }
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      if (!PrintableInLatin1(b)) {
        order.push_back(static_cast<uint8_t>(b));
        chars[b] = Utf8(next++);
      }
    }
  }
};

const Alphabet& TheAlphabet() {
  static const Alphabet* alphabet = new Alphabet();
  return *alphabet;
}

}  // namespace

const std::vector<uint8_t>& Gpt2ByteOrder() { return TheAlphabet().order; }

std::string_view ByteLevelChar(uint8_t b) { return TheAlphabet().chars[b]; }

std::string ByteLevelEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) out += ByteLevelChar(c);
  return out;
}

}  // namespace pretokdb
