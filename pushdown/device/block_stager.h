// Runs any number of blocks through a loaded program, batching as many as fit
// in its local memory per run, and re-running from the first unfinished block
// when a run stops with kBlockOutputFull (the ABI's contract).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "pushdown/device/device.h"
#include "util/status.h"

namespace pushdown::exec {

struct StagerStats {
  uint64_t runs = 0;     // program runs (batches)
  uint64_t reruns = 0;   // runs that restaged blocks after kBlockOutputFull
  uint64_t blocks = 0;   // blocks delivered to the sink
  uint64_t entries = 0;  // entries walked in delivered blocks
  uint64_t bytes = 0;    // block bytes staged (restaged bytes counted again)
};

// Called once per block, in input order, with the block's final result:
// status is never kBlockNotRun or kBlockOutputFull. A block larger than the
// program's max_block_size is not run and reports kBlockTooLarge. Views in
// `result`/`batch` are valid only during the call. A non-OK return stops Run.
using BlockSink =
    std::function<Status(size_t block_index, const BlockResult& result, const BatchResult& batch)>;

class BlockStager {
 public:
  // REQUIRES: device and program outlive the stager.
  BlockStager(Device* device, LoadedProgram* program) : device_(device), program_(program) {}

  // Returns ResourceExhausted if one block alone produces more output than the
  // program's out_capacity / key_arena_size (it can never finish).
  Status Run(std::span<const BlockInput> blocks, const BlockSink& sink);

  const StagerStats& stats() const { return stats_; }

 private:
  Device* device_;
  LoadedProgram* program_;
  StagerStats stats_;
};

}  // namespace pushdown::exec
