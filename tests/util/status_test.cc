#include "util/status.h"

#include <gtest/gtest.h>

namespace pushdown {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  PD_ASSIGN_OR_RETURN(int h, Half(x));
  PD_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, OkAndCodes) {
  EXPECT_TRUE(Status::OK().ok());
  EXPECT_EQ(Status::OK().ToString(), "OK");
  Status s = Status::Corruption("bad block checksum");
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "Corruption: bad block checksum");
  EXPECT_EQ(s.WithContext("000012.sst").message(), "000012.sst: bad block checksum");
  EXPECT_EQ(Status::FromErrno("open x", ENOENT).ToString(),
            "IO error: open x: No such file or directory");
}

TEST(StatusTest, ResultPropagates) {
  Result<int> ok = Quarter(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  Result<int> bad = Quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "odd: 3");
  Result<int> from_ok_status = Status::OK();
  EXPECT_EQ(from_ok_status.status().code(), Status::Code::kInternal);
}

}  // namespace
}  // namespace pushdown
