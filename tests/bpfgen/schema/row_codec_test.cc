#include "bpfgen/schema/row_codec.h"

#include <gtest/gtest.h>

#include "bpfgen/schema/date.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

// The worked example of ROW_FORMAT.md.
constexpr std::string_view kExampleDdl =
    "l_orderkey INT64 KEY, l_linenumber INT32 KEY, l_quantity DECIMAL(15,2) NOT NULL, "
    "l_shipdate DATE NOT NULL, l_shipmode CHAR(4) NOT NULL, l_tax DECIMAL(15,2), "
    "l_comment VARCHAR(44) NOT NULL, l_note VARCHAR(20)";

std::string Hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Schema MustParse(std::string_view ddl) {
  auto r = ParseSchema(ddl);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Schema();
}

int32_t Day(const char* s) {
  int32_t d = 0;
  EXPECT_TRUE(ParseDate(s, &d)) << s;
  return d;
}

std::vector<Datum> ExampleRow() {
  return {
      Datum::Int(1),        Datum::Int(2), Datum::Int(1700),          Datum::Int(Day("1996-03-13")),
      Datum::String("AIR"), Datum::Null(), Datum::String("blithely"), Datum::Null()};
}

TEST(RowLayoutTest, Example) {
  const Schema s = MustParse(kExampleDdl);
  const RowLayout l = RowLayout::Compute(s);
  EXPECT_EQ(l.null_bitmap_offset, 1u);
  EXPECT_EQ(l.null_bitmap_size, 1u);
  EXPECT_EQ(l.fixed_offset, 2u);
  EXPECT_EQ(l.fixed_size, 8u + 4 + 8 + 4 + 4 + 8);
  EXPECT_EQ(l.var_table_offset, 38u);
  EXPECT_EQ(l.num_var, 2u);
  EXPECT_EQ(l.var_data_offset, 46u);
  EXPECT_EQ(l.min_value_size, 46u);
  const uint32_t offsets[] = {2, 10, 14, 22, 26, 30, 38, 42};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(l.columns[i].offset, offsets[i]) << i;
    EXPECT_EQ(l.columns[i].null_byte, 1u);
    EXPECT_EQ(l.columns[i].null_mask, 1u << i);
  }
  EXPECT_FALSE(l.columns[6].fixed);
  EXPECT_EQ(l.columns[6].var_index, 0);
  EXPECT_EQ(l.columns[7].var_index, 1);
  EXPECT_EQ(l.columns[4].width, 4u);
}

TEST(RowLayoutTest, LineitemAndNullBitmapBytes) {
  const Schema s = MustParse(kLineitemDdl);
  const RowLayout l = RowLayout::Compute(s);
  EXPECT_EQ(l.null_bitmap_size, 2u);
  EXPECT_EQ(l.fixed_offset, 3u);
  // 4 INT64/INT32.. : 8+4+8+8 + 4*8 + 1+1 + 3*4 + 25+10 = 109
  EXPECT_EQ(l.fixed_size, 109u);
  EXPECT_EQ(l.num_var, 1u);
  EXPECT_EQ(l.min_value_size, 3u + 109 + 4);
  EXPECT_EQ(l.columns[10].offset, 3u + 8 + 4 + 8 + 8 + 32 + 2);  // l_shipdate
  const uint32_t offsets[] = {3, 11, 15, 23, 31, 39, 47, 55, 63, 64, 65, 69, 73, 77, 102, 112};
  for (int i = 0; i < 16; ++i) EXPECT_EQ(l.columns[i].offset, offsets[i]) << i;
  EXPECT_EQ(l.columns[9].null_byte, 2u);
  EXPECT_EQ(l.columns[9].null_mask, 2u);
}

TEST(RowCodecTest, WorkedExampleBytes) {
  const Schema s = MustParse(kExampleDdl);
  const RowLayout l = RowLayout::Compute(s);
  std::string v;
  ASSERT_TRUE(EncodeRow(s, l, ExampleRow(), &v).ok());
  // Must match ROW_FORMAT.md.
  EXPECT_EQ(Hex(v),
            "01"                  // version
            "a0"                  // null bitmap: columns 5 and 7
            "0100000000000000"    // l_orderkey 1
            "02000000"            // l_linenumber 2
            "a406000000000000"    // l_quantity 17.00 -> 1700
            "60250000"            // l_shipdate 1996-03-13 -> 9568 days
            "41495220"            // l_shipmode 'AIR '
            "0000000000000000"    // l_tax NULL
            "36000000"            // l_comment ends at 54
            "36000000"            // l_note (NULL) ends at 54
            "626c697468656c79");  // 'blithely' at [46, 54)
  EXPECT_EQ(v.size(), 54u);
}

