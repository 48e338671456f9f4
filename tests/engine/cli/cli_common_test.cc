// The CLI's output helpers: CSV fields, JSON, list splitting, exit statuses.
#include "engine/cli/cli_common.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "engine/cli/commands.h"

namespace pushdown::engine {
namespace {

using bpfgen::Datum;
using bpfgen::Type;

TEST(CsvFieldTest, DecimalsKeepTheirScale) {
  EXPECT_EQ(CsvField(Type::Decimal(15, 2), Datum::Int(5)), "0.05");
  EXPECT_EQ(CsvField(Type::Decimal(15, 2), Datum::Int(-5)), "-0.05");
  EXPECT_EQ(CsvField(Type::Decimal(15, 2), Datum::Int(123456)), "1234.56");
  EXPECT_EQ(CsvField(Type::Decimal(18, 4), Datum::Int(-10000)), "-1.0000");
  EXPECT_EQ(CsvField(Type::Decimal(18, 0), Datum::Int(42)), "42");
  EXPECT_EQ(CsvField(Type::Decimal(18, 2), Datum::Int(INT64_MIN)), "-92233720368547758.08");
}

TEST(CsvFieldTest, DatesBoolsIntsDoubles) {
  EXPECT_EQ(CsvField(Type::Date(), Datum::Int(0)), "1970-01-01");
  EXPECT_EQ(CsvField(Type::Date(), Datum::Int(8766)), "1994-01-01");
  EXPECT_EQ(CsvField(Type::Bool(), Datum::Bool(true)), "true");
  EXPECT_EQ(CsvField(Type::Bool(), Datum::Bool(false)), "false");
  EXPECT_EQ(CsvField(Type::Int64(), Datum::Int(-7)), "-7");
  EXPECT_EQ(CsvField(Type::Double(), Datum::Double(0.5)), "0.5");
}

TEST(CsvFieldTest, StringsAreQuotedWhereNeeded) {
  EXPECT_EQ(CsvField(Type::Char(5), Datum::String("AB   ")), "AB");
  EXPECT_EQ(CsvField(Type::Varchar(10), Datum::String("plain")), "plain");
  EXPECT_EQ(CsvField(Type::Varchar(10), Datum::String("a,b")), "\"a,b\"");
  EXPECT_EQ(CsvField(Type::Varchar(10), Datum::String("say \"hi\"")), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField(Type::Varchar(10), Datum::String("two\nlines")), "\"two\nlines\"");
  // An empty string is "" so that it differs from NULL (an empty field).
  EXPECT_EQ(CsvField(Type::Varchar(10), Datum::String("")), "\"\"");
  EXPECT_EQ(CsvField(Type::Varchar(10), Datum::Null()), "");
  EXPECT_EQ(CsvField(Type::Int64(), Datum::Null()), "");
}

TEST(CsvFieldTest, BytesAreLowercaseHex) {
  EXPECT_EQ(CsvField(Type::Bytes(), Datum::String(std::string("\x00\xff\x1a", 3))), "00ff1a");
  EXPECT_EQ(CsvField(Type::Bytes(), Datum::String("")), "\"\"");
}

TEST(JsonTest, StringsAreEscaped) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  // Invalid UTF-8 (e.g. from a predicate's string literal in --stats' pushed
  // conjuncts) still gives valid JSON; valid UTF-8 passes unchanged.
  EXPECT_EQ(JsonString("x\xff\xc3(caf\xc3\xa9"), "\"x\\ufffd\\ufffd(caf\xc3\xa9\"");
}

TEST(JsonTest, StatsHasExactlyTheKeysInOrder) {
  ScanInfo info;
  info.path = "pushdown";
  info.device = "kernel";
  info.pushed = {"(a < 1)"};
  info.residual = {{"(b LIKE '%x')", "no LIKE"}};
  info.compile_ms = 1.5;
  exec::ScanStats stats;
  stats.files = 2;
  stats.blocks_read = 3;
  stats.bytes_read = 4;
  stats.bytes_to_host = 5;
  stats.entries_scanned = 6;
  stats.rows_matched = 7;
  stats.range_tombstones = 8;
  stats.keys_hidden_by_range_deletion = 9;
  EXPECT_EQ(
      StatsJson(info, stats, 2.25),
      "{\"path\":\"pushdown\",\"device\":\"kernel\",\"fallback_reason\":\"\","
      "\"pushed\":[\"(a < 1)\"],\"residual\":[{\"conjunct\":\"(b LIKE '%x')\","
      "\"reason\":\"no LIKE\"}],\"files\":2,\"blocks_read\":3,\"blocks_skipped\":0,"
      "\"blocks_skipped_by_range\":0,\"blocks_skipped_by_zone_map\":0,\"files_skipped\":0,"
      "\"bytes_read\":4,\"bytes_to_host\":5,\"rows_scanned\":6,\"rows_matched\":7,"
      "\"memtable_entries\":0,\"workers\":1,\"range_tombstones\":8,"
      "\"keys_hidden_by_range_deletion\":9,\"compile_ms\":1.500,\"elapsed_ms\":2.250,"
      "\"files_skipped_by_zone_map\":0,\"workers_reason\":\"\","
      "\"blocks_aggregated_on_device\":0,\"rows_aggregated_on_device\":0,\"per_file\":[],"
      "\"program_cached\":false,\"program_pinned\":false,\"program_pin\":\"\",\"pin_note\":\"\","
      "\"host_decode\":false,\"placement\":\"\",\"placement_decision\":\"\","
      "\"cost_pushdown_ms\":null,\"cost_iterator_ms\":null,\"aggregation\":\"\",\"blocks_read_"
      "twice\":0}");
  exec::FileScanStats f;
  f.file = "000012.sst";
  f.level = 1;
  f.opened = true;
  f.blocks = 9;
  f.skipped_by_range = 4;
  f.skipped_by_zone_map = 3;
  f.zone_map = "used";
  stats.per_file = {f, exec::FileScanStats{"000007.sst", 2, false, 0, 0, 0, true, ""}};
  const std::string j = StatsJson(info, stats, 2.25);
  EXPECT_NE(j.find(",\"per_file\":[{\"file\":\"000012.sst\",\"level\":1,\"blocks\":9,"
                   "\"skipped_by_range\":4,\"skipped_by_zone_map\":3,\"skipped_whole\":false,"
                   "\"zone_map\":\"used\"},{\"file\":\"000007.sst\",\"level\":2,\"blocks\":0,"
                   "\"skipped_by_range\":0,\"skipped_by_zone_map\":0,\"skipped_whole\":true,"
                   "\"zone_map\":\"\"}],\"program_cached\""),
            std::string::npos)
      << j;
}

TEST(SplitListTest, SplitsAtTopLevelCommasOnly) {
  EXPECT_THAT(SplitList("count(*), sum(l_extendedprice * l_discount)"),
              ::testing::ElementsAre("count(*)", "sum(l_extendedprice * l_discount)"));
  EXPECT_THAT(SplitList(" a ,b,  c "), ::testing::ElementsAre("a", "b", "c"));
  EXPECT_THAT(SplitList("max(f(a, b)), x"), ::testing::ElementsAre("max(f(a, b))", "x"));
  EXPECT_THAT(SplitList("a,,b"), ::testing::ElementsAre("a", "", "b"));
}

TEST(ExitStatusTest, InputErrorsAreUsageOthersRuntime) {
  EXPECT_EQ(ExitStatusFor(Status::OK()), kExitOk);
  EXPECT_EQ(ExitStatusFor(Status::InvalidArgument("1:3: unknown column 'x'")), kExitUsage);
  EXPECT_EQ(ExitStatusFor(Status::NotFound("no table 't'")), kExitUsage);
  EXPECT_EQ(ExitStatusFor(Status::IOError("read: EIO")), kExitRuntimeError);
  EXPECT_EQ(ExitStatusFor(Status::Corruption("bad block checksum")), kExitRuntimeError);
}

TEST(TargetFromFlagsTest, TableCfOrDefaultRaw) {
  ParsedFlags flags;
  auto t = TargetFromFlags(flags);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->raw());
  EXPECT_EQ(t->name, "default");
  flags.values["table"] = "lineitem";
  t = TargetFromFlags(flags);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->raw());
  EXPECT_EQ(t->name, "lineitem");
  flags.values["column_family"] = "x";
  EXPECT_FALSE(TargetFromFlags(flags).ok());
  flags.values.erase("table");
  t = TargetFromFlags(flags);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->raw());
  EXPECT_EQ(t->name, "x");
}

