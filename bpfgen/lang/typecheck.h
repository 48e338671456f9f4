// Pass 3: resolves columns against the schema (case-insensitive, with a
// "did you mean" hint), gives every node its type, and makes operands
// comparable by inserting kCast nodes (docs/LANGUAGE.md, "Types"):
//   - comparisons, BETWEEN and IN: numeric operands are brought to one type
//     id; DECIMAL operands to one scale (precision may still differ, it does
//     not change the representation); INT32 -> INT64; anything -> DOUBLE if
//     one side is DOUBLE. Strings of any kind compare with strings, DATE with
//     DATE, BOOL with BOOL.
//   - arithmetic: integer -> INT64; with a DECIMAL the integer becomes
//     DECIMAL(18,s); + - % align both scales to max(s1,s2); * and / keep the
//     operand scales (result scale s1+s2, resp. max(s1,s2,6)); the result of
//     DECIMAL arithmetic is DECIMAL(18, result scale).
//   - a NULL literal takes the type its context needs (a bare NULL predicate
//     becomes BOOL).
// A kCast only ever widens: INT32 -> INT64, integer -> DECIMAL(p,s) (scaled by
// 10^s, overflow -> NULL), DECIMAL scale up (overflow -> NULL), integer or
// DECIMAL -> DOUBLE (v / 10^s, IEEE rounding).
#pragma once

#include <string_view>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"
#include "util/status.h"

namespace pushdown::bpfgen {

// REQUIRES: *root came from Parse(text, ...). On error *root is unspecified.
Status TypeCheck(std::string_view text, const Schema& schema, ExprPtr* root);

// Like TypeCheck, for a value expression of any type (an aggregate's
// argument): the root need not be BOOL.
Status TypeCheckExpression(std::string_view text, const Schema& schema, ExprPtr* root);

// Wraps *slot in a kCast to `to` unless it already has that type; a NULL
// literal is retyped in place instead. Used by the type checker and folding.
void CastTo(ExprPtr* slot, Type to);

}  // namespace pushdown::bpfgen
