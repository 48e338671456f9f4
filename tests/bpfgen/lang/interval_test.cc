// DATE +/- INTERVAL folding (bpfgen/lang/interval.h): the calendar rule against
// a naive year/month/day model, the count and unit text forms, and the folded
// literal seen by the type checker and the printer.
#include "bpfgen/lang/interval.h"

#include <gtest/gtest.h>

#include <string>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/date.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

Schema Lineitem() {
  Result<Schema> s = ParseSchema(kLineitemDdl);
  EXPECT_TRUE(s.ok());
  return *s;
}

int32_t D(const char* ymd) {
  int32_t days = 0;
  EXPECT_TRUE(ParseDate(ymd, &days)) << ymd;
  return days;
}

std::string Add(const char* ymd, int64_t count, IntervalUnit unit, bool subtract = false) {
  int32_t out = 0;
  if (!AddInterval(D(ymd), Interval{count, unit}, subtract, &out)) return "out of range";
  return FormatDate(out);
}

TEST(Interval, Days) {
  EXPECT_EQ(Add("1998-12-01", 90, IntervalUnit::kDay, true), "1998-09-02");
  EXPECT_EQ(Add("1999-12-31", 1, IntervalUnit::kDay), "2000-01-01");
  EXPECT_EQ(Add("2000-02-28", 1, IntervalUnit::kDay), "2000-02-29");
  EXPECT_EQ(Add("1900-02-28", 1, IntervalUnit::kDay), "1900-03-01");
  EXPECT_EQ(Add("9999-12-31", 0, IntervalUnit::kDay), "9999-12-31");
  EXPECT_EQ(Add("9999-12-31", 1, IntervalUnit::kDay), "out of range");
  EXPECT_EQ(Add("0001-01-01", -1, IntervalUnit::kDay), "out of range");
  EXPECT_EQ(Add("0001-01-01", 1, IntervalUnit::kDay, true), "out of range");
  EXPECT_EQ(Add("0001-01-01", kMaxDateDays - kMinDateDays, IntervalUnit::kDay), "9999-12-31");
}

TEST(Interval, MonthsClampToTheEndOfTheMonth) {
  EXPECT_EQ(Add("2024-01-31", 1, IntervalUnit::kMonth), "2024-02-29");
  EXPECT_EQ(Add("2023-01-31", 1, IntervalUnit::kMonth), "2023-02-28");
  EXPECT_EQ(Add("2024-03-31", 1, IntervalUnit::kMonth, true), "2024-02-29");
  EXPECT_EQ(Add("2024-05-31", 1, IntervalUnit::kMonth), "2024-06-30");
  EXPECT_EQ(Add("2024-01-15", 13, IntervalUnit::kMonth), "2025-02-15");
  EXPECT_EQ(Add("2024-01-15", -13, IntervalUnit::kMonth), "2022-12-15");
  EXPECT_EQ(Add("2024-02-29", 1, IntervalUnit::kYear), "2025-02-28");
  EXPECT_EQ(Add("2024-02-29", 4, IntervalUnit::kYear), "2028-02-29");
  EXPECT_EQ(Add("2000-02-29", 100, IntervalUnit::kYear), "2100-02-28");
  EXPECT_EQ(Add("1994-01-01", 1, IntervalUnit::kYear), "1995-01-01");
  EXPECT_EQ(Add("9999-12-01", 1, IntervalUnit::kMonth), "out of range");
  EXPECT_EQ(Add("0001-01-31", 1, IntervalUnit::kMonth, true), "out of range");
  EXPECT_EQ(Add("0001-02-28", 1, IntervalUnit::kMonth, true), "0001-01-28");
  EXPECT_EQ(Add("9998-12-31", 1, IntervalUnit::kYear), "9999-12-31");
  EXPECT_EQ(Add("2000-01-01", 100'000'001, IntervalUnit::kDay), "out of range");
  EXPECT_EQ(Add("2000-01-01", INT64_MAX, IntervalUnit::kYear), "out of range");
  EXPECT_EQ(Add("2000-01-01", INT64_MIN, IntervalUnit::kMonth), "out of range");
  EXPECT_EQ(Add("2000-01-01", INT64_MIN, IntervalUnit::kDay, true), "out of range");
}

