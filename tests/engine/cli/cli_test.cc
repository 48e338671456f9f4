// The `pushdown` CLI as a subprocess: load-tpch, scan (CSV, aggregates,
// --stats JSON), exit statuses, scans of a stock db_bench DB against ldb,
// and that a scan leaves the DB's files untouched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bpfgen/schema/date.h"
#include "cli_test_util.h"
#include "engine/tpch/lineitem_gen.h"

namespace {

namespace fs = std::filesystem;
using pushdown::testing::ReadWholeFile;
using pushdown::testing::RunProcess;
using pushdown::testing::RunResult;
using pushdown::testing::SplitLines;
using ::testing::HasSubstr;

const char kQ6[] =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
    "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24";
const char kQ6Aggregates[] = "count(*), sum(l_extendedprice * l_discount)";

// The top-level keys of a one-line JSON object (a minimal scanner: strings,
// nesting). Empty if `json` is not an object.
std::vector<std::string> JsonTopLevelKeys(const std::string& json) {
  std::vector<std::string> keys;
  if (json.empty() || json.front() != '{' || json.back() != '}') return keys;
  int depth = 0;
  bool expect_key = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (c == '"') {
      std::string s;
      for (++i; i < json.size() && json[i] != '"'; ++i) {
        if (json[i] == '\\') ++i;
        s += json[i];
      }
      if (depth == 1 && expect_key) keys.push_back(s);
      expect_key = false;
    } else if (c == '{' || c == '[') {
      ++depth;
      expect_key = (c == '{' && depth == 1);
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_key = true;
    }
  }
  return depth == 0 ? keys : std::vector<std::string>{};
}

// The value of a top-level number key (-1 if absent or not a number).
long long JsonNumberValue(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  size_t p = json.find(needle);
  if (p == std::string::npos) return -1;
  const char* start = json.c_str() + p + needle.size();
  char* end = nullptr;
  const long long v = std::strtoll(start, &end, 10);
  return end == start ? -1 : v;
}

// The value of a top-level string key ("" if absent).
std::string JsonStringValue(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  size_t p = json.find(needle);
  if (p == std::string::npos) return "";
  std::string s;
  for (p += needle.size(); p < json.size() && json[p] != '"'; ++p) {
    if (json[p] == '\\') ++p;
    s += json[p];
  }
  return s;
}

// Names, sizes of every file in `dir` (MANIFEST and CURRENT included).
std::map<std::string, uintmax_t> DirState(const std::string& dir) {
  std::map<std::string, uintmax_t> state;
  for (const auto& e : fs::directory_iterator(dir)) {
    state[e.path().filename().string()] = e.is_regular_file() ? e.file_size() : 0;
  }
  state["CURRENT -> " + ReadWholeFile(dir + "/CURRENT")] = 0;
  return state;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/pd_cli_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/scratch");
    RunResult r = RunProcess({Binary(), "load-tpch", "--db", TpchDb(), "--scale", "0.002"},
                             dir_ + "/scratch");
    load_ok_ = r.exited && r.status == 0;
    load_out_ = r.out + r.err;
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { ASSERT_TRUE(load_ok_) << load_out_; }

  static std::string Binary() { return PD_BINARY_DIR "/bin/pushdown"; }
  static std::string TpchDb() { return dir_ + "/tpch"; }
  static std::string Scratch() { return dir_ + "/scratch"; }

  static RunResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), Binary());
    return RunProcess(args, Scratch());
  }

  // Q6 aggregates on `device`: {stdout, the --stats JSON line}.
  static std::pair<std::string, std::string> Q6(const std::string& device) {
    RunResult r = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", kQ6,
                       "--aggregate", kQ6Aggregates, "--device", device, "--stats"});
    EXPECT_TRUE(r.exited) << "signal " << r.status;
    EXPECT_EQ(r.status, 0) << r.err;
    std::vector<std::string> err = SplitLines(r.err);
    return {r.out, err.empty() ? "" : err.back()};
  }

  static inline std::string dir_;
  static inline bool load_ok_ = false;
  static inline std::string load_out_;
};

