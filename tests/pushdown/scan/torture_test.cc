// The exactness torture test: RocksDB writes files from random puts,
// overwrites that flip the predicate both ways, deletes, single deletes,
// flushes, partial and full manual compactions, under held snapshots; leveled
// and universal compaction, restart intervals 1 and 16, compressions
// none/snappy/lz4/zstd, checksum types 1..4. After a final flush (no memtable
// data) the executor's rows must equal a RocksDB iterator at the same snapshot
// followed by the predicate.
#include <gtest/gtest.h>

#include "tests/pushdown/scan/torture_support.h"

namespace pushdown::exec {
namespace {

using testing_support::TortureCase;

class HostPathTorture : public ::testing::TestWithParam<int> {};

// Host reference path, predicate as host functions.
TEST_P(HostPathTorture, MatchesIteratorOnHostPath) {
  for (int seed = GetParam(); seed < GetParam() + testing_support::kSeedsPerShard; ++seed) {
    TortureCase c(seed);
    ASSERT_NO_FATAL_FAILURE(c.Build());
    ASSERT_NO_FATAL_FAILURE(c.CheckAllSnapshots([](ScanPlan& plan) {
      return ScanExecutor::Open(plan, testing_support::FunctionFilters());
    }));
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, HostPathTorture,
                         ::testing::Range(1, 1 + testing_support::kNumSeeds,
                                          testing_support::kSeedsPerShard));

}  // namespace
}  // namespace pushdown::exec
