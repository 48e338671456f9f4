#include "bpfgen/lang/ast.h"

namespace pushdown::bpfgen {

ExprPtr Expr::Clone() const {
  auto copy = std::make_unique<Expr>();
  copy->kind = kind;
  copy->type = type;
  copy->range = range;
  copy->op_range = op_range;
  copy->unary_op = unary_op;
  copy->binary_op = binary_op;
  copy->function = function;
  copy->negated = negated;
  copy->children.reserve(children.size());
  for (const ExprPtr& child : children) copy->children.push_back(child->Clone());
  copy->column = column;
  copy->column_name = column_name;
  copy->literal_null = literal_null;
  copy->literal_int = literal_int;
  copy->literal_double = literal_double;
  copy->literal_string = literal_string;
  return copy;
}

Predicate Predicate::Clone() const {
  Predicate copy;
  copy.text = text;
  copy.conjuncts.reserve(conjuncts.size());
  for (const ExprPtr& c : conjuncts) copy.conjuncts.push_back(c->Clone());
  return copy;
}

}  // namespace pushdown::bpfgen
