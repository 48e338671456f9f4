// The scan request options and the scan/explain results shared by the attach
// API (attach.h) and PushdownDB (pushdown_db.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/schema.h"
#include "pushdown/device/device_request.h"
#include "pushdown/plan/placement.h"
#include "pushdown/scan/row_batch.h"
#include "pushdown/scan/scan_stats.h"
#include "rocksdb/db.h"
#include "util/status.h"

namespace pushdown::engine {

using bpfgen::Datum;
// Rows handed out many at a time (ScanCursor::NextBatch; row_batch.h).
using exec::RowBatch;
using exec::RowBatchLayout;

inline constexpr uint64_t kNoRowLimit = UINT64_MAX;

// exec::ParseDeviceRequest as a Status: InvalidArgument "unknown device 'gpu'
// (auto, kernel, host, iterator)" for any other text.
Result<exec::DeviceRequest> ParseDevice(std::string_view name);

struct ScanOptions {
  // Where the predicate runs. Unset = the DB's default device (AttachOptions /
  // DbOptions::device, else the pushdown FileSystem's `device=` option when
  // the DB was opened with it, else kAuto).
  std::optional<exec::DeviceRequest> device;
  // true: the device that runs the predicate must be the requested one; a
  // scan that would fall back (kernel requested, host runs; pushdown
  // requested, iterator path taken) fails with Unavailable naming the
  // reason instead. kAuto accepts either device but not the iterator path.
  bool strict_device = false;
  // Output columns in order; empty = all columns of the schema (raw mode:
  // key, value). Unknown name -> InvalidArgument.
  std::vector<std::string> columns;
  uint64_t limit = kNoRowLimit;
  // Key bounds over bytewise user keys, with the semantics of RocksDB's
  // ReadOptions::iterate_lower_bound (inclusive) and iterate_upper_bound
  // (exclusive). `prefix` = [prefix, the shortest key greater than every key
  // starting with prefix); with explicit bounds too, the intersection. On a
  // column family with a non-bytewise comparator the bounds are that
  // comparator's order (the iterator path applies them).
  std::optional<std::string> lower_bound;
  std::optional<std::string> upper_bound;
  std::optional<std::string> prefix;
  // Read at this snapshot (the caller keeps it alive until the cursor is
  // destroyed); nullptr = a new snapshot taken by Scan().
  const rocksdb::Snapshot* snapshot = nullptr;
  // Verify data block checksums (iterator path: ReadOptions::verify_checksums).
  // The pushdown path with neither io_uring nor direct I/O (one pread per
  // block) always verifies.
  bool verify_checksums = true;
  // Data blocks staged per device run (and per file refill).
  uint32_t batch_blocks = 16;
  // Pushdown path block reads: large sequential reads through io_uring
  // (registered files and buffers; pread where io_uring is unavailable), and/or
  // O_DIRECT (a file system that rejects O_DIRECT sends the scan to the
  // iterator path with the reason). Both false: one pread per block.
  bool use_direct_io = false;
  bool use_io_uring = true;
  // Warm files without O_DIRECT: blocks are checksummed and walked where they
  // lie in a read-only mapping of the file (pushdown/sst BlockSource
  // use_mmap) instead of being read into buffers; with use_io_uring or
  // use_direct_io only (the fast path). A failed mapping reads as above.
  bool use_mmap_reads = false;
  // Uncompressed files on a device without O_DIRECT: blocks are read with
  // one pread per batch straight into the device program's local memory
  // (pushdown/sst BlockSourceOptions::read_into_device_memory) instead of
  // into buffers and then copied there. Compressed files are decompressed
  // into local memory either way.
  bool read_into_device_memory = false;
  // Opt-in WRITE: flush the column family's memtable (rocksdb::DB::Flush)
  // before the scan, so that its data is read from SST files. Off by default:
  // a scan writes nothing, and memtable data is merged from the memtable
  // (memtable_view.h) or, where that cannot be exact, read on the iterator
  // path with the reason.
  bool flush_memtable = false;
  // Skip data blocks (and files) by their zone maps where that is exact
  // (pushdown/scan/zone_skip.h). false: every block in the key range is read
  // (e.g. to measure what the zone maps save).
  bool use_zone_maps = true;
  // Worker threads of the pushdown path (pushdown/scan/parallel_scan.h): the
  // scan is split into that many contiguous key ranges of about equal data
  // bytes, each scanned by its own worker with its own program instance,
  // reads, checksums and decompression; rows still come in key order.
  // Unset: the DB's default (AttachOptions / DbOptions::scan_workers).
  // 0: one per core, but no more than one per kAutoWorkerBytes of data
  // blocks in the scan's key range (a small or narrow scan stays on one
  // thread). N >= 1: up to N ranges (fewer when the data has fewer distinct
  // index boundaries); at most kMaxScanWorkers. Memory: each worker holds
  // its own read buffers and batches, and up to 4 x 512 rows queued ahead of
  // the caller (ParallelScanOptions). Aggregate runs on the workers' threads
  // (per-worker partials, merged at the end); Scan returns rows in key order.
  std::optional<uint32_t> workers;
  // Rows per ScanCursor::NextBatch call (fewer at the end of a key range,
  // at the limit, or once a batch holds exec::kMaxBatchBytes of keys and
  // values). 0 = exec::kDefaultBatchRows. Memory: one batch of the caller's,
  // plus, with several workers, up to 4 batches queued per worker.
  uint32_t batch_rows = 0;
  // Which path (pushdown/plan/placement.h): kAuto estimates the cost of the
  // pushdown path and of the RocksDB iterator path from the column family's
  // metadata and takes the cheaper one, but only where the request allows
  // both: with an explicit kernel/host device or strict_device the pushdown
  // path stays (asked for by name), and with device kIterator the iterator.
  // kPushdown: the pushdown path wherever it can read the data (the old
  // behaviour); kIterator: the iterator path. Both paths return the same
  // rows; ScanInfo::placement* and cost_* say what was estimated and chosen.
  // The default is kPushdown, not kAuto, until the estimate knows what it
  // misses today: zone-map skipping (a 1% time range that reads 5% of the
  // blocks is estimated as a full read) and a per-file cost that scales with
  // the file (kPushdownFileMs is a flat 10 ms, measured on a 47 MB file in a
  // fresh CLI process), so kAuto sends most scans of DBs under a few MB per
  // file to the iterator path, and some larger ones where pushdown wins.
  plan::Placement placement = plan::Placement::kPushdown;
};

inline constexpr uint64_t kAutoWorkerBytes = uint64_t{32} << 20;
inline constexpr uint32_t kMaxScanWorkers = 64;

// How a scan runs / ran.
struct ScanInfo {
  std::string path;              // "pushdown" | "iterator"
  std::string requested_device;  // exec::DeviceRequestName of the request
  // Where the predicate runs: "kernel" | "host" | "iterator", or "none" when
  // no device program runs (host_decode).
  std::string device;
  // Why the scan did not run where requested ("" = it did): device fallback
  // ("no BPF privilege: ...", "verifier rejection: ...") or iterator-path
  // fallback ("merge operator on column family (...)", "000012.sst: merge
  // operands (3)", "memtable: ...", ...).
  std::string fallback_reason;
  // How SST blocks are read: "plugin" when the DB's FileSystem is the
  // pushdown plugin (engine/plugin/pushdown_fs.h), else "direct" (the SST
  // reader opens the files by path).
  std::string io;
  std::string predicate;            // typed, normalised predicate text
  std::vector<std::string> pushed;  // conjuncts evaluated on the device
  struct Residual {
    std::string conjunct;
    std::string reason;  // why the device cannot evaluate it
  };
  std::vector<Residual> residual;  // conjuncts evaluated on the host after the merge
  std::string pushdown_kind;       // "FULL" | "PARTIAL" | "NONE"
  bool program_cached = false;     // the program came from the ProgramCache
  double compile_ms = 0;           // codegen + load of the program (0 if cached)
  // Verified once per system (pushdown/device/pin_store.h). program_pinned:
  // the program came from a bpffs pin, not compiled by this process.
  // program_pin: what happened to the instance's pin, exec::PinStateName
  // ("reused": not verified either; "created": verified and pinned now;
  // "unpinned" / "off": pin_note says why); "" for a cached or host program.
  bool program_pinned = false;
  std::string program_pin;
  std::string pin_note;
  uint64_t snapshot_seqno = 0;
  uint64_t files = 0;    // SST files pinned (pushdown path)
  uint64_t workers = 1;  // worker threads (key ranges) of the pushdown path (ScanOptions::workers)
  // Why the pushdown path runs fewer workers than it asked SplitPlan for ("" =
  // as many as asked): a further program instance failed to load (the scan
  // then splits among the instances it has), or the key range holds too
  // little data or too few distinct index keys to split further.
  std::string workers_reason;
  bool flushed = false;  // Scan() flushed the memtable (ScanOptions::flush_memtable)
  // The column family's memtables (active + immutable) when the scan was
  // planned: entries per rocksdb.num-entries-{active-mem-table,imm-mem-tables}
  // and the entries the pushdown path merged from them (0 on the iterator
  // path, which reads them through the iterator).
  uint64_t memtable_entries = 0;
  uint64_t memtable_entries_merged = 0;
  // The key range scanned ("" = unbounded side), after `prefix` was applied.
  std::string lower_bound, upper_bound;
  bool has_lower_bound = false, has_upper_bound = false;
  // The conjuncts the bounds were narrowed by (the key range derived from the
  // predicate's conjuncts on the leading key columns; empty: none). They stay
  // in the predicate: the derivation decides what is read, never what matches.
  std::vector<std::string> key_range_conjuncts;
  // Pushdown path: per SST file of the scan, its data blocks and how many the
  // key ranges and the zone map skip, and whether it is skipped whole
  // (planned when the scan opens; Explain shows it). Empty on the iterator
  // path.
  std::vector<exec::FileScanStats> per_file;
  // The program-less host stream (plan::Plan::host_decode): nothing was
  // pushed to the device (predicate TRUE, or every conjunct residual) and no
  // aggregate runs there, so no program was compiled or run: the pushdown
  // reader decoded the blocks (checksummed) on the host straight into the
  // merge. device is "none".
  bool host_decode = false;
  // Placement (ScanOptions::placement): the request ("auto" | "pushdown" |
  // "iterator"), how it decided the path ("cost": auto took the lower
  // estimate; "requested": forced; "device": auto, but an explicit device or
  // strict_device keeps the pushdown path; "": the column family decided
  // first, see fallback_reason), and the estimates in ms (cost_estimated
  // false: none was made; cost_text the estimate's inputs in words).
  std::string placement;
  std::string placement_decision;
  bool cost_estimated = false;
  double cost_pushdown_ms = 0;
  double cost_iterator_ms = 0;
  std::string cost_text;
  // Where the aggregates of Aggregate() or an aggregate Query() run ("" for a
  // scan of rows): "device" -- the blocks whose entries need no shadow check
  // are aggregated inside the program and only the other blocks' rows reach
  // the host (ScanStats::blocks_aggregated_on_device says how many) -- or
  // "host: <why not on the device>".
  std::string aggregation;
};

class ScanCursor {
 public:
  virtual ~ScanCursor() = default;

