#include "bpfgen/codegen/block_walker.h"

#include <array>
#include <cstdio>
#include <cstdlib>

#include "bpfgen/codegen/program_abi.h"
#include "llvm/Analysis/CFG.h"

namespace pushdown::bpfgen::codegen {
namespace {

using llvm::BasicBlock;
using llvm::Value;

constexpr uint64_t kDescField_offset = 0;
constexpr uint64_t kDescField_size = 4;
constexpr uint64_t kDescField_flags = 8;
constexpr uint64_t kDescField_status = 12;
constexpr uint64_t kDescField_out_begin = 16;
constexpr uint64_t kDescField_out_end = 20;
constexpr uint64_t kDescField_entries = 24;
constexpr uint64_t kDescField_error_offset = 28;

// BPF: predicates with at most this many conditional branches and selects
// (before optimisation) and without calls are inlined into the entry loop
// (see Walker::Predicate).
constexpr size_t kMaxInlinePredicateForks = 16;
// And at most this many in the aggregate updates (on the matched path only;
// Q6's SUM(l_extendedprice * l_discount) with its overflow checks and
// COUNT(*) is 9).
constexpr size_t kMaxInlineAggregateForks = 24;

class Walker {
 public:
  Walker(IRBuilderPD& b, const RowLayout* row, const PredicateEmitter& predicate,
         const AggregateEmitter* aggregate)
      : b_(b), plan_(b.plan()), row_(row), predicate_(predicate), aggregate_(aggregate) {}

  void Emit() {
    auto* i32 = b_.getInt32Ty();
    auto* ptr = b_.getPtrTy();
    if (b_.bpf()) {
      b_.EmitLicense();
      llvm::GlobalVariable* mem = b_.MemoryGlobal();
      b_.SetMemoryBase(mem);
      inline_entries_ = PredicateIsSmall();
      main_ = b_.CreateFunction(kEntryFunction, llvm::FunctionType::get(i32, {ptr}, false), false,
                                "syscall", "p", 'i');
      EmitMain(main_->getArg(0), mem);
    } else {
      main_ = b_.CreateFunction(kEntryFunction, llvm::FunctionType::get(i32, {ptr, ptr}, false),
                                false, "", "pp", 'i');
      EmitMain(main_->getArg(0), main_->getArg(1));
    }
  }

 private:
  Value* I64(uint64_t v) { return b_.I64(v); }
  Value* Desc(Value* blk) {
    return b_.CreateAdd(I64(plan_.layout.desc_offset), b_.CreateMul(blk, I64(32)));
  }

  // One function, two nested loops: blocks, then the entries of a block. All
  // walker state lives in local memory (BPF: volatile), so the state at each
  // loop head is the same on every iteration: the BPF verifier checks each
  // loop body once (may_goto loops converge, IRBuilderPD::CanLoop) and no
  // call or return is executed per entry. Native: the loops terminate because
  // each inner iteration moves the cursor forward by >= 3 bytes (three
  // varints) toward the block's entries end, each outer one moves to the next
  // block.
  void EmitMain(Value* ctx, Value* mem) {
    auto* entry = BasicBlock::Create(b_.getContext(), "entry", main_);
    b_.EnterFunction(main_, entry);
    b_.SetMemoryBase(mem);
    EmitResetRun(ctx);

    done_ = b_.NewBlock("done");
    BasicBlock* blocks = b_.NewBlock("blocks");
    b_.CreateBr(blocks);
    b_.SetInsertPoint(blocks);
    // Out of loop budget (BPF): the current block stays kBlockNotRun and is
    // not counted in blocks_done, as when the output fills.
    b_.CanLoop(done_);
    Value* blk = b_.LoadState(kStBlock);
    BasicBlock* begin = b_.NewBlock("begin_block");
    b_.CreateCondBr(b_.CreateICmpUGE(blk, b_.LoadState(kStNumBlocks)), done_, begin);
    EmitFinishBlock(blocks);

    b_.SetInsertPoint(begin);
    EmitBeginBlock(blk);
    EmitEntryLoop();

    b_.SetInsertPoint(done_);
    EmitEndRun(ctx);
  }

  // The run's start: kStNumBlocks = min(ctx->num_blocks, max_blocks), the
  // other counters 0, and each of those blocks' descriptors kBlockNotRun with
  // empty output.
  void EmitResetRun(Value* ctx) {
    Value* n =
        b_.CreateZExt(b_.CreateAlignedLoad(b_.getInt32Ty(), ctx, llvm::Align(4)), b_.getInt64Ty());
    n = b_.CreateSelect(b_.CreateICmpUGT(n, I64(plan_.layout.max_blocks)),
                        I64(plan_.layout.max_blocks), n);
    b_.StoreState(kStNumBlocks, n);
    for (StateSlot s : {kStBlock, kStInBlock, kStOutCount, kStKeyBytes, kStEntries, kStMatched,
                        kStBlocksDone, kStBlockEntries, kStPrevKeyLen, kStFlags}) {
      b_.StoreState(s, I64(0));
    }
    b_.BoundedLoop(plan_.layout.max_blocks, [&](Value* i, BasicBlock* exit) {
      BasicBlock* body = b_.NewBlock("init");
      b_.CreateCondBr(b_.CreateICmpUGE(i, n), exit, body);
      b_.SetInsertPoint(body);
      Value* d = Desc(i);
      b_.StoreField(d, kDescField_status, I64(abi::kBlockNotRun), 4);
      b_.StoreField(d, kDescField_out_begin, I64(0), 4);
      b_.StoreField(d, kDescField_out_end, I64(0), 4);
      b_.StoreField(d, kDescField_entries, I64(0), 4);
      b_.StoreField(d, kDescField_error_offset, I64(0), 4);
    });
  }

