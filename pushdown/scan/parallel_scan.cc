#include "pushdown/scan/parallel_scan.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "pushdown/scan/split_stats.h"
#include "pushdown/scan/vector_stream.h"
#include "pushdown/sst/sst_file.h"

namespace pushdown::exec {

namespace {

// Index samples per worker: enough to place a boundary within ~0.1% of the
// data, few enough to sort in well under a millisecond.
constexpr size_t kSamplesPerWorker = 1024;

struct Sample {
  std::string_view key;  // an index separator's user key (in an open file)
  uint64_t bytes;        // stored bytes of the blocks since the file's previous sample
};

// Boundary keys, ascending, strictly inside `range`, splitting the sampled
// bytes into at most n roughly equal parts.
std::vector<std::string> ChooseBoundaries(std::vector<Sample> samples, const KeyRange& range,
                                          size_t n) {
  std::sort(samples.begin(), samples.end(),
            [](const Sample& a, const Sample& b) { return a.key < b.key; });
  uint64_t total = 0;
  for (const Sample& s : samples) total += s.bytes;
  std::vector<std::string> cuts;
  if (total == 0) return cuts;
  uint64_t cum = 0;
  size_t next = 1;  // the boundary being placed: after next/n of the bytes
  for (const Sample& s : samples) {
    if (next >= n) break;
    cum += s.bytes;
    // The boundary is the separator itself: the block it ends (and every
    // key <= it) falls in the lower range, the block after in the upper one.
    if (cum < total / n * next) continue;
    while (next < n && cum >= total / n * next) ++next;
    if (range.lower && s.key <= *range.lower) continue;
    if (range.upper && s.key >= *range.upper) continue;
    if (!cuts.empty() && s.key <= cuts.back()) continue;
    cuts.emplace_back(s.key);
  }
  return cuts;
}

}  // namespace

Result<std::vector<ScanPlan>> SplitPlan(ScanPlan plan, size_t n, uint64_t min_part_bytes) {
  std::vector<ScanPlan> out;
  const KeyRange range{plan.lower_bound, plan.upper_bound};
  if (n <= 1 || !plan.bytewise_comparator || range.empty()) {
    out.push_back(std::move(plan));
    return out;
  }
  // The files the executor would open, opened once for every worker.
  std::vector<const SstFile*> in_range;
  std::vector<BlockRange> blocks;
  size_t total_blocks = 0;
  for (ScanFile& f : plan.files) {
    if (f.smallest_seqno > plan.snapshot) continue;
    if (f.has_key_range && (f.largest_user_key < f.smallest_user_key ||
                            range.Excludes(f.smallest_user_key, f.largest_user_key))) {
      continue;  // the executor skips (or rejects) it itself
    }
    if (f.opened == nullptr) {
      PD_ASSIGN_OR_RETURN(f.opened, OpenScanFile(f));
    }
    // An unsupported file (the executor reports it) has no usable order.
    if (!f.opened->info().supported()) continue;
    in_range.push_back(f.opened.get());
    blocks.push_back(f.opened->DataBlocksInRange(range.lower, range.upper));
    total_blocks += blocks.back().size();
  }
  const size_t stride = std::max<size_t>(1, total_blocks / (kSamplesPerWorker * n));
  std::vector<Sample> samples;
  for (size_t i = 0; i < in_range.size(); ++i) {
    const SstFile& sst = *in_range[i];
    uint64_t bytes = 0;
    for (size_t b = blocks[i].begin; b < blocks[i].end; ++b) {
      bytes += sst.data_block_handle(b).size + kBlockTrailerSize;
      if ((b - blocks[i].begin + 1) % stride == 0 || b + 1 == blocks[i].end) {
        samples.push_back({sst.data_block_index_user_key(b), bytes});
        bytes = 0;
      }
    }
  }
  if (min_part_bytes > 0) {
    uint64_t total = 0;
    for (const Sample& s : samples) total += s.bytes;
    n = std::min<uint64_t>(n, std::max<uint64_t>(1, total / min_part_bytes));
  }
  const std::vector<std::string> cuts =
      n <= 1 ? std::vector<std::string>() : ChooseBoundaries(std::move(samples), range, n);
  if (cuts.empty()) {
    out.push_back(std::move(plan));
    return out;
  }
  const size_t parts = cuts.size() + 1;

  // The memtable's entries, split at the same boundaries (each part in
  // internal-key order, as the stream was).
  std::vector<std::vector<OwnedEntry>> memtable_parts(parts);
  std::string memtable_name;
  if (plan.memtable != nullptr) {
    EntryStream& m = *plan.memtable;
    memtable_name = std::string(m.name());
    size_t part = 0;
    for (m.SeekToFirst(); m.Valid(); m.Next()) {
      const FilteredEntry& e = m.entry();
      while (part + 1 < parts && e.user_key >= cuts[part]) ++part;
      memtable_parts[part].push_back(
          {std::string(e.user_key), e.seq, e.type, e.cls, std::string(e.value)});
    }
    PD_RETURN_IF_ERROR(m.status());
  }
  for (size_t i = 0; i < parts; ++i) {
    ScanPlan p = plan;
    p.memtable = nullptr;
    if (i > 0) p.lower_bound = cuts[i - 1];
    if (i + 1 < parts) p.upper_bound = cuts[i];
    if (plan.memtable != nullptr) {
      p.memtable = std::make_shared<VectorEntryStream>(memtable_name, std::move(memtable_parts[i]));
    }
    out.push_back(std::move(p));
  }
  return out;
}

// ---------------------------------------------------------------------------

struct ParallelScan::Shared {
  std::mutex mu;
  std::condition_variable consumer_cv;  // a chunk, a finished worker or an error arrived
  std::condition_variable worker_cv;    // room in a queue, or stop
  std::atomic<bool> stop{false};        // workers return as soon as they see it
  std::atomic<bool> failed{false};      // error is set
  Status error;                         // the first error; guarded by mu
  // Batch mode: batches the consumer is done with, for the workers to refill
  // (their arenas keep their capacity). Guarded by mu.
  std::vector<RowBatch> spare;
};

struct ParallelScan::Worker {
  size_t index = 0;
  std::unique_ptr<ScanExecutor> executor;
  std::thread thread;
  // Guarded by Shared::mu:
  std::deque<std::vector<Row>> queue;
  std::deque<RowBatch> batches;  // batch mode (NextBatch) instead of `queue`
  bool finished = false;
  ScanStats stats;  // the executor's counters at the last hand-over
  // Consumer side (the thread calling Next):
  std::vector<Row> chunk;
  size_t pos = 0;
};

Result<std::unique_ptr<ParallelScan>> ParallelScan::Open(std::vector<ScanPlan> plans,
                                                         ParallelScanOptions options) {
  if (plans.empty()) return Status::InvalidArgument("parallel scan without a plan");
  std::unique_ptr<ParallelScan> scan(new ParallelScan());
  scan->options_ = options;
  scan->options_.chunk_rows = std::max<size_t>(1, options.chunk_rows);
  scan->options_.queue_chunks = std::max<size_t>(1, options.queue_chunks);
  scan->shared_ = std::make_unique<Shared>();
  scan->limit_ = plans.front().limit;
  for (size_t i = 0; i < plans.size(); ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    PD_ASSIGN_OR_RETURN(w->executor, ScanExecutor::Open(plans[i]));
    w->stats = w->executor->stats();
    scan->workers_.push_back(std::move(w));
  }
  return scan;
}

ParallelScan::~ParallelScan() { StopAndJoin(); }

void ParallelScan::Cancel(Status s) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (shared_->error.ok()) shared_->error = std::move(s);
  shared_->failed.store(true);
  shared_->stop.store(true);
  shared_->consumer_cv.notify_all();
  shared_->worker_cv.notify_all();
}

