// Query(sql) with aggregation on the device: SQL aggregate queries give the
// same result (values, or the same error) on the iterator path, the host JIT
// and (where BPF loads) the kernel device, on one worker and on two, over
// randomized data with NULLs and overflow-sized sums, over LSM shapes with
// overlapping files and a memtable (where blocks need shadow checks and come
// back as rows), and say where they aggregated (ScanInfo::aggregation).
// GROUP BY on the device too: few groups, NULL keys, string and date keys,
// and more groups than the device table holds (those blocks come back as
// rows).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "bpfgen/schema/text.h"
#include "engine/api/query.h"
#include "tests/engine/api/api_test_util.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

using bpfgen::Datum;

struct QueryOut {
  Status status;
  std::vector<std::string> rows;  // cells joined by '|', NULL as "NULL"
  ScanInfo info;
  exec::ScanStats stats;
};

QueryOut RunQuery(PushdownDB* db, const std::string& sql, exec::DeviceRequest device,
                  uint32_t workers, const rocksdb::Snapshot* snapshot = nullptr) {
  QueryOut out;
  QueryOptions qo;
  qo.scan.device = device;
  qo.scan.workers = workers;
  qo.scan.snapshot = snapshot;
  auto cur = db->Query(sql, qo);
  if (!cur.ok()) {
    out.status = cur.status();
    return out;
  }
  for (;;) {
    out.status = (*cur)->Next();
    if (!out.status.ok() || !(*cur)->Valid()) break;
    std::string line;
    const auto& row = (*cur)->row();
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) line += '|';
      line += row[i].null ? "NULL" : bpfgen::FormatValue((*cur)->column_types()[i], row[i]);
    }
    out.rows.push_back(line);
  }
  out.info = (*cur)->info();
  out.stats = (*cur)->stats();
  return out;
}

// Runs `sql` on every path; expects what the iterator path gives. Returns the
// blocks the device paths aggregated.
uint64_t ExpectSameEverywhere(PushdownDB* db, const std::string& sql,
                              const rocksdb::Snapshot* snapshot = nullptr) {
  const QueryOut want = RunQuery(db, sql, exec::DeviceRequest::kIterator, 1, snapshot);
  EXPECT_EQ(want.info.path, "iterator") << sql;
  if (want.status.ok()) {
    EXPECT_EQ(want.info.aggregation.rfind("host: ", 0), 0u) << sql << ": " << want.info.aggregation;
  }
  uint64_t aggregated = 0;
  for (exec::DeviceRequest device : {exec::DeviceRequest::kHost, exec::DeviceRequest::kKernel}) {
    if (device == exec::DeviceRequest::kKernel && !testing::KernelAvailable()) continue;
    for (uint32_t workers : {1u, 2u}) {
      const QueryOut got = RunQuery(db, sql, device, workers, snapshot);
      const std::string what = sql + " on " + std::string(exec::DeviceRequestName(device)) + ", " +
                               std::to_string(workers) + " workers";
      EXPECT_EQ(got.status.code(), want.status.code()) << what << ": " << got.status.ToString();
      EXPECT_EQ(got.status.message(), want.status.message()) << what;
      EXPECT_EQ(got.rows, want.rows) << what;
      if (!got.status.ok()) continue;
      EXPECT_EQ(got.info.path, "pushdown") << what << ": " << got.info.fallback_reason;
      if (got.info.aggregation != "device") {
        EXPECT_EQ(got.stats.blocks_aggregated_on_device, 0u) << what;
      }
      EXPECT_LE(got.stats.blocks_aggregated_on_device, got.stats.blocks_read) << what;
      aggregated += got.stats.blocks_aggregated_on_device;
    }
  }
  return aggregated;
}

// Everything in one fully compacted bottommost file (sequence 0: every
// block may aggregate on the device).
void FlushAndCompact(rocksdb::DB* rdb, rocksdb::ColumnFamilyHandle* cf) {
  ASSERT_TRUE(rdb->Flush(rocksdb::FlushOptions(), cf).ok());
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(rdb->CompactRange(cro, cf, nullptr, nullptr).ok());
}

// 3000 orders of 3 random lines each.
void PutItems(Table* t, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int64_t o = 0; o < 3000; ++o) {
    for (int32_t l = 1; l <= 3; ++l) ASSERT_TRUE(t->Put(testing::RandomItem(rng, o, l)).ok());
  }
}

