// ldb's hex forms: what `ldb --hex` accepts for keys and how it prints a scan.
#include "engine/cli/ldb_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pushdown::engine {
namespace {

using ::testing::HasSubstr;

TEST(LdbFormatTest, HexInputAsLdb) {
  auto k = ParseLdbHex("from", "0x6B00ff");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(*k, std::string("k\x00\xff", 3));
  auto upper_x = ParseLdbHex("from", "0X0a");
  ASSERT_TRUE(upper_x.ok());
  EXPECT_EQ(*upper_x, "\n");
  auto empty = ParseLdbHex("to", "0x");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
}

TEST(LdbFormatTest, BadHexIsAUsageErrorNamingTheFlagAndOffset) {
  for (const char* bad : {"6B00", "", "x", "0x6", "0x6G", "0xzz"}) {
    auto k = ParseLdbHex("to", bad);
    ASSERT_FALSE(k.ok()) << bad;
    EXPECT_TRUE(k.status().IsInvalidArgument()) << bad;
    EXPECT_THAT(k.status().message(), HasSubstr("--to=")) << bad;
  }
  EXPECT_THAT(ParseLdbHex("from", "0x6G").status().message(), HasSubstr("offset 3"));
  EXPECT_THAT(ParseLdbHex("from", "0x6").status().message(), HasSubstr("odd number"));
}

TEST(LdbFormatTest, OutputAsLdbScan) {
  EXPECT_EQ(LdbHex(std::string("\x00\xab\x0f", 3)), "0x00AB0F");
  EXPECT_EQ(LdbHex(""), "0x");
  EXPECT_EQ(LdbScanLine("a", "b"), "0x61 : 0x62");
  EXPECT_EQ(LdbScanLine("", std::string("\xff", 1)), "0x : 0xFF");
}

}  // namespace
}  // namespace pushdown::engine
