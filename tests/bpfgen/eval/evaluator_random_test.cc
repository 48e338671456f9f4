// Differential test of the front end against the reference evaluator on
// random predicates and rows: the unfolded typed AST (three-valued Eval), the
// folded + normalised predicate (Matches), its negation, and the canonical
// printed text re-compiled must all agree.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/date.h"
#include "bpfgen/schema/row_codec.h"

namespace pushdown::bpfgen {
namespace {

constexpr std::string_view kDdl =
    "k INT64 KEY, i INT32, n INT64, q DECIMAL(15,2), d DATE, x DOUBLE, c CHAR(6), "
    "v VARCHAR(8), b1 BOOL, b2 BOOL";

class PredicateGen {
 public:
  explicit PredicateGen(uint32_t seed) : rng_(seed) {}

  std::string Bool(int depth) {
    const int choice = static_cast<int>(rng_() % (depth <= 0 ? 6 : 12));
    switch (choice) {
      case 0:
        return Numeric(depth - 1) + " " + CmpOp() + " " + Numeric(depth - 1);
      case 1:
        return String() + " " + CmpOp() + " " + String();
      case 2:
        return Date() + " " + CmpOp() + " " + Date();
      case 3:
        return Pick({"b1", "b2", "TRUE", "FALSE", "NULL", "b1 = b2", "b1 <> TRUE"});
      case 4:
        return Numeric(depth - 1) + Pick({" IS NULL", " IS NOT NULL"});
      case 5:
        return String() + Pick({" LIKE ", " NOT LIKE "}) + Pattern();
      case 6:
        return Numeric(depth - 1) + Pick({" BETWEEN ", " NOT BETWEEN "}) + Numeric(depth - 1) +
               " AND " + Numeric(depth - 1);
      case 7: {
        std::string s = Numeric(depth - 1) + Pick({" IN (", " NOT IN ("});
        const int n = 1 + static_cast<int>(rng_() % 3);
        for (int k = 0; k < n; ++k) s += (k ? ", " : "") + Numeric(depth - 1);
        return s + ")";
      }
      case 8:
        return "NOT (" + Bool(depth - 1) + ")";
      case 9:
      case 10:
        return "(" + Bool(depth - 1) + Pick({" AND ", " OR "}) + Bool(depth - 1) + ")";
      default:
        return "(" + Bool(depth - 1) + ") IS NULL";
    }
  }

  std::string Numeric(int depth) {
    const int choice = static_cast<int>(rng_() % (depth <= 0 ? 3 : 6));
    switch (choice) {
      case 0:
        return Pick({"i", "n", "q", "x", "k"});
      case 1:
        return Pick({"0", "1", "2", "-1", "7", "0.05", "0.5", "23.99", "100", "2147483647",
                     "9223372036854775807", "-9223372036854775807", "NULL", "1.000"});
      case 2:
        return Pick({"length(v)", "length(c)", "i", "q"});
      case 3:
        return "-" + Numeric(depth - 1);
      default:
        return "(" + Numeric(depth - 1) + Pick({" + ", " - ", " * ", " / ", " % "}) +
               Numeric(depth - 1) + ")";
    }
  }

  std::string String() { return Pick({"c", "v", "'AIR'", "'MAIL '", "''", "'A'", "NULL"}); }
  std::string Pattern() { return Pick({"'%'", "''", "'A%'", "'%L'", "'_I_'", "'%A%I%'", "'AIR'"}); }
  std::string Date() {
    return Pick({"d", "DATE '1994-01-01'", "DATE '0001-01-01'", "DATE '9999-12-31'", "NULL"});
  }
  std::string CmpOp() { return Pick({"=", "<>", "<", "<=", ">", ">="}); }

  std::vector<Datum> Row() {
    auto maybe_null = [&](Datum d) { return rng_() % 4 == 0 ? Datum::Null() : d; };
    static const int64_t kInts[] = {0,
                                    1,
                                    -1,
                                    2,
                                    7,
                                    100,
                                    std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::min()};
    static const double kDoubles[] = {0.0, -0.0, 0.05, 1.5, -7, 1e300, NAN, INFINITY};
    static const char* kStrings[] = {"", "A", "AIR", "MAIL", "AIR   ", "MAIL ", "AxIxL"};
    std::vector<Datum> row;
    row.push_back(Datum::Int(kInts[rng_() % 8]));
    row.push_back(maybe_null(Datum::Int(static_cast<int32_t>(kInts[rng_() % 6]))));
    row.push_back(maybe_null(Datum::Int(kInts[rng_() % 8])));
    row.push_back(maybe_null(Datum::Int(kInts[rng_() % 6] * 5)));
    row.push_back(maybe_null(Datum::Int(rng_() % 2 ? 8766 : kMinDateDays)));
    row.push_back(maybe_null(Datum::Double(kDoubles[rng_() % 8])));
    std::string c = kStrings[rng_() % 7];
    if (c.size() > 6) c.resize(6);
    row.push_back(maybe_null(Datum::String(c)));
    row.push_back(maybe_null(Datum::String(kStrings[rng_() % 7])));
    row.push_back(maybe_null(Datum::Bool(rng_() % 2)));
    row.push_back(maybe_null(Datum::Bool(rng_() % 2)));
    return row;
  }

