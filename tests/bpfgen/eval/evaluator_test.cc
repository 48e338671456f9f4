// Reference evaluator tests with hand-computed results. Each check runs the
// expression twice: unfolded (CompileExpr: parse + type check) through Eval,
// which gives the three-valued result, and folded + normalised
// (CompilePredicate) through Matches, which must be TRUE exactly when the
// former is TRUE.
#include "bpfgen/eval/evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/date.h"
#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {

// Readable Datum in gtest failure messages.
void PrintTo(const Datum& d, std::ostream* os) {
  if (d.null) {
    *os << "NULL";
  } else {
    *os << "{i=" << d.i << " d=" << d.d << " s='" << d.s << "'}";
  }
}

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
const Tri T = Tri::kTrue, F = Tri::kFalse, N = Tri::kNull;

constexpr std::string_view kDdl =
    "k INT64 KEY, i INT32, n INT64, q DECIMAL(15,2), d DATE, x DOUBLE, c CHAR(10), "
    "v VARCHAR(20), b1 BOOL, b2 BOOL";

int64_t Day(const char* s) {
  int32_t d = 0;
  EXPECT_TRUE(ParseDate(s, &d)) << s;
  return d;
}

// A row of kDdl with every nullable column NULL unless set.
struct RowBuilder {
  std::vector<Datum> row = std::vector<Datum>(10);
  RowBuilder() { row[0] = Datum::Int(1); }
  RowBuilder& I(int64_t v) { return Set(1, Datum::Int(v)); }
  RowBuilder& Nn(int64_t v) { return Set(2, Datum::Int(v)); }
  RowBuilder& Q(int64_t scaled) { return Set(3, Datum::Int(scaled)); }
  RowBuilder& D(const char* s) { return Set(4, Datum::Int(Day(s))); }
  RowBuilder& X(double v) { return Set(5, Datum::Double(v)); }
  RowBuilder& C(std::string_view s) { return Set(6, Datum::String(s)); }
  RowBuilder& V(std::string_view s) { return Set(7, Datum::String(s)); }
  RowBuilder& B1(Tri t) { return Set(8, FromTri(t)); }
  RowBuilder& B2(Tri t) { return Set(9, FromTri(t)); }
  RowBuilder& Set(int i, Datum d) {
    row[i] = std::move(d);
    return *this;
  }
};

class EvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ParseSchema(kDdl);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    schema_ = *s;
    eval_ = std::make_unique<Evaluator>(schema_);
  }

  std::string Encode(const RowBuilder& r) {
    std::string value;
    Status st = EncodeRow(schema_, eval_->layout(), r.row, &value);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return value;
  }

  // The three-valued result of `text` on row r; also checks that the folded,
  // normalised predicate matches exactly when the result is TRUE.
  Tri Eval(std::string_view text, const RowBuilder& r) {
    const std::string value = Encode(r);
    const std::string key = EncodeKey(schema_, r.row);
    auto expr = CompileExpr(text, schema_);
    EXPECT_TRUE(expr.ok()) << expr.status().ToString();
    if (!expr.ok()) return N;
    auto tri = eval_->Eval(**expr, key, value);
    EXPECT_TRUE(tri.ok()) << tri.status().ToString();
    auto pred = CompilePredicate(text, schema_);
    EXPECT_TRUE(pred.ok()) << pred.status().ToString();
    auto match = eval_->Matches(*pred, key, value);
    EXPECT_TRUE(match.ok());
    EXPECT_EQ(*match, *tri == T) << text << ": folded/normalised predicate disagrees";
    return *tri;
  }

  // The value of a non-BOOL expression.
  Datum Value(std::string_view text, const RowBuilder& r) {
    auto expr = CompileExpression(text, schema_);
    EXPECT_TRUE(expr.ok()) << expr.status().ToString();
    if (!expr.ok()) return Datum::Null();
    auto v = eval_->EvalValue(**expr, "", Encode(r));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Datum::Null();
  }

  Schema schema_;
  std::unique_ptr<Evaluator> eval_;
};

