// ZoneMapCollectorFactory in a stock RocksDB column family: every SST file
// it writes carries a zone map whose per-block summaries equal the summaries
// recomputed from the blocks themselves (read back with pushdown/sst), across
// flushes and compactions, with deletions and NULLs, small blocks and several
// compressions; dictionary compression is detected (block count mismatch)
// rather than trusted.
#include "engine/api/zone_map_collector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "bpfgen/eval/zone_eval.h"
#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"
#include "pushdown/scan/zone_map.h"
#include "pushdown/sst/block.h"
#include "pushdown/sst/sst_file.h"
#include "rocksdb/db.h"
#include "rocksdb/table.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

constexpr char kDdl[] =
    "id INT64 KEY, ts DATE NOT NULL, qty DECIMAL(12,2), flag BOOL, n INT32, name VARCHAR(12)";

bpfgen::ZoneStats Summarise(const bpfgen::Schema& schema, const bpfgen::RowLayout& layout,
                            const std::vector<std::string>& values) {
  bpfgen::ZoneStats z;
  z.rows = values.size();
  z.columns.resize(schema.columns.size());
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    bpfgen::ColumnZone& cz = z.columns[c];
    cz.known = bpfgen::ZoneMappable(schema.columns[c].type);
    if (!cz.known) continue;
    for (const std::string& v : values) {
      bpfgen::Datum d;
      EXPECT_TRUE(bpfgen::DecodeColumn(schema, layout, v, static_cast<int>(c), &d).ok());
      if (d.is_null()) {
        ++cz.null_count;
        continue;
      }
      cz.min = cz.value_count == 0 ? d.i : std::min(cz.min, d.i);
      cz.max = cz.value_count == 0 ? d.i : std::max(cz.max, d.i);
      ++cz.value_count;
    }
  }
  return z;
}

void ExpectSameZone(const bpfgen::ZoneStats& a, const bpfgen::ZoneStats& b, const std::string& at) {
  ASSERT_EQ(a.rows, b.rows) << at;
  for (size_t c = 0; c < std::max(a.columns.size(), b.columns.size()); ++c) {
    const bpfgen::ColumnZone ca = c < a.columns.size() ? a.columns[c] : bpfgen::ColumnZone();
    const bpfgen::ColumnZone cb = c < b.columns.size() ? b.columns[c] : bpfgen::ColumnZone();
    ASSERT_EQ(ca.known, cb.known) << at << " column " << c;
    if (!ca.known) continue;
    EXPECT_EQ(ca.null_count, cb.null_count) << at << " column " << c;
    EXPECT_EQ(ca.value_count, cb.value_count) << at << " column " << c;
    if (ca.value_count > 0) {
      EXPECT_EQ(ca.min, cb.min) << at << " column " << c;
      EXPECT_EQ(ca.max, cb.max) << at << " column " << c;
    }
  }
}

// A file-level column's block zone (zone_map.h) must cover the block's true
// one: same counts where known, an interval around the true one.
void ExpectZoneCovers(const bpfgen::ColumnZone& got, const bpfgen::ColumnZone& truth,
                      const std::string& at) {
  if (!got.known) return;  // unknown covers everything
  EXPECT_EQ(got.null_count, truth.null_count) << at;
  EXPECT_EQ(got.value_count, truth.value_count) << at;
  if (truth.value_count == 0) return;
  EXPECT_LE(got.min, truth.min) << at;
  EXPECT_GE(got.max, truth.max) << at;
}

struct Outcome {
  int files = 0, files_with_map = 0, mismatched = 0;
  uint64_t blocks = 0, map_bytes = 0, data_bytes = 0;
  int key_block_level = 0, random_file_level = 0, multi_block_files = 0;
};

