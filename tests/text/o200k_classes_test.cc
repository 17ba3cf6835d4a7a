// Copyright (c) pretok-db authors.
//
// The o200k class table (text/o200k_classes.h) against the two other
// tables generated from the same `regex` module: each bit is the union of
// general categories (text/general_category.h) it names, or the class of
// text/char_class.h it names.

#include "text/o200k_classes.h"

#include <gtest/gtest.h>

#include <cstring>

#include "text/char_class.h"
#include "text/general_category.h"

namespace pretokdb {
namespace {

using GC = GeneralCategory;

bool In(GC c, std::initializer_list<GC> set) {
  for (GC x : set) {
    if (c == x) return true;
  }
  return false;
}

TEST(O200kClassesTest, EveryCodePointAgreesWithTheOtherTables) {
  for (char32_t cp = 0; cp <= 0x10FFFF; cp++) {
    const uint8_t bits = O200kClassOf(cp);
    const GC gc = GeneralCategoryOf(cp);
    const CharClass cls = ClassOf(cp);
    const bool mark = In(gc, {GC::kMn, GC::kMc, GC::kMe});
    const bool letter = cls == CharClass::kLetter;
    const bool number = cls == CharClass::kNumber;
    const bool space = cls == CharClass::kSpace;
    const bool line_break = cp == '\r' || cp == '\n';
    ASSERT_EQ((bits & kO200kUpper) != 0,
              In(gc, {GC::kLu, GC::kLt, GC::kLm, GC::kLo}) || mark)
        << std::hex << static_cast<uint32_t>(cp);
    ASSERT_EQ((bits & kO200kLower) != 0,
              In(gc, {GC::kLl, GC::kLm, GC::kLo}) || mark)
        << std::hex << static_cast<uint32_t>(cp);
    ASSERT_EQ((bits & kO200kNumber) != 0, number)
        << std::hex << static_cast<uint32_t>(cp);
    ASSERT_EQ((bits & kO200kSpace) != 0, space)
        << std::hex << static_cast<uint32_t>(cp);
    ASSERT_EQ((bits & kO200kOther) != 0, !space && !letter && !number)
        << std::hex << static_cast<uint32_t>(cp);
    ASSERT_EQ((bits & kO200kPrefix) != 0, !line_break && !letter && !number)
        << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(O200kClassesTest, Examples) {
  EXPECT_EQ(O200kClassOf('A'), kO200kUpper);
  EXPECT_EQ(O200kClassOf(0x01C5), kO200kUpper);  // Dz, titlecase
  EXPECT_EQ(O200kClassOf('a'), kO200kLower);
  EXPECT_EQ(O200kClassOf(0x017F), kO200kLower);  // long s
  EXPECT_EQ(O200kClassOf(0x02B0), kO200kWord);   // Lm
  EXPECT_EQ(O200kClassOf(0x4E2D), kO200kWord);   // Lo
  EXPECT_EQ(O200kClassOf(0x0301),
            kO200kWord | kO200kOther | kO200kPrefix);  // Mn
  EXPECT_EQ(O200kClassOf('7'), kO200kNumber);
  EXPECT_EQ(O200kClassOf(0x00BD), kO200kNumber);
  EXPECT_EQ(O200kClassOf('\n'), kO200kSpace);
  EXPECT_EQ(O200kClassOf(' '), kO200kSpace | kO200kPrefix);
  EXPECT_EQ(O200kClassOf(0x3000), kO200kSpace | kO200kPrefix);
  EXPECT_EQ(O200kClassOf('!'), kO200kOther | kO200kPrefix);
  EXPECT_EQ(O200kClassOf(0x1F600), kO200kOther | kO200kPrefix);
  EXPECT_EQ(O200kClassOf(0x110000), kO200kOther | kO200kPrefix);
}

TEST(O200kClassesTest, RecordsItsSource) {
  EXPECT_STREQ(O200kClassesSource(), UnicodeTablesSource());
}

}  // namespace
}  // namespace pretokdb
