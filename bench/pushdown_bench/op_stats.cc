#include "bench/pushdown_bench/op_stats.h"

#include <cerrno>
#include <cinttypes>
#include <ctime>

namespace pushdown::bench {

Duration::Duration(int64_t max_seconds, int64_t max_ops, int64_t check_every)
    : max_seconds_(max_seconds),
      max_ops_(max_ops),
      check_every_(check_every < 1 ? 1 : check_every),
      start_(std::chrono::steady_clock::now()) {}

bool Duration::Done(int64_t increment) {
  if (increment <= 0) increment = 1;  // as db_bench: no Done(0) loops
  ops_ += increment;
  if (max_seconds_ <= 0) return ops_ > max_ops_;
  if (ops_ / check_every_ == (ops_ - increment) / check_every_) return false;
  const auto elapsed = std::chrono::steady_clock::now() - start_;
  return elapsed >= std::chrono::seconds(max_seconds_);
}

Result<std::unique_ptr<QpsReporter>> QpsReporter::Start(const std::string& path,
                                                        int64_t interval_seconds) {
  if (interval_seconds <= 0) {
    return Status::InvalidArgument("report interval must be > 0 seconds");
  }
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return Status::FromErrno("open --report_file=" + path, errno);
  if (std::fputs("secs_elapsed,interval_qps\n", f) < 0 || std::fflush(f) != 0) {
    const int err = errno;
    std::fclose(f);
    return Status::FromErrno("write --report_file=" + path, err);
  }
  return std::unique_ptr<QpsReporter>(new QpsReporter(f, interval_seconds));
}

QpsReporter::QpsReporter(FILE* f, int64_t interval_seconds)
    : f_(f), interval_s_(interval_seconds), start_(std::chrono::steady_clock::now()) {
  thread_ = std::thread([this] { Loop(); });
}

QpsReporter::~QpsReporter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    WriteDueRows();
  }
  cv_.notify_all();
  thread_.join();
  std::fclose(f_);
}

void QpsReporter::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const auto due = start_ + std::chrono::seconds(interval_s_ * (rows_ + 1));
    cv_.wait_until(lock, due, [this] { return stop_; });
    WriteDueRows();
  }
}

void QpsReporter::WriteDueRows() {
  const auto now = std::chrono::steady_clock::now();
  // One row per whole interval passed; a late wake-up writes the rows it owes,
  // the first of them with the operations since the last row.
  while (start_ + std::chrono::seconds(interval_s_ * (rows_ + 1)) <= now) {
    ++rows_;
    const uint64_t ops = ops_.load(std::memory_order_relaxed);
    std::fprintf(f_, "%" PRId64 ",%" PRIu64 "\n", interval_s_ * rows_, ops - last_ops_);
    last_ops_ = ops;
  }
  std::fflush(f_);
}

OpStats::OpStats(int id, const OpStatsOptions& options)
    : id_(id), options_(options), start_(Clock::now()), last_report_(start_) {}

void OpStats::FinishedOps(uint64_t n, uint64_t micros) {
  if (options_.reporter != nullptr) options_.reporter->AddOps(n);
  if (options_.histogram) hist_.Add(micros);
  done_ += n;
  if (options_.stats_interval_seconds <= 0) return;
  const Clock::time_point now = Clock::now();
  if (now - last_report_ < std::chrono::seconds(options_.stats_interval_seconds)) return;
  const double since_last = std::chrono::duration<double>(now - last_report_).count();
  const double since_start = std::chrono::duration<double>(now - start_).count();
  const time_t wall = std::time(nullptr);
  struct tm t;
  localtime_r(&wall, &t);
  std::fprintf(stderr,
               "%04d/%02d/%02d-%02d:%02d:%02d  ... thread %d: (%" PRIu64 ",%" PRIu64
               ") ops and (%.1f,%.1f) ops/second in (%.6f,%.6f) seconds\n",
               t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, id_,
               done_ - last_report_done_, done_,
               static_cast<double>(done_ - last_report_done_) / since_last,
               static_cast<double>(done_) / since_start, since_last, since_start);
  last_report_ = now;
  last_report_done_ = done_;
}

BenchOps::BenchOps(int threads, const OpStatsOptions& options) : histogram_(options.histogram) {
  for (int i = 0; i < (threads < 1 ? 1 : threads); ++i) {
    stats_.push_back(std::make_unique<OpStats>(i, options));
  }
}

uint64_t BenchOps::done() const {
  uint64_t n = 0;
  for (const auto& s : stats_) n += s->done();
  return n;
}

void BenchOps::Report(const std::string& bench, const std::string& op_name,
                      const std::string& what) const {
  const uint64_t n = done();
  Histogram merged;
  for (const auto& s : stats_) merged.Merge(s->histogram());
  std::printf("# %s: ops threads=%d operations=%" PRIu64 " seconds=%.4f ops/sec=%.1f (%s)\n",
              bench.c_str(), threads(), n, seconds_,
              seconds_ > 0 ? static_cast<double>(n) / seconds_ : 0.0, what.c_str());
  if (histogram_) {
    std::printf("Microseconds per %s:\n%s\n", op_name.c_str(), merged.ToString().c_str());
  }
  std::fflush(stdout);
}

}  // namespace pushdown::bench
