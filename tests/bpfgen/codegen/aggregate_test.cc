// Aggregation on the device, native target: accumulators against the
// reference evaluator (aggregate_harness.h), plus the argument checks.
#include <gtest/gtest.h>

#include "tests/bpfgen/codegen/aggregate_harness.h"

namespace pushdown::bpfgen {
namespace {

using namespace testing;  // NOLINT

class NativeAggregate : public ::testing::TestWithParam<AggCase> {};

TEST_P(NativeAggregate, EqualsEvaluator) {
  const AggCase& c = GetParam();
  AggregateHarness h(AggDataset(c.dataset), c);
  auto prog =
      CompileNative(AggDataset(c.dataset).schema, h.conjuncts(), h.items(), AggregateTestOptions());
  ASSERT_TRUE(prog.ok()) << prog.status().ToString();
  std::vector<uint8_t> mem((*prog)->layout().mem_size);
  h.Check((*prog)->layout(), mem.data(),
          [&](abi::RunContext* ctx, uint8_t* m) { (*prog)->fn()(ctx, m); });
}

INSTANTIATE_TEST_SUITE_P(Cases, NativeAggregate, ::testing::ValuesIn(AggCases()));

TEST(DeviceAggregate, RejectsWhatItCannotAggregate) {
  const Dataset& d = AggDataset("mixed");
  auto f = CompileExpression("f", d.schema);
  auto s = CompileExpression("s", d.schema);
  ASSERT_TRUE(f.ok() && s.ok());
  EXPECT_TRUE(CheckDeviceAggregate({AggregateOp::kSum, f->get()}).IsNotSupported());
  EXPECT_TRUE(CheckDeviceAggregate({AggregateOp::kMin, s->get()}).IsNotSupported());
  EXPECT_TRUE(CheckDeviceAggregate({AggregateOp::kCount, s->get()}).ok());
  CompileFailure failure;
  auto prog = CompileNative(d.schema, {}, {{AggregateOp::kSum, f->get()}}, TestOptions(), &failure);
  ASSERT_FALSE(prog.ok());
  EXPECT_TRUE(prog.status().IsNotSupported()) << prog.status().ToString();
  EXPECT_EQ(failure, CompileFailure::kUnsupported);
  std::vector<AggregateItem> many(abi::kMaxAggregates + 1, AggregateItem{});
  prog = CompileNative(d.schema, {}, many, TestOptions(), &failure);
  ASSERT_FALSE(prog.ok());
  EXPECT_EQ(failure, CompileFailure::kInvalidArgument);
  prog = CompileNative(d.schema, {}, {{AggregateOp::kSum, nullptr}}, TestOptions(), &failure);
  ASSERT_FALSE(prog.ok());
  EXPECT_EQ(failure, CompileFailure::kInvalidArgument);
}

// A program without aggregates ignores kAggregate: records as usual.
TEST(DeviceAggregate, NoAggregatesNoRegion) {
  const Dataset& d = AggDataset("mixed");
  auto prog = CompileNative(d.schema, {}, TestOptions());
  ASSERT_TRUE(prog.ok());
  EXPECT_EQ((*prog)->layout().num_aggregates, 0u);
}

}  // namespace
}  // namespace pushdown::bpfgen
