// ScanExecutor: one pushdown scan over a pinned set of SST files.
//
// For each file: open it with pushdown/sst, choose its shadow policy
// (shadow_policy.h), and stream its filtered entries either through a device
// program (DeviceFileStream) or through the host reference filter
// (HostFileStream); then the exact LSM merge at the snapshot, the residual
// predicate, the projection and the limit (RowCursor). Pull-based:
//
//   PD_ASSIGN_OR_RETURN(auto scan, ScanExecutor::Open(plan, filters));
//   Row row;
//   for (;;) {
//     PD_RETURN_IF_ERROR(scan->Next(&row));
//     if (!scan->Valid()) break;
//     ...
//   }
//   scan->stats();
//
// The caller guarantees what the engine pins: the files are every SST file
// holding data at or below the snapshot, none is deleted during the scan, and
// every entry at or below the snapshot that is in no such file is in
// ScanPlan::memtable (see engine/api/memtable_view.h).
//
// Key bounds (ScanPlan::lower_bound / upper_bound; semantics and where they
// are applied in key_range.h): the scan yields exactly the rows a RocksDB
// iterator with iterate_lower_bound / iterate_upper_bound would, filtered.
// With ScanPlan::bytewise_comparator, files whose ScanFile key range lies
// outside are not opened (files_skipped);
// in each opened file only the data blocks the index says can hold a key in
// the range are read (the rest count in blocks_skipped_by_range and
// blocks_skipped); the merge cuts the entries of those blocks that lie outside.
// A file without a known key range is opened and its index decides.
//
// Range deletions: the executor reads each opened file's range-deletion
// block, clips its tombstones to the file's key range (RocksDB's truncation;
// see CollectFileTombstones in the .cc for where that is not decidable and
// the file is NotSupported), adds ScanPlan::memtable_tombstones, fragments
// them all for the snapshot (range_tombstones.h) and the merge hides every
// entry they cover, after the device's filter and the zone maps (lsm_merge.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"
#include "pushdown/scan/device_aggregation.h"
#include "pushdown/scan/entry_stream.h"
#include "pushdown/scan/host_timer.h"
#include "pushdown/scan/key_range.h"
#include "pushdown/scan/projection.h"
#include "pushdown/scan/range_tombstones.h"
#include "pushdown/scan/row_cursor.h"
#include "pushdown/scan/scan_stats.h"
#include "pushdown/sst/block_source.h"

