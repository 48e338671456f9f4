// The exactness torture test on the kernel (eBPF) device: needs CAP_BPF.
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/pushdown/scan/torture_paths.h"
#include "tests/pushdown/scan/torture_support.h"

namespace pushdown::exec {
namespace {

using namespace testing_support;  // NOLINT

class KernelTorture : public ::testing::TestWithParam<int> {};

TEST_P(KernelTorture, KernelDeviceMatchesIterator) {
  std::string skip;
  auto bpf = LoadOn("kernel", nullptr, &skip);
  if (bpf == nullptr && !skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(bpf, nullptr);
  const bpfgen::CompileOptions tiny_options = TinyCompileOptions();
  auto tiny = LoadOn("kernel", &tiny_options, &skip);
  ASSERT_NE(tiny, nullptr) << skip;
  GlobalCoverage() = Coverage();
  for (int seed = GetParam(); seed < GetParam() + kSeedsPerShard; ++seed) {
    TortureCase c(seed);
    ASSERT_NO_FATAL_FAILURE(c.Build());
    SCOPED_TRACE("kernel device");
    ASSERT_NO_FATAL_FAILURE(c.CheckAllSnapshots(DevicePath(bpf.get())));
    SCOPED_TRACE("kernel device, tiny local memory");
    ASSERT_NO_FATAL_FAILURE(c.CheckAllSnapshots(DevicePath(tiny.get())));
  }
  ExpectNotVacuous(GlobalCoverage());
  std::printf("coverage: %s\n", GlobalCoverage().ToString().c_str());
}

INSTANTIATE_TEST_SUITE_P(Seeds, KernelTorture, ::testing::Range(1, 1 + kNumSeeds, kSeedsPerShard));

}  // namespace
}  // namespace pushdown::exec
