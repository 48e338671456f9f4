// Parallel scans: one ScanPlan split into N contiguous user-key ranges, each
// an exact, independent ScanExecutor run on a worker thread of its own.
//
//   PD_ASSIGN_OR_RETURN(std::vector<ScanPlan> plans, SplitPlan(plan, 2));
//   for (ScanPlan& p : plans) { p.device = ...; p.program = <one instance per plan>; }
//   PD_ASSIGN_OR_RETURN(auto scan, ParallelScan::Open(std::move(plans)));
//   for (;;) { PD_RETURN_IF_ERROR(scan->Next(&row)); if (!scan->Valid()) break; ... }
//
// Why each range is exact: a worker's plan is the whole plan with its key
// bounds narrowed to the range (key_range.h Intersect), so its executor
// restricts the full LSM merge to that range exactly as a bounded scan does
// (files outside are not opened, the index seek selects the blocks, the
// merge cuts the rest). Every version of a user key lies in one range, so
// visibility, shadows and tombstones are decided inside one worker. Zone-map
// skipping is decided per block, inside the range, by the same rule
// (zone_skip.h). The memtable input is split at the same boundaries.
// Ranges ascend and are disjoint, and concatenating their rows in range order
// gives the key order of the unsplit scan.
//
// Boundaries: user keys of index separators of the files in range, sampled
// and weighted by the stored bytes of the blocks they end, so that ranges
// hold roughly equal data bytes. A boundary block (one per file and
// boundary) is read by both neighbouring workers; each cuts the other's keys.
//
// Threads and memory: workers start at the first Next() / RunUnordered(), not
// at Open (so Explain reads nothing). Ordered mode buffers at most
// `queue_chunks` chunks of `chunk_rows` rows per worker ahead of the
// consumer (backpressure: a worker whose queue is full waits), i.e. at most
// N x queue_chunks x chunk_rows rows beyond what the executors hold.
// An error in any worker stops all of them and is the scan's status.
// Destroying the scan (e.g. after a LIMIT, or a caller that stops early)
// stops the workers and joins them before returning.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "pushdown/scan/scan_executor.h"

namespace pushdown::exec {

// The plan split into at most n plans over ascending, disjoint key ranges
// whose union is plan's range. Opens (indexes only) the files visible at the
// snapshot that can hold keys in range and shares them among the plans
// (ScanFile::opened). Returns the one plan unchanged where it cannot split:
// n <= 1, a non-bytewise plan, an empty range, or too few distinct
// boundary keys (small data yields fewer plans than n). Consumes
// plan.memtable (drained into one in-memory stream per plan).
// With min_part_bytes > 0, at most one plan per min_part_bytes of data
// blocks in range (a small or narrow scan stays on fewer workers).
// The returned plans keep plan.device / plan.program: the caller gives each
// its own program instance (a LoadedProgram runs on one thread at a time).
Result<std::vector<ScanPlan>> SplitPlan(ScanPlan plan, size_t n, uint64_t min_part_bytes = 0);

struct ParallelScanOptions {
  size_t chunk_rows = 512;  // rows a worker hands over at a time (ordered mode)
  size_t queue_chunks = 4;  // chunks buffered per worker before it waits
};

class ParallelScan {
 public:
  // `plans` from SplitPlan, ranges ascending; each with its own program
  // instance (or none: host path). Opens every executor (no row is read).
  static Result<std::unique_ptr<ParallelScan>> Open(std::vector<ScanPlan> plans,
                                                    ParallelScanOptions options = {});
  ~ParallelScan();  // stops and joins the workers
  ParallelScan(const ParallelScan&) = delete;
  ParallelScan& operator=(const ParallelScan&) = delete;

  // Ordered: range i's rows before range i + 1's. See RowCursor::Next.
  // The limit of the plans is applied to the concatenation.
  Status Next(Row* row);
  bool Valid() const { return valid_; }

  // Ordered, in batches (RowCursor::NextBatch): each worker fills batches of
  // up to max_rows rows (the first call's max_rows and batch layout are the
  // scan's) and queues up to queue_chunks of them; a call hands over the
  // next batch in range order (moved into *batch, no copy; the caller's
  // previous batch goes back to the workers for reuse). Empty = done. The
  // plans' limit applies to the concatenation. A scan is read either with
  // Next or with NextBatch: the other is InvalidArgument once started.
  // REQUIRES: batch->layout() != nullptr on the first call.
  Status NextBatch(RowBatch* batch, size_t max_rows);

  // Unordered: runs every worker to its end, calling sink(worker, row) on
  // that worker's thread (one thread per worker index, so per-worker state
  // needs no lock). The first error (a worker's or a sink's) stops all
  // workers and is returned. REQUIRES: Next() was never called; called once.
  using RowSink = std::function<Status(size_t worker, const Row& row)>;
  Status RunUnordered(const RowSink& sink);

  size_t workers() const { return workers_.size(); }
  // The workers' counters merged into the unsplit scan's (split_stats.h: a
  // file or block once however many workers opened or read it; the boundary
  // blocks' second reads in blocks_read_twice), as of their last hand-over,
  // exact once the scan is done; rows_matched is the rows delivered (plus
  // rows_aggregated_on_device).
  ScanStats stats() const;

 private:
  struct Worker;
  ParallelScan() = default;
  void Start(const RowSink* sink);
  void RunWorker(Worker* w, const RowSink* sink);
  void RunBatchWorker(Worker* w);
  void FinishWorker(Worker* w, const Status& s, bool stopped);
  void Cancel(Status s);
  void StopAndJoin();
  // Ordered consumption (Next, NextBatch): a worker failed -- the first
  // error becomes the scan's status, the workers stop; or every range is
  // delivered (or the limit reached) -- done, the workers are joined.
  Status FailFromWorkers();
  Status FinishOrdered();

  std::vector<std::unique_ptr<Worker>> workers_;
  ParallelScanOptions options_;
  uint64_t limit_ = kNoLimit;
  bool started_ = false;
  bool ordered_ = false;  // started by Next() or NextBatch()
  bool batched_ = false;  // started by NextBatch()
  std::shared_ptr<const RowBatchLayout> batch_layout_;
  size_t batch_rows_ = kDefaultBatchRows;
  bool valid_ = false;
  bool done_ = false;
  size_t current_ = 0;  // the worker whose rows Next() hands out
  uint64_t delivered_ = 0;
  Status status_;  // sticky (consumer side)
  struct Shared;
  std::unique_ptr<Shared> shared_;
};

}  // namespace pushdown::exec
