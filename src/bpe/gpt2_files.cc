#include "bpe/gpt2_files.h"

#include <nlohmann/json.hpp>

#include "bpe/byte_level.h"

namespace pretokdb {

std::string Gpt2TokenString(const BpeModel& model, size_t id) {
  if (id < model.special_tokens.size()) return model.vocab[id];
  return ByteLevelEncode(model.vocab[id]);
}

std::string Gpt2VocabJson(const BpeModel& model) {
  // ordered_json keeps insertion (id) order; plain json would sort the keys.
  nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
  for (size_t id = 0; id < model.vocab.size(); ++id) {
    vocab[Gpt2TokenString(model, id)] = id;
  }
  return vocab.dump() + "\n";
}

std::string Gpt2MergeLine(const BpeModel& model, size_t merge) {
  const auto& [left, right] = model.merges[merge];
  return ByteLevelEncode(left) + " " + ByteLevelEncode(right);
}

std::string Gpt2MergesTxt(const BpeModel& model) {
  std::string out = "#version: 0.2\n";
  for (size_t m = 0; m < model.merges.size(); ++m) {
    out += Gpt2MergeLine(model, m);
    out += '\n';
  }
  return out;
}

}  // namespace pretokdb
