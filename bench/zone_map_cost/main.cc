// zone_map_cost: what reading zone maps costs a scan that they cannot help,
// measured without the baselines around it (issue 14: Q6 over dbgen-ordered
// lineitem, zone maps on vs off, overhead <= 2%). Runs TPC-H Q6 as an
// Aggregate on the host device over table lineitem of a pushdown_bench
// `loadtpch` DB, RUNS times, with ScanOptions::use_zone_maps on or off, and
// prints each run's process CPU time, blocks read and the result (one worker;
// compare the results of on and off).
//
//   zone_map_cost DB on|off RUNS
//
// Instruction counts, stable on a shared machine: collect inside Aggregate
// only, and subtract the first run's compile (plan::MakePlan, inclusive):
//   valgrind --tool=callgrind --toggle-collect='pushdown::engine::PushdownDB::Aggregate*'
//     build/bin/zone_map_cost DB on 4
// (one command line; bench/results/skipping.md has it and the numbers).
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/pushdown_bench/hand_filter.h"
#include "engine/api/pushdown_db.h"

namespace {

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

}  // namespace

int main(int argc, char** argv) {
  using pushdown::engine::PushdownDB;
  if (argc != 4 || (std::string(argv[2]) != "on" && std::string(argv[2]) != "off")) {
    std::fprintf(stderr, "usage: zone_map_cost DB on|off RUNS\n");
    return 2;
  }
  const bool zone_maps = std::string(argv[2]) == "on";
  const int runs = std::atoi(argv[3]);
  auto db = PushdownDB::Open(argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "zone_map_cost: %s\n", db.status().ToString().c_str());
    return 1;
  }
  pushdown::engine::ScanOptions so;
  so.device = pushdown::exec::DeviceRequest::kHost;
  so.use_zone_maps = zone_maps;
  so.workers = 1;  // one thread: what callgrind's toggle sees is the whole scan
  const auto target = pushdown::engine::ScanTarget::Table("lineitem");
  for (int i = 0; i < runs; ++i) {
    const double c0 = ProcessCpuSeconds();
    auto r =
        (*db)->Aggregate(target, pushdown::bench::kQ6Predicate, pushdown::bench::kQ6Aggregates, so);
    const double cpu = ProcessCpuSeconds() - c0;
    if (!r.ok()) {
      std::fprintf(stderr, "zone_map_cost: %s\n", r.status().ToString().c_str());
      return 1;
    }
    std::printf(
        "run %d zone_maps=%s cpu_s=%.4f count=%lld revenue=%lld blocks_read=%llu "
        "blocks_skipped_by_zone_map=%llu device=%s\n",
        i, argv[2], cpu, static_cast<long long>(r->values[0].i),
        static_cast<long long>(r->values[1].i),
        static_cast<unsigned long long>(r->stats.blocks_read),
        static_cast<unsigned long long>(r->stats.blocks_skipped_by_zone_map),
        r->info.device.c_str());
  }
  return 0;
}
