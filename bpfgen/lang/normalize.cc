#include "bpfgen/lang/normalize.h"

#include <utility>

#include "bpfgen/lang/fold.h"

namespace pushdown::bpfgen {
namespace {

bool IsNot(const Expr& e) { return e.kind == ExprKind::kUnary && e.unary_op == UnaryOp::kNot; }

BinaryOp InvertComparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEq:
      return BinaryOp::kNe;
    case BinaryOp::kNe:
      return BinaryOp::kEq;
    case BinaryOp::kLt:
      return BinaryOp::kGe;
    case BinaryOp::kLe:
      return BinaryOp::kGt;
    case BinaryOp::kGt:
      return BinaryOp::kLe;
    default:
      return BinaryOp::kLt;  // kGe
  }
}

ExprPtr MakeNot(ExprPtr operand, SourceRange op_range) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kUnary;
  e->unary_op = UnaryOp::kNot;
  e->type = Type::Bool();
  e->range = operand->range;
  e->op_range = op_range;
  e->children.push_back(std::move(operand));
  return e;
}

ExprPtr PushNot(ExprPtr e);

// Returns the normalised form of NOT e (e: BOOL).
ExprPtr Negated(ExprPtr e, SourceRange not_range) {
  switch (e->kind) {
    case ExprKind::kUnary:
      if (e->unary_op == UnaryOp::kNot) return PushNot(std::move(e->children[0]));
      break;
    case ExprKind::kBetween:
    case ExprKind::kIn:
    case ExprKind::kLike:
    case ExprKind::kIsNull:
      e->negated = !e->negated;
      return PushNot(std::move(e));
    case ExprKind::kBinary: {
      BinaryOp op = e->binary_op;
      if (op == BinaryOp::kAnd || op == BinaryOp::kOr) {
        e->binary_op = op == BinaryOp::kAnd ? BinaryOp::kOr : BinaryOp::kAnd;
        e->children[0] = Negated(std::move(e->children[0]), not_range);
        e->children[1] = Negated(std::move(e->children[1]), not_range);
        return e;
      }
      if (op >= BinaryOp::kEq && e->children[0]->type.id != TypeId::kDouble &&
          e->children[1]->type.id != TypeId::kDouble) {
        e->binary_op = InvertComparison(op);
        return PushNot(std::move(e));
      }
      break;
    }
    default:
      break;
  }
  return MakeNot(PushNot(std::move(e)), not_range);
}

// Pushes every NOT in e as far in as is exact.
ExprPtr PushNot(ExprPtr e) {
  if (IsNot(*e)) return Negated(std::move(e->children[0]), e->op_range);
  for (ExprPtr& child : e->children) child = PushNot(std::move(child));
  return e;
}

void Flatten(ExprPtr e, std::vector<ExprPtr>* out) {
  if (e->kind == ExprKind::kBinary && e->binary_op == BinaryOp::kAnd) {
    Flatten(std::move(e->children[0]), out);
    Flatten(std::move(e->children[1]), out);
    return;
  }
  out->push_back(std::move(e));
}

ExprPtr FalseLiteral(SourceRange range) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kLiteral;
  e->type = Type::Bool();
  e->range = range;
  e->op_range = range;
  e->literal_int = 0;
  return e;
}

}  // namespace

std::vector<ExprPtr> NormalizeConjuncts(ExprPtr root) {
  root = PushNot(std::move(root));
  // Inverting comparisons can expose new constant shortcuts (NOT over a
  // folded literal never remains, but De Morgan may meet TRUE/FALSE).
  FoldConstants(&root);
  std::vector<ExprPtr> flat;
  Flatten(std::move(root), &flat);
  std::vector<ExprPtr> conjuncts;
  for (ExprPtr& c : flat) {
    if (c->kind == ExprKind::kLiteral) {
      if (!c->literal_null && c->literal_int != 0) continue;  // TRUE
      std::vector<ExprPtr> only_false;
      only_false.push_back(FalseLiteral(c->range));
      return only_false;
    }
    conjuncts.push_back(std::move(c));
  }
  return conjuncts;
}

}  // namespace pushdown::bpfgen
