#include "bpfgen/schema/scalar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace pushdown::bpfgen {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
const Type kI64 = Type::Int64();
const Type kI32 = Type::Int32();
const Type kDbl = Type::Double();
const Type kDec152 = Type::Decimal(15, 2);
const Type kVc = Type::Varchar(100);
const Type kBytes = Type::Bytes();
const Datum kNull = Datum::Null();

Datum I(int64_t v) { return Datum::Int(v); }
Datum D(double v) { return Datum::Double(v); }
Datum S(std::string_view v) { return Datum::String(v); }

Datum ArithAuto(ArithOp op, const Datum& a, const Type& ta, const Datum& b, const Type& tb) {
  Type result;
  EXPECT_TRUE(ArithResultType(op, ta, tb, &result));
  return Arith(op, a, ta, b, tb, result);
}

// ---- Kleene logic ----

TEST(ScalarTest, KleeneTruthTables) {
  const Tri F = Tri::kFalse, T = Tri::kTrue, N = Tri::kNull;
  // AND
  EXPECT_EQ(And(T, T), T);
  EXPECT_EQ(And(T, F), F);
  EXPECT_EQ(And(T, N), N);
  EXPECT_EQ(And(F, N), F);
  EXPECT_EQ(And(N, F), F);
  EXPECT_EQ(And(N, N), N);
  EXPECT_EQ(And(F, F), F);
  // OR
  EXPECT_EQ(Or(T, N), T);
  EXPECT_EQ(Or(N, T), T);
  EXPECT_EQ(Or(F, N), N);
  EXPECT_EQ(Or(N, N), N);
  EXPECT_EQ(Or(F, F), F);
  EXPECT_EQ(Or(F, T), T);
  // NOT
  EXPECT_EQ(Not(T), F);
  EXPECT_EQ(Not(F), T);
  EXPECT_EQ(Not(N), N);
  EXPECT_EQ(ToTri(kNull), N);
  EXPECT_EQ(ToTri(Datum::Bool(true)), T);
  EXPECT_EQ(FromTri(N), kNull);
  EXPECT_EQ(FromTri(F), Datum::Bool(false));
}

// ---- Checked int64 ----

TEST(ScalarTest, IntegerOverflowIsNull) {
  EXPECT_EQ(ArithAuto(ArithOp::kAdd, I(kMax), kI64, I(1), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kAdd, I(kMax), kI64, I(0), kI64), I(kMax));
  EXPECT_EQ(ArithAuto(ArithOp::kSub, I(kMin), kI64, I(1), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kSub, I(0), kI64, I(kMin), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kMul, I(kMax / 2 + 1), kI64, I(2), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kMul, I(kMin), kI64, I(-1), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kMul, I(-4611686018427387904LL), kI64, I(2), kI64), I(kMin));
  EXPECT_EQ(ArithAuto(ArithOp::kDiv, I(kMin), kI64, I(-1), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kDiv, I(kMin), kI64, I(1), kI64), I(kMin));
  EXPECT_EQ(ArithAuto(ArithOp::kMod, I(kMin), kI64, I(-1), kI64), I(0));
  EXPECT_EQ(Negate(I(kMin), kI64), kNull);
  EXPECT_EQ(Negate(I(kMax), kI64), I(-kMax));
}

TEST(ScalarTest, DivisionByZeroIsNull) {
  EXPECT_EQ(ArithAuto(ArithOp::kDiv, I(7), kI64, I(0), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kMod, I(7), kI64, I(0), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kDiv, I(0), kI64, I(0), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kDiv, I(150), kDec152, I(0), kDec152), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kMod, I(150), kDec152, I(0), kI64), kNull);
  // DOUBLE is IEEE.
  EXPECT_TRUE(std::isinf(ArithAuto(ArithOp::kDiv, D(1), kDbl, D(0), kDbl).d));
  EXPECT_TRUE(std::isnan(ArithAuto(ArithOp::kDiv, D(0), kDbl, D(0), kDbl).d));
}

