// The typed predicate AST: what the parser produces, the type checker
// annotates, the folding/normalisation passes rewrite, and the evaluator,
// the pushability split and the code generator consume.
//
// Invariants after type checking (bpfgen/lang/typecheck.h):
//   - every Expr has a result `type` (kNull only for an uncoerced NULL literal);
//   - the whole predicate has type BOOL (or NULL);
//   - comparison operands have been made comparable: numeric operands of
//     different types are wrapped in kCast nodes to a common type (DECIMAL
//     scales aligned), DATE only meets DATE, strings only meet strings.
//     Numeric operands of a comparison, BETWEEN or IN then have the same
//     TypeId and, for DECIMAL, the same scale (precisions may differ: they do
//     not change the representation). Strings of different kinds (CHAR,
//     VARCHAR, BYTES) meet without casts. Arithmetic operands: see
//     typecheck.h (DECIMAL * and / keep their own scales);
//   - kColumn nodes carry a valid index into Schema::columns.
// Invariants after normalisation (bpfgen/lang/normalize.h): Predicate::conjuncts
// holds the top-level AND flattened; no conjunct is itself an AND; constant
// subtrees are folded; BETWEEN is kept as one node (the split pushes it whole).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bpfgen/schema/types.h"

namespace pushdown::bpfgen {

// Byte offsets into the predicate text: [begin, end).
struct SourceRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

enum class ExprKind : uint8_t {
  kLiteral,  // literal_* fields; type says which
  kColumn,   // column: index into Schema::columns (raw mode: 0 = key, 1 = value)
  kCast,     // children[0] converted to `type` (numeric widening, decimal rescale)
  kUnary,    // unary_op, children[0]
  kBinary,   // binary_op, children[0], children[1]
  kBetween,  // children[0] BETWEEN children[1] AND children[2]; negated = NOT BETWEEN
  kIn,       // children[0] IN (children[1..]); negated = NOT IN
  kLike,     // children[0] LIKE children[1] (a string literal pattern); negated
  kIsNull,   // children[0] IS NULL; negated = IS NOT NULL
  kCall,     // function, children = arguments
};

enum class UnaryOp : uint8_t { kNot, kNegate };

enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,  // numeric -> numeric
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,  // any comparable -> BOOL
  kAnd,
  kOr,  // BOOL -> BOOL, three-valued
};

// Raw-mode and string functions (see docs/LANGUAGE.md).
enum class Function : uint8_t {
  kLength,      // length(s) -> INT64
  kStartsWith,  // starts_with(s, 'lit') -> BOOL
  kSubstr,      // substr(s, off, len) -> BYTES/VARCHAR (0-based off)
  kU8,
  kU16Le,
  kU16Be,
  kU32Le,
  kU32Be,
  kU64Le,
  kU64Be,  // unsigned -> INT64 (u64: bit pattern)
  kI32Le,
  kI32Be,
  kI64Le,
  kI64Be,  // signed -> INT64
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Type type;             // result type (set by the type checker)
  SourceRange range;     // where it came from, for diagnostics (the whole expression)
  SourceRange op_range;  // the operator / keyword / function name token (type errors point here)

  UnaryOp unary_op = UnaryOp::kNot;
  BinaryOp binary_op = BinaryOp::kEq;
  Function function = Function::kLength;
  bool negated = false;  // kBetween, kIn, kLike, kIsNull

  std::vector<ExprPtr> children;

  // kColumn
  int column = -1;
  std::string column_name;  // as written (before resolution)

  // kLiteral. literal_null => SQL NULL. Otherwise by type:
  //   BOOL/INT*/DATE/DECIMAL -> literal_int (DECIMAL scaled by 10^scale)
  //   DOUBLE -> literal_double; CHAR/VARCHAR/BYTES -> literal_string
  // A DOUBLE literal only arises from folding a numeric constant into a DOUBLE
  // context (the language has no DOUBLE literal syntax); its literal_string
  // then holds that constant's decimal source form, which the printer emits so
  // that the canonical text re-parses to the same double.
  bool literal_null = false;
  int64_t literal_int = 0;
  double literal_double = 0;
  std::string literal_string;

  ExprPtr Clone() const;
};

// A parsed, type-checked, normalised predicate. An empty conjunct list is TRUE.
struct Predicate {
  std::string text;                // the source, for diagnostics and cache keys
  std::vector<ExprPtr> conjuncts;  // top-level AND, flattened

  Predicate Clone() const;
};

// Renders an expression back to the predicate language (canonical form: every
// operator parenthesised, a left-associative chain of one precedence level
// once -- (a + b - c), (x OR y OR z) --, upper-case keywords, DATE
// 'YYYY-MM-DD', decimals with their scale, implicit casts invisible).
// Compiling the canonical form gives the same canonical form. Used for plans,
// cache keys and tests.
// (Implemented in bpfgen/lang/printer.cc.)
struct Schema;
std::string ToString(const Expr& expr, const Schema& schema);
std::string ToString(const Predicate& predicate, const Schema& schema);

}  // namespace pushdown::bpfgen
