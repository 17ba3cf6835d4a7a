#include "bpe/model_check.h"

#include <cstdint>
#include <string>
#include <unordered_map>

#include "bpe/gpt2_files.h"

namespace pretokdb {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    } else {
      return false;  // a continuation byte, 0xC0/0xC1 (overlong), or 0xF5+
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const uint8_t cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

Status CheckModelForFiles(const BpeModel& model) {
  const size_t k = model.special_tokens.size();
  const size_t n = model.vocab.size();
  if (n != k + 256 + model.merges.size()) {
    return Status::InvalidArgument(
        "the model has " + std::to_string(n) + " tokens, not " +
        std::to_string(k) + " special + 256 bytes + " +
        std::to_string(model.merges.size()) + " merges");
  }
  for (size_t id = 0; id < k; ++id) {
    const std::string& special = model.special_tokens[id];
    if (model.vocab[id] != special) {
      return Status::InvalidArgument("token " + std::to_string(id) +
                                     " is not special token " + std::to_string(id));
    }
    if (special.empty() || !IsValidUtf8(special)) {
      return Status::InvalidArgument("special token " + std::to_string(id) +
                                     " is empty or not UTF-8");
    }
  }
  const std::vector<uint8_t>& order = Gpt2ByteOrder();
  for (size_t b = 0; b < 256; ++b) {
    if (model.vocab[k + b] != std::string(1, static_cast<char>(order[b]))) {
      return Status::InvalidArgument("token " + std::to_string(k + b) +
                                     " is not byte " + std::to_string(order[b]) +
                                     " (GPT-2's byte order)");
    }
  }
  for (size_t m = 0; m < model.merges.size(); ++m) {
    const auto& [left, right] = model.merges[m];
    if (model.vocab[k + 256 + m] != left + right) {
      return Status::InvalidArgument("token " + std::to_string(k + 256 + m) +
                                     " is not the concatenation of merge " +
                                     std::to_string(m));
    }
  }
  // vocab.json and tokenizer.json map each token's string to its id: two
  // ids shown alike (a special token spelled like a learnt token) would be
  // one key. Learnt tokens are distinct as bytes exactly when they are as
  // strings (the byte-level map is one to one), which tiktoken needs too.
  std::unordered_map<std::string, size_t> seen;
  seen.reserve(n);
  for (size_t id = 0; id < n; ++id) {
    auto [it, added] = seen.emplace(Gpt2TokenString(model, id), id);
    if (!added) {
      return Status::InvalidArgument("tokens " + std::to_string(it->second) +
                                     " and " + std::to_string(id) +
                                     " are the same token");
    }
  }
  return Status::OK();
}

}  // namespace pretokdb
