// Pass 2: tokens -> untyped AST, by recursive descent over exactly the grammar
// of docs/LANGUAGE.md. Enforces the depth, node and IN-list limits while
// parsing (so no input can make it recurse deeper than kMaxSyntaxNesting
// levels) and the expression depth limit after it, validates
// literals (integer range, DECIMAL precision, DATE calendar) and reports
// unexpected tokens. A '-' directly before a number literal folds into the
// literal, so INT64_MIN is writable.
#pragma once

#include <string_view>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/lang/lexer.h"
#include "util/status.h"

namespace pushdown::bpfgen {

// REQUIRES: tokens come from Lex(text) (ends with kEnd).
Result<ExprPtr> Parse(std::string_view text, const std::vector<Token>& tokens);

// True if left_child, as the left operand of parent, continues parent's
// left-associative chain (same precedence level: AND; OR; + -; * / %). Such a
// chain counts as one level of depth and prints without nested parentheses.
bool IsSameChain(const Expr& parent, const Expr& left_child);

}  // namespace pushdown::bpfgen
