#include "pushdown/scan/host_timer.h"

#include <gtest/gtest.h>

namespace pushdown::exec {
namespace {

TEST(CallSampler, TimesEveryEarlyCallThenSamplesWithoutBias) {
  CallSampler sampler;
  for (uint64_t i = 0; i < CallSampler::kExactCalls; ++i) ASSERT_EQ(sampler.Weight(), 1u);
  // Past the exact calls, weights are 0 or kSampleEvery and add up to the
  // number of calls (each call is counted once in expectation).
  const uint64_t n = 1'000'000;
  uint64_t sum = 0, timed = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t w = sampler.Weight();
    ASSERT_TRUE(w == 0 || w == CallSampler::kSampleEvery) << w;
    sum += w;
    timed += w != 0;
  }
  EXPECT_NEAR(static_cast<double>(sum) / n, 1.0, 0.02);
  EXPECT_LT(timed, n / 16);  // the point: few clock reads
}

TEST(HostTimer, WeightZeroChargesNothingAndDeviceTimeIsSubtracted) {
  ScanStats stats;
  { HostTimer t(&stats, 0); }
  EXPECT_EQ(stats.host_ns, 0u);
  {
    HostTimer t(&stats, 1);
    stats.device_ns += 1'000'000'000'000;  // more than the scope's wall time
  }
  EXPECT_EQ(stats.host_ns, 0u);  // never negative
}

}  // namespace
}  // namespace pushdown::exec