// Aggregate lists that run on the device (every item passes
// CheckDeviceAggregate), and ones that do not, with the reason's start.
const std::vector<std::string> kDeviceLists = {
    "count(*), count(l_comment), sum(l_quantity), avg(l_extendedprice), min(l_shipdate), "
    "max(l_discount), sum(l_extendedprice * (1 - l_discount))",
    "avg(l_discount) AS d, min(l_extendedprice), max(l_shipdate), count(*) * 2 AS twice",
    "sum(l_extendedprice * l_discount) AS revenue",
};

TEST(QueryDeviceAggregate, CompactedTableAggregatesEveryBlockOnDevice) {
  ::pushdown::testing::TempDir dir;
  auto db = PushdownDB::Open(dir.path() + "/db", testing::SmallDbOptions(0));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto t = (*db)->CreateTable("items", testing::kItemsDdl);
  ASSERT_TRUE(t.ok());
  ASSERT_NO_FATAL_FAILURE(PutItems(*t, 11));
  ASSERT_NO_FATAL_FAILURE(FlushAndCompact((*db)->db(), (*t)->column_family()));

  const std::string q6 =
      "SELECT sum(l_extendedprice * l_discount) AS revenue, count(*) FROM items WHERE "
      "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount "
      "BETWEEN 0.05 AND 0.07 AND l_quantity < 24";
  const QueryOut got = RunQuery(db->get(), q6, exec::DeviceRequest::kHost, 1);
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_EQ(got.info.aggregation, "device");
  EXPECT_GT(got.stats.blocks_read, 0u);
  EXPECT_EQ(got.stats.blocks_aggregated_on_device, got.stats.blocks_read);
  // The partials cross, not the rows.
  EXPECT_LT(got.stats.bytes_to_host, 100 * got.stats.blocks_read);
  EXPECT_GT(ExpectSameEverywhere(db->get(), q6), 0u);
  for (const std::string& list : kDeviceLists) {
    EXPECT_GT(ExpectSameEverywhere(db->get(), "SELECT " + list + " FROM items"), 0u) << list;
    EXPECT_GT(ExpectSameEverywhere(db->get(), "SELECT " + list +
                                                  " FROM items WHERE l_quantity < 10 HAVING "
                                                  "count(*) > 0"),
              0u)
        << list;
  }

  // Host aggregation, with the reason in the plan.
  const std::vector<std::pair<std::string, std::string>> host = {
      {"SELECT sum(l_weight) FROM items", "host: sum(l_weight): a DOUBLE sum"},
      {"SELECT count(DISTINCT l_returnflag) FROM items", "host: count(DISTINCT l_returnflag)"},
      {"SELECT min(l_comment) FROM items", "host: min(l_comment): "},
  };
  for (const auto& [sql, reason] : host) {
    const QueryOut h = RunQuery(db->get(), sql, exec::DeviceRequest::kHost, 1);
    ASSERT_TRUE(h.status.ok()) << sql << ": " << h.status.ToString();
    EXPECT_EQ(h.info.aggregation.rfind(reason, 0), 0u) << sql << ": " << h.info.aggregation;
    EXPECT_EQ(h.stats.blocks_aggregated_on_device, 0u) << sql;
    ExpectSameEverywhere(db->get(), sql);
  }
  // DOUBLE arithmetic is a residual on the kernel device: the rows must come.
  // Nothing is left to push, so no program runs (host_decode, device "none").
  if (testing::KernelAvailable()) {
    const std::string sql = "SELECT count(*), sum(l_quantity) FROM items WHERE l_weight * 2 > 10";
    const QueryOut k = RunQuery(db->get(), sql, exec::DeviceRequest::kKernel, 1);
    ASSERT_TRUE(k.status.ok()) << k.status.ToString();
    EXPECT_EQ(k.info.path, "pushdown");
    EXPECT_TRUE(k.info.host_decode);
    EXPECT_EQ(k.info.device, "none");
    EXPECT_FALSE(k.info.residual.empty());
    EXPECT_EQ(k.info.aggregation, "host: residual conjuncts need the rows on the host");
    EXPECT_EQ(k.stats.blocks_aggregated_on_device, 0u);
    ExpectSameEverywhere(db->get(), sql);
  }
  // A plain query has no aggregation.
  EXPECT_EQ(
      RunQuery(db->get(), "SELECT l_orderkey FROM items LIMIT 1", exec::DeviceRequest::kHost, 1)
          .info.aggregation,
      "");
}

