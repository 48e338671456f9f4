// Measurements: medians over repeats, db_bench's output line, the CSV report.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace pushdown::bench {

// One timed run of one path.
struct Measurement {
  std::string benchmark;  // tpch_q6, filterscan, selectivity_sweep, ...
  // "baseline" (the plain iterator + hand filter) | an expert baseline's name
  // (expert_iter_1t, sst_reader_2t, ...) | "pushdown" (cached program) |
  // "pushdown_first" (the first run: program compile + load included)
  std::string path;
  std::string device;  // iterator | sst_reader | kernel | host
  std::string predicate;
  std::string compression;  // of the data, as requested at load/fill
  double target_selectivity = 0;
  int repeat = 0;
  double seconds = 0;
  uint64_t rows = 0;
  uint64_t matched = 0;
  uint64_t matched_bytes = 0;  // key + value bytes of the matched rows
  uint64_t bytes_read = 0;
  uint64_t bytes_to_host = 0;
  double host_cpu_s = 0;  // pushdown: ScanStats::host_ns; baseline: process CPU
  double proc_cpu_s = 0;  // process CPU (user + system, includes BPF_PROG_TEST_RUN)
  double device_s = 0;    // ScanStats::device_ns
  bool direct_io = false;
  bool cold = false;  // page cache dropped before the run
  int threads = 1;    // threads of the path (the pushdown scan: 1)
};

struct Summary {
  double median = 0, min = 0, max = 0;
};
Summary Summarize(std::vector<double> v);

// The plain baseline's name in best_baseline fields (CSV path "baseline").
inline constexpr const char* kPlainBaselineName = "plain_iter_1t";

struct BaselineTime {
  std::string name;
  int threads = 1;
  double seconds = 0;  // median
};
struct BestBaselines {
  BaselineTime same;      // fastest with threads == the pushdown side's threads
  BaselineTime allcores;  // fastest of all (any thread count up to --threads)
};
// REQUIRES: `times` holds a baseline with `pushdown_threads` threads.
BestBaselines PickBest(const std::vector<BaselineTime>& times, int pushdown_threads);

// a / b, 0 when b is 0.
inline double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
std::string FormatSeconds(double s);  // "%.4f"

// Appends rows to `path` (writes the header if the file is new or empty).
class CsvReport {
 public:
  // Empty path: a no-op report.
  explicit CsvReport(const std::string& path);
  ~CsvReport();
  void Add(const Measurement& m);

 private:
  FILE* f_ = nullptr;
};

// db_bench's line: "%-12s : %11.3f micros/op %ld ops/sec %.3f seconds %lu operations;"
// then " %6.1f MB/s" when bytes > 0, then `tail` (" key=value ...").
void PrintDbBenchLine(const std::string& name, double seconds, uint64_t ops, uint64_t bytes,
                      const std::string& tail);

}  // namespace pushdown::bench
