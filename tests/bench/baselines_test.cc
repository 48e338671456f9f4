// Tests of bench/pushdown_bench/baselines.h: the sorted-run check that makes
// SstFileReader exact (and every reason it refuses), the partitioning helpers,
// and that every expert baseline (1 and several threads, over one sorted run and
// over overlapping levels with overwrites and deletions) returns exactly what a
// plain RocksDB iterator returns.
#include "bench/pushdown_bench/baselines.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "rocksdb/db.h"
#include "rocksdb/table.h"
#include "tests/support/temp_dir.h"

namespace pushdown::bench {
namespace {

using GroupList = std::vector<std::pair<size_t, size_t>>;

TEST(GroupBySizeTest, ContiguousGroupsOfAboutEqualBytes) {
  EXPECT_EQ(GroupBySize({10, 10, 10, 10}, 2), (GroupList{{0, 2}, {2, 4}}));
  EXPECT_EQ(GroupBySize({10, 10, 10, 10}, 1), (GroupList{{0, 4}}));
  EXPECT_EQ(GroupBySize({100, 1, 1}, 2), (GroupList{{0, 1}, {1, 3}}));
  EXPECT_EQ(GroupBySize({5, 5, 5}, 8), (GroupList{{0, 1}, {1, 2}, {2, 3}}));
  EXPECT_TRUE(GroupBySize({}, 4).empty());
  EXPECT_TRUE(GroupBySize({1}, 0).empty());
}

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%08d", i);
  return buf;
}

class BaselinesDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.target_file_size_base = 64 << 10;  // several files
    o.write_buffer_size = 4 << 20;
    rocksdb::BlockBasedTableOptions t;
    t.block_size = 1024;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir_.path(), &db).ok());
    db_.reset(db);
  }
  void Fill(int from, int to, const std::string& tag) {
    for (int i = from; i < to; ++i) {
      ASSERT_TRUE(db_->Put({}, Key(i), tag + std::string(40, 'v') + std::to_string(i)).ok());
    }
  }
  void Flush() { ASSERT_TRUE(db_->Flush({}).ok()); }
  void Compact() {
    rocksdb::CompactRangeOptions c;
    c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    ASSERT_TRUE(db_->CompactRange(c, nullptr, nullptr).ok());
  }
  std::string Reason() { return CheckSortedRun(db_.get(), db_->DefaultColumnFamily()).reason; }

  // Every expert baseline against the plain iterator of the primary instance.
  void ExpectAllExact(const std::string& predicate, size_t want_specs) {
    HandFilter f = *HandFilter::Parse(predicate, nullptr);
    Result<BaselineResult> want =
        RunBaseline(db_.get(), db_->DefaultColumnFamily(), nullptr, f, true);
    ASSERT_TRUE(want.ok());
    for (const char* reads : {"mmap", "readahead", "auto"}) {
      auto ex = ExpertBaselines::Open(dir_.path(), "default", reads, 3, f);
      ASSERT_TRUE(ex.ok()) << ex.status().ToString();
      ASSERT_EQ((*ex)->specs().size(), want_specs) << (*ex)->Describe();
      for (size_t i = 0; i < (*ex)->specs().size(); ++i) {
        Result<BaselineResult> r = (*ex)->Run(i, f, true);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        const std::string what = (*ex)->specs()[i].name + " " + reads;
        EXPECT_EQ(r->rows, want->rows) << what;
        EXPECT_EQ(r->matched, want->matched) << what;
        EXPECT_EQ(r->key_sum, want->key_sum) << what;
        EXPECT_EQ(r->kv_sum, want->kv_sum) << what;
        EXPECT_EQ(r->bytes_to_host, want->bytes_to_host) << what;
      }
    }
  }

  testing::TempDir dir_{"pd_baselines"};
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(BaselinesDbTest, OneSortedRunRunsEveryBaselineExactly) {
  Fill(0, 20000, "a");
  Flush();
  Compact();
  ASSERT_EQ(Reason(), "");
  const SortedRunCheck c = CheckSortedRun(db_.get(), db_->DefaultColumnFamily());
  ASSERT_GT(c.files.size(), 3u);
  for (size_t i = 1; i < c.files.size(); ++i)
    EXPECT_LT(c.files[i - 1].largest, c.files[i].smallest);
  // The 3-thread iterator gets 3 key ranges at file starts.
  EXPECT_EQ(SplitKeysAtFiles(db_.get(), db_->DefaultColumnFamily(), 3).size(), 2u);
  ExpectAllExact("TRUE", 4);
  ExpectAllExact("u64be(key, 0) % 7 < 3", 4);
  auto ex =
      ExpertBaselines::Open(dir_.path(), "default", "mmap", 3, *HandFilter::Parse("TRUE", nullptr));
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ((*ex)->specs()[1].name, "expert_iter_3t");
  EXPECT_EQ((*ex)->specs()[1].partitions, 3);
  EXPECT_EQ((*ex)->specs()[3].name, "sst_reader_3t");
  EXPECT_EQ((*ex)->specs()[3].partitions, 3);
}

