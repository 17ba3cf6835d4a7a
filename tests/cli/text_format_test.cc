#include "cli/text_format.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace pretokdb {
namespace {

uint64_t Size(const char* text) {
  uint64_t bytes = 12345;
  return ParseSize(text, &bytes) ? bytes : 0;
}

TEST(ParseSizeTest, WholeNumbersAndSuffixes) {
  EXPECT_EQ(Size("100"), 100u);
  EXPECT_EQ(Size("64K"), 64u << 10);
  EXPECT_EQ(Size("64k"), 64u << 10);
  EXPECT_EQ(Size("512MiB"), 512u << 20);
  EXPECT_EQ(Size("4GB"), uint64_t{4} << 30);
  EXPECT_EQ(Size("2T"), uint64_t{2} << 40);
  EXPECT_EQ(Size("7B"), 7u);
}

TEST(ParseSizeTest, DecimalsRoundDownToBytes) {
  EXPECT_EQ(Size("1.5G"), uint64_t{3} << 29);
  EXPECT_EQ(Size("0.5M"), 512u << 10);
  EXPECT_EQ(Size("1.0001K"), 1024u);           // 1024.1024 bytes
  EXPECT_EQ(Size("2.5"), 2u);
  EXPECT_EQ(Size("0.1T"), uint64_t{109951162777});  // 2^40 / 10, rounded down
  EXPECT_EQ(Size("1.12345678901234567890123G"), uint64_t{1206302541});
}

TEST(ParseSizeTest, Malformed) {
  uint64_t bytes;
  for (const char* bad : {"", "abc", "12X", "1.G", ".5G", "1..5G", "1.5.2G", "-1G",
                          " 1G", "1G ", "1 G", "0", "0K", "0.0001", "1KX", "1BB",
                          "20000000000T", "18446744073709551616"}) {
    EXPECT_FALSE(ParseSize(bad, &bytes)) << bad;
  }
}

TEST(MemoryLimitErrorTest, SaysWhatIsAccepted) {
  EXPECT_EQ(MemoryLimitError("64K"), "");
  EXPECT_EQ(MemoryLimitError("1.5G"), "");
  EXPECT_NE(MemoryLimitError("1K").find("less than 64K"), std::string::npos);
  EXPECT_NE(MemoryLimitError("abc").find("not a size"), std::string::npos);
  EXPECT_NE(MemoryLimitError("abc").find("1.5G"), std::string::npos);
}

}  // namespace
}  // namespace pretokdb
