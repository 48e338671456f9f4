#include "bpfgen/schema/date.h"

#include <gtest/gtest.h>

namespace pushdown::bpfgen {
namespace {

TEST(DateTest, Epoch) {
  int32_t d = -1;
  ASSERT_TRUE(ParseDate("1970-01-01", &d));
  EXPECT_EQ(d, 0);
  EXPECT_EQ(FormatDate(0), "1970-01-01");
}

TEST(DateTest, KnownDays) {
  int32_t d;
  ASSERT_TRUE(ParseDate("1994-01-01", &d));
  EXPECT_EQ(d, 8766);
  ASSERT_TRUE(ParseDate("2000-03-01", &d));
  EXPECT_EQ(d, 11017);
  ASSERT_TRUE(ParseDate("1969-12-31", &d));
  EXPECT_EQ(d, -1);
}

TEST(DateTest, RangeEnds) {
  int32_t d;
  ASSERT_TRUE(ParseDate("0001-01-01", &d));
  EXPECT_EQ(d, kMinDateDays);
  ASSERT_TRUE(ParseDate("9999-12-31", &d));
  EXPECT_EQ(d, kMaxDateDays);
  EXPECT_EQ(FormatDate(kMinDateDays), "0001-01-01");
  EXPECT_EQ(FormatDate(kMaxDateDays), "9999-12-31");
}

TEST(DateTest, RejectsInvalid) {
  int32_t d;
  for (const char* s :
       {"0000-01-01", "1994-00-01", "1994-13-01", "1994-01-00", "1994-01-32", "1994-02-29",
        "1900-02-29", "2001-04-31", "1994-1-01", "1994-01-1", "19940101", "1994/01/01",
        "+994-01-01", "1994-01-01 ", "", "abcd-ef-gh", "1994-06-31", "1994-09-31", "1994-11-31"}) {
    EXPECT_FALSE(ParseDate(s, &d)) << s;
  }
}

TEST(DateTest, LeapYears) {
  int32_t d;
  EXPECT_TRUE(ParseDate("2000-02-29", &d));
  EXPECT_TRUE(ParseDate("1996-02-29", &d));
  EXPECT_TRUE(ParseDate("0004-02-29", &d));
  EXPECT_TRUE(ParseDate("9996-02-29", &d));
  EXPECT_FALSE(ParseDate("2100-02-29", &d));
  EXPECT_TRUE(ParseDate("2400-02-29", &d));
}

// Every day in the range round-trips and consecutive days differ by one.
TEST(DateTest, EveryDayRoundTrips) {
  int64_t prev_year = 0;
  unsigned prev_month = 12, prev_day = 31;
  for (int32_t days = kMinDateDays; days <= kMaxDateDays; ++days) {
    int64_t y;
    unsigned m, dd;
    CivilFromDays(days, &y, &m, &dd);
    ASSERT_EQ(DaysFromCivil(y, m, dd), days);
    // Successor check against the previous civil date.
    if (dd == 1) {
      ASSERT_EQ(prev_day, DaysInMonth(prev_year, prev_month)) << days;
      ASSERT_EQ(m == 1 ? y - 1 : y, prev_year);
      ASSERT_EQ(m == 1 ? 12u : m - 1, prev_month);
    } else {
      ASSERT_EQ(dd, prev_day + 1);
      ASSERT_EQ(m, prev_month);
    }
    prev_year = y;
    prev_month = m;
    prev_day = dd;
    if (days % 997 == 0) {
      int32_t parsed;
      ASSERT_TRUE(ParseDate(FormatDate(days), &parsed)) << FormatDate(days);
      ASSERT_EQ(parsed, days);
    }
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
