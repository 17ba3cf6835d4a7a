// TrainBpe and TrainBpeOnWords: the words read and built once
// (word_table.h), the first pair count (initial_pairs.h), then one merge at
// a time: the best pair from a lazy heap (pair_queue.h), merged in only the
// words its list names (pair_table.h), the changes to other pairs summed
// (pair_deltas.h) and applied once each.
//
// Inside the trainer a token's id is its byte value for the 256 single
// bytes and 256 + i for the token of merge i; BpeModel's ids (special
// tokens first, bytes in GPT-2's order) are made only at the end.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "bpe/initial_pairs.h"
#include "bpe/pair_deltas.h"
#include "bpe/pair_queue.h"
#include "bpe/pair_table.h"
#include "bpe/pretoken_buffer.h"
#include "bpe/run_in_threads.h"
#include "bpe/training_memory.h"
#include "bpe/word_table.h"
#include "pretokdb/bpe.h"
#include "pretokdb/reader.h"

namespace pretokdb {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Words are numbered by 32-bit ids, tokens too.
constexpr uint64_t kMaxWords = uint64_t{1} << 32;
constexpr uint64_t kMaxVocabSize = uint64_t{1} << 31;
// How often reading checks the stop flag.
constexpr uint64_t kStopCheckWords = 1 << 16;

Status CheckOptions(const BpeOptions& options) {
  std::unordered_set<std::string> seen;
  for (const std::string& t : options.special_tokens) {
    if (t.empty()) return Status::InvalidArgument("special token", "empty");
    if (!seen.insert(t).second) {
      return Status::InvalidArgument("special token '" + t + "'", "given twice");
    }
  }
  const uint64_t base = 256 + options.special_tokens.size();
  if (options.vocab_size < base) {
    return Status::InvalidArgument(
        "vocab size " + std::to_string(options.vocab_size),
        "must be at least 256 + the " +
            std::to_string(options.special_tokens.size()) +
            " special tokens = " + std::to_string(base));
  }
  if (options.vocab_size > kMaxVocabSize) {
    return Status::InvalidArgument("vocab size " + std::to_string(options.vocab_size),
                                   "must be at most 2^31");
  }
  return Status::OK();
}

int ThreadCount(const BpeOptions& options) {
  if (options.threads > 0) return options.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

bool StopRequested(const BpeOptions& options) {
  return options.stop != nullptr && options.stop->load(std::memory_order_relaxed);
}

Status Stopped() { return Status::Aborted("training stopped on request"); }

uint64_t MinCount(const BpeOptions& options) {
  return std::max<uint64_t>(options.min_count, 1);
}

// A merge visiting at least this many words is split between threads.
constexpr uint32_t kParallelMergeWords = 1 << 15;
// How far ahead of the word being merged its successors are prefetched:
// the record first, the tokens (whose place the record gives) after.
constexpr uint32_t kPrefetchRecord = 64;
constexpr uint32_t kPrefetchTokens = 24;

// The merges, on words already built in a WordTable16 or WordTable32.
template <typename Table>
class Merger {
 public:
  Merger(Table* words, const BpeOptions& options, BpeStats* stats)
      : words_(*words), options_(options), stats_(*stats),
        threads_(ThreadCount(options)), deltas_(threads_),
        queue_(&pairs_, &token_bytes_) {
    for (int b = 0; b < 256; ++b) token_bytes_.emplace_back(1, static_cast<char>(b));
  }

  Status Run(BpeModel* model) {
    Clock::time_point start = Clock::now();
    CountInitialPairs(words_, threads_, &pairs_);
    queue_.PushAll();
    stats_.count_seconds = SecondsSince(start);

    start = Clock::now();
    for (const std::string& t : options_.special_tokens) model->vocab.push_back(t);
    for (uint8_t b : Gpt2ByteOrder()) model->vocab.emplace_back(1, static_cast<char>(b));
    const uint64_t requested = stats_.merges_requested;
    for (uint64_t done = 0; done < requested; ++done) {
      if (StopRequested(options_)) return Stopped();
      PairId best;
      if (!queue_.Pop(&best)) {
        stats_.ran_out_of_pairs = true;
        break;
      }
      const TokenId left = pairs_.left(best);
      const TokenId right = pairs_.right(best);
      token_bytes_.push_back(token_bytes_[left] + token_bytes_[right]);
      model->merges.emplace_back(token_bytes_[left], token_bytes_[right]);
      model->vocab.push_back(token_bytes_.back());
      MergeEverywhere(best, static_cast<TokenId>(token_bytes_.size() - 1));
      stats_.merges = done + 1;
      if (options_.on_progress) options_.on_progress(done + 1, requested);
    }
    stats_.merge_seconds = SecondsSince(start);
    return Status::OK();
  }

 private:
  // Merges pair p into token `merged` in every word that holds it, then
  // applies the changes to the pair counts and queues the pairs created.
  void MergeEverywhere(PairId p, TokenId merged) {
    const TokenId left = pairs_.left(p);
    const TokenId right = pairs_.right(p);
    const WordList holders = pairs_.TakeWords(p);  // p never occurs again
    const uint32_t n = holders.size();
    // Words are disjoint (a list holds a word once), so slices of the list
    // can be merged at once, each gathering its changes apart.
    const int slices = n >= kParallelMergeWords ? threads_ : 1;
    RunInThreads(slices, [&](int i) {
      const uint64_t begin = uint64_t{n} * i / slices;
      const uint64_t end = uint64_t{n} * (i + 1) / slices;
      MergeWords(holders.begin() + begin, holders.begin() + end, left, right,
                 merged, &deltas_[i]);
    });
    PairDeltas& deltas = deltas_[0];
    for (int i = 1; i < slices; ++i) deltas.Absorb(&deltas_[i]);

    pairs_.SetCount(p, 0);
    for (PairDeltas::Entry& e : deltas.entries()) {
      if (e.delta == 0 || (e.left == left && e.right == right)) continue;
      if (e.left == merged || e.right == merged) {
        // New: a pair holding the new token. Its words are those it
        // appeared in here (a few may have lost it again).
        const PairId q = pairs_.FindOrAdd(e.left, e.right);
        pairs_.SetCount(q, e.delta);
        pairs_.SetWords(q, std::move(e.words));
        queue_.Push(q);
      } else {
        // Old: occurrences taken away; its queue entry is now an upper
        // bound (pair_queue.h).
        pairs_.AddCount(pairs_.Find(e.left, e.right), e.delta);
      }
    }
    deltas.Clear();
  }

  // The merge in words [begin, end), its changes summed into *deltas.
  void MergeWords(const WordId* begin, const WordId* end, TokenId left,
                  TokenId right, TokenId merged, PairDeltas* deltas) {
    for (const WordId* w = begin; w != end; ++w) {
      if (end - w > kPrefetchRecord) words_.PrefetchWord(w[kPrefetchRecord]);
      if (end - w > kPrefetchTokens) words_.PrefetchTokens(w[kPrefetchTokens]);
      const int64_t count = static_cast<int64_t>(words_.count(*w));
      words_.Merge(*w, left, right, merged, [&](TokenId a, TokenId b, int sign) {
        if (sign > 0) {
          deltas->AddIn(a, b, count, *w);
        } else {
          deltas->Add(a, b, -count);
        }
      });
    }
  }

  Table& words_;
  const BpeOptions& options_;
  BpeStats& stats_;
  const int threads_;
  std::vector<PairDeltas> deltas_;  // one per thread
  PairTable pairs_;
  std::vector<std::string> token_bytes_;  // by the trainer's token id
  PairQueue queue_;
};

// The words built by `build` (called with the table to fill), then the
// merges.
template <typename Table, typename Build>
Status BuildAndMerge(const WordCensus& census, const BpeOptions& options,
                     Build&& build, BpeModel* model, BpeStats* stats) {
  Table words;
  words.Reserve(census.words(), census.bytes());
  PRETOKDB_RETURN_IF_ERROR(build(&words));
  Merger<Table> merger(&words, options, stats);
  return merger.Run(model);
}

// Everything after the words are known: the memory check, the words built
// in the narrowest table that holds every id, the merges.
template <typename Build>
Status Train(const WordCensus& census, const BpeOptions& options,
             Build&& build, BpeModel* model, BpeStats* stats) {
  if (census.words() >= kMaxWords || census.bytes() > WordTable32::kMaxBytes) {
    return Status::InvalidArgument(
        std::to_string(census.words()) + " distinct pretokens of " +
            std::to_string(census.bytes()) + " bytes",
        "more than the trainer takes (2^32 - 1 pretokens, 2^40 bytes); raise "
        "--min-count");
  }
  if (census.longest() > WordTable32::kMaxWordBytes) {
    return Status::InvalidArgument(
        "a pretoken of " + std::to_string(census.longest()) + " bytes",
        "longer than the trainer takes (16 MiB)");
  }
  const int threads = ThreadCount(options);
  stats->words = census.words();
  stats->merges_requested = options.vocab_size - 256 - options.special_tokens.size();
  stats->memory_bytes = EstimateTrainingMemory(census.words(), census.bytes(),
                                               stats->merges_requested, threads);
  PRETOKDB_RETURN_IF_ERROR(
      census.CheckLimit(options.memory_limit, stats->merges_requested, threads));

  model->vocab.clear();
  model->merges.clear();
  model->special_tokens = options.special_tokens;
  if (256 + stats->merges_requested <= WordTable16::kMaxTokens) {
    return BuildAndMerge<WordTable16>(census, options, build, model, stats);
  }
  return BuildAndMerge<WordTable32>(census, options, build, model, stats);
}

}  // namespace

Status TrainBpeOnWords(std::vector<std::pair<std::string, uint64_t>> words,
                       const BpeOptions& options, BpeModel* model,
                       BpeStats* stats) {
  PRETOKDB_RETURN_IF_ERROR(CheckOptions(options));
  BpeStats local;
  if (stats == nullptr) stats = &local;
  *stats = BpeStats();
  const Clock::time_point start = Clock::now();
  const uint64_t min_count = MinCount(options);
  WordCensus census;
  for (const auto& [bytes, count] : words) {
    if (count >= min_count) {
      census.Add(bytes.size(), count);
    } else {
      ++stats->words_dropped;
    }
  }
  auto build = [&](auto* table) {
    for (const auto& [bytes, count] : words) {
      if (count >= min_count) table->Add(bytes, count);
    }
    std::vector<std::pair<std::string, uint64_t>>().swap(words);
    stats->read_seconds = SecondsSince(start);
    return Status::OK();
  };
  model->pattern.clear();
  model->pattern_regex.clear();
  return Train(census, options, build, model, stats);
}

Status TrainBpe(const CountReader& reader, const BpeOptions& options,
                BpeModel* model, BpeStats* stats) {
  PRETOKDB_RETURN_IF_ERROR(CheckOptions(options));
  BpeStats local;
  if (stats == nullptr) stats = &local;
  *stats = BpeStats();
  const Clock::time_point start = Clock::now();
  DbStats read;
  const DbStats* db = options.db_stats;
  if (db == nullptr) {
    PRETOKDB_RETURN_IF_ERROR(reader.GetStats(&read));
    db = &read;
  }
  model->pattern = db->pattern;
  model->pattern_regex = db->pattern_regex;

  // One pass over the counts tallies the pretokens kept, for the memory
  // check that comes before anything is built, and copies them into a
  // compact buffer (pretoken_buffer.h), from which the words are built
  // after the check: a scan of the database costs more than the copy
  // (0.6 s per 4M pretokens). The buffer is dropped if it outgrows the memory limit (the
  // check then fails, the trainer needing more than the buffer); should it
  // not, the words are read again. A reader sees the database as it was
  // when opened, so a second read sees the same counts.
  const uint64_t min_count = MinCount(options);
  WordCensus census;
  PretokenBuffer buffer;
  bool buffered = true;
  {
    std::unique_ptr<CountIterator> it = reader.NewIterator();
    for (uint64_t n = 0; it->Valid(); it->Next(), ++n) {
      if (n % kStopCheckWords == 0) {
        if (StopRequested(options)) return Stopped();
        if (buffered && options.memory_limit != 0 &&
            buffer.memory_bytes() > options.memory_limit) {
          buffered = false;
          buffer.Clear();
        }
      }
      if (it->count() >= min_count) {
        census.Add(it->token().size(), it->count());
        if (buffered) buffer.Add(it->token(), it->count());
      } else {
        ++stats->words_dropped;
      }
    }
    PRETOKDB_RETURN_IF_ERROR(it->status());
  }
  auto build = [&](auto* words) {
    if (buffered) {
      buffer.ForEach([words](std::string_view token, uint64_t count) {
        words->Add(token, count);
      });
      buffer.Clear();
    } else {
      std::unique_ptr<CountIterator> it = reader.NewIterator();
      for (uint64_t n = 0; it->Valid(); it->Next(), ++n) {
        if (n % kStopCheckWords == 0 && StopRequested(options)) return Stopped();
        if (it->count() >= min_count) words->Add(it->token(), it->count());
      }
      PRETOKDB_RETURN_IF_ERROR(it->status());
      if (words->size() != census.words()) {
        return Status::Corruption(
            "database", "the counts changed between two reads of one snapshot");
      }
    }
    stats->read_seconds = SecondsSince(start);
    return Status::OK();
  };
  return Train(census, options, build, model, stats);
}

}  // namespace pretokdb
