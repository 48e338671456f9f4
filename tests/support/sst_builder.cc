#include "tests/support/sst_builder.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "rocksdb/convenience.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/metadata.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/table.h"

namespace pushdown::testing {
namespace {

rocksdb::CompressionType ToRocks(Compression c) {
  switch (c) {
    case Compression::kNone:
      return rocksdb::kNoCompression;
    case Compression::kSnappy:
      return rocksdb::kSnappyCompression;
    case Compression::kZlib:
      return rocksdb::kZlibCompression;
    case Compression::kLz4:
      return rocksdb::kLZ4Compression;
    case Compression::kLz4hc:
      return rocksdb::kLZ4HCCompression;
    case Compression::kZstd:
      return rocksdb::kZSTD;
  }
  return rocksdb::kNoCompression;
}

rocksdb::ChecksumType ToRocks(Checksum c) {
  switch (c) {
    case Checksum::kCrc32c:
      return rocksdb::kCRC32c;
    case Checksum::kXxHash:
      return rocksdb::kxxHash;
    case Checksum::kXxHash64:
      return rocksdb::kxxHash64;
    case Checksum::kXxh3:
      return rocksdb::kXXH3;
  }
  return rocksdb::kXXH3;
}

rocksdb::BlockBasedTableOptions::IndexType ToRocks(IndexType t) {
  using T = rocksdb::BlockBasedTableOptions;
  switch (t) {
    case IndexType::kBinarySearch:
      return T::kBinarySearch;
    case IndexType::kHashSearch:
      return T::kHashSearch;
    case IndexType::kTwoLevel:
      return T::kTwoLevelIndexSearch;
    case IndexType::kBinarySearchWithFirstKey:
      return T::kBinarySearchWithFirstKey;
  }
  return T::kBinarySearch;
}

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Unhex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexNibble(hex[i]), lo = HexNibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

}  // namespace

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kZlib:
      return "zlib";
    case Compression::kLz4:
      return "lz4";
    case Compression::kLz4hc:
      return "lz4hc";
    case Compression::kZstd:
      return "zstd";
  }
  return "?";
}

const char* ChecksumName(Checksum c) {
  switch (c) {
    case Checksum::kCrc32c:
      return "crc32c";
    case Checksum::kXxHash:
      return "xxhash";
    case Checksum::kXxHash64:
      return "xxhash64";
    case Checksum::kXxh3:
      return "xxh3";
  }
  return "?";
}

const char* IndexTypeName(IndexType t) {
  switch (t) {
    case IndexType::kBinarySearch:
      return "binary";
    case IndexType::kHashSearch:
      return "hash";
    case IndexType::kTwoLevel:
      return "two_level";
    case IndexType::kBinarySearchWithFirstKey:
      return "binary_first_key";
  }
  return "?";
}

bool CompressionSupported(Compression c) {
  if (c == Compression::kNone) return true;
  for (auto t : rocksdb::GetSupportedCompressions()) {
    if (t == ToRocks(c)) return true;
  }
  return false;
}

void ApplySstSpec(const SstSpec& spec, rocksdb::Options* options) {
  rocksdb::BlockBasedTableOptions t;
  t.block_restart_interval = spec.block_restart_interval;
  t.checksum = ToRocks(spec.checksum);
  t.format_version = spec.format_version;
  t.block_size = spec.block_size;
  t.index_type = ToRocks(spec.index_type);
  t.metadata_block_size = spec.metadata_block_size;
  t.index_block_restart_interval = spec.index_block_restart_interval;
  if (spec.whole_key_bloom_filter) {
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  if (spec.index_type == IndexType::kHashSearch) {
    options->prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(1));
  }
  options->table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  options->compression = ToRocks(spec.compression);
  options->bottommost_compression = rocksdb::kDisableCompressionOption;
}

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return Status::OK();
  std::string msg = context + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsNotSupported()) return Status::NotSupported(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNotFound()) return Status::NotFound(msg);
  return Status::IOError(msg);
}

Status WriteSstWithWriter(const std::string& path, const SstSpec& spec,
                          const std::vector<KeyValueOp>& entries) {
  rocksdb::Options options;
  ApplySstSpec(spec, &options);
  return WriteSstWithWriter(path, options, entries);
}

Status WriteSstWithWriter(const std::string& path, const rocksdb::Options& options,
                          const std::vector<KeyValueOp>& entries) {
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
  PD_RETURN_IF_ERROR(FromRocks(writer.Open(path), "open " + path));
  for (const auto& e : entries) {
    rocksdb::Status s;
    switch (e.kind) {
      case EntryKind::kPut:
        s = writer.Put(e.key, e.value);
        break;
      case EntryKind::kDelete:
        s = writer.Delete(e.key);
        break;
      case EntryKind::kMerge:
        s = writer.Merge(e.key, e.value);
        break;
      case EntryKind::kSingleDelete:
        return Status::InvalidArgument("SstFileWriter cannot write single deletes");
    }
    PD_RETURN_IF_ERROR(FromRocks(s, "add " + path));
  }
  return FromRocks(writer.Finish(), "finish " + path);
}

