#include "bpfgen/lang/ops.h"

namespace pushdown::bpfgen {

const char* BinaryOpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kEq:
      return "=";
    case BinaryOp::kNe:
      return "<>";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kLe:
      return "<=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kAnd:
      return "AND";
    case BinaryOp::kOr:
      return "OR";
  }
  return "?";
}

ArithOp ToArithOp(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return ArithOp::kAdd;
    case BinaryOp::kSub:
      return ArithOp::kSub;
    case BinaryOp::kMul:
      return ArithOp::kMul;
    case BinaryOp::kDiv:
      return ArithOp::kDiv;
    default:
      return ArithOp::kMod;
  }
}

CmpOp ToCmpOp(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEq:
      return CmpOp::kEq;
    case BinaryOp::kNe:
      return CmpOp::kNe;
    case BinaryOp::kLt:
      return CmpOp::kLt;
    case BinaryOp::kLe:
      return CmpOp::kLe;
    case BinaryOp::kGt:
      return CmpOp::kGt;
    default:
      return CmpOp::kGe;
  }
}

}  // namespace pushdown::bpfgen