// Writes random rows (and deletions) into a CF with the collector, flushes
// and compacts, then checks every live file's zone map against its blocks.
Outcome WriteAndCheck(rocksdb::CompressionType compression, uint32_t max_dict_bytes,
                      uint32_t seed) {
  Outcome out;
  const bpfgen::Schema schema = *bpfgen::ParseSchema(kDdl);
  const bpfgen::RowLayout layout = bpfgen::RowLayout::Compute(schema);
  testing::TempDir dir("pd_zonemap");
  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = compression;
  options.compression_opts.max_dict_bytes = max_dict_bytes;
  options.compression_opts.zstd_max_train_bytes = max_dict_bytes * 4;
  rocksdb::BlockBasedTableOptions bbto;
  bbto.block_size = 512;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(bbto));
  options.table_properties_collector_factories.push_back(
      std::make_shared<ZoneMapCollectorFactory>(schema, &options));
  rocksdb::DB* raw = nullptr;
  EXPECT_TRUE(rocksdb::DB::Open(options, dir.path() + "/db", &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);

  std::mt19937 rng(seed);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 1500; ++i) {
      const int64_t id = pick(3000);
      std::vector<bpfgen::Datum> row = {
          bpfgen::Datum::Int(id),
          bpfgen::Datum::Int(9000 + id / 10 + pick(3)),
          pick(6) == 0 ? bpfgen::Datum::Null() : bpfgen::Datum::Int(pick(100000) - 50000),
          pick(4) == 0 ? bpfgen::Datum::Null() : bpfgen::Datum::Bool(pick(2)),
          bpfgen::Datum::Int(pick(7) - 3),
          bpfgen::Datum::String(std::string(pick(12), 'x'))};
      const std::string key = bpfgen::EncodeKey(schema, row);
      if (pick(8) == 0) {
        EXPECT_TRUE(db->Delete(rocksdb::WriteOptions(), key).ok());
        continue;
      }
      std::string value;
      EXPECT_TRUE(bpfgen::EncodeRow(schema, layout, row, &value).ok());
      EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), key, value).ok());
    }
    EXPECT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  }
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  // One compacted file plus fresh L0 files: both builders (flush, compaction).
  EXPECT_TRUE(db->CompactRange(cro, nullptr, nullptr).ok());
  for (int i = 0; i < 500; ++i) {
    std::vector<bpfgen::Datum> row = {bpfgen::Datum::Int(pick(3000)), bpfgen::Datum::Int(1),
                                      bpfgen::Datum::Null(),          bpfgen::Datum::Bool(true),
                                      bpfgen::Datum::Null(),          bpfgen::Datum::String("")};
    std::string value;
    EXPECT_TRUE(bpfgen::EncodeRow(schema, layout, row, &value).ok());
    EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), bpfgen::EncodeKey(schema, row), value).ok());
  }
  EXPECT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());

  std::vector<rocksdb::LiveFileMetaData> files;
  db->GetLiveFilesMetaData(&files);
  for (const auto& f : files) {
    ++out.files;
    auto sst = exec::SstFile::Open(f.directory + "/" + f.relative_filename);
    EXPECT_TRUE(sst.ok()) << sst.status().ToString();
    if (!sst.ok()) continue;
    const exec::TableProperties& props = (*sst)->info().properties;
    out.data_bytes += props.data_size;
    auto it = props.raw.find(exec::kZoneMapProperty);
    if (it == props.raw.end()) continue;
    ++out.files_with_map;
    out.map_bytes += it->second.size();
    auto zm = exec::DecodeZoneMap(it->second, schema.columns.size(), f.relative_filename);
    EXPECT_TRUE(zm.ok()) << zm.status().ToString();
    if (!zm.ok()) continue;
    const std::string mismatch = exec::ZoneMapMismatch(*zm, schema, (*sst)->num_data_blocks());
    if (!mismatch.empty()) {
      ++out.mismatched;
      continue;
    }
    for (size_t b = 0; b < (*sst)->num_data_blocks(); ++b) {
      auto block = (*sst)->ReadDataBlock(b);
      EXPECT_TRUE(block.ok());
      if (!block.ok()) continue;
      std::vector<std::string> values;
      exec::DataBlockIter iter(block->data, (*sst)->block_context(b), (*sst)->info().global_seqno);
      for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
        if (iter.parsed().type == 1) values.emplace_back(iter.value());  // Value entries
      }
      EXPECT_TRUE(iter.status().ok());
      ++out.blocks;
      // Block-level columns exactly; file-level ones cover the block.
      const bpfgen::ZoneStats truth = Summarise(schema, layout, values);
      const std::string at = f.relative_filename + " block " + std::to_string(b);
      bpfgen::ZoneStats exact = truth;
      for (int c : zm->columns) {
        if (zm->BlockLevel(c)) continue;
        ExpectZoneCovers(zm->blocks[b].columns[c], truth.columns[c],
                         at + " column " + std::to_string(c));
        exact.columns[c] = zm->blocks[b].columns[c];
      }
      ExpectSameZone(zm->blocks[b], exact, at);
    }
    // The key (id) follows the key: per block; n is random in key order
    // (and never NULL) or all NULL: file level only. (ts follows the key in
    // the compacted file but is constant in the last flush: file level.)
    if ((*sst)->num_data_blocks() >= 8) {
      ++out.multi_block_files;
      out.key_block_level += zm->BlockLevel(0);
      out.random_file_level += !zm->BlockLevel(4);
    }
  }
  return out;
}

