// Limits of the predicate language (docs/LANGUAGE.md, "Errors"). Each one is
// checked by the front end and reported as a diagnostic naming the limit.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pushdown::bpfgen {

inline constexpr size_t kMaxPredicateBytes = 64 * 1024;  // predicate text
// Expression depth: the depth of the parsed tree, where a run of
// left-associative operators of one precedence level (a + b - c,
// x AND y AND z) counts as one level. Folding and normalisation never deepen
// a tree, so the canonical form of a predicate stays within the limit.
inline constexpr int kMaxDepth = 64;
// Syntactic nesting (parentheses, calls, NOT and unary minus prefixes): bounds
// the parser's recursion, also for parentheses that create no node. The
// canonical form nests at most 2 * kMaxDepth + 1 deep, so it always parses.
inline constexpr int kMaxSyntaxNesting = 256;
inline constexpr int kMaxNodes = 4096;            // AST nodes produced by the parser
inline constexpr size_t kMaxLiteralBytes = 4096;  // one string literal
inline constexpr size_t kMaxInList = 1024;        // elements of one IN list
inline constexpr int kMaxDecimalDigits = 18;      // DECIMAL precision

}  // namespace pushdown::bpfgen
