// Our decoding of files RocksDB writes, for every checksum type, compression,
// restart interval, format_version and index type, equals RocksDB's own
// (stock sst_dump, raw internal keys).
#include <gtest/gtest.h>

#include <random>

#include "pushdown/sst/sst_file.h"
#include "rocksdb/sst_file_reader.h"
#include "rocksdb/table_properties.h"
#include "tests/pushdown/sst/test_util.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;
using pt::Checksum;
using pt::Compression;
using pt::IndexType;
using pt::SstSpec;
using pt::TempDir;
using testing::ReadAllEntries;

std::string SpecName(const SstSpec& s) {
  return std::string("checksum=") + pt::ChecksumName(s.checksum) +
         " compression=" + pt::CompressionName(s.compression) +
         " restart=" + std::to_string(s.block_restart_interval) +
         " fv=" + std::to_string(s.format_version) + " index=" + pt::IndexTypeName(s.index_type) +
         " index_restart=" + std::to_string(s.index_block_restart_interval);
}

// Expects our entries to equal sst_dump's; returns the number of entries.
size_t ExpectSameAsSstDump(const std::string& path, const SstOpenOptions& o = {}) {
  auto ours = ReadAllEntries(path, o);
  EXPECT_TRUE(ours.ok()) << ours.status().ToString();
  auto ref = pt::DumpSstWithSstDump(path);
  EXPECT_TRUE(ref.ok()) << ref.status().ToString();
  if (!ours.ok() || !ref.ok()) return 0;
  EXPECT_EQ(ours->size(), ref->size());
  for (size_t i = 0; i < std::min(ours->size(), ref->size()); ++i) {
    if (!((*ours)[i] == (*ref)[i])) {
      ADD_FAILURE() << "entry " << i << " differs: ours key=" << (*ours)[i].user_key
                    << " seq=" << (*ours)[i].seq << " type=" << int((*ours)[i].type)
                    << " ref key=" << (*ref)[i].user_key << " seq=" << (*ref)[i].seq
                    << " type=" << int((*ref)[i].type);
      break;
    }
  }
  return ours->size();
}

// The user-visible view (newest version per user key, deletions hidden) and
// the table properties equal RocksDB's own rocksdb::SstFileReader.
void ExpectSameAsSstFileReader(const std::string& path) {
  rocksdb::Options options;
  rocksdb::SstFileReader reader(options);
  ASSERT_TRUE(reader.Open(path).ok());
  std::vector<std::pair<std::string, std::string>> ref;
  std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ref.emplace_back(it->key().ToString(), it->value().ToString());
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  auto ours = ReadAllEntries(path);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  std::vector<std::pair<std::string, std::string>> visible;
  for (size_t i = 0; i < ours->size(); ++i) {
    const auto& e = (*ours)[i];
    if (i > 0 && (*ours)[i - 1].user_key == e.user_key) continue;  // older version
    if (e.type == static_cast<uint8_t>(ValueType::kValue))
      visible.emplace_back(e.user_key, e.value);
  }
  EXPECT_TRUE(visible == ref) << visible.size() << " visible vs " << ref.size();

  auto props = reader.GetTableProperties();
  auto sst = SstFile::Open(path);
  ASSERT_TRUE(sst.ok());
  const TableProperties& p = (*sst)->info().properties;
  EXPECT_EQ(p.num_entries, props->num_entries);
  EXPECT_EQ(p.num_data_blocks, props->num_data_blocks);
  EXPECT_EQ(p.num_deletions, props->num_deletions);
  EXPECT_EQ(p.data_size, props->data_size);
  EXPECT_EQ(p.index_size, props->index_size);
  EXPECT_EQ(p.raw_key_size, props->raw_key_size);
  EXPECT_EQ(p.raw_value_size, props->raw_value_size);
  EXPECT_EQ(p.index_partitions, props->index_partitions);
  EXPECT_EQ(p.comparator, props->comparator_name);
  EXPECT_EQ(p.compression, props->compression_name);
  EXPECT_EQ(p.column_family_name, props->column_family_name);
  EXPECT_EQ(p.index_key_is_user_key, props->index_key_is_user_key);
  EXPECT_EQ(p.index_value_is_delta_encoded, props->index_value_is_delta_encoded);
}

