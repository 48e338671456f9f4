// ScanCursor::NextBatch (the batch cursor, pushdown/scan/row_batch.h): on
// random LSM shapes, random predicates, column lists, limits, batch sizes,
// devices (iterator path, host, kernel where BPF is usable) and 1 to 3
// workers, the batch cursor returns exactly the row cursor's rows (keys and
// every column, NULLs included) and the iterator path's; every typed
// accessor agrees with GetDatum; raw mode; a batch outlives its cursor;
// Next and NextBatch are not mixed on one cursor.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

// lineitem_db.h first: it names ::pushdown::testing::TempDir as
// testing::TempDir, which api_test_util.h's engine::testing would shadow.
#include "lineitem_db.h"
// clang-format off
#include "api_test_util.h"
// clang-format on
#include "bpfgen/schema/tpch.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

using ::pushdown::testing::TempDir;
using namespace ::pushdown::engine::testing;  // NOLINT

// Row `r` of `batch` as Datums, checking each typed accessor against GetDatum.
std::vector<Datum> BatchRow(const RowBatch& batch, size_t r,
                            const std::vector<bpfgen::Type>& types) {
  std::vector<Datum> row(batch.num_columns());
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    batch.GetDatum(r, c, &row[c]);
    EXPECT_EQ(batch.IsNull(r, c), row[c].is_null()) << "column " << c;
    if (row[c].is_null()) continue;
    switch (types[c].id) {
      case bpfgen::TypeId::kBool:
      case bpfgen::TypeId::kInt32:
      case bpfgen::TypeId::kInt64:
      case bpfgen::TypeId::kDate:
      case bpfgen::TypeId::kDecimal:
        EXPECT_EQ(batch.GetInt64(r, c), row[c].i) << "column " << c;
        break;
      case bpfgen::TypeId::kDouble:
        EXPECT_EQ(batch.GetDouble(r, c), row[c].d) << "column " << c;
        break;
      default:
        EXPECT_EQ(batch.GetString(r, c), row[c].s) << "column " << c;
        break;
    }
  }
  return row;
}

// Every row through NextBatch; also checks the batch bound.
Result<ScanOut> CollectBatches(PushdownDB* db, const ScanTarget& target, std::string_view where,
                               const ScanOptions& options) {
  PD_ASSIGN_OR_RETURN(auto cursor, db->Scan(target, where, options));
  ScanOut out;
  RowBatch batch;
  const size_t max_rows = options.batch_rows == 0 ? exec::kDefaultBatchRows : options.batch_rows;
  for (;;) {
    PD_RETURN_IF_ERROR(cursor->NextBatch(&batch));
    if (batch.empty()) break;
    EXPECT_LE(batch.size(), max_rows);
    EXPECT_EQ(batch.num_columns(), cursor->column_types().size());
    for (size_t r = 0; r < batch.size(); ++r) {
      out.rows.emplace_back(std::string(batch.key(r)), BatchRow(batch, r, cursor->column_types()));
    }
  }
  // Done is sticky: a further call is empty again.
  PD_RETURN_IF_ERROR(cursor->NextBatch(&batch));
  EXPECT_TRUE(batch.empty());
  out.info = cursor->info();
  out.stats = cursor->stats();
  return out;
}

