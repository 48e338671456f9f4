// bench/pushdown_bench/histogram.h is db_bench's histogram: for the same
// values its text equals, byte for byte, RocksDB 7.8's own HistogramImpl
// ToString() (reached through Statistics::getHistogramString, the histogram
// db_bench prints), and its statistics equal RocksDB's HistogramData.
#include "bench/pushdown_bench/histogram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rocksdb/statistics.h"

namespace pushdown::bench {
namespace {

// RocksDB's histogram of `values` (one Statistics, histogram DB_GET).
std::shared_ptr<rocksdb::Statistics> Reference(const std::vector<uint64_t>& values) {
  auto stats = rocksdb::CreateDBStatistics();
  for (uint64_t v : values) stats->recordInHistogram(rocksdb::DB_GET, v);
  return stats;
}

void ExpectSameAsRocksDb(const std::vector<uint64_t>& values) {
  Histogram h;
  for (uint64_t v : values) h.Add(v);
  auto ref = Reference(values);
  const std::string want = ref->getHistogramString(rocksdb::DB_GET);
  ASSERT_NE(want.find("Percentiles: P50: "), std::string::npos) << want;
  EXPECT_EQ(h.ToString(), want);
  rocksdb::HistogramData d;
  ref->histogramData(rocksdb::DB_GET, &d);
  EXPECT_EQ(h.count(), d.count);
  EXPECT_DOUBLE_EQ(h.Median(), d.median);
  EXPECT_DOUBLE_EQ(h.Percentile(95), d.percentile95);
  EXPECT_DOUBLE_EQ(h.Percentile(99), d.percentile99);
  EXPECT_DOUBLE_EQ(h.Average(), d.average);
  EXPECT_DOUBLE_EQ(h.StandardDeviation(), d.standard_deviation);
}

TEST(Histogram, EmptyMatchesRocksDb) { ExpectSameAsRocksDb({}); }

TEST(Histogram, FewValuesMatchRocksDb) { ExpectSameAsRocksDb({3, 3, 9, 6600, 16223}); }

TEST(Histogram, WideRandomValuesMatchRocksDb) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> values;
  for (int i = 0; i < 20000; ++i) {
    const int shift = static_cast<int>(rng() % 40);  // 0 .. 2^40 microseconds
    values.push_back(rng() % ((uint64_t{1} << shift) + 1));
  }
  ExpectSameAsRocksDb(values);
}

TEST(Histogram, MergeEqualsAddingEverything) {
  Histogram a, b, all;
  for (uint64_t v = 0; v < 1000; ++v) {
    (v % 3 ? a : b).Add(v * 7);
    all.Add(v * 7);
  }
  a.Merge(b);
  EXPECT_EQ(a.ToString(), all.ToString());
  EXPECT_EQ(a.count(), 1000u);
}

}  // namespace
}  // namespace pushdown::bench