// ldb's flag names and both spellings: --column_family=NAME or --cf NAME
// (alias), --from/--to as "--flag=value" or "--flag value".
TEST(ScanFlagsTest, LdbSpellingsAndAliases) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--db=/d", "--column_family=c1", "--where=1 = 1", "--from=0x6B", "--to=0x6C", "--hex"},
           {"--db", "/d", "--cf", "c1", "--where", "1 = 1", "--from", "0x6B", "--to", "0x6C",
            "--hex"},
           {"--hex", "--cf=c1", "--db", "/d", "--where", "1 = 1", "--to=0x6C", "--from", "0x6b"},
       }) {
    auto flags = ParseFlags(args, ScanFlagSpecs());
    ASSERT_TRUE(flags.ok()) << flags.status().ToString();
    auto sf = CheckScanFlags(*flags);
    ASSERT_TRUE(sf.ok()) << sf.status().ToString();
    EXPECT_TRUE(sf->target.raw());
    EXPECT_EQ(sf->target.name, "c1");
    EXPECT_EQ(sf->from, std::optional<std::string>("k"));
    EXPECT_EQ(sf->to, std::optional<std::string>("l"));
    EXPECT_TRUE(sf->hex);
    EXPECT_FALSE(sf->device.has_value());
    EXPECT_FALSE(sf->strict_device);
  }
  // Without --hex the keys are taken as they are.
  auto flags =
      ParseFlags({"--db=/d", "--where=1", "--from=0x6B", "--device=kernel", "--strict-device"},
                 ScanFlagSpecs());
  ASSERT_TRUE(flags.ok());
  auto sf = CheckScanFlags(*flags);
  ASSERT_TRUE(sf.ok()) << sf.status().ToString();
  EXPECT_EQ(sf->from, std::optional<std::string>("0x6B"));
  EXPECT_EQ(sf->device, std::optional<exec::DeviceRequest>(exec::DeviceRequest::kKernel));
  EXPECT_TRUE(sf->strict_device);
}

