// UnescapeJsonString: every escape of RFC 8259, surrogate pairs, and lone
// surrogates as U+FFFD (what json.loads then our U+FFFD rule gives).

#include "ingest/json_unescape.h"

#include <gtest/gtest.h>

#include <string>

namespace pretokdb {
namespace {

// Decodes the content of "..." (raw: without the opening quote, with the
// closing one); "<bad>" if refused.
std::string Decode(const std::string& raw) {
  std::string out;
  const char* end = nullptr;
  if (!UnescapeJsonString(raw.data(), raw.data() + raw.size(), &out, &end)) {
    return "<bad>";
  }
  EXPECT_EQ(end, raw.data() + raw.size()) << raw;
  return out;
}

TEST(JsonUnescapeTest, PlainAndSimpleEscapes) {
  EXPECT_EQ(Decode("\""), "");
  EXPECT_EQ(Decode("abc \xC3\xA9\""), "abc \xC3\xA9");
  EXPECT_EQ(Decode(R"(\"\\\/\b\f\n\r\t")"), "\"\\/\b\f\n\r\t");
}

TEST(JsonUnescapeTest, UnicodeEscapes) {
  EXPECT_EQ(Decode(R"(\u0041\u00e9\u20AC")"), "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(Decode(R"(a\u0000b")"), std::string("a\0b", 3));
  // A pair is one character; U+1F600.
  EXPECT_EQ(Decode(R"(\ud83d\ude00")"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(Decode(R"(\uDBFF\uDFFF")"), "\xF4\x8F\xBF\xBF");
}

TEST(JsonUnescapeTest, LoneSurrogatesBecomeReplacement) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(Decode(R"(\ud800")"), r);
  EXPECT_EQ(Decode(R"(x\ud800y")"), "x" + r + "y");
  EXPECT_EQ(Decode(R"(\udc00")"), r);  // a low one alone
  // High + high: two lone ones; high + a non-surrogate escape: U+FFFD, then
  // the escape as itself (json.loads reads it so).
  EXPECT_EQ(Decode(R"(\ud800\ud800")"), r + r);
  EXPECT_EQ(Decode(R"(\ud800\u0041")"), r + "A");
  EXPECT_EQ(Decode(R"(\ud800\n")"), r + "\n");
  // Low then high: two lone ones, then a pair after them.
  EXPECT_EQ(Decode(R"(\ude00\ud83d\ud83d\ude00")"), r + r + "\xF0\x9F\x98\x80");
}

TEST(JsonUnescapeTest, RefusesWhatJsonHasNot) {
  for (const char* bad : {R"(\x41")", R"(\u12")", R"(\u12G4")", R"(\U0041")",
                          R"(\ud800\u12")", "\\", "abc", "a\tb\"", "\x01\""}) {
    EXPECT_EQ(Decode(bad), "<bad>") << bad;
  }
}

}  // namespace
}  // namespace pretokdb