TEST(RowCodecTest, WorkedExampleDecodes) {
  const Schema s = MustParse(kExampleDdl);
  const RowLayout l = RowLayout::Compute(s);
  std::string v;
  ASSERT_TRUE(EncodeRow(s, l, ExampleRow(), &v).ok());
  std::vector<Datum> row;
  ASSERT_TRUE(DecodeRow(s, l, v, &row).ok());
  EXPECT_EQ(row, ExampleRow());
  for (int i = 0; i < 8; ++i) {
    Datum d;
    ASSERT_TRUE(DecodeColumn(s, l, v, i, &d).ok());
    EXPECT_EQ(d, ExampleRow()[i]) << i;
  }
}

TEST(RowCodecTest, CharPaddingIsRemovedOnDecode) {
  const Schema s = MustParse("k INT32 KEY, c CHAR(5)");
  const RowLayout l = RowLayout::Compute(s);
  std::string v;
  ASSERT_TRUE(EncodeRow(s, l, {Datum::Int(1), Datum::String("ab   ")}, &v).ok());
  EXPECT_EQ(Hex(v),
            "01"
            "00"
            "01000000"
            "6162202020");
  // Trailing spaces beyond n are allowed (they are padding).
  ASSERT_TRUE(EncodeRow(s, l, {Datum::Int(1), Datum::String("abcde   ")}, &v).ok());
  Datum d;
  ASSERT_TRUE(DecodeColumn(s, l, v, 1, &d).ok());
  EXPECT_EQ(d, Datum::String("abcde"));
  ASSERT_TRUE(EncodeRow(s, l, {Datum::Int(1), Datum::String(" a")}, &v).ok());
  ASSERT_TRUE(DecodeColumn(s, l, v, 1, &d).ok());
  EXPECT_EQ(d, Datum::String(" a"));
}

TEST(RowCodecTest, EncodeRejectsBadRows) {
  const Schema s = MustParse(
      "k INT64 KEY, i INT32, b BOOL, d DATE, m DECIMAL(3,1), c CHAR(2), v VARCHAR(3), "
      "n INT64 NOT NULL");
  const RowLayout l = RowLayout::Compute(s);
  auto row = [](int col, Datum value) {
    std::vector<Datum> r = {Datum::Int(1),        Datum::Int(1),   Datum::Bool(true),
                            Datum::Int(0),        Datum::Int(999), Datum::String("ab"),
                            Datum::String("abc"), Datum::Int(7)};
    if (col >= 0) r[col] = std::move(value);
    return r;
  };
  std::string v;
  ASSERT_TRUE(EncodeRow(s, l, row(-1, {}), &v).ok());
  ASSERT_TRUE(EncodeRow(s, l, row(4, Datum::Int(-999)), &v).ok());
  struct Bad {
    int col;
    Datum value;
    const char* message;
  } cases[] = {
      {0, Datum::Null(), "NULL in NOT NULL column 'k'"},
      {7, Datum::Null(), "NULL in NOT NULL column 'n'"},
      {1, Datum::Int(1LL << 31), "INT32 column 'i' value out of range"},
      {1, Datum::Int(-(1LL << 31) - 1), "INT32 column 'i' value out of range"},
      {2, Datum::Int(2), "BOOL column 'b' value not 0 or 1"},
      {3, Datum::Int(kMaxDateDays + 1), "DATE column 'd' value outside 0001-01-01..9999-12-31"},
      {3, Datum::Int(kMinDateDays - 1), "DATE column 'd' value outside 0001-01-01..9999-12-31"},
      {4, Datum::Int(1000), "DECIMAL(3,1) column 'm' value out of range"},
      {4, Datum::Int(-1000), "DECIMAL(3,1) column 'm' value out of range"},
      {5, Datum::String("abc"), "CHAR(2) column 'c' value of 3 bytes is too long"},
      {6, Datum::String("abcd"), "VARCHAR(3) column 'v' value of 4 bytes is too long"},
  };
  for (const Bad& c : cases) {
    Status st = EncodeRow(s, l, row(c.col, c.value), &v);
    EXPECT_TRUE(st.IsInvalidArgument()) << c.message;
    EXPECT_EQ(st.message(), c.message);
  }
  EXPECT_TRUE(EncodeRow(s, l, {Datum::Int(1)}, &v).IsInvalidArgument());
  EXPECT_TRUE(EncodeRow(Schema::Raw(), l, row(-1, {}), &v).IsInvalidArgument());
}