std::unique_ptr<PushdownDB> OpenOrDie(const std::string& path, const DbOptions& o) {
  auto db = PushdownDB::Open(path, o);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(BatchCursorTest, EqualsRowCursorAndIteratorOnRandomLsmShapes) {
  const std::vector<std::string> all_columns = {"l_orderkey",      "l_linenumber", "l_quantity",
                                                "l_extendedprice", "l_discount",   "l_shipdate",
                                                "l_returnflag",    "l_comment",    "l_weight"};
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TempDir dir("pd_batch");
    auto db = OpenOrDie(dir.path(), SmallDbOptions(seed));
    ASSERT_NE(db, nullptr);
    ItemsShape shape;
    ItemsShapeBuild(db.get(), seed, &shape);
    if (HasFatalFailure()) return;
    std::mt19937_64 rng(seed * 1000 + 7);
    for (int round = 0; round < 12; ++round) {
      const std::string where = round == 0 ? "TRUE" : RandomItemPredicate(rng);
      ScanOptions o;
      o.snapshot = rng() % 3 == 0 ? shape.old_snapshot : shape.snapshot;
      if (rng() % 2) {  // a random column list (order shuffled, repeats allowed)
        const size_t n = 1 + rng() % all_columns.size();
        for (size_t i = 0; i < n; ++i) o.columns.push_back(all_columns[rng() % all_columns.size()]);
      }
      if (rng() % 3 == 0) o.limit = rng() % 40;
      o.batch_rows = static_cast<uint32_t>(rng() % 4 == 0 ? 0 : 1 + rng() % 64);
      SCOPED_TRACE(where + " columns " + std::to_string(o.columns.size()) + " limit " +
                   std::to_string(o.limit) + " batch_rows " + std::to_string(o.batch_rows));
      o.device = exec::DeviceRequest::kIterator;
      auto iter_rows = Collect(db.get(), "items", where, o);
      ASSERT_TRUE(iter_rows.ok()) << iter_rows.status().ToString();
      auto iter_batches = CollectBatches(db.get(), "items", where, o);
      ASSERT_TRUE(iter_batches.ok()) << iter_batches.status().ToString();
      EXPECT_EQ(iter_batches->info.path, "iterator");
      EXPECT_TRUE(SameRows(*iter_rows, *iter_batches)) << "iterator path";
      EXPECT_EQ(iter_batches->stats.rows_matched, iter_rows->rows.size());
      std::vector<exec::DeviceRequest> devices = {exec::DeviceRequest::kHost};
      if (KernelAvailable()) devices.push_back(exec::DeviceRequest::kKernel);
      for (exec::DeviceRequest device : devices) {
        o.device = device;
        o.workers = static_cast<uint32_t>(1 + rng() % 3);
        SCOPED_TRACE(std::string(exec::DeviceRequestName(device)) + " workers " +
                     std::to_string(*o.workers));
        auto rows = Collect(db.get(), "items", where, o);
        ASSERT_TRUE(rows.ok()) << rows.status().ToString();
        auto batches = CollectBatches(db.get(), "items", where, o);
        ASSERT_TRUE(batches.ok()) << batches.status().ToString();
        EXPECT_EQ(batches->info.path, "pushdown") << batches->info.fallback_reason;
        EXPECT_EQ(batches->info.workers, rows->info.workers);
        EXPECT_TRUE(SameRows(*rows, *batches)) << "row cursor vs batch cursor";
        EXPECT_TRUE(SameRows(*iter_rows, *batches)) << "iterator vs batch cursor";
        EXPECT_EQ(batches->stats.rows_matched, rows->rows.size());
      }
    }
    db->db()->ReleaseSnapshot(shape.snapshot);
    db->db()->ReleaseSnapshot(shape.old_snapshot);
  }
}

// A real table split over several workers: every worker count gives the row
// cursor's rows, with and without a limit (the limit cuts inside a batch).
TEST(BatchCursorTest, MultiWorkerLineitemEqualsRowCursor) {
  LineitemDb ldb(0.01);
  ASSERT_NE(ldb.db, nullptr);
  const char* q6 =
      "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
      "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24";
  for (const char* where : {"TRUE", q6}) {
    ScanOptions iter;
    iter.device = exec::DeviceRequest::kIterator;
    auto want = Collect(ldb.db.get(), "lineitem", where, iter);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    ASSERT_FALSE(want->rows.empty());
    for (uint32_t workers : {1u, 2u, 3u}) {
      for (uint64_t limit : {kNoRowLimit, uint64_t{1500}}) {
        SCOPED_TRACE(std::string(where) + " workers " + std::to_string(workers) + " limit " +
                     std::to_string(limit));
        ScanOptions o;
        o.device = exec::DeviceRequest::kHost;
        o.workers = workers;
        o.limit = limit;
        o.batch_rows = 1000;
        auto got = CollectBatches(ldb.db.get(), "lineitem", where, o);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(got->info.workers, workers);
        ScanOut expect = *want;
        if (expect.rows.size() > limit) expect.rows.resize(limit);
        EXPECT_TRUE(SameRows(expect, *got));
        EXPECT_EQ(got->stats.rows_matched, expect.rows.size());
      }
    }
  }
}

