// db_bench-compatible data (shared/SST_FORMAT.md "db_bench data").
//   keys:   the low min(key_size, 8) bytes of the integer, big-endian, padded
//           with '0' (0x30) to key_size
//   values: consecutive slices of a 1 MiB buffer made of 100-byte pieces,
//           each `compression_ratio * 100` random printable bytes repeated
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace pushdown::bench {

// The db_bench key of `k` (REQUIRES: key_size >= 1).
std::string DbBenchKey(uint64_t k, int key_size);

class ValueGenerator {
 public:
  ValueGenerator(double compression_ratio, uint64_t seed);
  // The next `len` bytes (REQUIRES: len <= 1 MiB). Valid until the next call.
  std::string_view Generate(size_t len);

 private:
  std::string data_;
  size_t pos_ = 0;
};

}  // namespace pushdown::bench
