#include "bpfgen/schema/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

using ::testing::HasSubstr;

TEST(SchemaTest, ParsesExample) {
  auto r = ParseSchema(
      "l_orderkey INT64 KEY, l_linenumber INT32 KEY, l_quantity DECIMAL(15,2) NOT NULL, "
      "l_shipdate DATE NOT NULL, l_comment VARCHAR(44) NOT NULL");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Schema& s = *r;
  ASSERT_EQ(s.columns.size(), 5u);
  EXPECT_FALSE(s.raw);
  EXPECT_EQ(s.key_columns, (std::vector<int>{0, 1}));
  EXPECT_EQ(s.columns[0].name, "l_orderkey");
  EXPECT_EQ(s.columns[0].type, Type::Int64());
  EXPECT_EQ(s.columns[0].key_position, 0);
  EXPECT_FALSE(s.columns[0].nullable);
  EXPECT_EQ(s.columns[1].type, Type::Int32());
  EXPECT_EQ(s.columns[1].key_position, 1);
  EXPECT_EQ(s.columns[2].type, Type::Decimal(15, 2));
  EXPECT_EQ(s.columns[2].key_position, -1);
  EXPECT_FALSE(s.columns[2].nullable);
  EXPECT_EQ(s.columns[3].type, Type::Date());
  EXPECT_EQ(s.columns[4].type, Type::Varchar(44));
}

TEST(SchemaTest, AllTypesAndNullability) {
  auto r = ParseSchema(
      "k int64 key, b bool, i int32, d decimal(18,18), dt Date, x DOUBLE not null, c CHAR(3), "
      "v varchar(1)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Schema& s = *r;
  EXPECT_EQ(s.columns[1].type, Type::Bool());
  EXPECT_TRUE(s.columns[1].nullable);
  EXPECT_EQ(s.columns[3].type, Type::Decimal(18, 18));
  EXPECT_EQ(s.columns[5].type, Type::Double());
  EXPECT_FALSE(s.columns[5].nullable);
  EXPECT_EQ(s.columns[6].type, Type::Char(3));
  EXPECT_EQ(s.columns[7].type, Type::Varchar(1));
  EXPECT_EQ(s.ToDdl(),
            "k INT64 KEY, b BOOL, i INT32, d DECIMAL(18,18), dt DATE, x DOUBLE NOT NULL, "
            "c CHAR(3), v VARCHAR(1)");
}

TEST(SchemaTest, KeyAnywhereAndNotNullKey) {
  auto r = ParseSchema("a INT32, b INT64 NOT NULL KEY, c DATE KEY");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->key_columns, (std::vector<int>{1, 2}));
  EXPECT_EQ(r->columns[2].key_position, 1);
}

TEST(SchemaTest, LineitemRoundTrips) {
  auto r = ParseSchema(kLineitemDdl);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->columns.size(), 16u);
  EXPECT_EQ(r->ToDdl(), kLineitemDdl);
  EXPECT_EQ(r->FindColumn("L_SHIPDATE"), 10);
  EXPECT_EQ(r->FindColumn("l_comment"), 15);
  EXPECT_EQ(r->FindColumn("nope"), -1);
  auto again = ParseSchema(r->ToDdl());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *r);
}

TEST(SchemaTest, Raw) {
  Schema raw = Schema::Raw();
  EXPECT_TRUE(raw.raw);
  ASSERT_EQ(raw.columns.size(), 2u);
  EXPECT_EQ(raw.FindColumn("KEY"), 0);
  EXPECT_EQ(raw.FindColumn("value"), 1);
  EXPECT_EQ(raw.columns[0].type, Type::Bytes());
  auto parsed = ParseSchema(raw.ToDdl());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, raw);
}

TEST(SchemaTest, TypeToString) {
  EXPECT_EQ(Type::Decimal(15, 2).ToString(), "DECIMAL(15,2)");
  EXPECT_EQ(Type::Varchar(44).ToString(), "VARCHAR(44)");
  EXPECT_EQ(Type::Char(1).ToString(), "CHAR(1)");
  EXPECT_EQ(Type::Date().ToString(), "DATE");
  EXPECT_EQ(Type::Bytes().ToString(), "BYTES");
  EXPECT_EQ(Type::Null().ToString(), "NULL");
}

