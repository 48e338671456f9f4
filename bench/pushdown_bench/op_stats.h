// db_bench's operation accounting for pushdown_bench (RocksDB 7.8
// tools/db_bench_tool.cc: Duration, Stats::FinishedOps, ReporterAgent):
//   - Duration: --duration / --reads (or --num) bound a benchmark's operations;
//   - OpStats: one thread's operations, its latency histogram (--histogram) and
//     db_bench's interval lines on stderr (--stats_interval_seconds);
//   - QpsReporter: db_bench's --report_file CSV "secs_elapsed,interval_qps".
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/pushdown_bench/histogram.h"
#include "util/status.h"

namespace pushdown::bench {

// db_bench's Duration: with max_seconds > 0 a run lasts that long and max_ops
// is ignored (as db_bench); else it does max_ops operations. Done(n) is called
// before each operation batch of n and says whether to stop; the clock is read
// once every `check_every` operations (db_bench's --ops_between_duration_checks).
class Duration {
 public:
  Duration(int64_t max_seconds, int64_t max_ops, int64_t check_every = 1);
  bool Done(int64_t increment = 1);
  int64_t ops() const { return ops_; }

 private:
  int64_t max_seconds_, max_ops_, check_every_, ops_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// --report_file: a thread that appends "secs_elapsed,interval_qps" every
// `interval_seconds` (the operations finished in that interval), after the
// header, like db_bench's ReporterAgent. One per process: secs_elapsed counts
// from the start of the process's first benchmark. On destruction, rows that
// are due (a whole interval has passed) are written before the file closes.
class QpsReporter {
 public:
  // REQUIRES: interval_seconds > 0.
  static Result<std::unique_ptr<QpsReporter>> Start(const std::string& path,
                                                    int64_t interval_seconds);
  ~QpsReporter();
  QpsReporter(const QpsReporter&) = delete;
  QpsReporter& operator=(const QpsReporter&) = delete;

  void AddOps(uint64_t n) { ops_.fetch_add(n, std::memory_order_relaxed); }  // thread-safe

 private:
  QpsReporter(FILE* f, int64_t interval_seconds);
  void Loop();
  void WriteDueRows();  // REQUIRES: mu_ held

  FILE* f_;
  const int64_t interval_s_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> ops_{0};
  uint64_t last_ops_ = 0;  // ops_ at the last row; guarded by mu_
  int64_t rows_ = 0;       // rows written; guarded by mu_
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

struct OpStatsOptions {
  bool histogram = false;              // --histogram
  int64_t stats_interval_seconds = 0;  // --stats_interval_seconds (0: no interval lines)
  QpsReporter* reporter = nullptr;     // --report_file (not owned; may be null)
};

// One thread's operations of one benchmark (db_bench's Stats). Not
// thread-safe: one per thread; the histograms merge in Report().
class OpStats {
 public:
  OpStats(int id, const OpStatsOptions& options);
  // `n` operations finished; the last took `micros` (recorded with --histogram).
  // Prints db_bench's interval line on stderr once --stats_interval_seconds passed:
  // "<date> ... thread <id>: (<ops>,<total>) ops and (<qps>,<total qps>) ops/second in
  //  (<s>,<total s>) seconds".
  void FinishedOps(uint64_t n, uint64_t micros);
  uint64_t done() const { return done_; }
  const Histogram& histogram() const { return hist_; }

 private:
  using Clock = std::chrono::steady_clock;
  int id_;
  OpStatsOptions options_;
  Clock::time_point start_, last_report_;
  uint64_t done_ = 0, last_report_done_ = 0;
  Histogram hist_;
};

// The threads of one benchmark: OpStats per thread, and the wall time in
// which they ran (`AddSeconds`).
class BenchOps {
 public:
  BenchOps(int threads, const OpStatsOptions& options);
  int threads() const { return static_cast<int>(stats_.size()); }
  OpStats* thread(int i) { return stats_[static_cast<size_t>(i)].get(); }
  void AddSeconds(double s) { seconds_ += s; }
  uint64_t done() const;
  // "# <bench>: ops threads=N operations=K seconds=S ops/sec=Q micros/op=M (what)"
  // then, with --histogram, db_bench's "Microseconds per <op_name>:" block.
  void Report(const std::string& bench, const std::string& op_name, const std::string& what) const;

 private:
  std::vector<std::unique_ptr<OpStats>> stats_;
  bool histogram_;
  double seconds_ = 0;
};

}  // namespace pushdown::bench
