// Copyright (c) pretok-db authors.

#include "text/utf8_edges.h"

#include <gtest/gtest.h>

#include <string>

#include "text/utf8.h"

namespace pretokdb {
namespace {

size_t Subpart(const std::string& s) { return InvalidSubpartLength(s.data(), s.size()); }
size_t Tail(const std::string& s) { return IncompleteUtf8Tail(s.data(), s.size()); }

TEST(Utf8EdgesTest, SubpartIsTheWellFormedPrefix) {
  EXPECT_EQ(Subpart("\xFF" "abc"), 1u);
  EXPECT_EQ(Subpart("\x80\x80"), 1u);
  EXPECT_EQ(Subpart("\xC0\xAF"), 1u);          // C0 never starts a sequence
  EXPECT_EQ(Subpart("\xE2\x82" "a"), 2u);      // truncated euro sign
  EXPECT_EQ(Subpart("\xE2\x82"), 2u);
  EXPECT_EQ(Subpart("\xED\xA0\x80"), 1u);      // surrogate: A0 not after ED
  EXPECT_EQ(Subpart("\xE0\x80\x80"), 1u);      // overlong
  EXPECT_EQ(Subpart("\xF0\x9F\x98" "x"), 3u);  // truncated emoji
  EXPECT_EQ(Subpart("\xF4\x90\x80\x80"), 1u);  // above U+10FFFF
}

TEST(Utf8EdgesTest, SubpartsAreWhatReplacementReplaces) {
  // Replacing each subpart found this way gives Python's "replace".
  const std::string cases[] = {"\xE2\x82\xE2\x82\xAC", "\xF0\x9F\x98\xF0",
                               "\xC2\xED\xA0\x80\xE0\xA0", "a\x80\xBF" "b"};
  for (const std::string& s : cases) {
    std::string expected;
    AppendReplacingInvalidUtf8(s, &expected);
    std::string got;
    size_t i = 0;
    while (i < s.size()) {
      size_t bad = FindFirstInvalidUtf8(s.data() + i, s.size() - i, true);
      got.append(s, i, bad);
      i += bad;
      if (i == s.size()) break;
      got += kUtf8Replacement;
      i += InvalidSubpartLength(s.data() + i, s.size() - i);
    }
    EXPECT_EQ(got, expected);
  }
}

TEST(Utf8EdgesTest, IncompleteTail) {
  EXPECT_EQ(Tail(""), 0u);
  EXPECT_EQ(Tail("abc"), 0u);
  EXPECT_EQ(Tail("a\xE2"), 1u);
  EXPECT_EQ(Tail("a\xE2\x82"), 2u);
  EXPECT_EQ(Tail("a\xE2\x82\xAC"), 0u);  // complete
  EXPECT_EQ(Tail("\xF0\x9F\x98"), 3u);
  EXPECT_EQ(Tail("\xED\xA0"), 0u);       // can never complete
  EXPECT_EQ(Tail("\xFF"), 0u);
  EXPECT_EQ(Tail("\x80"), 0u);           // lone continuation
  EXPECT_EQ(Tail("\xC3"), 1u);
}

}  // namespace
}  // namespace pretokdb
