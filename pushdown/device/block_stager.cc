#include "pushdown/device/block_stager.h"

#include <string>

namespace pushdown::exec {

namespace abi = bpfgen::abi;

Status BlockStager::Run(std::span<const BlockInput> blocks, const BlockSink& sink) {
  const abi::ProgramLayout& layout = program_->layout();
  size_t next = 0;
  bool restaging = false;
  while (next < blocks.size()) {
    if (blocks[next].contents.size() > layout.max_block_size) {
      BlockResult too_large;
      too_large.status = abi::kBlockTooLarge;
      PD_RETURN_IF_ERROR(sink(next, too_large, BatchResult()));
      ++stats_.blocks;
      ++next;
      restaging = false;
      continue;
    }
    // The largest prefix of blocks[next..] that fits one run.
    size_t end = next;
    uint64_t bytes = 0;
    while (end < blocks.size() && end - next < layout.max_blocks) {
      size_t size = blocks[end].contents.size();
      if (size > layout.max_block_size || bytes + StagedSize(size) > layout.block_capacity) break;
      bytes += StagedSize(size);
      ++end;
    }
    PD_ASSIGN_OR_RETURN(BatchResult batch,
                        device_->Execute(*program_, blocks.subspan(next, end - next)));
    ++stats_.runs;
    if (restaging) ++stats_.reruns;
    stats_.bytes += bytes;
    size_t done = 0;
    for (const BlockResult& result : batch.blocks()) {
      if (result.status == abi::kBlockNotRun || result.status == abi::kBlockOutputFull) break;
      PD_RETURN_IF_ERROR(sink(next + done, result, batch));
      ++stats_.blocks;
      stats_.entries += result.entries;
      ++done;
    }
    if (done == 0) {
      return Status::ResourceExhausted(
          "block " + std::to_string(next) + " (" + std::to_string(blocks[next].contents.size()) +
          " bytes) produces more output than the program's out_capacity " +
          std::to_string(layout.out_capacity) + " / key_arena_size " +
          std::to_string(layout.key_arena_size));
    }
    restaging = next + done < end;
    next += done;
  }
  return Status::OK();
}

}  // namespace pushdown::exec