  // finish_, the block-end path (Finish branches here): writes the current
  // block's descriptor, then stops the run (kBlockOutputFull: the block is
  // staged again) or continues with the next block at `blocks`. Status and
  // error offset arrive through phis (native) or local memory (BPF). Leaves
  // the insertion point where it was.
  void EmitFinishBlock(BasicBlock* blocks) {
    finish_ = BasicBlock::Create(b_.getContext(), "finish", main_);
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    b_.SetInsertPoint(finish_);
    // BPF: through local memory, so that the ~40 paths that end a block
    // (each failure check) reach this code in one verifier state.
    Value* status;
    Value* error;
    if (b_.bpf()) {
      status = b_.LoadState(kStFinishStatus);
      error = b_.LoadState(kStFinishError);
    } else {
      status = finish_status_ = b_.CreatePHI(b_.getInt64Ty(), 16, "status");
      error = finish_error_ = b_.CreatePHI(b_.getInt64Ty(), 16, "error_offset");
    }
    // A kAggregate block that does not end OK is taken back out.
    RestoreAggregatesIf(b_.CreateICmpNE(status, I64(abi::kBlockOk)));
    Value* cur_blk = b_.LoadState(kStBlock);
    Value* d = Desc(cur_blk);
    b_.StoreField(d, kDescField_status, status, 4);
    b_.StoreField(d, kDescField_out_end, b_.LoadState(kStOutCount), 4);
    Value* block_entries = b_.LoadState(kStBlockEntries);
    b_.StoreField(d, kDescField_entries, block_entries, 4);
    // RunContext::entries counts blocks' entries as they end (done adds a
    // block cut short by the loop budget).
    b_.StoreState(kStEntries, b_.CreateAdd(b_.LoadState(kStEntries), block_entries));
    b_.StoreField(d, kDescField_error_offset, error, 4);
    b_.StoreState(kStInBlock, I64(0));
    BasicBlock* next = b_.NewBlock("next_block");
    b_.CreateCondBr(b_.CreateICmpEQ(status, I64(abi::kBlockOutputFull)), done_, next);
    b_.SetInsertPoint(next);
    b_.StoreState(kStBlock, b_.CreateAdd(cur_blk, I64(1)));
    b_.StoreState(kStBlocksDone, b_.CreateAdd(cur_blk, I64(1)));
    b_.CreateBr(blocks);
  }

  // The entry loop of the block EmitBeginBlock began: one entry per
  // iteration (inline, or entries_per_call through pd_entry) until the cursor
  // reaches the entries' end (Finish(kBlockOk)). Leaves the builder without a
  // valid block.
  void EmitEntryLoop() {
    BasicBlock* entries = b_.NewBlock("entries");
    b_.CreateBr(entries);
    b_.SetInsertPoint(entries);
    b_.CanLoop(done_);
    Value* cur = b_.LoadState(kStCursor);
    Value* end = b_.LoadState(kStEntriesEnd);
    BasicBlock* one = b_.NewBlock("entry");
    BasicBlock* block_done = b_.NewBlock("block_done");
    b_.CreateCondBr(b_.CreateICmpUGE(cur, end), block_done, one);
    b_.SetInsertPoint(block_done);
    Finish(abi::kBlockOk, I64(0));
    b_.SetInsertPoint(one);
    if (inline_entries_) {
      EmitEntry(cur, end);
    } else {
      // r: 0 walked, 1 the block ends (status in local memory), 2 out of loop budget.
      Value* r = b_.CreateCall(EntryFunction(), {});
      BasicBlock* ended = b_.NewBlock("entry_ended");
      BasicBlock* walked = b_.NewBlock("entry_walked");
      b_.CreateCondBr(b_.CreateICmpEQ(r, I64(0)), walked, ended);
      b_.SetInsertPoint(ended);
      b_.CreateCondBr(b_.CreateICmpEQ(r, I64(1)), finish_, done_);
      b_.SetInsertPoint(walked);
    }
    b_.CreateBr(entries);
  }

  // done_: the run ends (all blocks, output full or out of loop budget):
  // the counters go to the RunContext.
  void EmitEndRun(Value* ctx) {
    // Out of loop budget inside a block: it stays kBlockNotRun, so its
    // aggregates are taken back out too (Finish cleared kStInBlock).
    RestoreAggregatesIf(b_.CreateICmpNE(b_.LoadState(kStInBlock), I64(0)));
    auto store_ctx = [&](uint64_t off, Value* v, unsigned bytes) {
      Value* p = b_.CreateConstGEP1_64(b_.getInt8Ty(), ctx, off);
      b_.CreateAlignedStore(b_.CreateTrunc(v, b_.getIntNTy(bytes * 8)), p, llvm::Align(bytes));
    };
    store_ctx(offsetof(abi::RunContext, blocks_done), b_.LoadState(kStBlocksDone), 4);
    store_ctx(offsetof(abi::RunContext, out_count), b_.LoadState(kStOutCount), 4);
    store_ctx(offsetof(abi::RunContext, key_bytes), b_.LoadState(kStKeyBytes), 4);
    Value* partial = b_.CreateSelect(b_.CreateICmpNE(b_.LoadState(kStInBlock), I64(0)),
                                     b_.LoadState(kStBlockEntries), I64(0));
    store_ctx(offsetof(abi::RunContext, entries), b_.CreateAdd(b_.LoadState(kStEntries), partial),
              8);
    store_ctx(offsetof(abi::RunContext, matched), b_.LoadState(kStMatched), 8);
    b_.CreateRet(b_.getInt32(0));
  }

