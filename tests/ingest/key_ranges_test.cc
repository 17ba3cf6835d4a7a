// Copyright (c) pretok-db authors.

#include "ingest/key_ranges.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pretokdb {
namespace {

// Sorted unique tokens, read through the CountSource interface.
class SortedSource : public CountSource {
 public:
  explicit SortedSource(const std::set<std::string>& tokens)
      : v_(tokens.begin(), tokens.end()) {}
  size_t size() const override { return v_.size(); }
  std::string_view token(size_t i) const override { return v_[i]; }
  uint64_t count(size_t) const override { return 1; }

 private:
  std::vector<std::string> v_;
};

std::string RandomToken(std::mt19937* rnd, size_t max_len) {
  const char alphabet[] = {'\0', ' ', 'a', 'b', 'c', '\x7F', '\x80', '\xFF'};
  std::string t;
  const size_t len = 1 + (*rnd)() % max_len;
  for (size_t i = 0; i < len; i++)
    t.push_back(alphabet[(*rnd)() % sizeof(alphabet)]);
  return t;
}

// Checks that `ranges` cut every source into consecutive parts, in key
// order, with no token in two ranges; returns each range's distinct
// tokens (what its merged run would hold).
std::vector<std::set<std::string>> CheckPartition(
    const std::vector<const CountSource*>& sources,
    const std::vector<std::vector<CountRange>>& ranges) {
  std::map<const CountSource*, size_t>
      next;  // where each source's next part begins
  std::vector<std::set<std::string>> merged;
  for (const std::vector<CountRange>& range : ranges) {
    EXPECT_FALSE(range.empty());
    std::set<std::string> tokens;
    for (const CountRange& part : range) {
      EXPECT_EQ(part.begin, next[part.source]) << "a gap or an overlap";
      EXPECT_LT(part.begin, part.end) << "an empty part";
      next[part.source] = part.end;
      for (size_t i = part.begin; i < part.end; i++) {
        tokens.emplace(part.source->token(i));
      }
    }
    if (!merged.empty() && !tokens.empty() && !merged.back().empty()) {
      EXPECT_LT(*merged.back().rbegin(), *tokens.begin()) << "ranges overlap";
    }
    merged.push_back(std::move(tokens));
  }
  for (const CountSource* source : sources) {
    EXPECT_EQ(next[source], source->size()) << "entries left out";
  }
  return merged;
}

TEST(KeyRangesTest, EveryEntryInExactlyOneRange) {
  std::mt19937 rnd(5);
  for (int round = 0; round < 20; round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::vector<SortedSource> owned;
    const size_t n = 1 + rnd() % 4;
    for (size_t s = 0; s < n; s++) {
      std::set<std::string> tokens;
      const size_t size = round % 5 == 0 ? rnd() % 4 : rnd() % 20000;
      while (tokens.size() < size) tokens.insert(RandomToken(&rnd, 12));
      owned.emplace_back(tokens);
    }
    std::vector<const CountSource*> sources;
    for (const SortedSource& s : owned) sources.push_back(&s);
    for (size_t parts : {1, 2, 3, 7, 64}) {
      SCOPED_TRACE("parts " + std::to_string(parts));
      const auto ranges = SplitKeySpace(sources, parts);
      EXPECT_LE(ranges.size(), parts);
      size_t total = 0;
      for (const SortedSource& s : owned) total += s.size();
      if (total == 0) EXPECT_TRUE(ranges.empty());
      if (total >= 1000 * parts) EXPECT_EQ(ranges.size(), parts);
      CheckPartition(sources, ranges);
    }
  }
}

// Two workers' tables where the low keys are mostly shared and the high
// ones mostly not, as on web text: cutting at the middle of the entries
// would give the high range far more to write. The merged ranges come out
// about equal.
TEST(KeyRangesTest, BalancesMergedEntriesNotInputEntries) {
  std::mt19937 rnd(9);
  std::set<std::string> a, b;
  char buf[16];
  for (int i = 0; i < 60000; i++) {
    snprintf(buf, sizeof(buf), "a%07d", i);  // shared
    a.insert(buf);
    b.insert(buf);
  }
  for (int i = 0; i < 60000; i++) {
    snprintf(buf, sizeof(buf), "z%07d", i);  // in one table or the other
    (rnd() % 2 ? a : b).insert(buf);
  }
  const SortedSource sa(a), sb(b);
  for (size_t parts : {2, 3, 4}) {
    SCOPED_TRACE("parts " + std::to_string(parts));
    const auto ranges = SplitKeySpace({&sa, &sb}, parts);
    ASSERT_EQ(ranges.size(), parts);
    const auto merged = CheckPartition({&sa, &sb}, ranges);
    const double even = 120000.0 / parts;
    for (const auto& tokens : merged) {
      EXPECT_NEAR(static_cast<double>(tokens.size()), even, even * 0.1);
    }
  }
}

}  // namespace
}  // namespace pretokdb
