#include "bpe/tiktoken_files.h"

#include <nlohmann/json.hpp>

#include "bpe/base64.h"

namespace pretokdb {

std::string TiktokenRanks(const BpeModel& model) {
  std::string out;
  for (size_t id = model.special_tokens.size(); id < model.vocab.size(); ++id) {
    out += Base64Encode(model.vocab[id]);
    out += ' ';
    out += std::to_string(id);
    out += '\n';
  }
  return out;
}

std::string TiktokenJson(const BpeModel& model, std::string_view pat_str) {
  nlohmann::ordered_json special = nlohmann::ordered_json::object();
  for (size_t id = 0; id < model.special_tokens.size(); ++id) {
    special[model.special_tokens[id]] = id;
  }
  const nlohmann::ordered_json spec = {{"pat_str", pat_str},
                                       {"special_tokens", std::move(special)}};
  return spec.dump(2) + "\n";
}

}  // namespace pretokdb
