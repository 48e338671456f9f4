#include "bpfgen/codegen/block_walker.h"

#include "bpfgen/codegen/program_abi.h"

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

class Walker {
 public:
  Walker(IRBuilderPD& b, const RowLayout* row, const PredicateEmitter& predicate)
      : b_(b), plan_(b.plan()), row_(row), predicate_(predicate) {}

  void Emit() {
    llvm::LLVMContext& c = b_.getContext();
    auto* i64 = b_.getInt64Ty();
    auto* i32 = b_.getInt32Ty();
    auto* ptr = b_.getPtrTy();
    if (b_.bpf()) {
      b_.EmitLicense();
      llvm::GlobalVariable* mem = b_.MemoryGlobal();
      step_ = b_.CreateFunction("pd_step", llvm::FunctionType::get(i64, {i64, ptr}, false), true,
                                ".text", "up", 'l');
      main_ = b_.CreateFunction(kEntryFunction, llvm::FunctionType::get(i32, {ptr}, false), false,
                                "syscall", "p", 'i');
      // A global function: the verifier checks it once, on its own, instead
      // of once per entry of the step loop.
      entry_ = b_.CreateFunction("pd_entry", llvm::FunctionType::get(i64, {}, false), false,
                                 ".text", "", 'l');
      entry_->addFnAttr(llvm::Attribute::NoInline);
      EmitEntryFunction(mem);
      EmitStep(mem);
      EmitMain(main_->getArg(0), mem);
    } else {
      step_ = b_.CreateFunction("pd_step", llvm::FunctionType::get(i64, {i64, ptr}, false), true,
                                "", "up", 'l');
      main_ = b_.CreateFunction(kEntryFunction, llvm::FunctionType::get(i32, {ptr, ptr}, false),
                                false, "", "pp", 'i');
      step_->addFnAttr(llvm::Attribute::AlwaysInline);
      entry_ = b_.CreateFunction("pd_entry", llvm::FunctionType::get(i64, {ptr}, false), true, "",
                                 "p", 'l');
      entry_->addFnAttr(llvm::Attribute::AlwaysInline);
      EmitEntryFunction(entry_->getArg(0));
      EmitStep(step_->getArg(1));
      EmitMain(main_->getArg(0), main_->getArg(1));
    }
    (void)c;
  }

 private:
  Value* I64(uint64_t v) { return b_.I64(v); }
  Value* Desc(Value* blk) {
    return b_.CreateAdd(I64(plan_.layout.desc_offset), b_.CreateMul(blk, I64(32)));
  }