// GROUP BY lists that run on the device (keys ordered by), and ones that do
// not, with the reason's start.
const std::vector<std::string> kDeviceGroupQueries = {
    "SELECT l_returnflag, count(*), sum(l_quantity), avg(l_extendedprice), "
    "min(l_shipdate), max(l_discount) FROM items GROUP BY l_returnflag ORDER BY l_returnflag",
    "SELECT l_returnflag, l_linenumber, sum(l_extendedprice * (1 - l_discount)) AS s, count(*) "
    "FROM items GROUP BY l_returnflag, l_linenumber ORDER BY 2 DESC, 1",
    // A BOOL key and a NULL key (division by zero is NULL: every third line).
    "SELECT l_linenumber / (l_linenumber % 3) AS m, l_shipdate > DATE '1995-06-01' AS late, "
    "count(l_comment), max(l_quantity) FROM items GROUP BY l_linenumber / (l_linenumber % 3), "
    "l_shipdate > DATE '1995-06-01' ORDER BY m, late",
    // Hundreds of groups: more than the device table's 256 slots, so some
    // blocks end kBlockNeedsRecords and are aggregated on the host.
    "SELECT l_orderkey % 700 AS g, count(*), sum(l_quantity) FROM items GROUP BY l_orderkey % 700 "
    "ORDER BY g",
    "SELECT l_shipdate, count(*) FROM items WHERE l_quantity < 5 GROUP BY l_shipdate "
    "ORDER BY l_shipdate LIMIT 20",
};

TEST(QueryDeviceAggregate, GroupByOnDevice) {
  ::pushdown::testing::TempDir dir;
  auto db = PushdownDB::Open(dir.path() + "/db", testing::SmallDbOptions(0));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto t = (*db)->CreateTable("items", testing::kItemsDdl);
  ASSERT_TRUE(t.ok());
  ASSERT_NO_FATAL_FAILURE(PutItems(*t, 12));
  ASSERT_NO_FATAL_FAILURE(FlushAndCompact((*db)->db(), (*t)->column_family()));

  // Few groups: every block aggregates on the device; the slots cross.
  const QueryOut few = RunQuery(db->get(), kDeviceGroupQueries[0], exec::DeviceRequest::kHost, 1);
  ASSERT_TRUE(few.status.ok()) << few.status.ToString();
  EXPECT_EQ(few.info.aggregation, "device");
  EXPECT_GT(few.stats.blocks_read, 0u);
  EXPECT_EQ(few.stats.blocks_aggregated_on_device, few.stats.blocks_read);
  EXPECT_LT(few.stats.bytes_to_host, 100 * few.stats.blocks_read);
  EXPECT_FALSE(few.rows.empty());
  // Many groups: the table fills, later blocks come back as rows.
  const QueryOut many = RunQuery(db->get(), kDeviceGroupQueries[3], exec::DeviceRequest::kHost, 1);
  ASSERT_TRUE(many.status.ok()) << many.status.ToString();
  EXPECT_EQ(many.info.aggregation, "device");
  EXPECT_EQ(many.rows.size(), 700u);
  EXPECT_GT(many.stats.blocks_aggregated_on_device, 0u);
  EXPECT_LT(many.stats.blocks_aggregated_on_device, many.stats.blocks_read);
  for (const std::string& q : kDeviceGroupQueries) {
    EXPECT_GT(ExpectSameEverywhere(db->get(), q), 0u) << q;
  }

  const std::vector<std::pair<std::string, std::string>> host = {
      {"SELECT l_returnflag, count(*) FROM items GROUP BY l_returnflag",
       "host: GROUP BY without every key in ORDER BY"},
      {"SELECT l_comment, count(*) FROM items GROUP BY l_comment ORDER BY l_comment",
       "host: GROUP BY l_comment: device GROUP BY key of type VARCHAR(44)"},
      {"SELECT l_weight, count(*) FROM items GROUP BY l_weight ORDER BY 1",
       "host: GROUP BY l_weight: device GROUP BY key of type DOUBLE"},
  };
  for (const auto& [sql, reason] : host) {
    const QueryOut h = RunQuery(db->get(), sql, exec::DeviceRequest::kHost, 1);
    ASSERT_TRUE(h.status.ok()) << sql << ": " << h.status.ToString();
    EXPECT_EQ(h.info.aggregation.rfind(reason, 0), 0u) << sql << ": " << h.info.aggregation;
    EXPECT_EQ(h.stats.blocks_aggregated_on_device, 0u) << sql;
  }
}

