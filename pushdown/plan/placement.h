// Cost-based placement (issue 13 item 7; lambda-IO's adaptive placement): the
// planner estimates what a scan costs on the pushdown path and on the RocksDB
// iterator path from what it knows before reading a data block, and with
// Placement::kAuto takes the cheaper one (planner.h, decision step 5).
//
// What the estimate knows (CostInputs, filled by the engine from the column
// family's metadata): the SST bytes and entries in the scan's key range
// (bounds and prefix applied; RocksDB's approximate sizes), the files that
// range overlaps, the predicate's selectivity where it is known (TRUE = 1),
// and whether the pushdown path must compile a program (not in the
// ProgramCache) or needs none (host_decode).
// What it does not know: zone-map skipping (the zone maps are read when the
// executor opens the files, after the plan), so the pushdown estimate is an
// upper bound there; a bpffs pin that would serve an uncached program (found
// only by the load), so an uncached program is charged a compile; the
// selectivity of other predicates (taken as 1: every row delivered, the
// pushdown path's worst case).
//
// The constants (placement.cc) were measured on this project's machine and
// say where they came from (bench/results/placement.md). Both paths return
// identical rows; the choice changes only the time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pushdown::plan {

// Which path a scan takes (ScanOptions::placement).
enum class Placement : uint8_t {
  kAuto,      // the cheaper estimate (only where the request allows both paths)
  kPushdown,  // the pushdown path wherever it can read the data
  kIterator,  // the RocksDB iterator path
};

// "auto", "pushdown", "iterator".
const char* PlacementName(Placement p);
// The inverse of PlacementName; nullopt for any other text.
std::optional<Placement> ParsePlacement(std::string_view name);

// What the engine knows about the data a scan reads.
struct CostInputs {
  bool known = false;       // false: no estimate (kAuto keeps the pushdown path)
  uint64_t data_bytes = 0;  // SST bytes in the key range
  uint64_t entries = 0;     // SST entries in the key range (estimate)
  uint64_t files = 0;       // SST files the key range overlaps
  // Fraction of the entries that match the predicate, 0..1 (1 = unknown).
  double selectivity = 1.0;
  // The predicate is TRUE: the iterator path evaluates nothing per entry.
  bool predicate_true = false;
};

// The two estimates, in milliseconds of one scan thread.
struct CostEstimate {
  double pushdown_ms = 0;
  double iterator_ms = 0;
  bool compile = false;  // the pushdown estimate includes a compile + load
  CostInputs inputs;     // what it was estimated from
  // "pushdown 12.3 ms (compile 18.0 + 2 files + 94.6 MB, 598839 rows) vs
  // iterator 40.1 ms (94.6 MB, 598839 rows)".
  std::string ToString() const;
};

// REQUIRES: in.known. `compile`: the pushdown path compiles and loads a
// program (false when it is cached or none is needed).
CostEstimate EstimateCost(const CostInputs& in, bool compile);

}  // namespace pushdown::plan
