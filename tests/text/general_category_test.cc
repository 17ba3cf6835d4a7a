// Copyright (c) pretok-db authors.

#include "text/general_category.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "text/char_class.h"
#include "text/re2_pretokenizer.h"

namespace pretokdb {
namespace {

using GC = GeneralCategory;

TEST(GeneralCategoryTest, Examples) {
  const struct {
    char32_t cp;
    GC want;
  } kCases[] = {
      {'A', GC::kLu},      {'z', GC::kLl},    {0x1C5, GC::kLt},
      {0x2B0, GC::kLm},    {0x4E2D, GC::kLo}, {0xAA, GC::kLo},
      {0x301, GC::kMn},    {0x903, GC::kMc},  {0x20DD, GC::kMe},
      {'7', GC::kNd},      {0x2167, GC::kNl}, {0xB2, GC::kNo},
      {'_', GC::kPc},      {'-', GC::kPd},    {'(', GC::kPs},
      {')', GC::kPe},      {0xAB, GC::kPi},   {0xBB, GC::kPf},
      {'!', GC::kPo},      {'+', GC::kSm},    {'$', GC::kSc},
      {'^', GC::kSk},      {0xA9, GC::kSo},   {' ', GC::kZs},
      {0x2028, GC::kZl},   {0x2029, GC::kZp}, {'\n', GC::kCc},
      {0x200D, GC::kCf},   {0xD800, GC::kCs}, {0xE000, GC::kCo},
      {0x378, GC::kCn},    {0x212A, GC::kLu}, {0x17F, GC::kLl},
      {0x110000, GC::kCn},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(GeneralCategoryOf(c.cp), c.want)
        << std::hex << static_cast<uint32_t>(c.cp);
  }
}

// \p{L} and \p{N} of the scanner's table are the unions of categories.
TEST(GeneralCategoryTest, AgreesWithCharClass) {
  for (char32_t cp = 0; cp <= 0x10FFFF; cp++) {
    const GC g = GeneralCategoryOf(cp);
    const bool letter = g >= GC::kLu && g <= GC::kLo;
    const bool number = g >= GC::kNd && g <= GC::kNo;
    ASSERT_EQ(ClassOf(cp) == CharClass::kLetter, letter)
        << std::hex << static_cast<uint32_t>(cp);
    ASSERT_EQ(ClassOf(cp) == CharClass::kNumber, number)
        << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(GeneralCategoryTest, Names) {
  const CategoryMask kLetters = MaskOf(GC::kLu) | MaskOf(GC::kLl) |
                                MaskOf(GC::kLt) | MaskOf(GC::kLm) |
                                MaskOf(GC::kLo);
  const struct {
    const char* name;
    CategoryMask want;
  } kCases[] = {
      {"Lu", MaskOf(GC::kLu)},
      {"lu", MaskOf(GC::kLu)},
      {"L u", MaskOf(GC::kLu)},
      {"gc=Lu", MaskOf(GC::kLu)},
      {"General_Category=Lu", MaskOf(GC::kLu)},
      {"Uppercase_Letter", MaskOf(GC::kLu)},
      {"L", kLetters},
      {"L&", kLetters},  // as `regex` reads it
      {"LC", MaskOf(GC::kLu) | MaskOf(GC::kLl) | MaskOf(GC::kLt)},
      {"M", MaskOf(GC::kMn) | MaskOf(GC::kMc) | MaskOf(GC::kMe)},
      {"Combining_Mark", MaskOf(GC::kMn) | MaskOf(GC::kMc) | MaskOf(GC::kMe)},
      {"Nd", MaskOf(GC::kNd)},
      {"Cn", MaskOf(GC::kCn)},
  };
  for (const auto& c : kCases) {
    CategoryMask mask = 0;
    ASSERT_TRUE(CategoryMaskOf(c.name, &mask)) << c.name;
    EXPECT_EQ(mask, c.want) << c.name;
  }
  CategoryMask mask = 0;
  EXPECT_FALSE(CategoryMaskOf("Greek", &mask));
  EXPECT_FALSE(CategoryMaskOf("IsLu", &mask));
  EXPECT_FALSE(CategoryMaskOf("", &mask));
}

TEST(GeneralCategoryTest, RecordsItsSource) {
  EXPECT_NE(std::strstr(GeneralCategorySource(), "regex "), nullptr);
  EXPECT_STREQ(GeneralCategorySource(), UnicodeTablesSource());
}

// Re2Pretokenizer spells categories out from this table, not RE2's own;
// the cases below are characters RE2 20220601's tables do not know (from
// Unicode 15 and 16), and Python `regex` 2026.5.9 gives these tokens.
std::vector<std::string> Tokens(std::string_view pattern,
                                std::string_view text) {
  std::unique_ptr<Re2Pretokenizer> tok;
  const Status s = Re2Pretokenizer::Create(pattern, &tok);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> out;
  if (tok != nullptr) {
    tok->Scan(text, [&](std::string_view t) { out.emplace_back(t); });
  }
  return out;
}

TEST(GeneralCategoryTest, Re2UsesTheseTables) {
  // U+1C89 CYRILLIC CAPITAL LETTER TJE (Lu, Unicode 16), U+1C8A its small
  // letter (Ll), U+11F00 KAWI SIGN CANDRABINDU (Mn, Unicode 15), U+1E4F0
  // NAG MUNDARI DIGIT ZERO (Nd, Unicode 15).
  EXPECT_EQ(Tokens(R"(\p{Lu}+|\p{Ll}+|\p{M}|\d+|.)",
                   "\u1C89\u1C89\u1C8A\U00011F00\U0001E4F0\U0001E4F1"),
            (std::vector<std::string>{"\u1C89\u1C89", "\u1C8A", "\U00011F00",
                                      "\U0001E4F0\U0001E4F1"}));
  EXPECT_EQ(Tokens(R"([\p{Lu}\p{M}]+|[^\p{Lu}\p{M}]+)", "\u1C89\u0301a\u1C8A"),
            (std::vector<std::string>{"\u1C89\u0301", "a\u1C8A"}));
  EXPECT_EQ(Tokens(R"(\P{Ll}+|\p{^Lu}+)", "\u1C89A\u1C8Ab"),
            (std::vector<std::string>{"\u1C89A", "\u1C8Ab"}));
  // \p{Cs} matches no character of valid UTF-8.
  EXPECT_EQ(Tokens(R"(\p{Cs}|a)", "ba"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Tokens(R"(\P{Cs})", "b"), (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace pretokdb