void ParallelScan::StopAndJoin() {
  if (shared_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->stop.store(true);
    shared_->worker_cv.notify_all();
  }
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

void ParallelScan::Start(const RowSink* sink) {
  started_ = true;
  for (auto& w : workers_) {
    Worker* worker = w.get();
    try {
      worker->thread = std::thread([this, worker, sink] { RunWorker(worker, sink); });
    } catch (const std::system_error& e) {
      Cancel(Status::ResourceExhausted(std::string("parallel scan: cannot start a worker: ") +
                                       e.what()));
      std::lock_guard<std::mutex> lock(shared_->mu);
      worker->finished = true;
    }
  }
}

void ParallelScan::RunWorker(Worker* w, const RowSink* sink) {
  if (batched_) return RunBatchWorker(w);
  Shared& sh = *shared_;
  ScanExecutor& ex = *w->executor;
  std::vector<Row> chunk;
  // Hands `chunk` to the consumer; false when the scan stops.
  auto push = [&]() -> bool {
    std::unique_lock<std::mutex> lock(sh.mu);
    sh.worker_cv.wait(lock,
                      [&] { return sh.stop.load() || w->queue.size() < options_.queue_chunks; });
    if (sh.stop.load()) return false;
    w->queue.push_back(std::move(chunk));
    w->stats = ex.stats();
    sh.consumer_cv.notify_all();
    chunk = {};
    return true;
  };
  Status s;
  bool stopped = false;
  Row row;
  for (;;) {
    if (sh.stop.load(std::memory_order_relaxed)) {
      stopped = true;
      break;
    }
    s = ex.Next(&row);
    if (!s.ok() || !ex.Valid()) break;
    if (sink != nullptr) {
      s = (*sink)(w->index, row);
      if (!s.ok()) break;
      continue;
    }
    if (chunk.empty()) chunk.reserve(options_.chunk_rows);
    chunk.push_back(std::move(row));
    row = Row();
    if (chunk.size() >= options_.chunk_rows && !push()) {
      stopped = true;
      break;
    }
  }
  if (s.ok() && !stopped && !chunk.empty() && !push()) stopped = true;
  FinishWorker(w, s, stopped);
}

void ParallelScan::RunBatchWorker(Worker* w) {
  Shared& sh = *shared_;
  ScanExecutor& ex = *w->executor;
  RowBatch batch;
  batch.Reset(batch_layout_);
  Status s;
  bool stopped = false;
  for (;;) {
    if (sh.stop.load(std::memory_order_relaxed)) {
      stopped = true;
      break;
    }
    s = ex.NextBatch(&batch, batch_rows_);
    if (!s.ok() || batch.empty()) break;
    std::unique_lock<std::mutex> lock(sh.mu);
    sh.worker_cv.wait(lock,
                      [&] { return sh.stop.load() || w->batches.size() < options_.queue_chunks; });
    if (sh.stop.load()) {
      stopped = true;
      break;
    }
    w->batches.push_back(std::move(batch));
    w->stats = ex.stats();
    sh.consumer_cv.notify_all();
    if (!sh.spare.empty()) {
      batch = std::move(sh.spare.back());
      sh.spare.pop_back();
    } else {
      batch = RowBatch();
    }
    lock.unlock();
    batch.Reset(batch_layout_);
  }
  FinishWorker(w, s, stopped);
}

void ParallelScan::FinishWorker(Worker* w, const Status& s, bool stopped) {
  Shared& sh = *shared_;
  ScanExecutor& ex = *w->executor;
  if (stopped) ex.Finish();  // the unread blocks count as skipped
  if (!s.ok()) Cancel(s);
  std::lock_guard<std::mutex> lock(sh.mu);
  w->stats = ex.stats();
  w->finished = true;
  sh.consumer_cv.notify_all();
}

Status ParallelScan::FailFromWorkers() {
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    status_ = shared_->error;
  }
  StopAndJoin();
  return status_;
}