TEST(ScalarTest, IntegerDivisionTruncatesAndModHasDividendSign) {
  EXPECT_EQ(ArithAuto(ArithOp::kDiv, I(7), kI64, I(2), kI64), I(3));
  EXPECT_EQ(ArithAuto(ArithOp::kDiv, I(-7), kI64, I(2), kI64), I(-3));
  EXPECT_EQ(ArithAuto(ArithOp::kDiv, I(7), kI64, I(-2), kI64), I(-3));
  EXPECT_EQ(ArithAuto(ArithOp::kMod, I(7), kI64, I(3), kI64), I(1));
  EXPECT_EQ(ArithAuto(ArithOp::kMod, I(-7), kI64, I(3), kI64), I(-1));
  EXPECT_EQ(ArithAuto(ArithOp::kMod, I(7), kI64, I(-3), kI64), I(1));
  EXPECT_EQ(ArithAuto(ArithOp::kMod, I(-7), kI64, I(-3), kI64), I(-1));
}

TEST(ScalarTest, Int32PromotesToInt64) {
  Type r;
  ASSERT_TRUE(ArithResultType(ArithOp::kAdd, kI32, kI32, &r));
  EXPECT_EQ(r, kI64);
  // 2^31 - 1 + 1 does not overflow: the result is INT64.
  EXPECT_EQ(Arith(ArithOp::kAdd, I(2147483647), kI32, I(1), kI32, r), I(2147483648LL));
  EXPECT_EQ(Compare(CmpOp::kLt, I(-5), kI32, I(3), kI64), Tri::kTrue);
}

TEST(ScalarTest, NullOperands) {
  EXPECT_EQ(ArithAuto(ArithOp::kAdd, kNull, kI64, I(1), kI64), kNull);
  EXPECT_EQ(ArithAuto(ArithOp::kMul, I(0), kI64, kNull, kI64), kNull);
  EXPECT_EQ(Negate(kNull, kI64), kNull);
  EXPECT_EQ(Compare(CmpOp::kEq, kNull, kI64, kNull, kI64), Tri::kNull);
  EXPECT_EQ(Compare(CmpOp::kNe, kNull, kI64, I(1), kI64), Tri::kNull);
  EXPECT_EQ(Compare(CmpOp::kEq, kNull, kVc, S(""), kVc), Tri::kNull);
  EXPECT_EQ(Cast(kNull, kI64, kDbl), kNull);
}

// ---- DECIMAL ----

TEST(ScalarTest, DecimalScaleAlignment) {
  // 0.05 is DECIMAL(2,2) scaled 5; l_discount DECIMAL(15,2) 0.05 is scaled 5.
  const Type lit = Type::Decimal(2, 2);
  EXPECT_EQ(Compare(CmpOp::kEq, I(5), kDec152, I(5), lit), Tri::kTrue);
  // 0.050 (DECIMAL(4,3), scaled 50) == 0.05 (scale 2).
  EXPECT_EQ(Compare(CmpOp::kEq, I(50), Type::Decimal(4, 3), I(5), kDec152), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kLt, I(49), Type::Decimal(4, 3), I(5), kDec152), Tri::kTrue);
  // INT64 24 vs DECIMAL(15,2) 23.99.
  EXPECT_EQ(Compare(CmpOp::kGt, I(24), kI64, I(2399), kDec152), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kEq, I(24), kI64, I(2400), kDec152), Tri::kTrue);
  // 1.5 + 2 = 3.5 at scale 1; 1.25 + 0.5 = 1.75 at scale 2.
  EXPECT_EQ(ArithAuto(ArithOp::kAdd, I(15), Type::Decimal(2, 1), I(2), kI64), I(35));
  EXPECT_EQ(ArithAuto(ArithOp::kAdd, I(125), Type::Decimal(3, 2), I(5), Type::Decimal(1, 1)),
            I(175));
  EXPECT_EQ(ArithAuto(ArithOp::kSub, I(125), Type::Decimal(3, 2), I(5), Type::Decimal(1, 1)),
            I(75));
  // 5.5 % 2 = 1.5; -5.5 % 2 = -1.5.
  EXPECT_EQ(ArithAuto(ArithOp::kMod, I(55), Type::Decimal(2, 1), I(2), kI64), I(15));
  EXPECT_EQ(ArithAuto(ArithOp::kMod, I(-55), Type::Decimal(2, 1), I(2), kI64), I(-15));
}

