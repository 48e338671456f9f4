// Zone-map skipping through the ScanExecutor, on stock-RocksDB tables written
// with ZoneMapCollectorFactory:
//   - a time-ordered table (the value column follows the key): a 1% range on
//     the key column and a 1% range on the value column each read under 5% of
//     the data blocks, with the iterator's result, on the host path and the
//     host and kernel devices (kernel skipped without BPF);
//   - exactness: newer versions that flip the predicate and deletions in L0
//     over a compacted, matching base; random predicates and shapes. Every
//     result equals RocksDB's iterator + the reference evaluator;
//   - negative control: the naive rule (skip a "never" block even where an
//     older file overlaps) returns stale rows on the same DB.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"
#include "engine/api/internal.h"
#include "engine/api/zone_map_collector.h"
#include "pushdown/device/program_cache.h"
#include "pushdown/scan/scan_executor.h"
#include "rocksdb/db.h"
#include "rocksdb/table.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

constexpr char kDdl[] = "ts INT64 KEY, v INT64 NOT NULL, grp INT32";

class ZoneDb {
 public:
  explicit ZoneDb(const std::string& prefix)
      : dir_(prefix),
        schema_(*bpfgen::ParseSchema(kDdl)),
        layout_(bpfgen::RowLayout::Compute(schema_)) {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.compression = rocksdb::kNoCompression;
    o.disable_auto_compactions = true;
    rocksdb::BlockBasedTableOptions t;
    t.block_size = 1024;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    o.table_properties_collector_factories.push_back(
        std::make_shared<ZoneMapCollectorFactory>(schema_, &o));
    rocksdb::DB* db = nullptr;
    EXPECT_TRUE(rocksdb::DB::Open(o, dir_.path() + "/db", &db).ok());
    db_.reset(db);
  }

  void Put(int64_t ts, int64_t v) {
    std::vector<bpfgen::Datum> row = {bpfgen::Datum::Int(ts), bpfgen::Datum::Int(v),
                                      bpfgen::Datum::Int(ts % 7)};
    std::string value;
    ASSERT_TRUE(bpfgen::EncodeRow(schema_, layout_, row, &value).ok());
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), Key(ts), value).ok());
  }
  void Delete(int64_t ts) { ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), Key(ts)).ok()); }
  void Flush() { ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok()); }
  void CompactAll() {
    rocksdb::CompactRangeOptions cro;
    cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    ASSERT_TRUE(db_->CompactRange(cro, nullptr, nullptr).ok());
  }
  std::string Key(int64_t ts) const {
    return bpfgen::EncodeKeyColumns(schema_, {bpfgen::Datum::Int(ts)});
  }

  const bpfgen::Schema& schema() const { return schema_; }
  rocksdb::DB* db() { return db_.get(); }

  // The plan as the engine builds it (engine/api/scan.cc).
  exec::ScanPlan Plan() {
    exec::ScanPlan plan;
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(&meta);
    plan.files = ScanFilesOf(meta);
    plan.snapshot = db_->GetLatestSequenceNumber();
    plan.schema = &schema_;
    plan.projection = exec::Projection::All();
    return plan;
  }

  Rows Expected(const bpfgen::Predicate& p) {
    bpfgen::Evaluator eval(schema_);
    Rows out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto m = eval.Matches(p, it->key().ToStringView(), it->value().ToStringView());
      EXPECT_TRUE(m.ok());
      if (*m) out.emplace_back(it->key().ToString(), it->value().ToString());
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }

 private:
  testing::TempDir dir_;
  bpfgen::Schema schema_;
  bpfgen::RowLayout layout_;
  std::unique_ptr<rocksdb::DB> db_;
};

struct ScanOut {
  Rows rows;
  exec::ScanStats stats;
};

