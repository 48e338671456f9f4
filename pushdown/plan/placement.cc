#include "pushdown/plan/placement.h"

#include <algorithm>
#include <cstdio>

namespace pushdown::plan {

namespace {

// The cost constants: one scan thread, page cache warm, checksums verified,
// TPC-H lineitem (about 158 stored bytes per entry). Measured on this
// project's VM (2 vCPUs, kernel 6.18; load average 2.5-2.8) on 2 Dec 2026,
// TPC-H scale 0.1 uncompressed (94.56 MB of data blocks in 2 files, 598 839
// entries), with pushdown_bench filterscan --threads=1 --noexpert_baselines
// --repeats=3, 3 interleaved rounds, medians: iterator path (--pushdown=off)
// TRUE 290 ms, Q6 405 ms; pushdown path (--pushdown=host) TRUE 102 ms
// (host_decode), Q6 37 ms; and `pushdown scan --stats` of 3 data blocks
// (l_orderkey < 40): pushdown elapsed minus compile_ms 20-27 ms, iterator
// 0.4-0.6 ms, compile_ms of a fresh process 58-93 ms. The arithmetic is in
// bench/results/placement.md. They decide only which path is cheaper, so
// their ratios matter more than their absolute values.
//
// Iterator path (engine/api/scan.cc IteratorCursor: DB iterator through the
// application's handle, the reference Evaluator per entry). Per row: taken
// equal to the pushdown path's (both copy the row into the batch); per byte
// = (TRUE 290 ms - 598 839 rows x 110 ns) / 94.56 MB; evaluation = (Q6 405
// ms - TRUE's bytes 224 ms) / 598 839 entries.
constexpr double kIteratorNsPerByte = 2.37;      // read + checksum + walk, per SST byte
constexpr double kIteratorEvalNsPerEntry = 300;  // the reference evaluator (Q6: 4 conjuncts)
constexpr double kIteratorNsPerRow = 110;        // a delivered row into the batch
constexpr double kIteratorFixedMs = 0.4;         // NewIterator + first seek (3-block scan)
// Pushdown path (ScanExecutor: the pushdown reader, device program or
// host_decode, the merge). Per file: the 3-block scan's 20 ms less the
// iterator's, for one 47 MB file (index, properties, zone map, read setup);
// taken per file, as the two-file full scans show no more than that. Per
// byte = (Q6 37 ms - 2 files' 20 ms) / 94.56 MB; per row = (TRUE 102 ms - Q6
// 37 ms) / 587 498 more rows.
constexpr double kPushdownNsPerByte = 0.18;  // read + checksum + walk/program, per SST byte
constexpr double kPushdownNsPerRow = 110;    // a delivered row through the merge into the batch
constexpr double kPushdownFileMs = 10.0;     // per file the key range overlaps
constexpr double kPushdownFixedMs = 0.5;     // snapshot, file pin, executor setup
// Codegen + verify + load of a program not in the ProgramCache, in a process
// that has compiled before (issue 13's profile: 17-19 ms); a process's first
// compile also initialises LLVM (58-93 ms above), which is not charged here.
constexpr double kCompileMs = 18.0;

double Mb(uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }

}  // namespace

const char* PlacementName(Placement p) {
  switch (p) {
    case Placement::kAuto:
      return "auto";
    case Placement::kPushdown:
      return "pushdown";
    case Placement::kIterator:
      return "iterator";
  }
  return "auto";
}

std::optional<Placement> ParsePlacement(std::string_view name) {
  for (Placement p : {Placement::kAuto, Placement::kPushdown, Placement::kIterator}) {
    if (name == PlacementName(p)) return p;
  }
  return std::nullopt;
}

CostEstimate EstimateCost(const CostInputs& in, bool compile) {
  CostEstimate e;
  e.inputs = in;
  e.compile = compile;
  const double bytes = static_cast<double>(in.data_bytes);
  const double entries = static_cast<double>(in.entries);
  const double rows = entries * std::clamp(in.selectivity, 0.0, 1.0);
  e.iterator_ms = kIteratorFixedMs + (bytes * kIteratorNsPerByte + rows * kIteratorNsPerRow +
                                      (in.predicate_true ? 0 : entries * kIteratorEvalNsPerEntry)) /
                                         1e6;
  e.pushdown_ms = kPushdownFixedMs + (compile ? kCompileMs : 0) +
                  static_cast<double>(in.files) * kPushdownFileMs +
                  (bytes * kPushdownNsPerByte + rows * kPushdownNsPerRow) / 1e6;
  return e;
}

std::string CostEstimate::ToString() const {
  char buf[256];
  const uint64_t rows =
      static_cast<uint64_t>(static_cast<double>(inputs.entries) * inputs.selectivity);
  std::snprintf(buf, sizeof(buf),
                "pushdown %.2f ms (%s%llu files, %.2f MB, %llu entries) vs iterator %.2f ms "
                "(selectivity %.3g, %llu rows)",
                pushdown_ms, compile ? "compile + " : "",
                static_cast<unsigned long long>(inputs.files), Mb(inputs.data_bytes),
                static_cast<unsigned long long>(inputs.entries), iterator_ms, inputs.selectivity,
                static_cast<unsigned long long>(rows));
  return buf;
}

}  // namespace pushdown::plan