  void EmitMain(Value* ctx, Value* mem) {
    auto* entry = BasicBlock::Create(b_.getContext(), "entry", main_);
    b_.EnterFunction(main_, entry);
    b_.SetMemoryBase(mem);
    Value* n =
        b_.CreateZExt(b_.CreateAlignedLoad(b_.getInt32Ty(), ctx, llvm::Align(4)), b_.getInt64Ty());
    n = b_.CreateSelect(b_.CreateICmpUGT(n, I64(plan_.layout.max_blocks)),
                        I64(plan_.layout.max_blocks), n);
    b_.StoreState(kStNumBlocks, n);
    for (StateSlot s : {kStBlock, kStInBlock, kStOutCount, kStKeyBytes, kStEntries, kStMatched,
                        kStBlocksDone, kStBlockEntries, kStPrevKeyLen}) {
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
    if (b_.bpf()) {
      b_.CallBpfLoop(b_.getInt32(plan_.step_loops), step_);
    } else {
      b_.BoundedLoop(plan_.step_loops, [&](Value* i, BasicBlock* exit) {
        Value* r = b_.CreateCall(step_, {i, mem});
        BasicBlock* more = b_.NewBlock("more");
        b_.CreateCondBr(b_.CreateICmpNE(r, I64(0)), exit, more);
        b_.SetInsertPoint(more);
      });
    }
    auto store_ctx = [&](uint64_t off, Value* v, unsigned bytes) {
      Value* p = b_.CreateConstGEP1_64(b_.getInt8Ty(), ctx, off);
      b_.CreateAlignedStore(b_.CreateTrunc(v, b_.getIntNTy(bytes * 8)), p, llvm::Align(bytes));
    };
    store_ctx(offsetof(abi::RunContext, blocks_done), b_.LoadState(kStBlocksDone), 4);
    store_ctx(offsetof(abi::RunContext, out_count), b_.LoadState(kStOutCount), 4);
    store_ctx(offsetof(abi::RunContext, key_bytes), b_.LoadState(kStKeyBytes), 4);
    store_ctx(offsetof(abi::RunContext, entries), b_.LoadState(kStEntries), 8);
    store_ctx(offsetof(abi::RunContext, matched), b_.LoadState(kStMatched), 8);
    b_.CreateRet(b_.getInt32(0));
  }

  void EmitStep(Value* mem) {
    auto* entry = BasicBlock::Create(b_.getContext(), "entry", step_);
    b_.EnterFunction(step_, entry);
    b_.SetMemoryBase(mem);
    Value* blk = b_.LoadState(kStBlock);
    Value* n = b_.LoadState(kStNumBlocks);
    BasicBlock* stop = b_.NewBlock("stop");
    BasicBlock* go = b_.NewBlock("go");
    b_.CreateCondBr(b_.CreateICmpUGE(blk, n), stop, go);
    b_.SetInsertPoint(stop);
    b_.CreateRet(I64(1));

    b_.SetInsertPoint(go);
    BasicBlock* begin = b_.NewBlock("begin_block");
    BasicBlock* walk = b_.NewBlock("walk");
    b_.CreateCondBr(b_.CreateICmpEQ(b_.LoadState(kStInBlock), I64(0)), begin, walk);

    // The block-end path: status and error offset arrive through phis.
    finish_ = BasicBlock::Create(b_.getContext(), "finish", step_);
    {
      llvm::IRBuilderBase::InsertPointGuard guard(b_);
      b_.SetInsertPoint(finish_);
      finish_status_ = b_.CreatePHI(b_.getInt64Ty(), 4, "status");
      finish_error_ = b_.CreatePHI(b_.getInt64Ty(), 4, "error_offset");
      Value* cur_blk = b_.LoadState(kStBlock);
      Value* d = Desc(cur_blk);
      b_.StoreField(d, kDescField_status, finish_status_, 4);
      b_.StoreField(d, kDescField_out_end, b_.LoadState(kStOutCount), 4);
      b_.StoreField(d, kDescField_entries, b_.LoadState(kStBlockEntries), 4);
      b_.StoreField(d, kDescField_error_offset, finish_error_, 4);
      b_.StoreState(kStInBlock, I64(0));
      BasicBlock* full = b_.NewBlock("full");
      BasicBlock* next = b_.NewBlock("next");
      b_.CreateCondBr(b_.CreateICmpEQ(finish_status_, I64(abi::kBlockOutputFull)), full, next);
      b_.SetInsertPoint(full);
      b_.CreateRet(I64(1));
      b_.SetInsertPoint(next);
      b_.StoreState(kStBlock, b_.CreateAdd(cur_blk, I64(1)));
      b_.StoreState(kStBlocksDone, b_.CreateAdd(cur_blk, I64(1)));
      b_.CreateRet(I64(0));
    }

    b_.SetInsertPoint(begin);
    EmitBeginBlock(blk);

    b_.SetInsertPoint(walk);
    b_.BoundedLoop(plan_.entries_per_step, [&](Value*, BasicBlock* exit) {
      Value* cur = b_.LoadState(kStCursor);
      Value* end = b_.LoadState(kStEntriesEnd);
      BasicBlock* one = b_.NewBlock("entry");
      BasicBlock* done = b_.NewBlock("block_done");
      b_.CreateCondBr(b_.CreateICmpUGE(cur, end), done, one);
      b_.SetInsertPoint(done);
      Finish(abi::kBlockOk, I64(0));
      b_.SetInsertPoint(one);
      std::vector<Value*> args;
      if (!b_.bpf()) args.push_back(mem);
      Value* r = b_.CreateCall(entry_, args);
      BasicBlock* failed = b_.NewBlock("entry_failed");
      BasicBlock* next = b_.NewBlock("entry_ok");
      b_.CreateCondBr(b_.CreateICmpNE(r, I64(0)), failed, next);
      b_.SetInsertPoint(failed);
      Finish(b_.CreateAnd(r, I64(0xff)), b_.CreateLShr(r, I64(8)));
      b_.SetInsertPoint(next);
      (void)exit;
    });
    b_.CreateRet(I64(0));
  }

  // i64 pd_entry(): walks the entry at the cursor. Returns 0, or a failure
  // as status | error_offset << 8 (the cursor is then left at the entry).
  void EmitEntryFunction(Value* mem) {
    auto* bb = BasicBlock::Create(b_.getContext(), "entry", entry_);
    b_.EnterFunction(entry_, bb);
    b_.SetMemoryBase(mem);
    BasicBlock* step_finish = finish_;
    llvm::PHINode* step_status = finish_status_;
    llvm::PHINode* step_error = finish_error_;
    finish_ = BasicBlock::Create(b_.getContext(), "fail", entry_);
    {
      llvm::IRBuilderBase::InsertPointGuard guard(b_);
      b_.SetInsertPoint(finish_);
      finish_status_ = b_.CreatePHI(b_.getInt64Ty(), 8, "status");
      finish_error_ = b_.CreatePHI(b_.getInt64Ty(), 8, "error_offset");
      b_.CreateRet(b_.CreateOr(finish_status_, b_.CreateShl(finish_error_, I64(8))));
    }
    b_.BoundedLoop(plan_.entries_per_call, [&](Value*, BasicBlock* exit) {
      Value* cur = b_.LoadState(kStCursor);
      Value* end = b_.LoadState(kStEntriesEnd);
      BasicBlock* one = b_.NewBlock("entry");
      b_.CreateCondBr(b_.CreateICmpUGE(cur, end), exit, one);
      b_.SetInsertPoint(one);
      EmitEntry(cur, end);
    });
    b_.CreateRet(I64(0));
    finish_ = step_finish;
    finish_status_ = step_status;
    finish_error_ = step_error;
  }

  // Branches to the finish block; leaves the builder without a valid block.
  void Finish(uint64_t status, Value* error_offset) { Finish(I64(status), error_offset); }
  void Finish(Value* status, Value* error_offset) {
    finish_status_->addIncoming(status, b_.GetInsertBlock());
    finish_error_->addIncoming(error_offset, b_.GetInsertBlock());
    b_.CreateBr(finish_);
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
    b_.CreateRet(I64(0));
  }

  // Decodes a varint32 at p (< end). Returns {value, next}; malformed -> Finish.
  std::pair<Value*, Value*> Varint32(Value* p, Value* end, Value* err) {
    BasicBlock* done = b_.NewBlock("varint.done");
    std::vector<std::pair<Value*, BasicBlock*>> values, nexts;
    Value* acc = I64(0);
    for (int k = 0; k < 5; ++k) {
      Value* q = b_.CreateAdd(p, I64(k));
      FailIf(b_.CreateICmpUGE(q, end), abi::kBlockMalformed, err);
      Value* byte = b_.LoadLE(q, 1);
      acc = b_.CreateOr(acc, b_.CreateShl(b_.CreateAnd(byte, I64(0x7f)), I64(7 * k)));
      if (k == 4) acc = b_.CreateAnd(acc, I64(0xffffffff));
      BasicBlock* more = b_.NewBlock("varint.more");
      values.push_back({acc, b_.GetInsertBlock()});
      nexts.push_back({b_.CreateAdd(q, I64(1)), b_.GetInsertBlock()});
      b_.CreateCondBr(b_.CreateICmpULT(byte, I64(0x80)), done, more);
      b_.SetInsertPoint(more);
    }
    Finish(abi::kBlockMalformed, err);
    b_.SetInsertPoint(done);
    llvm::PHINode* v = b_.CreatePHI(b_.getInt64Ty(), 5);
    llvm::PHINode* next = b_.CreatePHI(b_.getInt64Ty(), 5);
    for (size_t k = 0; k < values.size(); ++k) {
      v->addIncoming(values[k].first, values[k].second);
      next->addIncoming(nexts[k].first, nexts[k].second);
    }
    return {v, next};
  }

  // Copies [src, src+len) to [dst, ...) in 8-byte chunks (may write up to 7
  // bytes past dst+len). REQUIRES: len <= max_key_size.
  void CopyChunks(Value* dst, Value* src, Value* len) {
    // The loop's exit test refines `len`; only a fresh copy of it may see that.
    len = b_.Checkpoint({len})[0];
    uint64_t chunks = (plan_.layout.max_key_size + 7) / 8;
    b_.BoundedLoop(chunks, [&](Value* i, BasicBlock* exit) {
      Value* at = b_.CreateMul(i, I64(8));
      BasicBlock* body = b_.NewBlock("copy");
      b_.CreateCondBr(b_.CreateICmpUGE(at, len), exit, body);
      b_.SetInsertPoint(body);
      b_.StoreLE(b_.CreateAdd(dst, at), b_.LoadLE(b_.CreateAdd(src, at), 8), 8);
    });
  }

  void CheckRow(Value* vp, Value* vlen, Value* err) {
    FailIf(b_.CreateICmpULT(vlen, I64(row_->min_value_size)), abi::kBlockBadRow, err);
    FailIf(b_.CreateICmpNE(b_.LoadLE(vp, 1), I64(kRowFormatVersion)), abi::kBlockBadRow, err);
    Value* prev = I64(row_->var_data_offset);
    for (uint32_t k = 0; k < row_->num_var; ++k) {
      Value* e = b_.LoadLE(b_.CreateAdd(vp, I64(row_->var_table_offset + 4 * k)), 4);
      FailIf(b_.CreateOr(b_.CreateICmpULT(e, prev), b_.CreateICmpUGT(e, vlen)), abi::kBlockBadRow,
             err);
      prev = e;
    }
  }

  void EmitEntry(Value* cur, Value* end) {
    const abi::ProgramLayout& l = plan_.layout;
    Value* err = b_.CreateSub(cur, b_.LoadState(kStBlockStart));
    auto [shared, p1] = Varint32(cur, end, err);
    auto [non_shared, p2] = Varint32(p1, end, err);
    auto [value_len, kp] = Varint32(p2, end, err);
    FailIf(b_.CreateICmpUGT(b_.CreateAdd(non_shared, value_len), b_.CreateSub(end, kp)),
           abi::kBlockMalformed, err);
    FailIf(b_.CreateICmpUGT(shared, b_.LoadState(kStPrevKeyLen)), abi::kBlockMalformed, err);
    Value* klen = b_.CreateAdd(shared, non_shared);
    FailIf(b_.CreateICmpUGT(klen, I64(l.max_key_size)), abi::kBlockKeyTooLong, err);
    FailIf(b_.CreateICmpULT(klen, I64(8)), abi::kBlockMalformed, err);
    {
      auto v = b_.Checkpoint({err, shared, non_shared, value_len, kp, klen});
      err = v[0], shared = v[1], non_shared = v[2], value_len = v[3], kp = v[4], klen = v[5];
    }
    Value* scratch = I64(plan_.scratch_key_offset);
    CopyChunks(b_.CreateAdd(scratch, shared), kp, non_shared);
    b_.StoreState(kStPrevKeyLen, klen);
    Value* user_len = b_.CreateSub(klen, I64(8));
    Value* type = b_.LoadLE(b_.CreateAdd(scratch, user_len), 1);
    Value* vp = b_.CreateAdd(kp, non_shared);

    BasicBlock* is_value = b_.NewBlock("value");
    BasicBlock* classified = b_.NewBlock("classified");
    BasicBlock* not_value = b_.GetInsertBlock();
    b_.CreateCondBr(b_.CreateICmpEQ(type, I64(1)), is_value, classified);
    b_.SetInsertPoint(is_value);
    if (row_) CheckRow(vp, value_len, err);
    EntryView view{scratch, user_len, vp, value_len};
    Value* m = predicate_(b_, view);
    Value* value_class = b_.CreateSelect(m, I64(abi::kMatched), I64(abi::kShadow));
    BasicBlock* value_end = b_.GetInsertBlock();
    b_.CreateBr(classified);
    b_.SetInsertPoint(classified);
    llvm::PHINode* cls_phi = b_.CreatePHI(b_.getInt64Ty(), 2, "class");
    cls_phi->addIncoming(I64(abi::kNotValue), not_value);
    cls_phi->addIncoming(value_class, value_end);
    Value* cls = cls_phi;

    {
      auto v = b_.Checkpoint({err, cls, klen, vp, value_len});
      err = v[0], cls = v[1], klen = v[2], vp = v[3], value_len = v[4];
    }
    Value* shadows_on =
        b_.CreateICmpNE(b_.CreateAnd(b_.LoadState(kStFlags), I64(abi::kEmitShadows)), I64(0));
    Value* next_cursor = b_.CreateAdd(vp, value_len);
    Value* emit = b_.CreateOr(b_.CreateICmpNE(cls, I64(abi::kShadow)), shadows_on);
    BasicBlock* emit_bb = b_.NewBlock("emit");
    BasicBlock* next_bb = b_.NewBlock("next_entry");
    b_.CreateCondBr(emit, emit_bb, next_bb);
    b_.SetInsertPoint(emit_bb);
    // A (seq 0, Value) trailer is implied by kUserKeyOnly: only the user key
    // goes out (program_abi.h, "Keys").
    Value* user_key_only =
        b_.CreateICmpEQ(b_.LoadLE(b_.CreateAdd(scratch, b_.CreateSub(klen, I64(8))), 8), I64(1));
    Value* out_klen = b_.CreateSelect(user_key_only, b_.CreateSub(klen, I64(8)), klen);
    Value* oc = b_.LoadState(kStOutCount);
    Value* kb = b_.LoadState(kStKeyBytes);
    FailIf(b_.CreateOr(b_.CreateICmpUGE(oc, I64(l.out_capacity)),
                       b_.CreateICmpUGT(b_.CreateAdd(kb, klen), I64(l.key_arena_size))),
           abi::kBlockOutputFull, err);
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
    b_.CreateBr(next_bb);
    b_.SetInsertPoint(next_bb);
    b_.StoreState(kStCursor, next_cursor);
    b_.StoreState(kStBlockEntries, b_.CreateAdd(b_.LoadState(kStBlockEntries), I64(1)));
    b_.StoreState(kStEntries, b_.CreateAdd(b_.LoadState(kStEntries), I64(1)));
  }

  IRBuilderPD& b_;
  const MemoryPlan& plan_;
  const RowLayout* row_;
  const PredicateEmitter& predicate_;
  llvm::Function* step_ = nullptr;
  llvm::Function* main_ = nullptr;
  llvm::Function* entry_ = nullptr;
  BasicBlock* finish_ = nullptr;
  llvm::PHINode* finish_status_ = nullptr;
  llvm::PHINode* finish_error_ = nullptr;
};

}  // namespace

void EmitBlockFilter(IRBuilderPD& b, const RowLayout* row, const PredicateEmitter& predicate) {
  Walker(b, row, predicate).Emit();
}

}  // namespace pushdown::bpfgen::codegen