// A DB file with several versions per key (a snapshot keeps them), deletes and
// single deletes; flushed once. Returns the live files.
std::vector<pt::LiveSstFile> BuildDbFile(const std::string& dir, const SstSpec& spec,
                                         int n = 1500) {
  pt::DbSpec db_spec;
  db_spec.sst = spec;
  auto db = pt::TestDb::Open(dir, db_spec);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return {};
  std::mt19937 rng(42);
  auto key = [](int i) {
    char k[32];
    snprintf(k, sizeof(k), "user%06d", i);
    return std::string(k);
  };
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE((*db)->Put(key(i), std::string(50 + rng() % 80, 'x') + std::to_string(rng())).ok());
  }
  const rocksdb::Snapshot* snap = (*db)->db()->GetSnapshot();
  for (int i = 0; i < n; i += 3) {
    switch (rng() % 4) {
      case 0:
        EXPECT_TRUE((*db)->Delete(key(i)).ok());
        break;
      case 1:
        EXPECT_TRUE((*db)->SingleDelete(key(i)).ok());
        break;
      default:
        EXPECT_TRUE((*db)->Put(key(i), "new" + std::to_string(rng())).ok());
    }
  }
  EXPECT_TRUE((*db)->Flush().ok());
  auto files = (*db)->LiveFiles();
  (*db)->db()->ReleaseSnapshot(snap);
  EXPECT_TRUE(files.ok());
  return files.ok() ? *files : std::vector<pt::LiveSstFile>{};
}

void CheckSpec(const SstSpec& spec) {
  SCOPED_TRACE(SpecName(spec));
  TempDir dir;
  auto files = BuildDbFile(dir.File("db"), spec);
  ASSERT_EQ(files.size(), 1u);
  auto sst = SstFile::Open(files[0].path);
  ASSERT_TRUE(sst.ok()) << sst.status().ToString();
  const TableInfo& info = (*sst)->info();
  EXPECT_EQ(info.format_version, spec.format_version);
  EXPECT_EQ(static_cast<int>(info.index_type), static_cast<int>(spec.index_type));
  EXPECT_GT(info.num_data_blocks, 3u);
  EXPECT_TRUE(info.supported());
  EXPECT_EQ(info.index_value_is_delta_encoded, spec.format_version >= 4);
  // The compression under test is really in the file.
  int compressed = 0;
  for (size_t i = 0; i < info.num_data_blocks; ++i) {
    auto b = (*sst)->ReadDataBlock(i);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    compressed += b->compression != 0;
  }
  EXPECT_EQ(compressed > 0, spec.compression != Compression::kNone);
  // Index keys bound their blocks; type 3 first keys are the blocks' first keys.
  for (size_t i = 0; i < info.num_data_blocks; ++i) {
    auto b = (*sst)->ReadDataBlock(i);
    ASSERT_TRUE(b.ok());
    DataBlockIter it(b->data, (*sst)->block_context(i));
    it.SeekToFirst();
    ASSERT_TRUE(it.Valid());
    if (spec.index_type == IndexType::kBinarySearchWithFirstKey) {
      EXPECT_EQ((*sst)->data_block_first_key(i), it.key());
    }
    std::string last_user;
    for (; it.Valid(); it.Next()) last_user = std::string(it.parsed().user_key);
    std::string_view sep = (*sst)->data_block_index_key(i);
    if (!info.index_key_is_user_key) sep.remove_suffix(8);
    EXPECT_GE(sep, std::string_view(last_user)) << "block " << i;
  }
  EXPECT_EQ(ExpectSameAsSstDump(files[0].path), info.properties.num_entries);
  ExpectSameAsSstFileReader(files[0].path);
}

TEST(FormatMatrixTest, ChecksumsTimesCompressions) {
  for (Checksum c : {Checksum::kCrc32c, Checksum::kXxHash, Checksum::kXxHash64, Checksum::kXxh3}) {
    for (Compression z : {Compression::kNone, Compression::kSnappy, Compression::kZlib,
                          Compression::kLz4, Compression::kLz4hc, Compression::kZstd}) {
      if (!pt::CompressionSupported(z)) continue;
      SstSpec s;
      s.checksum = c;
      s.compression = z;
      s.block_size = 1024;
      CheckSpec(s);
    }
  }
}

TEST(FormatMatrixTest, FormatVersionsRestartsCompressions) {
  for (uint32_t fv = 2; fv <= 5; ++fv) {
    for (int restart : {1, 16}) {
      for (Compression z : {Compression::kNone, Compression::kSnappy, Compression::kZlib,
                            Compression::kLz4, Compression::kZstd}) {
        if (!pt::CompressionSupported(z)) continue;
        SstSpec s;
        s.format_version = fv;
        s.block_restart_interval = restart;
        s.compression = z;
        s.checksum = Checksum::kCrc32c;
        s.block_size = 2048;
        CheckSpec(s);
      }
    }
  }
}

