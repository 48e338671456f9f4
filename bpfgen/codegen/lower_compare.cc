// Comparisons: numeric operands are promoted here (scalar.h Compare): a
// promotion that overflows is NULL; DOUBLE goes to lower_double.cc; strings
// to lower_string.cc; BOOL and DATE compare as integers.
#include "bpfgen/codegen/lowering.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen::codegen {

llvm::Value* Lowering::IntCompare(BinaryOp op, llvm::Value* a, llvm::Value* b) {
  switch (op) {
    case BinaryOp::kEq:
      return b_.CreateICmpEQ(a, b);
    case BinaryOp::kNe:
      return b_.CreateICmpNE(a, b);
    case BinaryOp::kLt:
      return b_.CreateICmpSLT(a, b);
    case BinaryOp::kLe:
      return b_.CreateICmpSLE(a, b);
    case BinaryOp::kGt:
      return b_.CreateICmpSGT(a, b);
    default:
      return b_.CreateICmpSGE(a, b);
  }
}

Val Lowering::Compare(BinaryOp op, const Val& a, const Val& b, const Type& ta, const Type& tb) {
  if (ta.id == TypeId::kNull || tb.id == TypeId::kNull) return Int(I64(0), True());
  llvm::Value* null = b_.CreateOr(a.null, b.null);
  if (ta.IsString() || tb.IsString()) {
    if (a.kind != Val::Kind::kString || b.kind != Val::Kind::kString) {
      return Malformed("comparison of a string with a non-string");
    }
    if ((op == BinaryOp::kEq || op == BinaryOp::kNe) && (a.lit != nullptr) != (b.lit != nullptr)) {
      // Equality with a constant: length, then whole words (no byte chain).
      const Val& v = a.lit ? b : a;
      const std::string& lit = a.lit ? *a.lit : *b.lit;
      llvm::Value* eq = b_.CreateAnd(b_.CreateICmpEQ(v.len, I64(lit.size())),
                                     BytesEqualConst(v.v, lit, 0, lit.size(), false));
      return Bool(op == BinaryOp::kEq ? eq : b_.CreateNot(eq), null);
    }
    return Bool(IntCompare(op, StringCompare(a, b), I64(0)), null);
  }
  if (ta.IsNumeric() && tb.IsNumeric()) {
    const Type common = PromoteNumeric(ta, tb);
    if (common.id == TypeId::kDouble) {
      return DoubleCompare(op, ToDouble(a, ta), ToDouble(b, tb));
    }
    const int s = ScaleOf(common);
    auto [x, ox] = RescaleInt(a.v, ScaleOf(ta), s);
    auto [y, oy] = RescaleInt(b.v, ScaleOf(tb), s);
    null = b_.CreateOr(null, b_.CreateOr(ox, oy));
    return Bool(IntCompare(op, x, y), null);
  }
  return Bool(IntCompare(op, a.v, b.v), null);
}

}  // namespace pushdown::bpfgen::codegen