// The expected Q6 result from the generator: "count,revenue" with revenue at
// scale 4 (DECIMAL(15,2) * DECIMAL(15,2)).
std::string ExpectedQ6() {
  pushdown::engine::tpch::LineitemGenerator gen(0.002);
  using C = pushdown::engine::tpch::LineitemColumn;
  const int64_t lo = pushdown::bpfgen::DaysFromCivil(1994, 1, 1);
  const int64_t hi = pushdown::bpfgen::DaysFromCivil(1995, 1, 1);
  std::vector<pushdown::bpfgen::Datum> row;
  int64_t count = 0, revenue = 0;
  while (gen.Next(&row)) {
    const int64_t ship = row[C::kShipDate].i, disc = row[C::kDiscount].i;
    if (ship >= lo && ship < hi && disc >= 5 && disc <= 7 && row[C::kQuantity].i < 2400) {
      ++count;
      revenue += row[C::kExtendedPrice].i * disc;
    }
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%lld,%lld.%04lld", static_cast<long long>(count),
                static_cast<long long>(revenue / 10000), static_cast<long long>(revenue % 10000));
  return buf;
}

TEST_F(CliTest, Q6AggregatesAreIdenticalOnHostAndIteratorAndMatchTheGenerator) {
  auto [iter_out, iter_stats] = Q6("iterator");
  auto [host_out, host_stats] = Q6("host");
  EXPECT_EQ(iter_out, "count(*),sum(l_extendedprice * l_discount)\n" + ExpectedQ6() + "\n");
  EXPECT_EQ(host_out, iter_out);
  EXPECT_EQ(JsonStringValue(iter_stats, "path"), "iterator");
  EXPECT_EQ(JsonStringValue(host_stats, "path"), "pushdown") << host_stats;
  EXPECT_EQ(JsonStringValue(host_stats, "device"), "host") << host_stats;
}

// rows_matched counts the rows that satisfied the predicate, whether the
// device folded them into its partials (rows_aggregated_on_device) or they
// reached the host: the same number on every path, equal to count(*).
TEST_F(CliTest, RowsMatchedCountsRowsAggregatedOnTheDevice) {
  auto [iter_out, iter_stats] = Q6("iterator");
  auto [host_out, host_stats] = Q6("host");
  ASSERT_EQ(host_out, iter_out);
  const std::vector<std::string> lines = SplitLines(host_out);
  ASSERT_EQ(lines.size(), 2u) << host_out;
  const long long count = std::stoll(lines[1].substr(0, lines[1].find(',')));
  ASSERT_GT(count, 0);
  EXPECT_EQ(JsonNumberValue(iter_stats, "rows_matched"), count) << iter_stats;
  EXPECT_EQ(JsonNumberValue(host_stats, "rows_matched"), count) << host_stats;
  // load-tpch writes a compacted table: the device aggregates blocks itself.
  EXPECT_GT(JsonNumberValue(host_stats, "rows_aggregated_on_device"), 0) << host_stats;
  EXPECT_LE(JsonNumberValue(host_stats, "rows_aggregated_on_device"), count) << host_stats;
}

