// DOUBLE. The kernel has no floating point: on BPF a DOUBLE value is its
// IEEE-754 bit pattern (i64) and only comparisons (and sign flips) are
// lowered, on an order-preserving integer mapping of the bits (NaN compares
// unequal to everything; -0.0 == 0.0). Exact -> DOUBLE conversion and DOUBLE
// arithmetic are host-only (NotSupported for BPF) unless constant (folded at
// compile time with scalar.h's Cast). Native uses the FPU (IEEE compares).
#include <cstring>

#include "bpfgen/codegen/lowering.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen::codegen {
namespace {
constexpr uint64_t kSign = 1ull << 63;
constexpr uint64_t kAbs = kSign - 1;
constexpr uint64_t kInf = 0x7ff0000000000000ull;
}  // namespace

Val Lowering::DoubleConst(double d) {
  if (b_.bpf()) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    return {Val::Kind::kDouble, I64(bits), nullptr, False()};
  }
  return {Val::Kind::kDouble, llvm::ConstantFP::get(b_.getDoubleTy(), d), nullptr, False()};
}

Val Lowering::ToDouble(const Val& a, const Type& from) {
  if (from.id == TypeId::kDouble) return a;
  if (b_.bpf()) {
    return Unsupported("conversion of a " + from.ToString() + " expression to DOUBLE is host-only");
  }
  llvm::Value* d = b_.CreateSIToFP(a.v, b_.getDoubleTy());
  const int s = ScaleOf(from);
  if (s > 0) {
    d = b_.CreateFDiv(d, llvm::ConstantFP::get(b_.getDoubleTy(), static_cast<double>(kPow10[s])));
  }
  return {Val::Kind::kDouble, d, nullptr, a.null};
}

Val Lowering::DoubleCompare(BinaryOp op, const Val& a, const Val& b) {
  llvm::Value* null = b_.CreateOr(a.null, b.null);
  if (!b_.bpf()) {
    llvm::Value* r = nullptr;
    switch (op) {
      case BinaryOp::kEq:
        r = b_.CreateFCmpOEQ(a.v, b.v);
        break;
      case BinaryOp::kNe:
        r = b_.CreateFCmpUNE(a.v, b.v);
        break;
      case BinaryOp::kLt:
        r = b_.CreateFCmpOLT(a.v, b.v);
        break;
      case BinaryOp::kLe:
        r = b_.CreateFCmpOLE(a.v, b.v);
        break;
      case BinaryOp::kGt:
        r = b_.CreateFCmpOGT(a.v, b.v);
        break;
      default:
        r = b_.CreateFCmpOGE(a.v, b.v);
        break;
    }
    return Bool(r, null);
  }
  auto is_nan = [&](llvm::Value* x) {
    return b_.CreateICmpUGT(b_.CreateAnd(x, I64(kAbs)), I64(kInf));
  };
  auto key = [&](llvm::Value* x) {
    llvm::Value* zero = b_.CreateICmpEQ(b_.CreateAnd(x, I64(kAbs)), I64(0));
    x = b_.CreateSelect(zero, I64(0), x);  // -0.0 -> +0.0
    llvm::Value* neg = b_.CreateICmpNE(b_.CreateAnd(x, I64(kSign)), I64(0));
    return b_.CreateSelect(neg, b_.CreateNot(x), b_.CreateOr(x, I64(kSign)));
  };
  llvm::Value* nan = b_.CreateOr(is_nan(a.v), is_nan(b.v));
  llvm::Value* x = key(a.v);
  llvm::Value* y = key(b.v);
  llvm::Value* r = nullptr;
  switch (op) {
    case BinaryOp::kEq:
      r = b_.CreateICmpEQ(x, y);
      break;
    case BinaryOp::kNe:
      r = b_.CreateICmpNE(x, y);
      break;
    case BinaryOp::kLt:
      r = b_.CreateICmpULT(x, y);
      break;
    case BinaryOp::kLe:
      r = b_.CreateICmpULE(x, y);
      break;
    case BinaryOp::kGt:
      r = b_.CreateICmpUGT(x, y);
      break;
    default:
      r = b_.CreateICmpUGE(x, y);
      break;
  }
  r = b_.CreateSelect(nan, op == BinaryOp::kNe ? True() : False(), r);
  return Bool(r, null);
}

Val Lowering::DoubleArith(BinaryOp op, const Val& a, const Val& b) {
  if (b_.bpf()) return Unsupported("DOUBLE arithmetic is host-only");
  llvm::Value* r = nullptr;
  switch (op) {
    case BinaryOp::kAdd:
      r = b_.CreateFAdd(a.v, b.v);
      break;
    case BinaryOp::kSub:
      r = b_.CreateFSub(a.v, b.v);
      break;
    case BinaryOp::kMul:
      r = b_.CreateFMul(a.v, b.v);
      break;
    case BinaryOp::kDiv:
      r = b_.CreateFDiv(a.v, b.v);
      break;
    default:
      r = b_.CreateFRem(a.v, b.v);
      break;
  }
  return {Val::Kind::kDouble, r, nullptr, b_.CreateOr(a.null, b.null)};
}

}  // namespace pushdown::bpfgen::codegen
