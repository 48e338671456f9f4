#include "bpfgen/lang/parser.h"

#include <gtest/gtest.h>

#include <string>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

Result<ExprPtr> ParseText(std::string_view text) {
  PD_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  return Parse(text, tokens);
}

std::string FirstLine(const Status& s) { return s.message().substr(0, s.message().find('\n')); }

TEST(Parser, Precedence) {
  Result<ExprPtr> e = ParseText("a OR b AND NOT c = 1 + 2 * -d");
  ASSERT_TRUE(e.ok()) << e.status().message();
  const Expr& root = **e;
  ASSERT_EQ(root.kind, ExprKind::kBinary);
  EXPECT_EQ(root.binary_op, BinaryOp::kOr);
  const Expr& and_node = *root.children[1];
  EXPECT_EQ(and_node.binary_op, BinaryOp::kAnd);
  const Expr& not_node = *and_node.children[1];
  ASSERT_EQ(not_node.kind, ExprKind::kUnary);
  EXPECT_EQ(not_node.unary_op, UnaryOp::kNot);
  const Expr& eq = *not_node.children[0];
  EXPECT_EQ(eq.binary_op, BinaryOp::kEq);
  const Expr& plus = *eq.children[1];
  EXPECT_EQ(plus.binary_op, BinaryOp::kAdd);
  const Expr& times = *plus.children[1];
  EXPECT_EQ(times.binary_op, BinaryOp::kMul);
  EXPECT_EQ(times.children[1]->kind, ExprKind::kUnary);
  EXPECT_EQ(times.children[1]->unary_op, UnaryOp::kNegate);
}

TEST(Parser, LeftAssociative) {
  Result<ExprPtr> e = ParseText("a - b - c");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->children[0]->kind, ExprKind::kBinary);  // (a - b) - c
  EXPECT_EQ((*e)->children[1]->kind, ExprKind::kColumn);
}

TEST(Parser, Literals) {
  Result<ExprPtr> e = ParseText("-9223372036854775808");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->literal_int, INT64_MIN);
  EXPECT_EQ((*e)->type, Type::Int64());
  e = ParseText("-0.05");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->literal_int, -5);
  EXPECT_EQ((*e)->type, Type::Decimal(2, 2));
  e = ParseText("123.4500");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->literal_int, 1234500);
  EXPECT_EQ((*e)->type, Type::Decimal(7, 4));
  e = ParseText("0.123456789012345678");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ((*e)->type, Type::Decimal(18, 18));
  e = ParseText("DATE '1970-01-02'");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->literal_int, 1);
  EXPECT_EQ((*e)->type, Type::Date());
  e = ParseText("'abc'");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->type, Type::Varchar(3));
  // -(INT64_MIN) is syntax; it folds to NULL later.
  e = ParseText("--9223372036854775808");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->unary_op, UnaryOp::kNegate);
  EXPECT_EQ((*e)->children[0]->literal_int, INT64_MIN);
  EXPECT_EQ(FirstLine(ParseText("- 9223372036854775809").status()),
            "1:1: integer literal out of range for INT64");
}

TEST(Parser, Ranges) {
  Result<ExprPtr> e = ParseText("x BETWEEN 1 AND 20");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->range.begin, 0u);
  EXPECT_EQ((*e)->range.end, 18u);
  EXPECT_EQ((*e)->op_range.begin, 2u);
  EXPECT_EQ((*e)->op_range.end, 9u);
  e = ParseText("u8(key, 0)");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->range.end, 10u);
  EXPECT_EQ((*e)->op_range.end, 2u);
}

TEST(Parser, NestingLimitWithoutDeepRecursion) {
  // 60k opening parentheses: rejected at the 256th level, no stack overflow.
  constexpr char kNesting[] = "nested too deeply (the limit is 256 levels)";
  Status s = ParseText(std::string(60000, '(')).status();
  EXPECT_EQ(FirstLine(s),
            std::string("1:256: parentheses, calls and prefix operators ") + kNesting);
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "NOT ";
  EXPECT_NE(ParseText(nots + "x").status().message().find(kNesting), std::string::npos);
  EXPECT_NE(ParseText(std::string(30000, '-') + "x").status().message().find(kNesting),
            std::string::npos);
  // Parentheses alone create no nodes: 200 levels are fine.
  std::string parens = std::string(200, '(') + "x" + std::string(200, ')');
  EXPECT_TRUE(ParseText(parens).ok()) << ParseText(parens).status().message();
}