Result<std::unique_ptr<TestDb>> TestDb::Open(const std::string& dir, const DbSpec& spec) {
  std::unique_ptr<TestDb> t(new TestDb());
  t->dir_ = dir;
  rocksdb::Options& o = t->options_;
  o.create_if_missing = true;
  ApplySstSpec(spec.sst, &o);
  o.disable_auto_compactions = spec.disable_auto_compactions;
  o.write_buffer_size = spec.write_buffer_size;
  o.num_levels = spec.num_levels;
  o.compaction_style = spec.universal_compaction ? rocksdb::kCompactionStyleUniversal
                                                 : rocksdb::kCompactionStyleLevel;
  if (!spec.merge_operator.empty()) {
    rocksdb::ConfigOptions cfg;
    PD_RETURN_IF_ERROR(FromRocks(
        rocksdb::MergeOperator::CreateFromString(cfg, spec.merge_operator, &o.merge_operator),
        "merge operator " + spec.merge_operator));
  }
  if (spec.customize) spec.customize(&o);
  rocksdb::DB* db = nullptr;
  PD_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(o, dir, &db), "open db " + dir));
  t->db_.reset(db);
  return t;
}

TestDb::~TestDb() {
  if (db_) db_->Close().PermitUncheckedError();
}

Status TestDb::Put(const std::string& key, const std::string& value) {
  return FromRocks(db_->Put(rocksdb::WriteOptions(), key, value), "put");
}
Status TestDb::Delete(const std::string& key) {
  return FromRocks(db_->Delete(rocksdb::WriteOptions(), key), "delete");
}
Status TestDb::SingleDelete(const std::string& key) {
  return FromRocks(db_->SingleDelete(rocksdb::WriteOptions(), key), "single delete");
}
Status TestDb::Merge(const std::string& key, const std::string& value) {
  return FromRocks(db_->Merge(rocksdb::WriteOptions(), key, value), "merge");
}
Status TestDb::DeleteRange(const std::string& begin, const std::string& end) {
  return FromRocks(
      db_->DeleteRange(rocksdb::WriteOptions(), db_->DefaultColumnFamily(), begin, end),
      "delete range");
}
Status TestDb::Apply(const KeyValueOp& op) {
  switch (op.kind) {
    case EntryKind::kPut:
      return Put(op.key, op.value);
    case EntryKind::kDelete:
      return Delete(op.key);
    case EntryKind::kSingleDelete:
      return SingleDelete(op.key);
    case EntryKind::kMerge:
      return Merge(op.key, op.value);
  }
  return Status::InvalidArgument("bad op kind");
}
Status TestDb::Apply(const std::vector<KeyValueOp>& ops) {
  for (const auto& op : ops) PD_RETURN_IF_ERROR(Apply(op));
  return Status::OK();
}
Status TestDb::Flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return FromRocks(db_->Flush(fo), "flush");
}
Status TestDb::CompactAll() {
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return FromRocks(db_->CompactRange(co, nullptr, nullptr), "compact");
}
Status TestDb::Ingest(const std::string& sst_path, bool write_global_seqno) {
  rocksdb::IngestExternalFileOptions io;
  io.write_global_seqno = write_global_seqno;
  return FromRocks(db_->IngestExternalFile({sst_path}, io), "ingest " + sst_path);
}

Result<std::vector<LiveSstFile>> TestDb::LiveFiles() {
  rocksdb::ColumnFamilyMetaData md;
  db_->GetColumnFamilyMetaData(&md);
  std::vector<LiveSstFile> out;
  for (const auto& level : md.levels) {
    for (const auto& f : level.files) {
      LiveSstFile l;
      l.name = f.relative_filename;
      l.path = f.directory + "/" + f.relative_filename;
      l.level = level.level;
      l.size = f.size;
      l.smallest_seqno = f.smallest_seqno;
      l.largest_seqno = f.largest_seqno;
      l.smallest_user_key = f.smallestkey;
      l.largest_user_key = f.largestkey;
      out.push_back(std::move(l));
    }
  }
  return out;
}

Result<std::vector<DumpedEntry>> DumpSstWithSstDump(const std::string& path) {
  std::string cmd = "sst_dump --file='" + path + "' --command=scan --output_hex 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return Status::IOError("popen sst_dump failed");
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe.get())) > 0) out.append(buf, n);
  int rc = pclose(pipe.release());
  if (rc != 0) return Status::IOError("sst_dump failed on " + path);
  // Lines: '<hexkey>' seq:<n>, type:<t> => <hexvalue>
  std::vector<DumpedEntry> entries;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t eol = out.find('\n', pos);
    if (eol == std::string::npos) eol = out.size();
    std::string_view line(out.data() + pos, eol - pos);
    pos = eol + 1;
    if (line.empty() || line[0] != '\'') continue;
    size_t q = line.find('\'', 1);
    size_t s = line.find(" seq:", q);
    size_t t = line.find(", type:", s);
    size_t a = line.find(" => ", t);
    if (q == std::string_view::npos || s == std::string_view::npos || t == std::string_view::npos ||
        a == std::string_view::npos) {
      return Status::Corruption("unparsed sst_dump line: " + std::string(line));
    }
    DumpedEntry e;
    if (!Unhex(line.substr(1, q - 1), &e.user_key) || !Unhex(line.substr(a + 4), &e.value)) {
      return Status::Corruption("bad hex in sst_dump line: " + std::string(line));
    }
    e.seq = std::strtoull(std::string(line.substr(s + 5, t - s - 5)).c_str(), nullptr, 10);
    e.type = static_cast<uint8_t>(
        std::strtoul(std::string(line.substr(t + 7, a - t - 7)).c_str(), nullptr, 10));
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace pushdown::testing