TEST(ZoneMapCollectorTest, EveryBlockSummaryMatchesItsBlock) {
  for (rocksdb::CompressionType c :
       {rocksdb::kNoCompression, rocksdb::kLZ4Compression, rocksdb::kZSTD}) {
    Outcome o = WriteAndCheck(c, /*max_dict_bytes=*/0, 17 + static_cast<uint32_t>(c));
    EXPECT_GE(o.files, 2);
    EXPECT_EQ(o.files_with_map, o.files);
    EXPECT_EQ(o.mismatched, 0);
    EXPECT_GT(o.blocks, 50u);
    EXPECT_GT(o.multi_block_files, 0);
    EXPECT_EQ(o.key_block_level, o.multi_block_files);
    EXPECT_EQ(o.random_file_level, o.multi_block_files);
    // Reported in bench/results: map bytes against data bytes.
    std::printf(
        "compression %d: %d files, %llu blocks, zone maps %llu bytes = %.2f%% of %llu data bytes\n",
        static_cast<int>(c), o.files, static_cast<unsigned long long>(o.blocks),
        static_cast<unsigned long long>(o.map_bytes), 100.0 * o.map_bytes / o.data_bytes,
        static_cast<unsigned long long>(o.data_bytes));
  }
}

TEST(ZoneMapCollectorTest, DictionaryCompressionIsDetectedNotTrusted) {
  // Buffered blocks reach BlockAdd only after all their keys: the collector's
  // block boundaries are wrong, and the block count check must say so (or
  // the map must match exactly where the file had a single block).
  Outcome o = WriteAndCheck(rocksdb::kZSTD, /*max_dict_bytes=*/16 << 10, 5);
  EXPECT_GT(o.files, 0);
  EXPECT_GT(o.mismatched + (o.files - o.files_with_map), 0);
}

TEST(ZoneMapCollectorTest, DecodeRejectsMalformedBytes) {
  exec::ZoneMap zm;
  zm.columns = {1};
  zm.types = {static_cast<uint8_t>(bpfgen::TypeId::kInt64)};
  zm.scales = {0};
  bpfgen::ZoneStats b;
  b.rows = 3;
  b.columns.resize(2);
  b.columns[1] = {true, 1, 2, -5, 7};
  zm.blocks = {b, b};
  const std::string bytes = exec::EncodeZoneMap(zm);
  auto back = exec::DecodeZoneMap(bytes, 2, "f");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->blocks[1].columns[1].min, -5);
  EXPECT_EQ(back->blocks[1].columns[1].max, 7);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_TRUE(exec::DecodeZoneMap(bytes.substr(0, cut), 2, "f").status().IsCorruption()) << cut;
  }
  EXPECT_TRUE(exec::DecodeZoneMap(bytes + "x", 2, "f").status().IsCorruption());
  EXPECT_TRUE(exec::DecodeZoneMap(bytes, 1, "f").status().IsCorruption());  // column 1 >= 1
}

}  // namespace
}  // namespace pushdown::engine