  // The aggregate region (program_abi.h, "Aggregation") as u64 words: the
  // row count, then 4 per accumulator. BPF: volatile, like the walker state.
  // Grouped: only the row count (the slots have the undo area).
  uint32_t AggWords() const {
    if (aggregate_ == nullptr) return 0;
    return Grouped() ? 1 : 1 + 4 * plan_.layout.num_aggregates;
  }
  bool Grouped() const { return plan_.layout.num_group_keys > 0; }
  Value* AggLoad(uint32_t w) {
    auto* v = llvm::cast<llvm::LoadInst>(b_.LoadAt(plan_.layout.agg_offset + 8 * w, 8));
    v->setVolatile(b_.bpf());
    return v;
  }
  void AggStore(uint32_t w, Value* v) {
    auto* p = b_.AddrConst(plan_.layout.agg_offset + 8 * w);
    b_.CreateAlignedStore(v, p, llvm::Align(8))->setVolatile(b_.bpf());
  }
  Value* AggregateBlock(Value* flags) {
    return b_.CreateICmpNE(b_.CreateAnd(flags, I64(abi::kAggregate)), I64(0));
  }
  // Runs `body` when the current block is a kAggregate one and `cond` holds.
  void IfAggregateBlock(Value* flags, Value* cond, const std::function<void()>& body) {
    if (aggregate_ == nullptr) return;
    BasicBlock* then = b_.NewBlock("agg.then");
    BasicBlock* join = b_.NewBlock("agg.join");
    Value* c = AggregateBlock(flags);
    if (cond) c = b_.CreateAnd(c, cond);
    b_.CreateCondBr(c, then, join);
    b_.SetInsertPoint(then);
    body();
    b_.CreateBr(join);
    b_.SetInsertPoint(join);
  }
  void SaveAggregates(Value* flags) {
    IfAggregateBlock(flags, nullptr, [&] {
      for (uint32_t w = 0; w < AggWords(); ++w) {
        b_.StoreState(static_cast<StateSlot>(kStAggSave0 + w), AggLoad(w));
      }
      if (Grouped()) {  // a new epoch, an empty undo area (program_abi.h)
        const uint64_t g = plan_.layout.group_offset;
        b_.StoreAt(g, b_.CreateAdd(b_.LoadAt(g, 8), I64(1)), 8);
        b_.StoreAt(g + 8, I64(0), 8);
      }
    });
  }
  void RestoreAggregatesIf(Value* cond) {
    if (aggregate_ == nullptr) return;
    IfAggregateBlock(b_.LoadState(kStFlags), cond, [&] {
      for (uint32_t w = 0; w < AggWords(); ++w) {
        AggStore(w, b_.LoadState(static_cast<StateSlot>(kStAggSave0 + w)));
      }
      if (Grouped()) RestoreGroups();
    });
  }
  // Copies the undo area's slots back (program_abi.h, "Grouped
  // aggregation"). BPF: bpf_loop over the entries (the callback is verified
  // once; the count is at most group_slots); native: a bounded loop.
  void RestoreGroups() {
    const abi::ProgramLayout& l = plan_.layout;
    Value* n = b_.LoadAt(l.group_offset + 8, 8);
    n = b_.CreateSelect(b_.CreateICmpUGT(n, I64(l.group_slots)), I64(l.group_slots), n);
    if (!b_.bpf()) {
      b_.BoundedLoop(l.group_slots, [&](Value* i, BasicBlock* exit) {
        BasicBlock* body = b_.NewBlock("undo");
        b_.CreateCondBr(b_.CreateICmpUGE(i, n), exit, body);
        b_.SetInsertPoint(body);
        RestoreGroupSlot(i);
      });
      return;
    }
    if (undo_fn_ == nullptr) {
      auto* i64 = b_.getInt64Ty();
      undo_fn_ =
          b_.CreateFunction("pd_undo", llvm::FunctionType::get(i64, {i64, b_.getPtrTy()}, false),
                            true, ".text", "up", 'l');
      llvm::IRBuilderBase::InsertPointGuard guard(b_);
      b_.EnterFunction(undo_fn_, BasicBlock::Create(b_.getContext(), "entry", undo_fn_));
      RestoreGroupSlot(undo_fn_->getArg(0));
      b_.CreateRet(I64(0));
    }
    b_.CallBpfLoop(b_.CreateTrunc(n, b_.getInt32Ty()), undo_fn_);
  }
  // Undo entry i: [slot offset][the slot as it was].
  void RestoreGroupSlot(Value* i) {
    const abi::ProgramLayout& l = plan_.layout;
    Value* u =
        b_.CreateAdd(I64(l.undo_offset), b_.CreateMul(i, I64(8 + uint64_t{l.group_slot_size})));
    Value* at = b_.LoadField(u, 0, 8);
    for (uint32_t w = 0; w < l.group_slot_size / 8; ++w) {
      b_.StoreField(b_.CreateAdd(at, I64(8 * w)), 0,
                    b_.LoadField(b_.CreateAdd(u, I64(8 + 8 * w)), 0, 8), 8);
    }
  }

  // Branches to the finish block; leaves the builder without a valid block.
  void Finish(uint64_t status, Value* error_offset) { Finish(I64(status), error_offset); }
  void Finish(Value* status, Value* error_offset) {
    if (error_offset == nullptr) error_offset = EntryOffset();
    if (b_.bpf()) {
      b_.StoreState(kStFinishStatus, status);
      b_.StoreState(kStFinishError, error_offset);
    } else {
      finish_status_->addIncoming(status, b_.GetInsertBlock());
      finish_error_->addIncoming(error_offset, b_.GetInsertBlock());
    }
    b_.CreateBr(finish_);
  }

  // The offset within its block of the entry being walked: the cursor moves
  // only when an entry is done, so failure paths compute it there (an
  // error_offset of nullptr means this) instead of every entry carrying it.
  Value* EntryOffset() {
    return b_.CreateSub(b_.LoadState(kStCursor), b_.LoadState(kStBlockStart));
  }

  // if (cond) Finish(status, err); continues in the false branch.
  void FailIf(Value* cond, uint64_t status, Value* error_offset) {
    BasicBlock* bad = b_.NewBlock("bad");
    BasicBlock* ok = b_.NewBlock("ok");
    b_.CreateCondBr(cond, bad, ok);
    b_.SetInsertPoint(bad);
    Finish(status, error_offset);
    b_.SetInsertPoint(ok);
  }