TEST_F(EvaluatorTest, KleeneTruthTables) {
  const Tri vals[] = {F, T, N};
  // Rows: AND, OR by (b1, b2), in the order F, T, N.
  const Tri kAnd[3][3] = {{F, F, F}, {F, T, N}, {F, N, N}};
  const Tri kOr[3][3] = {{F, T, N}, {T, T, T}, {N, T, N}};
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) {
      RowBuilder r;
      r.B1(vals[a]).B2(vals[b]);
      EXPECT_EQ(Eval("b1 AND b2", r), kAnd[a][b]) << a << b;
      EXPECT_EQ(Eval("b1 OR b2", r), kOr[a][b]) << a << b;
      EXPECT_EQ(Eval("NOT (b1 AND b2)", r), Not(kAnd[a][b])) << a << b;
      EXPECT_EQ(Eval("NOT b1 OR NOT b2", r), Not(kAnd[a][b])) << a << b;
    }
    RowBuilder r;
    r.B1(vals[a]);
    EXPECT_EQ(Eval("NOT b1", r), Not(vals[a]));
    EXPECT_EQ(Eval("NOT NOT b1", r), vals[a]);
    EXPECT_EQ(Eval("b1 = TRUE", r), vals[a]);
  }
  // NULL literals in the connectives.
  RowBuilder r;
  r.B1(F);
  EXPECT_EQ(Eval("b1 AND NULL", r), F);
  EXPECT_EQ(Eval("NOT b1 AND NULL", r), N);
  EXPECT_EQ(Eval("NOT b1 OR NULL", r), T);
  EXPECT_EQ(Eval("b1 OR NULL", r), N);
}

TEST_F(EvaluatorTest, IsNull) {
  RowBuilder r;
  r.I(5);
  EXPECT_EQ(Eval("i IS NULL", r), F);
  EXPECT_EQ(Eval("i IS NOT NULL", r), T);
  EXPECT_EQ(Eval("n IS NULL", r), T);
  EXPECT_EQ(Eval("n IS NOT NULL", r), F);
  EXPECT_EQ(Eval("NOT (n IS NULL)", r), F);
  EXPECT_EQ(Eval("n + 1 IS NULL", r), T);
  EXPECT_EQ(Eval("i + n IS NULL", r), T);
  EXPECT_EQ(Eval("v IS NULL AND c IS NULL AND b1 IS NULL", r), T);
  EXPECT_EQ(Eval("k IS NULL", r), F);
  // Comparisons with NULL are NULL, also NULL = NULL.
  EXPECT_EQ(Eval("n = n", r), N);
  EXPECT_EQ(Eval("n <> 1", r), N);
  EXPECT_EQ(Eval("i = NULL", r), N);
}

TEST_F(EvaluatorTest, InWithNull) {
  RowBuilder r;
  r.I(2);
  EXPECT_EQ(Eval("i IN (1, 2, 3)", r), T);
  EXPECT_EQ(Eval("i IN (1, 3)", r), F);
  EXPECT_EQ(Eval("i IN (1, NULL)", r), N);
  EXPECT_EQ(Eval("i IN (2, NULL)", r), T);
  EXPECT_EQ(Eval("i NOT IN (1, 3)", r), T);
  EXPECT_EQ(Eval("i NOT IN (1, NULL)", r), N);
  EXPECT_EQ(Eval("i NOT IN (2, NULL)", r), F);
  EXPECT_EQ(Eval("i IN (1, n)", r), N);  // n is NULL
  EXPECT_EQ(Eval("n IN (1, 2)", r), N);
  EXPECT_EQ(Eval("n NOT IN (1, 2)", r), N);
  EXPECT_EQ(Eval("i IN (k + 1, 7)", r), T);  // k = 1
  EXPECT_EQ(Eval("i IN (1.99, 2.00)", r), T);
  r.C("AIR").V("MAIL");
  EXPECT_EQ(Eval("c IN ('MAIL', 'AIR')", r), T);
  EXPECT_EQ(Eval("v IN ('MAIL ', 'AIR')", r), F);
}

