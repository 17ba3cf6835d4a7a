// Copyright (c) pretok-db authors.
//
// Which byte positions of raw input a chunk may be cut at without changing
// any pretoken: a property of the pattern (text/pattern.h), used by the
// safe-cut search (text/safe_cut.h).

#ifndef PRETOKDB_TEXT_CUT_RULE_H_
#define PRETOKDB_TEXT_CUT_RULE_H_

namespace pretokdb {

enum class CutRule {
  kGpt2,      // the GPT-2 pattern (also r50k, p50k)
  kTiktoken,  // cl100k_base and o200k_base: one rule safe for both
  kNone,      // any other pattern: only special tokens cut
};

}  // namespace pretokdb

#endif  // PRETOKDB_TEXT_CUT_RULE_H_
