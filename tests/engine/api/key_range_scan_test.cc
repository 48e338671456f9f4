// Key ranges derived from the predicate (bpfgen/lang/key_ranges.h) through the
// engine's scan: a point lookup on lineitem's key reads at most 2 data blocks
// and a key range only the blocks covering it, IN lists and contradictions
// narrow the read, every result equals the iterator path's, and Explain names
// the conjuncts the range came from.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bpfgen/schema/tpch.h"
#include "engine/api/pushdown_db.h"
#include "lineitem_db.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

std::vector<std::string> Keys(PushdownDB& db, const std::string& where, ScanOptions so,
                              exec::ScanStats* stats, ScanInfo* info) {
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
  if (stats != nullptr) *stats = (*cur)->stats();
  if (info != nullptr) *info = (*cur)->info();
  return keys;
}

TEST(KeyRangeScanTest, PointAndRangeLookupsOnLineitemReadOnlyTheirBlocks) {
  LineitemDb ldb(0.01);
  ASSERT_NE(ldb.db, nullptr);
  PushdownDB& db = *ldb.db;
  ASSERT_TRUE(db.db()
                  ->CompactRange(rocksdb::CompactRangeOptions(), ldb.table->column_family(),
                                 nullptr, nullptr)
                  .ok());

  ScanOptions iter;
  iter.device = exec::DeviceRequest::kIterator;
  ScanOptions host;
  host.device = exec::DeviceRequest::kHost;
  struct Case {
    const char* where;
    uint64_t max_blocks;  // data blocks the scan may read
  };
  for (const Case& c : {Case{"l_orderkey = 5000", 2}, Case{"l_orderkey = 1", 2},
                        Case{"l_orderkey = 1 AND l_linenumber = 3", 2},
                        Case{"l_orderkey BETWEEN 5000 AND 5100", 12},
                        // IN seeks to each of its points (multi-range seek).
                        Case{"l_orderkey IN (3, 7) AND l_quantity < 30", 4},
                        Case{"l_orderkey IN (5, 50000, 500000)", 6},
                        Case{"l_orderkey IN (5, 20000, 40000, 59000)", 8},
                        Case{"l_orderkey = 1 AND l_orderkey = 2", 0}}) {
    exec::ScanStats st;
    ScanInfo info;
    const std::vector<std::string> want = Keys(db, c.where, iter, nullptr, nullptr);
    const std::vector<std::string> got = Keys(db, c.where, host, &st, &info);
    EXPECT_EQ(got, want) << c.where;
    EXPECT_EQ(info.path, "pushdown") << c.where;
    EXPECT_LE(st.blocks_read, c.max_blocks) << c.where;
    EXPECT_FALSE(info.key_range_conjuncts.empty()) << c.where;
    if (std::string(c.where) != "l_orderkey = 1 AND l_orderkey = 2") {
      EXPECT_GT(st.blocks_skipped_by_range + st.files_skipped, 0u) << c.where;
    }
    // Orders 1 and 3..7 exist in every generated lineitem (5000 need not).
    if (std::string(c.where).find("5000") == std::string::npos &&
        std::string(c.where) != "l_orderkey = 1 AND l_orderkey = 2") {
      EXPECT_FALSE(want.empty()) << c.where;
    }
  }
  // A predicate on a non-key column derives nothing: every block is read.
  exec::ScanStats st;
  ScanInfo info;
  EXPECT_EQ(Keys(db, "l_quantity < 2", host, &st, &info),
            Keys(db, "l_quantity < 2", iter, nullptr, nullptr));
  EXPECT_TRUE(info.key_range_conjuncts.empty());
  EXPECT_EQ(st.blocks_skipped_by_range, 0u);

  auto explain = db.Explain("lineitem", "l_orderkey = 5000");
  ASSERT_TRUE(explain.ok());
  EXPECT_NE(explain->text.find("key range from: (l_orderkey = 5000)"), std::string::npos)
      << explain->text;
}