// The month rule against a naive model: step the (year, month) pair one month
// at a time and clamp the day, for every day of a leap-year cycle region.
TEST(Interval, MonthsMatchANaiveModel) {
  for (int32_t days = D("1999-11-01"); days <= D("2001-03-31"); ++days) {
    int64_t year;
    unsigned month, day;
    CivilFromDays(days, &year, &month, &day);
    for (int step = -30; step <= 30; ++step) {
      int64_t y = year;
      int m = static_cast<int>(month);
      for (int k = 0; k < (step < 0 ? -step : step); ++k) {
        m += step < 0 ? -1 : 1;
        if (m == 0) m = 12, --y;
        if (m == 13) m = 1, ++y;
      }
      unsigned last = DaysInMonth(y, static_cast<unsigned>(m));
      int64_t expected = DaysFromCivil(y, static_cast<unsigned>(m), day < last ? day : last);
      int32_t got = 0;
      ASSERT_TRUE(AddInterval(days, Interval{step, IntervalUnit::kMonth}, false, &got));
      ASSERT_EQ(got, expected) << FormatDate(days) << " + " << step << " months";
      ASSERT_TRUE(AddInterval(days, Interval{-step, IntervalUnit::kMonth}, true, &got));
      ASSERT_EQ(got, expected) << FormatDate(days) << " - " << -step << " months";
      if (step % 12 == 0) {
        ASSERT_TRUE(AddInterval(days, Interval{step / 12, IntervalUnit::kYear}, false, &got));
        ASSERT_EQ(got, expected) << FormatDate(days) << " + " << step / 12 << " years";
      }
    }
  }
}

TEST(Interval, Units) {
  EXPECT_EQ(ParseIntervalUnit("day"), IntervalUnit::kDay);
  EXPECT_EQ(ParseIntervalUnit("DAYS"), IntervalUnit::kDay);
  EXPECT_EQ(ParseIntervalUnit("Month"), IntervalUnit::kMonth);
  EXPECT_EQ(ParseIntervalUnit("months"), IntervalUnit::kMonth);
  EXPECT_EQ(ParseIntervalUnit("YEAR"), IntervalUnit::kYear);
  EXPECT_EQ(ParseIntervalUnit("years"), IntervalUnit::kYear);
  EXPECT_EQ(ParseIntervalUnit("week"), std::nullopt);
  EXPECT_EQ(ParseIntervalUnit(""), std::nullopt);
  EXPECT_EQ(ParseIntervalUnit("dayss"), std::nullopt);
}

TEST(Interval, Counts) {
  int64_t n = 0;
  std::optional<IntervalUnit> unit;
  EXPECT_EQ(ParseIntervalCount("90", &n, &unit), IntervalCountError::kNone);
  EXPECT_EQ(n, 90);
  EXPECT_FALSE(unit);
  EXPECT_EQ(ParseIntervalCount(" -7 ", &n, &unit), IntervalCountError::kNone);
  EXPECT_EQ(n, -7);
  EXPECT_EQ(ParseIntervalCount("+0", &n, &unit), IntervalCountError::kNone);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(ParseIntervalCount("3 months", &n, &unit), IntervalCountError::kNone);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(unit, IntervalUnit::kMonth);
  unit.reset();
  EXPECT_EQ(ParseIntervalCount("3 months", &n, nullptr), IntervalCountError::kNotInteger);
  for (const char* bad : {"", " ", "-", "1.5", "1e3", "x", "1x", "--1", "1 2", "1 day x", "0x10"}) {
    EXPECT_EQ(ParseIntervalCount(bad, &n, &unit), IntervalCountError::kNotInteger) << bad;
  }
  EXPECT_EQ(ParseIntervalCount("1 fortnight", &n, &unit), IntervalCountError::kBadUnit);
  EXPECT_EQ(ParseIntervalCount("99999999999999999999", &n, &unit), IntervalCountError::kOutOfRange);
  // Large but digit-bounded counts saturate; AddInterval reports them.
  EXPECT_EQ(ParseIntervalCount("9999999999999999999", &n, &unit), IntervalCountError::kNone);
  int32_t out = 0;
  EXPECT_FALSE(AddInterval(0, Interval{n, IntervalUnit::kDay}, false, &out));
  EXPECT_EQ(ParseIntervalCount("-9999999999999999999", &n, &unit), IntervalCountError::kNone);
  EXPECT_FALSE(AddInterval(0, Interval{n, IntervalUnit::kDay}, true, &out));
}

// The fold leaves a plain DATE literal: the typed tree has no trace of the
// interval, so every consumer (evaluator, both code generators) sees a DATE.
TEST(Interval, FoldsToADateLiteral) {
  Result<ExprPtr> e =
      CompileExpr("l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY", Lineitem());
  ASSERT_TRUE(e.ok()) << e.status().message();
  const Expr& rhs = *(*e)->children[1];
  EXPECT_EQ(rhs.kind, ExprKind::kLiteral);
  EXPECT_EQ(rhs.type, Type::Date());
  EXPECT_EQ(rhs.literal_int, D("1998-09-02"));
  // The literal's range covers the whole DATE ... DAY text (for diagnostics).
  EXPECT_EQ(rhs.range.begin, 14u);
  EXPECT_EQ(rhs.range.end, 51u);
  // A folded DATE meets the type checker like any DATE literal.
  Result<ExprPtr> bad =
      CompileExpr("l_quantity < DATE '1998-12-01' + INTERVAL '1' DAY", Lineitem());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("DATE"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace pushdown::bpfgen
