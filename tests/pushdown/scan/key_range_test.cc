#include "pushdown/scan/key_range.h"

#include <gtest/gtest.h>

namespace pushdown::exec {
namespace {

TEST(KeyRangeTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("abc"), "abd");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff\xff", 3)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("a\x00", 2)), std::string("a\x01", 2));
  EXPECT_EQ(PrefixSuccessor(std::string("\xfe", 1)), std::string("\xff", 1));
  EXPECT_EQ(PrefixSuccessor(""), std::nullopt);
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), std::nullopt);
}

TEST(KeyRangeTest, PrefixRangeHoldsExactlyThePrefixedKeys) {
  const std::string keys[] = {"",   "a", "ab", std::string("ab\xff", 3), "abc",
                              "ac", "b", "aa", std::string("a\xff", 2),  "abd"};
  for (const std::string& prefix : {std::string("ab"), std::string("a"), std::string(""),
                                    std::string("a\xff", 2), std::string("\xff", 1)}) {
    const KeyRange r = PrefixRange(prefix);
    for (const std::string& k : keys) {
      EXPECT_EQ(r.Contains(k), k.compare(0, prefix.size(), prefix) == 0)
          << "prefix size " << prefix.size() << " key size " << k.size();
    }
  }
}

TEST(KeyRangeTest, BoundsAndFileRanges) {
  KeyRange r{std::string("b"), std::string("d")};
  EXPECT_FALSE(r.empty());
  EXPECT_TRUE(r.Contains("b"));   // lower is inclusive
  EXPECT_FALSE(r.Contains("d"));  // upper is exclusive
  EXPECT_TRUE(r.Contains("c\xff"));
  EXPECT_FALSE(r.Contains("a\xff"));
  EXPECT_TRUE(r.Excludes("a", "az"));
  EXPECT_FALSE(r.Excludes("a", "b"));
  EXPECT_TRUE(r.Excludes("d", "e"));
  EXPECT_FALSE(r.Excludes("a", "z"));
  EXPECT_TRUE((KeyRange{std::string("c"), std::string("c")}).empty());
  EXPECT_TRUE((KeyRange{std::string("d"), std::string("c")}).Excludes("a", "z"));
  EXPECT_TRUE(KeyRange{}.unbounded());
  EXPECT_FALSE(KeyRange{}.Excludes("a", "z"));
}

}  // namespace
}  // namespace pushdown::exec
