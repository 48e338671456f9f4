// Key bounds of ScanExecutor on a RocksDB-written DB with L0 files over a
// leveled tree of many files: a narrow range reads only the blocks covering
// it (counted independently from the files' indexes), files outside the
// bounds are never opened, and every bounded result (narrow, prefix, empty,
// outside the data) equals a RocksDB iterator with iterate_lower_bound /
// iterate_upper_bound + the predicate, on the host path and the host and
// kernel devices (the kernel where BPF is available).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "pushdown/scan/key_range.h"
#include "pushdown/scan/scan_executor.h"
#include "pushdown/sst/sst_file.h"
#include "tests/pushdown/scan/scan_files.h"
#include "tests/pushdown/scan/torture_paths.h"
#include "tests/pushdown/scan/torture_support.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;
using namespace testing_support;  // NOLINT

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

// u64be(n) + filler: the torture predicates (n % 2 = 0 AND n % 3 <> 0) apply.
std::string Value(uint64_t n) {
  std::string v;
  for (int i = 7; i >= 0; --i) v.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  v.append(40, 'f');
  return v;
}

constexpr int kKeys = 20000;

class BoundsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pt::DbSpec spec;
    spec.sst.block_size = 1024;
    spec.customize = [](rocksdb::Options* o) { o->target_file_size_base = 64 << 10; };
    db_ = new RawScanDb("pd_scan_bounds", spec);
    ASSERT_NE(db_->db, nullptr);
    for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(db_->db->Put(Key(i), Value(i)).ok());
    ASSERT_TRUE(db_->db->Flush().ok());
    ASSERT_TRUE(db_->db->CompactAll().ok());  // many bottommost files
    // Newer versions and deletes in L0, spread over the key space.
    for (int i = 0; i < kKeys; i += 37) ASSERT_TRUE(db_->db->Put(Key(i), Value(i + 1)).ok());
    for (int i = 5; i < kKeys; i += 101) ASSERT_TRUE(db_->db->Delete(Key(i)).ok());
    ASSERT_TRUE(db_->db->Flush().ok());
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  // Iterator with iterate_lower_bound / iterate_upper_bound + the predicate.
  static std::vector<std::string> Expected(const KeyRange& range) {
    rocksdb::ReadOptions ro;
    rocksdb::Slice lower, upper;
    if (range.lower) {
      lower = *range.lower;
      ro.iterate_lower_bound = &lower;
    }
    if (range.upper) {
      upper = *range.upper;
      ro.iterate_upper_bound = &upper;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->db->db()->NewIterator(ro));
    std::vector<std::string> keys;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view v(it->value().data(), it->value().size());
      if (DevicePart(v) && ResidualPart(v)) keys.push_back(it->key().ToString());
    }
    EXPECT_TRUE(it->status().ok());
    return keys;
  }

  // Blocks of the files in range that the index cannot rule out (linear walk).
  static uint64_t IndexBlocks(const ScanPlan& plan, const KeyRange& range, uint64_t* total) {
    uint64_t n = 0;
    *total = 0;
    for (const ScanFile& f : plan.files) {
      if (range.Excludes(f.smallest_user_key, f.largest_user_key)) continue;
      auto sst = SstFile::Open(f.path);
      EXPECT_TRUE(sst.ok());
      if (!sst.ok()) continue;
      *total += (*sst)->num_data_blocks();
      for (size_t i = 0; i < (*sst)->num_data_blocks(); ++i) {
        if (range.lower && (*sst)->data_block_index_user_key(i) < *range.lower) continue;
        if (range.upper && i > 0 && (*sst)->data_block_index_user_key(i - 1) >= *range.upper) {
          continue;
        }
        ++n;
      }
    }
    return n;
  }

  struct Run {
    std::vector<std::string> keys;
    ScanStats stats;
  };
  static Run Scan(const KeyRange& range, DeviceProgram* program, bool io_uring) {
    ScanPlan plan = db_->Plan();
    plan.lower_bound = range.lower;
    plan.upper_bound = range.upper;
    if (io_uring) plan.block_source = BlockSourceOptions{};
    Run run;
    auto scan = DevicePath(program)(plan);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    if (!scan.ok()) return run;
    Row row;
    for (;;) {
      Status s = (*scan)->Next(&row);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || !(*scan)->Valid()) break;
      run.keys.push_back(row.key);
    }
    run.stats = (*scan)->stats();
    return run;
  }

  // Every path: host reference, host device (JIT), kernel device if here.
  static void ForEachPath(const std::function<void(const char*, DeviceProgram*)>& fn) {
    fn("host path", nullptr);
    std::string skip;
    auto jit = LoadOn("host", nullptr, &skip);
    ASSERT_NE(jit, nullptr) << skip;
    fn("host device", jit.get());
    auto bpf = LoadOn("kernel", nullptr, &skip);
    if (bpf == nullptr) {
      ASSERT_FALSE(skip.empty());
      std::printf("kernel device skipped: %s\n", skip.c_str());
      return;
    }
    fn("kernel device", bpf.get());
  }

  static RawScanDb* db_;
};

RawScanDb* BoundsTest::db_ = nullptr;

