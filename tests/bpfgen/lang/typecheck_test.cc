#include "bpfgen/lang/typecheck.h"

#include <gtest/gtest.h>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/printer.h"

namespace pushdown::bpfgen {
namespace {

Schema TestSchema() {
  Result<Schema> s = ParseSchema(
      "id INT64 KEY, i32 INT32, d DECIMAL(10,2), d4 DECIMAL(12,4), f DOUBLE, b BOOL, dt DATE, c "
      "CHAR(5), "
      "v VARCHAR(20)");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

// The typed (unfolded) tree.
std::string Typed(std::string_view text) {
  Schema schema = TestSchema();
  Result<ExprPtr> e = CompileExpr(text, schema);
  if (!e.ok()) return e.status().message();
  return ToTypedString(**e, schema);
}

TEST(TypeCheck, ColumnsResolveCaseInsensitively) {
  Schema schema = TestSchema();
  Result<ExprPtr> e = CompileExpr("D4 > 1", schema);
  ASSERT_TRUE(e.ok());
  const Expr& col = *(*e)->children[0];
  EXPECT_EQ(col.kind, ExprKind::kColumn);
  EXPECT_EQ(col.column, 3);
  EXPECT_EQ(col.type, Type::Decimal(12, 4));
}

TEST(TypeCheck, NumericPromotionInsertsCasts) {
  EXPECT_EQ(Typed("i32 < id"), "(CAST(i32:INT32 AS INT64) < id:INT64):BOOL");
  EXPECT_EQ(Typed("i32 < 5"), "(CAST(i32:INT32 AS INT64) < 5:INT64):BOOL");
  EXPECT_EQ(Typed("id < d"), "(CAST(id:INT64 AS DECIMAL(18,2)) < d:DECIMAL(10,2)):BOOL");
  EXPECT_EQ(Typed("d < d4"), "(CAST(d:DECIMAL(10,2) AS DECIMAL(12,4)) < d4:DECIMAL(12,4)):BOOL");
  EXPECT_EQ(Typed("d < f"), "(CAST(d:DECIMAL(10,2) AS DOUBLE) < f:DOUBLE):BOOL");
  EXPECT_EQ(Typed("f < 1"), "(f:DOUBLE < CAST(1:INT64 AS DOUBLE)):BOOL");
  EXPECT_EQ(Typed("d BETWEEN 1 AND 2.125"),
            "(CAST(d:DECIMAL(10,2) AS DECIMAL(11,3)) BETWEEN CAST(1:INT64 AS DECIMAL(18,3)) AND "
            "2.125:DECIMAL(4,3)):BOOL");
  EXPECT_EQ(Typed("i32 IN (1, NULL)"), "(CAST(i32:INT32 AS INT64) IN (1:INT64, NULL:INT64)):BOOL");
}

TEST(TypeCheck, ArithmeticResultTypes) {
  EXPECT_EQ(Typed("i32 + i32 > 0"),
            "((CAST(i32:INT32 AS INT64) + CAST(i32:INT32 AS INT64)):INT64 > 0:INT64):BOOL");
  EXPECT_EQ(Typed("d + d4 > 0"),
            "((CAST(d:DECIMAL(10,2) AS DECIMAL(12,4)) + d4:DECIMAL(12,4)):DECIMAL(18,4) > "
            "CAST(0:INT64 AS DECIMAL(18,4))):BOOL");
  EXPECT_EQ(
      Typed("d * d4 > 0"),
      "((d:DECIMAL(10,2) * d4:DECIMAL(12,4)):DECIMAL(18,6) > CAST(0:INT64 AS DECIMAL(18,6))):BOOL");
  EXPECT_EQ(Typed("d / 2 > 0"),
            "((d:DECIMAL(10,2) / CAST(2:INT64 AS DECIMAL(18,2))):DECIMAL(18,6) > "
            "CAST(0:INT64 AS DECIMAL(18,6))):BOOL");
  EXPECT_EQ(Typed("d % d4 > 0"),
            "((CAST(d:DECIMAL(10,2) AS DECIMAL(12,4)) % d4:DECIMAL(12,4)):DECIMAL(18,4) > "
            "CAST(0:INT64 AS DECIMAL(18,4))):BOOL");
  EXPECT_EQ(Typed("f * 2 > 0"),
            "((f:DOUBLE * CAST(2:INT64 AS DOUBLE)):DOUBLE > CAST(0:INT64 AS DOUBLE)):BOOL");
  EXPECT_EQ(Typed("-i32 > 0"), "((-CAST(i32:INT32 AS INT64)):INT64 > 0:INT64):BOOL");
}

TEST(TypeCheck, FunctionsAndNulls) {
  EXPECT_EQ(Typed("length(v) > 1"), "(length(v:VARCHAR(20)):INT64 > 1:INT64):BOOL");
  EXPECT_EQ(Typed("substr(v, i32, 2) = 'ab'"),
            "(substr(v:VARCHAR(20), CAST(i32:INT32 AS INT64), 2:INT64):VARCHAR(20) = "
            "'ab':VARCHAR(2)):BOOL");
  EXPECT_EQ(Typed("NULL"), "NULL:BOOL");
  EXPECT_EQ(Typed("NOT NULL"), "(NOT NULL:BOOL):BOOL");
  EXPECT_EQ(Typed("dt = NULL"), "(dt:DATE = NULL:DATE):BOOL");
}

TEST(TypeCheck, Errors) {
  auto first = [](std::string_view text) {
    std::string m = Typed(text);
    return m.substr(0, m.find('\n'));
  };
  EXPECT_EQ(first("dt = v"), "1:4: cannot compare DATE with VARCHAR(20)");
  EXPECT_EQ(first("b = 1"), "1:3: cannot compare BOOL with INT64");
  EXPECT_EQ(first("d"), "1:1: predicate must be BOOL, got DECIMAL(10,2)");
  EXPECT_EQ(first("c LIKE 'x' AND i32 LIKE 'y'"), "1:20: LIKE needs a string operand, got INT32");
  EXPECT_EQ(first("idd = 1"), "1:1: unknown column 'idd' (did you mean 'id'?)");
  EXPECT_EQ(first("zzzzzz = 1"), "1:1: unknown column 'zzzzzz'");
  EXPECT_EQ(first("u8(v) = 1"), "1:1: u8 takes 2 arguments, got 1");
  EXPECT_EQ(first("dt + 1 > dt"), "1:4: operator '+' needs numeric operands, got DATE and INT64");
}

TEST(TypeCheck, RawMode) {
  Schema raw = Schema::Raw();
  Result<ExprPtr> e = CompileExpr("KEY = 'a' AND Value > key", raw);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(ToTypedString(**e, raw),
            "((key:BYTES = 'a':VARCHAR(1)):BOOL AND (value:BYTES > key:BYTES):BOOL):BOOL");
}

}  // namespace
}  // namespace pushdown::bpfgen
