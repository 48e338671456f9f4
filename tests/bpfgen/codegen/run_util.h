// Runs a program over many blocks in batches and returns per-block results.
#pragma once

#include <functional>

#include "tests/bpfgen/codegen/differential.h"

namespace pushdown::bpfgen::testing {

// run(ctx, mem) executes the program once on staged memory.
using RunFn = std::function<void(abi::RunContext* ctx, uint8_t* mem)>;

inline std::vector<BlockResult> RunBatches(const abi::ProgramLayout& l, uint8_t* mem,
                                           const std::vector<std::string>& blocks,
                                           const std::function<uint32_t(size_t)>& flags,
                                           const RunFn& run, uint64_t* matched_total) {
  std::vector<BlockResult> out;
  size_t i = 0;
  while (i < blocks.size()) {
    std::vector<StagedBlock> batch;
    size_t bytes = 0;
    for (size_t k = i; k < blocks.size() && batch.size() < l.max_blocks; ++k) {
      if (bytes + blocks[k].size() + 8 > l.block_capacity) break;
      batch.push_back({blocks[k], flags(k)});
      bytes += (blocks[k].size() + 7) / 8 * 8;
    }
    abi::RunContext ctx = Stage(l, mem, batch);
    run(&ctx, mem);
    RunResult r = Collect(l, mem, ctx, batch.size());
    if (ctx.blocks_done == 0) return out;  // no progress: report what we have
    for (size_t k = 0; k < ctx.blocks_done; ++k) out.push_back(r.blocks[k]);
    *matched_total += ctx.matched;
    i += ctx.blocks_done;
  }
  return out;
}

}  // namespace pushdown::bpfgen::testing
