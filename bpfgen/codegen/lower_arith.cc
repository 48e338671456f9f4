// Exact (integer/DECIMAL) arithmetic and casts, following scalar.h exactly:
// int64 overflow, INT64_MIN / -1, division or modulo by zero -> NULL;
// DECIMAL operands are rescaled as ArithExact does. Overflow checks are
// explicit compares (the BPF backend has no 128-bit multiply), so both
// targets run the same arithmetic.
#include <limits>
#include <utility>

#include "bpfgen/codegen/lowering.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen::codegen {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

bool IsExact(const Type& t) { return t.IsIntegral() || t.id == TypeId::kDecimal; }

}  // namespace

std::pair<llvm::Value*, llvm::Value*> Lowering::CheckedAddSub(bool add, llvm::Value* a,
                                                              llvm::Value* b) {
  // Overflow iff the operands' signs make it possible and the result's sign is wrong.
  llvm::Value* r = add ? b_.CreateAdd(a, b) : b_.CreateSub(a, b);
  llvm::Value* x = add ? b_.CreateAnd(b_.CreateXor(a, r), b_.CreateXor(b, r))
                       : b_.CreateAnd(b_.CreateXor(a, b), b_.CreateXor(a, r));
  return {r, b_.CreateICmpSLT(x, I64(0))};
}

llvm::Value* Lowering::MulOverflows(llvm::Value* a, llvm::Value* b) {
  if (llvm::isa<llvm::ConstantInt>(a)) std::swap(a, b);
  if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(b)) {
    // A constant factor c: a range check on a (C++ division truncates toward
    // zero, which is the bound's ceiling or floor as each case needs). The
    // division form below would be folded by instcombine into
    // llvm.smul.with.overflow, which the BPF backend lowers to a call of
    // __multi3 that it cannot emit ("codegen rejected").
    const int64_t c = k->getSExtValue();
    auto slt = [&](int64_t bound) {
      return b_.CreateICmpSLT(a, I64(static_cast<uint64_t>(bound)));
    };
    auto sgt = [&](int64_t bound) {
      return b_.CreateICmpSGT(a, I64(static_cast<uint64_t>(bound)));
    };
    if (c == 0 || c == 1) return False();
    if (c == -1) return b_.CreateICmpEQ(a, I64(static_cast<uint64_t>(kMin)));
    if (c > 1) return b_.CreateOr(sgt(kMax / c), slt(kMin / c));
    return b_.CreateOr(slt(kMax / c), sgt(kMin / c));
  }
  // p = a * b wraps; exact iff a == 0 or (p / a == b and not (a == -1 and b == MIN)).
  llvm::Value* p = b_.CreateMul(a, b);
  llvm::Value* a_zero = b_.CreateICmpEQ(a, I64(0));
  llvm::Value* a_m1 = b_.CreateICmpEQ(a, I64(static_cast<uint64_t>(-1)));
  llvm::Value* safe_a = b_.CreateSelect(b_.CreateOr(a_zero, a_m1), I64(1), a);
  llvm::Value* back = b_.CreateSDiv(p, safe_a);
  llvm::Value* general = b_.CreateICmpNE(back, b);
  llvm::Value* m1_case = b_.CreateICmpEQ(b, I64(static_cast<uint64_t>(kMin)));
  return b_.CreateSelect(a_zero, False(), b_.CreateSelect(a_m1, m1_case, general));
}

std::pair<llvm::Value*, llvm::Value*> Lowering::RescaleInt(llvm::Value* v, int from, int to) {
  if (to == from) return {v, False()};
  if (to > from) {
    const int k = to - from;
    if (k > 18) return {I64(0), b_.CreateICmpNE(v, I64(0))};
    const int64_t m = kPow10[k];
    llvm::Value* over = b_.CreateOr(b_.CreateICmpSGT(v, I64(static_cast<uint64_t>(kMax / m))),
                                    b_.CreateICmpSLT(v, I64(static_cast<uint64_t>(kMin / m))));
    return {b_.CreateMul(v, I64(static_cast<uint64_t>(m))), over};
  }
  const int k = from - to;
  if (k > 18) return {I64(0), False()};
  return {b_.CreateSDiv(v, I64(static_cast<uint64_t>(kPow10[k]))), False()};
}

Val Lowering::Rescale(const Val& a, int from_scale, int to_scale) {
  auto [v, over] = RescaleInt(a.v, from_scale, to_scale);
  return Int(v, b_.CreateOr(a.null, over));
}

Val Lowering::Negate(const Val& a, const Type& t) {
  if (t.id == TypeId::kDouble) {
    if (b_.bpf()) {
      return {Val::Kind::kDouble, b_.CreateXor(a.v, I64(1ull << 63)), nullptr, a.null};
    }
    return {Val::Kind::kDouble, b_.CreateFNeg(a.v), nullptr, a.null};
  }
  auto [r, over] = CheckedAddSub(false, I64(0), a.v);
  llvm::Value* null = b_.CreateOr(a.null, over);
  if (t.id == TypeId::kInt32) {
    null = b_.CreateOr(null, b_.CreateOr(b_.CreateICmpSLT(r, I64(static_cast<uint64_t>(INT32_MIN))),
                                         b_.CreateICmpSGT(r, I64(INT32_MAX))));
  }
  return Int(r, null);
}

