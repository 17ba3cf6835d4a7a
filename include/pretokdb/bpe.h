// Training a byte-level BPE tokenizer from a database's counts.
//
//   std::unique_ptr<pretokdb::CountReader> reader;
//   pretokdb::Status s = pretokdb::CountReader::Open("corpus.db", &reader);
//   pretokdb::BpeOptions options;
//   options.vocab_size = 10000;
//   options.special_tokens = {"<|endoftext|>"};
//   pretokdb::BpeModel model;
//   s = pretokdb::TrainBpe(*reader, options, &model, nullptr);
//
// The rules are those of the usual course-assignment trainer, so that its
// results can be compared exactly:
// - ids 0..k-1 are the special tokens, in the order given; then the 256
//   byte values in the order of GPT-2's bytes-to-unicode table (bytes
//   33-126, 161-172, 174-255, then 0-32, 127-160, 173); then one token per
//   merge, in merge order;
// - each step merges the most frequent adjacent pair of tokens within a
//   pretoken (weighted by the pretoken's count); ties go to the
//   lexicographically greater pair, compared as byte strings, first
//   element then second;
// - merges never cross pretoken boundaries; special tokens never take part.
// Training stops at vocab_size or when no pair is left (BpeStats says so).

#ifndef PRETOKDB_BPE_H_
#define PRETOKDB_BPE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "pretokdb/status.h"

namespace pretokdb {

class CountReader;
struct DbStats;

struct BpeOptions {
  // The vocabulary's size: special tokens + 256 bytes + merges. Must be at
  // least 256 + special_tokens.size() (InvalidArgument otherwise).
  uint64_t vocab_size = 0;
  // Ids 0..k-1, in this order. Callers that want the database's own special
  // tokens pass DbStats::special_tokens.
  std::vector<std::string> special_tokens;
  // Pretokens counted fewer times are left out of training.
  uint64_t min_count = 1;
  // Threads for the initial pair count. 0: one per core.
  int threads = 0;
  // The most memory training may take (bytes; 0: no limit). When the
  // pretokens kept cannot fit, TrainBpe refuses before building anything,
  // with InvalidArgument naming how many there are and suggesting a
  // min_count.
  uint64_t memory_limit = 0;
  // Called from the training thread after each merge with the merges done
  // and the merges asked for (vocab_size - 256 - k). Keep it cheap.
  std::function<void(uint64_t done, uint64_t total)> on_progress;
  // When set and true, training stops at the next merge and returns
  // Status::Aborted (the model holds nothing meaningful then).
  const std::atomic<bool>* stop = nullptr;
  // TrainBpe only: the database's statistics, if the caller has read them
  // already (CountReader::GetStats scans every count: 0.6 s for 4M
  // pretokens); null: TrainBpe reads them. Not owned.
  const DbStats* db_stats = nullptr;
};

struct BpeModel {
  // id -> token bytes. vocab[i] for i < special_tokens.size() is the i-th
  // special token; the next 256 are single bytes in GPT-2 order.
  std::vector<std::string> vocab;
  // Merge i made token vocab[special_tokens.size() + 256 + i] =
  // merges[i].first + merges[i].second.
  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<std::string> special_tokens;
  // The database's pretokenization: "gpt2", "cl100k", "o200k" or "custom",
  // and the regular expression as the Python reference has it (tiktoken's
  // string for the built-in patterns). Tokenizer files need both.
  std::string pattern;
  std::string pattern_regex;
};

struct BpeStats {
  uint64_t words = 0;             // distinct pretokens kept (count >= min_count)
  uint64_t words_dropped = 0;     // distinct pretokens below min_count
  uint64_t merges = 0;            // merges made
  uint64_t merges_requested = 0;  // vocab_size - 256 - special tokens
  bool ran_out_of_pairs = false;  // stopped before vocab_size: no pair left
  uint64_t memory_bytes = 0;      // the trainer's own estimate of its peak
  double read_seconds = 0;        // reading the counts, building words
  double count_seconds = 0;       // the initial pair count
  double merge_seconds = 0;       // the merges
};

// GPT-2's order of the 256 byte values (the ids 1..256 of its bytes-to-unicode
// table): kGpt2ByteOrder()[i] is the byte of base token i.
const std::vector<uint8_t>& Gpt2ByteOrder();

// Trains on every pretoken of `reader` counted at least min_count times.
// `model` gets pattern and pattern_regex from the database. stats may be null.
Status TrainBpe(const CountReader& reader, const BpeOptions& options,
                BpeModel* model, BpeStats* stats);

// Trains on words given in memory (pretoken bytes, count); the same rules.
// Used by TrainBpe and by tests; pattern fields of `model` are left empty.
Status TrainBpeOnWords(std::vector<std::pair<std::string, uint64_t>> words,
                       const BpeOptions& options, BpeModel* model,
                       BpeStats* stats);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_H_
