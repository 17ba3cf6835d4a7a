// tokenizer.json for Hugging Face tokenizers (Tokenizer.from_file): a BPE
// model over the byte-level alphabet, the pretokenization of hf_pattern.h,
// a ByteLevel decoder, and the special tokens.
//
// The special tokens are in the model's vocab at their ids and again in
// added_tokens (special, not normalized) with the same ids. Both are
// needed: the loader gives an added token the id the model has for its
// text and, for one the model lacks, whatever id added_tokens says, the
// model's size (its number of entries) and up: with the special tokens
// missing from vocab, the ids of the last learnt tokens (tokenizers 0.23;
// tests/e2e/test_tokenizer_files.py shows it).

#ifndef PRETOKDB_BPE_HF_TOKENIZER_JSON_H_
#define PRETOKDB_BPE_HF_TOKENIZER_JSON_H_

#include <string>

#include "bpe/hf_pattern.h"
#include "pretokdb/bpe.h"

namespace pretokdb {

// The model must have passed CheckModelForFiles.
std::string HfTokenizerJson(const BpeModel& model,
                            const HfPretokenization& pretokenization);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_HF_TOKENIZER_JSON_H_
