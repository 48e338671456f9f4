// `pushdown query` as a subprocess: every --format, --no-header, --stats,
// the device warning, and exit 2 with a positioned diagnostic for bad or
// unsupported SQL. The numbers are checked against `pushdown scan
// --aggregate`, an independent path over the same DB.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_test_util.h"

namespace pushdown::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kByFlag[] =
    "SELECT l_returnflag, count(*) AS n, sum(l_quantity) AS qty, avg(l_discount) AS disc "
    "FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag "
    "ORDER BY l_returnflag";

class QueryCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/pd_query_cli_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/scratch");
    RunResult r = Cli({"load-tpch", "--db", Db(), "--scale", "0.002"});
    load_ok_ = r.exited && r.status == 0;
    load_out_ = r.out + r.err;
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { ASSERT_TRUE(load_ok_) << load_out_; }

  static std::string Db() { return dir_ + "/tpch"; }
  static RunResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), PD_BINARY_DIR "/bin/pushdown");
    return RunProcess(args, dir_ + "/scratch");
  }
  // count(*), sum(l_quantity) for one return flag, by `scan --aggregate`.
  static std::string ScanAggregate(const std::string& flag) {
    RunResult r = Cli({"scan", "--db", Db(), "--table", "lineitem", "--where",
                       "l_shipdate <= DATE '1998-09-02' AND l_returnflag = '" + flag + "'",
                       "--aggregate", "count(*), sum(l_quantity)"});
    EXPECT_EQ(r.status, 0) << r.err;
    auto lines = SplitLines(r.out);
    return lines.size() == 2 ? lines[1] : "";
  }

  static std::string dir_;
  static bool load_ok_;
  static std::string load_out_;
};
std::string QueryCliTest::dir_;
bool QueryCliTest::load_ok_ = false;
std::string QueryCliTest::load_out_;

TEST_F(QueryCliTest, CsvEqualsScanAggregates) {
  RunResult r = Cli({"query", "--db", Db(), kByFlag});
  ASSERT_EQ(r.status, 0) << r.err;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;  // header + A, N, R
  EXPECT_EQ(lines[0], "l_returnflag,n,qty,disc");
  const char* flags[] = {"A", "N", "R"};
  for (int i = 0; i < 3; ++i) {
    const std::string& line = lines[1 + i];
    EXPECT_THAT(line, StartsWith(std::string(flags[i]) + ","));
    // "A,n,qty,disc" -> "n,qty" == scan's "count,sum".
    const size_t a = line.find(','), c = line.rfind(',');
    EXPECT_EQ(line.substr(a + 1, c - a - 1), ScanAggregate(flags[i])) << line;
    // avg of DECIMAL(15,2) has 8 digits after the point.
    EXPECT_EQ(line.size() - line.find('.', c) - 1, 8u) << line;
  }
  RunResult nh = Cli({"query", "--db", Db(), "--no-header", kByFlag});
  ASSERT_EQ(nh.status, 0) << nh.err;
  EXPECT_EQ(SplitLines(nh.out), std::vector<std::string>(lines.begin() + 1, lines.end()));
}

TEST_F(QueryCliTest, EveryFormat) {
  RunResult csv = Cli({"query", "--db", Db(), "--format", "csv", kByFlag});
  ASSERT_EQ(csv.status, 0) << csv.err;
  const auto rows = SplitLines(csv.out);
  ASSERT_EQ(rows.size(), 4u);

  RunResult tsv = Cli({"query", "--db", Db(), "--format", "tsv", kByFlag});
  ASSERT_EQ(tsv.status, 0) << tsv.err;
  auto tsv_lines = SplitLines(tsv.out);
  ASSERT_EQ(tsv_lines.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string as_csv = tsv_lines[i];
    for (char& ch : as_csv) {
      if (ch == '\t') ch = ',';
    }
    EXPECT_EQ(as_csv, rows[i]);
  }

  RunResult json = Cli({"query", "--db", Db(), "--format", "json", kByFlag});
  ASSERT_EQ(json.status, 0) << json.err;
  auto objects = SplitLines(json.out);
  ASSERT_EQ(objects.size(), 3u) << json.out;  // one object per row, no header
  for (size_t i = 0; i < 3; ++i) {
    // {"l_returnflag":"A","n":123,"qty":456.00,"disc":0.05000000}
    std::vector<std::string> f;
    std::string cell;
    for (char ch : rows[1 + i] + ",") {
      if (ch == ',') {
        f.push_back(cell);
        cell.clear();
      } else {
        cell += ch;
      }
    }
    ASSERT_EQ(f.size(), 4u);
    EXPECT_EQ(objects[i], "{\"l_returnflag\":\"" + f[0] + "\",\"n\":" + f[1] + ",\"qty\":" + f[2] +
                              ",\"disc\":" + f[3] + "}");
  }

  RunResult table = Cli({"query", "--db", Db(), "--format", "table", kByFlag});
  ASSERT_EQ(table.status, 0) << table.err;
  auto box = SplitLines(table.out);
  ASSERT_EQ(box.size(), 7u) << table.out;  // rule, names, rule, 3 rows, rule
  EXPECT_THAT(box[0], StartsWith("+-"));
  EXPECT_THAT(box[1], HasSubstr("| l_returnflag |"));
  for (size_t i = 0; i < box.size(); ++i) EXPECT_EQ(box[i].size(), box[0].size()) << box[i];
  EXPECT_THAT(box[3], StartsWith("| A "));

  RunResult bad = Cli({"query", "--db", Db(), "--format", "xml", kByFlag});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("unknown output format 'xml'"));
}