// The whole predicate on the device (or the host reference path when
// program == nullptr); the residual is empty.
ScanOut RunScan(ZoneDb& db, const bpfgen::Predicate& p, exec::DeviceProgram* program,
                exec::ScanPlan::ZoneMapUse use) {
  exec::ScanPlan plan = db.Plan();
  for (const auto& c : p.conjuncts) plan.device_conjuncts.push_back(c.get());
  plan.zone_maps = use;
  if (program != nullptr) {
    plan.device = program->device;
    plan.program = program->program.get();
  }
  ScanOut out;
  auto scan = exec::ScanExecutor::Open(plan);
  EXPECT_TRUE(scan.ok()) << scan.status().ToString();
  if (!scan.ok()) return out;
  exec::Row row;
  for (;;) {
    Status s = (*scan)->Next(&row);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || !(*scan)->Valid()) break;
    out.rows.emplace_back(row.key, row.value);
  }
  out.stats = (*scan)->stats();
  return out;
}

// Host reference path, host device and (where BPF works) kernel device.
struct Paths {
  std::vector<std::unique_ptr<exec::DeviceProgram>> programs;
  std::vector<std::string> names;
};

Paths LoadPaths(const bpfgen::Schema& schema, const bpfgen::Predicate& p) {
  Paths paths;
  paths.programs.push_back(nullptr);
  paths.names.push_back("host path");
  std::vector<const bpfgen::Expr*> conjuncts;
  for (const auto& c : p.conjuncts) conjuncts.push_back(c.get());
  for (const char* device : {"host", "kernel"}) {
    auto loaded =
        exec::CompileAndLoad(exec::DeviceRegistry::Default(), device, schema, conjuncts, nullptr);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    if (!loaded.ok()) continue;
    if ((*loaded)->fallback.fell_back()) {  // e.g. no BPF privilege: that device is not run
      std::printf("zone map scan: %s device not run: %s\n", device,
                  (*loaded)->fallback.detail.c_str());
      continue;
    }
    paths.programs.push_back(std::move(*loaded));
    paths.names.push_back(device);
  }
  return paths;
}

uint64_t TotalBlocks(const exec::ScanStats& s) { return s.blocks_read + s.blocks_skipped; }

