// The contract between a generated block-filter program (BPF or native) and the
// device that runs it (pushdown/device). Both targets use the same layout.
//
// A program owns one "local memory" region (BPF: the .bss global, mmapped by
// the host; native: a host buffer passed as the second argument). The host
// stages a batch of uncompressed RocksDB data blocks into it, fills the block
// descriptors, runs the program once, and reads back per-block results and the
// output records. The program only reads the staged blocks; the host does not
// rely on that (blocks to run again are read again from their file). Sizes
// and offsets are chosen by the code generator and published in
// ProgramLayout; the device reads them from there, never assumes.
//
//   [desc_offset, +max_blocks*sizeof(BlockDesc))       BlockDesc[max_blocks]
//   [block_offset, +block_capacity)                     staged block contents
//   [out_offset, +out_capacity*sizeof(OutRecord))       OutRecord[out_capacity]
//   [key_arena_offset, +key_arena_size)                 keys of emitted entries, back to back
//   [private_offset, +private_size)                     program state/scratch (host: don't touch)
//   [agg_offset, +8 + num_aggregates*32)                aggregates (see "Aggregation")
// The regions are disjoint and inside [0, mem_size), in no promised order (the
// private region comes first: BPF reaches it with 16-bit constant offsets).
//
// Every entry the program walks is classified. For each block it emits, in
// entry order, one OutRecord per entry the host must see:
//   - kMatched: a Value entry whose value satisfies the device predicate
//     (value_offset/value_size point at the value inside the staged block);
//   - kNotValue: any non-Value entry (Deletion, SingleDeletion, Merge,
//     BlobIndex, ...): key only. Always emitted: the host decides what it means;
//   - kShadow: a Value entry that did not match; key only. Emitted only when
//     the block's flags include kEmitShadows (files not in the bottommost level,
//     so a newer failing version still hides an older passing one).
// Keys: a record's key is the full internal key (user key + 8-byte trailer),
// except that an entry whose trailer is (sequence 0, kTypeValue) -- every
// Value entry of a fully compacted bottommost file -- is emitted with its user
// key only and kUserKeyOnly set: the host knows the trailer, so it does not
// cross to the host. The keys of one run lie back to back in the key arena in
// record order: record r's key starts at key_arena_offset + the sum of the
// key_size of records 0..r-1, and RunContext::key_bytes is the sum over all
// records. Records carry no key offset; the host derives it (and checks it).
//
// A malformed block (bad varint, entry past the restart array, key longer than
// max_key_size, a row value shorter than the row format requires, ...) stops
// that block with a status; the host turns it into Corruption naming the file
// and block offset. Nothing is ever read outside local memory.
#pragma once

#include <cstdint>

