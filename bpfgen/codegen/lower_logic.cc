// Three-valued (Kleene) connectives, IS NULL, BETWEEN and IN. Both operands
// are always evaluated (they have no side effects and never read outside
// local memory), so the result is branch-free where LLVM allows.
#include "bpfgen/codegen/lowering.h"

namespace pushdown::bpfgen::codegen {

Val Lowering::And(const Val& a, const Val& b) {
  llvm::Value* a_false = b_.CreateAnd(b_.CreateNot(a.null), b_.CreateICmpEQ(a.v, I64(0)));
  llvm::Value* b_false = b_.CreateAnd(b_.CreateNot(b.null), b_.CreateICmpEQ(b.v, I64(0)));
  llvm::Value* is_false = b_.CreateOr(a_false, b_false);
  llvm::Value* null = b_.CreateAnd(b_.CreateNot(is_false), b_.CreateOr(a.null, b.null));
  return Bool(b_.CreateNot(b_.CreateOr(is_false, null)), null);
}

Val Lowering::Or(const Val& a, const Val& b) {
  llvm::Value* a_true = b_.CreateAnd(b_.CreateNot(a.null), b_.CreateICmpNE(a.v, I64(0)));
  llvm::Value* b_true = b_.CreateAnd(b_.CreateNot(b.null), b_.CreateICmpNE(b.v, I64(0)));
  llvm::Value* is_true = b_.CreateOr(a_true, b_true);
  llvm::Value* null = b_.CreateAnd(b_.CreateNot(is_true), b_.CreateOr(a.null, b.null));
  return Bool(is_true, null);
}

Val Lowering::Not(const Val& a) { return Bool(b_.CreateICmpEQ(a.v, I64(0)), a.null); }

Val Lowering::Between(const Expr& e) {
  if (e.children.size() != 3) return Malformed("malformed BETWEEN");
  const Type& tx = e.children[0]->type;
  Val x = Lower(*e.children[0]);
  Val lo = Lower(*e.children[1]);
  Val hi = Lower(*e.children[2]);
  Val r = And(Compare(BinaryOp::kGe, x, lo, tx, e.children[1]->type),
              Compare(BinaryOp::kLe, x, hi, tx, e.children[2]->type));
  return e.negated ? Not(r) : r;
}

Val Lowering::In(const Expr& e) {
  if (e.children.size() < 2) return Malformed("malformed IN");
  const Type& tx = e.children[0]->type;
  Val x = Lower(*e.children[0]);
  Val acc = Bool(False(), False());
  for (size_t i = 1; i < e.children.size(); ++i) {
    Val item = Lower(*e.children[i]);
    acc = Or(acc, Compare(BinaryOp::kEq, x, item, tx, e.children[i]->type));
  }
  return e.negated ? Not(acc) : acc;
}

}  // namespace pushdown::bpfgen::codegen