  // OK + Valid(): row() is the next row. OK + !Valid(): done. Else the error
  // (sticky). REQUIRES: one thread at a time.
  virtual Status Next() = 0;
  virtual bool Valid() const = 0;

  // The batch cursor: replaces *batch's rows with the next rows in key order,
  // up to ScanOptions::batch_rows of them, as key/value byte slices with
  // column accessors that decode one cell when asked (row_batch.h: no Datum
  // vector per row). OK + !batch->empty(): rows. OK + empty: the scan is
  // complete. Else the error (sticky; rows before an error inside a batch
  // come first, the error with the next call). Same rows, order, limit and
  // errors as Next() on every path (pushdown, iterator, several workers).
  // The batch's bytes are its own: valid until the batch is filled again or
  // destroyed, even after the cursor is destroyed. Any batch object may be
  // passed (its rows are replaced; reusing one keeps its memory). A cursor is
  // read either with Next() or with NextBatch(): after the first call the
  // other returns InvalidArgument. Valid(), row() and key() describe Next()'s
  // row only. stats() and info() are those of the same scan.
  virtual Status NextBatch(RowBatch* batch) = 0;

  // Output column names and types (ScanOptions::columns, or all).
  virtual const std::vector<std::string>& column_names() const = 0;
  virtual const std::vector<bpfgen::Type>& column_types() const = 0;
  // REQUIRES: Valid(). The projected columns (raw mode: key, value as BYTES).
  virtual const std::vector<Datum>& row() const = 0;
  // REQUIRES: Valid(). The row's RocksDB user key (encoded primary key).
  virtual std::string_view key() const = 0;

  virtual const ScanInfo& info() const = 0;
  // Pushdown path: the executor's counters. Iterator path: files/blocks 0,
  // entries_scanned = iterator entries, rows_matched, host_ns.
  virtual const exec::ScanStats& stats() const = 0;
};

// Aggregates over the rows matching a predicate, computed on the host over the
// scan's rows: count(*), count(expr), sum(expr), min(expr), max(expr), where
// expr is a numeric expression of the predicate language. DECIMAL sums are
// exact (overflow -> NULL like every arithmetic of the language).
struct AggregateResult {
  std::vector<std::string> names;  // "count(*)", "sum(l_extendedprice * l_discount)"
  std::vector<bpfgen::Type> types;
  std::vector<Datum> values;  // NULL for sum/min/max of no rows
  uint64_t rows = 0;          // rows aggregated
  ScanInfo info;
  exec::ScanStats stats;
};

// Explain: the plan of a scan without running it. It is the plan the same
// Scan would run against the same DB state (one planner).
struct ExplainResult {
  ScanInfo info;       // path, device, fallback, pushed/residual, compile_ms, io
  std::string schema;  // DDL ("RAW" in raw mode)
  std::string text;    // multi-line human-readable plan
};

}  // namespace pushdown::engine
