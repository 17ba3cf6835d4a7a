#include "ingest/json_unescape.h"

#include <cstdint>

namespace pretokdb {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The 4 hex digits at p (p + 4 <= limit checked by the caller), or -1.
int32_t Hex4(const char* p) {
  int32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const int d = HexDigit(p[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool IsHighSurrogate(int32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool IsLowSurrogate(int32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

}  // namespace

bool UnescapeJsonString(const char* p, const char* limit, std::string* out,
                        const char** end) {
  while (p < limit) {
    const char* run = p;
    while (p < limit && *p != '"' && *p != '\\' &&
           static_cast<unsigned char>(*p) >= 0x20) {
      ++p;
    }
    out->append(run, p - run);
    if (p == limit) return false;
    if (*p == '"') {
      if (end != nullptr) *end = p + 1;
      return true;
    }
    if (*p != '\\') return false;  // a raw control character
    if (limit - p < 2) return false;
    const char e = p[1];
    p += 2;
    switch (e) {
      case '"': out->push_back('"'); continue;
      case '\\': out->push_back('\\'); continue;
      case '/': out->push_back('/'); continue;
      case 'b': out->push_back('\b'); continue;
      case 'f': out->push_back('\f'); continue;
      case 'n': out->push_back('\n'); continue;
      case 'r': out->push_back('\r'); continue;
      case 't': out->push_back('\t'); continue;
      case 'u': break;
      default: return false;
    }
    if (limit - p < 4) return false;
    const int32_t u = Hex4(p);
    if (u < 0) return false;
    p += 4;
    if (IsHighSurrogate(u) && limit - p >= 6 && p[0] == '\\' && p[1] == 'u') {
      // A pair only if the next escape is a low surrogate; otherwise that
      // escape is decoded on its own (as Python does), after U+FFFD.
      const int32_t low = Hex4(p + 2);
      if (low >= 0 && IsLowSurrogate(low)) {
        AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), out);
        p += 6;
        continue;
      }
    }
    AppendUtf8(IsHighSurrogate(u) || IsLowSurrogate(u) ? 0xFFFD : u, out);
  }
  return false;
}

}  // namespace pretokdb
