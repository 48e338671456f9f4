#include "bpfgen/codegen/layout.h"

#include <string>

namespace pushdown::bpfgen::codegen {
namespace {

uint64_t RoundUp(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

}  // namespace

Result<MemoryPlan> PlanMemory(const CompileOptions& o, uint32_t num_aggregates,
                              uint32_t num_group_keys) {
  if (num_aggregates > abi::kMaxAggregates) {
    return Status::InvalidArgument("at most " + std::to_string(abi::kMaxAggregates) +
                                   " aggregates per program");
  }
  if (num_group_keys > abi::kMaxGroupKeys) {
    return Status::InvalidArgument("at most " + std::to_string(abi::kMaxGroupKeys) +
                                   " group keys per program");
  }
  if (num_group_keys > 0 && num_aggregates == 0) {
    return Status::InvalidArgument("group keys without an aggregate");
  }
  if (o.max_blocks == 0 || o.max_blocks > 4096) {
    return Status::InvalidArgument("max_blocks must be in [1, 4096]");
  }
  if (o.block_capacity < 4096 || o.block_capacity > (256u << 20)) {
    return Status::InvalidArgument("block_capacity must be in [4 KiB, 256 MiB]");
  }
  // <= 8 MiB: a bpf_loop over the bytes of one value stays within its 2^23 iterations.
  if (o.max_block_size < 16 || o.max_block_size > o.block_capacity ||
      o.max_block_size > (8u << 20)) {
    return Status::InvalidArgument("max_block_size must be in [16, min(block_capacity, 8 MiB)]");
  }
  if (o.out_capacity == 0 || o.out_capacity > (16u << 20)) {
    return Status::InvalidArgument("out_capacity must be in [1, 16M]");
  }
  if (o.max_key_size < 16 || o.max_key_size > 4096) {
    return Status::InvalidArgument("max_key_size must be in [16, 4096]");
  }
  if (o.key_arena_size < o.max_key_size || o.key_arena_size > (256u << 20)) {
    return Status::InvalidArgument("key_arena_size must be in [max_key_size, 256 MiB]");
  }
  MemoryPlan p;
  abi::ProgramLayout& l = p.layout;
  // Private state first: its constant offsets then fit a BPF load/store's
  // 16-bit offset field, so each state access is one instruction after the
  // (shared) base address instead of an address add per access.
  uint64_t at = 0;
  l.private_offset = 0;
  p.state_offset = 0;
  at += 8 * kNumStateSlots;
  at = RoundUp(at, 64);
  p.scratch_key_offset = static_cast<uint32_t>(at);
  l.max_key_size = o.max_key_size;
  at += RoundUp(o.max_key_size + 16, 64);
  l.private_size = static_cast<uint32_t>(at);
  // The aggregate region, also within BPF's 16-bit constant offsets.
  l.agg_offset = static_cast<uint32_t>(at);
  l.num_aggregates = num_aggregates;
  at += RoundUp(abi::kAggHeaderBytes + uint64_t{abi::kMaxAggregates} * sizeof(abi::AggAccumulator),
                64);
  at = RoundUp(at, 4096);
  l.desc_offset = static_cast<uint32_t>(at);
  l.max_blocks = o.max_blocks;
  at = RoundUp(at + uint64_t{o.max_blocks} * sizeof(abi::BlockDesc), 4096);
  l.block_offset = static_cast<uint32_t>(at);
  l.block_capacity = static_cast<uint32_t>(RoundUp(o.block_capacity, 4096));
  l.max_block_size = o.max_block_size;
  at += l.block_capacity;
  l.out_offset = static_cast<uint32_t>(at);
  l.out_capacity = o.out_capacity;
  at = RoundUp(at + uint64_t{o.out_capacity} * sizeof(abi::OutRecord), 64);
  l.key_arena_offset = static_cast<uint32_t>(at);
  l.key_arena_size = o.key_arena_size;
  at = RoundUp(at + o.key_arena_size + 16, 64);  // +16: chunked copies may overrun by 7
  if (num_group_keys > 0) {
    l.num_group_keys = num_group_keys;
    l.group_slots = abi::kGroupSlots;
    l.group_slot_size = 8 * abi::GroupSlotWords(num_group_keys, num_aggregates);
    l.group_offset = static_cast<uint32_t>(at);
    at = RoundUp(at + abi::kGroupHeaderBytes + uint64_t{l.group_slots} * l.group_slot_size, 64);
    l.undo_offset = static_cast<uint32_t>(at);
    at = RoundUp(at + uint64_t{l.group_slots} * (8 + l.group_slot_size), 64);
  }
  uint64_t pow2 = 4096;
  while (pow2 < at) pow2 <<= 1;
  if (pow2 > (1ull << 30)) return Status::InvalidArgument("local memory larger than 1 GiB");
  p.mask = pow2 - 1;
  l.mem_size = static_cast<uint32_t>(pow2 + kMemoryPad);
  if (o.entries_per_call == 0 || o.entries_per_call > 16) {
    return Status::InvalidArgument("entries_per_call must be in [1, 16]");
  }
  p.entries_per_call = o.entries_per_call;
  return p;
}

}  // namespace pushdown::bpfgen::codegen

namespace pushdown::bpfgen {
Result<abi::ProgramLayout> ComputeProgramLayout(const Schema& /*schema*/,
                                                const CompileOptions& options,
                                                uint32_t num_aggregates, uint32_t num_group_keys) {
  PD_ASSIGN_OR_RETURN(codegen::MemoryPlan plan,
                      codegen::PlanMemory(options, num_aggregates, num_group_keys));
  return plan.layout;
}
}  // namespace pushdown::bpfgen
