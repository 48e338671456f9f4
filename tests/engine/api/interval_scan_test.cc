// DATE +/- INTERVAL through the engine's scan (docs/LANGUAGE.md, "Date
// intervals"): the TPC-H predicates written with intervals return, on devices
// auto, kernel and host, exactly the iterator path's rows, which are the rows
// of the same predicate written with the folded DATE literal. The kernel
// device runs where BPF is usable; elsewhere kernel/auto fall back to the
// host and say why.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lineitem_db.h"

namespace pushdown::engine {
namespace {

std::vector<std::string> Keys(PushdownDB& db, const std::string& where, exec::DeviceRequest d,
                              ScanInfo* info) {
  ScanOptions so;
  so.device = d;
  std::vector<std::string> keys;
  auto cur = db.Scan("lineitem", where, so);
  EXPECT_TRUE(cur.ok()) << cur.status().ToString();
  if (!cur.ok()) return keys;
  for (;;) {
    Status s = (*cur)->Next();
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || !(*cur)->Valid()) break;
    keys.emplace_back((*cur)->key());
  }
  if (info != nullptr) *info = (*cur)->info();
  return keys;
}

TEST(IntervalScanTest, IntervalPredicatesEqualTheIteratorOnEveryDevice) {
  LineitemDb ldb(0.01);
  ASSERT_NE(ldb.db, nullptr);
  PushdownDB& db = *ldb.db;
  struct Case {
    const char* with_interval;
    const char* folded;  // the same predicate with the DATE the interval folds to
  };
  const Case cases[] = {
      // TPC-H Q1, as the specification writes it.
      {"l_shipdate <= date '1998-12-01' - interval '90' day (3)",
       "l_shipdate <= DATE '1998-09-02'"},
      // TPC-H Q6.
      {"l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1994-01-01' + INTERVAL '1' YEAR "
       "AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24",
       "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' "
       "AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24"},
      // TPC-H Q14's and Q4's ranges.
      {"l_shipdate >= DATE '1995-09-01' AND l_shipdate < DATE '1995-09-01' + INTERVAL '1' MONTH",
       "l_shipdate >= DATE '1995-09-01' AND l_shipdate < DATE '1995-10-01'"},
      {"l_commitdate < INTERVAL '3' MONTH + DATE '1993-07-01' AND "
       "l_receiptdate > DATE '1993-07-01' + INTERVAL '-10' DAYS",
       "l_commitdate < DATE '1993-10-01' AND l_receiptdate > DATE '1993-06-21'"},
      // Clamping to the end of the month.
      {"l_shipdate BETWEEN DATE '1996-01-31' + INTERVAL '1' MONTH AND "
       "DATE '1996-02-29' + INTERVAL '1' YEAR",
       "l_shipdate BETWEEN DATE '1996-02-29' AND DATE '1997-02-28'"},
  };
  for (const Case& c : cases) {
    const std::vector<std::string> want =
        Keys(db, c.folded, exec::DeviceRequest::kIterator, nullptr);
    ASSERT_FALSE(want.empty()) << c.folded;
    EXPECT_EQ(Keys(db, c.with_interval, exec::DeviceRequest::kIterator, nullptr), want)
        << c.with_interval;
    for (exec::DeviceRequest d :
         {exec::DeviceRequest::kAuto, exec::DeviceRequest::kKernel, exec::DeviceRequest::kHost}) {
      ScanInfo info;
      EXPECT_EQ(Keys(db, c.with_interval, d, &info), want)
          << exec::DeviceRequestName(d) << ": " << c.with_interval;
      EXPECT_EQ(info.path, "pushdown") << info.fallback_reason;
      EXPECT_FALSE(info.pushed.empty()) << c.with_interval;
      if (d != exec::DeviceRequest::kAuto && info.device != exec::DeviceRequestName(d)) {
        EXPECT_FALSE(info.fallback_reason.empty()) << c.with_interval;
      }
    }
  }
  // What runs on the device is the folded literal.
  ScanInfo info;
  Keys(db, cases[0].with_interval, exec::DeviceRequest::kHost, &info);
  ASSERT_EQ(info.pushed.size(), 1u);
  EXPECT_EQ(info.pushed[0], "(l_shipdate <= DATE '1998-09-02')");
}

}  // namespace
}  // namespace pushdown::engine