  void EmitBeginBlock(Value* blk) {
    const abi::ProgramLayout& l = plan_.layout;
    Value* d = Desc(blk);
    Value* off = b_.LoadField(d, kDescField_offset, 4);
    Value* size = b_.LoadField(d, kDescField_size, 4);
    Value* flags = b_.LoadField(d, kDescField_flags, 4);
    Value* out = b_.LoadState(kStOutCount);
    b_.StoreField(d, kDescField_out_begin, out, 4);
    b_.StoreState(kStBlockEntries, I64(0));
    b_.StoreState(kStPrevKeyLen, I64(0));
    b_.StoreState(kStFlags, flags);
    SaveAggregates(flags);
    b_.StoreState(kStBlockStart, off);
    b_.StoreState(kStCursor, off);
    b_.StoreState(kStEntriesEnd, off);
    b_.StoreState(kStInBlock, I64(1));  // finish() clears it on failure
    FailIf(b_.CreateICmpUGT(size, I64(l.max_block_size)), abi::kBlockTooLarge, I64(0));
    FailIf(b_.CreateOr(b_.CreateICmpULT(off, I64(l.block_offset)),
                       b_.CreateICmpUGT(b_.CreateAdd(off, size),
                                        I64(uint64_t{l.block_offset} + l.block_capacity))),
           abi::kBlockTooLarge, I64(0));
    FailIf(b_.CreateICmpULT(size, I64(4)), abi::kBlockMalformed, I64(0));
    Value* footer = b_.LoadLE(b_.CreateAdd(off, b_.CreateSub(size, I64(4))), 4);
    Value* num_restarts = b_.CreateAnd(footer, I64(0x7fffffff));
    Value* has_hash = b_.CreateICmpNE(b_.CreateLShr(footer, I64(31)), I64(0));
    BasicBlock* hash = b_.NewBlock("hash_index");
    BasicBlock* join = b_.NewBlock("restarts");
    BasicBlock* from = b_.GetInsertBlock();
    b_.CreateCondBr(has_hash, hash, join);
    b_.SetInsertPoint(hash);
    FailIf(b_.CreateICmpULT(size, I64(6)), abi::kBlockMalformed, I64(0));
    Value* buckets = b_.LoadLE(b_.CreateAdd(off, b_.CreateSub(size, I64(6))), 2);
    Value* hash_tail = b_.CreateAdd(buckets, I64(6));
    BasicBlock* hash_end = b_.GetInsertBlock();
    b_.CreateBr(join);
    b_.SetInsertPoint(join);
    llvm::PHINode* tail = b_.CreatePHI(b_.getInt64Ty(), 2);
    tail->addIncoming(I64(4), from);
    tail->addIncoming(hash_tail, hash_end);
    Value* trailer = b_.CreateAdd(tail, b_.CreateMul(num_restarts, I64(4)));
    FailIf(b_.CreateICmpUGT(trailer, size), abi::kBlockMalformed, I64(0));
    b_.StoreState(kStEntriesEnd, b_.CreateAdd(off, b_.CreateSub(size, trailer)));
  }

  // Decodes a varint32 at p (< end). Returns {value, next}; malformed (a
  // byte at or past `end` needed, or a 5th byte with the continuation bit)
  // -> Finish. Without branches but the two checks (one verifier path): an
  // 8-byte load (masked, inside the padded local memory; bytes past the
  // varint's end are masked out of the value), the length from the
  // continuation bits. If every byte before `end` continues, the computed
  // length reaches past `end` (or the 5th byte continues): malformed, as a
  // byte-wise decoder that checks each byte against `end` reports.
  std::pair<Value*, Value*> Varint32(Value* p, Value* end, Value* err, BasicBlock* fail = nullptr) {
    // In bounds: p <= end (each decoded varint is checked to end at or
    // before end), and local memory continues 16+ bytes past the region.
    Value* w = b_.LoadLEInBounds(p, 8);
    Value* run = I64(1);  // 1 while bytes 0..k-1 all continue
    Value* len = I64(1);
    Value* v = b_.CreateAnd(w, I64(0x7f));
    for (int k = 1; k <= 5; ++k) {
      Value* cont = b_.CreateAnd(b_.CreateLShr(w, I64(8 * (k - 1) + 7)), I64(1));
      run = b_.CreateAnd(run, cont);
      if (k == 5) break;
      len = b_.CreateAdd(len, run);
      Value* bits = b_.CreateShl(b_.CreateAnd(b_.CreateLShr(w, I64(8 * k)), I64(0x7f)), I64(7 * k));
      v = b_.CreateOr(v, b_.CreateAnd(bits, b_.CreateSub(I64(0), run)));
    }
    v = b_.CreateAnd(v, I64(0xffffffff));
    Value* next = b_.CreateAdd(p, len);
    Value* bad = b_.CreateOr(b_.CreateICmpNE(run, I64(0)), b_.CreateICmpUGT(next, end));
    if (fail) {
      BasicBlock* ok = b_.NewBlock("varint.ok");
      b_.CreateCondBr(bad, fail, ok);
      b_.SetInsertPoint(ok);
    } else {
      FailIf(bad, abi::kBlockMalformed, err);
    }
    return {v, next};
  }

  // BPF: i64 pd_header(): decodes the header of the entry at the cursor into
  // the checkpoint slots 0..3 (shared, non_shared, value_len, key offset);
  // returns 0, or 1 if it is malformed.
  llvm::Function* SlowHeaderFunction() {
    if (slow_header_) return slow_header_;
    slow_header_ = b_.CreateFunction(
        "pd_header", llvm::FunctionType::get(b_.getInt64Ty(), {}, false), false, ".text", "", 'l');
    slow_header_->addFnAttr(llvm::Attribute::NoInline);
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    b_.EnterFunction(slow_header_, BasicBlock::Create(b_.getContext(), "entry", slow_header_));
    BasicBlock* fail = b_.NewBlock("malformed");
    Value* p = b_.LoadState(kStCursor);
    Value* end = b_.LoadState(kStEntriesEnd);
    for (int k = 0; k < 3; ++k) {
      auto [value, next] = Varint32(p, end, nullptr, fail);
      b_.StoreState(static_cast<StateSlot>(kStCheckpoint0 + k), value);
      p = next;
    }
    b_.StoreState(static_cast<StateSlot>(kStCheckpoint0 + 3), p);
    b_.CreateRet(I64(0));
    b_.SetInsertPoint(fail);
    b_.CreateRet(I64(1));
    return slow_header_;
  }

