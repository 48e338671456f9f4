// Renderings of typed expressions beyond the canonical ToString of ast.h.
#pragma once

#include <string>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"

namespace pushdown::bpfgen {

// The expression with every implicit cast made visible and the type of each
// column, literal, cast and operation annotated, e.g.
//   (l_quantity:DECIMAL(15,2) < 24.00:DECIMAL(18,2)):BOOL
//   (CAST(i32col:INT32 AS INT64) + 1:INT64):INT64
// For plans and debugging; not re-parseable.
std::string ToTypedString(const Expr& expr, const Schema& schema);

}  // namespace pushdown::bpfgen
