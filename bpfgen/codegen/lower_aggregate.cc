// Aggregation on the device: the accumulator updates of one matching entry
// (program_abi.h, "Aggregation"), branch-free but for the argument's own
// lowering: NULL inputs add nothing (selects), sums carry into a high word.
#include <cstddef>

#include "bpfgen/codegen/lowering.h"

namespace pushdown::bpfgen {

Status CheckDeviceAggregate(const AggregateItem& item) {
  if (item.op == AggregateOp::kCountStar) return Status::OK();
  if (item.arg == nullptr) return Status::InvalidArgument("aggregate without an argument");
  const Type& t = item.arg->type;
  const bool integer = t.IsIntegral() || t.id == TypeId::kDecimal;
  switch (item.op) {
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

namespace codegen {

void Lowering::Aggregates(const std::vector<AggregateItem>& items, const EntryView& entry) {
  entry_ = &entry;
  const uint64_t base = b_.plan().layout.agg_offset + abi::kAggHeaderBytes;
  // BPF: volatile, like the walker's state (its loops keep nothing in registers).
  auto load = [&](uint64_t off) {
    auto* v = llvm::cast<llvm::LoadInst>(b_.LoadAt(off, 8));
    v->setVolatile(b_.bpf());
    return static_cast<llvm::Value*>(v);
  };
  auto store = [&](uint64_t off, llvm::Value* v) {
    b_.CreateAlignedStore(v, b_.AddrConst(off), llvm::Align(8))->setVolatile(b_.bpf());
  };
  for (size_t k = 0; k < items.size(); ++k) {
    const AggregateItem& item = items[k];
    const uint64_t at = base + k * sizeof(abi::AggAccumulator);
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
