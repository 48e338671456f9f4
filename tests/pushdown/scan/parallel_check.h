// The torture cases (torture_support.h) through ParallelScan: 2 and 3
// workers, random bounds and limits, ordered rows and unordered (aggregate)
// consumption, each equal to the iterator + predicate. Shared by
// parallel_scan_test.cc (host paths) and parallel_scan_bpf_test.cc (kernel).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "pushdown/scan/parallel_scan.h"
#include "tests/pushdown/scan/torture_paths.h"
#include "tests/pushdown/scan/torture_support.h"

namespace pushdown::exec::testing_support {

struct ParallelCoverage {
  uint64_t scans = 0;
  uint64_t split_scans = 0;          // SplitPlan gave >= 2 ranges
  uint64_t three_way_scans = 0;      // 3 ranges
  uint64_t boundaries_in_files = 0;  // a boundary strictly inside a file's key range
  uint64_t rowless_ranges = 0;       // a range of a split scan that yielded no row
  uint64_t unordered_scans = 0;      // RunUnordered (aggregate) checks
  uint64_t batch_scans = 0;          // ordered, read with NextBatch
  uint64_t rows = 0;
  uint64_t keys_hidden_by_range_deletion = 0;  // by the unsplit scans (nonzero: the check bites)
  uint64_t split_stats_checked = 0;  // split scans whose stats were compared with the unsplit's
};

inline void SetTorturePredicate(ScanPlan* plan) {
  const CompiledPredicate* p = Predicates();
  ASSERT_NE(p, nullptr);
  plan->schema = &p->schema;
  for (const auto& c : p->device.conjuncts) plan->device_conjuncts.push_back(c.get());
  for (const auto& c : p->residual.conjuncts) plan->residual_conjuncts.push_back(c.get());
}

// A split scan's merged stats (split_stats.h) equal the unsplit scan's:
// files, blocks read / skipped (by range, by zone map), per file, tombstones.
inline void ExpectSplitStatsEqual(const ScanStats& split, const ScanStats& single) {
  EXPECT_EQ(split.files, single.files);
  EXPECT_EQ(split.files_skipped, single.files_skipped);
  EXPECT_EQ(split.files_skipped_by_zone_map, single.files_skipped_by_zone_map);
  EXPECT_EQ(split.blocks_read, single.blocks_read);
  EXPECT_EQ(split.blocks_skipped, single.blocks_skipped);
  EXPECT_EQ(split.blocks_skipped_by_range, single.blocks_skipped_by_range);
  EXPECT_EQ(split.blocks_skipped_by_zone_map, single.blocks_skipped_by_zone_map);
  EXPECT_EQ(split.range_tombstones, single.range_tombstones);
  EXPECT_EQ(single.blocks_read_twice, 0u);
  auto by_name = [](std::vector<FileScanStats> v) {
    std::sort(v.begin(), v.end(),
              [](const FileScanStats& a, const FileScanStats& b) { return a.file < b.file; });
    return v;
  };
  const std::vector<FileScanStats> a = by_name(split.per_file), b = by_name(single.per_file);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(b[i].file);
    EXPECT_EQ(a[i].file, b[i].file);
    EXPECT_EQ(a[i].level, b[i].level);
    EXPECT_EQ(a[i].opened, b[i].opened);
    EXPECT_EQ(a[i].blocks, b[i].blocks);
    EXPECT_EQ(a[i].skipped_by_range, b[i].skipped_by_range);
    EXPECT_EQ(a[i].skipped_by_zone_map, b[i].skipped_by_zone_map);
    EXPECT_EQ(a[i].skipped_whole, b[i].skipped_whole);
    EXPECT_EQ(a[i].in_range, b[i].in_range);
    EXPECT_EQ(a[i].runs, b[i].runs);
  }
}