 private:
  std::string Pick(std::initializer_list<const char*> options) {
    return *(options.begin() + rng_() % options.size());
  }

  std::mt19937 rng_;
};

class EvaluatorRandomTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(EvaluatorRandomTest, FrontEndPassesPreserveSemantics) {
  auto schema = ParseSchema(kDdl);
  ASSERT_TRUE(schema.ok());
  const Evaluator eval(*schema);
  PredicateGen gen(GetParam());
  std::vector<std::string> rows;
  for (int r = 0; r < 40; ++r) {
    std::string value;
    ASSERT_TRUE(EncodeRow(*schema, eval.layout(), gen.Row(), &value).ok());
    rows.push_back(value);
  }
  int compiled = 0, matched = 0, nulls = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const std::string text = gen.Bool(3);
    auto expr = CompileExpr(text, *schema);
    if (!expr.ok()) {
      // Only type errors (e.g. a DECIMAL product past scale 18) are expected.
      ASSERT_TRUE(expr.status().IsInvalidArgument()) << text;
      continue;
    }
    ++compiled;
    auto pred = CompilePredicate(text, *schema);
    ASSERT_TRUE(pred.ok()) << text << "\n" << pred.status().ToString();
    auto negated_expr = CompileExpr("NOT (" + text + ")", *schema);
    ASSERT_TRUE(negated_expr.ok()) << text;
    auto negated = CompilePredicate("NOT (" + text + ")", *schema);
    ASSERT_TRUE(negated.ok()) << text;
    const std::string printed = ToString(*pred, *schema);
    // Known front-end limitation: a NULL folded from a typed subexpression
    // prints as a bare NULL, which loses its type and so can change the
    // promotion of its siblings (e.g. `i NOT BETWEEN <overflow> AND n`: n is
    // cast to DECIMAL, overflowing to NULL, before printing but not after).
    // The printed round trip is checked only without such NULLs.
    const bool check_printed = printed.find("NULL") == std::string::npos;
    auto reparsed = CompilePredicate(printed, *schema);
    ASSERT_TRUE(reparsed.ok()) << text << "\nprinted: " << printed << "\n"
                               << reparsed.status().ToString();
    for (const std::string& value : rows) {
      auto tri = eval.Eval(**expr, "", value);
      ASSERT_TRUE(tri.ok());
      auto m = eval.Matches(*pred, "", value);
      ASSERT_TRUE(m.ok());
      ASSERT_EQ(*m, *tri == Tri::kTrue)
          << text << " (" << TriName(*tri) << ")\nnormalised: " << ToString(*pred, *schema);
      auto ntri = eval.Eval(**negated_expr, "", value);
      ASSERT_TRUE(ntri.ok());
      ASSERT_EQ(*ntri, Not(*tri)) << text;
      ASSERT_EQ(*eval.Matches(*negated, "", value), *tri == Tri::kFalse)
          << "NOT (" << text << ")\nnormalised: " << ToString(*negated, *schema);
      if (check_printed && *eval.Matches(*reparsed, "", value) != *m) {
        std::vector<Datum> row;
        ASSERT_TRUE(DecodeRow(*schema, eval.layout(), value, &row).ok());
        std::string desc;
        for (size_t i = 0; i < row.size(); ++i) {
          desc +=
              schema->columns[i].name + "=" + FormatDatum(row[i], schema->columns[i].type) + " ";
        }
        auto printed_expr = CompileExpr(printed, *schema);
        FAIL() << text << " is " << TriName(*tri) << "\nprinted: " << printed << " is "
               << TriName(*eval.Eval(**printed_expr, "", value)) << " unfolded, matches "
               << *eval.Matches(*reparsed, "", value) << " normalised as "
               << ToString(*reparsed, *schema) << "\nrow: " << desc;
      }
      matched += *m;
      nulls += *tri == Tri::kNull;
    }
  }
  // The generator exercises all three outcomes.
  EXPECT_GT(compiled, 2000);
  EXPECT_GT(matched, 1000);
  EXPECT_GT(nulls, 1000);
}

INSTANTIATE_TEST_SUITE_P(Seeds, EvaluatorRandomTest, ::testing::Values(7u, 8u, 9u));

}  // namespace
}  // namespace pushdown::bpfgen
