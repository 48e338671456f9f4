#include "bench/pushdown_bench/report.h"

#include <sys/stat.h>

#include <algorithm>

namespace pushdown::bench {

Summary Summarize(std::vector<double> v) {
  Summary s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  s.min = v.front();
  s.max = v.back();
  return s;
}

BestBaselines PickBest(const std::vector<BaselineTime>& times, int pushdown_threads) {
  BestBaselines b;
  bool have_same = false, have_all = false;
  for (const auto& t : times) {
    if (t.threads == pushdown_threads && (!have_same || t.seconds < b.same.seconds)) {
      b.same = t;
      have_same = true;
    }
    if (!have_all || t.seconds < b.allcores.seconds) {
      b.allcores = t;
      have_all = true;
    }
  }
  return b;
}

std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4f", s);
  return buf;
}

CsvReport::CsvReport(const std::string& path) {
  if (path.empty()) return;
  struct stat st;
  const bool fresh = ::stat(path.c_str(), &st) != 0 || st.st_size == 0;
  f_ = std::fopen(path.c_str(), "a");
  if (f_ == nullptr) {
    std::fprintf(stderr, "pushdown_bench: cannot open --report=%s\n", path.c_str());
    return;
  }
  if (fresh) {
    std::fprintf(f_,
                 "benchmark,path,device,compression,target_selectivity,selectivity,repeat,"
                 "seconds,rows,matched,matched_bytes,bytes_read,bytes_to_host,host_cpu_s,"
                 "proc_cpu_s,device_s,direct_io,cold,predicate,threads\n");
  }
}

CsvReport::~CsvReport() {
  if (f_ != nullptr) std::fclose(f_);
}

void CsvReport::Add(const Measurement& m) {
  if (f_ == nullptr) return;
  const double sel = m.rows ? static_cast<double>(m.matched) / static_cast<double>(m.rows) : 0;
  std::string pred = m.predicate;
  for (char& c : pred) {
    if (c == '"') c = '\'';
  }
  std::fprintf(f_,
               "%s,%s,%s,%s,%.6g,%.6g,%d,%.6f,%lu,%lu,%lu,%lu,%lu,%.6f,%.6f,%.6f,%d,%d,\"%s\",%d\n",
               m.benchmark.c_str(), m.path.c_str(), m.device.c_str(), m.compression.c_str(),
               m.target_selectivity, sel, m.repeat, m.seconds, m.rows, m.matched, m.matched_bytes,
               m.bytes_read, m.bytes_to_host, m.host_cpu_s, m.proc_cpu_s, m.device_s,
               m.direct_io ? 1 : 0, m.cold ? 1 : 0, pred.c_str(), m.threads);
  std::fflush(f_);
}

void PrintDbBenchLine(const std::string& name, double seconds, uint64_t ops, uint64_t bytes,
                      const std::string& tail) {
  const double micros_per_op = ops ? seconds * 1e6 / static_cast<double>(ops) : 0;
  const long ops_per_sec = seconds > 0 ? static_cast<long>(static_cast<double>(ops) / seconds) : 0;
  std::printf("%-12s : %11.3f micros/op %ld ops/sec %.3f seconds %lu operations;", name.c_str(),
              micros_per_op, ops_per_sec, seconds, static_cast<unsigned long>(ops));
  if (bytes > 0 && seconds > 0) {
    std::printf(" %6.1f MB/s", static_cast<double>(bytes) / 1048576.0 / seconds);
  }
  std::printf("%s\n", tail.c_str());
  std::fflush(stdout);
}

}  // namespace pushdown::bench