TEST_F(EvaluatorTest, BetweenWithNullBounds) {
  RowBuilder r;
  r.I(5);
  EXPECT_EQ(Eval("i BETWEEN 1 AND 10", r), T);
  EXPECT_EQ(Eval("i BETWEEN 5 AND 5", r), T);
  EXPECT_EQ(Eval("i BETWEEN 6 AND 10", r), F);
  EXPECT_EQ(Eval("i BETWEEN 10 AND 1", r), F);
  EXPECT_EQ(Eval("i NOT BETWEEN 6 AND 10", r), T);
  EXPECT_EQ(Eval("i BETWEEN NULL AND 10", r), N);
  EXPECT_EQ(Eval("i BETWEEN NULL AND 4", r), F);  // x <= 4 is FALSE
  EXPECT_EQ(Eval("i BETWEEN 6 AND NULL", r), F);  // x >= 6 is FALSE
  EXPECT_EQ(Eval("i NOT BETWEEN NULL AND 4", r), T);
  EXPECT_EQ(Eval("i NOT BETWEEN NULL AND 10", r), N);
  EXPECT_EQ(Eval("i BETWEEN n AND 10", r), N);  // n is NULL
  EXPECT_EQ(Eval("n BETWEEN 1 AND 10", r), N);
  EXPECT_EQ(Eval("n NOT BETWEEN 1 AND 10", r), N);
}

TEST_F(EvaluatorTest, OverflowAndDivisionByZeroAreNull) {
  RowBuilder r;
  r.Nn(kMax).I(7);
  EXPECT_EQ(Eval("n + 1 > 0", r), N);
  EXPECT_EQ(Eval("n + 1 IS NULL", r), T);
  EXPECT_EQ(Eval("n + 0 = 9223372036854775807", r), T);
  EXPECT_EQ(Eval("n * 2 < 0", r), N);
  EXPECT_EQ(Eval("NOT (n * 2 < 0)", r), N);
  EXPECT_EQ(Eval("n - 1 = 9223372036854775806", r), T);
  EXPECT_EQ(Eval("i / 0 = 1", r), N);
  EXPECT_EQ(Eval("i % 0 = 1", r), N);
  EXPECT_EQ(Eval("i / 0 IS NULL", r), T);
  EXPECT_EQ(Eval("i / 2 = 3", r), T);
  EXPECT_EQ(Eval("-i / 2 = -3", r), T);
  EXPECT_EQ(Eval("-i % 2 = -1", r), T);
  // DECIMAL promotion that scales past int64: NULL.
  EXPECT_EQ(Eval("n > 0.5", r), N);
  r.Nn(kMin);
  EXPECT_EQ(Eval("n / -1 > 0", r), N);
  EXPECT_EQ(Eval("-n > 0", r), N);
  EXPECT_EQ(Eval("n - 1 < 0", r), N);
  EXPECT_EQ(Eval("n % -1 = 0", r), T);
  // Overflow inside an OR is NULL, and the other side can still make it TRUE.
  EXPECT_EQ(Eval("n - 1 < 0 OR i = 7", r), T);
  EXPECT_EQ(Eval("n - 1 < 0 OR i = 8", r), N);
  EXPECT_EQ(Eval("n - 1 < 0 AND i = 8", r), F);
}

