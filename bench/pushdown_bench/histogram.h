// db_bench's latency histogram (RocksDB 7.8 monitoring/histogram.cc, which is
// not an installed header): the same buckets, statistics and ToString() text,
// so `--histogram` prints the block db_bench prints ("Count: ... Average: ...",
// "Min: ... Median: ... Max: ...", "Percentiles: P50: ... P99.99: ..." and the
// bucket table).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pushdown::bench {

// Values are microseconds, as in db_bench. Not thread-safe: one per thread,
// merged with Merge().
class Histogram {
 public:
  Histogram();
  void Add(uint64_t value);
  void Merge(const Histogram& other);

  uint64_t count() const { return num_; }
  double Percentile(double p) const;
  double Median() const { return Percentile(50.0); }
  double Average() const;
  double StandardDeviation() const;
  // db_bench's text: three summary lines, a rule and one row per non-empty bucket.
  std::string ToString() const;

 private:
  uint64_t min_, max_ = 0, num_ = 0, sum_ = 0, sum_squares_ = 0;
  std::vector<uint64_t> buckets_;  // parallel to the bucket limits
};

}  // namespace pushdown::bench