// --placement: forced paths are honoured and equal; auto with a few rows and
// a program not compiled yet takes the iterator path by cost, says so in
// --stats and explain, and prints no device warning.
TEST_F(CliTest, PlacementIsHonouredAndVisible) {
  const char* narrow = "l_orderkey < 40 AND l_quantity < 30";
  auto run = [&](const char* placement, const char* device) {
    RunResult r = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", narrow,
                       "--device", device, "--placement", placement, "--stats"});
    EXPECT_TRUE(r.exited);
    EXPECT_EQ(r.status, 0) << r.err;
    std::vector<std::string> err = SplitLines(r.err);
    EXPECT_EQ(err.size(), 1u) << r.err;  // the stats line, no warning
    return std::make_pair(r.out, err.empty() ? "" : err.back());
  };
  auto [iter_out, iter_stats] = run("iterator", "auto");
  auto [pd_out, pd_stats] = run("pushdown", "auto");
  auto [auto_out, auto_stats] = run("auto", "auto");
  auto [host_out, host_stats] = run("auto", "host");
  EXPECT_GT(SplitLines(iter_out).size(), 1u);
  EXPECT_EQ(pd_out, iter_out);
  EXPECT_EQ(auto_out, iter_out);
  EXPECT_EQ(host_out, iter_out);
  EXPECT_EQ(JsonStringValue(iter_stats, "path"), "iterator") << iter_stats;
  EXPECT_EQ(JsonStringValue(iter_stats, "placement"), "iterator") << iter_stats;
  EXPECT_EQ(JsonStringValue(pd_stats, "path"), "pushdown") << pd_stats;
  EXPECT_EQ(JsonStringValue(pd_stats, "placement_decision"), "requested") << pd_stats;
  EXPECT_EQ(JsonStringValue(auto_stats, "path"), "iterator") << auto_stats;
  EXPECT_EQ(JsonStringValue(auto_stats, "placement_decision"), "cost") << auto_stats;
  EXPECT_EQ(JsonStringValue(host_stats, "path"), "pushdown") << host_stats;
  EXPECT_EQ(JsonStringValue(host_stats, "placement_decision"), "device") << host_stats;

  RunResult e = Cli({"explain", "--db", TpchDb(), "--table", "lineitem", "--where", narrow,
                     "--placement", "auto"});
  ASSERT_TRUE(e.exited);
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_THAT(e.out, HasSubstr("placement: auto -> iterator (cost)"));
  EXPECT_THAT(e.out, HasSubstr("  estimate: pushdown "));
  RunResult bad = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", narrow,
                       "--placement", "cheapest"});
  ASSERT_TRUE(bad.exited);
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("unknown placement 'cheapest'"));

  // TRUE: nothing to push down, no program on any device.
  RunResult t =
      Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", "TRUE", "--device", "kernel",
           "--placement", "pushdown", "--strict-device", "--stats", "--limit", "5"});
  ASSERT_TRUE(t.exited);
  ASSERT_EQ(t.status, 0) << t.err;
  const std::string tstats = SplitLines(t.err).back();
  EXPECT_EQ(JsonStringValue(tstats, "device"), "none") << tstats;
  EXPECT_THAT(tstats, HasSubstr("\"host_decode\":true")) << tstats;
}

TEST_F(CliTest, Q6AggregatesOnTheKernelDeviceEqualTheIteratorPath) {
  auto [iter_out, iter_stats] = Q6("iterator");
  auto [kernel_out, kernel_stats] = Q6("kernel");
  EXPECT_EQ(kernel_out, iter_out);  // on whatever device it ran
  if (JsonStringValue(kernel_stats, "device") != "kernel") {
    GTEST_SKIP() << "kernel device not used: " << JsonStringValue(kernel_stats, "fallback_reason");
  }
  EXPECT_EQ(JsonStringValue(kernel_stats, "path"), "pushdown");
}

TEST_F(CliTest, StatsIsOneJsonObjectOnTheLastStderrLineWithExactlyTheKeys) {
  for (const char* device : {"iterator", "host", "auto"}) {
    RunResult r = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", "l_quantity < 2",
                       "--device", device, "--stats"});
    ASSERT_TRUE(r.exited);
    ASSERT_EQ(r.status, 0) << r.err;
    std::vector<std::string> err = SplitLines(r.err);
    ASSERT_FALSE(err.empty());
    std::vector<std::string> keys = JsonTopLevelKeys(err.back());
    EXPECT_THAT(
        keys, ::testing::ElementsAre(
                  "path", "device", "fallback_reason", "pushed", "residual", "files", "blocks_read",
                  "blocks_skipped", "blocks_skipped_by_range", "blocks_skipped_by_zone_map",
                  "files_skipped", "bytes_read", "bytes_to_host", "rows_scanned", "rows_matched",
                  "memtable_entries", "workers", "range_tombstones",
                  "keys_hidden_by_range_deletion", "compile_ms", "elapsed_ms",
                  "files_skipped_by_zone_map", "workers_reason", "blocks_aggregated_on_device",
                  "rows_aggregated_on_device", "per_file", "program_cached", "program_pinned",
                  "program_pin", "pin_note", "host_decode", "placement", "placement_decision",
                  "cost_pushdown_ms", "cost_iterator_ms", "aggregation", "blocks_read_twice"))
        << device << ": " << err.back();
    // rows_matched equals the CSV rows (header excluded).
    const size_t rows = SplitLines(r.out).size() - 1;
    EXPECT_THAT(err.back(), HasSubstr("\"rows_matched\":" + std::to_string(rows) + ","));
  }
}