TEST(BatchCursorTest, RawModeKeyAndValueSlices) {
  TempDir dir("pd_batch");
  auto db = OpenOrDie(dir.path(), SmallDbOptions(2));
  ASSERT_NE(db, nullptr);
  rocksdb::DB* rdb = db->db();
  std::mt19937_64 rng(5);
  for (uint64_t k = 0; k < 3000; ++k) {
    std::string value(8 + rng() % 40, '\0');
    for (char& c : value) c = static_cast<char>(rng());  // any bytes, NULs included
    ASSERT_TRUE(rdb->Put(rocksdb::WriteOptions(), DbBenchKey(k), value).ok());
    if (k % 1000 == 999) ASSERT_TRUE(rdb->Flush(rocksdb::FlushOptions()).ok());
  }
  for (uint64_t k = 0; k < 3000; k += 7) {
    ASSERT_TRUE(rdb->Delete(rocksdb::WriteOptions(), DbBenchKey(k)).ok());
  }
  for (const char* where : {"TRUE", "u64be(key, 0) % 10 < 3", "length(value) > 30"}) {
    for (exec::DeviceRequest device :
         {exec::DeviceRequest::kIterator, exec::DeviceRequest::kHost}) {
      for (bool value_only : {false, true}) {
        SCOPED_TRACE(std::string(where) + " " + std::string(exec::DeviceRequestName(device)) +
                     (value_only ? " value only" : ""));
        ScanOptions o;
        o.device = device;
        o.workers = 2;
        o.batch_rows = 100;
        if (value_only) o.columns = {"value"};
        auto rows = Collect(db.get(), ScanTarget::Raw(), where, o);
        ASSERT_TRUE(rows.ok()) << rows.status().ToString();
        ASSERT_FALSE(rows->rows.empty());
        auto cur = db->Scan(ScanTarget::Raw(), where, o);
        ASSERT_TRUE(cur.ok()) << cur.status().ToString();
        RowBatch batch;
        size_t i = 0;
        for (;;) {
          ASSERT_TRUE((*cur)->NextBatch(&batch).ok());
          if (batch.empty()) break;
          for (size_t r = 0; r < batch.size(); ++r, ++i) {
            ASSERT_LT(i, rows->rows.size());
            const auto& want = rows->rows[i];
            EXPECT_EQ(batch.key(r), want.first);
            if (value_only) {
              ASSERT_EQ(batch.num_columns(), 1u);
              EXPECT_EQ(batch.GetString(r, 0), want.second[0].s);
              EXPECT_EQ(batch.value(r), want.second[0].s);
            } else {
              ASSERT_EQ(batch.num_columns(), 2u);
              EXPECT_EQ(batch.GetString(r, 0), want.second[0].s);
              EXPECT_EQ(batch.GetString(r, 1), want.second[1].s);
            }
            EXPECT_FALSE(batch.IsNull(r, 0));
          }
        }
        EXPECT_EQ(i, rows->rows.size());
      }
    }
  }
}

// Lifetimes (ASan checks the reads): a batch's bytes are its own, valid after
// the cursor is destroyed and while other batches are filled; a batch is
// reused across scans with other column lists; Next and NextBatch do not mix.
TEST(BatchCursorTest, LifetimesReuseAndModes) {
  LineitemDb ldb(0.002);
  ASSERT_NE(ldb.db, nullptr);
  ScanOptions o;
  o.device = exec::DeviceRequest::kHost;
  o.workers = 2;
  o.batch_rows = 64;
  auto want = Collect(ldb.db.get(), "lineitem", "TRUE", o);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  ASSERT_GT(want->rows.size(), 200u);

  RowBatch first, second;
  std::vector<bpfgen::Type> types;
  {
    auto cur = ldb.db->Scan("lineitem", "TRUE", o);
    ASSERT_TRUE(cur.ok());
    types = (*cur)->column_types();
    ASSERT_TRUE((*cur)->NextBatch(&first).ok());
    ASSERT_TRUE((*cur)->NextBatch(&second).ok());  // `first` stays untouched
    ASSERT_EQ(first.size(), 64u);
    ASSERT_EQ(second.size(), 64u);
    // Modes: NextBatch started this cursor.
    EXPECT_TRUE((*cur)->Next().IsInvalidArgument());
  }  // the cursor (and its workers, files, program) are gone
  for (size_t r = 0; r < first.size(); ++r) {
    EXPECT_EQ(first.key(r), want->rows[r].first);
    EXPECT_TRUE(BatchRow(first, r, types) == want->rows[r].second) << "row " << r;
    EXPECT_EQ(second.key(r), want->rows[64 + r].first);
  }

  // Reuse `first` for a scan with another column list.
  ScanOptions narrow = o;
  narrow.columns = {"l_comment", "l_orderkey"};
  narrow.workers = 1;
  auto cur = ldb.db->Scan("lineitem", "l_quantity < 10", narrow);
  ASSERT_TRUE(cur.ok());
  auto rows = Collect(ldb.db.get(), "lineitem", "l_quantity < 10", narrow);
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE((*cur)->NextBatch(&first).ok());
  ASSERT_EQ(first.num_columns(), 2u);
  ASSERT_FALSE(first.empty());
  for (size_t r = 0; r < first.size(); ++r) {
    EXPECT_EQ(first.GetString(r, 0), rows->rows[r].second[0].s);
    EXPECT_EQ(first.GetInt64(r, 1), rows->rows[r].second[1].i);
  }

  // NextBatch after Next: refused; Next goes on.
  auto by_rows = ldb.db->Scan("lineitem", "TRUE", o);
  ASSERT_TRUE(by_rows.ok());
  ASSERT_TRUE((*by_rows)->Next().ok());
  ASSERT_TRUE((*by_rows)->Valid());
  EXPECT_TRUE((*by_rows)->NextBatch(&second).IsInvalidArgument());
  ASSERT_TRUE((*by_rows)->Next().ok());
  EXPECT_EQ((*by_rows)->key(), want->rows[1].first);
}

}  // namespace
}  // namespace pushdown::engine