void ExpectError(std::string_view ddl, const std::string& message) {
  auto r = ParseSchema(ddl);
  ASSERT_FALSE(r.ok()) << ddl;
  EXPECT_TRUE(r.status().IsInvalidArgument());
  // "line:col: message", then the DDL line and the caret (tested below).
  const std::string m = r.status().message();
  EXPECT_EQ(m.substr(0, m.find('\n')), message) << ddl;
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 2) << m;
}

TEST(SchemaTest, ErrorsHaveTheLineAndACaret) {
  auto r = ParseSchema("a INT32 KEY,\n  b FLOAT");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "2:5: unknown type 'FLOAT'\n  b FLOAT\n    ^~~~~");
  auto dup = ParseSchema("id INT32 KEY, ID INT64");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(),
            "1:15: duplicate column 'ID'\nid INT32 KEY, ID INT64\n              ^~");
}

TEST(SchemaTest, ErrorsPrintNulAndInvalidUtf8Escaped) {
  // A NUL byte and a lone 0xff: escaped in the message and in the shown line,
  // and the caret still under the offending byte.
  const std::string ddl("a INT32 KEY, b\0c INT32", 22);
  auto r = ParseSchema(ddl);
  ASSERT_FALSE(r.ok());
  const std::string text = r.status().message();
  EXPECT_EQ(text.find('\0'), std::string::npos);
  const size_t nl1 = text.find('\n'), nl2 = text.find('\n', nl1 + 1);
  ASSERT_NE(nl2, std::string::npos) << text;
  const std::string shown = text.substr(nl1 + 1, nl2 - nl1 - 1);
  const std::string caret = text.substr(nl2 + 1);
  EXPECT_EQ(shown, "a INT32 KEY, b\\x00c INT32");
  EXPECT_EQ(caret.find('^'), shown.find("\\x00")) << text;
  auto bad = ParseSchema("a INT32 KEY, \xff INT32");
  ASSERT_FALSE(bad.ok());
  const std::string m = bad.status().message();
  EXPECT_NE(m.find("\\xff"), std::string::npos) << m;
  EXPECT_EQ(m.find('\xff'), std::string::npos) << m;
}

TEST(SchemaTest, Errors) {
  ExpectError("a INT32", "1:1: schema has no KEY column");
  ExpectError("", "1:1: expected a column name, got end of schema");
  ExpectError("a INT32 KEY, A INT64", "1:14: duplicate column 'A'");
  ExpectError("a INT KEY", "1:3: unknown type 'INT'");
  ExpectError("a DECIMAL(19,2) KEY", "1:11: DECIMAL precision must be in 1..18");
  ExpectError("a DECIMAL(0,0) KEY", "1:11: DECIMAL precision must be in 1..18");
  ExpectError("a DECIMAL(5,6) KEY", "1:13: DECIMAL scale must be in 0..precision");
  ExpectError("a DECIMAL(5) KEY", "1:12: expected ',', got ')'");
  ExpectError("a CHAR(0) KEY", "1:8: string length must be in 1..65535");
  ExpectError("a VARCHAR KEY", "1:11: expected '(', got 'KEY'");
  ExpectError("a INT32 KEY,", "1:13: expected a column name, got end of schema");
  ExpectError("a INT32 KEY b INT32", "1:13: unexpected 'b' (expected KEY, NOT NULL, ',')");
  ExpectError("a INT32 NOT KEY", "1:13: expected NULL after NOT, got 'KEY'");
  ExpectError("a INT32 KEY KEY", "1:13: duplicate KEY");
  ExpectError("a INT32 KEY; drop",
              "1:12: expected ',' or end of schema, got unexpected character ';'");
  ExpectError("a INT32 KEY,\n  b BLOB", "2:5: unknown type 'BLOB'");
  ExpectError("raw, a INT32 KEY", "1:4: expected a type, got ','");
  ExpectError("k INT32 KEY, Date DATE",
              "1:14: column name 'Date' is a reserved word of the predicate language");
  ExpectError("not INT32 KEY",
              "1:1: column name 'not' is a reserved word of the predicate language");
}

}  // namespace
}  // namespace pushdown::bpfgen
