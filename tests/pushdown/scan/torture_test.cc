// The exactness torture test (see torture_support.h): every seed's DB is
// scanned on the host reference path (host functions, then the evaluator) and
// through the host device's JIT program (default and tiny local memory), and
// each must equal a RocksDB iterator + the predicate.
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/pushdown/scan/torture_paths.h"
#include "tests/pushdown/scan/torture_support.h"

namespace pushdown::exec {
namespace {

using namespace testing_support;  // NOLINT

class Torture : public ::testing::TestWithParam<int> {};

TEST_P(Torture, HostPathsAndHostDeviceMatchIterator) {
  std::string skip;
  auto jit = LoadOn("host", nullptr, &skip);
  ASSERT_NE(jit, nullptr) << skip;
  const bpfgen::CompileOptions tiny_options = TinyCompileOptions();
  auto tiny = LoadOn("host", &tiny_options, &skip);
  ASSERT_NE(tiny, nullptr) << skip;
  GlobalCoverage() = Coverage();
  for (int seed = GetParam(); seed < GetParam() + kSeedsPerShard; ++seed) {
    TortureCase c(seed);
    ASSERT_NO_FATAL_FAILURE(c.Build());
    SCOPED_TRACE("functions");
    ASSERT_NO_FATAL_FAILURE(c.CheckAllSnapshots(
        [](ScanPlan& plan) { return ScanExecutor::Open(plan, FunctionFilters()); }));
    SCOPED_TRACE("evaluator");
    ASSERT_NO_FATAL_FAILURE(c.CheckAllSnapshots(DevicePath(nullptr)));
    SCOPED_TRACE("host device");
    ASSERT_NO_FATAL_FAILURE(c.CheckAllSnapshots(DevicePath(jit.get())));
    SCOPED_TRACE("host device, tiny local memory");
    ASSERT_NO_FATAL_FAILURE(c.CheckAllSnapshots(DevicePath(tiny.get())));
  }
  ExpectNotVacuous(GlobalCoverage());
  std::printf("coverage: %s\n", GlobalCoverage().ToString().c_str());
}

INSTANTIATE_TEST_SUITE_P(Seeds, Torture, ::testing::Range(1, 1 + kNumSeeds, kSeedsPerShard));

}  // namespace
}  // namespace pushdown::exec
