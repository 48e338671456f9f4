// Host-time accounting for per-row calls without a clock read per row.
//
//   CallSampler sampler;                          // one per scan
//   Status Next() { HostTimer t(&stats, sampler.Weight()); ... }
//
// Timing every call costs two clock reads (~20 ns each on this VM), a quarter
// of a scan that returns every row. The first kExactCalls calls are timed;
// after that a random 1 in kSampleEvery calls is timed and counts kSampleEvery
// times: an unbiased estimate, since which calls are timed follows no pattern
// of the scan (such as a refill every N rows).
#pragma once

#include <chrono>
#include <cstdint>

#include "pushdown/scan/scan_stats.h"

namespace pushdown::exec {

inline uint64_t MonotonicNowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

class CallSampler {
 public:
  static constexpr uint64_t kExactCalls = 4096;
  static constexpr uint64_t kSampleEvery = 32;

  // The weight of this call's measured time (0: do not time it).
  uint64_t Weight() {
    if (calls_++ < kExactCalls) return 1;
    rng_ ^= rng_ << 13;  // xorshift64
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return (rng_ >> 32) % kSampleEvery == 0 ? kSampleEvery : 0;
  }

 private:
  uint64_t calls_ = 0;
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
};

// Charges `weight` times the wall time of its scope to stats->host_ns, minus
// what devices took in it (stats->device_ns). Weight 0: no clock reads.
class HostTimer {
 public:
  explicit HostTimer(ScanStats* stats, uint64_t weight = 1)
      : stats_(stats),
        weight_(weight),
        start_(weight ? MonotonicNowNs() : 0),
        device_start_(stats->device_ns) {}
  ~HostTimer() {
    if (weight_ == 0) return;
    const uint64_t wall = MonotonicNowNs() - start_;
    const uint64_t device = stats_->device_ns - device_start_;
    stats_->host_ns += weight_ * (wall > device ? wall - device : 0);
  }
  HostTimer(const HostTimer&) = delete;
  HostTimer& operator=(const HostTimer&) = delete;

 private:
  ScanStats* stats_;
  uint64_t weight_;
  uint64_t start_;
  uint64_t device_start_;
};

}  // namespace pushdown::exec
