// Copyright (c) pretok-db authors.

#include "ingest/special_tokens.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pretokdb {
namespace {

using Matches = std::vector<std::pair<size_t, size_t>>;  // (pos, len)

Matches Find(const std::vector<std::string>& tokens, std::string_view text) {
  SpecialTokens specials(tokens);
  std::vector<SpecialTokens::Match> found;
  specials.FindAll(text, &found);
  Matches out;
  for (const auto& m : found) out.emplace_back(m.pos, m.len);
  return out;
}

// What Python's regex.split("|".join(tokens sorted longest first), text)
// splits on: leftmost first, longest at a position, no overlap.
Matches Reference(const std::vector<std::string>& tokens,
                  std::string_view text) {
  Matches out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t best = 0;
    for (const std::string& t : tokens) {
      if (!t.empty() && t.size() > best && text.substr(pos, t.size()) == t) {
        best = t.size();
      }
    }
    if (best == 0) {
      pos++;
    } else {
      out.emplace_back(pos, best);
      pos += best;
    }
  }
  return out;
}

// True if an occurrence of some token (chosen as a separator or not) has
// bytes on both sides of q.
bool SpansReference(const std::vector<std::string>& tokens,
                    std::string_view text, size_t q) {
  for (const std::string& t : tokens) {
    if (t.empty()) continue;
    for (size_t at = text.find(t); at != std::string_view::npos;
         at = text.find(t, at + 1)) {
      if (at < q && at + t.size() > q) return true;
    }
  }
  return false;
}

const char kEot[] = "<|endoftext|>";

TEST(SpecialTokensTest, Basics) {
  SpecialTokens none({});
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.max_length(), 0u);
  SpecialTokens ignored({"", ""});
  EXPECT_TRUE(ignored.empty());
  SpecialTokens some({"ab", kEot, ""});
  EXPECT_FALSE(some.empty());
  EXPECT_EQ(some.max_length(), 13u);
}

TEST(SpecialTokensTest, NoTokensFindsNothing) {
  EXPECT_EQ(Find({}, "a<|endoftext|>b"), Matches{});
}

TEST(SpecialTokensTest, EndOfText) {
  EXPECT_EQ(Find({kEot}, "a<|endoftext|>b"), (Matches{{1, 13}}));
  EXPECT_EQ(Find({kEot}, "<|endoftext|>"), (Matches{{0, 13}}));
  EXPECT_EQ(Find({kEot}, "<|endoftext|><|endoftext|>"),
            (Matches{{0, 13}, {13, 13}}));
  EXPECT_EQ(Find({kEot}, "x<|endoftext|>"), (Matches{{1, 13}}));
  EXPECT_EQ(Find({kEot}, "<|endoftext|>x"), (Matches{{0, 13}}));
  EXPECT_EQ(Find({kEot}, "<|endoftext|"), Matches{});  // cut off at the end
  EXPECT_EQ(Find({kEot}, "<|endoftext<|endoftext|>|>"), (Matches{{11, 13}}));
  EXPECT_EQ(Find({kEot}, ""), Matches{});
}

TEST(SpecialTokensTest, LongestWinsAtTheSameStart) {
  EXPECT_EQ(Find({"ab", "abc"}, "abc"), (Matches{{0, 3}}));
  EXPECT_EQ(Find({"abc", "ab"}, "abc"), (Matches{{0, 3}}));
  EXPECT_EQ(Find({"ab", "abc"}, "abab"), (Matches{{0, 2}, {2, 2}}));
  EXPECT_EQ(Find({"ab", "abc"}, "ababc"), (Matches{{0, 2}, {2, 3}}));
}

TEST(SpecialTokensTest, LeftmostWinsOverLonger) {
  EXPECT_EQ(Find({"ab", "bc"}, "abc"), (Matches{{0, 2}}));
  EXPECT_EQ(Find({"bcd", "ab"}, "abcd"), (Matches{{0, 2}}));
  EXPECT_EQ(Find({"ab", "bc"}, "abcbc"), (Matches{{0, 2}, {3, 2}}));
}