namespace pushdown::exec {

class Device;
class LoadedProgram;

struct ScanFile {
  std::string path;
  int level = 0;
  // No other file of the scan holds an older version of any of its keys.
  bool bottommost = false;
  uint64_t smallest_seqno = 0;
  uint64_t largest_seqno = kMaxSequenceNumber;  // unknown = assume the worst
  // The file's user-key range, when known. Files of one level >= 1 whose
  // ranges are known and disjoint are read as one stream (LevelStream).
  bool has_key_range = false;
  std::string smallest_user_key;
  std::string largest_user_key;
  // The file already opened (OpenScanFile) by the caller, e.g. SplitPlan,
  // which shares one open file among the workers of a parallel scan
  // (SstFile's const methods are thread-safe); null = the executor opens
  // `path` itself.
  std::shared_ptr<const SstFile> opened;
};

// Opens f.path the way the executor does (largest_seqno from the metadata).
Result<std::shared_ptr<const SstFile>> OpenScanFile(const ScanFile& f);

struct ScanPlan {
  std::vector<ScanFile> files;  // any order: sorted newest first (level, then largest seqno)
  uint64_t snapshot = kMaxSequenceNumber;
  const bpfgen::Schema* schema = nullptr;  // REQUIRES: outlives the executor
  // From the predicate split: conjuncts the device evaluates (the host stream
  // evaluates them on the host) and conjuncts the host applies after the merge.
  // REQUIRES: type-checked against *schema; outlive the executor.
  std::vector<const bpfgen::Expr*> device_conjuncts;
  std::vector<const bpfgen::Expr*> residual_conjuncts;
  Projection projection;
  uint64_t limit = kNoLimit;
  // Both null: host-only (reference) path. Otherwise `program` is the device
  // conjuncts compiled and loaded on `device`; both outlive the executor.
  Device* device = nullptr;
  LoadedProgram* program = nullptr;
  // Blocks staged per device run and per file refill (memory: batch x files).
  uint32_t batch_blocks = 16;
  // Read data blocks through the io_uring fast path (pushdown/sst BlockSource,
  // one per file: (queue_depth + 1) x read_size bytes of buffers each; it
  // falls back to pread by itself where io_uring is unavailable). Unset: one
  // pread per block.
  std::optional<BlockSourceOptions> block_source;
  // Key bounds, user keys compared bytewise: rows have keys >= *lower_bound
  // (inclusive) and < *upper_bound (exclusive); unset = unbounded. A prefix P
  // is lower_bound = P, upper_bound = PrefixSuccessor(P) (key_range.h).
  // lower_bound >= upper_bound: no rows (and no file opened when
  // bytewise_comparator).
  std::optional<std::string> lower_bound;
  std::optional<std::string> upper_bound;
  // The caller knows the files' comparator is leveldb.BytewiseComparator (the
  // engine: the column family's options). Only then are ScanFile key ranges
  // compared with the bounds to skip whole files: under another comparator
  // the bytewise comparison would skip files that must be opened to report
  // NotSupported (and take the iterator path). Unset, every visible file is
  // opened (a non-bytewise one is NotSupported as always) and the bounds are
  // still applied by each file's index seek and by the merge, so the blocks
  // read are the same; only the files' metadata is read in addition.
  bool bytewise_comparator = false;
  // Sub-ranges of the bounds to read (multi-range seek, e.g. the ranges of
  // `k IN (5, 50000, 500000)`): sorted by lower bound, disjoint. Empty = the
  // whole bounds. Each is intersected with the bounds; only the data blocks
  // the index says can hold a key of one of them are read (the rest count in
  // blocks_skipped_by_range), and with bytewise_comparator a file none of
  // them overlaps is not opened. The blocks read still go to the merge whole
  // (entries between ranges included): the ranges decide what is read, the
  // predicate what matches, so they must be a superset of the matching keys
  // (bpfgen/lang/key_ranges.h).
  std::vector<KeyRange> key_ranges;
  // Zone maps (zone_map.h, written by engine/api's collector): with kExact,
  // a data block whose zone map proves that no row can match is not read
  // where skipping it is exact (zone_skip.h), and a block whose rows all
  // match is delivered without evaluating the predicate on the host path.
  // kNaiveForTests skips such blocks even where an older file may hold an
  // older, matching version of one of their keys: a negative control that
  // returns stale rows, for tests only.
  enum class ZoneMapUse : uint8_t { kOff, kExact, kNaiveForTests };
  ZoneMapUse zone_maps = ZoneMapUse::kExact;
  // The memtables' entries at the snapshot (engine/api/memtable_view.h), or
  // null. Unfiltered, internal-key order, newer than every file: the executor
  // classifies its values with the device conjuncts on the host
  // (MemtableStream) and merges it first. The executor consumes the stream:
  // a plan with one is opened once.
  std::shared_ptr<EntryStream> memtable;
  // The memtables' range deletions at the snapshot (engine/api/memtable_view.h:
  // from the WAL), applied like the files' (range_tombstones.h). Files' own
  // tombstones are read by the executor from each opened file.
  std::vector<RangeTombstone> memtable_tombstones;
  // Aggregation on the device (device_aggregation.h), or null. Set: `program`
  // was compiled with these aggregates, and the blocks that are exact to
  // aggregate on the device (scan_executor.cc, AggregateOnDevice) are: their
  // partials go here and their rows are not returned. The caller aggregates
  // the rows the scan returns and merges them with these partials. Ignored
  // (nothing aggregated on the device) with residual conjuncts, a limit, or
  // the host path. Shared by the workers of a parallel scan (SplitPlan).
  std::shared_ptr<DeviceAggregation> device_aggregation;
};

// The host-side evaluation of the two conjunct lists.
struct ScanFilters {
  RowFilter device;    // the device conjuncts on the host (host path; too-large blocks)
  RowFilter residual;  // the residual conjuncts
};

class ScanExecutor {
 public:
  // Filters built from the plan's conjuncts with the reference evaluator.
  static Result<std::unique_ptr<ScanExecutor>> Open(const ScanPlan& plan);
  // Filters given by the caller (they must implement the plan's conjuncts;
  // a filter whose conjunct list is empty turns zone maps off for the scan).
  static Result<std::unique_ptr<ScanExecutor>> Open(const ScanPlan& plan, ScanFilters filters);

  ~ScanExecutor();
  ScanExecutor(const ScanExecutor&) = delete;
  ScanExecutor& operator=(const ScanExecutor&) = delete;

  // See RowCursor::Next: OK + Valid() = a row; OK + !Valid() = done; else the error.
  Status Next(Row* row);
  bool Valid() const;
  // See RowCursor::NextBatch: up to max_rows rows into *batch (empty = done).
  // REQUIRES: batch->layout() != nullptr.
  Status NextBatch(RowBatch* batch, size_t max_rows);
  const ScanStats& stats() const { return stats_; }
  // Counts the blocks not read yet as skipped (blocks_skipped); called when
  // the scan is done, or by a caller that stops early (ParallelScan). With
  // ScanPlan::device_aggregation, adds the device's partials to it (once;
  // read from the program's aggregate region): call it only once every row
  // was taken, else the partials are not the scan's (Next calls it when the
  // scan is done).
  void Finish();

 private:
  ScanExecutor() = default;
  // rows_matched = the rows returned + the rows aggregated on the device.
  void CountRows();

  ScanStats stats_;
  std::vector<std::unique_ptr<EntryStream>> streams_;
  FragmentedTombstones tombstones_;  // every stream's, fragmented for the snapshot
  std::unique_ptr<RowCursor> cursor_;
  bool finished_ = false;
  CallSampler sampler_;  // which Next calls are timed (host_timer.h)
  // Aggregation on the device (null: none): where the partials add up, and
  // a failure to read them (returned by the last Next).
  std::shared_ptr<DeviceAggregation> aggregation_;
  Device* aggregation_device_ = nullptr;
  LoadedProgram* aggregation_program_ = nullptr;
  Status aggregation_status_;
};

}  // namespace pushdown::exec
