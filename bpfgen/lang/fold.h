// Pass 4: constant folding. Every subtree whose operands are all literals is
// replaced by the literal of its value, computed by bpfgen/schema/scalar.h (the
// same implementation the reference evaluator uses, so folding cannot change
// a result). Also exact three-valued shortcuts: an operation on a NULL
// operand is NULL (except AND/OR/IS NULL/IN/BETWEEN bounds); x AND FALSE ->
// FALSE; x AND TRUE -> x; x OR TRUE -> TRUE; x OR FALSE -> x.
// A DECIMAL result that would need more than 18 digits is left unfolded (its
// canonical text would not re-parse), and so is a NULL-valued IN element or
// BETWEEN bound that is not a bare NULL (a bare NULL would be typed by its
// context on re-parse; the subtree's own type can differ, e.g. DOUBLE).
#pragma once

#include "bpfgen/lang/ast.h"

namespace pushdown::bpfgen {

// REQUIRES: *root is type checked. Keeps it type checked.
void FoldConstants(ExprPtr* root);

}  // namespace pushdown::bpfgen