Status ParallelScan::FinishOrdered() {
  done_ = true;
  StopAndJoin();
  return Status::OK();
}

Status ParallelScan::Next(Row* row) {
  if (!status_.ok()) return status_;
  valid_ = false;
  if (done_) return Status::OK();
  if (!started_) {
    ordered_ = true;
    Start(nullptr);
  } else if (batched_) {
    return Status::InvalidArgument("parallel scan: Next() after NextBatch()");
  }
  Shared& sh = *shared_;
  if (delivered_ >= limit_) return FinishOrdered();
  for (;;) {
    if (sh.failed.load(std::memory_order_relaxed)) return FailFromWorkers();
    Worker& w = *workers_[current_];
    if (w.pos < w.chunk.size()) {
      *row = std::move(w.chunk[w.pos++]);
      ++delivered_;
      valid_ = true;
      return Status::OK();
    }
    w.chunk.clear();
    w.pos = 0;
    std::unique_lock<std::mutex> lock(sh.mu);
    sh.consumer_cv.wait(lock, [&] { return !w.queue.empty() || w.finished || sh.failed.load(); });
    if (sh.failed.load()) {
      lock.unlock();
      return FailFromWorkers();
    }
    if (!w.queue.empty()) {
      w.chunk = std::move(w.queue.front());
      w.queue.pop_front();
      sh.worker_cv.notify_all();
      continue;
    }
    lock.unlock();
    if (++current_ == workers_.size()) return FinishOrdered();
  }
}