// An IN list is read by seeking the index to each of its ranges, not by
// reading the hull: the blocks between the points are skipped by range, the
// per-file breakdown (ScanInfo::per_file, Explain) says so, and the rows
// equal the iterator path's. The hull alone would read most of the file.
TEST(KeyRangeScanTest, InListSeeksToEachRangeAndExplainShowsThePerFileBreakdown) {
  LineitemDb ldb(0.01);
  ASSERT_NE(ldb.db, nullptr);
  PushdownDB& db = *ldb.db;
  ASSERT_TRUE(db.db()
                  ->CompactRange(rocksdb::CompactRangeOptions(), ldb.table->column_family(),
                                 nullptr, nullptr)
                  .ok());
  ScanOptions iter;
  iter.device = exec::DeviceRequest::kIterator;
  const char* where = "l_orderkey IN (5, 30000, 59000)";
  const std::vector<std::string> want = Keys(db, where, iter, nullptr, nullptr);
  ASSERT_FALSE(want.empty());
  for (exec::DeviceRequest d : {exec::DeviceRequest::kHost, exec::DeviceRequest::kAuto}) {
    ScanOptions so;
    so.device = d;
    exec::ScanStats st;
    ScanInfo info;
    EXPECT_EQ(Keys(db, where, so, &st, &info), want);
    EXPECT_LE(st.blocks_read, 6u);
    ASSERT_FALSE(info.per_file.empty());
    uint64_t total = 0, by_range = 0;
    for (const exec::FileScanStats& f : info.per_file) {
      EXPECT_FALSE(f.file.empty());
      total += f.blocks;
      by_range += f.skipped_by_range;
    }
    // The hull [5, 59000] covers nearly every block; the seeks leave all
    // but a few out.
    EXPECT_GT(total, 50u);
    EXPECT_GE(by_range + 6, total);
    EXPECT_EQ(st.per_file.size(), info.per_file.size());
  }
  auto explain = db.Explain("lineitem", where);
  ASSERT_TRUE(explain.ok());
  EXPECT_NE(explain->text.find("blocks:    "), std::string::npos) << explain->text;
  EXPECT_NE(explain->text.find("skipped by key range"), std::string::npos) << explain->text;
  EXPECT_NE(explain->text.find(".sst L"), std::string::npos) << explain->text;
  // The same breakdown Explain prints is what the scan planned.
  ASSERT_FALSE(explain->info.per_file.empty());
}

}  // namespace
}  // namespace pushdown::engine

namespace pushdown::engine {
namespace {

// Tables created through PushdownDB get zone maps (TableZoneMapFactory): a
// range on a column that follows the key is served by skipping blocks, on the
// engine's scan path, with the iterator's result; the DB reopened keeps
// writing them for its tables.
TEST(ZoneMapTableTest, TablesOfPushdownDbGetZoneMapsAndScansSkipBlocks) {
  testing::TempDir dir;
  for (int open = 0; open < 2; ++open) {
    DbOptions o;
    o.customize = [](rocksdb::Options* opts) { opts->disable_auto_compactions = true; };
    auto db_or = PushdownDB::Open(dir.path() + "/db", o);
    ASSERT_TRUE(db_or.ok()) << db_or.status().ToString();
    PushdownDB& db = **db_or;
    Table* t = nullptr;
    if (open == 0) {
      auto created = db.CreateTable("events", "ts INT64 KEY, v INT64 NOT NULL, note VARCHAR(8)");
      ASSERT_TRUE(created.ok());
      t = *created;
    } else {
      auto opened = db.OpenTable("events");
      ASSERT_TRUE(opened.ok());
      t = *opened;
    }
    const int64_t base = open * 20000;
    for (int64_t i = base; i < base + 20000; ++i) {
      ASSERT_TRUE(t->Put({Datum::Int(i), Datum::Int(2 * i), Datum::String("n")}).ok());
    }
    ASSERT_TRUE(db.db()->Flush(rocksdb::FlushOptions(), t->column_family()).ok());

    ScanOptions host;
    host.device = exec::DeviceRequest::kHost;
    ScanOptions iter;
    iter.device = exec::DeviceRequest::kIterator;
    const std::string where =
        "v BETWEEN " + std::to_string(2 * base + 1000) + " AND " + std::to_string(2 * base + 1400);
    auto run = [&](const ScanOptions& so, exec::ScanStats* st) {
      std::vector<std::string> keys;
      auto cur = db.Scan("events", where, so);
      EXPECT_TRUE(cur.ok()) << cur.status().ToString();
      if (!cur.ok()) return keys;
      for (;;) {
        EXPECT_TRUE((*cur)->Next().ok());
        if (!(*cur)->Valid()) break;
        keys.emplace_back((*cur)->key());
      }
      if (st != nullptr) *st = (*cur)->stats();
      return keys;
    };
    exec::ScanStats st;
    const std::vector<std::string> got = run(host, &st);
    EXPECT_EQ(got, run(iter, nullptr)) << "open " << open;
    EXPECT_EQ(got.size(), 201u);
    EXPECT_GT(st.blocks_skipped_by_zone_map, 0u) << "open " << open;
    EXPECT_LT(st.blocks_read * 10, st.blocks_read + st.blocks_skipped) << "open " << open;
  }
}

}  // namespace
}  // namespace pushdown::engine