  // The entry header at cur (< end): {shared, non_shared, value_len, key
  // offset}, three varint32s; malformed -> Finish. Fast path, one 4-byte
  // load: shared and non_shared of one byte, value_len of one or two, and
  // the header ends at or before `end` (so every byte read for the values is
  // inside the entries). The load may read up to 3 bytes past `end`: still
  // inside local memory (masked offset, padded), and those bytes are unused.
  // Otherwise the general decoder (Varint32) for each of the three.
  std::array<Value*, 4> Header(Value* cur, Value* end, Value* err) {
    BasicBlock* fast = b_.NewBlock("hdr.fast");
    BasicBlock* slow = b_.NewBlock("hdr.slow");
    BasicBlock* join = b_.NewBlock("hdr");
    // In bounds: cur < end <= the staged-blocks region's end (EmitBeginBlock),
    // and local memory continues past it by at least 16 bytes (OutRecords,
    // then the key arena).
    Value* w = b_.LoadLEInBounds(cur, 4);
    Value* two = b_.CreateAnd(b_.CreateLShr(w, I64(23)), I64(1));  // value_len has 2 bytes
    Value* kp_fast = b_.CreateAdd(cur, b_.CreateAdd(two, I64(3)));
    Value* ok = b_.CreateAnd(
        b_.CreateAnd(b_.CreateICmpEQ(b_.CreateAnd(w, I64(0x8080)), I64(0)),
                     b_.CreateICmpNE(b_.CreateAnd(w, I64(0x80800000)), I64(0x80800000))),
        b_.CreateICmpULE(kp_fast, end));
    b_.CreateCondBr(ok, fast, slow);
    b_.SetInsertPoint(fast);
    std::array<Value*, 4> f;
    f[0] = b_.CreateAnd(w, I64(0x7f));
    f[1] = b_.CreateAnd(b_.CreateLShr(w, I64(8)), I64(0x7f));
    f[2] = b_.CreateOr(
        b_.CreateAnd(b_.CreateLShr(w, I64(16)), I64(0x7f)),
        b_.CreateSelect(b_.CreateICmpNE(two, I64(0)),
                        b_.CreateShl(b_.CreateAnd(b_.CreateLShr(w, I64(24)), I64(0x7f)), I64(7)),
                        I64(0)));
    f[3] = kp_fast;
    BasicBlock* fast_end = b_.GetInsertBlock();
    b_.CreateBr(join);
    b_.SetInsertPoint(slow);
    std::array<Value*, 4> v;
    if (b_.bpf()) {
      // A global function, verified once on its own: inline, its paths
      // would multiply the loop body's verifier states (the loop's states
      // are compared by ranges, spilled temporaries included).
      Value* r = b_.CreateCall(SlowHeaderFunction(), {});
      FailIf(b_.CreateICmpNE(r, I64(0)), abi::kBlockMalformed, err);
      for (int k = 0; k < 4; ++k) v[k] = b_.LoadState(static_cast<StateSlot>(kStCheckpoint0 + k));
    } else {
      Value* p = cur;
      for (int k = 0; k < 3; ++k) {
        auto [value, next] = Varint32(p, end, err);
        v[k] = value;
        p = next;
      }
      v[3] = p;
    }
    BasicBlock* slow_end = b_.GetInsertBlock();
    b_.CreateBr(join);
    b_.SetInsertPoint(join);
    std::array<Value*, 4> out;
    for (int k = 0; k < 4; ++k) {
      llvm::PHINode* phi = b_.CreatePHI(b_.getInt64Ty(), 2);
      phi->addIncoming(f[k], fast_end);
      phi->addIncoming(v[k], slow_end);
      out[k] = phi;
    }
    return out;
  }

  // Copies [src, src+len) to [dst, ...) in 8-byte chunks: always the first
  // two (may write up to 15 bytes past dst+len; the scratch key and the key
  // arena are padded by 16), then a loop over the rest whose position lives
  // in local memory, so that the BPF verifier checks one iteration (a loop
  // counter in a register would be unrolled up to max_key_size/8 times).
  // REQUIRES: len <= max_key_size, and either (a) [src, src + len) inside
  // the staged-blocks region and dst = scratch + s with s + len <=
  // max_key_size, or (b) src = scratch and dst + max(len, 8) <= the key
  // arena's end (the caller checked kb + klen <= key_arena_size, klen >= 8,
  // len <= klen). Native accesses are then in bounds without masks: each chunk
  // at `at` has at + 8 <= max(16, len + 7), so reads end at most 16 bytes
  // past the region (local memory continues >= 16 bytes past it: OutRecords,
  // then the key arena) or past scratch + max_key_size (the scratch key has
  // >= 16 bytes of padding), and writes end at most 16 bytes past
  // scratch + max_key_size or past the arena's end (padded by 16).
  void CopyChunks(Value* dst, Value* src, Value* len) {
    if (in_entry_fn_) {
      // In pd_entry (not a may_goto loop: the states after one would be
      // compared by ranges until it is fully explored, and a large predicate's
      // paths would multiply): a bounded loop, which the verifier unrolls;
      // the Checkpoint keeps the unrolled copies' states converging.
      len = b_.Checkpoint({len})[0];
      uint64_t chunks = (plan_.layout.max_key_size + 7) / 8;
      b_.BoundedLoop(chunks, [&](Value* i, BasicBlock* exit) {
        Value* at = b_.CreateMul(i, I64(8));
        BasicBlock* body = b_.NewBlock("copy");
        b_.CreateCondBr(b_.CreateICmpUGE(at, len), exit, body);
        b_.SetInsertPoint(body);
        b_.StoreLE(b_.CreateAdd(dst, at), b_.LoadLE(b_.CreateAdd(src, at), 8), 8);
      });
      return;
    }
    // The first two chunks through one window each (one mask per side on BPF).
    Value* src_window = b_.WindowInBounds(src);
    Value* dst_window = b_.WindowInBounds(dst);
    for (uint32_t at : {0, 8}) b_.StoreWindow(dst_window, at, b_.LoadWindow(src_window, at, 8), 8);
    BasicBlock* more = b_.NewBlock("copy.more");
    BasicBlock* loop = b_.NewBlock("copy.loop");
    BasicBlock* body = b_.NewBlock("copy.body");
    BasicBlock* out = b_.NewBlock("copy.out");
    b_.CreateCondBr(b_.CreateICmpUGT(len, I64(16)), more, out);
    b_.SetInsertPoint(more);
    b_.StoreState(kStCopyAt, I64(16));
    b_.CreateBr(loop);
    b_.SetInsertPoint(loop);
    b_.CanLoop(done_);
    Value* at = b_.LoadState(kStCopyAt);
    b_.CreateCondBr(b_.CreateICmpUGE(at, len), out, body);
    b_.SetInsertPoint(body);
    b_.StoreLEInBounds(b_.CreateAdd(dst, at), b_.LoadLEInBounds(b_.CreateAdd(src, at), 8), 8);
    b_.StoreState(kStCopyAt, b_.CreateAdd(at, I64(8)));
    b_.CreateBr(loop);
    b_.SetInsertPoint(out);
  }