// String keys: VARCHAR up to 7 bytes (empty strings, NULLs, bytes of every
// value) and CHAR (compared without trailing spaces), on a compacted file
// and with newer overlapping writes.
TEST(QueryDeviceAggregate, GroupByStringKeys) {
  ::pushdown::testing::TempDir dir;
  auto db = PushdownDB::Open(dir.path() + "/db", testing::SmallDbOptions(0));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto t = (*db)->CreateTable("strs", "k INT64 KEY, s VARCHAR(7), c CHAR(3), v INT64");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::mt19937_64 rng(9);
  auto random_row = [&](int64_t k) {
    std::string s(rng() % 8, '\0');
    for (char& ch : s) ch = static_cast<char>("a\0\xff "[rng() % 4]);
    std::string c(rng() % 4, 'x');
    if (!c.empty() && rng() % 2) c.back() = ' ';
    return std::vector<Datum>{Datum::Int(k), rng() % 6 == 0 ? Datum::Null() : Datum::String(s),
                              Datum::String(c), Datum::Int(static_cast<int64_t>(rng() % 1000))};
  };
  for (int64_t k = 0; k < 12000; ++k) ASSERT_TRUE((*t)->Put(random_row(k)).ok());
  ASSERT_NO_FATAL_FAILURE(FlushAndCompact((*db)->db(), (*t)->column_family()));
  const std::vector<std::string> queries = {
      "SELECT c, count(*), sum(v), min(v) FROM strs GROUP BY c ORDER BY c",
      "SELECT s, c, count(*), max(v) FROM strs WHERE v < 500 GROUP BY s, c ORDER BY 1, 2",
  };
  for (const std::string& q : queries) {
    EXPECT_GT(ExpectSameEverywhere(db->get(), q), 0u) << q;
    const QueryOut got = RunQuery(db->get(), q, exec::DeviceRequest::kHost, 1);
    EXPECT_EQ(got.info.aggregation, "device") << q;
  }
  for (int64_t i = 0; i < 300; ++i) {
    ASSERT_TRUE((*t)->Put(random_row(static_cast<int64_t>(rng() % 12000))).ok());
  }
  for (const std::string& q : queries) ExpectSameEverywhere(db->get(), q);
}

TEST(QueryDeviceAggregate, LsmShapesWithOverlappingFilesStayExact) {
  for (uint64_t seed : {1u, 2u}) {
    ::pushdown::testing::TempDir dir;
    auto db = PushdownDB::Open(dir.path() + "/db", testing::SmallDbOptions(seed));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    testing::ItemsShape shape;
    testing::ItemsShapeBuild(db->get(), seed, &shape);
    std::mt19937_64 rng(seed * 31);
    for (int i = 0; i < 6; ++i) {
      const std::string where = testing::RandomItemPredicate(rng);
      for (const std::string& list : kDeviceLists) {
        for (const rocksdb::Snapshot* snap : {shape.snapshot, shape.old_snapshot}) {
          ExpectSameEverywhere(db->get(), "SELECT " + list + " FROM items WHERE " + where, snap);
        }
      }
      ExpectSameEverywhere(db->get(),
                           "SELECT l_returnflag, l_linenumber % 2 AS p, " + kDeviceLists[i % 3] +
                               " FROM items WHERE " + where +
                               " GROUP BY l_returnflag, l_linenumber % 2 ORDER BY 1, 2",
                           shape.snapshot);
    }
    (*db)->db()->ReleaseSnapshot(shape.snapshot);
    (*db)->db()->ReleaseSnapshot(shape.old_snapshot);
  }
}