TEST(ScalarTest, DecimalMulAndDivScales) {
  Type r;
  ASSERT_TRUE(ArithResultType(ArithOp::kMul, kDec152, kDec152, &r));
  EXPECT_EQ(r, Type::Decimal(18, 4));
  // 1.50 * 2.25 = 3.3750
  EXPECT_EQ(Arith(ArithOp::kMul, I(150), kDec152, I(225), kDec152, r), I(33750));
  // l_extendedprice * (1 - l_discount): 100.00 * (1 - 0.05) = 95.0000
  const Datum one_minus = ArithAuto(ArithOp::kSub, I(1), kI64, I(5), kDec152);
  EXPECT_EQ(one_minus, I(95));
  EXPECT_EQ(Arith(ArithOp::kMul, I(10000), kDec152, one_minus, Type::Decimal(18, 2), r), I(950000));
  EXPECT_FALSE(ArithResultType(ArithOp::kMul, Type::Decimal(18, 10), Type::Decimal(18, 9), &r));
  // An integer operand is promoted to the decimal's scale first.
  ASSERT_TRUE(ArithResultType(ArithOp::kMul, kDec152, kI64, &r));
  EXPECT_EQ(r, Type::Decimal(18, 4));
  EXPECT_EQ(Arith(ArithOp::kMul, I(5), kDec152, I(2), kI64, r), I(1000));  // 0.05 * 2 = 0.1000
  EXPECT_EQ(Arith(ArithOp::kMul, I(5), kDec152, I(200), kDec152, r), I(1000));
  EXPECT_FALSE(ArithResultType(ArithOp::kMul, Type::Decimal(18, 10), kI64, &r));

  ASSERT_TRUE(ArithResultType(ArithOp::kDiv, kDec152, kDec152, &r));
  EXPECT_EQ(r, Type::Decimal(18, 6));
  // 1.00 / 3.00 = 0.333333 (truncated)
  EXPECT_EQ(Arith(ArithOp::kDiv, I(100), kDec152, I(300), kDec152, r), I(333333));
  // -2.00 / 3.00 = -0.666666 (toward zero)
  EXPECT_EQ(Arith(ArithOp::kDiv, I(-200), kDec152, I(300), kDec152, r), I(-666666));
  // 7 / 0.5 -> scale 6: 14.000000
  ASSERT_TRUE(ArithResultType(ArithOp::kDiv, kI64, Type::Decimal(1, 1), &r));
  EXPECT_EQ(r, Type::Decimal(18, 6));
  EXPECT_EQ(Arith(ArithOp::kDiv, I(7), kI64, I(5), Type::Decimal(1, 1), r), I(14000000));
  // Scale-up overflow in the dividend -> NULL.
  EXPECT_EQ(Arith(ArithOp::kDiv, I(kMax / 10), kI64, I(1), kI64, Type::Decimal(18, 6)), kNull);
  // 10^(s - s1 + s2) beyond 10^18 only works for a zero dividend.
  const Type d18 = Type::Decimal(18, 18);
  EXPECT_EQ(Arith(ArithOp::kDiv, I(0), kI64, I(1), d18, d18), I(0));
  EXPECT_EQ(Arith(ArithOp::kDiv, I(1), kI64, I(1), d18, d18), kNull);
}

