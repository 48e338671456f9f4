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
#include <map>
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

  // Grouped (program_abi.h, "Grouped aggregation"): one group's key words
  // (NULL keys as 0, with their null_mask bit) and partials.
  struct Group {
    uint64_t null_mask = 0;
    std::vector<uint64_t> keys;
    std::vector<Partial> partials;
  };

  // `items` are the aggregates the scan's program was compiled with, in
  // order, after its `num_group_keys` group keys (0: not grouped).
  explicit DeviceAggregation(std::vector<bpfgen::AggregateOp> items, uint32_t num_group_keys = 0)
      : items_(std::move(items)), num_group_keys_(num_group_keys) {}

  const std::vector<bpfgen::AggregateOp>& items() const { return items_; }
  uint32_t num_group_keys() const { return num_group_keys_; }

  // Adds one program's region. REQUIRES: acc.size() ==
  // items().size() (the program's num_aggregates; checked by the caller).
  // Thread-safe (the workers of a parallel scan share one).
  void Add(uint64_t rows, std::span<const bpfgen::abi::AggAccumulator> acc);
  // Grouped: adds one program's group (REQUIRES: keys.size() ==
  // num_group_keys(), acc.size() == items().size()). Thread-safe.
  void AddGroup(uint64_t null_mask, std::span<const uint64_t> keys,
                std::span<const bpfgen::abi::AggAccumulator> acc);
  // Forgets everything (the scan starts over on the iterator path).
  void Reset();

  uint64_t rows() const;
  std::vector<Partial> partials() const;
  // Grouped: every group seen, in the order first added.
  std::vector<Group> groups() const;

 private:
  void AddTo(std::span<const bpfgen::abi::AggAccumulator> acc, std::vector<Partial>* out) const;

  const std::vector<bpfgen::AggregateOp> items_;
  const uint32_t num_group_keys_;
  mutable std::mutex mu_;
  uint64_t rows_ = 0;              // guarded by mu_
  std::vector<Partial> partials_;  // guarded by mu_; empty = all zero
  std::vector<Group> groups_;      // guarded by mu_
  std::map<std::pair<uint64_t, std::vector<uint64_t>>, size_t> group_index_;  // guarded by mu_
};

}  // namespace pushdown::exec