TEST_F(EvaluatorTest, LikeAndCharPadding) {
  RowBuilder r;
  r.C("MAIL").V("special requests");
  EXPECT_EQ(Eval("c LIKE 'MAIL'", r), T);
  EXPECT_EQ(Eval("c LIKE 'M%'", r), T);
  EXPECT_EQ(Eval("c LIKE '%L'", r), T);
  EXPECT_EQ(Eval("c LIKE 'MAIL%'", r), T);
  EXPECT_EQ(Eval("c LIKE 'MAIL %'", r), F);  // padding is not part of the value
  EXPECT_EQ(Eval("c LIKE 'MAI_'", r), T);
  EXPECT_EQ(Eval("c LIKE 'MAI__'", r), F);
  EXPECT_EQ(Eval("c NOT LIKE 'AIR%'", r), T);
  EXPECT_EQ(Eval("c = 'MAIL'", r), T);
  EXPECT_EQ(Eval("c = 'MAIL    '", r), F);  // the literal is VARCHAR: its spaces count
  EXPECT_EQ(Eval("length(c) = 4", r), T);
  EXPECT_EQ(Eval("v LIKE '%special%requests%'", r), T);
  EXPECT_EQ(Eval("v LIKE '%requests%special%'", r), F);
  EXPECT_EQ(Eval("v LIKE '%'", r), T);
  EXPECT_EQ(Eval("v LIKE ''", r), F);
  EXPECT_EQ(Eval("v LIKE 'Special%'", r), F);  // case-sensitive
  EXPECT_EQ(Eval("v < 'special requestt'", r), T);
  EXPECT_EQ(Eval("v > 'special'", r), T);  // proper prefix sorts first
  r.V("");
  EXPECT_EQ(Eval("v LIKE ''", r), T);
  EXPECT_EQ(Eval("v LIKE '%'", r), T);
  EXPECT_EQ(Eval("v LIKE '_'", r), F);
  RowBuilder nulls;
  EXPECT_EQ(Eval("v LIKE '%'", nulls), N);
  EXPECT_EQ(Eval("v NOT LIKE '%'", nulls), N);
  EXPECT_EQ(Eval("c LIKE '%'", nulls), N);
}

TEST_F(EvaluatorTest, DecimalScaleAlignment) {
  RowBuilder r;
  r.Q(5);  // 0.05
  EXPECT_EQ(Eval("q = 0.05", r), T);
  EXPECT_EQ(Eval("q = 0.050", r), T);
  EXPECT_EQ(Eval("q = 0.5", r), F);
  EXPECT_EQ(Eval("q < 0.051", r), T);
  EXPECT_EQ(Eval("q > 0.049", r), T);
  EXPECT_EQ(Eval("q BETWEEN 0.05 AND 0.07", r), T);
  EXPECT_EQ(Eval("q BETWEEN 0.06 - 0.01 AND 0.07", r), T);
  EXPECT_EQ(Eval("q * 100 = 5", r), T);
  EXPECT_EQ(Eval("q + 1 = 1.05", r), T);
  EXPECT_EQ(Eval("q < 24", r), T);
  EXPECT_EQ(Value("q * 2", r), Datum::Int(1000));   // 2 -> 2.00: 0.1000 at scale 4
  EXPECT_EQ(Value("q * 0.5", r), Datum::Int(25));   // 0.025 at scale 3
  EXPECT_EQ(Value("q / 3", r), Datum::Int(16666));  // 0.016666 at scale 6
  EXPECT_EQ(Value("1 - q", r), Datum::Int(95));     // 0.95
  r.Q(2399);                                        // 23.99
  EXPECT_EQ(Eval("q < 24", r), T);
  EXPECT_EQ(Eval("q >= 23.99", r), T);
  EXPECT_EQ(Eval("q > 23.989", r), T);
  EXPECT_EQ(Eval("q = 23.990000", r), T);
  r.Q(-2400);
  EXPECT_EQ(Eval("q = -24", r), T);
  EXPECT_EQ(Eval("-q = 24", r), T);
  EXPECT_EQ(Eval("q % 7 = -3", r), T);  // -24.00 % 7 = -3.00
}

