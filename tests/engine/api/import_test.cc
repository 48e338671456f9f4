// engine/api/import.h: dbgen lines with known values, the generator's rows as
// .tbl text giving the same table as LoadLineitem, csv/tsv dialects, every
// error case with its position, duplicate keys, put mode, PutText, and
// atomicity under an injected failure after half of the SST files.
#include "engine/api/import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "api_test_util.h"
#include "bpfgen/schema/date.h"
#include "bpfgen/schema/text.h"
#include "bpfgen/schema/tpch.h"
#include "engine/tpch/lineitem_gen.h"
#include "engine/tpch/lineitem_loader.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine::testing {
namespace {

using ::pushdown::testing::TempDir;
using ::testing::HasSubstr;

// The first lines of TPC-H dbgen 2.14.0's lineitem.tbl at SF 0.1
// (/work/shared/data/dbgen-lineitem-sample.tbl), byte for byte.
const char kDbgenLines[] =
    "1|15519|785|1|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN "
    "PERSON|TRUCK|egular courts above the|\n"
    "1|6731|732|2|36|58958.28|0.09|0.06|N|O|1996-04-12|1996-02-28|1996-04-20|TAKE BACK "
    "RETURN|MAIL|ly final dependencies: slyly bold |\n"
    "1|6370|371|3|8|10210.96|0.10|0.02|N|O|1996-01-29|1996-03-05|1996-01-31|TAKE BACK "
    "RETURN|REG AIR|riously. regular, express dep|\n"
    "1|214|465|4|28|31197.88|0.09|0.06|N|O|1996-04-21|1996-03-30|1996-05-16|NONE|AIR|lites. "
    "fluffily even de|\n"
    "1|2403|160|5|24|31329.60|0.10|0.04|N|O|1996-03-30|1996-03-14|1996-04-01|NONE|FOB| pending "
    "foxes. slyly re|\n";

struct Fixture {
  TempDir dir{"pd_import"};
  std::unique_ptr<PushdownDB> db;
  Table* table = nullptr;

  explicit Fixture(std::string_view ddl = bpfgen::kLineitemDdl, std::string name = "lineitem") {
    auto d = PushdownDB::Open(dir.path(), DbOptions());
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    db = std::move(d).value();
    auto t = db->CreateTable(name, ddl);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    table = *t;
  }

  Result<ImportSummary> Import(std::vector<ImportSource> sources, const ImportOptions& o) {
    return ImportText(db->db(), *table, sources, o);
  }
  Result<ImportSummary> Import(std::string_view text, const ImportOptions& o,
                               std::string name = "in") {
    return Import({{std::move(name), text}}, o);
  }

  std::vector<std::pair<std::string, std::vector<Datum>>> Rows(
      const std::string& device = "iterator") {
    ScanOptions so;
    so.device = exec::ParseDeviceRequest(device);
    auto out = Collect(db.get(), ScanTarget::Table(table->name()), "", so);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->rows : decltype(out->rows){};
  }

  // Entries of the DB directory named import-tmp-*.
  std::vector<std::string> TempDirs() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      const std::string n = e.path().filename().string();
      if (n.rfind("import-tmp-", 0) == 0) out.push_back(n);
    }
    return out;
  }
};

// dbgen's format and field order.
ImportOptions Tbl() {
  ImportOptions o;
  o.format = ImportFormat::kTbl;
  o.columns.assign(kDbgenLineitemFields.begin(), kDbgenLineitemFields.end());
  return o;
}

Datum I(int64_t v) { return Datum::Int(v); }
Datum S(std::string_view v) { return Datum::String(v); }
Datum D(int y, unsigned m, unsigned d) { return Datum::Int(bpfgen::DaysFromCivil(y, m, d)); }