TEST(ScalarTest, DecimalPromotionOverflowIsNull) {
  // 10^17 as DECIMAL(.,2) needs 10^19: NULL, so the comparison is NULL.
  EXPECT_EQ(Compare(CmpOp::kEq, I(100000000000000000LL), kI64, I(0), kDec152), Tri::kNull);
  EXPECT_EQ(Cast(I(100000000000000000LL), kI64, Type::Decimal(18, 2)), kNull);
  EXPECT_EQ(Cast(I(92233720368547758LL), kI64, Type::Decimal(18, 2)), I(9223372036854775800LL));
  EXPECT_EQ(ArithAuto(ArithOp::kAdd, I(kMax), Type::Decimal(18, 0), I(1), Type::Decimal(1, 1)),
            kNull);
}

TEST(ScalarTest, Casts) {
  EXPECT_EQ(Cast(I(5), kI32, kI64), I(5));
  EXPECT_EQ(Cast(I(5), kI64, kDec152), I(500));
  EXPECT_EQ(Cast(I(-1234), kDec152, Type::Decimal(10, 0)), I(-12));  // truncates
  EXPECT_EQ(Cast(I(1LL << 40), kI64, kI32), kNull);
  EXPECT_EQ(Cast(I(150), kDec152, kDbl), D(1.5));
  EXPECT_EQ(Cast(D(1.999), kDbl, kDec152), I(199));
  EXPECT_EQ(Cast(D(-2.5), kDbl, kI64), I(-2));
  EXPECT_EQ(Cast(D(NAN), kDbl, kI64), kNull);
  EXPECT_EQ(Cast(D(1e19), kDbl, kI64), kNull);
  EXPECT_EQ(Cast(D(-9223372036854775808.0), kDbl, kI64), I(kMin));
  EXPECT_EQ(Cast(S("ab  "), Type::Char(4), kVc), S("ab"));
  EXPECT_EQ(Cast(S("ab  "), kVc, kBytes), S("ab  "));
  EXPECT_EQ(Cast(I(3), Type::Date(), kI64), kNull);
  EXPECT_EQ(PromoteNumeric(kI32, kDec152), Type::Decimal(18, 2));
  EXPECT_EQ(PromoteNumeric(kDec152, kDec152), kDec152);
  EXPECT_EQ(PromoteNumeric(Type::Decimal(4, 3), kDec152), Type::Decimal(18, 3));
  EXPECT_EQ(PromoteNumeric(kI32, kI32), kI64);
  EXPECT_EQ(PromoteNumeric(kDec152, kDbl), kDbl);
}

// ---- DOUBLE ----

TEST(ScalarTest, DoubleNaNComparisons) {
  const Datum nan = D(std::nan(""));
  EXPECT_EQ(Compare(CmpOp::kEq, nan, kDbl, nan, kDbl), Tri::kFalse);
  EXPECT_EQ(Compare(CmpOp::kNe, nan, kDbl, nan, kDbl), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kNe, nan, kDbl, D(1), kDbl), Tri::kTrue);
  for (CmpOp op : {CmpOp::kLt, CmpOp::kLe, CmpOp::kGt, CmpOp::kGe}) {
    EXPECT_EQ(Compare(op, nan, kDbl, D(1), kDbl), Tri::kFalse);
    EXPECT_EQ(Compare(op, D(1), kDbl, nan, kDbl), Tri::kFalse);
    EXPECT_EQ(Compare(op, nan, kDbl, I(1), kI64), Tri::kFalse);
  }
  EXPECT_EQ(Compare(CmpOp::kEq, D(-0.0), kDbl, D(0.0), kDbl), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kLt, D(1.49), kDbl, I(150), kDec152), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kEq, D(1.5), kDbl, I(150), kDec152), Tri::kTrue);
  EXPECT_EQ(ArithAuto(ArithOp::kAdd, D(0.5), kDbl, I(2), kI64), D(2.5));
  EXPECT_EQ(ArithAuto(ArithOp::kMod, D(-5.5), kDbl, D(2), kDbl), D(-1.5));
  EXPECT_EQ(Negate(D(0.0), kDbl), D(-0.0));
}

// ---- Comparisons and strings ----