Status ParallelScan::NextBatch(RowBatch* batch, size_t max_rows) {
  if (!status_.ok()) return status_;
  valid_ = false;
  if (!started_) {
    if (batch->layout() == nullptr) return Status::InvalidArgument("row batch without a layout");
    ordered_ = true;
    batched_ = true;
    batch_layout_ = batch->shared_layout();
    batch_rows_ = std::max<size_t>(1, max_rows);
    Start(nullptr);
  } else if (!batched_) {
    return Status::InvalidArgument("parallel scan: NextBatch() after Next()");
  }
  batch->Clear();
  if (done_) return Status::OK();
  Shared& sh = *shared_;
  if (delivered_ >= limit_) return FinishOrdered();
  for (;;) {
    if (sh.failed.load(std::memory_order_relaxed)) return FailFromWorkers();
    Worker& w = *workers_[current_];
    std::unique_lock<std::mutex> lock(sh.mu);
    sh.consumer_cv.wait(lock, [&] { return !w.batches.empty() || w.finished || sh.failed.load(); });
    if (sh.failed.load()) {
      lock.unlock();
      return FailFromWorkers();
    }
    if (!w.batches.empty()) {
      // The caller's previous batch goes back to the workers for reuse.
      RowBatch previous = std::move(*batch);
      *batch = std::move(w.batches.front());
      w.batches.pop_front();
      if (sh.spare.size() < workers_.size() * 2) sh.spare.push_back(std::move(previous));
      sh.worker_cv.notify_all();
      lock.unlock();
      if (batch->size() > limit_ - delivered_) batch->Truncate(limit_ - delivered_);
      delivered_ += batch->size();
      return Status::OK();
    }
    lock.unlock();
    if (++current_ == workers_.size()) return FinishOrdered();
  }
}

Status ParallelScan::RunUnordered(const RowSink& sink) {
  if (started_) return Status::InvalidArgument("parallel scan already started");
  if (limit_ != kNoLimit) {
    return Status::InvalidArgument("an unordered parallel scan takes no limit");
  }
  Start(&sink);
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  done_ = true;
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->error;
}

ScanStats ParallelScan::stats() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  std::vector<const ScanStats*> parts;
  for (const auto& w : workers_) parts.push_back(&w->stats);
  ScanStats merged = MergeSplitStats(parts);
  if (ordered_) merged.rows_matched = delivered_ + merged.rows_aggregated_on_device;
  return merged;
}

}  // namespace pushdown::exec
