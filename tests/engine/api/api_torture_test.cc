// The torture test through the public API: random LSM shapes of a TPC-H
// lineitem table, and on every shape and snapshot every pushdown path against
// the iterator path (rocksdb::DB iterator + the reference evaluator).
//
// Shapes, per seed: a base loaded and compacted to the bottommost level
// (sequence numbers zeroed: its blocks can be aggregated on the device), then
// 1-3 rounds of writes confined to random key regions -- a row's key given
// another row's value (rows move in and out of every predicate), deletes,
// range deletions -- each round flushed to L0, sometimes compacted over a
// sub-range, the last sometimes left in the memtable; snapshots held between
// writes.
//
// Paths, per snapshot and predicate: Scan on the host and kernel devices,
// on 1 to 3 workers, zone maps on or off, row by row or in batches, with
// random key bounds and limits (rows, values and order equal); Aggregate on
// the same devices and worker counts (device aggregates where the exactness
// rule allows, merged with the rows of the other blocks: equal results).
// The kernel device where BPF loads here (else those scans fall back to the
// host with the reason, and are still compared). Coverage counters make sure
// the cases are not vacuous: split scans, blocks aggregated on the device,
// memtable entries merged, keys hidden by range deletions.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/engine/api/lineitem_db.h"

namespace pushdown::engine {
namespace {

using KV = std::pair<std::string, std::string>;

constexpr const char* kPredicates[] = {
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
    "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24",
    "l_quantity < 10 OR l_comment LIKE '%fur%'",
    "l_returnflag = 'R' AND l_extendedprice > 50000",
    "TRUE",
};
constexpr const char* kAggregates =
    "count(*), sum(l_quantity), sum(l_extendedprice * (1 - l_discount)), min(l_shipdate), "
    "max(l_extendedprice), count(l_comment)";

struct Coverage {
  uint64_t scans = 0;
  uint64_t rows = 0;
  uint64_t split_scans = 0;     // info.workers >= 2
  uint64_t kernel_scans = 0;    // ran on the kernel device
  uint64_t memtable_scans = 0;  // merged memtable entries
  uint64_t bounded_scans = 0;
  uint64_t batch_scans = 0;
  uint64_t hidden_by_range_deletion = 0;
  uint64_t blocks_aggregated = 0;  // by the devices, over every Aggregate
  uint64_t mixed_aggregates = 0;   // some blocks on the device, some rows through the merge
  uint64_t split_aggregates = 0;
};

struct Scanned {
  std::vector<KV> rows;
  ScanInfo info;
  exec::ScanStats stats;
};

// All rows of a scan: key and value bytes, by NextBatch or by Next (the raw
// value is not in row(): Next compares keys, and the values through a batch
// scan of the same options).
Scanned Run(PushdownDB& db, const std::string& where, const ScanOptions& so, bool batches) {
  Scanned out;
  auto cur = db.Scan("lineitem", where, so);
  EXPECT_TRUE(cur.ok()) << cur.status().ToString();
  if (!cur.ok()) return out;
  if (batches) {
    RowBatch batch;
    for (;;) {
      Status s = (*cur)->NextBatch(&batch);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || batch.empty()) break;
      for (size_t i = 0; i < batch.size(); ++i) {
        out.rows.emplace_back(std::string(batch.key(i)), std::string(batch.value(i)));
      }
    }
  } else {
    for (;;) {
      Status s = (*cur)->Next();
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || !(*cur)->Valid()) break;
      out.rows.emplace_back(std::string((*cur)->key()), std::string());
    }
  }
  out.info = (*cur)->info();
  out.stats = (*cur)->stats();
  return out;
}

void ExpectSameAggregate(const AggregateResult& want, const AggregateResult& got,
                         const std::string& what) {
  ASSERT_EQ(want.values.size(), got.values.size()) << what;
  EXPECT_EQ(want.rows, got.rows) << what;
  for (size_t i = 0; i < want.values.size(); ++i) {
    EXPECT_TRUE(want.values[i] == got.values[i]) << what << " " << want.names[i];
  }
}

