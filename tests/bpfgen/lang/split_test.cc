#include "bpfgen/lang/split.h"

#include <gtest/gtest.h>

#include <functional>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

Schema TestSchema() {
  Result<Schema> s =
      ParseSchema("id INT64 KEY, d DECIMAL(10,2), f DOUBLE, g DOUBLE, v VARCHAR(300)");
  EXPECT_TRUE(s.ok());
  return *s;
}

struct Split {
  Predicate predicate;
  SplitResult result;
};

Split SplitText(std::string_view text, const TargetCaps& caps, const Schema& schema) {
  Split s;
  Result<Predicate> p = CompilePredicate(text, schema);
  EXPECT_TRUE(p.ok()) << p.status().message();
  if (p.ok()) s.predicate = std::move(p).value();
  s.result = SplitPredicate(s.predicate, schema, caps);
  return s;
}

TEST(Split, TpchQ6IsFullyPushedToTheKernel) {
  Result<Schema> lineitem = ParseSchema(kLineitemDdl);
  ASSERT_TRUE(lineitem.ok());
  Split s = SplitText(
      "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount "
      "BETWEEN 0.05 AND 0.07 "
      "AND l_quantity < 24",
      TargetCaps::Kernel(), *lineitem);
  EXPECT_EQ(s.result.kind, PushdownKind::kFull);
  EXPECT_EQ(s.result.device.size(), 4u);
  EXPECT_TRUE(s.result.residual.empty());
}

TEST(Split, DoubleOnTheKernel) {
  Schema schema = TestSchema();
  TargetCaps kernel = TargetCaps::Kernel();
  // Comparisons against constants: pushable.
  EXPECT_EQ(SplitText("f < 1.5 AND f BETWEEN 1 AND 2 AND f IN (1, 2) AND NOT f = 3 AND f IS NULL",
                      kernel, schema)
                .result.kind,
            PushdownKind::kFull);
  // Arithmetic, conversions, column-vs-column: residual with reasons.
  Split s = SplitText("id > 3 AND f * 2 > 1 AND d < f AND f < g", kernel, schema);
  EXPECT_EQ(s.result.kind, PushdownKind::kPartial);
  ASSERT_EQ(s.result.device.size(), 1u);
  EXPECT_EQ(s.result.device[0], s.predicate.conjuncts[0].get());
  ASSERT_EQ(s.result.residual.size(), 3u);
  EXPECT_EQ(s.result.residual[0].conjunct, s.predicate.conjuncts[1].get());
  EXPECT_EQ(s.result.residual[0].reason,
            "DOUBLE arithmetic needs floating point; device 'kernel' has none");
  EXPECT_EQ(s.result.residual[1].reason,
            "conversion of DECIMAL(10,2) to DOUBLE needs floating point; device 'kernel' has none");
  EXPECT_EQ(s.result.residual[2].reason,
            "DOUBLE comparison between two non-constant values needs floating point; device "
            "'kernel' has none");
  // The host runs everything.
  EXPECT_EQ(
      SplitText("id > 3 AND f * 2 > 1 AND d < f AND f < g", TargetCaps::Host(), schema).result.kind,
      PushdownKind::kFull);
}

TEST(Split, StringLimitsAndNone) {
  Schema schema = TestSchema();
  std::string long_pattern(257, 'a');
  Split s = SplitText("v LIKE '" + long_pattern + "%' AND v = '" + long_pattern + "'",
                      TargetCaps::Kernel(), schema);
  EXPECT_EQ(s.result.kind, PushdownKind::kNone);
  ASSERT_EQ(s.result.residual.size(), 2u);
  EXPECT_EQ(s.result.residual[0].reason, "LIKE pattern longer than 256 bytes (device 'kernel')");
  EXPECT_EQ(s.result.residual[1].reason,
            "string constant of 257 bytes is longer than device 'kernel' supports (256 bytes)");
  EXPECT_EQ(
      SplitText("v LIKE '" + std::string(256, 'a') + "'", TargetCaps::Kernel(), schema).result.kind,
      PushdownKind::kFull);

  TargetCaps no_strings = TargetCaps::Host();
  no_strings.name = "tiny";
  no_strings.strings = false;
  no_strings.like = false;
  no_strings.functions.erase(Function::kLength);
  s = SplitText("length(v) > 1 AND id = 2", no_strings, schema);
  EXPECT_EQ(s.result.kind, PushdownKind::kPartial);
  ASSERT_EQ(s.result.residual.size(), 1u);
  EXPECT_EQ(s.result.residual[0].reason, "string column 'v' is not supported on device 'tiny'");
}

