// Writing a trained BPE model as the files that tokenizer libraries load.
//
// Into one directory:
// - vocab.json, merges.txt: GPT-2's format (token bytes shown through its
//   bytes-to-unicode map; merges.txt starts with "#version: 0.2");
// - tokenizer.json: Hugging Face tokenizers (BPE model, ByteLevel
//   pre-tokenizer or a Split on the pattern, ByteLevel decoder, the special
//   tokens as added tokens at their ids);
// - tokenizer.tiktoken, tiktoken.json: tiktoken's ranks file and the other
//   two arguments of its Encoding (pat_str, special_tokens).
// Each file is written to a temporary name in the directory and renamed, so
// a failure leaves no half-written file under a final name.

#ifndef PRETOKDB_TOKENIZER_FILES_H_
#define PRETOKDB_TOKENIZER_FILES_H_

#include <string>
#include <vector>

#include "pretokdb/bpe.h"
#include "pretokdb/status.h"

namespace pretokdb {

// Creates out_dir (and missing parents) if needed. *warnings (may be null)
// gets what a user should know, e.g. that a custom pattern may be read
// differently by other regular-expression engines.
Status WriteTokenizerFiles(const BpeModel& model, const std::string& out_dir,
                           std::vector<std::string>* warnings);

}  // namespace pretokdb

#endif  // PRETOKDB_TOKENIZER_FILES_H_
