#include "bpe/gpt2_files.h"

#include <utility>

#include "bpe/byte_level.h"

namespace pretokdb {

std::string Gpt2TokenString(const BpeModel& model, size_t id) {
  if (id < model.special_tokens.size()) return model.vocab[id];
  return ByteLevelEncode(model.vocab[id]);
}

nlohmann::ordered_json Gpt2VocabObject(const BpeModel& model) {
  // ordered_json keeps the entries in id order (plain json would sort the
  // keys). Its object is a vector of entries, filled here as a vector:
  // inserting key by key would first look for each key among all those
  // before it, quadratic in the vocabulary (2 s for 30,000 tokens).
  nlohmann::ordered_json::object_t entries;
  entries.reserve(model.vocab.size());
  for (size_t id = 0; id < model.vocab.size(); ++id) {
    entries.emplace_back(Gpt2TokenString(model, id), id);
  }
  return nlohmann::ordered_json(std::move(entries));
}

std::string Gpt2VocabJson(const BpeModel& model) {
  return Gpt2VocabObject(model).dump() + "\n";
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
