// Aggregation on the device: the accumulator updates of one matching entry
// (program_abi.h, "Aggregation"), branch-free but for the argument's own
// lowering: NULL inputs add nothing (selects), sums carry into a high word.
// Grouped ("Grouped aggregation"): the entry's group slot is found by
// kGroupProbes unrolled probes from the key hash, saved to the undo area the
// first time its block touches it, and updated through its variable offset.
#include <cstddef>

#include "bpfgen/codegen/lowering.h"

namespace pushdown::bpfgen {

Status CheckDeviceAggregate(const AggregateItem& item) {
  if (item.op == AggregateOp::kCountStar) return Status::OK();
  if (item.arg == nullptr) return Status::InvalidArgument("aggregate without an argument");
  const Type& t = item.arg->type;
  const bool integer = t.IsIntegral() || t.id == TypeId::kDecimal;
  switch (item.op) {
    case AggregateOp::kGroupKey:
      if (integer || t.id == TypeId::kDate || t.id == TypeId::kBool) return Status::OK();
      if (t.IsString() && t.length > 0 && t.length <= abi::kMaxGroupStringBytes) {
        return Status::OK();
      }
      return Status::NotSupported("device GROUP BY key of type " + t.ToString() +
                                  " (integers, DECIMAL, DATE, BOOL or " + "strings of at most " +
                                  std::to_string(abi::kMaxGroupStringBytes) + " bytes only)");
    case AggregateOp::kCount:
      return Status::OK();
    case AggregateOp::kSum:
      if (integer) return Status::OK();
      return Status::NotSupported("device aggregate: SUM of " + t.ToString() +
                                  " (INT32, INT64 or DECIMAL only)");
    case AggregateOp::kMin:
    case AggregateOp::kMax:
      if (integer || t.id == TypeId::kDate) return Status::OK();
      return Status::NotSupported("device aggregate: MIN/MAX of " + t.ToString() +
                                  " (INT32, INT64, DECIMAL or DATE only)");
    case AggregateOp::kCountStar:
      break;
  }
  return Status::OK();
}

uint32_t CountGroupKeys(const std::vector<AggregateItem>& items) {
  uint32_t n = 0;
  for (const AggregateItem& i : items) n += i.op == AggregateOp::kGroupKey ? 1 : 0;
  return n;
}

uint32_t CountAggregates(const std::vector<AggregateItem>& items) {
  return static_cast<uint32_t>(items.size()) - CountGroupKeys(items);
}

namespace codegen {

llvm::Value* Lowering::Aggregates(const std::vector<AggregateItem>& items, const EntryView& entry) {
  entry_ = &entry;
  const abi::ProgramLayout& l = b_.plan().layout;
  const uint32_t keys = l.num_group_keys;
  if (keys == 0) {
    Accumulate(items, nullptr, b_.plan().layout.agg_offset + abi::kAggHeaderBytes);
    return nullptr;
  }
  llvm::Value* base = GroupSlot(items, keys);
  if (!status_.ok() || base == nullptr) return nullptr;
  llvm::Value* none = b_.CreateICmpEQ(base, I64(0));
  llvm::BasicBlock* add = b_.NewBlock("group.add");
  llvm::BasicBlock* join = b_.NewBlock("group.join");
  b_.CreateCondBr(none, join, add);
  b_.SetInsertPoint(add);
  SaveGroupSlot(base);
  llvm::Value* rows_at = b_.CreateAdd(base, I64(8 * (2 + keys)));
  b_.StoreField(rows_at, 0, b_.CreateAdd(b_.LoadField(rows_at, 0, 8), I64(1)), 8);
  Accumulate({items.begin() + keys, items.end()}, base, 8 * (3 + keys));
  if (!status_.ok()) return nullptr;
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  return none;
}

// The key word (program_abi.h, "Grouped aggregation") and NULL flag of one
// group key.
std::pair<llvm::Value*, llvm::Value*> Lowering::GroupKeyWord(const Expr& e) {
  Val v = Lower(e);
  if (!status_.ok()) return {I64(0), b_.getFalse()};
  llvm::Value* w = nullptr;
  if (v.kind == Val::Kind::kInt) {
    w = v.v;
  } else if (v.kind == Val::Kind::kString && v.max_len <= abi::kMaxGroupStringBytes) {
    // Bytes past the value's end are masked off (the load stays inside
    // local memory and its pad).
    llvm::Value* len = b_.CreateSelect(b_.CreateICmpUGT(v.len, I64(abi::kMaxGroupStringBytes)),
                                       I64(abi::kMaxGroupStringBytes), v.len);
    llvm::Value* bytes = b_.LoadLE(v.v, 8);
    llvm::Value* keep = b_.CreateSub(b_.CreateShl(I64(1), b_.CreateShl(len, I64(3))), I64(1));
    w = b_.CreateOr(b_.CreateAnd(bytes, keep), b_.CreateShl(len, I64(56)));
  } else {
    Malformed("group key of an unsupported kind");
    return {I64(0), b_.getFalse()};
  }
  return {b_.CreateSelect(v.null, I64(0), w), v.null};
}

// The local-memory offset of the slot of this entry's group (found, or
// created empty-handed: tag and keys written), or 0 when none of
// kGroupProbes slots from the hash is free or equal.
llvm::Value* Lowering::GroupSlot(const std::vector<AggregateItem>& items, uint32_t keys) {
  const abi::ProgramLayout& l = b_.plan().layout;
  auto* i64 = b_.getInt64Ty();
  std::vector<llvm::Value*> words;
  llvm::Value* tag = I64(1);
  for (uint32_t k = 0; k < keys; ++k) {
    auto [w, null] = GroupKeyWord(*items[k].arg);
    if (!status_.ok()) return nullptr;
    words.push_back(w);
    tag = b_.CreateOr(tag, b_.CreateShl(b_.CreateZExt(null, i64), I64(k + 1)));
  }
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  llvm::Value* h = b_.CreateMul(tag, I64(kMul));
  for (llvm::Value* w : words) h = b_.CreateMul(b_.CreateXor(h, w), I64(kMul));
  h = b_.CreateXor(h, b_.CreateLShr(h, I64(32)));
  const uint64_t table = uint64_t{l.group_offset} + abi::kGroupHeaderBytes;
  llvm::BasicBlock* cur = b_.GetInsertBlock();
  llvm::BasicBlock* found = b_.NewBlock("group.found");
  llvm::BasicBlock* fresh = b_.NewBlock("group.new");
  llvm::BasicBlock* none = b_.NewBlock("group.none");
  llvm::BasicBlock* done = b_.NewBlock("group.slot");
  b_.SetInsertPoint(found);
  llvm::PHINode* found_at = b_.CreatePHI(i64, abi::kGroupProbes + 1, "found_at");
  b_.SetInsertPoint(fresh);
  llvm::PHINode* fresh_at = b_.CreatePHI(i64, abi::kGroupProbes, "fresh_at");
  b_.SetInsertPoint(cur);
  // Slot offsets are masked by the accesses (IRBuilderPD::Addr), so a wrong
  // one stays inside local memory; the arithmetic keeps them in the table.
  for (uint32_t p = 0; p < abi::kGroupProbes; ++p) {
    llvm::Value* s = b_.CreateAnd(b_.CreateAdd(h, I64(p)), I64(l.group_slots - 1));
    llvm::Value* at = b_.CreateAdd(I64(table), b_.CreateMul(s, I64(l.group_slot_size)));
    llvm::Value* t = b_.LoadField(at, 8, 8);
    llvm::BasicBlock* compare = b_.NewBlock("group.compare");
    llvm::BasicBlock* next = b_.NewBlock("group.probe");
    fresh_at->addIncoming(at, b_.GetInsertBlock());
    b_.CreateCondBr(b_.CreateICmpEQ(t, I64(0)), fresh, compare);
    b_.SetInsertPoint(compare);
    llvm::Value* eq = b_.CreateICmpEQ(t, tag);
    for (uint32_t k = 0; k < keys; ++k) {
      eq = b_.CreateAnd(
          eq, b_.CreateICmpEQ(b_.LoadField(b_.CreateAdd(at, I64(16 + 8 * k)), 0, 8), words[k]));
    }
    found_at->addIncoming(at, compare);
    b_.CreateCondBr(eq, found, next);
    b_.SetInsertPoint(next);
  }
  b_.CreateBr(none);
  // A new group: the slot is saved (empty) before its tag and keys are set.
  b_.SetInsertPoint(fresh);
  SaveGroupSlot(fresh_at);
  b_.StoreField(fresh_at, 8, tag, 8);
  for (uint32_t k = 0; k < keys; ++k) {
    b_.StoreField(b_.CreateAdd(fresh_at, I64(16 + 8 * k)), 0, words[k], 8);
  }
  found_at->addIncoming(fresh_at, b_.GetInsertBlock());
  b_.CreateBr(found);
  b_.SetInsertPoint(found);
  b_.CreateBr(done);
  b_.SetInsertPoint(none);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* slot = b_.CreatePHI(i64, 2, "group_at");
  slot->addIncoming(found_at, found);
  slot->addIncoming(I64(0), none);
  // BPF: one verifier state from here on, whichever probe found the slot.
  return b_.Checkpoint({slot})[0];
}

// The first time the current block touches the slot at `at` (its epoch is
// not the block's), the slot goes to the undo area (program_abi.h).
void Lowering::SaveGroupSlot(llvm::Value* at) {
  const abi::ProgramLayout& l = b_.plan().layout;
  llvm::Value* epoch = b_.LoadAt(l.group_offset, 8);
  llvm::BasicBlock* save = b_.NewBlock("group.save");
  llvm::BasicBlock* saved = b_.NewBlock("group.saved");
  b_.CreateCondBr(b_.CreateICmpNE(b_.LoadField(at, 0, 8), epoch), save, saved);
  b_.SetInsertPoint(save);
  llvm::Value* n = b_.LoadAt(l.group_offset + 8, 8);
  llvm::Value* u =
      b_.CreateAdd(I64(l.undo_offset), b_.CreateMul(n, I64(8 + uint64_t{l.group_slot_size})));
  b_.StoreField(u, 0, at, 8);
  for (uint32_t w = 0; w < l.group_slot_size / 8; ++w) {
    b_.StoreField(b_.CreateAdd(u, I64(8 + 8 * w)), 0,
                  b_.LoadField(b_.CreateAdd(at, I64(8 * w)), 0, 8), 8);
  }
  b_.StoreAt(l.group_offset + 8, b_.CreateAdd(n, I64(1)), 8);
  b_.StoreField(at, 0, epoch, 8);
  b_.CreateBr(saved);
  b_.SetInsertPoint(saved);
}

// The accumulator updates of `items` (no group keys), at `base` (a variable
// slot offset; null: the constant aggregate region) + `first`.
void Lowering::Accumulate(const std::vector<AggregateItem>& items, llvm::Value* base,
                          uint64_t first) {
  // Constant region, BPF: volatile, like the walker's state (its loops keep
  // nothing in registers). A slot's accesses are through its variable offset.
  auto addr = [&](uint64_t off) {
    return base == nullptr ? b_.AddrConst(off) : b_.Addr(b_.CreateAdd(base, I64(off)));
  };
  auto load = [&](uint64_t off) {
    llvm::LoadInst* v = b_.CreateAlignedLoad(b_.getInt64Ty(), addr(off), llvm::Align(8));
    v->setVolatile(b_.bpf() && base == nullptr);
    return static_cast<llvm::Value*>(v);
  };
  auto store = [&](uint64_t off, llvm::Value* v) {
    b_.CreateAlignedStore(v, addr(off), llvm::Align(8))->setVolatile(b_.bpf() && base == nullptr);
  };
  for (size_t k = 0; k < items.size(); ++k) {
    const AggregateItem& item = items[k];
    const uint64_t at = first + k * sizeof(abi::AggAccumulator);
    const uint64_t count_at = at + offsetof(abi::AggAccumulator, count);
    if (item.op == AggregateOp::kCountStar) {
      store(count_at, b_.CreateAdd(load(count_at), I64(1)));
      continue;
    }
    if (item.arg == nullptr) {
      Malformed("aggregate without an argument");
      return;
    }
    Val v = Lower(*item.arg);
    if (!status_.ok()) return;
    llvm::Value* present = b_.CreateNot(v.null);
    llvm::Value* count = load(count_at);
    store(count_at, b_.CreateAdd(count, b_.CreateZExt(present, b_.getInt64Ty())));
    switch (item.op) {
      case AggregateOp::kSum: {
        if (v.kind != Val::Kind::kInt) {
          Malformed("SUM of a non-integer value");
          return;
        }
        const uint64_t lo_at = at + offsetof(abi::AggAccumulator, sum_lo);
        const uint64_t hi_at = at + offsetof(abi::AggAccumulator, sum_hi);
        llvm::Value* add = b_.CreateSelect(present, v.v, I64(0));
        llvm::Value* lo = load(lo_at);
        llvm::Value* lo2 = b_.CreateAdd(lo, add);
        llvm::Value* carry = b_.CreateZExt(b_.CreateICmpULT(lo2, lo), b_.getInt64Ty());
        llvm::Value* hi = load(hi_at);
        store(lo_at, lo2);
        store(hi_at, b_.CreateAdd(b_.CreateAdd(hi, b_.CreateAShr(add, I64(63))), carry));
        break;
      }
      case AggregateOp::kMin:
      case AggregateOp::kMax: {
        if (v.kind != Val::Kind::kInt) {
          Malformed("MIN/MAX of a non-integer value");
          return;
        }
        const uint64_t value_at = at + offsetof(abi::AggAccumulator, value);
        llvm::Value* best = load(value_at);
        llvm::Value* better = item.op == AggregateOp::kMin ? b_.CreateICmpSLT(v.v, best)
                                                           : b_.CreateICmpSGT(v.v, best);
        llvm::Value* take =
            b_.CreateAnd(present, b_.CreateOr(b_.CreateICmpEQ(count, I64(0)), better));
        store(value_at, b_.CreateSelect(take, v.v, best));
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace codegen
}  // namespace pushdown::bpfgen
