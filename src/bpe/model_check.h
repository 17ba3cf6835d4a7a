// What a BpeModel must be before it is written as tokenizer files: the
// layout that bpe.h describes (special tokens, the 256 bytes in GPT-2's
// order, one token per merge), every token distinct in every file's terms,
// and text fields that JSON can carry.

#ifndef PRETOKDB_BPE_MODEL_CHECK_H_
#define PRETOKDB_BPE_MODEL_CHECK_H_

#include <string_view>

#include "pretokdb/bpe.h"
#include "pretokdb/status.h"

namespace pretokdb {

// InvalidArgument naming the first id (or merge) that is wrong.
Status CheckModelForFiles(const BpeModel& model);

// Whether s is well-formed UTF-8 (no overlong forms, surrogates or code
// points above U+10FFFF): JSON strings must be.
bool IsValidUtf8(std::string_view s);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_MODEL_CHECK_H_