namespace pushdown::bpfgen::abi {

// 3: aggregation on the device (kAggregate, kBlockNeedsRecords, the
// aggregate region in ProgramLayout).
// 4: grouped aggregation (the group table in ProgramLayout, "Grouped
// aggregation").
inline constexpr uint32_t kAbiVersion = 4;

enum EntryClass : uint8_t {
  kMatched = 1,
  kShadow = 2,
  kNotValue = 3,
};

enum BlockFlags : uint32_t {
  kEmitShadows = 1u << 0,
  // Aggregate the block on the device ("Aggregation" below). Set only when
  // ProgramLayout::num_aggregates > 0; a program without aggregates ignores it.
  kAggregate = 1u << 1,
};

enum BlockStatus : uint32_t {
  kBlockOk = 0,
  kBlockNotRun = 1,      // not reached (an earlier block filled the output)
  kBlockMalformed = 2,   // bad entry encoding or restart array
  kBlockKeyTooLong = 3,  // a key longer than max_key_size
  kBlockBadRow = 4,      // a Value entry whose value is not a valid row
  kBlockOutputFull = 5,  // ran out of OutRecords or key arena: re-run from this block
  kBlockTooLarge = 6,    // size exceeds what the program can address
  // A kAggregate block held an entry whose trailer is not (sequence 0,
  // kTypeValue): its contribution was taken back out of the accumulators and
  // nothing was emitted; the host runs it again without kAggregate.
  kBlockNeedsRecords = 7,
};

// Passed by value as the context (BPF: ctx_in/ctx_out of BPF_PROG_TEST_RUN on a
// `syscall` program; native: a pointer). Fixed offsets only.
struct RunContext {
  uint32_t num_blocks;   // in: descriptors filled, <= max_blocks
  uint32_t blocks_done;  // out: blocks fully processed (the rest: kBlockNotRun/OutputFull)
  uint32_t out_count;    // out: OutRecords written
  uint32_t key_bytes;    // out: key arena bytes used
  uint64_t entries;      // out: entries walked in this run
  uint64_t matched;      // out: kMatched records written
};
static_assert(sizeof(RunContext) == 32);

struct BlockDesc {
  uint32_t offset;        // in: block contents start, relative to local memory
  uint32_t size;          // in: block contents size (without the 5-byte trailer)
  uint32_t flags;         // in: BlockFlags
  uint32_t status;        // out: BlockStatus
  uint32_t out_begin;     // out: first OutRecord index of this block
  uint32_t out_end;       // out: one past its last OutRecord
  uint32_t entries;       // out: entries walked
  uint32_t error_offset;  // out: for a non-OK status, offset within the block of the bad entry
};
static_assert(sizeof(BlockDesc) == 32);

enum RecordFlags : uint8_t {
  kUserKeyOnly = 1u << 0,  // the key is the user key; its trailer is (seq 0, kTypeValue)
};

// 12 bytes per emitted entry: what crosses to the host besides keys and values.
struct OutRecord {
  uint16_t key_size;      // bytes of this record's key in the key arena (see "Keys")
  uint8_t entry_class;    // EntryClass
  uint8_t flags;          // RecordFlags
  uint32_t value_offset;  // kMatched: the value, relative to local memory; else 0
  uint32_t value_size;    // kMatched: its size; else 0
};
static_assert(sizeof(OutRecord) == 12);

// Aggregation. A program compiled with an aggregate list (bpfgen::
// AggregateItem, compiler.h) keeps one AggAccumulator per item, in list order,
// after a u64 row count, at ProgramLayout::agg_offset:
//   [agg_offset, +8)                                   rows: entries aggregated
//   [agg_offset + 8, +num_aggregates*32)               AggAccumulator[num_aggregates]
// The program never zeroes the region: it accumulates over runs until the
// host, which owns it, zeroes it (before the first run of a scan) and reads
// it (once, when the scan's blocks are done), so that a scan's aggregates
// cross to the host once, not once per run. In a block flagged
// kAggregate, every entry must be a Value with trailer (sequence 0,
// kTypeValue), else the block ends kBlockNeedsRecords; each entry that passes
// the device predicate updates the accumulators instead of being emitted, and
// nothing is emitted for the block (no shadows either). Each run adds exactly
// its kAggregate blocks that ended kBlockOk: one ending with any other status
// (or cut short by the loop budget) is taken back out.
// Per item, for the entries aggregated (NULL semantics of the reference
// evaluator; an argument whose arithmetic overflows is NULL):
//   COUNT(*):  count = entries
//   COUNT(e):  count = entries where e is not NULL
//   SUM(e):    count = non-NULL inputs; (sum_hi:sum_lo) = their exact sum,
//              128-bit two's complement (no overflow: |sum| < 2^63 * 2^64)
//   MIN/MAX(e): count = non-NULL inputs; value = the least / greatest (signed
//              i64 order: integers, DECIMAL's scaled integer, DATE's days),
//              meaningful when count > 0
inline constexpr uint32_t kMaxAggregates = 16;
struct AggAccumulator {
  uint64_t count;
  uint64_t sum_lo;
  int64_t sum_hi;
  int64_t value;
};
static_assert(sizeof(AggAccumulator) == 32);
inline constexpr uint32_t kAggHeaderBytes = 8;

// Grouped aggregation (GROUP BY on the device). A program compiled with
// group keys (AggregateOp::kGroupKey items, compiler.h) keeps, besides the
// row count at agg_offset (its accumulators are unused), a table of
// group_slots slots of group_slot_size bytes at group_offset:
//   [group_offset, +kGroupHeaderBytes)                 u64 epoch, u64 undo count (program's)
//   [group_offset + kGroupHeaderBytes, +slots*size)    GroupSlot[group_slots]
// A slot is u64 words: [0] epoch (program's), [1] tag: 0 = empty, else
// 1 | null_mask << 1 (bit i: key i is NULL), [2, 2+K) the key words,
// [2+K] rows: the group's entries aggregated, then AggAccumulator[
// num_aggregates] (as above, per group). Key words: an integer, DECIMAL's
// scaled integer, DATE's days, BOOL 0/1 as the i64; a CHAR/VARCHAR/BYTES
// value (declared length <= kMaxGroupStringBytes; CHAR without trailing
// spaces) as its bytes in the low bytes and its length in the top byte; a
// NULL key as 0 with its tag bit set. The host zeroes header and slots with
// the aggregate region and reads the non-empty slots at the end; a group's
// slot is the first empty or equal one of kGroupProbes from the key hash,
// and an entry that finds none ends its block kBlockNeedsRecords (the host
// aggregates that block's rows itself: exact with any number of groups).
// Taking a block back out: when a kAggregate block begins, epoch += 1 and
// the undo count is 0; the first time the block touches a slot, the slot is
// copied to the undo area at undo_offset (entries of the slot's u64 offset + the
// slot), and a block that does not end kBlockOk has them copied back.
inline constexpr uint32_t kMaxGroupKeys = 8;
inline constexpr uint32_t kGroupSlots = 256;
inline constexpr uint32_t kGroupProbes = 8;
inline constexpr uint32_t kMaxGroupStringBytes = 7;
inline constexpr uint32_t kGroupHeaderBytes = 16;
inline constexpr uint32_t GroupSlotWords(uint32_t num_group_keys, uint32_t num_aggregates) {
  return 3 + num_group_keys + 4 * num_aggregates;
}

struct ProgramLayout {
  uint32_t mem_size = 0;  // total local memory (BPF: .bss size)
  uint32_t desc_offset = 0;
  uint32_t max_blocks = 0;
  uint32_t block_offset = 0;
  uint32_t block_capacity = 0;  // bytes for staged blocks in one run
  uint32_t max_block_size = 0;  // largest single block the program accepts
  uint32_t out_offset = 0;
  uint32_t out_capacity = 0;  // OutRecords
  uint32_t key_arena_offset = 0;
  uint32_t key_arena_size = 0;
  uint32_t max_key_size = 0;  // longest internal key the scratch buffer holds
  uint32_t private_offset = 0;
  uint32_t private_size = 0;    // bytes from private_offset
  uint32_t agg_offset = 0;      // the aggregate region ("Aggregation")
  uint32_t num_aggregates = 0;  // AggAccumulators in it; 0 = no aggregation
  // Grouped aggregation ("Grouped aggregation"); num_group_keys 0 = none.
  uint32_t num_group_keys = 0;
  uint32_t group_offset = 0;
  uint32_t group_slots = 0;
  uint32_t group_slot_size = 0;  // bytes: 8 * GroupSlotWords
  uint32_t undo_offset = 0;      // group_slots * (8 + group_slot_size) bytes
};

// Native entry point: same semantics as the BPF program.
//   int pd_block_filter(RunContext* ctx, uint8_t* local_memory) -> 0
using NativeFilterFn = int (*)(RunContext* ctx, uint8_t* local_memory);

}  // namespace pushdown::bpfgen::abi
