// expert_scan: pushdown_bench's expert baselines (baselines.h: the tuned DB
// iterator and SstFileReader, at 1 thread and --threads) linked against the
// static librocksdb.a (expert_scan_shared: the same program linked against the
// shared librocksdb), over an existing DB opened read-only. It measures what
// the link mode costs: Debian's shared librocksdb (which pushdown_bench and
// the pushdown side use) pays __tls_get_addr for perf_context; the static
// library uses initial-exec TLS (shared/SST_FORMAT.md "Baselines an expert
// writes"). Every baseline must return the same rows and Q6 aggregates; one
// output line per baseline:
//   expert_scan : baseline=NAME link=static|shared threads=T partitions=P median_s=X min_s=X
//                 max_s=X rows=N matched=N count=N revenue=N.NNNN
#include <gflags/gflags.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/pushdown_bench/baselines.h"
#include "bench/pushdown_bench/hand_filter.h"
#include "bench/pushdown_bench/report.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"

#ifndef PD_ROCKSDB_LINK
#error "PD_ROCKSDB_LINK (static|shared) names the librocksdb this program links"
#endif

DEFINE_string(db, "", "database directory (required; opened read-only)");
DEFINE_string(table, "lineitem",
              "column family to scan: lineitem (TPC-H schema) or empty for the raw default "
              "column family");
DEFINE_string(predicate, "",
              "filter (hand_filter.h twins; default: TPC-H Q6 for lineitem, TRUE raw)");
DEFINE_int32(threads, 0, "threads of the all-core baselines (0: the number of cores)");
DEFINE_int32(repeats, 5, "timed runs per baseline; medians are reported");
DEFINE_string(reads, "auto", "auto (measure mmap and 2 MiB readahead) | mmap | readahead");

namespace pushdown::bench {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "expert_scan: %s\n", what.c_str());
  std::exit(1);
}

int Main() {
  if (FLAGS_db.empty()) Die("--db is required");
  if (FLAGS_threads <= 0) {
    FLAGS_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  bpfgen::RowLayout layout;
  const bool table = !FLAGS_table.empty();
  if (table) {
    if (FLAGS_table != "lineitem") Die("--table must be lineitem or empty");
    Result<bpfgen::Schema> schema = bpfgen::ParseSchema(bpfgen::kLineitemDdl);
    if (!schema.ok()) Die(schema.status().ToString());
    layout = bpfgen::RowLayout::Compute(*schema);
  }
  std::string predicate = FLAGS_predicate;
  if (predicate.empty()) predicate = table ? kQ6Predicate : "TRUE";
  Result<HandFilter> filter = HandFilter::Parse(predicate, table ? &layout : nullptr);
  if (!filter.ok()) Die(filter.status().ToString());
  const std::string cf = table ? FLAGS_table : "default";
  auto ex = ExpertBaselines::Open(FLAGS_db, cf, FLAGS_reads, FLAGS_threads, *filter);
  if (!ex.ok()) Die(ex.status().ToString());
  std::printf("# expert_scan (%s, %s librocksdb): %s\n", cf.c_str(), PD_ROCKSDB_LINK,
              (*ex)->Describe().c_str());
  const auto& specs = (*ex)->specs();
  // Untimed: full row checksums; every baseline must agree with the first.
  BaselineResult want;
  for (size_t i = 0; i < specs.size(); ++i) {
    Result<BaselineResult> r = (*ex)->Run(i, *filter, true);
    if (!r.ok()) Die(specs[i].name + ": " + r.status().ToString());
    if (i == 0) want = *r;
    if (r->rows != want.rows || r->matched != want.matched || r->key_sum != want.key_sum ||
        r->kv_sum != want.kv_sum || r->count != want.count || r->revenue != want.revenue) {
      Die("MISMATCH " + specs[i].name + " vs " + specs[0].name + ": rows " +
          std::to_string(r->matched) + " vs " + std::to_string(want.matched));
    }
  }
  std::vector<std::vector<double>> secs(specs.size());
  for (int rep = 0; rep < std::max(1, FLAGS_repeats); ++rep) {
    for (size_t j = 0; j < specs.size(); ++j) {
      const size_t i = (j + static_cast<size_t>(rep)) % specs.size();
      const auto t0 = std::chrono::steady_clock::now();
      Result<BaselineResult> r = (*ex)->Run(i, *filter, false);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (!r.ok()) Die(specs[i].name + ": " + r.status().ToString());
      if (r->matched != want.matched || r->key_sum != want.key_sum || r->count != want.count ||
          r->revenue != want.revenue) {
        Die("MISMATCH " + specs[i].name + " in repeat " + std::to_string(rep));
      }
      secs[i].push_back(s);
    }
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    const Summary s = Summarize(secs[i]);
    std::printf(
        "expert_scan  : baseline=%s link=%s threads=%d partitions=%d median_s=%.4f "
        "min_s=%.4f max_s=%.4f rows=%lu matched=%lu count=%ld revenue=%ld.%04ld\n",
        specs[i].name.c_str(), PD_ROCKSDB_LINK, specs[i].threads, specs[i].partitions, s.median,
        s.min, s.max, want.rows, want.matched, want.count, want.revenue / 10000,
        want.revenue % 10000);
  }
  if (!(*ex)->sst_reader_skipped().empty()) {
    std::printf("# sst_reader skipped: %s\n", (*ex)->sst_reader_skipped().c_str());
  }
  return 0;
}

}  // namespace
}  // namespace pushdown::bench

int main(int argc, char** argv) {
  gflags::SetUsageMessage("expert RocksDB scan baselines, static librocksdb.a");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return pushdown::bench::Main();
}
