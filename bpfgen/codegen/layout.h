// Local-memory layout of a generated program (see program_abi.h) and the
// offsets of the program's private state inside it.
#pragma once

#include <cstdint>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/codegen/program_abi.h"

namespace pushdown::bpfgen::codegen {

// Private state: u64 slots at constant offsets from ProgramLayout::private_offset.
enum StateSlot : uint32_t {
  kStNumBlocks = 0,
  kStBlock,       // index of the current block
  kStInBlock,     // 1 while a block is being walked
  kStCursor,      // offset (in local memory) of the next entry
  kStEntriesEnd,  // offset one past the last entry of the current block
  kStBlockStart,  // offset of the current block
  kStPrevKeyLen,  // length of the key in the scratch buffer
  kStFlags,       // BlockFlags of the current block
  kStOutCount,
  kStKeyBytes,
  kStEntries,  // entries walked in this run
  kStMatched,
  kStBlockEntries,  // entries walked in the current block
  kStBlocksDone,
  kStLoop0,  // kStLoop0..4: arguments/results of bpf_loop callbacks in lowering
  kStLoop1,
  kStLoop2,
  kStLoop3,
  kStLoop4,
  kStCopyAt,                       // offset reached by the walker's chunked copy loop
  kStFinishStatus,                 // BPF: BlockStatus of the block being finished
  kStFinishError,                  // BPF: its error offset
  kStCheckpoint0,                  // kNumCheckpointSlots slots for IRBuilderPD::Checkpoint
  kStSpill0 = kStCheckpoint0 + 8,  // kNumSpillSlots slots for Lowering's spills
  // The aggregate region as it was when the current kAggregate block began
  // (1 + 4 * kMaxAggregates words), restored if the block does not end OK.
  kStAggSave0 = kStSpill0 + 192,
  kNumStateSlots = kStAggSave0 + 1 + 4 * abi::kMaxAggregates,
};
inline constexpr uint32_t kNumSpillSlots = kStAggSave0 - kStSpill0;
inline constexpr uint32_t kNumCheckpointSlots = kStSpill0 - kStCheckpoint0;

struct MemoryPlan {
  abi::ProgramLayout layout;
  uint64_t mask = 0;                // every variable offset is masked with this (2^k - 1)
  uint32_t state_offset = 0;        // u64 slots (StateSlot)
  uint32_t scratch_key_offset = 0;  // max_key_size bytes (+ padding) of the current key
  uint32_t entries_per_call = 1;    // entries walked per call of the entry function
  uint32_t StateAt(StateSlot s) const { return state_offset + 8 * static_cast<uint32_t>(s); }
};

// Widest access past a masked offset; the memory is padded by at least this.
inline constexpr uint32_t kMemoryPad = 64;

// `num_aggregates` (<= abi::kMaxAggregates) sizes the aggregate region;
// `num_group_keys` > 0 (<= abi::kMaxGroupKeys, with num_aggregates > 0)
// adds the group table and its undo area (program_abi.h).
Result<MemoryPlan> PlanMemory(const CompileOptions& options, uint32_t num_aggregates = 0,
                              uint32_t num_group_keys = 0);

}  // namespace pushdown::bpfgen::codegen
