// Helpers that make real SST files with RocksDB 7.8, for tests of the
// RocksDB-agnostic reader (pushdown/sst) and of the scan paths.
//
//   WriteSstWithWriter: one file via rocksdb::SstFileWriter (all seq 0).
//   TestDb:             a DB opened with an SstSpec; puts/deletes/single
//                       deletes/merges, flushes, compactions, live-file listing.
//   DumpSstWithSstDump: a file's raw internal entries as stock sst_dump sees
//                       them (the reference decoding).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "util/status.h"

namespace pushdown::testing {

enum class Compression { kNone, kSnappy, kZlib, kLz4, kLz4hc, kZstd };
enum class Checksum { kCrc32c, kXxHash, kXxHash64, kXxh3 };
enum class IndexType { kBinarySearch, kHashSearch, kTwoLevel, kBinarySearchWithFirstKey };

const char* CompressionName(Compression c);
const char* ChecksumName(Checksum c);
const char* IndexTypeName(IndexType t);

// How the block-based table is written. Defaults match RocksDB 7.8's defaults
// except compression (none) and block_size.
struct SstSpec {
  int block_restart_interval = 16;
  Compression compression = Compression::kNone;
  Checksum checksum = Checksum::kXxh3;
  // 0..5. RocksDB 7.8 silently writes 0 and 1 with the legacy/new footer.
  uint32_t format_version = 5;
  size_t block_size = 4096;
  IndexType index_type = IndexType::kBinarySearch;
  // For index_type kTwoLevel: target partition size (small => many partitions).
  size_t metadata_block_size = 4096;
  // > 1 makes index values delta-encoded between restarts (format_version >= 4).
  int index_block_restart_interval = 1;
  bool whole_key_bloom_filter = false;
};

// Fills the block-based table options of *options from spec (also sets a
// prefix extractor when index_type == kHashSearch, which needs one).
void ApplySstSpec(const SstSpec& spec, rocksdb::Options* options);

// True when this RocksDB build can write `c`.
bool CompressionSupported(Compression c);

enum class EntryKind : uint8_t { kPut, kDelete, kSingleDelete, kMerge };

struct KeyValueOp {
  std::string key;
  std::string value;  // ignored for deletes
  EntryKind kind = EntryKind::kPut;
};

// Writes `entries` (REQUIRES: strictly ascending keys, kinds kPut/kDelete only,
// or kMerge when options has a merge operator) to `path` with SstFileWriter.
Status WriteSstWithWriter(const std::string& path, const SstSpec& spec,
                          const std::vector<KeyValueOp>& entries);
// Same, with caller-provided options (SstSpec not applied).
Status WriteSstWithWriter(const std::string& path, const rocksdb::Options& options,
                          const std::vector<KeyValueOp>& entries);

// One live SST file of a DB.
struct LiveSstFile {
  std::string path;  // absolute
  std::string name;  // "000012.sst"
  int level = 0;
  uint64_t size = 0;
  uint64_t smallest_seqno = 0;
  uint64_t largest_seqno = 0;
  std::string smallest_user_key;
  std::string largest_user_key;
};

struct DbSpec {
  SstSpec sst;
  bool universal_compaction = false;  // else leveled
  bool disable_auto_compactions = true;
  size_t write_buffer_size = 64 << 20;
  int num_levels = 7;
  // Registered id for MergeOperator::CreateFromString ("stringappend",
  // "uint64add", ...); empty = none.
  std::string merge_operator;
  // Last word on the options (comparator, blob files, ...), applied after the
  // fields above.
  std::function<void(rocksdb::Options*)> customize;
};

class TestDb {
 public:
  // Creates (or opens) a DB at `dir`.
  static Result<std::unique_ptr<TestDb>> Open(const std::string& dir, const DbSpec& spec);
  ~TestDb();

  Status Put(const std::string& key, const std::string& value);
  Status Delete(const std::string& key);
  Status SingleDelete(const std::string& key);
  Status Merge(const std::string& key, const std::string& value);
  Status DeleteRange(const std::string& begin, const std::string& end);
  Status Apply(const KeyValueOp& op);
  Status Apply(const std::vector<KeyValueOp>& ops);
  Status Flush();
  // Full-range manual compaction to the bottommost level.
  Status CompactAll();
  // Ingests an external SST file (global seqno assigned when it overlaps).
  Status Ingest(const std::string& sst_path, bool write_global_seqno = true);

  // All live SST files of the default column family, L0 first.
  Result<std::vector<LiveSstFile>> LiveFiles();

  rocksdb::DB* db() { return db_.get(); }
  const rocksdb::Options& options() const { return options_; }
  const std::string& dir() const { return dir_; }

 private:
  TestDb() = default;
  std::string dir_;
  rocksdb::Options options_;
  std::unique_ptr<rocksdb::DB> db_;
};

// A raw internal entry as RocksDB's tools print it.
struct DumpedEntry {
  std::string user_key;
  uint64_t seq = 0;
  uint8_t type = 0;
  std::string value;
  friend bool operator==(const DumpedEntry&, const DumpedEntry&) = default;
};

// Runs `sst_dump --file=<path> --command=scan --output_hex` and parses every
// entry (data blocks in order; range tombstones are not included).
Result<std::vector<DumpedEntry>> DumpSstWithSstDump(const std::string& path);

// Converts a rocksdb::Status to a pushdown::Status (code mapped loosely).
Status FromRocks(const rocksdb::Status& s, const std::string& context);

}  // namespace pushdown::testing