TEST(ScanFlagsTest, UsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--db=/d", "--where=1", "--hex", "--from=6B"},           // no 0x
           {"--db=/d", "--where=1", "--hex", "--to=0x6"},            // odd digits
           {"--db=/d", "--where=1", "--device=gpu"},                 // unknown device
           {"--db=/d", "--where=1", "--cf=a", "--column_family=b"},  // twice via alias
           {"--db=/d", "--where=1", "--table=t", "--cf=a"},          // exclusive
           {"--where=1"},                                            // no --db
       }) {
    auto flags = ParseFlags(args, ScanFlagSpecs());
    Status s = flags.ok() ? CheckScanFlags(*flags).status() : flags.status();
    EXPECT_TRUE(s.IsInvalidArgument()) << args.back() << ": " << s.ToString();
  }
}

TEST(DeviceMismatchTest, WarnsWhereTheScanDidNotRunAsRequested) {
  ScanInfo info;
  info.path = "pushdown";
  info.requested_device = "kernel";
  info.device = "host";
  info.fallback_reason = "no BPF privilege: bpf(BPF_PROG_LOAD): Operation not permitted";
  EXPECT_EQ(DeviceMismatch(info),
            "requested device kernel, ran on host: no BPF privilege: bpf(BPF_PROG_LOAD): "
            "Operation not permitted");
  info.device = "kernel";
  info.fallback_reason.clear();
  EXPECT_EQ(DeviceMismatch(info), "");
  // auto: either device is fine, the iterator path is not.
  info.requested_device = "auto";
  EXPECT_EQ(DeviceMismatch(info), "");
  info.device = "host";
  EXPECT_EQ(DeviceMismatch(info), "");
  info.path = "iterator";
  info.device = "iterator";
  info.fallback_reason = "merge operator on column family (counters)";
  EXPECT_EQ(DeviceMismatch(info),
            "requested device auto, ran on iterator: merge operator on column family (counters)");
  info.requested_device = "host";
  EXPECT_THAT(DeviceMismatch(info),
              ::testing::StartsWith("requested device host, ran on iterator"));
  info.requested_device = "iterator";
  EXPECT_EQ(DeviceMismatch(info), "");
}

}  // namespace
}  // namespace pushdown::engine