TEST(ScalarTest, IntegerComparisons) {
  EXPECT_EQ(Compare(CmpOp::kLt, I(kMin), kI64, I(kMax), kI64), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kGe, I(3), kI64, I(3), kI64), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kGt, I(3), kI64, I(3), kI64), Tri::kFalse);
  EXPECT_EQ(Compare(CmpOp::kNe, I(3), kI64, I(4), kI64), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kLe, I(-1), Type::Date(), I(0), Type::Date()), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kEq, Datum::Bool(true), Type::Bool(), Datum::Bool(true), Type::Bool()),
            Tri::kTrue);
}

TEST(ScalarTest, StringComparisons) {
  EXPECT_EQ(Compare(CmpOp::kLt, S("ab"), kVc, S("abc"), kVc), Tri::kTrue);  // prefix first
  EXPECT_EQ(Compare(CmpOp::kLt, S("abc"), kVc, S("abd"), kVc), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kLt, S(""), kVc, S("a"), kVc), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kGt, S("\xff"), kBytes, S("\x01"), kBytes), Tri::kTrue);  // unsigned
  EXPECT_EQ(Compare(CmpOp::kLt, S(std::string("a\0", 2)), kBytes, S("a\x01"), kBytes), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kGt, S(std::string("a\0", 2)), kBytes, S("a"), kBytes), Tri::kTrue);
  // CHAR padding is ignored; VARCHAR trailing spaces are not.
  const Type c10 = Type::Char(10);
  EXPECT_EQ(Compare(CmpOp::kEq, S("MAIL      "), c10, S("MAIL"), kVc), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kEq, S("MAIL"), c10, S("MAIL"), kVc), Tri::kTrue);
  EXPECT_EQ(Compare(CmpOp::kEq, S("MAIL      "), c10, S("MAIL "), kVc), Tri::kFalse);
  EXPECT_EQ(Compare(CmpOp::kEq, S("MAIL "), kVc, S("MAIL"), kVc), Tri::kFalse);
  EXPECT_EQ(Compare(CmpOp::kEq, S("A  "), Type::Char(3), S("A"), Type::Char(1)), Tri::kTrue);
  EXPECT_EQ(CompareBytes("a", "b"), -1);
  EXPECT_EQ(CompareBytes("b", "a"), 1);
  EXPECT_EQ(CompareBytes("", ""), 0);
}

TEST(ScalarTest, BetweenAndIn) {
  EXPECT_EQ(Between(I(5), kDec152, I(5), Type::Decimal(2, 2), I(7), Type::Decimal(2, 2)),
            Tri::kTrue);
  EXPECT_EQ(Between(I(8), kDec152, I(5), Type::Decimal(2, 2), I(7), Type::Decimal(2, 2)),
            Tri::kFalse);
  // NULL bound: NULL unless the other side is already FALSE.
  EXPECT_EQ(Between(I(5), kI64, kNull, kI64, I(7), kI64), Tri::kNull);
  EXPECT_EQ(Between(I(8), kI64, kNull, kI64, I(7), kI64), Tri::kFalse);
  EXPECT_EQ(Between(I(0), kI64, I(1), kI64, kNull, kI64), Tri::kFalse);
  EXPECT_EQ(Between(kNull, kI64, I(1), kI64, I(2), kI64), Tri::kNull);
  EXPECT_EQ(Between(I(5), kI64, I(7), kI64, I(5), kI64), Tri::kFalse);  // empty range

  std::vector<TypedDatum> items = {{I(1), kI64}, {I(2), kI64}};
  EXPECT_EQ(InList(I(2), kI64, items), Tri::kTrue);
  EXPECT_EQ(InList(I(3), kI64, items), Tri::kFalse);
  EXPECT_EQ(InList(kNull, kI64, items), Tri::kNull);
  items.push_back({kNull, kI64});
  EXPECT_EQ(InList(I(2), kI64, items), Tri::kTrue);
  EXPECT_EQ(InList(I(3), kI64, items), Tri::kNull);
  EXPECT_EQ(Not(InList(I(3), kI64, items)), Tri::kNull);  // NOT IN with a NULL: never TRUE
  EXPECT_EQ(Not(InList(I(2), kI64, items)), Tri::kFalse);
  EXPECT_EQ(InList(I(150), kDec152, {{I(1), kI64}, {I(15), Type::Decimal(2, 1)}}), Tri::kTrue);
  EXPECT_EQ(InList(S("AIR   "), Type::Char(6), {{S("MAIL"), kVc}, {S("AIR"), kVc}}), Tri::kTrue);
  EXPECT_EQ(InList(I(1), kI64, {}), Tri::kFalse);
}

