// Copyright (c) pretok-db authors.
//
// The BPE trainer's rules on cases small enough to check by hand, and
// against a naive trainer (every pair counted again at every merge) on
// random words; tests/e2e/test_train_bpe.py checks it against the Python
// reference on real text.

#include "pretokdb/bpe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bpe/training_memory.h"

namespace pretokdb {
namespace {

using Words = std::vector<std::pair<std::string, uint64_t>>;
using Merges = std::vector<std::pair<std::string, std::string>>;

BpeOptions Options(uint64_t merges, std::vector<std::string> specials = {}) {
  BpeOptions o;
  o.vocab_size = 256 + specials.size() + merges;
  o.special_tokens = std::move(specials);
  o.threads = 1;
  return o;
}

Merges Train(const Words& words, const BpeOptions& options, BpeStats* stats = nullptr) {
  BpeModel model;
  Status s = TrainBpeOnWords(words, options, &model, stats);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return model.merges;
}

// Python's rules, spelled out: count every pair of every word, take the
// greatest (count, first bytes, second bytes), merge it left to right.
Merges NaiveTrain(const Words& words, uint64_t merges) {
  std::vector<std::pair<std::vector<std::string>, uint64_t>> w;
  for (const auto& [bytes, count] : words) {
    std::vector<std::string> tokens;
    for (char c : bytes) tokens.emplace_back(1, c);
    w.emplace_back(tokens, count);
  }
  Merges out;
  while (out.size() < merges) {
    std::map<std::pair<std::string, std::string>, uint64_t> counts;
    for (const auto& [tokens, count] : w) {
      for (size_t i = 0; i + 1 < tokens.size(); ++i) counts[{tokens[i], tokens[i + 1]}] += count;
    }
    if (counts.empty()) break;
    // std::string compares as unsigned bytes, like Python's bytes.
    auto best = counts.begin();
    for (auto it = counts.begin(); it != counts.end(); ++it) {
      if (it->second > best->second || (it->second == best->second && it->first > best->first)) {
        best = it;
      }
    }
    const auto pair = best->first;
    out.push_back(pair);
    for (auto& [tokens, count] : w) {
      std::vector<std::string> merged;
      for (size_t i = 0; i < tokens.size();) {
        if (i + 1 < tokens.size() && tokens[i] == pair.first && tokens[i + 1] == pair.second) {
          merged.push_back(pair.first + pair.second);
          i += 2;
        } else {
          merged.push_back(tokens[i++]);
        }
      }
      tokens = std::move(merged);
    }
  }
  return out;
}

Merges M(std::initializer_list<std::pair<std::string, std::string>> list) { return Merges(list); }

TEST(BpeByteOrderTest, IsGpt2BytesToUnicodeOrder) {
  std::vector<uint8_t> expected;
  for (int b = 33; b <= 126; ++b) expected.push_back(b);
  for (int b = 161; b <= 172; ++b) expected.push_back(b);
  for (int b = 174; b <= 255; ++b) expected.push_back(b);
  for (int b = 0; b <= 32; ++b) expected.push_back(b);
  for (int b = 127; b <= 160; ++b) expected.push_back(b);
  expected.push_back(173);
  EXPECT_EQ(Gpt2ByteOrder(), expected);
}

TEST(BpeTrainerTest, VocabIsSpecialsThenBytesThenMerges) {
  BpeModel model;
  ASSERT_TRUE(TrainBpeOnWords({{"ab", 3}}, Options(1, {"<|endoftext|>", "<pad>"}), &model, nullptr).ok());
  ASSERT_EQ(model.vocab.size(), 2u + 256 + 1);
  EXPECT_EQ(model.vocab[0], "<|endoftext|>");
  EXPECT_EQ(model.vocab[1], "<pad>");
  EXPECT_EQ(model.vocab[2], "!");   // byte 33, GPT-2's id 0
  EXPECT_EQ(model.vocab[2 + 93], "~");
  EXPECT_EQ(model.vocab[2 + 94], "\xA1");
  EXPECT_EQ(model.vocab[2 + 188], std::string(1, '\0'));
  EXPECT_EQ(model.vocab[2 + 188 + 32], " ");
  EXPECT_EQ(model.vocab[2 + 255], "\xAD");
  EXPECT_EQ(model.vocab[258], "ab");
  EXPECT_EQ(model.special_tokens, (std::vector<std::string>{"<|endoftext|>", "<pad>"}));
  EXPECT_EQ(model.merges, M({{"a", "b"}}));
}

// The example of the CS336 assignment handout (after Sennrich et al.):
// "low" x5, "lower" x2, "widest" x3, "newest" x6.
TEST(BpeTrainerTest, HandoutExample) {
  Words words = {{"low", 5}, {"lower", 2}, {"widest", 3}, {"newest", 6}};
  EXPECT_EQ(Train(words, Options(12)),
            M({{"s", "t"}, {"e", "st"}, {"o", "w"}, {"l", "ow"}, {"w", "est"}, {"n", "e"},
               {"ne", "west"}, {"w", "i"}, {"wi", "d"}, {"wid", "est"}, {"low", "e"},
               {"lowe", "r"}}));
}

TEST(BpeTrainerTest, TiesGoToTheGreaterPair) {
  // Equal counts: (a,c) > (a,b) on the second element; "b" > "a" first.
  EXPECT_EQ(Train({{"ab", 1}, {"ac", 1}}, Options(1)), M({{"a", "c"}}));
  EXPECT_EQ(Train({{"ab", 2}, {"ba", 2}}, Options(1)), M({{"b", "a"}}));
  // Bytes compare unsigned: 0xC3 is greater than 'z'.
  EXPECT_EQ(Train({{"\xC3\xA9", 1}, {"za", 1}}, Options(1)), M({{"\xC3", "\xA9"}}));
  // A higher count wins over greater bytes.
  EXPECT_EQ(Train({{"ab", 2}, {"zz", 1}}, Options(1)), M({{"a", "b"}}));
}

TEST(BpeTrainerTest, TiesCompareThePairNotItsConcatenation) {
  // (b,y) then (a,b); then (a,by) and (ab,x) both count 1. As
  // concatenations "aby" > "abx"; as pairs "ab" > "a", so (ab,x) wins.
  Words words = {{"by", 100}, {"ab", 50}, {"aby", 1}, {"abx", 1}};
  EXPECT_EQ(Train(words, Options(3)), M({{"b", "y"}, {"a", "b"}, {"ab", "x"}}));
}

// Overlapping occurrences, as Python counts them: "aaa" holds (a,a) twice
// and merges to "aa" "a"; "aaaa" holds it three times, merges to "aa" "aa".
TEST(BpeTrainerTest, RepeatedTokensCountEveryPosition) {
  BpeStats stats;
  // (a,a): 3x1 + 2x2 = 7. Then "aaaa" = aa aa and "aaa" = aa a: (aa,a) 2
  // beats (aa,aa) 1. Then "aaaa" = aa aa: (aa,aa) 1; "aaa" is one token.
  EXPECT_EQ(Train({{"aaaa", 1}, {"aaa", 2}}, Options(10), &stats),
            M({{"a", "a"}, {"aa", "a"}, {"aa", "aa"}}));
  EXPECT_TRUE(stats.ran_out_of_pairs);
  EXPECT_EQ(stats.merges, 3u);
  // Five a's: (a,a) x4; then aa aa a: (aa,aa) 1, (aa,a) 1 -> (aa,aa) is
  // greater; then aaaa a.
  EXPECT_EQ(Train({{"aaaaa", 1}}, Options(10)),
            M({{"a", "a"}, {"aa", "aa"}, {"aaaa", "a"}}));
  // The pair next to a merged run: "abababa" with (a,b) first.
  Words words = {{"abababa", 3}, {"ba", 1}};
  EXPECT_EQ(Train(words, Options(10)), NaiveTrain(words, 10));
}

TEST(BpeTrainerTest, MergesNeverCrossWords) {
  // "a" and "b" are separate pretokens: no (a,b) pair exists.
  BpeStats stats;
  EXPECT_EQ(Train({{"a", 10}, {"b", 10}, {"cd", 1}}, Options(5), &stats), M({{"c", "d"}}));
  EXPECT_TRUE(stats.ran_out_of_pairs);
}

TEST(BpeTrainerTest, RunsOutOfPairs) {
  BpeStats stats;
  BpeModel model;
  ASSERT_TRUE(TrainBpeOnWords({{"abc", 1}, {"x", 4}}, Options(100), &model, &stats).ok());
  EXPECT_EQ(model.merges, M({{"b", "c"}, {"a", "bc"}}));
  EXPECT_EQ(model.vocab.size(), 256u + 2);
  EXPECT_TRUE(stats.ran_out_of_pairs);
  EXPECT_EQ(stats.merges, 2u);
  EXPECT_EQ(stats.merges_requested, 100u);
  // No words at all: nothing to merge, still a valid vocabulary.
  ASSERT_TRUE(TrainBpeOnWords({}, Options(5, {"<s>"}), &model, &stats).ok());
  EXPECT_EQ(model.vocab.size(), 257u);
  EXPECT_TRUE(stats.ran_out_of_pairs);
}

TEST(BpeTrainerTest, StopsAtVocabSize) {
  BpeStats stats;
  EXPECT_EQ(Train({{"abcd", 1}}, Options(2), &stats).size(), 2u);
  EXPECT_FALSE(stats.ran_out_of_pairs);
  // No merges asked for.
  EXPECT_TRUE(Train({{"abcd", 1}}, Options(0), &stats).empty());
  EXPECT_FALSE(stats.ran_out_of_pairs);
}

TEST(BpeTrainerTest, MinCountDropsRarePretokens) {
  BpeOptions options = Options(10);
  options.min_count = 3;
  BpeStats stats;
  // "xy" (2) is left out; "ab" (3) is kept.
  EXPECT_EQ(Train({{"ab", 3}, {"xy", 2}, {"xyz", 1}}, options, &stats), M({{"a", "b"}}));
  EXPECT_EQ(stats.words, 1u);
  EXPECT_EQ(stats.words_dropped, 2u);
}

// A pretoken whose bytes are a special token's (possible when the database
// was indexed without that separator) is ordinary bytes: it is merged like
// any other, and the vocabulary then holds those bytes twice, once as the
// special token (id 0) and once as the merged token.
TEST(BpeTrainerTest, SpecialTokensAreNeverMerged) {
  BpeModel model;
  ASSERT_TRUE(TrainBpeOnWords({{"<s>", 5}}, Options(5, {"<s>"}), &model, nullptr).ok());
  EXPECT_EQ(model.merges, M({{"s", ">"}, {"<", "s>"}}));
  EXPECT_EQ(model.vocab[0], "<s>");
  EXPECT_EQ(model.vocab.back(), "<s>");
  EXPECT_EQ(model.vocab.size(), 1u + 256 + 2);
}

TEST(BpeTrainerTest, RefusesAVocabularyTooSmall) {
  BpeModel model;
  BpeOptions options = Options(0, {"<a>", "<b>"});
  options.vocab_size = 257;  // 256 + 2 needed
  Status s = TrainBpeOnWords({{"ab", 1}}, options, &model, nullptr);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("258"), std::string::npos) << s.message();
  options.vocab_size = 258;
  EXPECT_TRUE(TrainBpeOnWords({{"ab", 1}}, options, &model, nullptr).ok());
}

TEST(BpeTrainerTest, RefusesBadSpecialTokens) {
  BpeModel model;
  EXPECT_TRUE(TrainBpeOnWords({}, Options(1, {""}), &model, nullptr).IsInvalidArgument());
  EXPECT_TRUE(TrainBpeOnWords({}, Options(1, {"<s>", "<s>"}), &model, nullptr).IsInvalidArgument());
}

TEST(BpeTrainerTest, StopFlag) {
  std::atomic<bool> stop{true};
  BpeOptions options = Options(10);
  options.stop = &stop;
  BpeModel model;
  EXPECT_TRUE(TrainBpeOnWords({{"abcdef", 1}}, options, &model, nullptr).IsAborted());
  // Asked for during training: the merge in progress ends, no more follow.
  stop = false;
  options.on_progress = [&stop](uint64_t done, uint64_t total) {
    EXPECT_EQ(total, 10u);
    if (done == 2) stop = true;
  };
  BpeStats stats;
  EXPECT_TRUE(TrainBpeOnWords({{"abcdef", 1}}, options, &model, &stats).IsAborted());
  EXPECT_EQ(stats.merges, 2u);
}

TEST(BpeTrainerTest, ProgressCountsEveryMerge) {
  BpeOptions options = Options(3);
  std::vector<uint64_t> seen;
  options.on_progress = [&seen](uint64_t done, uint64_t) { seen.push_back(done); };
  Train({{"abcdef", 1}}, options);
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(BpeTrainerTest, MemoryLimitRefusesAndSuggestsAMinCount) {
  // 200,000 distinct words of ~10 bytes, given half the memory they need.
  Words words;
  uint64_t bytes = 0;
  for (int i = 0; i < 200000; ++i) {
    words.emplace_back("word" + std::to_string(i), i % 100 == 0 ? 1000 : 1 + i % 7);
    bytes += words.back().first.size();
  }
  BpeOptions options = Options(10);
  // Halfway between what nothing and everything needs.
  options.memory_limit = (EstimateTrainingMemory(0, 0, 10, 1) +
                          EstimateTrainingMemory(words.size(), bytes, 10, 1)) / 2;
  BpeModel model;
  BpeStats stats;
  Status s = TrainBpeOnWords(words, options, &model, &stats);
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("200000 distinct pretokens"), std::string::npos) << s.message();
  const size_t at = s.message().find("--min-count ");
  ASSERT_NE(at, std::string::npos) << s.message();
  const uint64_t suggested = std::stoull(s.message().substr(at + 12));
  EXPECT_GT(suggested, 1u);
  // The suggestion fits; one less does not.
  options.min_count = suggested;
  EXPECT_TRUE(TrainBpeOnWords(words, options, &model, &stats).ok());
  options.min_count = suggested - 1;
  EXPECT_TRUE(TrainBpeOnWords(words, options, &model, &stats).IsInvalidArgument());
  // A limit too small for anything says so.
  options.memory_limit = EstimateTrainingMemory(1, 10, 10, 1) - 1;
  s = TrainBpeOnWords(words, options, &model, &stats);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("not even"), std::string::npos) << s.message();
}

