// JsonlRecordParser against what json.loads gives (the reference of
// tests/e2e/reference_count.py): the field's string, or why the line is a
// bad record.

#include "ingest/jsonl_record.h"

#include <gtest/gtest.h>

#include <string>

namespace pretokdb {
namespace {

// The field's string, or "<why>" for a bad record.
std::string Parse(const std::string& line, const std::string& field = "text") {
  JsonlRecordParser parser(field);
  std::string_view text;
  const BadRecord why = parser.Parse(line, &text);
  if (why != BadRecord::kNone) return std::string("<") + DescribeBadRecord(why) + ">";
  return std::string(text);
}

const std::string kInvalidJson = "<not valid JSON>";
const std::string kMissing = "<has no such field>";
const std::string kNotString = "<holds no string in the field>";

TEST(JsonlRecordTest, TheFieldsString) {
  EXPECT_EQ(Parse(R"({"text": "hello"})"), "hello");
  EXPECT_EQ(Parse(R"(  {"id": 1, "text": "a\nb", "x": [1, {"y": null}]}  )"), "a\nb");
  EXPECT_EQ(Parse(R"({"text": ""})"), "");
  EXPECT_EQ(Parse("{\"text\": \"caf\xC3\xA9\"}\r"), "caf\xC3\xA9");
  // An escaped key is the key it spells.
  EXPECT_EQ(Parse(R"({"te\u0078t": "k"})"), "k");
}

TEST(JsonlRecordTest, NestedPath) {
  EXPECT_EQ(Parse(R"({"meta": {"text": "n"}, "text": "top"})", "meta.text"), "n");
  EXPECT_EQ(Parse(R"({"meta": {"other": "n"}})", "meta.text"), kMissing);
  EXPECT_EQ(Parse(R"({"meta": "text"})", "meta.text"), kMissing);
  EXPECT_EQ(Parse(R"({"meta": [{"text": "n"}]})", "meta.text"), kMissing);
  EXPECT_EQ(Parse(R"({"a": {"b": {"c": "deep"}}})", "a.b.c"), "deep");
}

TEST(JsonlRecordTest, TheLastOfRepeatedKeysCounts) {
  EXPECT_EQ(Parse(R"({"text": "first", "text": "last"})"), "last");
  EXPECT_EQ(Parse(R"({"text": "first", "text": 1})"), kNotString);
  EXPECT_EQ(Parse(R"({"text": 1, "text": "s"})"), "s");
  // A later "meta" replaces the whole object.
  EXPECT_EQ(Parse(R"({"meta": {"text": "a"}, "meta": {"x": 1}})", "meta.text"), kMissing);
  EXPECT_EQ(Parse(R"({"meta": {"x": 1}, "meta": {"text": "b"}})", "meta.text"), "b");
}

TEST(JsonlRecordTest, LoneSurrogatesBecomeReplacement) {
  EXPECT_EQ(Parse(R"({"text": "a\ud800b"})"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(Parse(R"({"text": "\ud83d\ude00"})"), "\xF0\x9F\x98\x80");
  // Elsewhere, in a key or another value, a lone surrogate is JSON too.
  EXPECT_EQ(Parse(R"({"k\udc00": "\ud800", "text": "ok"})"), "ok");
}

TEST(JsonlRecordTest, NotAStringOrMissing) {
  for (const char* v : {"1", "-0.5e3", "null", "true", "[]", "{}", R"(["s"])"}) {
    EXPECT_EQ(Parse(std::string(R"({"text": )") + v + "}"), kNotString) << v;
  }
  EXPECT_EQ(Parse(R"({"Text": "case matters"})"), kMissing);
  // JSON but no object.
  for (const char* line : {R"("text")", "[1, 2]", "3", "null", R"([{"text": "x"}])"}) {
    EXPECT_EQ(Parse(line), kMissing) << line;
  }
}

TEST(JsonlRecordTest, TheWholeLineMustBeJson) {
  for (const char* line : {
           R"({"text": "a")",                    // cut
           R"({"text": "a"} x)",                 // trailing
           R"({"text": "a"} {})",                // two values
           R"({"text": "a", "x": [1,,2]})",      // bad elsewhere
           R"({"text": "a", "x": [1, 2})",
           R"({"text": "a", "x": 01})",
           R"({"text": "a", "x": 1.})",
           R"({"text": "a", "x": -})",
           R"({"text": "a", "x": tru})",
           R"({"text": "a", "x": nul})",
           R"({"text": "a", "x": NaN})",         // json.loads takes it; JSON has none
           R"({"text": "a", "x": Infinity})",
           R"({"text": "a", "x": "\x"})",        // bad escape elsewhere
           R"({"text": "a", "x": {"\x": 1}})",   // ... in a key
           R"({"text": "a", "x": [{"k": "\ud800\u12"}]})",
           R"({"text": "\q"})",
           "{\"text\": \"tab\there\"}",          // a raw control character
           R"({"text": 'single'})",
           R"({text: "a"})",
           R"({"text": "a",})",
           "\xEF\xBB\xBF{\"text\": \"bom\"}",   // json.loads refuses a BOM in a str
           "\"unterminated",
           "1 2",
       }) {
    EXPECT_EQ(Parse(line), kInvalidJson) << line;
  }
  // Numbers beyond a double are JSON (json.loads gives inf or a big int).
  EXPECT_EQ(Parse(R"({"x": 1e400, "y": 123456789012345678901234567890, "text": "n"})"), "n");
}

TEST(JsonlRecordTest, InvalidUtf8) {
  EXPECT_EQ(Parse("{\"text\": \"\xFF\"}"), "<not valid UTF-8>");
  EXPECT_EQ(Parse("{\"x\": \"\xED\xA0\x80\", \"text\": \"a\"}"), "<not valid UTF-8>");
  // Python decodes before it parses: invalid UTF-8 wins over invalid JSON
  // (found by tools/fuzz_jsonl_vs_python.py: simdjson saw the open string).
  EXPECT_EQ(Parse("{\"text\xED\xA0\x80: 5}"), "<not valid UTF-8>");
}

TEST(JsonlRecordTest, DepthLimit) {
  const int d = JsonlRecordParser::kMaxDepth;
  auto nested = [](int n) {
    return "{\"text\": \"t\", \"x\": " + std::string(n, '[') + std::string(n, ']') + "}";
  };
  EXPECT_EQ(Parse(nested(100)), "t");
  EXPECT_EQ(Parse(nested(d + 10)), kInvalidJson);
  EXPECT_EQ(Parse(std::string(200000, '[')), kInvalidJson);
}

TEST(JsonlRecordTest, ParsesManyLinesWithOneParser) {
  JsonlRecordParser parser("text");
  std::string_view text;
  const std::string big = "{\"text\": \"" + std::string(3 << 20, 'a') + "\"}";
  ASSERT_EQ(parser.Parse(big, &text), BadRecord::kNone);
  EXPECT_EQ(text.size(), size_t{3} << 20);
  ASSERT_EQ(parser.Parse(R"({"text": "small"})", &text), BadRecord::kNone);
  EXPECT_EQ(text, "small");
  ASSERT_EQ(parser.Parse(R"({"x": 1})", &text), BadRecord::kMissingField);
  ASSERT_EQ(parser.Parse(R"({"text": "\ud800"})", &text), BadRecord::kNone);
  EXPECT_EQ(text, "\xEF\xBF\xBD");
  EXPECT_EQ(parser.Parse(std::string(kMaxRecordBytes + 1, ' '), &text),
            BadRecord::kTooLong);
}

TEST(JsonlRecordTest, BlankAndFieldPaths) {
  EXPECT_TRUE(JsonlRecordParser::IsBlank(""));
  EXPECT_TRUE(JsonlRecordParser::IsBlank(" \t\r "));
  EXPECT_FALSE(JsonlRecordParser::IsBlank(" {} "));
  EXPECT_EQ(SplitFieldPath("meta.text"), (std::vector<std::string>{"meta", "text"}));
  EXPECT_EQ(SplitFieldPath("text"), (std::vector<std::string>{"text"}));
  for (const char* bad : {"", ".", "a.", ".a", "a..b"}) {
    EXPECT_TRUE(SplitFieldPath(bad).empty()) << bad;
  }
}

}  // namespace
}  // namespace pretokdb