TEST(ImportTest, DbgenLinesGiveTheirKnownValues) {
  Fixture f;
  auto s = f.Import(kDbgenLines, Tbl(), "lineitem.tbl");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows, 5u);
  EXPECT_EQ(s->bytes, sizeof(kDbgenLines) - 1);
  EXPECT_EQ(s->sst_files, 1u);
  auto row = f.table->Get({I(1), I(1)});
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  const std::vector<Datum> want = {I(1),           I(1),
                                   I(15519),       I(785),
                                   I(1700),        I(2438667),
                                   I(4),           I(2),
                                   S("N"),         S("O"),
                                   D(1996, 3, 13), D(1996, 2, 12),
                                   D(1996, 3, 22), S("DELIVER IN PERSON"),
                                   S("TRUCK"),     S("egular courts above the")};
  ASSERT_EQ(row->size(), want.size());
  for (size_t c = 0; c < want.size(); ++c) {
    const bpfgen::Column& col = f.table->schema().columns[c];
    EXPECT_EQ(bpfgen::FormatValue(col.type, (*row)[c]), bpfgen::FormatValue(col.type, want[c]))
        << col.name;
  }
  // A trailing space of a VARCHAR is data; l_extendedprice 31329.60 keeps its scale.
  auto row2 = f.table->Get({I(1), I(2)});
  ASSERT_TRUE(row2.ok());
  EXPECT_EQ((*row2)[15].s, "ly final dependencies: slyly bold ");
  auto row5 = f.table->Get({I(1), I(5)});
  ASSERT_TRUE(row5.ok());
  EXPECT_EQ((*row5)[5].i, 3132960);
  EXPECT_EQ(bpfgen::FormatValue(f.table->schema().columns[5].type, (*row5)[5]), "31329.60");
  EXPECT_EQ((*row5)[15].s, " pending foxes. slyly re");
  EXPECT_TRUE(f.TempDirs().empty());
}

// The generator's rows as dbgen would print them (dbgen's field order).
std::string GeneratedTbl(double scale, const bpfgen::Schema& schema) {
  tpch::LineitemGenerator gen(scale);
  std::vector<Datum> row;
  std::string out;
  std::vector<int> order;
  for (std::string_view name : kDbgenLineitemFields) order.push_back(schema.FindColumn(name));
  while (gen.Next(&row)) {
    for (int c : order) {
      bpfgen::AppendValueText(schema.columns[c].type, row[c], &out);
      out += '|';
    }
    out += '\n';
  }
  return out;
}

TEST(ImportTest, DbgenFieldOrderIsTheDefaultForTblIntoLineitemOnly) {
  auto lineitem = bpfgen::ParseSchema(bpfgen::kLineitemDdl);
  ASSERT_TRUE(lineitem.ok());
  const auto order = DefaultFieldOrder(*lineitem, ImportFormat::kTbl);
  ASSERT_EQ(order.size(), 16u);
  EXPECT_EQ(order[1], "l_partkey");
  EXPECT_EQ(order[3], "l_linenumber");
  EXPECT_TRUE(DefaultFieldOrder(*lineitem, ImportFormat::kCsv).empty());
  auto other = bpfgen::ParseSchema("a INT64 KEY, b INT32");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(DefaultFieldOrder(*other, ImportFormat::kTbl).empty());
  EXPECT_EQ(FieldColumns(*other, {"b", "a"}).value(), (std::vector<int>{1, 0}));
  EXPECT_EQ(FieldColumns(*other, {"b"}).status().message(),
            "field order: column 'a' missing (every column needs a field)");
  EXPECT_EQ(FieldColumns(*other, {"b", "B"}).status().message(), "field order: column 'B' twice");
  EXPECT_EQ(FieldColumns(*other, {"b", "c"}).status().message(), "field order: no column 'c'");
}