TEST(SpecialTokensTest, TokenContainingAnother) {
  const std::vector<std::string> tokens = {kEot, "x<|endoftext|>y", "end"};
  EXPECT_EQ(Find(tokens, "x<|endoftext|>y"), (Matches{{0, 15}}));
  EXPECT_EQ(Find(tokens, "x<|endoftext|>z"), (Matches{{1, 13}}));
  EXPECT_EQ(Find(tokens, "an end<|endoftext|>"), (Matches{{3, 3}, {6, 13}}));
}

TEST(SpecialTokensTest, AdjacentAndOverlappingOccurrences) {
  EXPECT_EQ(Find({"aa"}, "aaaaa"), (Matches{{0, 2}, {2, 2}}));
  EXPECT_EQ(Find({"aba"}, "ababa"), (Matches{{0, 3}}));
  EXPECT_EQ(Find({"a", "b"}, "abba"),
            (Matches{{0, 1}, {1, 1}, {2, 1}, {3, 1}}));
}

TEST(SpecialTokensTest, BytesAfterTheTextAreNotRead) {
  const std::string buf = "xx<|endoftext|>";
  // The view stops one byte short of the token's end.
  EXPECT_EQ(Find({kEot}, std::string_view(buf.data(), buf.size() - 1)),
            Matches{});
}

TEST(SpecialTokensTest, RandomAgainstReference) {
  const std::vector<std::vector<std::string>> token_sets = {
      {kEot},
      {"ab", "abc", "bc"},
      {"a", "aa", "aaa"},
      {"<|", "|>", "<||>", kEot},
      {"abab", "ba", "b"},
      {"a b", " ", "b a"},
  };
  const char alphabet[] = {'a', 'b', 'c', '<', '|', '>', ' ',
                           'e', 'n', 'd', 'o', 'f', 't', 'x'};
  std::mt19937 rnd(17);
  for (const auto& tokens : token_sets) {
    for (int iter = 0; iter < 300; iter++) {
      std::string text;
      const size_t len = rnd() % 60;
      for (size_t i = 0; i < len; i++) {
        if (rnd() % 8 == 0) {
          text += tokens[rnd() % tokens.size()];
        } else {
          text.push_back(alphabet[rnd() % (iter % 2 ? 6 : sizeof(alphabet))]);
        }
      }
      ASSERT_EQ(Find(tokens, text), Reference(tokens, text))
          << "text '" << text << "' tokens[0] '" << tokens[0] << "'";
    }
  }
}

TEST(SpecialTokensTest, Spans) {
  SpecialTokens specials({kEot});
  const std::string text = "ab<|endoftext|>cd";
  for (size_t q = 0; q <= text.size(); q++) {
    EXPECT_EQ(specials.Spans(text, q), q > 2 && q < 15) << q;
  }
}

TEST(SpecialTokensTest, SpansCountsOccurrencesThatAreNotSeparators) {
  // "bc" is never a separator here ("ab" wins), but a cut inside it would
  // still be unsafe to report.
  SpecialTokens specials({"ab", "bc"});
  EXPECT_FALSE(specials.Spans("abc", 0));
  EXPECT_TRUE(specials.Spans("abc", 1));
  EXPECT_TRUE(specials.Spans("abc", 2));
  EXPECT_FALSE(specials.Spans("abc", 3));
}

TEST(SpecialTokensTest, SpansRandomAgainstReference) {
  const std::vector<std::vector<std::string>> token_sets = {
      {kEot}, {"ab", "abc", "bc"}, {"a b", " ", "b a"}, {"x"}, {"aaaa", "aa"},
  };
  const char alphabet[] = {'a', 'b', 'c', ' ', '<', '|', 'x'};
  std::mt19937 rnd(23);
  for (const auto& tokens : token_sets) {
    SpecialTokens specials(tokens);
    for (int iter = 0; iter < 200; iter++) {
      std::string text;
      const size_t len = rnd() % 40;
      for (size_t i = 0; i < len; i++) {
        if (rnd() % 6 == 0) {
          text += tokens[rnd() % tokens.size()];
        } else {
          text.push_back(alphabet[rnd() % sizeof(alphabet)]);
        }
      }
      for (size_t q = 0; q <= text.size(); q++) {
        ASSERT_EQ(specials.Spans(text, q), SpansReference(tokens, text, q))
            << "text '" << text << "' q " << q;
      }
    }
  }
}

}  // namespace
}  // namespace pretokdb
