// Pass 5: normalisation into a flattened top-level conjunction, exact in
// three-valued logic:
//   - NOT is pushed inward: NOT NOT x -> x; NOT (a AND b) -> NOT a OR NOT b
//     and NOT (a OR b) -> NOT a AND NOT b (Kleene De Morgan); NOT of BETWEEN,
//     IN, LIKE, IS NULL toggles `negated`; NOT (a < b) -> a >= b etc., except
//     for DOUBLE operands (NaN: NOT (x < y) is not x >= y);
//   - the top-level AND is flattened into Predicate::conjuncts;
//   - TRUE conjuncts are dropped; a FALSE or NULL conjunct makes the whole
//     predicate the single conjunct FALSE (a row matches only if TRUE).
#pragma once

#include "bpfgen/lang/ast.h"

namespace pushdown::bpfgen {

// REQUIRES: root is type checked and constant folded.
std::vector<ExprPtr> NormalizeConjuncts(ExprPtr root);

}  // namespace pushdown::bpfgen