TEST_F(EvaluatorTest, DateComparisons) {
  RowBuilder r;
  r.D("1994-06-15");
  EXPECT_EQ(Eval("d >= DATE '1994-01-01' AND d < DATE '1995-01-01'", r), T);
  EXPECT_EQ(Eval("d = DATE '1994-06-15'", r), T);
  EXPECT_EQ(Eval("d > DATE '1994-06-15'", r), F);
  EXPECT_EQ(Eval("d BETWEEN DATE '1994-06-15' AND DATE '1994-06-15'", r), T);
  EXPECT_EQ(Eval("d IN (DATE '1994-06-14', DATE '1994-06-15')", r), T);
  r.D("0001-01-01");
  EXPECT_EQ(Eval("d < DATE '1970-01-01'", r), T);
  EXPECT_EQ(Eval("d <= DATE '0001-01-01'", r), T);
  r.D("9999-12-31");
  EXPECT_EQ(Eval("d > DATE '2000-02-29'", r), T);
  RowBuilder nulls;
  EXPECT_EQ(Eval("d < DATE '1995-01-01'", nulls), N);
}

TEST_F(EvaluatorTest, DoubleAndNaN) {
  RowBuilder r;
  r.X(std::nan(""));
  EXPECT_EQ(Eval("x = x", r), F);
  EXPECT_EQ(Eval("x <> x", r), T);
  EXPECT_EQ(Eval("x < 1", r), F);
  EXPECT_EQ(Eval("x >= 1", r), F);
  EXPECT_EQ(Eval("NOT (x < 1)", r), T);  // not the same as x >= 1
  EXPECT_EQ(Eval("x BETWEEN 0 AND 1", r), F);
  EXPECT_EQ(Eval("x NOT BETWEEN 0 AND 1", r), T);
  EXPECT_EQ(Eval("x IN (1, 2)", r), F);
  EXPECT_EQ(Eval("x IS NULL", r), F);
  r.X(1.5);
  EXPECT_EQ(Eval("x = 1.5", r), T);
  EXPECT_EQ(Eval("x > 1", r), T);
  EXPECT_EQ(Eval("x * 2 = 3", r), T);
  EXPECT_EQ(Eval("x / 0 > 1000000", r), T);  // IEEE: +inf
  r.X(-0.0);
  EXPECT_EQ(Eval("x = 0", r), T);
}

TEST_F(EvaluatorTest, IntegerPromotion) {
  RowBuilder r;
  r.I(2147483647).Nn(-5);
  EXPECT_EQ(Eval("i + 1 = 2147483648", r), T);  // INT64 arithmetic, no INT32 overflow
  EXPECT_EQ(Eval("i * i > 0", r), T);
  EXPECT_EQ(Eval("n < i", r), T);
  EXPECT_EQ(Eval("n * i = -10737418235", r), T);
}

TEST_F(EvaluatorTest, MalformedValueIsCorruption) {
  auto pred = CompilePredicate("i = 1", schema_);
  ASSERT_TRUE(pred.ok());
  RowBuilder r;
  r.I(1);
  std::string value = Encode(r);
  ASSERT_TRUE(*eval_->Matches(*pred, "", value));
  for (size_t n = 0; n < value.size(); ++n) {
    auto m = eval_->Matches(*pred, "", std::string_view(value).substr(0, n));
    ASSERT_FALSE(m.ok()) << n;
    EXPECT_TRUE(m.status().IsCorruption());
  }
  std::string bad = value;
  bad[0] = 9;
  EXPECT_TRUE(eval_->Matches(*pred, "", bad).status().IsCorruption());
  // Every value is checked, even when the predicate needs no column.
  auto always = CompilePredicate("1 = 1", schema_);
  ASSERT_TRUE(always.ok());
  EXPECT_TRUE(eval_->Matches(*always, "", bad).status().IsCorruption());
  EXPECT_TRUE(*eval_->Matches(*always, "", value));
}

