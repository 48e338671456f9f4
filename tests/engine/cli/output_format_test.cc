// The output formats of engine/cli/output_format.h: quoting and escaping edge
// cases, NULL, UTF-8, empty results and --no-header, for each format.
#include "engine/cli/output_format.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/cli/output_writers.h"

namespace pushdown::engine::cli {
namespace {

using Cells = std::vector<std::optional<std::string>>;

std::string Write(OutputFormat f, bool header, const std::vector<std::string>& names,
                  const std::vector<CellKind>& kinds, const std::vector<Cells>& rows) {
  std::ostringstream out;
  std::unique_ptr<RowWriter> w = RowWriter::Make(f, out, header);
  w->Begin(names, kinds);
  for (const Cells& r : rows) w->Row(r);
  w->End();
  return out.str();
}

const std::vector<std::string> kNames = {"id", "name", "ok"};
const std::vector<CellKind> kKinds = {CellKind::kNumber, CellKind::kString, CellKind::kBool};

TEST(OutputFormat, Parse) {
  EXPECT_EQ(*ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_EQ(*ParseOutputFormat("tsv"), OutputFormat::kTsv);
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  for (const char* bad : {"", "CSV", "xml", "csv ", "json\n"}) {
    Result<OutputFormat> r = ParseOutputFormat(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find("expected csv, tsv, json or table"), std::string::npos);
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  }
}

TEST(OutputFormat, CellKinds) {
  EXPECT_EQ(CellKindOf(bpfgen::Type::Int64()), CellKind::kNumber);
  EXPECT_EQ(CellKindOf(bpfgen::Type::Decimal(15, 2)), CellKind::kNumber);
  EXPECT_EQ(CellKindOf(bpfgen::Type::Double()), CellKind::kNumber);
  EXPECT_EQ(CellKindOf(bpfgen::Type::Bool()), CellKind::kBool);
  EXPECT_EQ(CellKindOf(bpfgen::Type::Date()), CellKind::kString);
  EXPECT_EQ(CellKindOf(bpfgen::Type::Varchar(4)), CellKind::kString);
}

TEST(Csv, QuotingAndNull) {
  std::string got = Write(OutputFormat::kCsv, true, {"a", "b,c", "q\"n"},
                          {CellKind::kString, CellKind::kString, CellKind::kString},
                          {{"plain", "x,y", "say \"hi\""},
                           {std::nullopt, "", "line\nbreak"},
                           {"cr\rhere", "caf\xc3\xa9", " spaced "}});
  EXPECT_EQ(got,
            "a,\"b,c\",\"q\"\"n\"\n"
            "plain,\"x,y\",\"say \"\"hi\"\"\"\n"
            ",\"\",\"line\nbreak\"\n"
            "\"cr\rhere\",caf\xc3\xa9, spaced \n");
}

TEST(Csv, NoHeaderAndEmptyResult) {
  EXPECT_EQ(Write(OutputFormat::kCsv, true, kNames, kKinds, {}), "id,name,ok\n");
  EXPECT_EQ(Write(OutputFormat::kCsv, false, kNames, kKinds, {}), "");
  EXPECT_EQ(Write(OutputFormat::kCsv, false, kNames, kKinds, {{"1", "a", "true"}}), "1,a,true\n");
}

TEST(Tsv, EscapesAndNull) {
  std::string got =
      Write(OutputFormat::kTsv, true, {"a\tb", "c"}, {CellKind::kString, CellKind::kNumber},
            {{"tab\there", "1"},
             {"back\\slash", std::nullopt},
             {"nl\ncr\r", ""},
             {"\\N", "caf\xc3\xa9"}});
  EXPECT_EQ(got,
            "a\\tb\tc\n"
            "tab\\there\t1\n"
            "back\\\\slash\t\\N\n"
            "nl\\ncr\\r\t\n"
            "\\\\N\tcaf\xc3\xa9\n");
  EXPECT_EQ(Write(OutputFormat::kTsv, true, kNames, kKinds, {}), "id\tname\tok\n");
  EXPECT_EQ(Write(OutputFormat::kTsv, false, kNames, kKinds, {}), "");
}

TEST(Json, ValuesNullAndKinds) {
  std::string got = Write(OutputFormat::kJson, true, kNames, kKinds,
                          {{"1", "alice", "true"},
                           {"-0.05", std::nullopt, "false"},
                           {std::nullopt, "", std::nullopt},
                           {"inf", "x", "maybe"},
                           {"1e+20", "y", "true"}});
  EXPECT_EQ(got,
            "{\"id\":1,\"name\":\"alice\",\"ok\":true}\n"
            "{\"id\":-0.05,\"name\":null,\"ok\":false}\n"
            "{\"id\":null,\"name\":\"\",\"ok\":null}\n"
            "{\"id\":\"inf\",\"name\":\"x\",\"ok\":\"maybe\"}\n"
            "{\"id\":1e+20,\"name\":\"y\",\"ok\":true}\n");
  // Names are keys: the header flag does not matter; an empty result is empty.
  EXPECT_EQ(Write(OutputFormat::kJson, false, kNames, kKinds, {{"1", "a", "true"}}),
            "{\"id\":1,\"name\":\"a\",\"ok\":true}\n");
  EXPECT_EQ(Write(OutputFormat::kJson, true, kNames, kKinds, {}), "");
}

TEST(Json, StringEscapes) {
  std::string got = Write(OutputFormat::kJson, true, {"k\"\\"}, {CellKind::kString},
                          {{std::string("q\"b\\n\nr\rt\tb\bf\f\x01\x1f\x7f", 17)},
                           {std::string("nul\0x", 5)},
                           {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
                           {"bad\xff\xc3(\xed\xa0\x80\xc0\xaf\xe2\x82"}});
  EXPECT_EQ(
      got,
      "{\"k\\\"\\\\\":\"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\f\\u0001\\u001f\\u007f\"}\n"
      "{\"k\\\"\\\\\":\"nul\\u0000x\"}\n"
      "{\"k\\\"\\\\\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}\n"
      "{\"k\\\"\\\\\":\"bad\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"}"
      "\n");
}

TEST(Json, Numbers) {
  for (const char* good : {"0", "-0", "12", "-12.50", "0.5", "1e5", "1E-5", "2.5e+10"}) {
    EXPECT_TRUE(internal::IsJsonNumber(good)) << good;
  }
  for (const char* bad : {"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "nan", "inf", "-inf",
                          "0x10", "1 ", " 1", "1.5.5"}) {
    EXPECT_FALSE(internal::IsJsonNumber(bad)) << bad;
  }
}

// A minimal JSON string decoder: returns false unless `s` is exactly one valid
// JSON string literal of valid UTF-8 with no raw control characters.
bool DecodeJsonString(std::string_view s, std::string* out) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  out->clear();
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) return false;
    if (c == '"') return false;
    if (c != '\\') {
      *out += static_cast<char>(c);
      continue;
    }
    if (++i + 1 >= s.size()) return false;
    switch (s[i]) {
      case '"':
      case '\\':
      case '/':
        *out += s[i];
        break;
      case 'n':
        *out += '\n';
        break;
      case 'r':
        *out += '\r';
        break;
      case 't':
        *out += '\t';
        break;
      case 'b':
        *out += '\b';
        break;
      case 'f':
        *out += '\f';
        break;
      case 'u': {
        if (i + 5 >= s.size()) return false;
        unsigned v = std::stoul(std::string(s.substr(i + 1, 4)), nullptr, 16);
        i += 4;
        if (v < 0x80) {
          *out += static_cast<char>(v);
        } else if (v == 0xfffd) {
          *out += "\xef\xbf\xbd";
        } else {
          return false;  // the writer emits no other escapes
        }
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

// Random byte strings: the output is always one valid JSON string literal of
// valid UTF-8; when the input is valid UTF-8 it decodes back to the input.
TEST(Json, RandomBytesGiveValidJson) {
  std::mt19937 rng(12);
  const std::string alphabet = std::string("ab\"\\\n\r\t\b\f\x01\x7f", 11) +
                               std::string(
                                   "\0\x80\xbf\xc0\xc3\xa9\xe2\x82\xac\xed\xa0\xf0\x9f"
                                   "\x98\xf4\x90\xff",
                                   18);
  int valid_inputs = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string in;
    size_t len = rng() % 12;
    for (size_t k = 0; k < len; ++k) in += alphabet[rng() % alphabet.size()];
    std::string lit;
    internal::AppendJsonString(in, &lit);
    ASSERT_TRUE(IsValidUtf8(lit));
    std::string decoded;
    ASSERT_TRUE(DecodeJsonString(lit, &decoded)) << lit;
    if (IsValidUtf8(in)) {
      ++valid_inputs;
      ASSERT_EQ(decoded, in);
    }
  }
  EXPECT_GT(valid_inputs, 1000);
}

TEST(Table, AlignedBox) {
  std::string got = Write(OutputFormat::kTable, true, kNames, kKinds,
                          {{"1", "alice", "true"},
                           {"-12.50", std::nullopt, "false"},
                           {"300", "caf\xc3\xa9", std::nullopt}});
  EXPECT_EQ(got,
            "+--------+-------+-------+\n"
            "| id     | name  | ok    |\n"
            "+--------+-------+-------+\n"
            "|      1 | alice | true  |\n"
            "| -12.50 | NULL  | false |\n"
            "|    300 | caf\xc3\xa9  | NULL  |\n"
            "+--------+-------+-------+\n");
}

TEST(Table, ControlCharactersAreEscaped) {
  std::string got = Write(OutputFormat::kTable, true, {"s"}, {CellKind::kString},
                          {{std::string("a\nb\tc\rd\x1b[31m\xff", 13)}});
  EXPECT_EQ(got,
            "+--------------------------+\n"
            "| s                        |\n"
            "+--------------------------+\n"
            "| a\\nb\\tc\\x0dd\\x1b[31m\\xff |\n"
            "+--------------------------+\n");
}

TEST(Table, NoHeaderAndEmptyResult) {
  EXPECT_EQ(
      Write(OutputFormat::kTable, true, {"id", "name"}, {CellKind::kNumber, CellKind::kString}, {}),
      "+----+------+\n"
      "| id | name |\n"
      "+----+------+\n"
      "+----+------+\n");
  EXPECT_EQ(Write(OutputFormat::kTable, false, {"id", "name"},
                  {CellKind::kNumber, CellKind::kString}, {{"7", "x"}}),
            "+---+---+\n"
            "| 7 | x |\n"
            "+---+---+\n");
  // Without a header and without rows: the two rules of an empty box.
  EXPECT_EQ(Write(OutputFormat::kTable, false, {"id"}, {CellKind::kNumber}, {}),
            "+--+\n"
            "+--+\n");
}

// Widths come from the first kTableBufferRows rows; rows after that are
// printed as they come, and a wider one widens only its own line (nothing is
// cut, nothing more is buffered).
TEST(Table, BufferIsBounded) {
  std::vector<Cells> rows(kTableBufferRows, Cells{"1"});
  rows.push_back(Cells{"123456"});
  rows.push_back(Cells{"2"});
  std::string got = Write(OutputFormat::kTable, true, {"n"}, {CellKind::kNumber}, rows);
  std::istringstream in(got);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 3 + kTableBufferRows + 2 + 1);
  EXPECT_EQ(lines[0], "+---+");
  EXPECT_EQ(lines[1], "| n |");
  EXPECT_EQ(lines[3], "| 1 |");
  EXPECT_EQ(lines[3 + kTableBufferRows], "| 123456 |");
  EXPECT_EQ(lines[4 + kTableBufferRows], "| 2 |");
  EXPECT_EQ(lines.back(), "+---+");
}

// The byte bound: large cells flush the buffer before kTableBufferRows rows.
TEST(Table, ByteBoundFlushesEarly) {
  std::ostringstream out;
  std::unique_ptr<RowWriter> w = RowWriter::Make(OutputFormat::kTable, out, true);
  w->Begin({"s"}, {CellKind::kString});
  const std::string big(kTableBufferBytes / 4 + 1, 'x');
  for (int k = 0; k < 4; ++k) w->Row({big});
  EXPECT_GT(out.str().size(), 4 * big.size());  // printed before End()
  w->Row({"short"});
  w->End();
  EXPECT_NE(out.str().find("| short" + std::string(big.size() - 5, ' ') + " |\n"),
            std::string::npos);
}

// A failed stream stops the writers (no crash, nothing more written).
TEST(OutputFormat, FailedStream) {
  for (OutputFormat f :
       {OutputFormat::kCsv, OutputFormat::kTsv, OutputFormat::kJson, OutputFormat::kTable}) {
    std::ostringstream out;
    out.setstate(std::ios::badbit);
    std::unique_ptr<RowWriter> w = RowWriter::Make(f, out, true);
    w->Begin(kNames, kKinds);
    w->Row({"1", "a", "true"});
    w->End();
    EXPECT_TRUE(out.fail());
    EXPECT_EQ(out.str(), "");
  }
}

}  // namespace
}  // namespace pushdown::engine::cli
