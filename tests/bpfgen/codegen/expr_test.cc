// Native programs against the reference evaluator, entry for entry, over
// randomized blocks: every expression kind of docs/LANGUAGE.md.
#include <gtest/gtest.h>

#include "tests/bpfgen/codegen/cases.h"
#include "tests/bpfgen/codegen/run_util.h"

namespace pushdown::bpfgen {
namespace {

using namespace testing;  // NOLINT

class NativeVsEvaluator : public ::testing::TestWithParam<Case> {};

TEST_P(NativeVsEvaluator, SameRecords) {
  const Case& c = GetParam();
  const Dataset& d = GetDataset(c.dataset);
  auto pred = CompilePredicate(c.predicate, d.schema);
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  SplitResult split = SplitPredicate(*pred, d.schema, TargetCaps::Host());
  ASSERT_TRUE(split.residual.empty());
  auto prog = CompileNative(d.schema, split.device, TestOptions());
  ASSERT_TRUE(prog.ok()) << prog.status().ToString();
  Evaluator ev(d.schema);
  for (int interval : {1, 16}) {
    std::vector<std::vector<Entry>> parts;
    auto blocks = MakeBlocks(d, interval, 4096, interval == 16, &parts);
    std::vector<uint8_t> mem((*prog)->layout().mem_size);
    uint64_t matched = 0;
    auto results =
        RunBatches((*prog)->layout(), mem.data(), blocks,
                   [](size_t k) { return k % 2 ? abi::kEmitShadows : 0u; },
                   [&](abi::RunContext* ctx, uint8_t* m) { (*prog)->fn()(ctx, m); }, &matched);
    ASSERT_EQ(results.size(), blocks.size());
    for (size_t k = 0; k < blocks.size(); ++k) {
      BlockResult want = Expected(ev, split.device, parts[k], k % 2);
      ASSERT_EQ(results[k].status, want.status) << "block " << k;
      ASSERT_EQ(results[k].entries, want.entries) << "block " << k;
      ASSERT_EQ(results[k].records.size(), want.records.size()) << "block " << k;
      for (size_t r = 0; r < want.records.size(); ++r) {
        ASSERT_EQ(results[k].records[r], want.records[r]) << "block " << k << " record " << r;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Predicates, NativeVsEvaluator, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace pushdown::bpfgen
