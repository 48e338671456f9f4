// Emits the block walker: the program entry point and the per-step function
// that walks RocksDB data-block entries (see program_abi.h for the contract).
// BPF: the entry calls bpf_loop(step); native: a plain bounded loop calls step.
// The per-entry code (key rebuild, classification, predicate, emission) is the
// same for both targets.
#pragma once

#include <functional>

#include "bpfgen/codegen/ir_builder.h"
#include "bpfgen/schema/row_layout.h"

namespace pushdown::bpfgen::codegen {

// The entry being classified, as local-memory offsets (i64 values).
struct EntryView {
  llvm::Value* key_off = nullptr;    // user key (in the scratch buffer)
  llvm::Value* key_len = nullptr;    // user key length (internal key - 8)
  llvm::Value* value_off = nullptr;  // value inside the staged block
  llvm::Value* value_len = nullptr;
  // The value passed the walker's row check (version, value_len >=
  // RowLayout::min_value_size, monotone var table) and lies inside the staged
  // block: the row's fixed part [value_off, value_off + min_value_size) is
  // in bounds, so its loads need no mask of their own (LoadLEInBoundsAt).
  bool row_checked = false;
};

// Emits, at the builder's insertion point, code that returns i1: does the
// Value entry match the device predicate. May create blocks; must leave the
// builder in a block without terminator.
using PredicateEmitter = std::function<llvm::Value*(IRBuilderPD& b, const EntryView& entry)>;

// Emits, at the builder's insertion point, the accumulator updates of one
// matching entry of a kAggregate block (program_abi.h, "Aggregation"); the
// walker has counted the row in the region's header. Returns null, or i1:
// the entry's group has no slot (the walker ends the block
// kBlockNeedsRecords). Same rules as a PredicateEmitter for blocks and the
// builder.
using AggregateEmitter = std::function<llvm::Value*(IRBuilderPD& b, const EntryView& entry)>;

// Emits the whole program into b.module(). `row` is null in raw mode (no row
// checks); otherwise Value entries are validated against it (kBlockBadRow).
// `aggregate` null: no aggregation code (kAggregate is ignored); else the
// layout's num_aggregates > 0 and kAggregate blocks are aggregated with it.
void EmitBlockFilter(IRBuilderPD& b, const RowLayout* row, const PredicateEmitter& predicate,
                     const AggregateEmitter* aggregate = nullptr);

inline constexpr char kEntryFunction[] = "pd_block_filter";

}  // namespace pushdown::bpfgen::codegen
