// bench/pushdown_bench/op_stats.h: db_bench's Duration (an operation budget,
// or a time budget that overrides it), the --report_file CSV's header and
// errors, and per-thread operation counts.
#include "bench/pushdown_bench/op_stats.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace pushdown::bench {
namespace {

TEST(Duration, OpsBudgetAllowsExactlyMaxOps) {
  Duration d(0, 5);
  int ran = 0;
  while (!d.Done(1)) ++ran;
  EXPECT_EQ(ran, 5);
  Duration none(0, 0);
  EXPECT_TRUE(none.Done(1));
}

TEST(Duration, TimeBudgetOverridesOpsBudget) {
  // As db_bench: with a duration the op budget is ignored (an hour never passes here).
  Duration d(3600, 1);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(d.Done(1)) << i;
}

TEST(Duration, ZeroIncrementCountsAsOne) {
  Duration d(0, 2);
  EXPECT_FALSE(d.Done(0));
  EXPECT_FALSE(d.Done(0));
  EXPECT_TRUE(d.Done(0));
}

std::string Slurp(const std::string& path) {
  std::stringstream buf;
  buf << std::ifstream(path).rdbuf();
  return buf.str();
}

TEST(QpsReporter, WritesDbBenchHeaderAndNoPartialInterval) {
  pushdown::testing::TempDir dir("pd_qps");
  const std::string path = dir.File("report.csv");
  {
    auto r = QpsReporter::Start(path, 3600);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    (*r)->AddOps(10);
  }  // destroyed before a whole interval passed: header only
  EXPECT_EQ(Slurp(path), "secs_elapsed,interval_qps\n");
}

TEST(QpsReporter, ErrorsNameTheFile) {
  auto bad = QpsReporter::Start("/nonexistent_dir_pd/report.csv", 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("/nonexistent_dir_pd/report.csv"), std::string::npos);
  auto zero = QpsReporter::Start("/tmp/unused.csv", 0);
  EXPECT_FALSE(zero.ok());
}

TEST(BenchOps, CountsEveryThreadAndMergesHistograms) {
  OpStatsOptions o;
  o.histogram = true;
  BenchOps ops(3, o);
  ASSERT_EQ(ops.threads(), 3);
  for (int t = 0; t < 3; ++t) {
    for (int i = 0; i <= t; ++i) ops.thread(t)->FinishedOps(1, 100 * (i + 1));
  }
  EXPECT_EQ(ops.done(), 6u);
  EXPECT_EQ(ops.thread(2)->histogram().count(), 3u);
  EXPECT_EQ(BenchOps(0, o).threads(), 1);  // at least one thread
}

}  // namespace
}  // namespace pushdown::bench