  void CheckRow(Value* vp, Value* vlen, Value* err) {
    FailIf(b_.CreateICmpULT(vlen, I64(row_->min_value_size)), abi::kBlockBadRow, err);
    // In bounds from here: [vp, vp + vlen) is inside the entries (checked with
    // the header), vlen >= min_value_size, and the version byte and the var
    // table lie below min_value_size.
    FailIf(b_.CreateICmpNE(b_.LoadLEInBoundsAt(vp, 0, 1), I64(kRowFormatVersion)),
           abi::kBlockBadRow, err);
    Value* prev = I64(row_->var_data_offset);
    for (uint32_t k = 0; k < row_->num_var; ++k) {
      Value* e = b_.LoadLEInBoundsAt(vp, row_->var_table_offset + 4 * k, 4);
      FailIf(b_.CreateOr(b_.CreateICmpULT(e, prev), b_.CreateICmpUGT(e, vlen)), abi::kBlockBadRow,
             err);
      prev = e;
    }
  }

  // BPF: whether the entries are walked inline in the entry loop. The loop
  // body is verified with states compared by value ranges (imprecise scalars
  // included: may_goto loops converge that way), so each path of the
  // predicate is verified separately; that is cheap for a small predicate
  // without loops or calls. Otherwise the entries are walked by pd_entry, a
  // global function verified once on its own with the usual pruning (at the
  // cost of a call per entries_per_call entries). Decided by emitting the
  // predicate into a scratch function and counting its possible branches.
  bool PredicateIsSmall() {
    auto* i64 = b_.getInt64Ty();
    llvm::Function* fn =
        llvm::Function::Create(llvm::FunctionType::get(i64, {i64, i64, i64}, false),
                               llvm::Function::InternalLinkage, "pd_predicate_probe", b_.module());
    size_t calls = 0;
    auto count_forks = [&] {
      size_t forks = 0;
      calls = 0;
      for (const BasicBlock& bb : *fn) {
        for (const llvm::Instruction& inst : bb) {
          if (const auto* br = llvm::dyn_cast<llvm::BranchInst>(&inst)) {
            forks += br->isConditional();
          } else if (const auto* sw = llvm::dyn_cast<llvm::SwitchInst>(&inst)) {
            forks += sw->getNumCases();
          } else if (llvm::isa<llvm::SelectInst>(inst) || llvm::isa<llvm::CmpInst>(inst)) {
            ++forks;  // BPF has no conditional moves or setcc: each may become a branch
          } else if (const auto* call = llvm::dyn_cast<llvm::CallBase>(&inst)) {
            const llvm::Function* callee = call->getCalledFunction();
            calls += !(callee && callee->isIntrinsic());  // helpers: bpf_loop
          }
        }
      }
      return forks;
    };
    size_t forks = 0, aggregate_forks = 0;
    {
      llvm::IRBuilderBase::InsertPointGuard guard(b_);
      b_.SetInsertPoint(BasicBlock::Create(b_.getContext(), "entry", fn));
      b_.SetCurrentDebugLocation(llvm::DebugLoc());
      EntryView view{ScratchKey(), fn->getArg(0), fn->getArg(1), fn->getArg(2)};
      Value* m = b_.CreateZExt(predicate_(b_, view), i64);
      forks = count_forks();
      // The aggregate updates run in the same loop body, on the matched
      // path only: counted on their own (kMaxInlineAggregateForks).
      if (aggregate_) (*aggregate_)(b_, view);
      b_.CreateRet(m);
      aggregate_forks = count_forks() - forks;
    }
    llvm::SmallVector<std::pair<const BasicBlock*, const BasicBlock*>, 4> back_edges;
    llvm::FindFunctionBackedges(*fn, back_edges);
    const size_t loops = back_edges.size();
    // Callbacks the lowering created for the probe are left unused; the
    // optimiser drops them with it.
    fn->eraseFromParent();
    bool small = calls == 0 && loops == 0 && forks <= kMaxInlinePredicateForks &&
                 aggregate_forks <= kMaxInlineAggregateForks;
    if (std::getenv("PD_CODEGEN_TRACE")) {
      std::fprintf(stderr,
                   "codegen: predicate %zu forks (aggregates %zu), %zu calls, %zu loops: %s\n",
                   forks, aggregate_forks, calls, loops, small ? "inline" : "pd_entry");
    }
    return small;
  }

  // BPF: i64 pd_entry(): walks up to entries_per_call entries at the cursor.
  // Returns 0; 1 if the block ends (status and error offset in local memory,
  // see Finish); 2 if out of loop budget.
  llvm::Function* EntryFunction() {
    if (entry_fn_) return entry_fn_;
    entry_fn_ = b_.CreateFunction("pd_entry", llvm::FunctionType::get(b_.getInt64Ty(), {}, false),
                                  false, ".text", "", 'l');
    entry_fn_->addFnAttr(llvm::Attribute::NoInline);
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    BasicBlock* main_finish = finish_;
    BasicBlock* main_done = done_;
    b_.EnterFunction(entry_fn_, BasicBlock::Create(b_.getContext(), "entry", entry_fn_));
    BasicBlock* body = b_.GetInsertBlock();
    finish_ = b_.NewBlock("ended");
    done_ = b_.NewBlock("no_budget");
    b_.SetInsertPoint(finish_);
    b_.CreateRet(I64(1));
    b_.SetInsertPoint(done_);
    b_.CreateRet(I64(2));
    b_.SetInsertPoint(body);
    in_entry_fn_ = true;
    b_.BoundedLoop(plan_.entries_per_call, [&](Value*, BasicBlock* exit) {
      Value* cur = b_.LoadState(kStCursor);
      Value* end = b_.LoadState(kStEntriesEnd);
      BasicBlock* one = b_.NewBlock("entry");
      b_.CreateCondBr(b_.CreateICmpUGE(cur, end), exit, one);
      b_.SetInsertPoint(one);
      EmitEntry(cur, end);
    });
    b_.CreateRet(I64(0));
    in_entry_fn_ = false;
    finish_ = main_finish;
    done_ = main_done;
    return entry_fn_;
  }

