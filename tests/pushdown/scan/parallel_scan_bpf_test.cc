// ParallelScan on the kernel (eBPF) device: the torture cases on 2 and 3
// workers, each worker with its own loaded program (local memory), equal the
// iterator + predicate. Needs CAP_BPF (skipped with the reason otherwise).
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/pushdown/scan/parallel_check.h"

namespace pushdown::exec {
namespace {

using namespace testing_support;  // NOLINT

class KernelParallelTorture : public ::testing::TestWithParam<int> {};

TEST_P(KernelParallelTorture, KernelDeviceOnTwoAndThreeWorkersMatchesIterator) {
  std::string skip;
  std::vector<std::unique_ptr<DeviceProgram>> bpf;
  for (int i = 0; i < 3; ++i) {
    bpf.push_back(LoadOn("kernel", nullptr, &skip));
    if (bpf.back() == nullptr && !skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(bpf.back(), nullptr);
  }
  const std::vector<DeviceProgram*> instances = {bpf[0].get(), bpf[1].get(), bpf[2].get()};
  ParallelCoverage cov;
  std::mt19937_64 rng(GetParam());
  for (int seed = GetParam(); seed < GetParam() + 20; ++seed) {
    TortureCase c(seed);
    ASSERT_NO_FATAL_FAILURE(c.Build());
    ASSERT_NO_FATAL_FAILURE(CheckParallel(c, instances, rng, &cov));
  }
  ExpectParallelNotVacuous(cov);
}

INSTANTIATE_TEST_SUITE_P(Seeds, KernelParallelTorture, ::testing::Values(1, 101));

}  // namespace
}  // namespace pushdown::exec