class ApiTorture {
 public:
  explicit ApiTorture(int seed) : seed_(seed), rng_(seed) {}

  // The base, compacted; then the rounds of writes (gtest assertions on failure).
  void Build() {
    tpch::LoadOptions load;
    load.scale = 0.001 + 0.001 * static_cast<double>(rng_() % 3);
    load.seed = static_cast<uint64_t>(seed_);
    lineitem_ = std::make_unique<LineitemDb>(load, Options());
    ASSERT_NE(lineitem_->db, nullptr);
    db_ = lineitem_->db.get();
    cf_ = lineitem_->table->column_family();
    rocksdb::DB* raw = db_->db();
    rocksdb::CompactRangeOptions c;
    c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    ASSERT_TRUE(raw->CompactRange(c, cf_, nullptr, nullptr).ok());
    {
      std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), cf_));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        base_.emplace_back(it->key().ToString(), it->value().ToString());
      }
      ASSERT_TRUE(it->status().ok());
    }
    ASSERT_GT(base_.size(), 1000u);
    const int rounds = 1 + static_cast<int>(rng_() % 3);
    for (int round = 0; round < rounds; ++round) {
      ASSERT_NO_FATAL_FAILURE(WriteRound());
      const bool last = round + 1 == rounds;
      if (last && seed_ % 2 == 0) {
        in_memtable_ = true;  // even seeds: the last round stays in the memtable
        break;
      }
      ASSERT_TRUE(raw->Flush(rocksdb::FlushOptions(), cf_).ok());
      if (rng_() % 3 == 0) {
        const std::string from = RandomKey(), to = RandomKey();
        rocksdb::Slice a(std::min(from, to)), b(std::max(from, to));
        ASSERT_TRUE(raw->CompactRange(rocksdb::CompactRangeOptions(), cf_, &a, &b).ok());
        ++partial_compactions_;
      }
    }
  }

  ~ApiTorture() {
    for (const rocksdb::Snapshot* s : snapshots_) db_->db()->ReleaseSnapshot(s);
  }

  std::string Describe() const {
    return "seed " + std::to_string(seed_) + ": " + std::to_string(base_.size()) + " base rows, " +
           std::to_string(snapshots_.size()) + " snapshots, " +
           std::to_string(partial_compactions_) + " partial compactions, memtable " +
           (in_memtable_ ? "holds the last round" : "empty");
  }

  // Every snapshot (and the latest state): two predicates of the pool.
  void CheckAll(Coverage* cov) {
    SCOPED_TRACE(Describe());
    std::vector<const rocksdb::Snapshot*> snaps = snapshots_;
    snaps.push_back(nullptr);
    for (const rocksdb::Snapshot* snap : snaps) {
      for (int p = 0; p < 2; ++p) {
        const std::string where = kPredicates[rng_() % std::size(kPredicates)];
        SCOPED_TRACE(std::string(snap ? "snapshot " + std::to_string(snap->GetSequenceNumber())
                                      : std::string("latest")) +
                     ", where " + where);
        ASSERT_NO_FATAL_FAILURE(CheckScans(snap, where, cov));
        ASSERT_NO_FATAL_FAILURE(CheckAggregates(snap, where, cov));
      }
    }
  }

 private:
  static DbOptions Options() {
    DbOptions o;
    o.customize = [](rocksdb::Options* opts) {
      opts->disable_auto_compactions = true;  // the shapes are the test's
    };
    return o;
  }

  std::string RandomKey() { return base_[rng_() % base_.size()].first; }

  // ~150 writes in one region of the key space.
  void WriteRound() {
    rocksdb::DB* raw = db_->db();
    const rocksdb::WriteOptions wo;
    const size_t begin = rng_() % base_.size();
    const size_t len = std::min(base_.size() - begin, size_t{50} + rng_() % 800);
    auto key_at = [&](size_t i) -> const std::string& { return base_[begin + i % len].first; };
    for (int op = 0; op < 150; ++op) {
      const int what = static_cast<int>(rng_() % 10);
      const std::string& k = key_at(rng_());
      if (what < 2) {
        ASSERT_TRUE(raw->Delete(wo, cf_, k).ok());
      } else if (what == 2) {
        const size_t from = rng_() % len;
        const size_t to = std::min(len - 1, from + 1 + rng_() % 12);
        if (from < to) {
          ASSERT_TRUE(raw->DeleteRange(wo, cf_, key_at(from), key_at(to)).ok());
        }
      } else {
        // Another row's value under this key: a valid row, which satisfies
        // other predicates than the row it replaces.
        ASSERT_TRUE(raw->Put(wo, cf_, k, base_[rng_() % base_.size()].second).ok());
      }
      if (rng_() % 60 == 0) snapshots_.push_back(raw->GetSnapshot());
    }
  }

  void RandomBounds(ScanOptions* so) {
    const int r = static_cast<int>(rng_() % 6);
    if (r == 0) {
      const std::string a = RandomKey(), b = RandomKey();
      so->lower_bound = std::min(a, b);
      so->upper_bound = std::max(a, b);
    } else if (r == 1) {
      so->lower_bound = RandomKey();
    } else if (r == 2) {
      so->upper_bound = RandomKey();
    }
  }

  // The snapshot and random bounds of one check.
  ScanOptions BaseOptions(const rocksdb::Snapshot* snap) {
    ScanOptions base;
    base.snapshot = snap;
    RandomBounds(&base);
    return base;
  }
  static ScanOptions On(const ScanOptions& base, exec::DeviceRequest device) {
    ScanOptions so = base;
    so.device = device;
    return so;
  }
  // `base` on `device` with 1-3 workers and zone maps usually on.
  ScanOptions RandomPushdown(const ScanOptions& base, exec::DeviceRequest device) {
    ScanOptions so = On(base, device);
    so.workers = 1 + static_cast<uint32_t>(rng_() % 3);
    so.use_zone_maps = rng_() % 4 != 0;
    return so;
  }

  void CheckScans(const rocksdb::Snapshot* snap, const std::string& where, Coverage* cov) {
    const ScanOptions base = BaseOptions(snap);
    const ScanOptions it = On(base, exec::DeviceRequest::kIterator);
    const Scanned want = Run(*db_, where, it, /*batches=*/true);
    ASSERT_EQ(want.info.path, "iterator");
    const bool bounded = base.lower_bound || base.upper_bound;
    for (exec::DeviceRequest device : {exec::DeviceRequest::kHost, exec::DeviceRequest::kKernel}) {
      ScanOptions so = RandomPushdown(base, device);
      so.batch_blocks = 1 + static_cast<uint32_t>(rng_() % 16);
      so.batch_rows = static_cast<uint32_t>(rng_() % 3 == 0 ? 1 + rng_() % 50 : 0);
      const bool limited = rng_() % 4 == 0;
      if (limited) so.limit = rng_() % 20;
      const bool batches = rng_() % 2 == 0;
      const std::string what = std::string(exec::DeviceRequestName(device)) + ", " +
                               std::to_string(*so.workers) + " workers, zone maps " +
                               (so.use_zone_maps ? "on" : "off") +
                               (batches ? ", batches of " + std::to_string(so.batch_rows) : "") +
                               (limited ? ", limit " + std::to_string(so.limit) : "");
      SCOPED_TRACE(what);
      const Scanned got = Run(*db_, where, so, batches);
      EXPECT_EQ(got.info.path, "pushdown") << got.info.fallback_reason;
      const size_t n = std::min<size_t>(want.rows.size(), so.limit);
      ASSERT_EQ(got.rows.size(), n);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(got.rows[i].first, want.rows[i].first) << "row " << i;
        if (batches) {
          ASSERT_EQ(got.rows[i].second, want.rows[i].second) << "row " << i;
        }
      }
      EXPECT_EQ(got.stats.rows_matched, n);
      if (!limited) {
        EXPECT_LE(got.stats.rows_matched, got.stats.entries_scanned);
        cov->hidden_by_range_deletion += got.stats.keys_hidden_by_range_deletion;
      }
      ++cov->scans;
      cov->rows += n;
      cov->split_scans += got.info.workers >= 2;
      cov->kernel_scans += got.info.device == "kernel";
      cov->memtable_scans += got.info.memtable_entries_merged > 0;
      cov->bounded_scans += bounded;
      cov->batch_scans += batches;
    }
  }

  void CheckAggregates(const rocksdb::Snapshot* snap, const std::string& where, Coverage* cov) {
    const ScanOptions base = BaseOptions(snap);
    const ScanOptions it = On(base, exec::DeviceRequest::kIterator);
    auto want = db_->Aggregate("lineitem", where, kAggregates, it);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    for (exec::DeviceRequest device : {exec::DeviceRequest::kHost, exec::DeviceRequest::kKernel}) {
      const ScanOptions so = RandomPushdown(base, device);
      const std::string what = std::string(exec::DeviceRequestName(device)) + " aggregate, " +
                               std::to_string(*so.workers) + " workers";
      SCOPED_TRACE(what);
      auto got = db_->Aggregate("lineitem", where, kAggregates, so);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(got->info.path, "pushdown") << got->info.fallback_reason;
      ASSERT_NO_FATAL_FAILURE(ExpectSameAggregate(*want, *got, what));
      EXPECT_LE(got->stats.blocks_aggregated_on_device, got->stats.blocks_read);
      cov->blocks_aggregated += got->stats.blocks_aggregated_on_device;
      cov->mixed_aggregates += got->stats.blocks_aggregated_on_device > 0 &&
                               got->stats.rows_aggregated_on_device < got->rows;
      cov->split_aggregates += got->info.workers >= 2;
    }
  }

  int seed_;
  std::mt19937_64 rng_;
  std::unique_ptr<LineitemDb> lineitem_;  // loaded and flushed
  PushdownDB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_ = nullptr;
  std::vector<KV> base_;  // the compacted base, in key order
  std::vector<const rocksdb::Snapshot*> snapshots_;
  bool in_memtable_ = false;
  int partial_compactions_ = 0;
};

