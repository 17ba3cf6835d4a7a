// GPT-2's vocab.json and merges.txt, as OpenAI released them and Hugging
// Face's tokenizers reads them (BPE.from_file): every token shown through
// the byte-level alphabet (byte_level.h), special tokens as themselves.

#ifndef PRETOKDB_BPE_GPT2_FILES_H_
#define PRETOKDB_BPE_GPT2_FILES_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "pretokdb/bpe.h"

namespace pretokdb {

// How token `id` is written in vocab.json, merges.txt and tokenizer.json:
// a special token as its text, any other through the byte-level alphabet.
std::string Gpt2TokenString(const BpeModel& model, size_t id);

// The vocabulary as a JSON object, {"<token>": id, ...} in id order. The
// model must have passed CheckModelForFiles (no two keys alike).
nlohmann::ordered_json Gpt2VocabObject(const BpeModel& model);

// {"<token>": id, ...} on one line, in id order. The model must have passed
// CheckModelForFiles.
std::string Gpt2VocabJson(const BpeModel& model);

// "#version: 0.2", then one merge a line in merge order: the two tokens'
// byte-level strings, separated by a space (which no byte-level string
// holds: the space byte is shown as U+0120).
std::string Gpt2MergesTxt(const BpeModel& model);

// One merge as merges.txt and tokenizer.json write it: "left right".
std::string Gpt2MergeLine(const BpeModel& model, size_t merge);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_GPT2_FILES_H_
