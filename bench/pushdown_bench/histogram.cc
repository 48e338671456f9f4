#include "bench/pushdown_bench/histogram.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>

namespace pushdown::bench {
namespace {

// RocksDB's HistogramBucketMapper: 1, 2, then x1.5 rounded down to two
// significant digits, up to the uint64 range.
const std::vector<uint64_t>& BucketLimits() {
  static const std::vector<uint64_t> limits = [] {
    std::vector<uint64_t> v = {1, 2};
    double bucket = static_cast<double>(v.back());
    while ((bucket = 1.5 * bucket) <= static_cast<double>(std::numeric_limits<uint64_t>::max())) {
      v.push_back(static_cast<uint64_t>(bucket));
      uint64_t pow_of_ten = 1;
      while (v.back() / 10 > 10) {
        v.back() /= 10;
        pow_of_ten *= 10;
      }
      v.back() *= pow_of_ten;
    }
    return v;
  }();
  return limits;
}

size_t IndexForValue(uint64_t value) {
  const auto& l = BucketLimits();
  if (value >= l.back()) return l.size() - 1;
  return static_cast<size_t>(std::lower_bound(l.begin(), l.end(), value) - l.begin());
}

}  // namespace

Histogram::Histogram() : min_(BucketLimits().back()), buckets_(BucketLimits().size(), 0) {}

void Histogram::Add(uint64_t value) {
  ++buckets_[IndexForValue(value)];
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  ++num_;
  sum_ += value;
  sum_squares_ += value * value;
}

void Histogram::Merge(const Histogram& other) {
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  num_ += other.num_;
  sum_ += other.sum_;
  sum_squares_ += other.sum_squares_;
  for (size_t b = 0; b < buckets_.size(); ++b) buckets_[b] += other.buckets_[b];
}

double Histogram::Percentile(double p) const {
  const auto& limits = BucketLimits();
  const double threshold = static_cast<double>(num_) * (p / 100.0);
  uint64_t cumulative = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const uint64_t in_bucket = buckets_[b];
    cumulative += in_bucket;
    if (static_cast<double>(cumulative) >= threshold) {
      // Linear interpolation inside the bucket, clamped to [min, max].
      const uint64_t left = b == 0 ? 0 : limits[b - 1];
      const uint64_t right = limits[b];
      const uint64_t left_sum = cumulative - in_bucket;
      double pos = 0;
      if (cumulative != left_sum) {
        pos = (threshold - static_cast<double>(left_sum)) /
              static_cast<double>(cumulative - left_sum);
      }
      double r = static_cast<double>(left) + static_cast<double>(right - left) * pos;
      r = std::max(r, static_cast<double>(min_));
      r = std::min(r, static_cast<double>(max_));
      return r;
    }
  }
  return static_cast<double>(max_);
}

double Histogram::Average() const {
  return num_ == 0 ? 0 : static_cast<double>(sum_) / static_cast<double>(num_);
}

double Histogram::StandardDeviation() const {
  const double n = static_cast<double>(num_);
  if (n == 0) return 0;
  const double s = static_cast<double>(sum_), sq = static_cast<double>(sum_squares_);
  return std::sqrt(std::max((sq * n - s * s) / (n * n), 0.0));
}

std::string Histogram::ToString() const {
  const auto& limits = BucketLimits();
  std::string r;
  char buf[256];
  std::snprintf(buf, sizeof(buf), "Count: %" PRIu64 " Average: %.4f  StdDev: %.2f\n", num_,
                Average(), StandardDeviation());
  r += buf;
  std::snprintf(buf, sizeof(buf), "Min: %" PRIu64 "  Median: %.4f  Max: %" PRIu64 "\n",
                num_ == 0 ? 0 : min_, Median(), num_ == 0 ? 0 : max_);
  r += buf;
  std::snprintf(
      buf, sizeof(buf), "Percentiles: P50: %.2f P75: %.2f P99: %.2f P99.9: %.2f P99.99: %.2f\n",
      Percentile(50), Percentile(75), Percentile(99), Percentile(99.9), Percentile(99.99));
  r += buf;
  r += "------------------------------------------------------\n";
  if (num_ == 0) return r;
  const double mult = 100.0 / static_cast<double>(num_);
  uint64_t cumulative = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const uint64_t in_bucket = buckets_[b];
    if (in_bucket == 0) continue;
    cumulative += in_bucket;
    std::snprintf(buf, sizeof(buf), "%c %7" PRIu64 ", %7" PRIu64 " ] %8" PRIu64 " %7.3f%% %7.3f%% ",
                  b == 0 ? '[' : '(', b == 0 ? 0 : limits[b - 1], limits[b], in_bucket,
                  mult * static_cast<double>(in_bucket), mult * static_cast<double>(cumulative));
    r += buf;
    // 20 marks for 100%.
    r.append(static_cast<size_t>(mult * static_cast<double>(in_bucket) / 5 + 0.5), '#');
    r += '\n';
  }
  return r;
}

}  // namespace pushdown::bench
