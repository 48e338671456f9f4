// A small deterministic PRNG for the TPC-H generator: splitmix64 (Steele,
// Lea, Flood 2014). Its output, and so every generated value, is the same on
// every platform and standard library (std:: distributions are not).
#pragma once

#include <cstdint>

namespace pushdown::engine::tpch {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [lo, hi] (Lemire's multiply-shift; the bias is below 2^-32
  // for the ranges used here). REQUIRES: lo <= hi.
  int64_t Uniform(int64_t lo, int64_t hi) {
    const uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
    const unsigned __int128 m = static_cast<unsigned __int128>(Next()) * range;
    return lo + static_cast<int64_t>(static_cast<uint64_t>(m >> 64));
  }

 private:
  uint64_t state_;
};

// Mixes a seed and a stream index into an independent stream's seed.
inline uint64_t StreamSeed(uint64_t seed, uint64_t stream) {
  SplitMix64 m(seed ^ (stream * 0xd1b54a32d192ed03ULL));
  return m.Next();
}

}  // namespace pushdown::engine::tpch
