// TPC-H Q6 over lineitem blocks on both targets with the default options:
// checks the records against the evaluator and prints the codegen, verifier
// and per-entry costs (informational; no timed assertions).
#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <iostream>

#include "tests/bpfgen/codegen/bpf_runner.h"
#include "tests/bpfgen/codegen/run_util.h"

namespace pushdown::bpfgen {
namespace {

using namespace testing;  // NOLINT
using Clock = std::chrono::steady_clock;

constexpr char kQ6[] =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN "
    "0.05 AND 0.07 AND l_quantity < 24";
constexpr char kRawPredicate[] = "u64be(key, 0) % 100 < 2";

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Compiles `split.device` for both targets with the default options but for
// entries_per_call, checks both against the evaluator on 4 KiB blocks of `d`,
// and prints the costs under `label`.
void CheckAndMeasure(const char* label, const Dataset& d, const SplitResult& split,
                     uint32_t entries_per_call) {
  CompileOptions o;
  o.entries_per_call = entries_per_call;
  // Warm up LLVM's one-time initialisation, then measure.
  ASSERT_TRUE(CompileBpf(d.schema, split.device, o).ok());
  double best_codegen = 1e9, best_codegen_cpu = 1e9;
  Result<BpfProgram> bpf = Status::Internal("not compiled");
  for (int i = 0; i < 5; ++i) {
    double c0 = ThreadCpuMs();
    bpf = CompileBpf(d.schema, split.device, o);
    best_codegen_cpu = std::min(best_codegen_cpu, ThreadCpuMs() - c0);
    ASSERT_TRUE(bpf.ok()) << bpf.status().ToString();
    best_codegen = std::min(best_codegen, bpf->codegen_ms);
  }
  auto t0 = Clock::now();
  double load_cpu = ThreadCpuMs();
  BpfRunner runner;
  ASSERT_EQ(runner.Load(*bpf), "");
  load_cpu = ThreadCpuMs() - load_cpu;
  auto t1 = Clock::now();
  auto native = CompileNative(d.schema, split.device, o);
  ASSERT_TRUE(native.ok());

  std::vector<std::vector<Entry>> parts;
  auto blocks = MakeBlocks(d, 16, 4096, false, &parts);
  auto flags = [](size_t) { return 0u; };
  uint64_t mb = 0, mn = 0;
  // Wall time, and the thread's CPU time (kernel time of the test_run syscall
  // included): the best of kReps passes, since the shared machine is loaded.
  constexpr int kReps = 5;
  double bpf_ms = 1e18, native_ms = 1e18, bpf_cpu_ms = 1e18, native_cpu_ms = 1e18;
  std::vector<BlockResult> from_bpf, from_native;
  std::vector<uint8_t> mem((*native)->layout().mem_size);
  for (int rep = 0; rep < kReps; ++rep) {
    double wall = 0, cpu = 0;
    mb = mn = 0;
    auto got = RunBatches(
        bpf->layout, runner.mem(), blocks, flags,
        [&](abi::RunContext* ctx, uint8_t*) {
          auto a = Clock::now();
          double c = ThreadCpuMs();
          int rc = runner.Run(ctx);
          cpu += ThreadCpuMs() - c;
          wall += Ms(a, Clock::now());
          ASSERT_EQ(rc, 0);
        },
        &mb);
    if (rep > 0) ASSERT_EQ(got, from_bpf);
    from_bpf = std::move(got);
    bpf_ms = std::min(bpf_ms, wall);
    bpf_cpu_ms = std::min(bpf_cpu_ms, cpu);
    wall = 0, cpu = 0;
    got = RunBatches((*native)->layout(), mem.data(), blocks, flags,
                     [&](abi::RunContext* ctx, uint8_t* m) {
                       auto a = Clock::now();
                       double c = ThreadCpuMs();
                       (*native)->fn()(ctx, m);
                       cpu += ThreadCpuMs() - c;
                       wall += Ms(a, Clock::now());
                     },
                     &mn);
    if (rep > 0) ASSERT_EQ(got, from_native);
    from_native = std::move(got);
    native_ms = std::min(native_ms, wall);
    native_cpu_ms = std::min(native_cpu_ms, cpu);
  }
  ASSERT_EQ(from_bpf.size(), blocks.size());
  Evaluator ev(d.schema);
  for (size_t k = 0; k < blocks.size(); ++k) {
    ASSERT_EQ(from_bpf[k], from_native[k]) << "block " << k;
    ASSERT_EQ(from_bpf[k], Expected(ev, split.device, parts[k], false)) << "block " << k;
  }
  EXPECT_GT(mb, 0u);
  std::cout << label << " (entries_per_call " << o.entries_per_call << "): entries "
            << d.entries.size() << " blocks " << blocks.size() << " matched " << mb
            << "\n  bpf codegen (IR+opt+emit, best of 5) " << best_codegen << " ms wall, "
            << best_codegen_cpu << " ms thread CPU"
            << "\n  libbpf open+load(verify) " << Ms(t0, t1) << " ms wall, " << load_cpu
            << " ms thread CPU (local memory " << bpf->layout.mem_size << " bytes)"
            << "\n  native compile (IR+opt+JIT) " << (*native)->compile_ms() << " ms"
            << "\n  bpf run " << bpf_ms * 1e6 / d.entries.size() << " ns/entry wall, "
            << bpf_cpu_ms * 1e6 / d.entries.size()
            << " ns/entry thread CPU (test_run calls of 64 4-KiB blocks, best of " << kReps << ")"
            << "\n  native run " << native_ms * 1e6 / d.entries.size() << " ns/entry wall, "
            << native_cpu_ms * 1e6 / d.entries.size() << " ns/entry thread CPU"
            << "\n  verifier: " << runner.verifier_stats() << "\n";
}

class Q6 : public ::testing::TestWithParam<uint32_t> {};

TEST_P(Q6, BpfAndNativeMatchEvaluator) {
  if (!HaveBpf()) GTEST_SKIP() << "needs root/CAP_BPF";
  const Dataset d = MakeLineitem(11, 20000);
  auto pred = CompilePredicate(kQ6, d.schema);
  ASSERT_TRUE(pred.ok());
  SplitResult split = SplitPredicate(*pred, d.schema, TargetCaps::Kernel());
  ASSERT_EQ(split.device.size(), 4u);
  CheckAndMeasure("Q6", d, split, GetParam());
}

INSTANTIATE_TEST_SUITE_P(EntriesPerCall, Q6, ::testing::Values(1u, 2u, 4u));

// A raw-mode predicate (db_bench-like 16-byte keys, ~100-byte values).
TEST(RawKeyPredicate, BpfAndNativeMatchEvaluator) {
  if (!HaveBpf()) GTEST_SKIP() << "needs root/CAP_BPF";
  const Dataset d = MakeRaw(3, 20000);
  auto pred = CompilePredicate(kRawPredicate, d.schema);
  ASSERT_TRUE(pred.ok());
  SplitResult split = SplitPredicate(*pred, d.schema, TargetCaps::Kernel());
  ASSERT_EQ(split.device.size(), 1u);
  CheckAndMeasure("raw u64be(key, 0) % 100 < 2", d, split, CompileOptions{}.entries_per_call);
}

}  // namespace
}  // namespace pushdown::bpfgen