TEST_F(EvaluatorTest, HandBuiltAst) {
  // i > 3, built by hand (kColumn + kCast to INT64 + kLiteral).
  auto col = std::make_unique<Expr>();
  col->kind = ExprKind::kColumn;
  col->column = 1;
  col->type = Type::Int32();
  auto cast = std::make_unique<Expr>();
  cast->kind = ExprKind::kCast;
  cast->type = Type::Int64();
  cast->children.push_back(std::move(col));
  auto lit = std::make_unique<Expr>();
  lit->kind = ExprKind::kLiteral;
  lit->type = Type::Int64();
  lit->literal_int = 3;
  Expr gt;
  gt.kind = ExprKind::kBinary;
  gt.binary_op = BinaryOp::kGt;
  gt.type = Type::Bool();
  gt.children.push_back(std::move(cast));
  gt.children.push_back(std::move(lit));
  RowBuilder r;
  r.I(4);
  EXPECT_EQ(*eval_->Eval(gt, "", Encode(r)), T);
  r.I(3);
  EXPECT_EQ(*eval_->Eval(gt, "", Encode(r)), F);
  EXPECT_TRUE(*eval_->Matches(std::vector<const Expr*>{}, "", Encode(r)));
  EXPECT_FALSE(*eval_->Matches(std::vector<const Expr*>{&gt}, "", Encode(r)));
  // A bad column index is an internal error, not a crash.
  gt.children[0]->children[0]->column = 99;
  EXPECT_EQ(eval_->Eval(gt, "", Encode(r)).status().code(), Status::Code::kInternal);
}

// ---- Raw mode ----

// db_bench's key format: the key number big-endian in the first 8 bytes,
// padded with '0' to key_size (16).
std::string DbBenchKey(uint64_t k) {
  std::string key(16, '0');
  for (int b = 0; b < 8; ++b) key[b] = static_cast<char>((k >> (8 * (7 - b))) & 0xff);
  return key;
}

TEST(RawEvaluatorTest, DbBenchKeysModulo) {
  const Schema raw = Schema::Raw();
  const Evaluator eval(raw);
  auto pred = CompilePredicate("u64be(key, 0) % 100 < 2", raw);
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  int matches = 0;
  for (uint64_t k = 0; k < 1000; ++k) {
    auto m = eval.Matches(*pred, DbBenchKey(k), "value bytes");
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(*m, k % 100 < 2) << k;
    matches += *m;
  }
  EXPECT_EQ(matches, 20);
  // Keys >= 2^63 read as negative: % has the dividend's sign, so < 2 holds.
  EXPECT_TRUE(*eval.Matches(*pred, DbBenchKey(0x8000000000000063ULL), ""));
}