TEST(RowCodecTest, MalformedValuesAreCorruption) {
  const Schema s = MustParse(kExampleDdl);
  const RowLayout l = RowLayout::Compute(s);
  std::string good;
  ASSERT_TRUE(EncodeRow(s, l, ExampleRow(), &good).ok());
  std::vector<Datum> row;
  Datum d;

  std::string bad = good;
  bad[0] = 2;
  EXPECT_EQ(DecodeRow(s, l, bad, &row).message(), "bad row format version 2");
  EXPECT_TRUE(DecodeColumn(s, l, bad, 0, &d).IsCorruption());

  EXPECT_EQ(DecodeRow(s, l, "", &row).message(), "row value too short: 0 bytes, need at least 46");
  EXPECT_TRUE(DecodeColumn(s, l, good.substr(0, 45), 0, &d).IsCorruption());

  // l_comment ends at 50, l_note at 48: not monotone.
  bad = good;
  bad[38] = 50;
  bad[42] = 48;
  EXPECT_EQ(DecodeRow(s, l, bad, &row).message(), "row var table not monotone at entry 1");
  // DecodeColumn of a NULL column does not look at its var entry.
  EXPECT_TRUE(DecodeColumn(s, l, bad, 7, &d).ok());
  EXPECT_EQ(d, Datum::Null());
  bad[1] = 0x20;  // l_note not NULL
  EXPECT_TRUE(DecodeColumn(s, l, bad, 7, &d).IsCorruption());
  EXPECT_TRUE(DecodeColumn(s, l, bad, 6, &d).ok());  // its own entry is fine

  // An end before the var data.
  bad = good;
  bad[38] = 45;
  EXPECT_TRUE(DecodeRow(s, l, bad, &row).IsCorruption());
  EXPECT_TRUE(DecodeColumn(s, l, bad, 6, &d).IsCorruption());

  // End past the value.
  bad = good;
  bad[42] = 55;
  EXPECT_EQ(DecodeRow(s, l, bad, &row).message(),
            "row var entry 1 ends at 55, past the value (54 bytes)");
  bad[1] = 0x20;  // l_note not NULL
  EXPECT_TRUE(DecodeColumn(s, l, bad, 7, &d).IsCorruption());
  bad = good;
  bad[41] = 0x7f;  // huge end
  EXPECT_TRUE(DecodeRow(s, l, bad, &row).IsCorruption());
  EXPECT_TRUE(DecodeColumn(s, l, bad, 6, &d).IsCorruption());

  // Every truncation of a valid value is Corruption.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_TRUE(DecodeRow(s, l, good.substr(0, n), &row).IsCorruption()) << n;
  }
  // Trailing bytes are ignored.
  EXPECT_TRUE(DecodeRow(s, l, good + "xyz", &row).ok());
  EXPECT_EQ(row, ExampleRow());
}

TEST(RowCodecTest, ReadersInterpretContents) {
  const Schema s = MustParse("k INT32 KEY, b BOOL, n INT32 NOT NULL");
  const RowLayout l = RowLayout::Compute(s);
  std::string v;
  ASSERT_TRUE(EncodeRow(s, l, {Datum::Int(1), Datum::Bool(true), Datum::Int(5)}, &v).ok());
  v[l.columns[1].offset] = 7;             // BOOL byte 7 reads as TRUE
  v[1] = static_cast<char>(0x04 | 0x01);  // null bits of NOT NULL columns are ignored
  std::vector<Datum> row;
  ASSERT_TRUE(DecodeRow(s, l, v, &row).ok());
  EXPECT_EQ(row, (std::vector<Datum>{Datum::Int(1), Datum::Bool(true), Datum::Int(5)}));
  v[1] = 0x02;
  ASSERT_TRUE(DecodeRow(s, l, v, &row).ok());
  EXPECT_EQ(row[1], Datum::Null());
}

}  // namespace
}  // namespace pushdown::bpfgen