Val Lowering::Arith(const Expr& e) {
  const Type& ta = e.children[0]->type;
  const Type& tb = e.children[1]->type;
  const Type& tr = e.type;
  if (ta.id == TypeId::kNull || tb.id == TypeId::kNull) return NullOf(tr);
  auto [a, b] = LowerPair(*e.children[0], *e.children[1]);
  if (tr.id == TypeId::kDouble) return DoubleArith(e.binary_op, ToDouble(a, ta), ToDouble(b, tb));
  // The type checker admits numeric operands only, and any DOUBLE makes the
  // result DOUBLE (handled above): anything else here is a malformed tree.
  if (!IsExact(ta) || !IsExact(tb) || !IsExact(tr)) {
    return Malformed("arithmetic on " + ta.ToString() + " and " + tb.ToString() + " giving " +
                     tr.ToString());
  }
  const int s1 = ScaleOf(ta), s2 = ScaleOf(tb), s = ScaleOf(tr);
  llvm::Value* null = b_.CreateOr(a.null, b.null);
  llvm::Value* r = nullptr;
  switch (e.binary_op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMod: {
      auto [x, ox] = RescaleInt(a.v, s1, s);
      auto [y, oy] = RescaleInt(b.v, s2, s);
      null = b_.CreateOr(null, b_.CreateOr(ox, oy));
      if (e.binary_op == BinaryOp::kMod) {
        llvm::Value* zero = b_.CreateICmpEQ(y, I64(0));
        llvm::Value* m1 = b_.CreateICmpEQ(y, I64(static_cast<uint64_t>(-1)));
        // x % -1 == x % 1 == 0; the divisor is made safe for the hardware.
        r = b_.CreateSRem(x, b_.CreateSelect(b_.CreateOr(zero, m1), I64(1), y));
        null = b_.CreateOr(null, zero);
      } else {
        auto [v, over] = CheckedAddSub(e.binary_op == BinaryOp::kAdd, x, y);
        r = v;
        null = b_.CreateOr(null, over);
      }
      break;
    }
    case BinaryOp::kMul: {
      null = b_.CreateOr(null, MulOverflows(a.v, b.v));
      auto [v, over] = RescaleInt(b_.CreateMul(a.v, b.v), s1 + s2, s);
      r = v;
      null = b_.CreateOr(null, over);
      break;
    }
    case BinaryOp::kDiv: {
      const int k = s - s1 + s2;
      llvm::Value* x;
      if (k >= 0) {
        auto [v, over] = RescaleInt(a.v, 0, k);
        x = v;
        null = b_.CreateOr(null, over);
      } else {
        x = RescaleInt(a.v, -k, 0).first;
      }
      llvm::Value* zero = b_.CreateICmpEQ(b.v, I64(0));
      llvm::Value* ovf = b_.CreateAnd(b_.CreateICmpEQ(x, I64(static_cast<uint64_t>(kMin))),
                                      b_.CreateICmpEQ(b.v, I64(static_cast<uint64_t>(-1))));
      llvm::Value* bad = b_.CreateOr(zero, ovf);
      r = b_.CreateSDiv(x, b_.CreateSelect(bad, I64(1), b.v));
      null = b_.CreateOr(null, bad);
      break;
    }
    default:
      return Malformed("not an arithmetic operator");
  }
  return Int(r, null);
}

Val Lowering::Cast(const Expr& e) {
  if (e.children.size() != 1) return Malformed("malformed cast");
  Datum folded;
  if (Fold(e, &folded)) return FromDatum(folded, e.type);
  const Type& from = e.children[0]->type;
  const Type& to = e.type;
  Val a = Lower(*e.children[0]);
  if (from == to) return a;
  if (IsExact(from) && IsExact(to)) {
    Val r = Rescale(a, ScaleOf(from), ScaleOf(to));
    if (to.id == TypeId::kInt32) {
      r.null = b_.CreateOr(r.null,
                           b_.CreateOr(b_.CreateICmpSLT(r.v, I64(static_cast<uint64_t>(INT32_MIN))),
                                       b_.CreateICmpSGT(r.v, I64(INT32_MAX))));
    }
    return r;
  }
  if (IsExact(from) && to.id == TypeId::kDouble) return ToDouble(a, from);
  if (from.id == TypeId::kDouble && IsExact(to)) {
    if (b_.bpf()) return Unsupported("DOUBLE to " + to.ToString() + " conversion is host-only");
    llvm::Value* d = b_.CreateFMul(
        a.v, llvm::ConstantFP::get(b_.getDoubleTy(), static_cast<double>(kPow10[ScaleOf(to)])));
    llvm::Value* in_range = b_.CreateAnd(
        b_.CreateFCmpOGE(d, llvm::ConstantFP::get(b_.getDoubleTy(), -9223372036854775808.0)),
        b_.CreateFCmpOLT(d, llvm::ConstantFP::get(b_.getDoubleTy(), 9223372036854775808.0)));
    llvm::Value* safe = b_.CreateSelect(in_range, d, llvm::ConstantFP::get(b_.getDoubleTy(), 0.0));
    Val r =
        Int(b_.CreateFPToSI(safe, b_.getInt64Ty()), b_.CreateOr(a.null, b_.CreateNot(in_range)));
    if (to.id == TypeId::kInt32) {
      r.null = b_.CreateOr(r.null,
                           b_.CreateOr(b_.CreateICmpSLT(r.v, I64(static_cast<uint64_t>(INT32_MIN))),
                                       b_.CreateICmpSGT(r.v, I64(INT32_MAX))));
    }
    return r;
  }
  if (from.IsString() && to.IsString()) return a;  // CHAR values are already trimmed
  if (from.id == to.id) return a;
  return Unsupported("cast from " + from.ToString() + " to " + to.ToString());
}

}  // namespace pushdown::bpfgen::codegen
