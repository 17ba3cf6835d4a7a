#include "bpe/hf_tokenizer_json.h"

#include <nlohmann/json.hpp>

#include "bpe/gpt2_files.h"

namespace pretokdb {

namespace {

using Json = nlohmann::ordered_json;  // fields in the order written here

// The fields the library writes for ByteLevel (tokenizers 0.23). As a
// pre-tokenizer, add_prefix_space is off (GPT-2 and tiktoken put no space
// before the text); trim_offsets only concerns a post-processor.
Json ByteLevel(bool use_regex) {
  return Json{{"type", "ByteLevel"},
              {"add_prefix_space", false},
              {"trim_offsets", true},
              {"use_regex", use_regex}};
}

Json PreTokenizer(const HfPretokenization& p) {
  if (p.byte_level_regex) return ByteLevel(true);
  Json split = {{"type", "Split"},
                {"pattern", {{"Regex", p.split_regex}}},
                {"behavior", "Isolated"},
                {"invert", false}};
  return Json{{"type", "Sequence"},
              {"pretokenizers", Json::array({split, ByteLevel(false)})}};
}

Json AddedTokens(const BpeModel& model) {
  Json tokens = Json::array();
  for (size_t id = 0; id < model.special_tokens.size(); ++id) {
    tokens.push_back({{"id", id},
                      {"content", model.special_tokens[id]},
                      {"single_word", false},
                      {"lstrip", false},
                      {"rstrip", false},
                      {"normalized", false},
                      {"special", true}});
  }
  return tokens;
}

Json BpeModelJson(const BpeModel& model) {
  // Merges as "left right" strings, as merges.txt has them: every version
  // of the library reads these (the [left, right] arrays it writes since
  // 0.20 are refused by older ones).
  Json merges = Json::array();
  for (size_t m = 0; m < model.merges.size(); ++m) {
    merges.push_back(Gpt2MergeLine(model, m));
  }
  return Json{{"type", "BPE"},
              {"dropout", nullptr},
              {"unk_token", nullptr},
              {"continuing_subword_prefix", nullptr},
              {"end_of_word_suffix", nullptr},
              {"fuse_unk", false},
              {"byte_fallback", false},
              // Every word goes through the merges, as the trainer's words
              // did (true would take a word found whole in vocab as is).
              {"ignore_merges", false},
              {"vocab", Gpt2VocabObject(model)},
              {"merges", std::move(merges)}};
}

}  // namespace

std::string HfTokenizerJson(const BpeModel& model,
                            const HfPretokenization& pretokenization) {
  const Json tokenizer = {{"version", "1.0"},
                          {"truncation", nullptr},
                          {"padding", nullptr},
                          {"added_tokens", AddedTokens(model)},
                          {"normalizer", nullptr},
                          {"pre_tokenizer", PreTokenizer(pretokenization)},
                          {"post_processor", nullptr},
                          {"decoder", ByteLevel(true)},
                          {"model", BpeModelJson(model)}};
  return tokenizer.dump(2) + "\n";
}

}  // namespace pretokdb
