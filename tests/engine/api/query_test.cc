// Query(sql) through the API: TPC-H Q1 and Q6 as SQL text equal a
// straightforward computation over the same rows (read with a RocksDB
// iterator and decoded here), on every device; the streaming cursor, LIMIT's
// early stop, errors with positions, and the AttachedDB entry point.
#include "engine/api/query.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "bpfgen/schema/date.h"
#include "bpfgen/schema/scalar.h"
#include "bpfgen/schema/text.h"
#include "pushdown/device/fallback.h"
#include "tests/engine/api/lineitem_db.h"

namespace pushdown::engine {
namespace {

using bpfgen::Datum;

constexpr double kScale = 0.01;

// TPC-H Q1 as the specification writes it, DELTA = 90.
constexpr char kQ1[] =
    "select l_returnflag, l_linestatus, sum(l_quantity) as sum_qty,\n"
    "  sum(l_extendedprice) as sum_base_price,\n"
    "  sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,\n"
    "  sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,\n"
    "  avg(l_quantity) as avg_qty, avg(l_extendedprice) as avg_price,\n"
    "  avg(l_discount) as avg_disc, count(*) as count_order\n"
    "from lineitem\n"
    "where l_shipdate <= date '1998-12-01' - interval '90' day (3)\n"
    "group by l_returnflag, l_linestatus\n"
    "order by l_returnflag, l_linestatus;";
// TPC-H Q6, DATE = 1994-01-01, DISCOUNT = 0.06, QUANTITY = 24, as qgen writes
// it.
constexpr char kQ6[] =
    "select sum(l_extendedprice * l_discount) as revenue\n"
    "from lineitem\n"
    "where l_shipdate >= date '1994-01-01'\n"
    "  and l_shipdate < date '1994-01-01' + interval '1' year\n"
    "  and l_discount between .06 - 0.01 and .06 + 0.01\n"
    "  and l_quantity < 24;";

struct Lineitem {
  int64_t quantity, price, discount, tax;  // scale 2
  std::string flag, status;
  int32_t shipdate;
};

// Every row of the table, read with a RocksDB iterator and decoded.
std::vector<Lineitem> ReadAll(const LineitemDb& ldb) {
  std::vector<Lineitem> out;
  const bpfgen::Schema& s = ldb.table->schema();
  auto col = [&](const char* name) { return s.FindColumn(name); };
  std::unique_ptr<rocksdb::Iterator> it(
      ldb.db->db()->NewIterator(rocksdb::ReadOptions(), ldb.table->column_family()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto row = ldb.table->DecodeRow(std::string_view(it->value().data(), it->value().size()));
    EXPECT_TRUE(row.ok());
    if (!row.ok()) break;
    const auto& r = *row;
    out.push_back({r[col("l_quantity")].i, r[col("l_extendedprice")].i, r[col("l_discount")].i,
                   r[col("l_tax")].i, r[col("l_returnflag")].s, r[col("l_linestatus")].s,
                   static_cast<int32_t>(r[col("l_shipdate")].i)});
  }
  EXPECT_TRUE(it->status().ok());
  return out;
}

std::string Dec(__int128 v, int scale) {
  EXPECT_LT(v, __int128{INT64_MAX});
  return bpfgen::FormatDecimal(static_cast<int64_t>(v), scale);
}

// sum / count at `scale` more digits, rounded half away from zero.
std::string Avg(__int128 sum, int64_t count, int scale_from, int scale_to) {
  __int128 num = sum;
  for (int i = scale_from; i < scale_to; ++i) num *= 10;
  __int128 q = num / count, r = num % count;
  if (2 * (r < 0 ? -r : r) >= count) q += num < 0 ? -1 : 1;
  return Dec(q, scale_to);
}

int32_t Day(const char* date) {
  int32_t d = 0;
  EXPECT_TRUE(bpfgen::ParseDate(date, &d));
  return d;
}

std::vector<std::vector<std::string>> ExpectedQ1(const std::vector<Lineitem>& rows) {
  struct Acc {
    __int128 qty = 0, base = 0, disc_price = 0, charge = 0, disc = 0;
    int64_t count = 0;
  };
  std::map<std::pair<std::string, std::string>, Acc> groups;  // ordered = ORDER BY
  const int32_t bound = Day("1998-09-02");
  for (const Lineitem& l : rows) {
    if (l.shipdate > bound) continue;
    Acc& a = groups[{l.flag, l.status}];
    a.qty += l.quantity;
    a.base += l.price;
    a.disc_price += __int128{l.price} * (100 - l.discount);              // scale 4
    a.charge += __int128{l.price} * (100 - l.discount) * (100 + l.tax);  // scale 6
    a.disc += l.discount;
    ++a.count;
  }
  std::vector<std::vector<std::string>> out;
  for (const auto& [key, a] : groups) {
    out.push_back({key.first, key.second, Dec(a.qty, 2), Dec(a.base, 2), Dec(a.disc_price, 4),
                   Dec(a.charge, 6), Avg(a.qty, a.count, 2, 8), Avg(a.base, a.count, 2, 8),
                   Avg(a.disc, a.count, 2, 8), std::to_string(a.count)});
  }
  return out;
}

std::vector<std::vector<std::string>> ExpectedQ6(const std::vector<Lineitem>& rows) {
  const int32_t lo = Day("1994-01-01"), hi = Day("1995-01-01");
  __int128 revenue = 0;
  bool any = false;
  for (const Lineitem& l : rows) {
    if (l.shipdate >= lo && l.shipdate < hi && l.discount >= 5 && l.discount <= 7 &&
        l.quantity < 2400) {
      revenue += __int128{l.price} * l.discount;
      any = true;
    }
  }
  EXPECT_TRUE(any) << "Q6 selects rows at this scale";
  return {{Dec(revenue, 4)}};
}

struct Collected {
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> rows;
  ScanInfo info;
  exec::ScanStats stats;
};

Result<Collected> Collect(Result<std::unique_ptr<QueryCursor>> cursor) {
  if (!cursor.ok()) return cursor.status();
  QueryCursor& cur = **cursor;
  Collected c;
  c.names = cur.column_names();
  while (true) {
    PD_RETURN_IF_ERROR(cur.Next());
    if (!cur.Valid()) break;
    std::vector<std::string> r;
    for (size_t i = 0; i < cur.row().size(); ++i) {
      r.push_back(cur.row()[i].null ? "NULL"
                                    : bpfgen::FormatValue(cur.column_types()[i], cur.row()[i]));
    }
    c.rows.push_back(std::move(r));
  }
  c.info = cur.info();
  c.stats = cur.stats();
  return c;
}

class QueryTest : public ::testing::TestWithParam<exec::DeviceRequest> {
 protected:
  static void SetUpTestSuite() { db_ = new LineitemDb(kScale); }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(db_->db) << "lineitem not loaded";
    if (GetParam() == exec::DeviceRequest::kKernel) {
      Status s = exec::DeviceRegistry::Default().kernel().Available();
      if (!s.ok()) GTEST_SKIP() << "kernel device unavailable: " << s.ToString();
    }
  }
  QueryOptions Options() const {
    QueryOptions o;
    o.scan.device = GetParam();
    o.scan.strict_device = GetParam() != exec::DeviceRequest::kAuto;
    return o;
  }
  static LineitemDb* db_;
};
LineitemDb* QueryTest::db_ = nullptr;

TEST_P(QueryTest, TpchQ1EqualsAStraightforwardComputation) {
  auto got = Collect(db_->db->Query(kQ1, Options()));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->names,
            (std::vector<std::string>{"l_returnflag", "l_linestatus", "sum_qty", "sum_base_price",
                                      "sum_disc_price", "sum_charge", "avg_qty", "avg_price",
                                      "avg_disc", "count_order"}));
  const auto expected = ExpectedQ1(ReadAll(*db_));
  EXPECT_EQ(expected.size(), 4u) << "A/F, N/F, N/O, R/F";
  EXPECT_EQ(got->rows, expected);
  if (GetParam() != exec::DeviceRequest::kIterator) {
    EXPECT_EQ(got->info.pushed.size(), 1u) << "the shipdate bound runs on the device";
  }
  if (GetParam() != exec::DeviceRequest::kAuto) {
    EXPECT_EQ(got->info.device, exec::DeviceRequestName(GetParam()));
  }
}

TEST_P(QueryTest, TpchQ6EqualsAStraightforwardComputation) {
  auto got = Collect(db_->db->Query(kQ6, Options()));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->names, std::vector<std::string>{"revenue"});
  EXPECT_EQ(got->rows, ExpectedQ6(ReadAll(*db_)));
  EXPECT_EQ(got->info.residual.size(), 0u);
  EXPECT_GT(got->stats.rows_matched, 0u);
}