TEST(ScalarTest, LikeBasics) {
  EXPECT_TRUE(LikeMatch("", ""));
  EXPECT_TRUE(LikeMatch("", "%"));
  EXPECT_TRUE(LikeMatch("", "%%"));
  EXPECT_FALSE(LikeMatch("", "_"));
  EXPECT_FALSE(LikeMatch("a", ""));
  EXPECT_TRUE(LikeMatch("abc", "abc"));
  EXPECT_FALSE(LikeMatch("abc", "ab"));
  EXPECT_FALSE(LikeMatch("ab", "abc"));
  EXPECT_TRUE(LikeMatch("abc", "a%"));
  EXPECT_TRUE(LikeMatch("abc", "%c"));
  EXPECT_TRUE(LikeMatch("abc", "%b%"));
  EXPECT_TRUE(LikeMatch("abc", "a_c"));
  EXPECT_FALSE(LikeMatch("abbc", "a_c"));
  EXPECT_TRUE(LikeMatch("abbc", "a__c"));
  EXPECT_TRUE(LikeMatch("abc", "%%%abc%%%"));
  EXPECT_FALSE(LikeMatch("abc", "ABC"));  // case-sensitive
  EXPECT_TRUE(LikeMatch("special requests", "%special%requests%"));
  EXPECT_TRUE(LikeMatch("aXbXc", "%X%X%"));
  EXPECT_FALSE(LikeMatch("aXbc", "%X%X%"));
  EXPECT_TRUE(LikeMatch("mississippi", "%iss%ppi"));
  EXPECT_TRUE(LikeMatch("mississippi", "m%ss%s%i"));
  EXPECT_FALSE(LikeMatch("mississippi", "m%ss%sx%i"));
  EXPECT_TRUE(LikeMatch(std::string("a\0b", 3), std::string("a\0%", 3)));
  EXPECT_TRUE(LikeMatch("a\xff", "a_"));
  EXPECT_TRUE(LikeMatch("ab%", "ab%"));  // '%' in s is just a byte
  EXPECT_TRUE(LikeMatch("abxyz", "ab%"));
}

// Reference: a memoised recursive matcher (exponential-free via DP).
bool LikeReference(std::string_view s, std::string_view p) {
  std::vector<std::vector<char>> dp(s.size() + 1, std::vector<char>(p.size() + 1, 0));
  dp[s.size()][p.size()] = 1;
  for (size_t i = s.size() + 1; i-- > 0;) {
    for (size_t j = p.size(); j-- > 0;) {
      if (p[j] == '%') {
        dp[i][j] = dp[i][j + 1] || (i < s.size() && dp[i + 1][j]);
      } else {
        dp[i][j] = i < s.size() && (p[j] == '_' || p[j] == s[i]) && dp[i + 1][j + 1];
      }
    }
  }
  return dp[0][0];
}

TEST(ScalarTest, LikeMatchesReferenceOnRandomInputs) {
  std::mt19937 rng(42);
  const char alphabet[] = {'a', 'b', '%', '_'};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s, p;
    const int sn = static_cast<int>(rng() % 8), pn = static_cast<int>(rng() % 7);
    for (int k = 0; k < sn; ++k) s += alphabet[rng() % 2];
    for (int k = 0; k < pn; ++k) p += alphabet[rng() % 4];
    ASSERT_EQ(LikeMatch(s, p), LikeReference(s, p)) << "'" << s << "' LIKE '" << p << "'";
  }
}