TEST(ImportTest, GeneratedTblImportEqualsLoadTpchOnEveryRow) {
  Fixture loaded;
  tpch::LoadOptions lo;
  lo.scale = 0.005;
  auto ls = tpch::LoadLineitem(loaded.table, lo);
  ASSERT_TRUE(ls.ok()) << ls.status().ToString();
  const auto expected = loaded.Rows();
  ASSERT_EQ(expected.size(), ls->rows);
  const std::string tbl = GeneratedTbl(lo.scale, loaded.table->schema());

  // In order, one file; in order, many files and chunks; shuffled lines
  // (k-way merge) over three inputs, on one and on three threads.
  for (int variant = 0; variant < 4; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    Fixture f;
    ImportOptions o = Tbl();
    std::vector<std::string> texts = {tbl};
    if (variant >= 1) {
      o.chunk_bytes = 10000;
      o.sst_file_bytes = 200000;
    }
    if (variant >= 2) {
      std::vector<std::string> lines;
      size_t pos = 0;
      while (pos < tbl.size()) {
        size_t e = tbl.find('\n', pos);
        lines.push_back(tbl.substr(pos, e + 1 - pos));
        pos = e + 1;
      }
      std::mt19937_64 rng(variant);
      std::shuffle(lines.begin(), lines.end(), rng);
      texts.assign(3, "");
      for (size_t i = 0; i < lines.size(); ++i) texts[i % 3] += lines[i];
      o.threads = variant == 2 ? 1 : 3;
    }
    std::vector<ImportSource> sources;
    for (size_t i = 0; i < texts.size(); ++i)
      sources.push_back({"part" + std::to_string(i), texts[i]});
    auto s = f.Import(sources, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->rows, ls->rows);
    if (variant >= 1) {
      EXPECT_GT(s->sst_files, 3u);
    }
    for (const std::string device : {"iterator", "host"}) {
      SCOPED_TRACE(device);
      const auto actual = f.Rows(device);
      ASSERT_EQ(actual.size(), expected.size());
      for (size_t i = 0; i < actual.size(); ++i) {
        ASSERT_EQ(actual[i].first, expected[i].first) << "row " << i;
        ASSERT_EQ(actual[i].second, expected[i].second) << "row " << i;
      }
    }
    EXPECT_TRUE(f.TempDirs().empty());
  }
}

constexpr char kSmallDdl[] =
    "id INT64 KEY, name VARCHAR(8), price DECIMAL(6,2) NOT NULL, d DATE, ok BOOL, w DOUBLE";

TEST(ImportTest, CsvQuotingNullsHeaderAndCrlf) {
  Fixture f(kSmallDdl, "t");
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  o.header = true;
  const std::string text =
      "id,name,price,d,ok,w\r\n"
      "1,\"a,b\",1.50,1994-01-01,true,0.5\r\n"
      "2,\"say \"\"hi\"\"\",2,,f,\r\n"
      "3,\"\",0.01,2000-02-29,,-1e3\n"
      "4,,0,,1,inf\n"
      "5,\"x\ny\",3.00,1970-01-01,0,nan";  // no final newline, LF inside quotes
  auto s = f.Import(text, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows, 5u);
  const auto rows = f.Rows();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].second[1], S("a,b"));
  EXPECT_EQ(rows[0].second[2], I(150));
  EXPECT_EQ(rows[0].second[3], D(1994, 1, 1));
  EXPECT_EQ(rows[0].second[4], I(1));
  EXPECT_EQ(rows[0].second[5], Datum::Double(0.5));
  EXPECT_EQ(rows[1].second[1], S("say \"hi\""));
  EXPECT_TRUE(rows[1].second[3].is_null());
  EXPECT_TRUE(rows[1].second[5].is_null());
  EXPECT_EQ(rows[2].second[1], S(""));  // quoted empty: the empty string
  EXPECT_TRUE(rows[2].second[4].is_null());
  EXPECT_TRUE(rows[3].second[1].is_null());  // unquoted empty: NULL
  EXPECT_EQ(rows[4].second[1], S("x\ny"));
}

TEST(ImportTest, TsvAndCustomDelimiters) {
  Fixture f(kSmallDdl, "t");
  ImportOptions o;
  o.format = ImportFormat::kTsv;
  auto s = f.Import("1\tab\t1.00\t1994-01-01\tt\t1\n2\t\t2.00\t\t\t\n", o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  o.format = ImportFormat::kCsv;
  o.delimiter = ';';
  s = f.Import("3;\"c;d\";3.00;;;\n", o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const auto rows = f.Rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].second[1], S("ab"));
  EXPECT_TRUE(rows[1].second[1].is_null());
  EXPECT_EQ(rows[2].second[1], S("c;d"));
}