TEST_P(QueryTest, Q1WithTheIntervalFoldedByHandIsTheSame) {
  // The interval folds at compile time: the literal it folds to gives the
  // same groups.
  auto got = Collect(db_->db->Query(kQ1, Options()));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto literal = Collect(db_->db->Query(
      "select l_returnflag, l_linestatus, sum(l_quantity) as sum_qty,\n"
      "  sum(l_extendedprice) as sum_base_price,\n"
      "  sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,\n"
      "  sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,\n"
      "  avg(l_quantity) as avg_qty, avg(l_extendedprice) as avg_price,\n"
      "  avg(l_discount) as avg_disc, count(*) as count_order\n"
      "from lineitem where l_shipdate <= date '1998-09-02' group by l_returnflag, l_linestatus "
      "order by l_returnflag, l_linestatus",
      Options()));
  ASSERT_TRUE(literal.ok()) << literal.status().ToString();
  EXPECT_EQ(got->rows, literal->rows);
  EXPECT_EQ(got->info.pushed, literal->info.pushed);
}

TEST_P(QueryTest, LimitWithoutOrderByStopsTheScanEarly) {
  auto all = Collect(db_->db->Query("SELECT l_orderkey, l_linenumber FROM lineitem", Options()));
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_GT(all->rows.size(), 1000u);
  auto got =
      Collect(db_->db->Query("SELECT l_orderkey, l_linenumber FROM lineitem LIMIT 3 "
                             "OFFSET 2",
                             Options()));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->rows,
            (std::vector<std::vector<std::string>>(all->rows.begin() + 2, all->rows.begin() + 5)));
  // The scan stops after OFFSET + LIMIT rows: at most one batch of blocks
  // (ScanOptions::batch_blocks, 16) is read, of the table's thousands.
  EXPECT_LE(got->stats.rows_matched, 5u);
  EXPECT_GT(all->stats.rows_matched, 1000u);
  if (GetParam() != exec::DeviceRequest::kIterator) {  // the iterator path counts no blocks
    EXPECT_LE(got->stats.blocks_read, 16u);
    EXPECT_GT(all->stats.blocks_read, 100u);
  }
}

