// Pass 2: tokens -> untyped AST, by recursive descent over exactly the grammar
// of docs/LANGUAGE.md. Enforces the depth, node and IN-list limits while
// parsing (so no input can make it recurse deeper than kMaxSyntaxNesting
// levels) and the expression depth limit after it, validates
// literals (integer range, DECIMAL precision, DATE calendar) and reports
// unexpected tokens. A '-' directly before a number literal folds into the
// literal, so INT64_MIN is writable.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/lang/lexer.h"
#include "util/status.h"

namespace pushdown::bpfgen {

// REQUIRES: tokens come from Lex(text) (ends with kEnd).
Result<ExprPtr> Parse(std::string_view text, const std::vector<Token>& tokens);

// An aggregate call met by ParseExpressionPrefix: count(*), count(e),
// count(DISTINCT e), sum(e), avg(e), min(e), max(e) (names case-insensitive).
struct AggregateCall {
  std::string name;  // lower case: "count", "sum", "avg", "min", "max"
  bool star = false;
  bool distinct = false;
  ExprPtr arg;        // null for count(*); untyped (as parsed)
  SourceRange range;  // the whole call
  SourceRange name_range;
};
// Receives an aggregate call and returns the name of the column that stands
// for its value in the parsed tree (a kColumn node spanning the call), or an
// error (e.g. "aggregate functions are not allowed in WHERE").
using AggregateHook = std::function<Result<std::string>(AggregateCall call)>;

// Parses one expression starting at tokens[*pos] and stops before the first
// token that cannot continue it (',', a keyword such as FROM, kEnd...),
// leaving *pos there. With `hook`, the names count/sum/avg/min/max followed by
// '(' are aggregate calls handed to it (nested aggregates are an error);
// without it they are unknown functions, as in the predicate language.
// Same limits as Parse. REQUIRES: tokens come from Lex (end with kEnd).
Result<ExprPtr> ParseExpressionPrefix(std::string_view text, const std::vector<Token>& tokens,
                                      size_t* pos, const AggregateHook* hook);

// True if left_child, as the left operand of parent, continues parent's
// left-associative chain (same precedence level: AND; OR; + -; * / %). Such a
// chain counts as one level of depth and prints without nested parentheses.
bool IsSameChain(const Expr& parent, const Expr& left_child);

}  // namespace pushdown::bpfgen
