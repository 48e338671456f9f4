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

namespace pushdown::bpfgen {
namespace {

using namespace testing;  // NOLINT

// Predicates at the kernel caps' limits still verify and stay exact.
TEST(BpfLimits, LargePredicatesVerifyAndMatch) {
  if (!HaveBpf()) GTEST_SKIP() << "needs root/CAP_BPF to load BPF programs";
  const Dataset& d = GetDataset("lineitem");
  std::string in_list = "l_partkey % 1000 IN (";
  for (int i = 0; i < 256; ++i) in_list += (i ? ", " : "") + std::to_string(i * 3);
  in_list += ")";
  std::string long_like = "l_comment NOT LIKE '%" + std::string(200, 'x') + "%'";
  std::string many;
  for (int i = 0; i < 24; ++i) {
    many += (i ? " AND " : "") + std::string("l_suppkey <> ") + std::to_string(i * 37);
  }
  for (const std::string& text :
       {in_list, long_like, many, std::string("l_comment LIKE '%e%i%u%l%'"),
        std::string("l_shipmode IN ('AIR', 'MAIL', 'SHIP', 'RAIL') AND l_shipinstruct LIKE "
                    "'%N%' AND l_comment >= 'b' AND l_extendedprice * (1 - l_discount) * (1 + "
                    "l_tax) > 100000")}) {
    auto pred = CompilePredicate(text, d.schema);
    ASSERT_TRUE(pred.ok()) << pred.status().ToString();
    SplitResult split = SplitPredicate(*pred, d.schema, TargetCaps::Kernel());
    ASSERT_FALSE(split.device.empty()) << text;
    auto bpf = CompileBpf(d.schema, split.device, TestOptions());
    ASSERT_TRUE(bpf.ok()) << text << ": " << bpf.status().ToString();
    BpfRunner runner;
    ASSERT_EQ(runner.Load(*bpf), "") << text;
    std::cout << text.substr(0, 40) << "...: codegen " << bpf->codegen_ms << " ms; "
              << runner.verifier_stats().substr(0, 60) << "\n";
    std::vector<std::vector<Entry>> parts;
    auto blocks = MakeBlocks(d, 16, 4096, false, &parts);
    uint64_t matched = 0;
    auto got = RunBatches(
        bpf->layout, runner.mem(), blocks, [](size_t) { return 0u; },
        [&](abi::RunContext* ctx, uint8_t*) { ASSERT_EQ(runner.Run(ctx), 0); }, &matched);
    ASSERT_EQ(got.size(), blocks.size());
    Evaluator ev(d.schema);
    for (size_t k = 0; k < blocks.size(); ++k) {
      ASSERT_EQ(got[k], Expected(ev, split.device, parts[k], false)) << text << " block " << k;
    }
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