TEST(FormatMatrixTest, IndexTypes) {
  for (IndexType t : {IndexType::kBinarySearch, IndexType::kHashSearch, IndexType::kTwoLevel,
                      IndexType::kBinarySearchWithFirstKey}) {
    for (uint32_t fv : {2u, 3u, 4u, 5u}) {
      for (int index_restart : {1, 4}) {
        SstSpec s;
        s.index_type = t;
        s.format_version = fv;
        s.index_block_restart_interval = index_restart;
        s.compression = Compression::kSnappy;
        s.block_size = 512;
        s.metadata_block_size = 256;
        CheckSpec(s);
      }
    }
  }
}

TEST(FormatMatrixTest, TwoLevelIndexHasPartitions) {
  SstSpec s;
  s.index_type = IndexType::kTwoLevel;
  s.block_size = 256;
  s.metadata_block_size = 128;
  TempDir dir;
  auto files = BuildDbFile(dir.File("db"), s);
  ASSERT_EQ(files.size(), 1u);
  auto sst = SstFile::Open(files[0].path);
  ASSERT_TRUE(sst.ok()) << sst.status().ToString();
  EXPECT_GT((*sst)->info().num_index_partitions, 1u);
  EXPECT_EQ((*sst)->info().num_index_partitions, (*sst)->info().properties.index_partitions);
}

TEST(FormatMatrixTest, LegacyFormatVersions0And1) {
  for (uint32_t fv : {0u, 1u}) {
    for (Compression z :
         {Compression::kNone, Compression::kSnappy, Compression::kZlib, Compression::kLz4}) {
      if (!pt::CompressionSupported(z)) continue;
      SstSpec s;
      s.format_version = fv;
      s.compression = z;
      s.checksum = Checksum::kCrc32c;
      s.block_size = 1024;
      SCOPED_TRACE(SpecName(s));
      TempDir dir;
      auto files = BuildDbFile(dir.File("db"), s);
      ASSERT_EQ(files.size(), 1u);
      auto sst = SstFile::Open(files[0].path);
      ASSERT_TRUE(sst.ok()) << sst.status().ToString();
      EXPECT_EQ((*sst)->info().footer.legacy, fv == 0);
      ExpectSameAsSstDump(files[0].path);
    }
  }
}

TEST(FormatMatrixTest, WriterFilesEveryChecksumAndCompression) {
  auto ops = testing::MakeOps(3000, 60);
  for (Checksum c : {Checksum::kCrc32c, Checksum::kXxHash, Checksum::kXxHash64, Checksum::kXxh3}) {
    for (Compression z : {Compression::kNone, Compression::kSnappy, Compression::kZlib,
                          Compression::kLz4, Compression::kLz4hc, Compression::kZstd}) {
      if (!pt::CompressionSupported(z)) continue;
      SstSpec s;
      s.checksum = c;
      s.compression = z;
      s.block_restart_interval = 1;
      SCOPED_TRACE(SpecName(s));
      TempDir dir;
      const std::string path = dir.File("w.sst");
      ASSERT_TRUE(pt::WriteSstWithWriter(path, s, ops).ok());
      EXPECT_EQ(ExpectSameAsSstDump(path), ops.size());
      ExpectSameAsSstFileReader(path);
    }
  }
}

TEST(FormatMatrixTest, CompressionDictionary) {
  for (Compression z : {Compression::kZstd, Compression::kLz4, Compression::kZlib}) {
    if (!pt::CompressionSupported(z)) continue;
    SCOPED_TRACE(pt::CompressionName(z));
    rocksdb::Options options;
    SstSpec s;
    s.compression = z;
    s.block_size = 1024;
    pt::ApplySstSpec(s, &options);
    options.compression_opts.max_dict_bytes = 4096;
    options.compression_opts.zstd_max_train_bytes = z == Compression::kZstd ? 64 << 10 : 0;
    TempDir dir;
    const std::string path = dir.File("dict.sst");
    auto ops = testing::MakeOps(3000, 60);
    ASSERT_TRUE(pt::WriteSstWithWriter(path, options, ops).ok());
    auto sst = SstFile::Open(path);
    ASSERT_TRUE(sst.ok()) << sst.status().ToString();
    EXPECT_TRUE((*sst)->info().has_compression_dict);
    EXPECT_EQ(ExpectSameAsSstDump(path), ops.size());
  }
}