TEST_F(CliTest, CsvRowsEqualTheGeneratedRows) {
  RunResult r =
      Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", "l_linenumber >= 1",
           "--select", "l_orderkey,l_linenumber,l_shipdate,l_discount,l_shipmode,l_comment",
           "--limit", "25", "--device", "iterator"});
  ASSERT_TRUE(r.exited);
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 26u);
  EXPECT_EQ(lines[0], "l_orderkey,l_linenumber,l_shipdate,l_discount,l_shipmode,l_comment");
  pushdown::engine::tpch::LineitemGenerator gen(0.002);
  using C = pushdown::engine::tpch::LineitemColumn;
  std::vector<pushdown::bpfgen::Datum> row;
  for (size_t i = 1; i < lines.size(); ++i) {
    ASSERT_TRUE(gen.Next(&row));
    char disc[16];
    std::snprintf(disc, sizeof(disc), "0.%02lld", static_cast<long long>(row[C::kDiscount].i));
    const std::string expected =
        std::to_string(row[C::kOrderKey].i) + "," + std::to_string(row[C::kLineNumber].i) + "," +
        pushdown::bpfgen::FormatDate(static_cast<int32_t>(row[C::kShipDate].i)) + "," + disc + "," +
        row[C::kShipMode].s + "," + row[C::kComment].s;
    EXPECT_EQ(lines[i], expected) << "row " << i;
  }
}

