// The kernel device's view: each case split with TargetCaps::Kernel(), the
// device part compiled to BPF, loaded (verified) and run with
// BPF_PROG_TEST_RUN; OutRecords must equal the native program's and the
// evaluator's, entry for entry.
#include <gtest/gtest.h>

#include "tests/bpfgen/codegen/bpf_runner.h"
#include "tests/bpfgen/codegen/cases.h"
#include "tests/bpfgen/codegen/run_util.h"

namespace pushdown::bpfgen {
namespace {

using namespace testing;  // NOLINT

class BpfVsNative : public ::testing::TestWithParam<Case> {};

TEST_P(BpfVsNative, SameRecords) {
  if (!HaveBpf()) GTEST_SKIP() << "needs root/CAP_BPF to load BPF programs";
  const Case& c = GetParam();
  const Dataset& d = GetDataset(c.dataset);
  auto pred = CompilePredicate(c.predicate, d.schema);
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  SplitResult split = SplitPredicate(*pred, d.schema, TargetCaps::Kernel());
  auto bpf = CompileBpf(d.schema, split.device, TestOptions());
  if (!bpf.ok() && bpf.status().IsNotSupported() && c.bpf_not_supported) {
    // Known gap: the kernel caps push it, the generator bounds it (see cases.h).
    return;
  }
  ASSERT_TRUE(bpf.ok()) << bpf.status().ToString();
  ASSERT_FALSE(c.bpf_not_supported) << "now supported: update cases.h";
  auto native = CompileNative(d.schema, split.device, TestOptions());
  ASSERT_TRUE(native.ok()) << native.status().ToString();
  BpfRunner runner;
  std::string err = runner.Load(*bpf);
  ASSERT_EQ(err, "");
  RecordProperty("codegen_ms", std::to_string(bpf->codegen_ms));
  Evaluator ev(d.schema);
  for (int interval : {1, 16}) {
    std::vector<std::vector<Entry>> parts;
    auto blocks = MakeBlocks(d, interval, 4096, interval == 1, &parts);
    auto flags = [](size_t k) { return k % 3 ? abi::kEmitShadows : 0u; };
    uint64_t m1 = 0, m2 = 0;
    auto from_bpf = RunBatches(
        bpf->layout, runner.mem(), blocks, flags,
        [&](abi::RunContext* ctx, uint8_t*) { ASSERT_EQ(runner.Run(ctx), 0); }, &m1);
    std::vector<uint8_t> mem((*native)->layout().mem_size);
    auto from_native =
        RunBatches((*native)->layout(), mem.data(), blocks, flags,
                   [&](abi::RunContext* ctx, uint8_t* m) { (*native)->fn()(ctx, m); }, &m2);
    ASSERT_EQ(from_bpf.size(), blocks.size());
    ASSERT_EQ(m1, m2);
    for (size_t k = 0; k < blocks.size(); ++k) {
      ASSERT_EQ(from_bpf[k], from_native[k]) << "block " << k;
      BlockResult want = Expected(ev, split.device, parts[k], k % 3);
      ASSERT_EQ(from_bpf[k], want) << "block " << k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Predicates, BpfVsNative, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace pushdown::bpfgen
