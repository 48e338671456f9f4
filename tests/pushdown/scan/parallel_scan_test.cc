// ParallelScan / SplitPlan (pushdown/scan/parallel_scan.h): the torture cases
// on 2 and 3 workers (host reference path and host JIT device, one program
// instance per worker) equal the iterator + predicate; memtable entries split
// by range; an explicitly empty range; a LIMIT and a scan destroyed early stop
// the workers; a corrupt block in one worker's range is the scan's error;
// split scans' stats equal the unsplit scan's (split_stats.h).
#include "pushdown/scan/parallel_scan.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "pushdown/scan/vector_stream.h"
#include "pushdown/sst/sst_file.h"
#include "tests/pushdown/scan/parallel_check.h"
#include "tests/pushdown/scan/scan_files.h"

namespace pushdown::exec {
namespace {

using namespace testing_support;  // NOLINT

constexpr int kParallelSeeds = 40;
constexpr int kParallelSeedsPerShard = 20;

class ParallelTorture : public ::testing::TestWithParam<int> {};

TEST_P(ParallelTorture, HostPathsOnTwoAndThreeWorkersMatchIterator) {
  std::string skip;
  std::vector<std::unique_ptr<DeviceProgram>> jit;
  for (int i = 0; i < 3; ++i) {
    jit.push_back(LoadOn("host", nullptr, &skip));
    ASSERT_NE(jit.back(), nullptr) << skip;
  }
  const std::vector<DeviceProgram*> instances = {jit[0].get(), jit[1].get(), jit[2].get()};
  ParallelCoverage cov;
  std::mt19937_64 rng(GetParam());
  for (int seed = GetParam(); seed < GetParam() + kParallelSeedsPerShard; ++seed) {
    TortureCase c(seed);
    ASSERT_NO_FATAL_FAILURE(c.Build());
    SCOPED_TRACE("evaluator");
    ASSERT_NO_FATAL_FAILURE(CheckParallel(c, {}, rng, &cov));
    SCOPED_TRACE("host device");
    ASSERT_NO_FATAL_FAILURE(CheckParallel(c, instances, rng, &cov));
  }
  ExpectParallelNotVacuous(cov);
  std::printf(
      "parallel coverage: scans %llu split %llu 3-way %llu boundaries-in-files %llu "
      "rowless ranges %llu unordered %llu rows %llu\n",
      (unsigned long long)cov.scans, (unsigned long long)cov.split_scans,
      (unsigned long long)cov.three_way_scans, (unsigned long long)cov.boundaries_in_files,
      (unsigned long long)cov.rowless_ranges, (unsigned long long)cov.unordered_scans,
      (unsigned long long)cov.rows);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ParallelTorture,
                         ::testing::Range(1, 1 + kParallelSeeds, kParallelSeedsPerShard));

// ---------------------------------------------------------------------------
// Directed cases over one raw DB of many small blocks.

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return buf;
}

struct BigDb {
  RawScanDb d;
  static constexpr int kKeys = 6000;
  explicit BigDb(const std::string& name) : d(name, Spec()) {
    for (int i = 0; i < kKeys; ++i) EXPECT_TRUE(d.db->Put(Key(i), "value" + Key(i)).ok());
    EXPECT_TRUE(d.db->Flush().ok());
  }
  static ::pushdown::testing::DbSpec Spec() {
    ::pushdown::testing::DbSpec s;
    s.sst.block_size = 256;
    return s;
  }
  ScanPlan Plan() {
    ScanPlan p = d.Plan();
    p.projection = Projection::All();
    return p;
  }
};

using Rows = std::vector<std::pair<std::string, std::string>>;

Result<Rows> Drain(ParallelScan& scan) {
  Rows rows;
  Row row;
  for (;;) {
    PD_RETURN_IF_ERROR(scan.Next(&row));
    if (!scan.Valid()) return rows;
    rows.emplace_back(row.key, row.value);
  }
}

Result<Rows> Single(const ScanPlan& plan) {
  PD_ASSIGN_OR_RETURN(auto scan, ScanExecutor::Open(plan));
  Rows rows;
  Row row;
  for (;;) {
    PD_RETURN_IF_ERROR(scan->Next(&row));
    if (!scan->Valid()) return rows;
    rows.emplace_back(row.key, row.value);
  }
}

TEST(ParallelScanTest, SplitsOneFileIntoRangesOfSimilarSize) {
  BigDb db("pd_parallel_split");
  auto plans = SplitPlan(db.Plan(), 3);
  ASSERT_TRUE(plans.ok()) << plans.status().ToString();
  ASSERT_EQ(plans->size(), 3u);  // one file, thousands of blocks: boundaries inside it
  auto scan = ParallelScan::Open(std::move(*plans));
  ASSERT_TRUE(scan.ok());
  auto rows = Drain(**scan);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), size_t(BigDb::kKeys));
  for (int i = 0; i < BigDb::kKeys; ++i) ASSERT_EQ((*rows)[i].first, Key(i));
  // Every worker reads its share; the block holding each of the two
  // boundaries is read by both neighbours, and counted once in blocks_read.
  const ScanStats st = (*scan)->stats();
  EXPECT_EQ(st.rows_matched, uint64_t(BigDb::kKeys));
  EXPECT_EQ((*scan)->workers(), 3u);
  ASSERT_EQ(st.per_file.size(), 1u);
  EXPECT_GT(st.per_file[0].blocks, 100u);
  EXPECT_EQ(st.blocks_read, st.per_file[0].blocks);
  EXPECT_EQ(st.blocks_skipped, 0u);
  EXPECT_EQ(st.blocks_read_twice, 2u);
  EXPECT_EQ(st.files, 1u);
  auto single = ScanExecutor::Open(db.Plan());
  ASSERT_TRUE(single.ok());
  for (Row row;;) {
    ASSERT_TRUE((*single)->Next(&row).ok());
    if (!(*single)->Valid()) break;
  }
  ExpectSplitStatsEqual(st, (*single)->stats());
}

