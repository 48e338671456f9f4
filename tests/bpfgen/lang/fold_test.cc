// Folding and normalisation: exact in three-valued logic, one implementation
// of the value semantics (scalar.h).
#include <gtest/gtest.h>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/printer.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen {
namespace {

Schema TestSchema() {
  Result<Schema> s =
      ParseSchema("id INT64 KEY, d DECIMAL(10,2), f DOUBLE, b BOOL, b2 BOOL, v VARCHAR(20)");
  EXPECT_TRUE(s.ok());
  return *s;
}

std::string Canonical(std::string_view text) {
  Schema schema = TestSchema();
  Result<Predicate> p = CompilePredicate(text, schema);
  if (!p.ok()) return p.status().message();
  return ToString(*p, schema);
}

TEST(Fold, OverflowAndDivisionByZeroAreNull) {
  EXPECT_EQ(Canonical("id < 9223372036854775807 + 1"), "FALSE");
  EXPECT_EQ(Canonical("(id < 9223372036854775807 + 1) IS NULL"), "TRUE");
  EXPECT_EQ(
      Canonical("(1 / 0) IS NULL AND (1 % 0) IS NULL AND (-9223372036854775808 / -1) IS NULL"),
      "TRUE");
  EXPECT_EQ(Canonical("(-(-9223372036854775808)) IS NULL"), "TRUE");
  // Promotion that scales past int64: 10^17 as DECIMAL(18,2).
  EXPECT_EQ(Canonical("d < 100000000000000000"), "FALSE");
  // 10^18 at scale 2 fits int64 but has 19 digits: left unfolded (re-parseable).
  EXPECT_EQ(Canonical("d < 10000000000000000"), "(d < 10000000000000000)");
  EXPECT_EQ(Canonical("d < 1000000000000000"), "(d < 1000000000000000.00)");
}

TEST(Fold, DecimalSemantics) {
  EXPECT_EQ(Canonical("d < 1.5 * 1.5"), "(d < 2.25)");
  EXPECT_EQ(Canonical("d < 1 / 3.0"), "(d < 0.333333)");
  EXPECT_EQ(Canonical("d < -7 % 2.5"), "(d < -2.00)");
  EXPECT_EQ(Canonical("d < -7 / 2"), "(d < -3.00)");
}

TEST(Fold, ThreeValuedShortcuts) {
  EXPECT_EQ(Canonical("b AND FALSE"), "FALSE");
  EXPECT_EQ(Canonical("b OR TRUE"), "TRUE");
  EXPECT_EQ(Canonical("b AND TRUE"), "b");
  EXPECT_EQ(Canonical("b OR FALSE"), "b");
  EXPECT_EQ(Canonical("b OR NULL"), "(b OR NULL)");  // not b: NOT (b OR NULL) differs
  EXPECT_EQ(Canonical("NOT (b OR NULL)"), "FALSE");
  EXPECT_EQ(Canonical("NULL IS NULL"), "TRUE");
  EXPECT_EQ(Canonical("NULL IN (1, 2)"), "FALSE");
  EXPECT_EQ(Canonical("1 IN (2, NULL)"), "FALSE");        // NULL
  EXPECT_EQ(Canonical("NOT (1 IN (2, NULL))"), "FALSE");  // NOT NULL = NULL
  EXPECT_EQ(Canonical("1 IN (1, NULL)"), "TRUE");
}

TEST(Normalize, NotPushdownIsExact) {
  EXPECT_EQ(Canonical("NOT (b AND id > 1)"), "((NOT b) OR (id <= 1))");
  EXPECT_EQ(Canonical("NOT (b OR id > 1)"), "(NOT b) AND (id <= 1)");
  EXPECT_EQ(Canonical("NOT NOT NOT b"), "(NOT b)");
  EXPECT_EQ(Canonical("NOT v LIKE 'a%'"), "(v NOT LIKE 'a%')");
  EXPECT_EQ(Canonical("NOT v NOT LIKE 'a%'"), "(v LIKE 'a%')");
  EXPECT_EQ(Canonical("NOT id NOT IN (1, 2)"), "(id IN (1, 2))");
  EXPECT_EQ(Canonical("NOT v IS NOT NULL"), "(v IS NULL)");
  // DOUBLE comparisons are never inverted (NaN).
  EXPECT_EQ(Canonical("NOT f < 1"), "(NOT (f < 1))");
  EXPECT_EQ(Canonical("NOT f = 1"), "(NOT (f = 1))");
  EXPECT_EQ(Canonical("NOT d < 1"), "(d >= 1.00)");
}

TEST(Normalize, FlattensTopLevelConjunction) {
  Schema schema = TestSchema();
  Result<Predicate> p =
      CompilePredicate("(b AND (id > 1 AND (d < 2))) AND TRUE AND v = 'x'", schema);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->conjuncts.size(), 4u);
  EXPECT_EQ(ToString(*p->conjuncts[0], schema), "b");
  EXPECT_EQ(ToString(*p->conjuncts[3], schema), "(v = 'x')");
  p = CompilePredicate("b AND id > 1 AND NULL", schema);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->conjuncts.size(), 1u);
  EXPECT_EQ(ToString(*p, schema), "FALSE");
  p = CompilePredicate("TRUE", schema);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->conjuncts.empty());
  EXPECT_EQ(ToString(*p, schema), "TRUE");
}

TEST(Fold, DoubleConstantsKeepTheirSourceText) {
  Schema schema = TestSchema();
  Result<Predicate> p = CompilePredicate("f < 0.1 + 0.2", schema);
  ASSERT_TRUE(p.ok());
  const Expr& lit = *p->conjuncts[0]->children[1];
  ASSERT_EQ(lit.kind, ExprKind::kLiteral);
  EXPECT_EQ(lit.type, Type::Double());
  // The same conversion as the evaluator: scalar.h Cast of DECIMAL 0.3.
  Datum expected = Cast(Datum::Int(3), Type::Decimal(18, 1), Type::Double());
  EXPECT_EQ(lit.literal_double, expected.d);
  EXPECT_EQ(ToString(*p, schema), "(f < 0.3)");
}

TEST(Predicate, CloneIsDeep) {
  Schema schema = TestSchema();
  Result<Predicate> p = CompilePredicate("id IN (1, 2) AND v LIKE 'a%'", schema);
  ASSERT_TRUE(p.ok());
  Predicate copy = p->Clone();
  EXPECT_EQ(copy.text, p->text);
  EXPECT_NE(copy.conjuncts[0].get(), p->conjuncts[0].get());
  copy.conjuncts[0]->children[1]->literal_int = 7;
  EXPECT_EQ(ToString(*p, schema), "(id IN (1, 2)) AND (v LIKE 'a%')");
  EXPECT_EQ(ToString(copy, schema), "(id IN (7, 2)) AND (v LIKE 'a%')");
}

}  // namespace
}  // namespace pushdown::bpfgen