// docs/LANGUAGE.md's limit, exactly: 255 nested parentheses parse, 256 fail
// (the parser's 256 syntax levels include the predicate itself).
TEST(Parser, NestingLimitIsExactly255Parentheses) {
  auto nested = [](int depth) {
    return std::string(depth, '(') + "x" + std::string(depth, ')') + " > 0";
  };
  EXPECT_TRUE(ParseText(nested(255)).ok()) << ParseText(nested(255)).status().message();
  EXPECT_EQ(FirstLine(ParseText(nested(256)).status()),
            "1:256: parentheses, calls and prefix operators nested too deeply (the limit is 256 "
            "levels)");
  // The same through the whole front end (types, folding, canonical form).
  const Schema schema = *ParseSchema("id INT64 KEY, x INT64");
  Result<Predicate> ok = CompilePredicate(nested(255), schema);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ToString(*ok->conjuncts[0], schema), "(x > 0)");
  EXPECT_FALSE(CompilePredicate(nested(256), schema).ok());
}

TEST(Parser, ExpressionDepthLimit) {
  // 63 NOTs over a column: depth 64. One more is too deep, reported at the
  // first NOT below the limit.
  std::string nots;
  for (int i = 0; i < 63; ++i) nots += "NOT ";
  EXPECT_TRUE(ParseText(nots + "b").ok());
  EXPECT_EQ(FirstLine(ParseText("NOT " + nots + "b").status()),
            "1:257: expression nested too deeply (the limit is 64 levels)");
  // A chain of one precedence level is one level, however long.
  std::string sum = "x";
  for (int i = 0; i < 1000; ++i) sum += " + x - 1";
  EXPECT_TRUE(ParseText(sum + " > 0").ok());
  std::string ors = "b";
  for (int i = 0; i < 1000; ++i) ors += " OR b";
  EXPECT_TRUE(ParseText(ors).ok());
  // Nested calls: each is a level.
  std::string calls = "0";
  for (int i = 0; i < 63; ++i) calls = "u8(key, " + calls + ")";
  EXPECT_TRUE(ParseText(calls).ok());
  EXPECT_FALSE(ParseText(calls + " = 1").ok());
}

TEST(Parser, NodeLimit) {
  // x = 1 OR x = 1 OR ...: 4 nodes per term.
  std::string text = "x = 1";
  for (int i = 0; i < 1100; ++i) text += " OR x = 1";
  Status s = ParseText(text).status();
  EXPECT_NE(s.message().find("too many nodes (the limit is 4096)"), std::string::npos)
      << FirstLine(s);
  std::string small = "x = 1";
  for (int i = 0; i < 1000; ++i) small += " OR x = 1";
  EXPECT_TRUE(ParseText(small).ok());
}

TEST(Parser, InListLimit) {
  std::string list = "x IN (0";
  for (int i = 1; i < 1024; ++i) list += "," + std::to_string(i % 10);
  EXPECT_TRUE(ParseText(list + ")").ok());
  Status s = ParseText(list + ",1)").status();
  EXPECT_NE(s.message().find("more than 1024 elements"), std::string::npos) << FirstLine(s);
}

TEST(Parser, UnexpectedTokens) {
  EXPECT_EQ(FirstLine(ParseText("").status()), "1:1: empty predicate");
  EXPECT_EQ(FirstLine(ParseText("   \n  ").status()), "1:1: empty predicate");
  EXPECT_EQ(FirstLine(ParseText("x =").status()),
            "1:4: unexpected end of input; expected an expression");
  EXPECT_EQ(FirstLine(ParseText("x = 1)").status()), "1:6: unmatched ')'");
  EXPECT_EQ(FirstLine(ParseText("x LIKE y").status()),
            "1:8: LIKE pattern must be a string literal");
  EXPECT_EQ(FirstLine(ParseText("x\n =\n").status()),
            "2:3: unexpected end of input; expected an expression");
}

}  // namespace
}  // namespace pushdown::bpfgen
