// ScanOptions::workers through PushdownDB: Scan (rows in key order, with and
// without a limit) and Aggregate (per-worker partials merged) on 1, 2 and 3
// workers equal the iterator path on the host and kernel devices (the kernel
// where BPF is usable: otherwise that device's scans fall back to the host
// and are still compared), with memtable data split by range; a cursor
// destroyed early stops its workers; small scans stay on one worker by default.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bpfgen/schema/tpch.h"
#include "engine/api/pushdown_db.h"
#include "lineitem_db.h"

namespace pushdown::engine {
namespace {

constexpr const char* kQ6 =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
    "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24";
constexpr const char* kAggs =
    "count(*), sum(l_extendedprice * l_discount), min(l_shipdate), max(l_quantity), "
    "count(l_comment)";

struct Scanned {
  std::vector<std::string> keys;
  ScanInfo info;
  exec::ScanStats stats;
};

Scanned Keys(PushdownDB& db, const std::string& where, const ScanOptions& so) {
  Scanned out;
  auto cur = db.Scan("lineitem", where, so);
  EXPECT_TRUE(cur.ok()) << cur.status().ToString();
  if (!cur.ok()) return out;
  for (;;) {
    Status s = (*cur)->Next();
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || !(*cur)->Valid()) break;
    out.keys.emplace_back((*cur)->key());
  }
  out.info = (*cur)->info();
  out.stats = (*cur)->stats();
  return out;
}

ScanOptions On(exec::DeviceRequest device, std::optional<uint32_t> workers) {
  ScanOptions so;
  so.device = device;
  so.workers = workers;
  return so;
}

void CheckAllWorkerCounts(PushdownDB& db, bool expect_memtable) {
  const ScanOptions iter = On(exec::DeviceRequest::kIterator, std::nullopt);
  for (const char* where : {kQ6, "l_quantity < 10 OR l_comment LIKE '%fur%'", "TRUE"}) {
    SCOPED_TRACE(where);
    const Scanned want = Keys(db, where, iter);
    ASSERT_FALSE(want.keys.empty());
    auto want_agg = db.Aggregate("lineitem", where, kAggs, iter);
    ASSERT_TRUE(want_agg.ok()) << want_agg.status().ToString();
    for (exec::DeviceRequest device : {exec::DeviceRequest::kHost, exec::DeviceRequest::kKernel}) {
      for (uint32_t workers : {1u, 2u, 3u}) {
        SCOPED_TRACE(std::string(exec::DeviceRequestName(device)) + " workers " +
                     std::to_string(workers));
        const ScanOptions so = On(device, workers);
        const Scanned got = Keys(db, where, so);
        EXPECT_EQ(got.info.path, "pushdown");
        // A further kernel program instance that cannot be loaded (seen once
        // under a parallel ctest) leaves the scan on fewer workers, never on
        // wrong rows; the host device always gets its instances.
        if (device == exec::DeviceRequest::kHost) {
          EXPECT_EQ(got.info.workers, workers);
        } else {
          EXPECT_GE(got.info.workers, 1u);
          EXPECT_LE(got.info.workers, workers);
        }
        EXPECT_EQ(got.keys, want.keys);
        EXPECT_EQ(got.stats.rows_matched, want.keys.size());
        if (expect_memtable) EXPECT_GT(got.info.memtable_entries_merged, 0u);

        auto agg = db.Aggregate("lineitem", where, kAggs, so);
        ASSERT_TRUE(agg.ok()) << agg.status().ToString();
        if (device == exec::DeviceRequest::kHost) EXPECT_EQ(agg->info.workers, workers);
        EXPECT_EQ(agg->rows, want_agg->rows);
        ASSERT_EQ(agg->values.size(), want_agg->values.size());
        for (size_t i = 0; i < agg->values.size(); ++i) {
          EXPECT_TRUE(agg->values[i] == want_agg->values[i]) << agg->names[i];
        }

        ScanOptions limited = so;
        limited.limit = 7;
        const Scanned first = Keys(db, where, limited);
        ASSERT_EQ(first.keys.size(), std::min<size_t>(7, want.keys.size()));
        EXPECT_TRUE(std::equal(first.keys.begin(), first.keys.end(), want.keys.begin()));
      }
    }
  }
}

TEST(ParallelScanApiTest, ScansAndAggregatesOnOneToThreeWorkersMatchTheIterator) {
  LineitemDb ldb(0.01);
  ASSERT_NE(ldb.db, nullptr);
  ASSERT_NO_FATAL_FAILURE(CheckAllWorkerCounts(*ldb.db, /*expect_memtable=*/false));
}

TEST(ParallelScanApiTest, MemtableDataIsSplitByRange) {
  LineitemDb ldb(0.01);
  ASSERT_NE(ldb.db, nullptr);
  rocksdb::DB* db = ldb.db->db();
  rocksdb::ColumnFamilyHandle* cf = ldb.table->column_family();
  // After the flush: delete every 50th row and give every 70th the value of
  // its neighbour (a valid row), all in the memtable.
  std::vector<std::pair<std::string, std::string>> rows;
  {
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      rows.emplace_back(it->key().ToString(), it->value().ToString());
    }
    ASSERT_TRUE(it->status().ok());
  }
  ASSERT_GT(rows.size(), 1000u);
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    if (i % 50 == 0) ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, rows[i].first).ok());
    if (i % 70 == 1) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, rows[i].first, rows[i + 1].second).ok());
    }
  }
  ASSERT_NO_FATAL_FAILURE(CheckAllWorkerCounts(*ldb.db, /*expect_memtable=*/true));
}

TEST(ParallelScanApiTest, CursorDestroyedEarlyAndDefaults) {
  LineitemDb ldb(0.01);
  ASSERT_NE(ldb.db, nullptr);
  PushdownDB& db = *ldb.db;
  for (int round = 0; round < 3; ++round) {
    auto cur = db.Scan("lineitem", "TRUE", On(exec::DeviceRequest::kHost, 3));
    ASSERT_TRUE(cur.ok()) << cur.status().ToString();
    for (int i = 0; i < round * 3; ++i) {
      ASSERT_TRUE((*cur)->Next().ok());
      ASSERT_TRUE((*cur)->Valid());
    }
    EXPECT_EQ((*cur)->info().workers, 3u);
    cur->reset();  // stops and joins the workers, unpins the files
  }
  // The default (0 = cores, bounded by data size): ~8 MB of data is one worker.
  const Scanned small = Keys(db, kQ6, On(exec::DeviceRequest::kHost, std::nullopt));
  EXPECT_EQ(small.info.workers, 1u);
  // Explain opens the scan without starting workers or reading rows.
  auto ex = db.Explain("lineitem", kQ6, On(exec::DeviceRequest::kHost, 2));
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  EXPECT_EQ(ex->info.workers, 2u);
}

}  // namespace
}  // namespace pushdown::engine