// --format: csv is the default and byte-identical to --format csv; tsv, json
// and table carry the same cells; --no-header drops the header line.
TEST_F(CliTest, OutputFormatsCarryTheSameRows) {
  const std::vector<std::string> base = {"scan",
                                         "--db",
                                         TpchDb(),
                                         "--table",
                                         "lineitem",
                                         "--where",
                                         "l_linenumber >= 1",
                                         "--select",
                                         "l_orderkey,l_linenumber,l_shipdate,l_discount,l_shipmode",
                                         "--limit",
                                         "5",
                                         "--device",
                                         "iterator"};
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = Cli(args);
    EXPECT_TRUE(r.exited);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out;
  };
  const std::string csv = run({});
  EXPECT_EQ(run({"--format", "csv"}), csv);
  const std::vector<std::string> csv_lines = SplitLines(csv);
  ASSERT_EQ(csv_lines.size(), 6u);
  std::vector<std::string> no_header = SplitLines(run({"--format=csv", "--no-header"}));
  EXPECT_EQ(no_header, std::vector<std::string>(csv_lines.begin() + 1, csv_lines.end()));

  // No field of these columns needs quoting or escaping: tsv is csv with tabs.
  std::string tsv = csv;
  for (char& c : tsv) c = c == ',' ? '\t' : c;
  EXPECT_EQ(run({"--format", "tsv"}), tsv);

  const std::vector<std::string> json = SplitLines(run({"--format", "json", "--no-header"}));
  ASSERT_EQ(json.size(), 5u);
  for (size_t i = 0; i < json.size(); ++i) {
    std::vector<std::string> f;
    std::stringstream ss(csv_lines[i + 1]);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 5u);
    EXPECT_EQ(json[i], "{\"l_orderkey\":" + f[0] + ",\"l_linenumber\":" + f[1] +
                           ",\"l_shipdate\":\"" + f[2] + "\",\"l_discount\":" + f[3] +
                           ",\"l_shipmode\":\"" + f[4] + "\"}");
  }

  const std::vector<std::string> table = SplitLines(run({"--format", "table"}));
  ASSERT_EQ(table.size(), 3u + 5u + 1u);
  EXPECT_EQ(table[0], table[2]);
  EXPECT_EQ(table[0], table.back());
  EXPECT_THAT(table[1], HasSubstr("| l_orderkey | l_linenumber | l_shipdate | l_discount |"));
  for (size_t i = 3; i < 8; ++i) EXPECT_EQ(table[i].size(), table[0].size()) << table[i];
  EXPECT_EQ(SplitLines(run({"--format", "table", "--no-header"})).size(), 2u + 5u);

  // Aggregates take --format too.
  RunResult r = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", "l_quantity < 2",
                     "--aggregate", "count(*), sum(l_quantity)", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::MatchesRegex("\\{\"count\\(\\*\\)\":[0-9]+,"
                                             "\"sum\\(l_quantity\\)\":[0-9]+\\.00\\}\n"));

  // A bad format, or --format with --hex's ldb lines: usage errors.
  r = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", "1 = 1", "--format", "xml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown output format 'xml' (expected csv, tsv, json or table)"));
  r = Cli({"scan", "--db", TpchDb(), "--where", "1 = 1", "--hex", "--format", "json"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--hex"));
}

// DATE +/- INTERVAL in `scan --where`, on every device, equals the folded
// literal on the iterator path; a bad unit is exit 2 with its position.
TEST_F(CliTest, IntervalPredicatesWorkOnEveryDevice) {
  auto count = [&](const std::string& where, const std::string& device) {
    RunResult r = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", where,
                       "--aggregate", "count(*), sum(l_quantity)", "--device", device});
    EXPECT_TRUE(r.exited);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out;
  };
  const std::string want = count("l_shipdate <= DATE '1998-09-02'", "iterator");
  EXPECT_NE(want, count("l_shipdate <= DATE '1998-12-01'", "iterator"));
  for (const char* device : {"iterator", "host", "kernel", "auto"}) {
    EXPECT_EQ(count("l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY", device), want) << device;
  }
  RunResult r = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where",
                     "l_shipdate <= DATE '1998-12-01' - INTERVAL '90' WEEK"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("1:49: unknown interval unit 'WEEK'"));
  EXPECT_THAT(r.err, HasSubstr("\n" + std::string(48, ' ') + "^"));
}

TEST_F(CliTest, TablesListsLineitemWithItsDdl) {
  RunResult r = Cli({"tables", "--db", TpchDb()});
  ASSERT_TRUE(r.exited);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("lineitem\tl_orderkey INT64 KEY, l_linenumber INT32 KEY,"));
}

TEST_F(CliTest, ExplainShowsTheSplitLevelsAndDevices) {
  RunResult r =
      Cli({"explain", "--db", TpchDb(), "--table", "lineitem", "--where", kQ6, "--device", "host"});
  ASSERT_TRUE(r.exited);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("path:      pushdown"));
  EXPECT_THAT(r.out, HasSubstr("levels:\n  L"));
  EXPECT_THAT(r.out, HasSubstr("devices:\n  kernel"));
  EXPECT_THAT(r.out, HasSubstr("workers:   "));
}