TEST(ScalarTest, LikeNoExponentialBacktracking) {
  // A recursive matcher takes ~forever on this; the iterative one is quadratic.
  const std::string s(5000, 'a');
  std::string p;
  for (int k = 0; k < 30; ++k) p += "%a";
  p += "%b";
  EXPECT_FALSE(LikeMatch(s, p));
  EXPECT_TRUE(LikeMatch(s + "b", p));
}

TEST(ScalarTest, LikeOnChar) {
  const Type c10 = Type::Char(10);
  EXPECT_EQ(Like(S("MAIL      "), c10, "MAIL"), Tri::kTrue);
  EXPECT_EQ(Like(S("MAIL      "), c10, "%L"), Tri::kTrue);
  EXPECT_EQ(Like(S("MAIL      "), c10, "MAIL %"), Tri::kFalse);
  EXPECT_EQ(Like(S("MAIL "), kVc, "MAIL %"), Tri::kTrue);
  EXPECT_EQ(Like(kNull, kVc, "%"), Tri::kNull);
  EXPECT_EQ(Like(S(""), kVc, ""), Tri::kTrue);
}

// ---- Functions ----

TEST(ScalarTest, LengthStartsWithSubstr) {
  EXPECT_EQ(Length(S("abc"), kBytes), I(3));
  EXPECT_EQ(Length(S("ab  "), Type::Char(4)), I(2));
  EXPECT_EQ(Length(S(""), kBytes), I(0));
  EXPECT_EQ(Length(kNull, kBytes), kNull);
  EXPECT_EQ(StartsWith(S("user123"), kBytes, S("user"), kVc), Tri::kTrue);
  EXPECT_EQ(StartsWith(S("use"), kBytes, S("user"), kVc), Tri::kFalse);
  EXPECT_EQ(StartsWith(S("x"), kBytes, S(""), kVc), Tri::kTrue);
  EXPECT_EQ(StartsWith(kNull, kBytes, S(""), kVc), Tri::kNull);
  EXPECT_EQ(Substr(S("abcdef"), kBytes, I(1), I(3)), S("bcd"));
  EXPECT_EQ(Substr(S("abcdef"), kBytes, I(6), I(0)), S(""));
  EXPECT_EQ(Substr(S("abcdef"), kBytes, I(0), I(6)), S("abcdef"));
  EXPECT_EQ(Substr(S("abcdef"), kBytes, I(4), I(3)), kNull);  // past end
  EXPECT_EQ(Substr(S("abcdef"), kBytes, I(7), I(0)), kNull);
  EXPECT_EQ(Substr(S("abcdef"), kBytes, I(-1), I(2)), kNull);
  EXPECT_EQ(Substr(S("abcdef"), kBytes, I(1), I(-1)), kNull);
  EXPECT_EQ(Substr(S("abcdef"), kBytes, I(kMax), I(kMax)), kNull);
  EXPECT_EQ(Substr(S("abcdef"), kBytes, I(1), I(kMax)), kNull);
  EXPECT_EQ(Substr(S("abcdef"), kBytes, kNull, I(1)), kNull);
}

