// The torture test with zone maps deciding (issue 14): every seed's DB
// records u64be(value, 0) per data block (a raw zone map), the scans add
// kZonePredicate (`u64be(value, 0) BETWEEN 0 AND 15`, which the zone maps can
// rule out per block) to the residual, and
//   - with the exact rule (ScanPlan::ZoneMapUse::kExact) every scan -- host
//     reference path, host device, every snapshot, limits and random bounds
//     -- equals the RocksDB iterator + the predicate, over the torture's
//     shapes (overwrites flipping the predicate, deletes, single deletes,
//     L0 and deeper levels, snapshots), and blocks are skipped;
//   - the naive rule (kNaiveForTests: skip a "never" block even where an
//     older file overlaps) returns a stale or missing row on some seeds:
//     the negative control, which fails if the naive rule were exact here.
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/pushdown/scan/torture_paths.h"
#include "tests/pushdown/scan/torture_support.h"

namespace pushdown::exec {
namespace {

using namespace testing_support;  // NOLINT

class ZoneTorture : public ::testing::TestWithParam<int> {};

TEST_P(ZoneTorture, ExactRuleMatchesIteratorAndNaiveRuleReturnsStaleRows) {
  std::string skip;
  auto jit = LoadOn("host", nullptr, &skip);
  ASSERT_NE(jit, nullptr) << skip;
  GlobalCoverage() = Coverage();
  int naive_wrong = 0, naive_cases = 0;
  for (int seed = GetParam(); seed < GetParam() + kSeedsPerShard; ++seed) {
    TortureCase c(seed);
    ASSERT_NO_FATAL_FAILURE(c.Build());
    c.set_zone_conjunct(true);
    SCOPED_TRACE("zone maps, evaluator");
    ASSERT_NO_FATAL_FAILURE(
        c.CheckAllSnapshots(ZoneMapPath(nullptr, ScanPlan::ZoneMapUse::kExact)));
    SCOPED_TRACE("zone maps, host device");
    ASSERT_NO_FATAL_FAILURE(
        c.CheckAllSnapshots(ZoneMapPath(jit.get(), ScanPlan::ZoneMapUse::kExact)));
    naive_wrong += c.CountWrongScans(ZoneMapPath(nullptr, ScanPlan::ZoneMapUse::kNaiveForTests));
    ++naive_cases;
  }
  // A shard whose shapes happen to give the naive rule nothing to get wrong
  // (DeleteRange ops reshape the odd seeds) borrows the next shards' seeds,
  // control only, until one does: the control still fails if the naive rule
  // were exact over every seed.
  for (int extra = 0; naive_wrong == 0 && extra < kNumSeeds - kSeedsPerShard; ++extra) {
    const int seed = 1 + (GetParam() - 1 + kSeedsPerShard + extra) % kNumSeeds;
    TortureCase c(seed);
    ASSERT_NO_FATAL_FAILURE(c.Build());
    c.set_zone_conjunct(true);
    naive_wrong += c.CountWrongScans(ZoneMapPath(nullptr, ScanPlan::ZoneMapUse::kNaiveForTests));
    ++naive_cases;
  }
  const Coverage& cov = GlobalCoverage();
  ExpectNotVacuous(cov);
  EXPECT_GT(cov.blocks_skipped_by_zone_map, 0u) << cov.ToString();
  std::printf("coverage: %s\nnaive rule: %d wrong scans over %d cases\n", cov.ToString().c_str(),
              naive_wrong, naive_cases);
  EXPECT_GT(naive_wrong, 0) << "the naive zone-map rule returned no stale row: the negative "
                               "control shows nothing";
}

INSTANTIATE_TEST_SUITE_P(Seeds, ZoneTorture, ::testing::Range(1, 1 + kNumSeeds, kSeedsPerShard));

}  // namespace
}  // namespace pushdown::exec
