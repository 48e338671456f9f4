// Folding and normalisation are exact: for random predicates over random rows
// (NULLs, NaN, -0.0, CHAR padding included), the reference evaluator gives
// the same answer for the unfolded typed tree (CompileExpr), the compiled
// predicate (CompilePredicate) and the compiled canonical form.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"

namespace pushdown::bpfgen {
namespace {

constexpr char kDdl[] =
    "id INT64 KEY, i32 INT32, d DECIMAL(10,2), f DOUBLE, b BOOL, dt DATE, c CHAR(5), v VARCHAR(8)";

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  std::string Predicate(int depth) {
    int r = Pick(depth > 3 ? 9 : 13);
    switch (r) {
      case 0:
      case 1:
        return Num(depth + 1) + " " + Cmp() + " " + Num(depth + 1);
      case 2:
        return Str() + " " + Cmp() + " " + Str();
      case 3:
        return Pick("dt", "DATE '1994-01-01'") + " " + Cmp() + " " +
               Pick("dt", "DATE '1995-06-30'");
      case 4:
        return Num(depth + 1) + Not() + " BETWEEN " + Num(depth + 1) + " AND " + Num(depth + 1);
      case 5:
        return Num(depth + 1) + Not() + " IN (" + Num(depth + 1) + ", " + Num(depth + 1) + ")";
      case 6:
        return Str() + Not() + " LIKE " + Pick("'a%'", "'_b%'", "'%'", "'ab'");
      case 7:
        return Pick("i32", "d", "f", "b", "c", "v", "NULL") + " IS" + Not() + " NULL";
      case 8:
        return Pick("b", "TRUE", "FALSE", "NULL");
      case 9:
      case 10:
        return "NOT " + Paren(Predicate(depth + 1));
      case 11:
        return Paren(Predicate(depth + 1)) + " AND " + Paren(Predicate(depth + 1));
      default:
        return Paren(Predicate(depth + 1)) + " OR " + Paren(Predicate(depth + 1));
    }
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <typename... T>
  std::string Pick(T... options) {
    std::vector<std::string> v{options...};
    return v[Pick(static_cast<int>(v.size()))];
  }
  std::string Paren(const std::string& s) { return "(" + s + ")"; }
  std::string Not() { return Pick(3) == 0 ? " NOT" : ""; }
  std::string Cmp() { return Pick("=", "<>", "<", "<=", ">", ">="); }
  std::string Str() { return Pick("c", "v", "'a'", "'ab'", "'ab '", "''", "NULL"); }
  std::string Num(int depth) {
    int r = Pick(depth > 3 ? 4 : 6);
    switch (r) {
      case 0:
        return Pick("i32", "d", "f", "id");
      case 1:
        return Pick("0", "1", "-2", "1.5", "0.25", "2.00", "NULL");
      case 2:
        return Pick("9223372036854775807", "-9223372036854775808", "100000000000000000",
                    "0.000001");
      case 3:
        return Pick("length(v)", "length(c)");
      case 4:
        return Paren(Num(depth + 1) + " " + Pick("+", "-", "*", "/", "%") + " " + Num(depth + 1));
      default:
        return "-" + Num(depth + 1);
    }
  }

  std::mt19937 rng_;
};

std::vector<std::string> Rows(const Schema& schema, std::mt19937* rng) {
  RowLayout layout = RowLayout::Compute(schema);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(*rng); };
  std::vector<std::string> rows;
  for (int i = 0; i < 40; ++i) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<Datum> row = {
        Datum::Int(pick(5) - 2),
        pick(6) == 0 ? Datum::Null() : Datum::Int(pick(5) - 2),
        pick(6) == 0 ? Datum::Null()
                     : Datum::Int(std::vector<int64_t>{-150, 0, 100, 150, 225, 25}[pick(6)]),
        pick(6) == 0 ? Datum::Null()
                     : Datum::Double(std::vector<double>{-1.5, 0.0, -0.0, 1.0, 1.5, nan}[pick(6)]),
        pick(4) == 0 ? Datum::Null() : Datum::Bool(pick(2) == 1),
        pick(6) == 0 ? Datum::Null() : Datum::Int(std::vector<int64_t>{8766, 8800, 9311}[pick(3)]),
        pick(6) == 0
            ? Datum::Null()
            : Datum::String(std::vector<std::string>{"a", "ab", "", "ab   ", "b"}[pick(5)]),
        pick(6) == 0 ? Datum::Null()
                     : Datum::String(std::vector<std::string>{"a", "ab ", "ab", "", "ba"}[pick(5)]),
    };
    std::string value;
    Status s = EncodeRow(schema, layout, row, &value);
    EXPECT_TRUE(s.ok()) << s.ToString();
    rows.push_back(value);
  }
  return rows;
}

TEST(NormalizeExactness, RandomPredicatesAgreeWithTheEvaluator) {
  Result<Schema> parsed = ParseSchema(kDdl);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const Schema& schema = *parsed;
  Evaluator evaluator(schema);
  std::mt19937 rng(20261124);
  std::vector<std::string> rows = Rows(schema, &rng);
  Gen gen(42);
  int compiled = 0, compared = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = gen.Predicate(0);
    Result<ExprPtr> tree = CompileExpr(text, schema);
    if (!tree.ok()) continue;  // e.g. DECIMAL scale over 18
    Result<Predicate> predicate = CompilePredicate(text, schema);
    ASSERT_TRUE(predicate.ok()) << text << "\n" << predicate.status().message();
    std::string canonical = ToString(*predicate, schema);
    Result<Predicate> again = CompilePredicate(canonical, schema);
    ASSERT_TRUE(again.ok()) << canonical << "\n" << again.status().message();
    ++compiled;
    for (const std::string& row : rows) {
      Result<Tri> expected = evaluator.Eval(**tree, "k", row);
      ASSERT_TRUE(expected.ok()) << expected.status().ToString();
      Result<bool> got = evaluator.Matches(*predicate, "k", row);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      Result<bool> got_again = evaluator.Matches(*again, "k", row);
      ASSERT_TRUE(got_again.ok());
      ASSERT_EQ(*got, *expected == Tri::kTrue) << text << "\n=> " << canonical;
      ASSERT_EQ(*got_again, *got) << canonical;
      ++compared;
    }
  }
  EXPECT_GT(compiled, 1500);
  EXPECT_GT(compared, 60000);
}

}  // namespace
}  // namespace pushdown::bpfgen
