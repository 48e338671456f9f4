// Issue 13 item 7 through the API: the program-less host stream (nothing
// pushed: no program, device "none") and cost-based placement
// (ScanOptions::placement): the choice is honoured, visible in ScanInfo and
// Explain, and every path returns the iterator path's rows.
#include <gtest/gtest.h>

#include <string>

// lineitem_db.h first: it names ::pushdown::testing::TempDir as
// testing::TempDir, which api_test_util.h's engine::testing would shadow.
#include "lineitem_db.h"
// clang-format off
#include "api_test_util.h"
// clang-format on

namespace pushdown::engine {
namespace {

using namespace ::pushdown::engine::testing;  // NOLINT

ScanOptions On(exec::DeviceRequest device, plan::Placement placement) {
  ScanOptions o;
  o.device = device;
  o.placement = placement;
  o.workers = 1;
  return o;
}

// TRUE and an all-residual predicate (the kernel cannot do floating point)
// read every row without a device program, on every device, and equal the
// iterator path.
TEST(PlacementApi, NothingPushedRunsNoProgramAndEqualsTheIteratorPath) {
  LineitemDb l(0.002);
  ASSERT_NE(l.db, nullptr);
  auto want = Collect(l.db.get(), "lineitem", "TRUE",
                      On(exec::DeviceRequest::kIterator, plan::Placement::kAuto));
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  ASSERT_GT(want->rows.size(), 10000u);
  for (exec::DeviceRequest d :
       {exec::DeviceRequest::kHost, exec::DeviceRequest::kKernel, exec::DeviceRequest::kAuto}) {
    for (uint32_t workers : {1u, 2u}) {
      ScanOptions o = On(d, plan::Placement::kPushdown);
      o.workers = workers;
      o.strict_device = true;  // no program is needed: accepted for any device
      auto got = Collect(l.db.get(), "lineitem", "TRUE", o);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      const std::string what =
          std::string(exec::DeviceRequestName(d)) + ", " + std::to_string(workers) + " workers";
      EXPECT_TRUE(SameRows(*want, *got)) << what;
      EXPECT_EQ(got->info.path, "pushdown") << what;
      EXPECT_EQ(got->info.device, "none") << what;
      EXPECT_TRUE(got->info.host_decode) << what;
      EXPECT_EQ(got->info.fallback_reason, "") << what;
      EXPECT_EQ(got->info.compile_ms, 0) << what;
      EXPECT_EQ(got->stats.device_ns, 0u) << what;
      EXPECT_EQ(got->stats.rows_matched, want->rows.size()) << what;
      EXPECT_GT(got->stats.blocks_read, 0u) << what;
    }
  }
  // With a device conjunct the program runs as before.
  auto q = Collect(l.db.get(), "lineitem", "l_quantity < 10",
                   On(exec::DeviceRequest::kHost, plan::Placement::kPushdown));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->info.device, "host");
  EXPECT_FALSE(q->info.host_decode);

  auto plan = l.db->Explain("lineitem", "TRUE", On(exec::DeviceRequest::kHost, {}));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_NE(plan->text.find("device:    none (nothing to push down"), std::string::npos)
      << plan->text;
  EXPECT_NE(plan->text.find("program:   none"), std::string::npos) << plan->text;
}

// The forced paths are honoured; auto picks the iterator for a scan of a few
// rows whose program is not compiled yet, and the pushdown path for the whole
// table once it is; an explicit device keeps the pushdown path. Rows equal
// on every path.
TEST(PlacementApi, ChoiceIsHonouredVisibleAndExact) {
  LineitemDb l(0.002);
  ASSERT_NE(l.db, nullptr);
  // A few rows: the key range derived from l_orderkey (a key column).
  const char* narrow = "l_orderkey < 40 AND l_quantity < 30";
  auto want = Collect(l.db.get(), "lineitem", narrow,
                      On(exec::DeviceRequest::kIterator, plan::Placement::kAuto));
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  ASSERT_GT(want->rows.size(), 0u);

  // Explain first: it plans what Scan runs, and compiles nothing for it.
  auto explained =
      l.db->Explain("lineitem", narrow, On(exec::DeviceRequest::kAuto, plan::Placement::kAuto));
  ASSERT_TRUE(explained.ok()) << explained.status().ToString();
  EXPECT_EQ(explained->info.path, "iterator") << explained->text;
  EXPECT_NE(explained->text.find("placement: auto -> iterator (cost)"), std::string::npos)
      << explained->text;
  EXPECT_NE(explained->text.find("  estimate: pushdown "), std::string::npos) << explained->text;

  auto autop = Collect(l.db.get(), "lineitem", narrow,
                       On(exec::DeviceRequest::kAuto, plan::Placement::kAuto));
  ASSERT_TRUE(autop.ok()) << autop.status().ToString();
  EXPECT_TRUE(SameRows(*want, *autop));
  EXPECT_EQ(autop->info.path, "iterator");
  EXPECT_EQ(autop->info.placement, "auto");
  EXPECT_EQ(autop->info.placement_decision, "cost");
  EXPECT_TRUE(autop->info.cost_estimated);
  EXPECT_LT(autop->info.cost_iterator_ms, autop->info.cost_pushdown_ms);
  EXPECT_EQ(autop->info.fallback_reason, "");

  for (exec::DeviceRequest d : {exec::DeviceRequest::kAuto, exec::DeviceRequest::kHost}) {
    auto forced = Collect(l.db.get(), "lineitem", narrow, On(d, plan::Placement::kPushdown));
    ASSERT_TRUE(forced.ok()) << forced.status().ToString();
    EXPECT_TRUE(SameRows(*want, *forced));
    EXPECT_EQ(forced->info.path, "pushdown");
    EXPECT_EQ(forced->info.placement_decision, "requested");
    auto iter = Collect(l.db.get(), "lineitem", narrow, On(d, plan::Placement::kIterator));
    ASSERT_TRUE(iter.ok()) << iter.status().ToString();
    EXPECT_TRUE(SameRows(*want, *iter));
    EXPECT_EQ(iter->info.path, "iterator");
    EXPECT_EQ(iter->info.placement, "iterator");
  }
  // Named device, auto placement: the pushdown path, estimated.
  auto host = Collect(l.db.get(), "lineitem", narrow,
                      On(exec::DeviceRequest::kHost, plan::Placement::kAuto));
  ASSERT_TRUE(host.ok());
  EXPECT_TRUE(SameRows(*want, *host));
  EXPECT_EQ(host->info.path, "pushdown");
  EXPECT_EQ(host->info.placement_decision, "device");
  EXPECT_TRUE(host->info.cost_estimated);

  // The whole table (TRUE: no program to compile): the pushdown path is
  // cheaper by the estimate, and auto keeps it.
  auto all_want = Collect(l.db.get(), "lineitem", "TRUE",
                          On(exec::DeviceRequest::kIterator, plan::Placement::kAuto));
  auto all = Collect(l.db.get(), "lineitem", "TRUE",
                     On(exec::DeviceRequest::kAuto, plan::Placement::kAuto));
  ASSERT_TRUE(all_want.ok() && all.ok());
  EXPECT_TRUE(SameRows(*all_want, *all));
  EXPECT_EQ(all->info.placement_decision, "cost");
  EXPECT_EQ(all->info.path,
            all->info.cost_pushdown_ms <= all->info.cost_iterator_ms ? "pushdown" : "iterator");
}

}  // namespace
}  // namespace pushdown::engine