TEST(RawEvaluatorTest, ReadPastEndIsNull) {
  const Schema raw = Schema::Raw();
  const Evaluator eval(raw);
  auto tri = [&](std::string_view text, std::string_view key, std::string_view value) {
    auto e = CompileExpr(text, raw);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    auto t = eval.Eval(**e, key, value);
    EXPECT_TRUE(t.ok());
    auto p = CompilePredicate(text, raw);
    EXPECT_TRUE(p.ok());
    EXPECT_EQ(*eval.Matches(*p, key, value), *t == T) << text;
    return *t;
  };
  EXPECT_EQ(tri("u64be(key, 0) > 0", "abcd", ""), N);
  EXPECT_EQ(tri("u64be(key, 0) IS NULL", "abcd", ""), T);
  EXPECT_EQ(tri("NOT (u64be(key, 0) > 0)", "abcd", ""), N);
  EXPECT_EQ(tri("u32be(key, 0) = 1633837924", "abcd", ""), T);
  EXPECT_EQ(tri("u32le(key, 1) > 0", "abcd", ""), N);
  EXPECT_EQ(tri("u8(value, length(value) - 1) = 122", "", "xyz"), T);
  EXPECT_EQ(tri("u8(value, length(value)) IS NULL", "", "xyz"), T);
  EXPECT_EQ(tri("u8(value, -1) IS NULL", "", "xyz"), T);
  EXPECT_EQ(tri("u16le(value, 9223372036854775807) IS NULL", "", "xyz"), T);
  EXPECT_EQ(tri("i32le(value, 0) = -1", "", "\xff\xff\xff\xff"), T);
  EXPECT_EQ(tri("i64be(value, 0) = -1", "", "\xff\xff\xff\xff\xff\xff\xff\xff"), T);
  EXPECT_EQ(tri("substr(key, 1, 2) = 'bc'", "abcd", ""), T);
  EXPECT_EQ(tri("substr(key, 3, 2) = 'd'", "abcd", ""), N);
  EXPECT_EQ(tri("substr(key, 3, 2) IS NULL", "abcd", ""), T);
  EXPECT_EQ(tri("starts_with(key, 'user')", "user0001", ""), T);
  EXPECT_EQ(tri("starts_with(key, 'user')", "use", ""), F);
  EXPECT_EQ(tri("length(key) = 0 AND length(value) = 0", "", ""), T);
  EXPECT_EQ(tri("key < 'b' AND key >= 'a'", "abcd", ""), T);
  EXPECT_EQ(tri("value LIKE '%needle%'", "", "hay needle hay"), T);
  EXPECT_EQ(tri("key = 'a\x01'", std::string("a\x01", 2), ""), T);
}

// ---- TPC-H Q6 on hand-made lineitem rows ----

TEST(LineitemEvaluatorTest, Q6) {
  auto s = ParseSchema(kLineitemDdl);
  ASSERT_TRUE(s.ok());
  const Evaluator eval(*s);
  auto q6 = CompilePredicate(
      "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
      "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24",
      *s);
  ASSERT_TRUE(q6.ok()) << q6.status().ToString();
  EXPECT_EQ(q6->conjuncts.size(), 4u);
  auto revenue_expr = CompileExpression("l_extendedprice * l_discount", *s);
  ASSERT_TRUE(revenue_expr.ok()) << revenue_expr.status().ToString();
  const Expr& revenue = **revenue_expr;
  ASSERT_EQ(revenue.type, Type::Decimal(18, 4));
  struct Case {
    const char* shipdate;
    int64_t discount;  // scale 2
    int64_t quantity;  // scale 2
    bool match;
  } cases[] = {
      {"1994-01-01", 5, 2399, true},  {"1993-12-31", 5, 100, false}, {"1994-12-31", 7, 100, true},
      {"1995-01-01", 6, 100, false},  {"1994-06-01", 4, 100, false}, {"1994-06-01", 8, 100, false},
      {"1994-06-01", 6, 2400, false}, {"1994-06-01", 6, -100, true},
  };
  const RowLayout layout = RowLayout::Compute(*s);
  for (const Case& c : cases) {
    std::vector<Datum> row = {Datum::Int(7),
                              Datum::Int(1),
                              Datum::Int(100),
                              Datum::Int(200),
                              Datum::Int(c.quantity),
                              Datum::Int(123456),
                              Datum::Int(c.discount),
                              Datum::Int(2),
                              Datum::String("N"),
                              Datum::String("O"),
                              Datum::Int(Day(c.shipdate)),
                              Datum::Int(Day("1994-02-01")),
                              Datum::Int(Day("1994-03-01")),
                              Datum::String("DELIVER IN PERSON"),
                              Datum::String("MAIL"),
                              Datum::String("carefully final deposits")};
    std::string value;
    ASSERT_TRUE(EncodeRow(*s, layout, row, &value).ok());
    const std::string key = EncodeKey(*s, row);
    EXPECT_EQ(*eval.Matches(*q6, key, value), c.match) << c.shipdate;
    // 1234.56 * 0.0d = revenue at scale 4.
    EXPECT_EQ(*eval.EvalValue(revenue, key, value), Datum::Int(123456 * c.discount));
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