  // The offset of the scratch key (the current entry's internal key, rebuilt).
  Value* ScratchKey() { return I64(plan_.scratch_key_offset); }

  // The values one entry's pieces pass on (EmitEntry).
  struct Entry {
    Value* err = nullptr;  // error offset for failures; nullptr: EntryOffset()
    Value* shared = nullptr;
    Value* non_shared = nullptr;
    Value* value_len = nullptr;
    Value* kp = nullptr;        // offset of the key's non-shared bytes
    Value* klen = nullptr;      // internal key length, in [8, max_key_size]
    Value* user_len = nullptr;  // klen - 8
    Value* vp = nullptr;        // offset of the value: kp + non_shared
    Value* cls = nullptr;       // EntryClass
  };

  // One entry at cur (< end): header, key rebuild, classification, then the
  // block's output (records, or aggregates); the cursor moves past it.
  void EmitEntry(Value* cur, Value* end) {
    Entry e;
    // Inline: nullptr, i.e. EntryOffset() at each failure (nothing carried per
    // entry). In pd_entry, computed once: its ~40 failure paths are each
    // verified, and the extra loads there cost more verification than they
    // save at run time.
    e.err = in_entry_fn_ ? EntryOffset() : nullptr;
    DecodeEntryHeader(cur, end, &e);
    Value* type = RebuildKey(&e);
    Classify(type, &e);
    {
      std::vector<Value*> keep = {e.cls, e.klen, e.vp, e.value_len};
      if (e.err) keep.push_back(e.err);
      auto v = b_.Checkpoint(keep);
      e.cls = v[0], e.klen = v[1], e.vp = v[2], e.value_len = v[3];
      if (e.err) e.err = v[4];
    }
    Value* flags = b_.LoadState(kStFlags);
    Value* shadows_on = b_.CreateICmpNE(b_.CreateAnd(flags, I64(abi::kEmitShadows)), I64(0));
    Value* next_cursor = b_.CreateAdd(e.vp, e.value_len);
    BasicBlock* next_bb = b_.NewBlock("next_entry");
    if (aggregate_) {
      BasicBlock* agg_bb = b_.NewBlock("aggregate");
      BasicBlock* records_bb = b_.NewBlock("records");
      b_.CreateCondBr(AggregateBlock(flags), agg_bb, records_bb);
      b_.SetInsertPoint(agg_bb);
      EmitAggregateEntry(e.cls, e.klen, e.vp, e.value_len, e.err, next_bb);
      b_.SetInsertPoint(records_bb);
    }
    Value* emit = b_.CreateOr(b_.CreateICmpNE(e.cls, I64(abi::kShadow)), shadows_on);
    BasicBlock* emit_bb = b_.NewBlock("emit");
    b_.CreateCondBr(emit, emit_bb, next_bb);
    b_.SetInsertPoint(emit_bb);
    EmitRecord(e);
    b_.CreateBr(next_bb);
    b_.SetInsertPoint(next_bb);
    b_.StoreState(kStCursor, next_cursor);
    b_.StoreState(kStBlockEntries, b_.CreateAdd(b_.LoadState(kStBlockEntries), I64(1)));
  }

  // Sets e->shared, non_shared, value_len, kp and klen from the header at
  // cur, checked: key and value inside the entries, shared <= the previous
  // key's length, 8 <= klen <= max_key_size (else Finish).
  void DecodeEntryHeader(Value* cur, Value* end, Entry* e) {
    const abi::ProgramLayout& l = plan_.layout;
    Value* err = e->err;
    auto [shared, non_shared, value_len, kp] = Header(cur, end, err);
    FailIf(b_.CreateICmpUGT(b_.CreateAdd(non_shared, value_len), b_.CreateSub(end, kp)),
           abi::kBlockMalformed, err);
    FailIf(b_.CreateICmpUGT(shared, b_.LoadState(kStPrevKeyLen)), abi::kBlockMalformed, err);
    Value* klen = b_.CreateAdd(shared, non_shared);
    FailIf(b_.CreateICmpUGT(klen, I64(l.max_key_size)), abi::kBlockKeyTooLong, err);
    FailIf(b_.CreateICmpULT(klen, I64(8)), abi::kBlockMalformed, err);
    if (in_entry_fn_) {  // inline, the two header paths cost less than the reloads
      auto v = b_.Checkpoint({err, shared, non_shared, value_len, kp, klen});
      err = v[0], shared = v[1], non_shared = v[2], value_len = v[3], kp = v[4], klen = v[5];
    }
    e->err = err, e->shared = shared, e->non_shared = non_shared, e->value_len = value_len;
    e->kp = kp, e->klen = klen;
  }

  // The entry's internal key goes to the scratch buffer (its first `shared`
  // bytes are the previous key's); sets e->vp. Returns the key's type byte.
  Value* RebuildKey(Entry* e) {
    Value* scratch = ScratchKey();
    CopyChunks(b_.CreateAdd(scratch, e->shared), e->kp, e->non_shared);
    b_.StoreState(kStPrevKeyLen, e->klen);
    e->user_len = b_.CreateSub(e->klen, I64(8));
    Value* type = b_.LoadLEInBounds(b_.CreateAdd(scratch, e->user_len), 1);  // user_len < max_key
    e->vp = b_.CreateAdd(e->kp, e->non_shared);
    return type;
  }