TEST(FormatMatrixTest, CompactedBottommostFileHasSeqZero) {
  TempDir dir;
  pt::DbSpec db_spec;
  db_spec.sst.compression = Compression::kZstd;
  auto db = pt::TestDb::Open(dir.File("db"), db_spec);
  ASSERT_TRUE(db.ok());
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE((*db)->Put("k" + std::to_string(i * 7 % 1000), "v" + std::to_string(round)).ok());
    }
    ASSERT_TRUE((*db)->Flush().ok());
  }
  ASSERT_TRUE((*db)->CompactAll().ok());
  auto files = (*db)->LiveFiles();
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  auto entries = ReadAllEntries((*files)[0].path);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  for (const auto& e : *entries) EXPECT_EQ(e.seq, 0u);
  ExpectSameAsSstDump((*files)[0].path);
}

TEST(FormatMatrixTest, IngestedFileGlobalSeqno) {
  TempDir dir;
  auto db = pt::TestDb::Open(dir.File("db"), pt::DbSpec{});
  ASSERT_TRUE(db.ok());
  auto ops = testing::MakeOps(200, 20, /*with_deletes=*/true);
  // Overlapping data already in the DB forces a nonzero global seqno.
  for (int i = 0; i < 50; ++i) ASSERT_TRUE((*db)->Put(ops[i * 4].key, "old").ok());
  ASSERT_TRUE((*db)->Flush().ok());
  const std::string ext = dir.File("ext.sst");
  ASSERT_TRUE(pt::WriteSstWithWriter(ext, SstSpec{}, ops).ok());
  ASSERT_TRUE((*db)->Ingest(ext).ok());
  auto files = (*db)->LiveFiles();
  ASSERT_TRUE(files.ok());
  bool found = false;
  for (const auto& f : *files) {
    auto sst = SstFile::Open(f.path);
    ASSERT_TRUE(sst.ok()) << sst.status().ToString();
    if (!(*sst)->info().properties.external_sst_file_version.has_value()) continue;
    found = true;
    ASSERT_TRUE((*sst)->info().global_seqno.has_value());
    const uint64_t g = *(*sst)->info().global_seqno;
    EXPECT_GT(g, 0u);
    EXPECT_EQ(g, f.largest_seqno);
    auto entries = ReadAllEntries(f.path);
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    ASSERT_EQ(entries->size(), ops.size());
    for (const auto& e : *entries) EXPECT_EQ(e.seq, g);
    // Same with the DB's largest seqno supplied.
    SstOpenOptions o;
    o.largest_seqno = f.largest_seqno;
    EXPECT_TRUE(SstFile::Open(f.path, o).ok());
    o.largest_seqno = f.largest_seqno + 1;
    EXPECT_TRUE(SstFile::Open(f.path, o).status().IsCorruption());
  }
  EXPECT_TRUE(found);
}

TEST(FormatMatrixTest, IngestedWithoutWrittenSeqnoUsesLargestSeqno) {
  TempDir dir;
  auto db = pt::TestDb::Open(dir.File("db"), pt::DbSpec{});
  ASSERT_TRUE(db.ok());
  auto ops = testing::MakeOps(100, 20, false);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*db)->Put(ops[i].key, "old").ok());
  ASSERT_TRUE((*db)->Flush().ok());
  const std::string ext = dir.File("ext.sst");
  ASSERT_TRUE(pt::WriteSstWithWriter(ext, SstSpec{}, ops).ok());
  ASSERT_TRUE((*db)->Ingest(ext, /*write_global_seqno=*/false).ok());
  auto files = (*db)->LiveFiles();
  ASSERT_TRUE(files.ok());
  int external = 0;
  for (const auto& f : *files) {
    SstOpenOptions o;
    o.largest_seqno = f.largest_seqno;
    auto sst = SstFile::Open(f.path, o);
    ASSERT_TRUE(sst.ok()) << sst.status().ToString();
    if (!(*sst)->info().properties.external_sst_file_version.has_value()) continue;
    ++external;
    EXPECT_EQ((*sst)->info().global_seqno.value_or(0), f.largest_seqno);
    EXPECT_GT(f.largest_seqno, 0u);
  }
  EXPECT_EQ(external, 1);
}

}  // namespace
}  // namespace pushdown::exec