TEST_F(CliTest, ExplainPrintsBinaryBoundsAsHexAndTheWorkersItSplitsInto) {
  // The key range of l_orderkey < 100 ends at its memcomparable encoding,
  // which holds NUL bytes: printed as ldb prints keys, and the text goes on.
  RunResult r = Cli({"explain", "--db", TpchDb(), "--table", "lineitem", "--where",
                     "l_orderkey < 100", "--device", "host", "--workers", "2"});
  ASSERT_TRUE(r.exited);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(", 0x8000000000000064)\n"));
  EXPECT_THAT(r.out, HasSubstr("\nfiles:     "));
  EXPECT_THAT(r.out, HasSubstr("\nworkers:   "));
  EXPECT_THAT(r.out, HasSubstr("\nlevels:\n"));
  // More workers than the data can use: fewer, with the reason.
  r = Cli({"explain", "--db", TpchDb(), "--table", "lineitem", "--where", "l_orderkey < 100",
           "--device", "host", "--workers", "64"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(asked for 64: the key range holds data for "));
  r = Cli({"explain", "--db", TpchDb(), "--table", "lineitem", "--where", "l_orderkey < 100",
           "--workers", "65"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--workers needs an integer from 0 to 64, got '65'"));
}

TEST_F(CliTest, ExitStatuses) {
  // Unknown column: 2, with the diagnostic and its position.
  RunResult r = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where",
                     "l_quantity < 24 AND l_bogus = 1"});
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("1:21: unknown column 'l_bogus'"));
  // Syntax error: 2.
  r = Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", "l_quantity <"});
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.status, 2) << r.err;
  // Missing DB: 1, and nothing created.
  r = Cli({"scan", "--db", dir_ + "/missing", "--table", "lineitem", "--where", "1 = 1"});
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("no database at"));
  EXPECT_FALSE(fs::exists(dir_ + "/missing"));
  // Bad usage: 2.
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"scan", "--db", TpchDb(), "--table", "lineitem"},
           {"scan", "--db", TpchDb(), "--where", "1 = 1", "--bogus"},
           {"scan", "--db", TpchDb(), "--where", "1 = 1", "--device", "gpu"},
           {"scan", "--db", TpchDb(), "--where", "1 = 1", "--limit", "x"},
           {"scan", "--db", TpchDb(), "--table", "lineitem", "--cf", "default", "--where", "1"},
           {"load-tpch", "--db", dir_ + "/x", "--scale", "-1"},
           {"nosuchcommand"},
       }) {
    r = Cli(args);
    EXPECT_TRUE(r.exited);
    EXPECT_EQ(r.status, 2) << args[0] << " " << args.back() << ": " << r.err;
  }
  // Unknown table: 2.
  r = Cli({"scan", "--db", TpchDb(), "--table", "orders", "--where", "1 = 1"});
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("orders"));
  // Help: 0.
  r = Cli({"scan", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("usage: pushdown scan"));
  r = Cli({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("load-tpch"));
}

TEST_F(CliTest, AClosedStdoutIsAnErrorNotASignal) {
  // `pushdown scan ... | head -c 10`: SIGPIPE is ignored, EPIPE is exit status 1.
  const std::string cmd = "'" + Binary() + "' scan --db '" + TpchDb() +
                          "' --table lineitem --where 'l_linenumber >= 1' --device iterator | "
                          "head -c 10 > /dev/null; exit ${PIPESTATUS[0]}";
  RunResult r = RunProcess({"/bin/bash", "-c", cmd}, Scratch());
  ASSERT_TRUE(r.exited);
  EXPECT_TRUE(r.status == 0 || r.status == 1) << r.status << " " << r.err;  // 141: SIGPIPE
  if (r.status == 1) {
    EXPECT_THAT(r.err, HasSubstr("Broken pipe"));
  }
}

TEST_F(CliTest, ACorruptDataBlockIsARuntimeErrorOnEveryPath) {
  const std::string db = dir_ + "/corrupt";
  fs::copy(TpchDb(), db);
  std::string sst;
  for (const auto& e : fs::directory_iterator(db)) {
    if (e.path().extension() == ".sst" && (sst.empty() || e.file_size() > fs::file_size(sst))) {
      sst = e.path().string();
    }
  }
  ASSERT_FALSE(sst.empty());
  {
    // Flip bytes in the middle of the data blocks (footer and index intact).
    std::fstream f(sst, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(sst) / 3));
    f.write("\xde\xad\xbe\xef\xde\xad\xbe\xef", 8);
  }
  for (const char* device : {"iterator", "host", "kernel"}) {
    RunResult r = Cli({"scan", "--db", db, "--table", "lineitem", "--where", kQ6, "--aggregate",
                       kQ6Aggregates, "--device", device});
    EXPECT_TRUE(r.exited) << device << ": signal " << r.status;
    EXPECT_EQ(r.status, 1) << device << ": " << r.out << r.err;
    EXPECT_THAT(Lower(r.err), HasSubstr("corrupt")) << device;
  }
}

