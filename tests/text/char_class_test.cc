// Copyright (c) pretok-db authors.

#include "text/char_class.h"

#include <gtest/gtest.h>

#include <cstring>

namespace pretokdb {
namespace {

bool IsRegexSpace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

TEST(CharClassTest, SpacesAreExactlyRegexWhitespace) {
  for (char32_t cp = 0; cp <= 0x10FFFF; cp++) {
    ASSERT_EQ(ClassOf(cp) == CharClass::kSpace, IsRegexSpace(cp))
        << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(CharClassTest, Ascii) {
  for (char32_t cp = 0; cp < 0x80; cp++) {
    CharClass want = CharClass::kOther;
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
      want = CharClass::kLetter;
    } else if (cp >= '0' && cp <= '9') {
      want = CharClass::kNumber;
    } else if (IsRegexSpace(cp)) {
      want = CharClass::kSpace;
    }
    EXPECT_EQ(ClassOf(cp), want) << static_cast<uint32_t>(cp);
  }
  // Python's `re` counts the information separators as \s; `regex` does not.
  for (char32_t cp = 0x1C; cp <= 0x1F; cp++) {
    EXPECT_EQ(ClassOf(cp), CharClass::kOther);
  }
}

TEST(CharClassTest, Letters) {
  for (char32_t cp :
       {0xE9, 0xDF, 0x3A9, 0x436, 0x5D0, 0x639, 0x928, 0xE01, 0x3042, 0x30A2,
        0x4E2D, 0xAC00, 0x2B0, 0x1E9E, 0x10400, 0x20000}) {
    EXPECT_EQ(ClassOf(cp), CharClass::kLetter)
        << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(CharClassTest, Numbers) {
  // Superscripts, fractions, Roman numerals (Nl), Arabic-Indic, Devanagari,
  // fullwidth, circled, mathematical digits.
  for (char32_t cp : {0xB2, 0xB3, 0xB9, 0xBD, 0x2167, 0x2177, 0x2182, 0x663,
                      0x969, 0xFF13, 0x2460, 0x1D7D8}) {
    EXPECT_EQ(ClassOf(cp), CharClass::kNumber)
        << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(CharClassTest, Others) {
  // Marks, punctuation, symbols, emoji, format characters, U+FFFD,
  // unassigned, private use, noncharacters, surrogates.
  for (char32_t cp : {0x0, 0x7F, 0x301, 0x94D, 0x20DD, 0x2019, 0x20AC, 0x1F600,
                      0x200B, 0x200D, 0xFEFF, 0x180E, 0xFFFD, 0x378, 0xE000,
                      0xFFFF, 0xD800, 0xDFFF, 0x10FFFF}) {
    EXPECT_EQ(ClassOf(cp), CharClass::kOther)
        << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(CharClassTest, BeyondUnicodeIsOther) {
  EXPECT_EQ(ClassOf(0x110000), CharClass::kOther);
  EXPECT_EQ(ClassOf(0x7FFFFFFF), CharClass::kOther);
  EXPECT_EQ(ClassOf(0xFFFFFFFF), CharClass::kOther);
}

TEST(CharClassTest, RecordsItsSource) {
  EXPECT_NE(std::strstr(UnicodeTablesSource(), "regex "), nullptr)
      << UnicodeTablesSource();
}

}  // namespace
}  // namespace pretokdb