constexpr int kSeeds = 12;
constexpr int kSeedsPerShard = 4;

class ApiTortureTest : public ::testing::TestWithParam<int> {};

TEST_P(ApiTortureTest, EveryPathEqualsTheIterator) {
  Coverage cov;
  for (int seed = GetParam(); seed < GetParam() + kSeedsPerShard; ++seed) {
    ApiTorture t(seed);
    ASSERT_NO_FATAL_FAILURE(t.Build());
    ASSERT_NO_FATAL_FAILURE(t.CheckAll(&cov));
  }
  std::printf(
      "api torture coverage: scans %llu rows %llu split %llu kernel %llu memtable %llu bounded "
      "%llu batches %llu hidden by range deletion %llu; aggregates: blocks on device %llu mixed "
      "%llu split %llu\n",
      (unsigned long long)cov.scans, (unsigned long long)cov.rows,
      (unsigned long long)cov.split_scans, (unsigned long long)cov.kernel_scans,
      (unsigned long long)cov.memtable_scans, (unsigned long long)cov.bounded_scans,
      (unsigned long long)cov.batch_scans, (unsigned long long)cov.hidden_by_range_deletion,
      (unsigned long long)cov.blocks_aggregated, (unsigned long long)cov.mixed_aggregates,
      (unsigned long long)cov.split_aggregates);
  EXPECT_GT(cov.rows, 0u);
  EXPECT_GT(cov.split_scans, 0u);
  EXPECT_GT(cov.memtable_scans, 0u);
  EXPECT_GT(cov.bounded_scans, 0u);
  EXPECT_GT(cov.batch_scans, 0u);
  EXPECT_GT(cov.hidden_by_range_deletion, 0u);
  EXPECT_GT(cov.blocks_aggregated, 0u);
  EXPECT_GT(cov.mixed_aggregates, 0u);
  EXPECT_GT(cov.split_aggregates, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ApiTortureTest, ::testing::Range(1, 1 + kSeeds, kSeedsPerShard));

}  // namespace
}  // namespace pushdown::engine