TEST_F(CliTest, ScanDoesNotModifyTheDb) {
  const auto before = DirState(TpchDb());
  for (const char* device : {"iterator", "host", "kernel", "auto"}) {
    RunResult r =
        Cli({"scan", "--db", TpchDb(), "--table", "lineitem", "--where", kQ6, "--device", device});
    EXPECT_EQ(r.status, 0) << r.err;
  }
  Cli({"explain", "--db", TpchDb(), "--table", "lineitem", "--where", kQ6});
  Cli({"tables", "--db", TpchDb()});
  EXPECT_EQ(DirState(TpchDb()), before);
}

// A stock db_bench DB (fillrandom, default options: snappy) in raw mode: every
// path returns exactly `u64be(key, 0) % 100 < 2` applied to ldb's scan.
TEST_F(CliTest, RawScanOfADbBenchDbEqualsLdbFiltered) {
  const std::string db = dir_ + "/dbbench";
  RunResult r = RunProcess(
      {"/usr/bin/db_bench", "--benchmarks=fillrandom", "--num=20000", "--db=" + db}, Scratch());
  ASSERT_TRUE(r.exited && r.status == 0) << r.err;

  auto expected_rows = [&]() {
    RunResult ldb = RunProcess({"/usr/bin/ldb", "--db=" + db, "--hex", "scan"}, Scratch());
    EXPECT_EQ(ldb.status, 0) << ldb.err;
    std::vector<std::string> rows;
    for (const std::string& line : SplitLines(ldb.out)) {
      // "0x<KEY> : 0x<VALUE>"
      size_t sep = line.find(" : ");
      if (line.rfind("0x", 0) != 0 || sep == std::string::npos) continue;
      std::string key = Lower(line.substr(2, sep - 2));
      std::string value = Lower(line.substr(sep + 5));
      if (key.size() < 16) continue;  // u64be(key, 0) is NULL: not a match
      uint64_t k = std::stoull(key.substr(0, 16), nullptr, 16);
      if (k % 100 < 2) rows.push_back(key + "," + value);
    }
    return rows;
  };

  for (int round = 0; round < 2; ++round) {
    // Round 0: db_bench left everything in the WAL (a read-only open cannot
    // flush: the iterator path). Round 1: after `ldb compact`, SST files only.
    std::vector<std::string> expected = expected_rows();
    ASSERT_GT(expected.size(), 100u);
    expected.insert(expected.begin(), "key,value");
    const auto before = DirState(db);
    for (const char* device : {"iterator", "host", "kernel"}) {
      r = Cli({"scan", "--db", db, "--where", "u64be(key, 0) % 100 < 2", "--device", device,
               "--stats"});
      ASSERT_TRUE(r.exited) << "signal " << r.status;
      ASSERT_EQ(r.status, 0) << r.err;
      EXPECT_EQ(SplitLines(r.out), expected) << device << " round " << round;
      const std::string stats = SplitLines(r.err).back();
      if (std::string(device) == "host") {
        // Round 0: the data is only in the WAL; the memtable capture merges
        // it (memtable_view.h), so the pushdown path in every round.
        EXPECT_EQ(JsonStringValue(stats, "path"), "pushdown") << stats;
      }
      if (std::string(device) == "kernel" && round == 1) {
        // SST files only: the pushdown path, on the kernel device unless this
        // machine denies BPF (then the host, with that reason).
        EXPECT_EQ(JsonStringValue(stats, "path"), "pushdown") << stats;
        if (JsonStringValue(stats, "fallback_reason").find("no BPF privilege") ==
            std::string::npos) {
          EXPECT_EQ(JsonStringValue(stats, "device"), "kernel") << stats;
        }
      }
    }
    EXPECT_EQ(DirState(db), before) << "round " << round;
    if (round == 0) {
      r = RunProcess({"/usr/bin/ldb", "--db=" + db, "compact"}, Scratch());
      ASSERT_EQ(r.status, 0) << r.err;
    }
  }
}

}  // namespace