// NULLs, arguments whose arithmetic overflows (NULL), and sums past INT64 or
// DECIMAL(18,s) (NotSupported on every path alike), over a compacted file
// and then with newer overlapping writes.
TEST(QueryDeviceAggregate, NullsAndOverflowSizedSumsMatchTheIterator) {
  ::pushdown::testing::TempDir dir;
  auto db = PushdownDB::Open(dir.path() + "/db", testing::SmallDbOptions(0));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto t = (*db)->CreateTable("nums", "k INT64 KEY, a INT64, b INT32, d DECIMAL(18,2), dt DATE");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  rocksdb::DB* rdb = (*db)->db();
  std::mt19937_64 rng(5);
  auto random_row = [&](int64_t k, bool big) {
    std::vector<Datum> r = {Datum::Int(k)};
    auto maybe = [&](Datum d) { return rng() % 5 == 0 ? Datum::Null() : d; };
    const int64_t a =
        big ? static_cast<int64_t>(rng() >> 2) : static_cast<int64_t>(rng() % 2001) - 1000;
    r.push_back(maybe(Datum::Int(a)));
    r.push_back(maybe(Datum::Int(static_cast<int32_t>(rng() % 200001) - 100000)));
    const int64_t d = big ? static_cast<int64_t>(rng() % 999999999999999999ULL)
                          : static_cast<int64_t>(rng() % 100001) - 50000;
    r.push_back(maybe(Datum::Int(d)));
    r.push_back(maybe(Datum::Int(static_cast<int64_t>(rng() % 20000))));
    return r;
  };
  // Three key ranges: small values, huge ones (sums overflow), small again.
  for (int64_t k = 0; k < 20000; ++k) {
    ASSERT_TRUE((*t)->Put(random_row(k, k >= 8000 && k < 9000)).ok());
  }
  ASSERT_NO_FATAL_FAILURE(FlushAndCompact(rdb, (*t)->column_family()));

  const std::vector<std::string> queries = {
      "SELECT count(*), count(a), sum(b), avg(b), min(a), max(a), min(dt), max(dt), avg(d) FROM "
      "nums WHERE k < 8000 OR k >= 9000",
      "SELECT sum(a), sum(d) FROM nums WHERE k < 8000",
      "SELECT sum(a) FROM nums",  // overflows INT64
      "SELECT sum(d) FROM nums",  // overflows DECIMAL(18,2)
      "SELECT sum(a * 4), count(a * 4), max(a * 4) FROM nums WHERE k >= 7990 AND k < 9010",
      "SELECT avg(a), min(d), count(*) FROM nums WHERE k >= 7000 AND k < 9500 AND b > 0",
      "SELECT sum(b), min(dt), max(d) FROM nums WHERE a IS NULL",
      "SELECT count(*), sum(a) FROM nums WHERE k < 0",  // no rows: count 0, sum NULL
  };
  uint64_t aggregated = 0;
  for (const std::string& q : queries) aggregated += ExpectSameEverywhere(db->get(), q);
  EXPECT_GT(aggregated, 0u);
  const QueryOut overflow =
      RunQuery(db->get(), "SELECT sum(a) FROM nums", exec::DeviceRequest::kHost, 1);
  EXPECT_TRUE(overflow.status.IsNotSupported()) << overflow.status.ToString();
  EXPECT_EQ(overflow.info.aggregation, "device");

  // Newer overlapping writes: a flushed file over part of the range and the
  // memtable; the blocks under them need shadow checks and come back as rows.
  for (int i = 0; i < 400; ++i) {
    const int64_t k = static_cast<int64_t>(rng() % 20000);
    if (rng() % 4 == 0) {
      ASSERT_TRUE((*t)->Delete({Datum::Int(k)}).ok());
    } else {
      ASSERT_TRUE((*t)->Put(random_row(k, false)).ok());
    }
    if (i == 250) ASSERT_TRUE(rdb->Flush(rocksdb::FlushOptions(), (*t)->column_family()).ok());
  }
  for (const std::string& q : queries) ExpectSameEverywhere(db->get(), q);
  const QueryOut mixed = RunQuery(db->get(), queries[0], exec::DeviceRequest::kHost, 1);
  ASSERT_TRUE(mixed.status.ok());
  EXPECT_EQ(mixed.info.aggregation, "device");
  EXPECT_LT(mixed.stats.blocks_aggregated_on_device, mixed.stats.blocks_read);
}

}  // namespace
}  // namespace pushdown::engine