  // Sets e->cls: kNotValue unless the type is kTypeValue; a Value's row is
  // checked (kBlockBadRow), then kMatched or kShadow by the predicate.
  void Classify(Value* type, Entry* e) {
    Value* scratch = ScratchKey();
    BasicBlock* is_value = b_.NewBlock("value");
    BasicBlock* classified = b_.NewBlock("classified");
    BasicBlock* not_value = b_.GetInsertBlock();
    b_.CreateCondBr(b_.CreateICmpEQ(type, I64(1)), is_value, classified);
    b_.SetInsertPoint(is_value);
    if (row_) CheckRow(e->vp, e->value_len, e->err);
    EntryView view{scratch, e->user_len, e->vp, e->value_len, row_ != nullptr};
    Value* m = predicate_(b_, view);
    Value* value_class = b_.CreateSelect(m, I64(abi::kMatched), I64(abi::kShadow));
    BasicBlock* value_end = b_.GetInsertBlock();
    b_.CreateBr(classified);
    b_.SetInsertPoint(classified);
    llvm::PHINode* cls_phi = b_.CreatePHI(b_.getInt64Ty(), 2, "class");
    cls_phi->addIncoming(I64(abi::kNotValue), not_value);
    cls_phi->addIncoming(value_class, value_end);
    e->cls = cls_phi;
  }

  // An OutRecord for the entry and its key in the key arena
  // (kBlockOutputFull if either is full); the value is referenced where it
  // lies, for kMatched entries only.
  void EmitRecord(Entry e) {
    Value* scratch = ScratchKey();
    const abi::ProgramLayout& l = plan_.layout;
    Value* cls = e.cls;
    Value* klen = e.klen;
    Value* vp = e.vp;
    Value* value_len = e.value_len;
    // A (seq 0, Value) trailer is implied by kUserKeyOnly: only the user key
    // goes out (program_abi.h, "Keys").
    Value* user_key_only =
        b_.CreateICmpEQ(b_.LoadLE(b_.CreateAdd(scratch, b_.CreateSub(klen, I64(8))), 8), I64(1));
    Value* out_klen = b_.CreateSelect(user_key_only, b_.CreateSub(klen, I64(8)), klen);
    Value* oc = b_.LoadState(kStOutCount);
    Value* kb = b_.LoadState(kStKeyBytes);
    FailIf(b_.CreateOr(b_.CreateICmpUGE(oc, I64(l.out_capacity)),
                       b_.CreateICmpUGT(b_.CreateAdd(kb, klen), I64(l.key_arena_size))),
           abi::kBlockOutputFull, e.err);
    {
      auto v = b_.Checkpoint({cls, out_klen, user_key_only, vp, value_len, oc, kb});
      cls = v[0], out_klen = v[1], user_key_only = v[2], vp = v[3], value_len = v[4], oc = v[5],
      kb = v[6];
    }
    Value* key_at = b_.CreateAdd(I64(l.key_arena_offset), kb);
    CopyChunks(key_at, scratch, out_klen);
    Value* matched = b_.CreateICmpEQ(cls, I64(abi::kMatched));
    Value* rec = b_.CreateAdd(I64(l.out_offset), b_.CreateMul(oc, I64(sizeof(abi::OutRecord))));
    b_.StoreField(rec, offsetof(abi::OutRecord, key_size), out_klen, 2);
    b_.StoreField(rec, offsetof(abi::OutRecord, entry_class), cls, 1);
    b_.StoreField(rec, offsetof(abi::OutRecord, flags),
                  b_.CreateSelect(user_key_only, I64(abi::kUserKeyOnly), I64(0)), 1);
    b_.StoreField(rec, offsetof(abi::OutRecord, value_offset), b_.CreateSelect(matched, vp, I64(0)),
                  4);
    b_.StoreField(rec, offsetof(abi::OutRecord, value_size),
                  b_.CreateSelect(matched, value_len, I64(0)), 4);
    b_.StoreState(kStOutCount, b_.CreateAdd(oc, I64(1)));
    b_.StoreState(kStKeyBytes, b_.CreateAdd(kb, out_klen));
    b_.StoreState(kStMatched,
                  b_.CreateAdd(b_.LoadState(kStMatched), b_.CreateZExt(matched, b_.getInt64Ty())));
  }

  // An entry of a kAggregate block: its trailer must be (sequence 0,
  // kTypeValue) (else the block ends kBlockNeedsRecords and is taken back
  // out at Finish); a matching one is counted and aggregated, nothing is
  // emitted. Branches to `next`.
  void EmitAggregateEntry(Value* cls, Value* klen, Value* vp, Value* value_len, Value* err,
                          BasicBlock* next) {
    Value* scratch = ScratchKey();
    Value* user_len = b_.CreateSub(klen, I64(8));
    Value* trailer = b_.LoadLE(b_.CreateAdd(scratch, user_len), 8);
    FailIf(b_.CreateICmpNE(trailer, I64(1)), abi::kBlockNeedsRecords, err);
    BasicBlock* add = b_.NewBlock("agg.add");
    b_.CreateCondBr(b_.CreateICmpEQ(cls, I64(abi::kMatched)), add, next);
    b_.SetInsertPoint(add);
    AggStore(0, b_.CreateAdd(AggLoad(0), I64(1)));
    // Matched entries passed CheckRow (Classify).
    EntryView view{scratch, user_len, vp, value_len, row_ != nullptr};
    if (Value* no_slot = (*aggregate_)(b_, view)) {
      FailIf(no_slot, abi::kBlockNeedsRecords, err);
    }
    b_.CreateBr(next);
  }

  IRBuilderPD& b_;
  const MemoryPlan& plan_;
  const RowLayout* row_;
  const PredicateEmitter& predicate_;
  const AggregateEmitter* aggregate_;
  llvm::Function* main_ = nullptr;
  llvm::Function* slow_header_ = nullptr;
  llvm::Function* entry_fn_ = nullptr;  // BPF, large predicates: see PredicateIsSmall
  llvm::Function* undo_fn_ = nullptr;   // BPF, grouped: the bpf_loop callback of RestoreGroups
  bool inline_entries_ = true;
  bool in_entry_fn_ = false;    // emitting pd_entry
  BasicBlock* done_ = nullptr;  // out of loop budget or output: store the RunContext
  BasicBlock* finish_ = nullptr;
  llvm::PHINode* finish_status_ = nullptr;
  llvm::PHINode* finish_error_ = nullptr;
};

}  // namespace

void EmitBlockFilter(IRBuilderPD& b, const RowLayout* row, const PredicateEmitter& predicate,
                     const AggregateEmitter* aggregate) {
  Walker(b, row, predicate, aggregate).Emit();
}

}  // namespace pushdown::bpfgen::codegen