TEST(Split, FunctionsInRawMode) {
  Schema raw = Schema::Raw();
  TargetCaps caps = TargetCaps::Kernel();
  caps.functions.erase(Function::kSubstr);
  Split s = SplitText("u64be(key, 0) < 10 AND substr(value, 0, 2) = 'ab'", caps, raw);
  EXPECT_EQ(s.result.kind, PushdownKind::kPartial);
  ASSERT_EQ(s.result.residual.size(), 1u);
  EXPECT_EQ(s.result.residual[0].reason, "function substr() is not supported on device 'kernel'");
}

TEST(Split, TrivialPredicates) {
  Schema schema = TestSchema();
  EXPECT_EQ(SplitText("TRUE", TargetCaps::Kernel(), schema).result.kind, PushdownKind::kFull);
  Split s = SplitText("1 = 2", TargetCaps::Kernel(), schema);
  EXPECT_EQ(s.result.kind, PushdownKind::kFull);
  EXPECT_EQ(s.result.device.size(), 1u);
  EXPECT_STREQ(PushdownKindName(PushdownKind::kPartial), "PARTIAL");
}

}  // namespace
}  // namespace pushdown::bpfgen

namespace pushdown::bpfgen {
namespace {

// The codegen budget: a conjunct over kCodegenBudget nodes stays on the host
// as a residual with the reason, on both targets; a smaller one is pushed.
TEST(Split, ConjunctsOverTheCodegenBudgetAreResidual) {
  const Schema schema = *ParseSchema(kLineitemDdl);
  std::string big = "l_partkey";
  for (int i = 0; i < 1100; ++i) big += " + l_partkey";  // > 2048 nodes with the casts
  std::string small = "l_partkey";
  for (int i = 0; i < 100; ++i) small += " + l_partkey";
  const std::string text = "(" + big + ") > 0 AND (" + small + ") > 0";
  Result<Predicate> p = CompilePredicate(text, schema);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  for (const TargetCaps& caps : {TargetCaps::Kernel(), TargetCaps::Host()}) {
    SplitResult r = SplitPredicate(*p, schema, caps);
    ASSERT_EQ(r.residual.size(), 1u) << caps.name;
    EXPECT_NE(r.residual[0].reason.find("over the codegen budget"), std::string::npos)
        << r.residual[0].reason;
    EXPECT_EQ(r.device.size(), 1u) << caps.name;
    EXPECT_EQ(r.kind, PushdownKind::kPartial);
  }
}

// The budget's boundary: a conjunct of exactly max_conjunct_nodes nodes is
// pushed, one node more is not; both targets use kCodegenBudget (2048).
TEST(Split, CodegenBudgetBoundaryIsInclusive) {
  const Schema schema = *ParseSchema(kLineitemDdl);
  std::string sum = "l_partkey";
  for (int i = 0; i < 300; ++i) sum += " + l_partkey";
  Result<Predicate> p = CompilePredicate("(" + sum + ") > 0", schema);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Expr& conjunct = *p->conjuncts[0];
  std::function<uint32_t(const Expr&)> count = [&](const Expr& e) {
    uint32_t n = 1;
    for (const ExprPtr& c : e.children) n += count(*c);
    return n;
  };
  const uint32_t nodes = count(conjunct);
  ASSERT_LT(nodes, kCodegenBudget);
  TargetCaps caps = TargetCaps::Host();
  EXPECT_EQ(caps.max_conjunct_nodes, kCodegenBudget);
  EXPECT_EQ(TargetCaps::Kernel().max_conjunct_nodes, kCodegenBudget);
  EXPECT_EQ(kCodegenBudget, 2048u);
  caps.max_conjunct_nodes = nodes;
  EXPECT_EQ(WhyNotPushable(conjunct, schema, caps), "");
  caps.max_conjunct_nodes = nodes - 1;
  EXPECT_EQ(WhyNotPushable(conjunct, schema, caps), "over the codegen budget of device 'host' (" +
                                                        std::to_string(nodes) + " nodes > " +
                                                        std::to_string(nodes - 1) + ")");
}

}  // namespace
}  // namespace pushdown::bpfgen