// Random words from a small alphabet (long runs of one letter, many ties)
// against the naive trainer, with one and several threads.
TEST(BpeTrainerTest, MatchesNaiveTrainerOnRandomWords) {
  std::mt19937 rnd(7);
  for (int round = 0; round < 30; ++round) {
    std::map<std::string, uint64_t> distinct;
    const int alphabet = 2 + round % 4;
    const int n = 5 + static_cast<int>(rnd() % 200);
    for (int i = 0; i < n; ++i) {
      std::string w;
      const int len = 1 + static_cast<int>(rnd() % 12);
      for (int j = 0; j < len; ++j) {
        w += static_cast<char>(round % 2 ? "ab\xC3\xFF"[rnd() % alphabet] : 'a' + rnd() % alphabet);
      }
      distinct[w] += 1 + rnd() % (round % 3 == 0 ? 2 : 50);
    }
    Words words(distinct.begin(), distinct.end());
    const Merges expected = NaiveTrain(words, 60);
    for (int threads : {1, 3}) {
      BpeOptions options = Options(60);
      options.threads = threads;
      EXPECT_EQ(Train(words, options), expected) << "round " << round << " threads " << threads;
    }
    // More merges asked for than 16-bit ids hold: the 32-bit word table,
    // the same first merges.
    Merges wide = Train(words, Options(70000));
    if (wide.size() > expected.size()) wide.resize(expected.size());
    EXPECT_EQ(wide, expected) << "round " << round << " 32-bit ids";
  }
}

// Enough words that the initial count is split between threads, and that
// the first merges (pairs of three letters, each in about half of 100,000
// words) are split too.
TEST(BpeTrainerTest, ThreadsDoNotChangeTheResult) {
  std::mt19937 rnd(11);
  Words words;
  for (int i = 0; i < 100000; ++i) {
    std::string w;
    const int len = 3 + static_cast<int>(rnd() % 6);
    for (int j = 0; j < len; ++j) w += static_cast<char>('a' + rnd() % 3);
    words.emplace_back(w + std::to_string(i), 1 + rnd() % 100);
  }
  BpeOptions options = Options(300);
  const Merges one = Train(words, options);
  ASSERT_EQ(one.size(), 300u);
  options.threads = 2;
  EXPECT_EQ(Train(words, options), one);
  options.threads = 7;
  EXPECT_EQ(Train(words, options), one);
}

}  // namespace
}  // namespace pretokdb
