// Aggregate() with aggregation on the device: a TPC-H lineitem table compacted
// to the bottommost level (sequence numbers zeroed) is aggregated on the
// device block by block; then overwrites, deletes and a range deletion, in
// a newer file and in the memtable, make some blocks come back as rows. On
// every DB state the result equals the iterator path's, on the host JIT and
// (where BPF loads) the kernel device, on one worker and on two.
#include <gtest/gtest.h>

#include <random>

#include "tests/engine/api/lineitem_db.h"

namespace pushdown::engine {
namespace {

constexpr char kQ6[] =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN "
    "0.05 AND 0.07 AND l_quantity < 24";
constexpr char kQ6Aggregates[] = "sum(l_extendedprice * l_discount), count(*)";
constexpr char kWideAggregates[] =
    "count(*), sum(l_quantity), min(l_shipdate), max(l_shipdate), sum(l_extendedprice * (1 - "
    "l_discount)), count(l_comment), max(l_extendedprice)";

void ExpectSame(const AggregateResult& want, const AggregateResult& got, const std::string& what) {
  ASSERT_EQ(want.values.size(), got.values.size()) << what;
  EXPECT_EQ(want.rows, got.rows) << what;
  for (size_t i = 0; i < want.values.size(); ++i) {
    EXPECT_EQ(want.values[i].null, got.values[i].null) << what << " " << want.names[i];
    EXPECT_EQ(want.values[i].i, got.values[i].i) << what << " " << want.names[i];
  }
}

// Every device (host; kernel when it runs here) and 1 or 2 workers against
// the iterator. Returns the blocks the devices aggregated.
uint64_t CheckAll(PushdownDB* db, const char* where, const char* aggregates) {
  ScanOptions it;
  it.device = exec::DeviceRequest::kIterator;
  auto want = db->Aggregate("lineitem", where, aggregates, it);
  EXPECT_TRUE(want.ok()) << want.status().ToString();
  if (!want.ok()) return 0;
  EXPECT_GT(want->rows, 0u);
  uint64_t aggregated = 0;
  for (exec::DeviceRequest device : {exec::DeviceRequest::kHost, exec::DeviceRequest::kKernel}) {
    for (uint32_t workers : {1u, 2u}) {
      ScanOptions o;
      o.device = device;
      o.workers = workers;
      auto got = db->Aggregate("lineitem", where, aggregates, o);
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (!got.ok()) continue;
      const std::string what = std::string(exec::DeviceRequestName(device)) + " on " +
                               got->info.device + ", " + std::to_string(workers) + " workers";
      ExpectSame(*want, *got, what);
      EXPECT_EQ(got->info.path, "pushdown") << what;
      EXPECT_LE(got->stats.blocks_aggregated_on_device, got->stats.blocks_read) << what;
      aggregated += got->stats.blocks_aggregated_on_device;
    }
  }
  return aggregated;
}

TEST(AggregateDevice, CompactedTableAggregatesOnDeviceAndStaysExactUnderWrites) {
  LineitemDb l(0.002);
  ASSERT_NE(l.db, nullptr);
  PushdownDB* db = l.db.get();
  rocksdb::CompactRangeOptions c;
  c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(db->db()->CompactRange(c, l.table->column_family(), nullptr, nullptr).ok());

  // Fully compacted: every block is aggregated on the device, and what
  // crosses to the host is the partials, not the rows.
  {
    ScanOptions o;
    o.device = exec::DeviceRequest::kHost;
    o.workers = 1;
    auto got = db->Aggregate("lineitem", kQ6, kQ6Aggregates, o);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_GT(got->stats.blocks_read, 0u);
    EXPECT_EQ(got->stats.blocks_aggregated_on_device, got->stats.blocks_read);
    // rows_matched counts the rows the device aggregated (they matched).
    EXPECT_EQ(got->stats.rows_matched, got->rows);
    EXPECT_EQ(got->stats.rows_aggregated_on_device, got->rows);
    EXPECT_LT(got->stats.bytes_to_host, 100 * got->stats.blocks_read);
  }
  EXPECT_GT(CheckAll(db, kQ6, kQ6Aggregates), 0u);
  EXPECT_GT(CheckAll(db, "", kWideAggregates), 0u);

  // Writes over part of the key range: overwrites that flip the predicate,
  // deletes, a range deletion; first flushed into a newer file, then more
  // left in the memtable.
  std::mt19937_64 rng(7);
  auto scan = db->Scan("lineitem", "l_orderkey < 2000", ScanOptions());
  ASSERT_TRUE(scan.ok());
  std::vector<std::vector<Datum>> rows;
  for (;;) {
    ASSERT_TRUE((*scan)->Next().ok());
    if (!(*scan)->Valid()) break;
    rows.push_back((*scan)->row());
  }
  ASSERT_GT(rows.size(), 100u);
  const auto& cols = l.table->schema().columns;
  auto col = [&](const char* name) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i].name == name) return i;
    }
    ADD_FAILURE() << name;
    return size_t{0};
  };
  const size_t quantity = col("l_quantity"), discount = col("l_discount");
  for (int round = 0; round < 2; ++round) {
    for (int n = 0; n < 60; ++n) {
      std::vector<Datum> r = rows[rng() % rows.size()];
      if (rng() % 4 == 0) {
        ASSERT_TRUE(l.table->Delete({r[0], r[1]}).ok());
        continue;
      }
      r[quantity] = Datum::Int(100 * static_cast<int64_t>(rng() % 40));  // flips "< 24"
      r[discount] = Datum::Int(static_cast<int64_t>(rng() % 10));
      ASSERT_TRUE(l.table->Put(r).ok());
    }
    if (round == 0) {
      ASSERT_TRUE(db->db()->Flush(rocksdb::FlushOptions(), l.table->column_family()).ok());
    }
  }
  CheckAll(db, kQ6, kQ6Aggregates);
  CheckAll(db, "", kWideAggregates);
}

}  // namespace
}  // namespace pushdown::engine
