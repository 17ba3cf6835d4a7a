// tiktoken's files: the ranks file that tiktoken.load.load_tiktoken_bpe
// reads (base64 of a token's bytes, a space, its rank, one token a line)
// and tiktoken.json beside it with the other two arguments its Encoding
// takes, pat_str and special_tokens (text -> id):
//
//   ranks = tiktoken.load.load_tiktoken_bpe("tokenizer.tiktoken")
//   spec = json.load(open("tiktoken.json"))
//   enc = tiktoken.Encoding("mine", pat_str=spec["pat_str"],
//                           mergeable_ranks=ranks,
//                           special_tokens=spec["special_tokens"])
//
// A token's rank is its id. tiktoken merges the adjacent pair whose
// concatenation has the lowest rank and encodes a token as its rank, so
// ranks need only be ordered as the merges were made; they need not start
// at 0 nor be contiguous, and the special tokens' ids (0..k-1, below every
// rank) collide with none. So tiktoken's ids are the model's ids.

#ifndef PRETOKDB_BPE_TIKTOKEN_FILES_H_
#define PRETOKDB_BPE_TIKTOKEN_FILES_H_

#include <string>
#include <string_view>

#include "pretokdb/bpe.h"

namespace pretokdb {

// Every token but the special ones, in id order. The model must have passed
// CheckModelForFiles.
std::string TiktokenRanks(const BpeModel& model);

// {"pat_str": ..., "special_tokens": {...}}, pat_str being tiktoken's own
// pattern (tiktoken reads possessive quantifiers and `$` as Python does).
std::string TiktokenJson(const BpeModel& model, std::string_view pat_str);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_TIKTOKEN_FILES_H_