TEST_P(QueryTest, OrderByLimitAndHaving) {
  auto got = Collect(db_->db->Query(
      "SELECT l_shipmode, count(*) AS n, max(l_quantity) FROM lineitem WHERE l_quantity >= 50 "
      "GROUP BY l_shipmode HAVING count(*) > 0 ORDER BY n DESC, l_shipmode LIMIT 2",
      Options()));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  // The same from the rows, by hand.
  std::map<std::string, int64_t> counts;
  {
    auto all = Collect(
        db_->db->Query("SELECT l_shipmode FROM lineitem WHERE l_quantity >= 50", Options()));
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    for (const auto& r : all->rows) ++counts[r[0]];
  }
  std::vector<std::pair<int64_t, std::string>> order;
  for (const auto& [mode, n] : counts) order.push_back({-n, mode});
  std::sort(order.begin(), order.end());
  ASSERT_GE(order.size(), 2u);
  ASSERT_EQ(got->rows.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(got->rows[i][0], order[i].second);
    EXPECT_EQ(got->rows[i][1], std::to_string(-order[i].first));
    EXPECT_EQ(got->rows[i][2], "50.00");
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, QueryTest,
                         ::testing::Values(exec::DeviceRequest::kAuto, exec::DeviceRequest::kKernel,
                                           exec::DeviceRequest::kHost,
                                           exec::DeviceRequest::kIterator),
                         [](const auto& info) {
                           return std::string(exec::DeviceRequestName(info.param));
                         });

TEST(QueryApi, ErrorsCarryPositions) {
  LineitemDb ldb(0.001);
  ASSERT_TRUE(ldb.db);
  auto r = ldb.db->Query("SELECT * FROM nosuch");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(r.status().message().substr(0, 22), "1:15: no table 'nosuch") << r.status().ToString();
  r = ldb.db->Query("SELECT * FROM raw.nosuch");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  r = ldb.db->Query("SELECT a.b FROM lineitem JOIN x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  QueryOptions bad;
  bad.scan.limit = 3;
  r = ldb.db->Query("SELECT 1 FROM lineitem", bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

TEST(QueryApi, RawColumnFamilyAndTheAttachEntryPoint) {
  LineitemDb ldb(0.001);
  ASSERT_TRUE(ldb.db);
  auto table = Collect(ldb.db->Query("SELECT count(*) FROM lineitem"));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto raw = Collect(
      ldb.db->Query("SELECT count(*), count(DISTINCT length(value)) > 0 FROM raw.lineitem"));
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(raw->rows[0][0], table->rows[0][0]);
  EXPECT_EQ(raw->rows[0][1], "true");
  // AttachedDB: the column family by handle.
  AttachedDB& pd = ldb.db->attached();
  auto attached = Collect(pd.Query("SELECT count(*) FROM raw.lineitem WHERE length(key) > 0",
                                   QueryOptions(), {ldb.table->column_family()}));
  ASSERT_TRUE(attached.ok()) << attached.status().ToString();
  EXPECT_EQ(attached->rows, table->rows);
  auto missing = pd.Query("SELECT count(*) FROM raw.lineitem");  // handle not given
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace pushdown::engine