struct ErrorCase {
  ImportFormat format;
  std::string text;
  std::string message;  // the whole message
};

TEST(ImportTest, EveryErrorHasItsPositionAndLoadsNothing) {
  const std::string good =
      "1|15519|785|1|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c|\n";
  auto line2 = [&](std::string second) { return good + second + "\n"; };
  const std::vector<ErrorCase> cases = {
      {ImportFormat::kTbl,
       line2("1|2|785|2|17|24386.67|0.04|0.02|N|O|1994-13-01|1996-02-12|1996-03-22|NONE|AIR|c|"),
       "f.tbl:2:37: field 'l_shipdate': bad DATE '1994-13-01': month 13 is not in 1..12"},
      {ImportFormat::kTbl,
       line2("1|2|785|2|17|24386.67|0.04|0.02|N|O|1994-02-30|1996-02-12|1996-03-22|NONE|AIR|c|"),
       "f.tbl:2:37: field 'l_shipdate': bad DATE '1994-02-30': day 30 is not in 1..28 for "
       "1994-02"},
      {ImportFormat::kTbl,
       line2("1|2|785|2|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|"),
       "f.tbl:2:1: expected 16 fields, got 15"},
      {ImportFormat::kTbl,
       line2("1|2|785|2|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c|x|"),
       "f.tbl:2:1: expected 16 fields, got 17"},
      {ImportFormat::kTbl,
       line2("1|2|785|2|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c"),
       "f.tbl:2:80: record does not end with '|' (tbl format)"},
      {ImportFormat::kTbl, line2(""), "f.tbl:2:1: record does not end with '|' (tbl format)"},
      {ImportFormat::kTbl,
       line2("1|78x5|785|2|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c|"),
       "f.tbl:2:3: field 'l_partkey': bad INT64 '78x5': not an integer"},
      {ImportFormat::kTbl,
       line2("1|99999999999999999999|785|2|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|"
             "1996-03-22|NONE|AIR|c|"),
       "f.tbl:2:3: field 'l_partkey': bad INT64 '99999999999999999999': out of range "
       "-9223372036854775808..9223372036854775807"},
      {ImportFormat::kTbl,
       line2("1|2|785|2147483648|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|"
             "NONE|AIR|c|"),
       "f.tbl:2:9: field 'l_linenumber': bad INT32 '2147483648': out of range "
       "-2147483648..2147483647"},
      {ImportFormat::kTbl,
       line2("1|2|785|2|17|24386.675|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c|"),
       "f.tbl:2:14: field 'l_extendedprice': bad DECIMAL(15,2) '24386.675': more than 2 digits "
       "after the point (values are exact, never rounded)"},
      {ImportFormat::kTbl,
       line2("1|2|785|2|17|24386.67|0.04|0.02|NO|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c|"),
       "f.tbl:2:33: field 'l_returnflag': bad CHAR(1) 'NO': 2 bytes is longer than 1"},
      {ImportFormat::kTbl,
       line2("1|2|785|2|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|" +
             std::string(45, 'c') + "|"),
       "f.tbl:2:79: field 'l_comment': bad VARCHAR(44) '" + std::string(45, 'c') +
           "': 45 bytes is longer than 44"},
      {ImportFormat::kTbl,
       line2("1|2||2|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c|"),
       "f.tbl:2:5: field 'l_suppkey': NULL in NOT NULL column"},
      {ImportFormat::kTbl,
       line2("|2|785|2|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c|"),
       "f.tbl:2:1: field 'l_orderkey': NULL in NOT NULL column"},
      {ImportFormat::kTbl,
       line2("1|2|785|1|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c|"),
       "f.tbl:2:1: duplicate key (l_orderkey=1, l_linenumber=1), first at f.tbl:1:1"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.message);
    Fixture f;
    // An existing row: it must survive every failed import unchanged.
    ASSERT_TRUE(f.Import(kDbgenLines, Tbl(), "seed.tbl").ok());
    const auto before = f.Rows();
    ImportOptions o = Tbl();
    o.format = c.format;
    for (ImportMode mode : {ImportMode::kIngest, ImportMode::kPut}) {
      o.mode = mode;
      if (mode == ImportMode::kPut && c.message.find("duplicate") != std::string::npos) continue;
      auto s = f.Import(c.text, o, "f.tbl");
      ASSERT_FALSE(s.ok());
      EXPECT_TRUE(s.status().IsInvalidArgument());
      EXPECT_EQ(s.status().message(), c.message);
      EXPECT_EQ(f.Rows(), before);
    }
    EXPECT_TRUE(f.TempDirs().empty());
  }
}

