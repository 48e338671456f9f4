// Raw-mode zone maps (RawZoneMapCollectorFactory): a stock RocksDB column
// family without a schema -- keys are 8-byte big-endian timestamps, values
// carry a little-endian u32 sequence number at offset 4 that follows the key
// -- records one configured field per data block. A raw scan whose predicate
// compares exactly that field skips blocks; one on another field (other
// endianness, offset or width) reads everything; every result equals the
// RocksDB iterator + the reference evaluator, with newer non-matching
// versions and deletions over older matching ones (exact rule), and the
// property decoder refuses every truncation of a real property.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "engine/api/internal.h"
#include "engine/api/zone_map_collector.h"
#include "pushdown/scan/scan_executor.h"
#include "pushdown/scan/zone_map.h"
#include "pushdown/sst/sst_file.h"
#include "rocksdb/db.h"
#include "rocksdb/table.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

std::string Be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(v >> (56 - 8 * i));
  return s;
}

std::string Value(uint32_t seq) {
  std::string s = "hdr:";
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(seq >> (8 * i)));
  return s + "payload-bytes";
}

class RawDb {
 public:
  RawDb(const std::string& prefix, bpfgen::RawField field) : dir_(prefix) {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.compression = rocksdb::kNoCompression;
    o.disable_auto_compactions = true;
    rocksdb::BlockBasedTableOptions t;
    t.block_size = 1024;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    o.table_properties_collector_factories.push_back(
        std::make_shared<RawZoneMapCollectorFactory>(field, &o));
    rocksdb::DB* db = nullptr;
    EXPECT_TRUE(rocksdb::DB::Open(o, dir_.path() + "/db", &db).ok());
    db_.reset(db);
  }
  rocksdb::DB* db() { return db_.get(); }
  void Flush() { ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok()); }
  void CompactAll() {
    rocksdb::CompactRangeOptions cro;
    cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    ASSERT_TRUE(db_->CompactRange(cro, nullptr, nullptr).ok());
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
    return out;
  }

  struct Out {
    Rows rows;
    exec::ScanStats stats;
  };
  Out Scan(const bpfgen::Predicate& p, exec::ScanPlan::ZoneMapUse use) {
    exec::ScanPlan plan;
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(&meta);
    plan.files = ScanFilesOf(meta);
    plan.snapshot = db_->GetLatestSequenceNumber();
    plan.schema = &schema_;
    plan.projection = exec::Projection::All();
    plan.zone_maps = use;
    for (const auto& c : p.conjuncts) plan.device_conjuncts.push_back(c.get());
    Out out;
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
  const bpfgen::Schema& schema() const { return schema_; }

 private:
  testing::TempDir dir_;
  bpfgen::Schema schema_ = bpfgen::Schema::Raw();
  std::unique_ptr<rocksdb::DB> db_;
};

uint64_t Total(const exec::ScanStats& s) { return s.blocks_read + s.blocks_skipped; }

TEST(RawZoneMapTest, PredicatesOnTheRecordedFieldSkipBlocksOthersDoNot) {
  for (const bpfgen::RawField field :
       {bpfgen::RawField{bpfgen::RawField::Source::kValue, 4, 4, /*big_endian=*/false},
        bpfgen::RawField{bpfgen::RawField::Source::kKey, 0, 8, /*big_endian=*/true}}) {
    SCOPED_TRACE("field " + field.ToString());
    RawDb db("pd_raw_zone", field);
    constexpr int kRows = 40000;
    for (uint32_t i = 0; i < kRows; ++i) {
      ASSERT_TRUE(db.db()->Put(rocksdb::WriteOptions(), Be64(1000000 + 10 * i), Value(i)).ok());
    }
    db.Flush();
    db.CompactAll();
    const bool on_key = field.source == bpfgen::RawField::Source::kKey;
    // 1% of the rows, on the recorded field.
    const std::string on_field = on_key ? "u64be(key, 0) >= 1200000 AND u64be(key, 0) < 1204000"
                                        : "u32le(value, 4) BETWEEN 20000 AND 20399";
    // Same bytes, read otherwise: never decided by the zone map.
    const std::string other = on_key ? "u64le(key, 0) < 5" : "u32be(value, 4) < 5";
    for (const std::string& text : {on_field, on_field + " AND length(value) > 3", other}) {
      SCOPED_TRACE(text);
      auto p = bpfgen::CompilePredicate(text, db.schema());
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      const Rows want = db.Expected(*p);
      RawDb::Out got = db.Scan(*p, exec::ScanPlan::ZoneMapUse::kExact);
      EXPECT_EQ(got.rows, want);
      ASSERT_FALSE(got.stats.per_file.empty());
      EXPECT_NE(got.stats.per_file[0].zone_map.find("used, field " + field.ToString()),
                std::string::npos)
          << got.stats.per_file[0].zone_map;
      if (text == other) {
        EXPECT_EQ(got.stats.blocks_skipped_by_zone_map, 0u);
        EXPECT_EQ(got.stats.blocks_read, Total(got.stats));
      } else {
        ASSERT_EQ(want.size(), 400u);
        EXPECT_LT(got.stats.blocks_read * 20, Total(got.stats))
            << "read " << got.stats.blocks_read << " of " << Total(got.stats);
        EXPECT_GT(got.stats.blocks_skipped_by_zone_map, 0u);
      }
      RawDb::Out off = db.Scan(*p, exec::ScanPlan::ZoneMapUse::kOff);
      EXPECT_EQ(off.rows, want);
      EXPECT_EQ(off.stats.blocks_read, Total(off.stats));
    }
  }
}