// A bounded split scan: the blocks outside the bounds are skipped by range
// once (not once per worker), as the unsplit scan skips them.
TEST(ParallelScanTest, BoundedSplitScanCountsTheUnsplitScansBlocks) {
  BigDb db("pd_parallel_bounded_stats");
  ScanPlan p = db.Plan();
  p.lower_bound = Key(1000);
  p.upper_bound = Key(5000);
  auto plans = SplitPlan(p, 2);
  ASSERT_TRUE(plans.ok());
  ASSERT_EQ(plans->size(), 2u);
  auto scan = ParallelScan::Open(std::move(*plans));
  ASSERT_TRUE(scan.ok());
  auto rows = Drain(**scan);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4000u);
  const ScanStats st = (*scan)->stats();
  auto single = ScanExecutor::Open(p);
  ASSERT_TRUE(single.ok());
  for (Row row;;) {
    ASSERT_TRUE((*single)->Next(&row).ok());
    if (!(*single)->Valid()) break;
  }
  ExpectSplitStatsEqual(st, (*single)->stats());
  EXPECT_GT(st.blocks_skipped_by_range, 0u);
  EXPECT_EQ(st.blocks_read + st.blocks_skipped, st.per_file[0].blocks);
  EXPECT_EQ(st.blocks_read_twice, 1u);
}

TEST(ParallelScanTest, NoSplitWhereItCannot) {
  BigDb db("pd_parallel_nosplit");
  ScanPlan p = db.Plan();
  p.lower_bound = "k000100";
  p.upper_bound = "k000100";  // empty
  auto plans = SplitPlan(p, 2);
  ASSERT_TRUE(plans.ok());
  EXPECT_EQ(plans->size(), 1u);
  auto one = SplitPlan(db.Plan(), 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  // At most one part per min_part_bytes of data in range.
  auto big_parts = SplitPlan(db.Plan(), 3, uint64_t{1} << 30);
  ASSERT_TRUE(big_parts.ok());
  EXPECT_EQ(big_parts->size(), 1u);
  ScanPlan p2 = db.Plan();
  ASSERT_EQ(p2.files.size(), 1u);
  auto sst = SstFile::Open(p2.files[0].path);
  ASSERT_TRUE(sst.ok());
  uint64_t data_bytes = 0;
  for (const BlockHandle& h : (*sst)->data_block_handles())
    data_bytes += h.size + kBlockTrailerSize;
  auto two_parts = SplitPlan(p2, 3, data_bytes / 2);
  ASSERT_TRUE(two_parts.ok());
  EXPECT_EQ(two_parts->size(), 2u);
  auto one_part = SplitPlan(p2, 3, data_bytes / 2 + 1);
  ASSERT_TRUE(one_part.ok());
  EXPECT_EQ(one_part->size(), 1u);
}

TEST(ParallelScanTest, AnEmptyRangeAmongRanges) {
  BigDb db("pd_parallel_empty");
  ScanPlan whole = db.Plan();
  auto expected = Single(whole);
  ASSERT_TRUE(expected.ok());
  std::vector<ScanPlan> plans(4, db.Plan());
  plans[0].upper_bound = "k001000";
  plans[1].lower_bound = "k001000";
  plans[1].upper_bound = "k001000";  // empty
  plans[2].lower_bound = "k001000";
  plans[2].upper_bound = "k001000\x01";  // one key
  plans[3].lower_bound = "k001000\x01";
  auto scan = ParallelScan::Open(std::move(plans));
  ASSERT_TRUE(scan.ok());
  auto rows = Drain(**scan);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, *expected);
}

