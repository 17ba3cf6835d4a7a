#include "cli/text_format.h"

#include <cctype>
#include <cstdio>
#include <limits>

namespace pretokdb {

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string ToHex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHexDigits[c >> 4]);
    out.push_back(kHexDigits[c & 15]);
  }
  return out;
}

bool FromHex(std::string_view hex, std::string* bytes) {
  if (hex.size() % 2 != 0) return false;
  bytes->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

std::string EscapeToken(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out.push_back(kHexDigits[c >> 4]);
          out.push_back(kHexDigits[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

bool ParseSize(std::string_view text, uint64_t* bytes) {
  size_t i = 0;
  uint64_t whole = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    uint64_t digit = text[i] - '0';
    if (whole > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    whole = whole * 10 + digit;
    ++i;
  }
  if (i == 0) return false;
  // An optional decimal part: numerator / denominator, at most 18 digits
  // kept (finer than a byte at any suffix).
  uint64_t numerator = 0, denominator = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t first = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (i - first < 18) {
        numerator = numerator * 10 + (text[i] - '0');
        denominator *= 10;
      }
      ++i;
    }
    if (i == first) return false;
  }
  std::string_view suffix = text.substr(i);
  int shift = 0;
  if (!suffix.empty()) {
    switch (std::toupper(static_cast<unsigned char>(suffix[0]))) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      case 'B': shift = 0; break;
      default: return false;
    }
    std::string_view rest = suffix.substr(1);
    if (std::toupper(static_cast<unsigned char>(suffix[0])) == 'B') {
      if (!rest.empty()) return false;
    } else if (!(rest.empty() || rest == "B" || rest == "b" || rest == "iB" ||
                 rest == "ib")) {
      return false;
    }
  }
  if (whole > (std::numeric_limits<uint64_t>::max() >> shift)) return false;
  // Rounded down to whole bytes; numerator < denominator <= 10^18 < 2^60,
  // so the product fits in 128 bits.
  uint64_t fraction = static_cast<uint64_t>(
      (static_cast<unsigned __int128>(numerator) << shift) / denominator);
  uint64_t value = whole << shift;
  if (value > std::numeric_limits<uint64_t>::max() - fraction) return false;
  value += fraction;
  if (value == 0) return false;
  *bytes = value;
  return true;
}

std::string MemoryLimitError(std::string_view text) {
  uint64_t bytes = 0;
  const bool parsed = ParseSize(text, &bytes);
  if (parsed && bytes >= kMinMemoryLimit) return "";
  std::string message = "'";
  message.append(text);
  message.append(parsed ? "' is less than 64K" : "' is not a size");
  message.append(
      ": a size is a number, a decimal part allowed, with an optional K, M, G "
      "or T (powers of 1024), at least 64K, e.g. 512M or 1.5G");
  return message;
}

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace pretokdb