// instances[i] runs worker i (null: the host reference path for all).
inline void CheckParallel(TortureCase& c, const std::vector<DeviceProgram*>& instances,
                          std::mt19937_64& rng, ParallelCoverage* cov) {
  SCOPED_TRACE(c.Describe());
  std::vector<const rocksdb::Snapshot*> snaps = c.snapshots();
  snaps.push_back(nullptr);
  for (const rocksdb::Snapshot* snap : snaps) {
    const uint64_t seq = snap ? snap->GetSequenceNumber() : c.db()->GetLatestSequenceNumber();
    for (int run = 0; run < 3; ++run) {
      const size_t workers = 2 + rng() % 2;
      const KeyRange range = run == 2 ? c.RandomKeyRange() : KeyRange{};
      const uint64_t limit = run == 1 ? rng() % 7 : kNoLimit;
      SCOPED_TRACE("snapshot " + std::to_string(seq) + " workers " + std::to_string(workers) +
                   " range [" + range.lower.value_or("-inf") + ", " + range.upper.value_or("+inf") +
                   ") limit " + std::to_string(limit));
      const auto expected = c.ExpectedRows(snap, range);
      auto make_plan = [&](uint64_t plan_limit) {
        ScanPlan plan;
        plan.lower_bound = range.lower;
        plan.upper_bound = range.upper;
        plan.bytewise_comparator = true;
        plan.files = c.files();
        plan.snapshot = seq;
        plan.limit = plan_limit;
        plan.batch_blocks = 1 + static_cast<uint32_t>(rng() % 8);
        if (rng() % 2) {
          BlockSourceOptions io;
          io.read_size = size_t{16} << (10 + rng() % 4);
          io.queue_depth = 1 + static_cast<unsigned>(rng() % 4);
          plan.block_source = io;
        }
        SetTorturePredicate(&plan);
        return plan;
      };
      auto split = [&](ScanPlan plan) -> std::vector<ScanPlan> {
        auto plans = SplitPlan(std::move(plan), workers);
        EXPECT_TRUE(plans.ok()) << plans.status().ToString();
        if (!plans.ok()) return {};
        for (size_t i = 0; i < plans->size(); ++i) {
          DeviceProgram* p = instances.empty() ? nullptr : instances[i];
          if (p != nullptr) {
            (*plans)[i].device = p->device;
            (*plans)[i].program = p->program.get();
          }
        }
        return std::move(*plans);
      };

      // Ordered rows.
      std::vector<ScanPlan> plans = split(make_plan(limit));
      ASSERT_FALSE(plans.empty());
      ASSERT_LE(plans.size(), workers);
      ++cov->scans;
      cov->split_scans += plans.size() >= 2;
      cov->three_way_scans += plans.size() == 3;
      std::vector<KeyRange> ranges;
      for (const ScanPlan& p : plans) ranges.push_back({p.lower_bound, p.upper_bound});
      for (size_t i = 1; i < ranges.size(); ++i) {
        ASSERT_TRUE(ranges[i].lower.has_value());
        ASSERT_EQ(ranges[i].lower, ranges[i - 1].upper) << "ranges must be contiguous";
        for (const ScanFile& f : c.files()) {
          cov->boundaries_in_files +=
              f.smallest_user_key < *ranges[i].lower && *ranges[i].lower <= f.largest_user_key;
        }
      }
      ASSERT_EQ(ranges.front().lower, range.lower);
      ASSERT_EQ(ranges.back().upper, range.upper);
      ParallelScanOptions po;
      po.chunk_rows = 1 + rng() % 8;
      po.queue_chunks = 1 + rng() % 3;
      auto scan = ParallelScan::Open(std::move(plans), po);
      ASSERT_TRUE(scan.ok()) << scan.status().ToString();
      std::vector<std::pair<std::string, std::string>> got;
      // Row by row, or in batches of a random size (the first call's).
      const bool batches = rng() % 2 == 0;
      if (batches) {
        auto layout = RowBatchLayout::Make(std::make_shared<bpfgen::Schema>(c.schema()), {0, 1});
        ASSERT_TRUE(layout.ok()) << layout.status().ToString();
        RowBatch batch;
        batch.Reset(*layout);
        const size_t batch_rows = 1 + rng() % 9;
        for (;;) {
          Status s = (*scan)->NextBatch(&batch, batch_rows);
          ASSERT_TRUE(s.ok()) << s.ToString();
          if (batch.empty()) break;
          ASSERT_LE(batch.size(), batch_rows);
          for (size_t i = 0; i < batch.size(); ++i) got.emplace_back(batch.key(i), batch.value(i));
        }
        ++cov->batch_scans;
        Row row;
        EXPECT_TRUE((*scan)->Next(&row).ok()) << "a finished scan's Next is OK and not Valid";
      } else {
        Row row;
        for (;;) {
          Status s = (*scan)->Next(&row);
          ASSERT_TRUE(s.ok()) << s.ToString();
          if (!(*scan)->Valid()) break;
          got.emplace_back(row.key, row.value);
        }
      }
      const size_t n = std::min<size_t>(expected.size(), limit);
      ASSERT_EQ(got.size(), n);
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], expected[i]) << "row " << i;
      EXPECT_EQ((*scan)->stats().rows_matched, n);
      {  // limit or not: every block of an opened file is read once or skipped
        const ScanStats st = (*scan)->stats();
        uint64_t blocks = 0;
        for (const FileScanStats& f : st.per_file) blocks += f.blocks;
        EXPECT_EQ(st.blocks_read + st.blocks_skipped, blocks);
        EXPECT_LE(st.blocks_read_twice, st.files * (ranges.size() - 1));
      }
      cov->rows += n;
      if (limit == kNoLimit && ranges.size() >= 2) {
        for (const KeyRange& r : ranges) {
          cov->rowless_ranges += std::none_of(got.begin(), got.end(),
                                              [&](const auto& kv) { return r.Contains(kv.first); });
        }
      }
      if (limit != kNoLimit) continue;

      // Unordered (aggregate) consumption: each worker's rows lie in its
      // range, ascending; together they are the expected rows.
      std::vector<ScanPlan> uplans = split(make_plan(kNoLimit));
      ASSERT_FALSE(uplans.empty());
      std::vector<KeyRange> uranges;
      for (const ScanPlan& p : uplans) uranges.push_back({p.lower_bound, p.upper_bound});
      auto uscan = ParallelScan::Open(std::move(uplans));
      ASSERT_TRUE(uscan.ok()) << uscan.status().ToString();
      std::vector<std::vector<std::pair<std::string, std::string>>> per(uranges.size());
      Status us = (*uscan)->RunUnordered([&](size_t w, const Row& r) -> Status {
        if (w >= per.size()) return Status::Internal("worker index out of range");
        per[w].emplace_back(r.key, r.value);  // per-worker vector: no lock
        return Status::OK();
      });
      ASSERT_TRUE(us.ok()) << us.ToString();
      std::vector<std::pair<std::string, std::string>> all;
      for (size_t w = 0; w < per.size(); ++w) {
        for (const auto& kv : per[w]) ASSERT_TRUE(uranges[w].Contains(kv.first)) << kv.first;
        ASSERT_TRUE(std::is_sorted(per[w].begin(), per[w].end()));
        all.insert(all.end(), per[w].begin(), per[w].end());
      }
      ASSERT_EQ(all, expected);
      EXPECT_EQ((*uscan)->stats().rows_matched, expected.size());
      ++cov->unordered_scans;

      // Every user key lies in one range, so the keys range deletions hid
      // add up to the unsplit scan's (ScanStats::Add sums them).
      auto single = ScanExecutor::Open(make_plan(kNoLimit));
      ASSERT_TRUE(single.ok()) << single.status().ToString();
      for (Row row;;) {
        Status s = (*single)->Next(&row);
        ASSERT_TRUE(s.ok()) << s.ToString();
        if (!(*single)->Valid()) break;
      }
      const uint64_t hidden = (*single)->stats().keys_hidden_by_range_deletion;
      EXPECT_EQ((*uscan)->stats().keys_hidden_by_range_deletion, hidden);
      // Both split scans (ordered, unordered) count the unsplit scan's blocks.
      {
        SCOPED_TRACE("ordered split scan's stats");
        ExpectSplitStatsEqual((*scan)->stats(), (*single)->stats());
      }
      {
        SCOPED_TRACE("unordered split scan's stats");
        ExpectSplitStatsEqual((*uscan)->stats(), (*single)->stats());
      }
      cov->split_stats_checked += ranges.size() >= 2;
      cov->keys_hidden_by_range_deletion += hidden;
    }
  }
}

inline void ExpectParallelNotVacuous(const ParallelCoverage& c) {
  EXPECT_GT(c.split_scans, 0u);
  EXPECT_GT(c.three_way_scans, 0u);
  EXPECT_GT(c.boundaries_in_files, 0u);
  EXPECT_GT(c.rowless_ranges, 0u);
  EXPECT_GT(c.split_stats_checked, 0u);
  EXPECT_GT(c.unordered_scans, 0u);
  EXPECT_GT(c.batch_scans, 0u);
  EXPECT_GT(c.rows, 0u);
  EXPECT_GT(c.keys_hidden_by_range_deletion, 0u);
}

}  // namespace pushdown::exec::testing_support