TEST(ImportTest, CsvStructureErrors) {
  Fixture f(kSmallDdl, "t");
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1,a\"b,1,,,\n", "in:1:4: quote inside an unquoted field"},
      {"1,\"ab\"x,1,,,\n", "in:1:7: unexpected character after a closing quote"},
      {"1,a,1,,\n", "in:1:1: expected 6 fields, got 5"},
      {"1,\"ab,1,,,\n", "in:1:3: unterminated quoted field"},
      {"1,a,1,,,\n\n", "in:2:1: expected 6 fields, got 1"},
      {"1,a,1,,,x\n", "in:1:9: field 'w': bad DOUBLE 'x': not a number"},
      {"1,a,1,,maybe,\n",
       "in:1:8: field 'ok': bad BOOL 'maybe': expected true, false, t, f, 1 or 0"},
      {"1,a,10000,,,\n",
       "in:1:5: field 'price': bad DECIMAL(6,2) '10000': more than 4 digits before the point"},
  };
  for (const auto& [text, message] : cases) {
    auto s = f.Import(text, o);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.status().message(), message);
  }
  EXPECT_TRUE(f.Rows().empty());
}

TEST(ImportTest, TheFirstErrorInInputOrderIsReportedAcrossChunksAndFiles) {
  Fixture f(kSmallDdl, "t");
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  o.chunk_bytes = 16;
  o.threads = 4;
  std::string a, b;
  for (int i = 0; i < 200; ++i) a += std::to_string(i) + ",x,1.00,,,\n";
  b = a;
  a += "999,x,bad,,,\n";
  b.replace(b.find("150,x,1.00"), 10, "150,x,1.0x");
  for (int i = 1000; i < 1200; ++i) b += std::to_string(i) + ",x,1.00,,,oops\n";
  auto s = f.Import({{"a.csv", a}, {"b.csv", b}}, o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "a.csv:201:7: field 'price': bad DECIMAL(6,2) 'bad': not a decimal number");
  s = f.Import({{"b.csv", b}, {"a.csv", a}}, o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "b.csv:151:7: field 'price': bad DECIMAL(6,2) '1.0x': not a decimal number");
}

TEST(ImportTest, DuplicateKeysAcrossFilesAreAnErrorInIngestModeAndLastWinsInPutMode) {
  Fixture f(kSmallDdl, "t");
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  auto s = f.Import({{"a.csv", "1,a,1,,,\n2,b,2,,,\n"}, {"b.csv", "3,c,3,,,\n2,B,9,,,\n"}}, o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "b.csv:2:1: duplicate key (id=2), first at a.csv:2:1");
  EXPECT_TRUE(f.Rows().empty());
  o.mode = ImportMode::kPut;
  o.put_batch_rows = 1;
  s = f.Import({{"a.csv", "1,a,1,,,\n2,b,2,,,\n"}, {"b.csv", "3,c,3,,,\n2,B,9,,,\n"}}, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const auto rows = f.Rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].second[1], S("B"));
  EXPECT_EQ(rows[1].second[2], I(900));
}

