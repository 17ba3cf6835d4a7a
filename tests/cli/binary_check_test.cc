#include "cli/binary_check.h"

#include <gtest/gtest.h>

#include <string>

namespace pretokdb {
namespace {

TEST(BinaryReasonTest, TextIsNotBinary) {
  EXPECT_EQ(BinaryReason(""), "");
  EXPECT_EQ(BinaryReason("hello world\n\tcaf\xC3\xA9\n"), "");
  // A few bad bytes in a lot of text: at most 1% replaced.
  std::string mostly(10000, 'a');
  for (int i = 0; i < 100; ++i) mostly[i * 100] = '\xFF';
  EXPECT_EQ(BinaryReason(mostly), "");
}

TEST(BinaryReasonTest, NulInFirst8KiB) {
  std::string s(100, 'a');
  s[7] = '\0';
  EXPECT_NE(BinaryReason(s).find("NUL byte at offset 7"), std::string::npos);
  std::string late(9000, 'a');
  late[8500] = '\0';  // after the first 8 KiB: not looked for
  EXPECT_EQ(BinaryReason(late), "");
}

TEST(BinaryReasonTest, MoreThanOnePercentReplaced) {
  std::string s(10000, 'a');
  for (int i = 0; i < 101; ++i) s[i * 99] = '\xFF';
  EXPECT_NE(BinaryReason(s).find("101 invalid UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace pretokdb
