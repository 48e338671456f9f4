// Aggregation on the device, kernel target: the same cases as
// aggregate_test.cc, compiled to BPF, verified and run with
// BPF_PROG_TEST_RUN (skipped without the privilege to load programs).
#include <gtest/gtest.h>

#include "tests/bpfgen/codegen/aggregate_harness.h"
#include "tests/bpfgen/codegen/bpf_runner.h"

namespace pushdown::bpfgen {
namespace {

using namespace testing;  // NOLINT

class BpfAggregate : public ::testing::TestWithParam<AggCase> {};

TEST_P(BpfAggregate, EqualsEvaluator) {
  if (!HaveBpf()) GTEST_SKIP() << "needs root/CAP_BPF to load BPF programs";
  const AggCase& c = GetParam();
  AggregateHarness h(AggDataset(c.dataset), c);
  for (uint32_t entries_per_call : {2u, 1u}) {
    CompileOptions o = AggregateTestOptions();
    o.entries_per_call = entries_per_call;
    auto bpf = CompileBpf(AggDataset(c.dataset).schema, h.conjuncts(), h.items(), o);
    ASSERT_TRUE(bpf.ok()) << bpf.status().ToString();
    BpfRunner runner;
    ASSERT_EQ(runner.Load(*bpf), "");
    h.Check(bpf->layout, runner.mem(),
            [&](abi::RunContext* ctx, uint8_t*) { ASSERT_EQ(runner.Run(ctx), 0); });
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, BpfAggregate, ::testing::ValuesIn(AggCases()));

}  // namespace
}  // namespace pushdown::bpfgen