TEST(ImportTest, IngestReplacesExistingRowsWithTheSameKey) {
  Fixture f(kSmallDdl, "t");
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  ASSERT_TRUE(f.Import("1,a,1,,,\n2,b,2,,,\n", o).ok());
  ASSERT_TRUE(f.Import("2,new,5,,,\n3,c,3,,,\n", o).ok());
  for (const std::string device : {"iterator", "host"}) {
    const auto rows = f.Rows(device);
    ASSERT_EQ(rows.size(), 3u) << device;
    EXPECT_EQ(rows[1].second[1], S("new")) << device;
  }
}

TEST(ImportTest, AFailureAfterHalfTheSstFilesLeavesTheTableAndNoTempFiles) {
  Fixture f;
  ASSERT_TRUE(f.Import(kDbgenLines, Tbl(), "seed.tbl").ok());
  const auto before = f.Rows();
  const std::string tbl = GeneratedTbl(0.002, f.table->schema());
  ImportOptions o = Tbl();
  o.sst_file_bytes = 50000;
  o.threads = 2;
  size_t total = 0;
  o.after_sst_file = [&](size_t done, size_t files) {
    total = files;
    if (done * 2 >= files) return Status::IOError("injected failure after " + std::to_string(done));
    return Status::OK();
  };
  // The generated rows overlap the seed rows' keys (order 1): the seed rows
  // are in the table, so skip order 1 lines to keep the input valid.
  std::string input = tbl.substr(tbl.find("\n2|") + 1);
  auto s = f.Import(input, o, "gen.tbl");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("injected failure"));
  EXPECT_GE(total, 4u);
  EXPECT_EQ(f.Rows(), before);
  EXPECT_TRUE(f.TempDirs().empty());
  // No file of the failed import remains in the DB directory.
  std::vector<rocksdb::LiveFileMetaData> live;
  f.db->db()->GetLiveFilesMetaData(&live);
  size_t ssts = 0;
  for (const auto& e : std::filesystem::directory_iterator(f.dir.path())) {
    if (e.path().extension() == ".sst") ++ssts;
  }
  EXPECT_EQ(ssts, live.size());
  // And the same import without the failure loads everything.
  o.after_sst_file = nullptr;
  s = f.Import(input, o, "gen.tbl");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(f.Rows().size(), before.size() + s->rows);
}

TEST(ImportTest, StaleTempDirsOfAKilledImportAreRemoved) {
  Fixture f(kSmallDdl, "t");
  const std::string stale = f.dir.path() + "/import-tmp-999999999-0";
  std::filesystem::create_directory(stale);
  { std::ofstream(stale + "/000000.sst") << "partial"; }
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  ASSERT_TRUE(f.Import("1,a,1,,,\n", o).ok());
  EXPECT_TRUE(f.TempDirs().empty());
}

TEST(ImportTest, EmptyInputsAndHeaderOnly) {
  Fixture f(kSmallDdl, "t");
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  o.header = true;
  auto s = f.Import({{"a", ""}, {"b", "id,name\n"}, {"c", "id\n1,a,1,,,\n"}}, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows, 1u);
}

TEST(ImportTest, TblWithCrlfAndWithoutTheFinalNewline) {
  Fixture f;
  std::string text = kDbgenLines;
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  crlf.pop_back();  // the last LF
  crlf.pop_back();  // and its CR
  auto s = f.Import(crlf, Tbl());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows, 5u);
  auto row = f.table->Get({I(1), I(5)});
  ASSERT_TRUE(row.ok());
  EXPECT_EQ((*row)[15].s, " pending foxes. slyly re");
}