TEST_F(BaselinesDbTest, OverlappingLevelsSkipSstReaderAndStayExact) {
  Fill(0, 20000, "a");
  Flush();
  Compact();
  // Newer versions and deletions in an L0 file over the whole key range.
  for (int i = 0; i < 20000; i += 97) ASSERT_TRUE(db_->Put({}, Key(i), "b").ok());
  for (int i = 5; i < 20000; i += 89) ASSERT_TRUE(db_->Delete({}, Key(i)).ok());
  Fill(20000, 20100, "c");
  Flush();
  EXPECT_EQ(Reason(), "files in 2 levels");
  ExpectAllExact("TRUE", 2);
  ExpectAllExact("u64be(key, 0) % 5 < 2", 2);
}

TEST_F(BaselinesDbTest, SingleL0FileIsOneSortedRunButTwoAreNot) {
  Fill(0, 500, "a");
  Flush();
  EXPECT_EQ(Reason(), "");
  ExpectAllExact("TRUE", 4);
  Fill(100, 200, "b");
  Flush();
  EXPECT_EQ(Reason(), "2 L0 files");
}

TEST_F(BaselinesDbTest, MemtableEntriesAreNotOneSortedRun) {
  Fill(0, 500, "a");
  Flush();
  Compact();
  ASSERT_TRUE(db_->Put({}, Key(7), "new").ok());
  EXPECT_EQ(Reason(), "memtable holds 1 entries");
  // A read-only instance replays the WAL: the same refusal there.
  HandFilter f = *HandFilter::Parse("TRUE", nullptr);
  auto ex = ExpertBaselines::Open(dir_.path(), "default", "mmap", 2, f);
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ((*ex)->sst_reader_skipped(), "memtable holds 1 entries");
  ExpectAllExact("TRUE", 2);
}

TEST_F(BaselinesDbTest, RangeDeletionIsNotOneSortedRun) {
  ASSERT_TRUE(db_->DeleteRange({}, db_->DefaultColumnFamily(), Key(0), Key(10)).ok());
  Fill(20, 200, "a");
  Flush();
  const std::string r = Reason();
  EXPECT_NE(r.find("holds range deletions"), std::string::npos) << r;
}

TEST_F(BaselinesDbTest, UnknownReadModeAndColumnFamilyAreErrors) {
  Fill(0, 10, "a");
  Flush();
  HandFilter f = *HandFilter::Parse("TRUE", nullptr);
  EXPECT_FALSE(ExpertBaselines::Open(dir_.path(), "default", "fast", 2, f).ok());
  EXPECT_FALSE(ExpertBaselines::Open(dir_.path(), "nope", "mmap", 2, f).ok());
}

}  // namespace
}  // namespace pushdown::bench
