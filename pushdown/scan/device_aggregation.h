// DeviceAggregation: the partial aggregates the device computed for the
// blocks it aggregated itself (bpfgen/codegen/program_abi.h, "Aggregation"),
// summed over the workers of a scan (each executor adds its program's
// region once, when its scan is done: ScanExecutor::Finish). The rows of those
// blocks never reach the merge; the caller (engine/api/aggregate.cc) merges
// these partials with its own aggregate of the rows the scan returned.
//
// Which blocks a scan aggregates on the device is decided by the executor
// (scan_executor.cc, AggregateOnDevice: the exactness rule is written there).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/codegen/program_abi.h"

namespace pushdown::exec {

class DeviceAggregation {
 public:
  // One item's partial: count as in program_abi.h (rows for COUNT(*), non-NULL
  // inputs otherwise), the exact sum, the least/greatest value seen.
  struct Partial {
    uint64_t count = 0;
    __int128 sum = 0;
    std::optional<int64_t> best;
  };

  // `items` are the aggregates the scan's program was compiled with, in order.
  explicit DeviceAggregation(std::vector<bpfgen::AggregateOp> items) : items_(std::move(items)) {}

  const std::vector<bpfgen::AggregateOp>& items() const { return items_; }

  // Adds one program's region. REQUIRES: acc.size() ==
  // items().size() (the program's num_aggregates; checked by the caller).
  // Thread-safe (the workers of a parallel scan share one).
  void Add(uint64_t rows, std::span<const bpfgen::abi::AggAccumulator> acc);
  // Forgets everything (the scan starts over on the iterator path).
  void Reset();

  uint64_t rows() const;
  std::vector<Partial> partials() const;

 private:
  const std::vector<bpfgen::AggregateOp> items_;
  mutable std::mutex mu_;
  uint64_t rows_ = 0;              // guarded by mu_
  std::vector<Partial> partials_;  // guarded by mu_; empty = all zero
};

}  // namespace pushdown::exec