TEST_F(QueryCliTest, StatsIsTheScanStatsLine) {
  RunResult r = Cli({"query", "--db", Db(), "--stats", "--device", "host",
                     "SELECT count(*) FROM lineitem WHERE l_quantity < 24"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto err = SplitLines(r.err);
  ASSERT_FALSE(err.empty());
  const std::string& stats = err.back();
  EXPECT_EQ(JsonStringField(stats, "path"), "pushdown");
  EXPECT_EQ(JsonStringField(stats, "device"), "host");
  for (const char* key : {"\"pushed\":", "\"residual\":", "\"blocks_read\":", "\"bytes_to_host\":",
                          "\"rows_matched\":", "\"elapsed_ms\":"}) {
    EXPECT_THAT(stats, HasSubstr(key));
  }
}

// The number after "key": in a JSON line (0 if absent).
uint64_t JsonNumber(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return 0;
  return std::stoull(json.substr(at + key.size() + 3));
}

// Q6 as SQL aggregates on the device (load-tpch compacts the table: every
// block is exact), prints what `scan --aggregate` prints, and says so in
// --stats; a query whose aggregates cannot run there says why.
TEST_F(QueryCliTest, AggregatesOnTheDeviceAndStatsSaysWhere) {
  const std::string where =
      "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount "
      "BETWEEN 0.05 AND 0.07 AND l_quantity < 24";
  RunResult q = Cli({"query", "--db", Db(), "--stats", "--device", "host",
                     "SELECT count(*), sum(l_extendedprice * l_discount) AS revenue, "
                     "avg(l_quantity) AS q FROM lineitem WHERE " +
                         where});
  ASSERT_EQ(q.status, 0) << q.err;
  auto lines = SplitLines(q.out);
  ASSERT_EQ(lines.size(), 2u) << q.out;
  EXPECT_EQ(lines[0], "count(*),revenue,q");
  RunResult s = Cli({"scan", "--db", Db(), "--table", "lineitem", "--device", "iterator", "--where",
                     where, "--aggregate", "count(*), sum(l_extendedprice * l_discount)"});
  ASSERT_EQ(s.status, 0) << s.err;
  auto scan_lines = SplitLines(s.out);
  ASSERT_EQ(scan_lines.size(), 2u) << s.out;
  EXPECT_EQ(lines[1].substr(0, lines[1].rfind(',')), scan_lines[1]);
  const std::string stats = SplitLines(q.err).back();
  EXPECT_EQ(JsonStringField(stats, "aggregation"), "device") << stats;
  const uint64_t blocks = JsonNumber(stats, "blocks_read");
  EXPECT_GT(blocks, 0u) << stats;
  EXPECT_EQ(JsonNumber(stats, "blocks_aggregated_on_device"), blocks) << stats;
  EXPECT_LT(JsonNumber(stats, "bytes_to_host"), 100 * blocks) << stats;

  RunResult h = Cli({"query", "--db", Db(), "--stats", "--device", "host",
                     "SELECT count(DISTINCT l_returnflag) FROM lineitem"});
  ASSERT_EQ(h.status, 0) << h.err;
  EXPECT_EQ(SplitLines(h.out), (std::vector<std::string>{"count(DISTINCT l_returnflag)", "3"}));
  const std::string hstats = SplitLines(h.err).back();
  EXPECT_THAT(JsonStringField(hstats, "aggregation"),
              StartsWith("host: count(DISTINCT l_returnflag): DISTINCT"))
      << hstats;
  EXPECT_EQ(JsonNumber(hstats, "blocks_aggregated_on_device"), 0u) << hstats;
}

TEST_F(QueryCliTest, UnsupportedSqlIsExit2WithAPosition) {
  RunResult join = Cli({"query", "--db", Db(), "SELECT * FROM lineitem JOIN orders ON x = y"});
  EXPECT_EQ(join.status, 2);
  EXPECT_THAT(join.err, HasSubstr("1:24: joins are not supported"));
  EXPECT_THAT(join.err, HasSubstr("^~~~"));
  RunResult table = Cli({"query", "--db", Db(), "SELECT 1 FROM orders"});
  EXPECT_EQ(table.status, 2);
  EXPECT_THAT(table.err, HasSubstr("1:15:"));
  RunResult column = Cli({"query", "--db", Db(), "SELECT l_quantityy FROM lineitem"});
  EXPECT_EQ(column.status, 2);
  EXPECT_THAT(column.err, HasSubstr("1:8: unknown column 'l_quantityy'"));
  RunResult none = Cli({"query", "--db", Db()});
  EXPECT_EQ(none.status, 2);
  RunResult help = Cli({"query", "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.out + help.err, HasSubstr("usage: pushdown query"));
}

TEST_F(QueryCliTest, RawColumnFamily) {
  RunResult raw = Cli({"query", "--db", Db(), "--column_family", "lineitem",
                       "SELECT count(*) AS n FROM raw WHERE length(key) > 0"});
  ASSERT_EQ(raw.status, 0) << raw.err;
  RunResult table = Cli({"query", "--db", Db(), "SELECT count(*) AS n FROM lineitem"});
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_EQ(raw.out, table.out);
  EXPECT_THAT(raw.out, StartsWith("n\n"));
}

}  // namespace
}  // namespace pushdown::testing
