#include "util/coding.h"

#include <gtest/gtest.h>

#include <random>

namespace pushdown {
namespace {

TEST(CodingTest, Varint64RoundTrip) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = rng() >> (rng() % 64);
    std::string buf;
    PutVarint64(&buf, v);
    EXPECT_EQ(static_cast<int>(buf.size()), VarintLength(v));
    std::string_view in(buf);
    uint64_t out = 0;
    ASSERT_TRUE(GetVarint64(&in, &out));
    EXPECT_EQ(out, v);
    EXPECT_TRUE(in.empty());
  }
}

TEST(CodingTest, TruncatedAndOverlongVarintsAreRejected) {
  std::string buf;
  PutVarint32(&buf, 300000);
  for (size_t len = 0; len < buf.size(); ++len) {
    uint32_t v;
    EXPECT_EQ(GetVarint32Ptr(buf.data(), buf.data() + len, &v), nullptr) << len;
  }
  std::string overlong(5, '\xff');
  uint32_t v;
  EXPECT_EQ(GetVarint32Ptr(overlong.data(), overlong.data() + overlong.size(), &v), nullptr);
  std::string big;
  PutVarint64(&big, uint64_t{1} << 40);
  EXPECT_EQ(GetVarint32Ptr(big.data(), big.data() + big.size(), &v), nullptr);
}

TEST(CodingTest, LengthPrefixedSlice) {
  std::string buf;
  PutVarint32(&buf, 3);
  buf += "abcd";
  std::string_view in(buf), out;
  ASSERT_TRUE(GetLengthPrefixedSlice(&in, &out));
  EXPECT_EQ(out, "abc");
  EXPECT_EQ(in, "d");
  std::string_view short_in(
      "\x05"
      "ab",
      3);
  EXPECT_FALSE(GetLengthPrefixedSlice(&short_in, &out));
}

}  // namespace
}  // namespace pushdown
