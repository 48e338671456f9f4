// The baselines a RocksDB expert writes for a one-pass filtered scan
// (shared/SST_FORMAT.md "Baselines an expert writes", issue 13 item 1), each
// with the same hand-written filter as the bench's plain iterator baseline
// (hand_filter.h):
//   expert_iter_<T>t  a DB iterator over a read-only instance of the DB opened
//                     with no block cache, fill_cache=false, verify_checksums,
//                     and either allow_mmap_reads or a 2 MiB readahead_size
//                     (ReadMode; "auto" measures both and keeps the faster);
//                     T threads over key ranges split at file boundaries
//                     (iterate_lower_bound / iterate_upper_bound);
//   sst_reader_<T>t   rocksdb::SstFileReader over the live files, T threads
//                     over contiguous groups of files. Exact only when the
//                     column family is one sorted run (CheckSortedRun); else
//                     it is skipped with the reason.
// Partitioned results merge by addition: every field of BaselineResult is a
// count or a sum (the key/row checksums are sums of per-row hashes), so the
// merged result equals a single-threaded pass.
//
// This file links whichever RocksDB its target links: pushdown_bench uses the
// shared librocksdb (as the pushdown side does), bench/expert_scan the static
// librocksdb.a.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/pushdown_bench/hand_filter.h"
#include "rocksdb/db.h"
#include "rocksdb/sst_file_reader.h"
#include "util/status.h"

namespace pushdown::bench {

enum class ReadMode { kMmap, kReadahead };
const char* ReadModeName(ReadMode m);

// One live SST file of a column family.
struct LiveFile {
  std::string path;
  std::string smallest, largest;  // user keys
  uint64_t size = 0;
};

// The column family's files as one sorted run, or why they are not one:
// SstFileReader over the files is exact iff `reason` is empty. Conditions: no
// memtable entries (mutable and immutable), bytewise comparator, no blob files,
// no range deletions, and all files in one level >= 1 with strictly
// increasing, non-overlapping user-key ranges, or a single L0 file.
struct SortedRunCheck {
  std::string reason;           // "" = one sorted run
  std::vector<LiveFile> files;  // in key order when reason is empty
};
SortedRunCheck CheckSortedRun(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf);

// At most `n` - 1 increasing user keys that cut the column family's key space
// into ranges of about equal file bytes, at file starts (any LSM shape: the
// ranges partition the key space whatever the files overlap).
std::vector<std::string> SplitKeysAtFiles(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, int n);

// Contiguous groups (at most `n`) of `sizes` of about equal total size, as
// [begin, end) index pairs; empty groups are dropped.
std::vector<std::pair<size_t, size_t>> GroupBySize(const std::vector<uint64_t>& sizes, int n);

// Field-wise sum.
void MergeInto(BaselineResult* into, const BaselineResult& part);

struct BaselineSpec {
  enum class Kind { kExpertIterator, kSstFileReader };
  Kind kind = Kind::kExpertIterator;
  int threads = 1;     // requested
  int partitions = 1;  // actually used (fewer when there are fewer files)
  std::string name;    // expert_iter_1t, sst_reader_2t, ...
};

// The expert baselines over one column family of the DB at `db_path`, opened
// read-only beside the benchmark's own instance. The DB must not change while
// this object lives (the bench flushes before and writes nothing during scans).
class ExpertBaselines {
 public:
  // `reads`: "auto" (measure mmap and readahead with the 1-thread iterator and
  // `probe`, keep the faster), "mmap" or "readahead". `threads`: the all-core
  // thread count (1: only the 1-thread baselines).
  static Result<std::unique_ptr<ExpertBaselines>> Open(const std::string& db_path,
                                                       const std::string& cf_name,
                                                       const std::string& reads, int threads,
                                                       const HandFilter& probe);
  ~ExpertBaselines();
  ExpertBaselines(const ExpertBaselines&) = delete;
  ExpertBaselines& operator=(const ExpertBaselines&) = delete;

  const std::vector<BaselineSpec>& specs() const { return specs_; }
  // "" when the sst_reader baselines run; else why they are skipped.
  const std::string& sst_reader_skipped() const { return sst_skip_; }
  ReadMode read_mode() const { return mode_; }
  // One line: read mode and how it was chosen, partitions, skips.
  std::string Describe() const;

  // Runs specs()[i] once.
  Result<BaselineResult> Run(size_t i, const HandFilter& filter, bool hash_values);

 private:
  struct Instance;
  ExpertBaselines() = default;
  Result<BaselineResult> RunIterator(Instance* inst, const std::vector<std::string>& splits,
                                     const HandFilter& filter, bool hash_values);
  Result<BaselineResult> RunSstReaders(const std::vector<std::pair<size_t, size_t>>& groups,
                                       const HandFilter& filter, bool hash_values);
  rocksdb::ReadOptions ReadOpts() const;

  ReadMode mode_ = ReadMode::kMmap;
  std::string choice_;  // how mode_ was chosen (measured times or "as requested")
  std::unique_ptr<Instance> inst_;
  std::vector<std::string> splits_1_, splits_n_;                  // iterator key-range cuts
  std::vector<std::unique_ptr<rocksdb::SstFileReader>> readers_;  // one per file, key order
  std::vector<std::pair<size_t, size_t>> groups_1_, groups_n_;    // reader index ranges
  std::string sst_skip_;
  std::vector<BaselineSpec> specs_;
};

}  // namespace pushdown::bench