TEST(ImportTest, HostileRecordsFailCleanly) {
  Fixture f;
  // 10 MB of delimiters: one record with 10M fields, refused without holding them.
  std::string many(10u << 20, '|');
  many += "\n";
  auto s = f.Import(many, Tbl());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "in:1:1: expected 16 fields, got 10485760");
  // A 10 MB field: the message shows 64 bytes of it.
  std::string big = "1|" + std::string(10u << 20, '7') +
                    "|785|1|17|1.00|0.04|0.02|N|O|1996-03-13|"
                    "1996-02-12|1996-03-22|NONE|AIR|c|\n";
  s = f.Import(big, Tbl());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("in:1:3: field 'l_partkey': bad INT64 '777"));
  EXPECT_LT(s.status().message().size(), 300u);
  // NUL bytes and binary garbage are data, then a bad number.
  s = f.Import(std::string("1|\0\xff|785|", 9), Tbl());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "in:1:1: expected 16 fields, got 3");
  s = f.Import(
      std::string(
          "1|\0\xff|785|1|17|1.00|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|NONE|AIR|c|", 77),
      Tbl());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "in:1:3: field 'l_partkey': bad INT64 '\\x00\\xff': not an integer");
  EXPECT_TRUE(f.Rows().empty());
}

// Random text over the characters that matter to the record and value
// syntax: every import either succeeds or fails with a positioned
// InvalidArgument, and a failed one changes nothing.
TEST(ImportTest, RandomTextNeverBreaksTheImport) {
  Fixture f("id INT64 KEY, b BOOL, d DATE", "t");
  std::mt19937_64 rng(42);
  const std::string alphabet = "0123456789-|,\t\n\r\"tf";
  const ImportFormat formats[] = {ImportFormat::kCsv, ImportFormat::kTsv, ImportFormat::kTbl};
  int ok = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string text(rng() % 40, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    if (i % 3 == 0)
      text = std::to_string(i) + ",t,1994-01-0" + std::to_string(1 + i % 9) + "\n" + text;
    ImportOptions o;
    o.format = formats[rng() % 3];
    o.mode = rng() % 2 ? ImportMode::kIngest : ImportMode::kPut;
    o.chunk_bytes = 1 + rng() % 16;
    const auto before = f.Rows();
    auto s = f.Import(text, o);
    if (s.ok()) {
      ++ok;
      continue;
    }
    ASSERT_TRUE(s.status().IsInvalidArgument()) << s.status().ToString();
    ASSERT_THAT(s.status().message(), ::testing::StartsWith("in:")) << s.status().message();
    ASSERT_EQ(f.Rows(), before);
  }
  EXPECT_GT(ok, 0);
  EXPECT_TRUE(f.TempDirs().empty());
}

TEST(ImportTest, PutTextParsesOneRow) {
  Fixture f(kSmallDdl, "t");
  ASSERT_TRUE(f.table->PutText({"7", "seven", "7.25", "1994-02-03", "t", ""}).ok());
  ASSERT_TRUE(f.table->PutText({"8", "", "0", "", "", "2.5"}).ok());
  auto row = f.table->Get({I(7)});
  ASSERT_TRUE(row.ok());
  EXPECT_EQ((*row)[1], S("seven"));
  EXPECT_EQ((*row)[2], I(725));
  EXPECT_EQ((*row)[3], D(1994, 2, 3));
  EXPECT_TRUE((*row)[5].is_null());
  Status s = f.table->PutText({"9", "x", "", "", "", ""});
  EXPECT_EQ(s.message(), "field 'price': NULL in NOT NULL column");
  s = f.table->PutText({"9", "x", "1"});
  EXPECT_EQ(s.message(), "expected 6 fields, got 3");
  s = f.table->PutText({"9", "x", "1", "1994-13-01", "", ""});
  EXPECT_EQ(s.message(), "field 'd': bad DATE '1994-13-01': month 13 is not in 1..12");
  EXPECT_TRUE(f.table->Get({I(9)}).status().IsNotFound());
}

TEST(ImportTest, FormatAndModeNames) {
  EXPECT_EQ(*ParseImportFormat("tbl"), ImportFormat::kTbl);
  EXPECT_EQ(*ParseImportFormat("csv"), ImportFormat::kCsv);
  EXPECT_EQ(*ParseImportFormat("tsv"), ImportFormat::kTsv);
  EXPECT_FALSE(ParseImportFormat("json").ok());
  EXPECT_EQ(*ParseImportMode("put"), ImportMode::kPut);
  EXPECT_FALSE(ParseImportMode("append").ok());
}

}  // namespace
}  // namespace pushdown::engine::testing