TEST_F(BoundsTest, NarrowRangeReadsOnlyTheBlocksCoveringIt) {
  const KeyRange range{Key(10000), Key(10012)};
  const std::vector<std::string> expected = Expected(range);
  ASSERT_FALSE(expected.empty());
  const ScanPlan plan = db_->Plan();
  ASSERT_GE(plan.files.size(), 4u);
  uint64_t total = 0;
  const uint64_t allowed = IndexBlocks(plan, range, &total);
  ASSERT_GT(total, 10 * allowed);  // the range is narrow
  ForEachPath([&](const char* path, DeviceProgram* program) {
    for (bool io_uring : {false, true}) {
      SCOPED_TRACE(std::string(path) + (io_uring ? ", io_uring" : ", pread"));
      const Run run = Scan(range, program, io_uring);
      EXPECT_EQ(run.keys, expected);
      EXPECT_LE(run.stats.blocks_read, allowed);
      EXPECT_GE(run.stats.blocks_read, 2u);  // the L0 file's and the bottom file's
      EXPECT_GT(run.stats.files_skipped, 0u);
      EXPECT_EQ(run.stats.files + run.stats.files_skipped, plan.files.size());
      EXPECT_EQ(run.stats.blocks_read + run.stats.blocks_skipped, total);
      EXPECT_EQ(run.stats.blocks_skipped_by_range, total - run.stats.blocks_read);
      std::printf(
          "%s%s: %zu rows, %llu of %llu blocks read (index allows %llu), %llu files read, "
          "%llu skipped\n",
          path, io_uring ? " io_uring" : "", run.keys.size(),
          static_cast<unsigned long long>(run.stats.blocks_read),
          static_cast<unsigned long long>(total), static_cast<unsigned long long>(allowed),
          static_cast<unsigned long long>(run.stats.files),
          static_cast<unsigned long long>(run.stats.files_skipped));
    }
  });
}

TEST_F(BoundsTest, BoundedResultsEqualTheBoundedIterator) {
  std::vector<KeyRange> ranges = {
      {},                                            // unbounded
      {Key(123), std::nullopt},                      // lower only, equal to a key
      {std::nullopt, Key(777)},                      // upper only
      {Key(500) + "x", Key(9000) + "x"},             // between keys
      {Key(5), Key(5)},                              // empty: lower == upper
      {Key(9000), Key(8000)},                        // empty: inverted
      {std::string("a"), std::string("b")},          // below the data
      {std::string("zz"), std::nullopt},             // above the data
      {std::string(""), std::string("key000000")},   // nothing below the first key
      PrefixRange("key0199"),                        // a prefix: 100 keys
      PrefixRange("key01999"),                       // a prefix: 10 keys
      PrefixRange("kez"),                            // a prefix with no keys
      {Key(kKeys - 1), std::string("\xff\xff", 2)},  // the last key only
  };
  ForEachPath([&](const char* path, DeviceProgram* program) {
    for (size_t i = 0; i < ranges.size(); ++i) {
      SCOPED_TRACE(std::string(path) + ", range " + std::to_string(i));
      const Run run = Scan(ranges[i], program, i % 2 == 1);
      EXPECT_EQ(run.keys, Expected(ranges[i]));
      if (ranges[i].empty()) {
        EXPECT_EQ(run.stats.files, 0u);
        EXPECT_EQ(run.stats.blocks_read, 0u);
      }
    }
  });
  const Run prefix = Scan(PrefixRange("key0199"), nullptr, false);
  EXPECT_GT(prefix.keys.size(), 10u);
  for (const std::string& k : prefix.keys) EXPECT_EQ(k.substr(0, 7), "key0199");
}

// Files outside the bounds are not opened: a plan naming files that do not
// exist still scans when their key ranges (or an empty range) exclude them.
TEST_F(BoundsTest, FilesOutsideTheBoundsAreNotOpened) {
  ScanPlan plan = db_->Plan();
  plan.lower_bound = Key(100);
  plan.upper_bound = Key(200);
  ScanFile missing;
  missing.path = db_->dir.File("missing.sst");
  missing.level = 0;
  missing.largest_seqno = plan.snapshot;
  missing.has_key_range = true;
  missing.smallest_user_key = Key(200);  // == upper bound: excluded
  missing.largest_user_key = Key(300);
  plan.files.push_back(missing);
  missing.smallest_user_key = Key(0);
  missing.largest_user_key = Key(99);  // below the lower bound
  plan.files.push_back(missing);
  auto scan = ScanExecutor::Open(plan, FunctionFilters());
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  // The same file in range fails to open: the test would see it.
  missing.largest_user_key = Key(100);
  plan.files.push_back(missing);
  EXPECT_FALSE(ScanExecutor::Open(plan, FunctionFilters()).ok());
  // An empty range opens nothing, not even a file without a known range.
  plan.lower_bound = plan.upper_bound = Key(150);
  plan.files.back().has_key_range = false;
  auto empty = ScanExecutor::Open(plan, FunctionFilters());
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  Row row;
  ASSERT_TRUE((*empty)->Next(&row).ok());
  EXPECT_FALSE((*empty)->Valid());
  EXPECT_EQ((*empty)->stats().files, 0u);
  EXPECT_EQ((*empty)->stats().files_skipped, plan.files.size());
  // Inverted file ranges are the caller's error, not a silent skip.
  plan.files.back().has_key_range = true;
  plan.files.back().smallest_user_key = Key(9);
  plan.files.back().largest_user_key = Key(1);
  EXPECT_TRUE(ScanExecutor::Open(plan, FunctionFilters()).status().IsInvalidArgument());
}

}  // namespace
}  // namespace pushdown::exec
