// Limits of the predicate language (docs/LANGUAGE.md, "Errors"). Each one is
// checked by the front end and reported as a diagnostic naming the limit.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pushdown::bpfgen {

inline constexpr size_t kMaxPredicateBytes = 64 * 1024;  // predicate text
// Nesting depth: parentheses, function calls, NOT and unary minus each open
// one level; a chain of operators at one precedence level (a + b + c,
// x AND y AND z) does not nest. Bounds the parser's recursion.
inline constexpr int kMaxDepth = 64;
inline constexpr int kMaxNodes = 4096;            // AST nodes produced by the parser
inline constexpr size_t kMaxLiteralBytes = 4096;  // one string literal
inline constexpr size_t kMaxInList = 1024;        // elements of one IN list
inline constexpr int kMaxDecimalDigits = 18;      // DECIMAL precision

}  // namespace pushdown::bpfgen
