// Classification of binary operators, their source text, and their mapping
// onto the value semantics of bpfgen/schema/scalar.h: one table shared by the
// type checker, the printer, constant folding and the reference evaluator.
#pragma once

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen {

inline bool IsArithmetic(BinaryOp op) { return op <= BinaryOp::kMod; }
inline bool IsLogical(BinaryOp op) { return op == BinaryOp::kAnd || op == BinaryOp::kOr; }
inline bool IsComparison(BinaryOp op) { return !IsArithmetic(op) && !IsLogical(op); }

// The operator as written in canonical source ("+", "<>", "AND", ...).
const char* BinaryOpText(BinaryOp op);

// REQUIRES: IsArithmetic(op)
ArithOp ToArithOp(BinaryOp op);
// REQUIRES: IsComparison(op)
CmpOp ToCmpOp(BinaryOp op);

}  // namespace pushdown::bpfgen