// Newer versions whose field fails, and deletions, over an older matching
// base: the exact rule reads the newer file's blocks, the naive one skips
// them and returns the stale versions.
TEST(RawZoneMapTest, NewerVersionsAndDeletionsHideOlderMatchesExactly) {
  const bpfgen::RawField field{bpfgen::RawField::Source::kValue, 4, 4, /*big_endian=*/false};
  RawDb db("pd_raw_zone_shadow", field);
  for (uint32_t i = 0; i < 20000; ++i) {
    ASSERT_TRUE(db.db()->Put(rocksdb::WriteOptions(), Be64(i), Value(100 + i % 50)).ok());
  }
  db.Flush();
  db.CompactAll();
  for (uint32_t i = 5000; i < 5500; ++i) {
    ASSERT_TRUE(db.db()->Put(rocksdb::WriteOptions(), Be64(i), Value(7)).ok());
  }
  for (uint32_t i = 9000; i < 9300; ++i) {
    ASSERT_TRUE(db.db()->Delete(rocksdb::WriteOptions(), Be64(i)).ok());
  }
  db.Flush();
  auto p = bpfgen::CompilePredicate("u32le(value, 4) BETWEEN 100 AND 104", db.schema());
  ASSERT_TRUE(p.ok());
  const Rows want = db.Expected(*p);
  RawDb::Out exact = db.Scan(*p, exec::ScanPlan::ZoneMapUse::kExact);
  EXPECT_EQ(exact.rows, want);
  RawDb::Out naive = db.Scan(*p, exec::ScanPlan::ZoneMapUse::kNaiveForTests);
  EXPECT_GT(naive.rows.size(), want.size()) << "the naive rule must return stale rows here";
}

TEST(RawZoneMapTest, TheDecoderRefusesEveryTruncationOfARealProperty) {
  RawDb db("pd_raw_zone_decode", bpfgen::RawField{});
  for (uint32_t i = 0; i < 3000; ++i) {
    ASSERT_TRUE(db.db()->Put(rocksdb::WriteOptions(), Be64(i), Be64(i) + "tail").ok());
  }
  db.Flush();
  rocksdb::ColumnFamilyMetaData meta;
  db.db()->GetColumnFamilyMetaData(&meta);
  const std::vector<exec::ScanFile> files = ScanFilesOf(meta);
  ASSERT_EQ(files.size(), 1u);
  auto sst = exec::SstFile::Open(files[0].path);
  ASSERT_TRUE(sst.ok()) << sst.status().ToString();
  const auto& props = (*sst)->info().properties.raw;
  auto it = props.find(exec::kRawZoneMapProperty);
  ASSERT_NE(it, props.end());
  auto zm = exec::DecodeRawZoneMap(it->second, "f");
  ASSERT_TRUE(zm.ok()) << zm.status().ToString();
  EXPECT_EQ(zm->blocks.size(), (*sst)->num_data_blocks());
  EXPECT_EQ(zm->raw_field->ToString(), "u64be(value, 0)");
  EXPECT_EQ(zm->blocks.front().columns[0].min, 0);
  EXPECT_EQ(zm->blocks.back().columns[0].max, 2999);
  // Compact: well under 1% of the data.
  EXPECT_LT(it->second.size() * 100, (*sst)->info().properties.data_size);
  for (size_t n = 0; n < it->second.size(); ++n) {
    EXPECT_FALSE(exec::DecodeRawZoneMap(std::string_view(it->second).substr(0, n), "f").ok()) << n;
  }
  // A table's zone map is not a raw one, and vice versa.
  EXPECT_NE(exec::ZoneMapMismatch(*zm, *bpfgen::ParseSchema("a INT64 KEY"), zm->blocks.size()), "");
  EXPECT_EQ(exec::ZoneMapMismatch(*zm, bpfgen::Schema::Raw(), zm->blocks.size()), "");
}

}  // namespace
}  // namespace pushdown::engine