TEST(ScalarTest, ByteReads) {
  const Datum s = S(std::string("\x01\x02\x03\x04\x05\x06\x07\x08\xff\xff\xff\xff", 12));
  EXPECT_EQ(ReadBytes(ByteRead::kU8, s, kBytes, I(0)), I(1));
  EXPECT_EQ(ReadBytes(ByteRead::kU8, s, kBytes, I(8)), I(255));
  EXPECT_EQ(ReadBytes(ByteRead::kU16Le, s, kBytes, I(0)), I(0x0201));
  EXPECT_EQ(ReadBytes(ByteRead::kU16Be, s, kBytes, I(0)), I(0x0102));
  EXPECT_EQ(ReadBytes(ByteRead::kU32Le, s, kBytes, I(0)), I(0x04030201));
  EXPECT_EQ(ReadBytes(ByteRead::kU32Be, s, kBytes, I(0)), I(0x01020304));
  EXPECT_EQ(ReadBytes(ByteRead::kU32Be, s, kBytes, I(8)), I(0xffffffffLL));
  EXPECT_EQ(ReadBytes(ByteRead::kI32Be, s, kBytes, I(8)), I(-1));
  EXPECT_EQ(ReadBytes(ByteRead::kI32Le, s, kBytes, I(8)), I(-1));
  EXPECT_EQ(ReadBytes(ByteRead::kU64Le, s, kBytes, I(0)), I(0x0807060504030201LL));
  EXPECT_EQ(ReadBytes(ByteRead::kU64Be, s, kBytes, I(0)), I(0x0102030405060708LL));
  EXPECT_EQ(ReadBytes(ByteRead::kU64Be, s, kBytes, I(4)), I(0x05060708ffffffffLL));
  EXPECT_EQ(ReadBytes(ByteRead::kI64Be, s, kBytes, I(4)), I(0x05060708ffffffffLL));
  EXPECT_EQ(ReadBytes(ByteRead::kI64Le, s, kBytes, I(4)),
            I(static_cast<int64_t>(0xffffffff08070605ULL)));
  // u64 of >= 2^63 keeps the bit pattern (negative).
  const Datum high = S(std::string("\x80\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(ReadBytes(ByteRead::kU64Be, high, kBytes, I(0)), I(kMin));
  // Past the end, negative offsets, huge offsets: NULL.
  EXPECT_EQ(ReadBytes(ByteRead::kU64Be, s, kBytes, I(5)), kNull);
  EXPECT_EQ(ReadBytes(ByteRead::kU8, s, kBytes, I(12)), kNull);
  EXPECT_EQ(ReadBytes(ByteRead::kU8, s, kBytes, I(11)), I(255));
  EXPECT_EQ(ReadBytes(ByteRead::kU16Le, s, kBytes, I(-1)), kNull);
  EXPECT_EQ(ReadBytes(ByteRead::kU16Le, s, kBytes, I(kMax)), kNull);
  EXPECT_EQ(ReadBytes(ByteRead::kU16Le, s, kBytes, I(kMin)), kNull);
  EXPECT_EQ(ReadBytes(ByteRead::kU32Le, S(""), kBytes, I(0)), kNull);
  EXPECT_EQ(ReadBytes(ByteRead::kU32Le, kNull, kBytes, I(0)), kNull);
  EXPECT_EQ(ReadBytes(ByteRead::kU32Le, s, kBytes, kNull), kNull);
  // The read-past-end NULL makes a comparison NULL (so the row does not match).
  EXPECT_EQ(
      Compare(CmpOp::kLt, ReadBytes(ByteRead::kU64Be, S("abc"), kBytes, I(0)), kI64, I(2), kI64),
      Tri::kNull);
}

TEST(ScalarTest, Formatting) {
  EXPECT_EQ(FormatDecimal(-1234, 2), "-12.34");
  EXPECT_EQ(FormatDecimal(5, 2), "0.05");
  EXPECT_EQ(FormatDecimal(-5, 3), "-0.005");
  EXPECT_EQ(FormatDecimal(0, 2), "0.00");
  EXPECT_EQ(FormatDecimal(42, 0), "42");
  EXPECT_EQ(FormatDecimal(kMin, 18), "-9.223372036854775808");
  EXPECT_EQ(FormatDatum(I(8766), Type::Date()), "DATE '1994-01-01'");
  EXPECT_EQ(FormatDatum(S("it's"), kVc), "'it''s'");
  EXPECT_EQ(FormatDatum(S("\x01\xab"), kBytes), "x'01ab'");
  EXPECT_EQ(FormatDatum(kNull, kI64), "NULL");
  EXPECT_EQ(FormatDatum(Datum::Bool(true), Type::Bool()), "TRUE");
}

}  // namespace
}  // namespace pushdown::bpfgen