TEST(ParallelScanTest, MemtableEntriesAreSplitByRange) {
  BigDb db("pd_parallel_memtable");
  ScanPlan base = db.Plan();
  const uint64_t snap = base.snapshot + 100;
  namespace vt = value_type;
  std::vector<OwnedEntry> mem;
  // Deletes, overwrites and new keys spread over the whole key space.
  for (int i = 0; i < BigDb::kKeys + 50; i += 37) {
    const uint64_t s = snap - 90 + (i % 80);
    if (i % 3 == 0) {
      mem.push_back({Key(i), s, vt::kDeletion, EntryClass::kNotValue, ""});
    } else {
      mem.push_back({Key(i), s, vt::kValue, EntryClass::kMatched, "mem" + Key(i)});
    }
  }
  base.snapshot = snap;
  ScanPlan single = base;
  single.memtable = std::make_shared<VectorEntryStream>("memtable", mem);
  auto expected = Single(single);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  for (size_t workers : {2u, 3u}) {
    ScanPlan p = base;
    p.memtable = std::make_shared<VectorEntryStream>("memtable", mem);
    auto plans = SplitPlan(std::move(p), workers);
    ASSERT_TRUE(plans.ok()) << plans.status().ToString();
    ASSERT_EQ(plans->size(), workers);
    auto scan = ParallelScan::Open(std::move(*plans));
    ASSERT_TRUE(scan.ok());
    auto rows = Drain(**scan);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(*rows, *expected);
    EXPECT_EQ((*scan)->stats().memtable_entries, mem.size());
  }
}

TEST(ParallelScanTest, LimitAndEarlyDestructionStopTheWorkers) {
  BigDb db("pd_parallel_stop");
  ParallelScanOptions tiny;  // maximal backpressure: workers block after one row
  tiny.chunk_rows = 1;
  tiny.queue_chunks = 1;
  {
    ScanPlan p = db.Plan();
    p.limit = 10;
    auto plans = SplitPlan(std::move(p), 3);
    ASSERT_TRUE(plans.ok());
    auto scan = ParallelScan::Open(std::move(*plans), tiny);
    ASSERT_TRUE(scan.ok());
    auto rows = Drain(**scan);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ((*rows)[i].first, Key(i));
    EXPECT_EQ((*scan)->stats().rows_matched, 10u);
    // Stopped workers count their unread blocks as skipped: each block of
    // the file is read (once) or skipped.
    const ScanStats st = (*scan)->stats();
    EXPECT_GT(st.blocks_skipped, 0u);
    ASSERT_EQ(st.per_file.size(), 1u);
    EXPECT_EQ(st.blocks_read + st.blocks_skipped, st.per_file[0].blocks);
    EXPECT_EQ(st.blocks_skipped_by_range, 0u);
  }
  for (int rows_read : {0, 1, 5}) {
    auto plans = SplitPlan(db.Plan(), 3);
    ASSERT_TRUE(plans.ok());
    auto scan = ParallelScan::Open(std::move(*plans), tiny);
    ASSERT_TRUE(scan.ok());
    Row row;
    for (int i = 0; i < rows_read; ++i) {
      ASSERT_TRUE((*scan)->Next(&row).ok());
      ASSERT_TRUE((*scan)->Valid());
      EXPECT_EQ(row.key, Key(i));
    }
    scan->reset();  // joins the blocked workers (the test hangs if it cannot)
  }
  {  // a sink error stops the unordered scan
    auto plans = SplitPlan(db.Plan(), 2);
    ASSERT_TRUE(plans.ok());
    auto scan = ParallelScan::Open(std::move(*plans));
    ASSERT_TRUE(scan.ok());
    Status s = (*scan)->RunUnordered([](size_t w, const Row&) -> Status {
      return w == 1 ? Status::Unavailable("sink says stop") : Status::OK();
    });
    EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  }
}

TEST(ParallelScanTest, ACorruptBlockInOneRangeFailsTheScan) {
  BigDb db("pd_parallel_corrupt");
  ScanPlan p = db.Plan();
  ASSERT_EQ(p.files.size(), 1u);
  // A copy of the file with a byte of its last data block flipped: the block
  // checksum fails in the last worker's range only.
  const std::string copy = db.d.dir.path() + "/corrupt.sst";
  {
    std::ifstream in(p.files[0].path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto sst = SstFile::Open(p.files[0].path);
    ASSERT_TRUE(sst.ok());
    const BlockHandle last = (*sst)->data_block_handle((*sst)->num_data_blocks() - 1);
    bytes[last.offset + 2] ^= 0x5a;
    std::ofstream out(copy, std::ios::binary);
    out << bytes;
  }
  p.files[0].path = copy;
  for (bool ordered : {true, false}) {
    SCOPED_TRACE(ordered ? "ordered" : "unordered");
    auto plans = SplitPlan(p, 2);
    ASSERT_TRUE(plans.ok()) << plans.status().ToString();
    ASSERT_EQ(plans->size(), 2u);
    auto scan = ParallelScan::Open(std::move(*plans));
    ASSERT_TRUE(scan.ok());
    Status s;
    if (ordered) {
      s = Drain(**scan).status();
    } else {
      s = (*scan)->RunUnordered([](size_t, const Row&) { return Status::OK(); });
    }
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    if (ordered) {  // sticky
      Row row;
      EXPECT_TRUE((*scan)->Next(&row).IsCorruption());
    }
  }
}

}  // namespace
}  // namespace pushdown::exec