TEST(ZoneMapScanTest, TimeOrderedRangesReadUnderFivePercentOfTheBlocks) {
  ZoneDb db("pd_zone_time");
  constexpr int kRows = 100000;
  for (int i = 0; i < kRows; ++i) db.Put(i, 3 * int64_t{i} + 7);  // v follows the key
  db.Flush();
  db.CompactAll();
  for (const char* text : {"ts >= 40000 AND ts < 41000",   // 1% on the key column
                           "v BETWEEN 120007 AND 123004",  // 1% on a column following the key
                           "v BETWEEN 120007 AND 123004 AND grp = 3"}) {
    auto p = bpfgen::CompilePredicate(text, db.schema());
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    const Rows expected = db.Expected(*p);
    ASSERT_GT(expected.size(), 100u);
    Paths paths = LoadPaths(db.schema(), *p);
    for (size_t i = 0; i < paths.programs.size(); ++i) {
      ScanOut got = RunScan(db, *p, paths.programs[i].get(), exec::ScanPlan::ZoneMapUse::kExact);
      EXPECT_EQ(got.rows, expected) << text << " on " << paths.names[i];
      EXPECT_LT(got.stats.blocks_read * 20, TotalBlocks(got.stats))
          << text << " on " << paths.names[i] << ": read " << got.stats.blocks_read << " of "
          << TotalBlocks(got.stats);
      EXPECT_GT(got.stats.blocks_skipped_by_zone_map, 0u);
      // Without zone maps every block is read (the control for the count).
      ScanOut off = RunScan(db, *p, paths.programs[i].get(), exec::ScanPlan::ZoneMapUse::kOff);
      EXPECT_EQ(off.rows, expected);
      EXPECT_EQ(off.stats.blocks_read, TotalBlocks(off.stats));
    }
  }
  // A predicate true on whole blocks: those are delivered without evaluation.
  auto all = bpfgen::CompilePredicate("v >= 7", db.schema());
  ASSERT_TRUE(all.ok());
  ScanOut got = RunScan(db, *all, nullptr, exec::ScanPlan::ZoneMapUse::kExact);
  EXPECT_EQ(got.rows.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(got.stats.blocks_zone_always, got.stats.blocks_read);
}

// A column random in key order keeps only its file summary (zone maps v2):
// the file's verdict then stands for every block -- "never" skips the file,
// "always" delivers every block unevaluated, "maybe" reads every block -- and
// a conjunct on a block-level column (the key) still decides
// per block. Every result equals the iterator's.
TEST(ZoneMapScanTest, AFileLevelColumnIsDecidedByTheFileSummary) {
  ZoneDb db("pd_zone_file_level");
  constexpr int kRows = 20000;
  for (int i = 0; i < kRows; ++i) db.Put(i, (int64_t{i} * 7919) % 100000);
  db.Flush();
  db.CompactAll();
  struct Case {
    const char* text;
    bool all_skipped, all_always, some_skipped;
  };
  for (const Case& c :
       {Case{"v > 100000", true, false, false}, Case{"v >= 0 AND v < 100000", false, true, false},
        Case{"v = 7919", false, false, false},
        Case{"v = 7919 AND ts >= 19000", false, false, true}}) {
    SCOPED_TRACE(c.text);
    auto p = bpfgen::CompilePredicate(c.text, db.schema());
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    ScanOut got = RunScan(db, *p, nullptr, exec::ScanPlan::ZoneMapUse::kExact);
    EXPECT_EQ(got.rows, db.Expected(*p));
    const uint64_t total = TotalBlocks(got.stats);
    ASSERT_GT(total, 50u);
    if (c.all_skipped) {
      EXPECT_EQ(got.stats.blocks_read, 0u);
      EXPECT_EQ(got.stats.blocks_skipped_by_zone_map, total);
      EXPECT_EQ(got.stats.files_skipped_by_zone_map, 1u);
    } else if (c.all_always) {
      EXPECT_EQ(got.stats.blocks_read, total);
      EXPECT_EQ(got.stats.blocks_zone_always, total);
    } else if (c.some_skipped) {
      EXPECT_GT(got.stats.blocks_skipped_by_zone_map, 0u);
      EXPECT_LT(got.stats.blocks_skipped_by_zone_map, total);
    } else {
      EXPECT_EQ(got.stats.blocks_read, total);
      EXPECT_EQ(got.stats.blocks_zone_always, 0u);
    }
  }
}

// Older matching versions below newer non-matching ones and deletions: the
// exact rule reads the L0 blocks (an older file overlaps), the naive one
// skips them and returns the stale versions.
TEST(ZoneMapScanTest, NewerVersionsAndDeletionsAreNeverSkippedOverOlderData) {
  ZoneDb db("pd_zone_shadow");
  for (int i = 0; i < 20000; ++i) db.Put(i, 1000 + i % 100);  // every v in [1000, 1100)
  db.Flush();
  db.CompactAll();
  // L0: overwrite [5000, 5500) with v = 5 (fails `v >= 1000`), delete [9000, 9300).
  for (int i = 5000; i < 5500; ++i) db.Put(i, 5);
  for (int i = 9000; i < 9300; ++i) db.Delete(i);
  db.Flush();
  auto p = bpfgen::CompilePredicate("v >= 1000 AND v < 1010", db.schema());
  ASSERT_TRUE(p.ok());
  const Rows expected = db.Expected(*p);
  Paths paths = LoadPaths(db.schema(), *p);
  for (size_t i = 0; i < paths.programs.size(); ++i) {
    ScanOut exact = RunScan(db, *p, paths.programs[i].get(), exec::ScanPlan::ZoneMapUse::kExact);
    EXPECT_EQ(exact.rows, expected) << paths.names[i];
    ScanOut naive =
        RunScan(db, *p, paths.programs[i].get(), exec::ScanPlan::ZoneMapUse::kNaiveForTests);
    EXPECT_GT(naive.rows.size(), expected.size())
        << paths.names[i] << ": the naive rule must return stale rows here";
    EXPECT_GT(naive.stats.blocks_skipped_by_zone_map, exact.stats.blocks_skipped_by_zone_map);
  }
}

// Range deletions apply to every row a zone map lets through: rows of blocks
// delivered as "always" (no predicate evaluation) are hidden by a newer
// file's tombstone like any other, on every path; and a newer file whose data
// lies outside the key bounds (its blocks left unread) still deletes inside
// them.
TEST(ZoneMapScanTest, RangeDeletionsHideZoneAlwaysRowsAndApplyFromUnreadFiles) {
  ZoneDb db("pd_zone_rangedel");
  for (int i = 0; i < 20000; ++i) db.Put(i, 1000 + i % 100);  // every v in [1000, 1100)
  db.Flush();
  db.CompactAll();
  // L0: a tombstone over [3000, 4000) and puts far outside it.
  ASSERT_TRUE(db.db()
                  ->DeleteRange(rocksdb::WriteOptions(), db.db()->DefaultColumnFamily(),
                                db.Key(3000), db.Key(4000))
                  .ok());
  for (int i = 30000; i < 30400; ++i) db.Put(i, 5);
  db.Flush();
  auto p = bpfgen::CompilePredicate("v >= 1000", db.schema());
  ASSERT_TRUE(p.ok());
  const Rows expected = db.Expected(*p);
  ASSERT_EQ(expected.size(), 19000u);
  Paths paths = LoadPaths(db.schema(), *p);
  for (size_t i = 0; i < paths.programs.size(); ++i) {
    ScanOut got = RunScan(db, *p, paths.programs[i].get(), exec::ScanPlan::ZoneMapUse::kExact);
    EXPECT_EQ(got.rows, expected) << paths.names[i];
    EXPECT_EQ(got.stats.range_tombstones, 1u) << paths.names[i];
    EXPECT_EQ(got.stats.keys_hidden_by_range_deletion, 1000u) << paths.names[i];
    if (paths.programs[i] == nullptr) EXPECT_GT(got.stats.blocks_zone_always, 0u);
  }
  // Bounds [3000, 3500): the L0 file's data (keys >= 30000) is outside them,
  // its tombstone is not; nothing in the bounds survives.
  exec::ScanPlan plan = db.Plan();
  for (const auto& c : p->conjuncts) plan.device_conjuncts.push_back(c.get());
  plan.lower_bound = db.Key(3000);
  plan.upper_bound = db.Key(3500);
  plan.bytewise_comparator = true;
  auto scan = exec::ScanExecutor::Open(plan);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  exec::Row row;
  ASSERT_TRUE((*scan)->Next(&row).ok());
  EXPECT_FALSE((*scan)->Valid()) << "a deleted row was returned";
  EXPECT_EQ((*scan)->stats().keys_hidden_by_range_deletion, 500u);
  EXPECT_EQ((*scan)->stats().files, 2u);
}

TEST(ZoneMapScanTest, RandomShapesAndPredicatesEqualTheIterator) {
  std::mt19937 rng(99);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  int skipped_somewhere = 0;
  for (int round = 0; round < 6; ++round) {
    ZoneDb db("pd_zone_random");
    const int n = 4000 + pick(4000);
    for (int i = 0; i < n; ++i) db.Put(i, i / 10 + pick(3));
    db.Flush();
    if (pick(2)) db.CompactAll();
    for (int batch = 0; batch < 2; ++batch) {  // L0 files of overwrites and deletions
      for (int k = 0; k < 300; ++k) {
        const int64_t key = pick(n + 200);
        if (pick(4) == 0) {
          db.Delete(key);
        } else {
          db.Put(key, pick(n / 10));
        }
      }
      db.Flush();
    }
    for (int q = 0; q < 12; ++q) {
      const int lo = pick(n / 10);
      const std::string text =
          pick(2) ? "v BETWEEN " + std::to_string(lo) + " AND " + std::to_string(lo + pick(40))
                  : "ts < " + std::to_string(pick(n)) + " AND v > " + std::to_string(lo);
      auto p = bpfgen::CompilePredicate(text, db.schema());
      ASSERT_TRUE(p.ok());
      ScanOut got = RunScan(db, *p, nullptr, exec::ScanPlan::ZoneMapUse::kExact);
      EXPECT_EQ(got.rows, db.Expected(*p)) << text << " round " << round;
      skipped_somewhere += got.stats.blocks_skipped_by_zone_map > 0;
    }
  }
  EXPECT_GT(skipped_somewhere, 10);  // the rule does skip in these shapes
}

}  // namespace
}  // namespace pushdown::engine
