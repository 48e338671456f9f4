// The front end's entry point: text -> typed, folded, normalised predicate.
#pragma once

#include <string_view>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"
#include "util/status.h"

namespace pushdown::bpfgen {

// Lexes, parses, type checks (against `schema`; Schema::Raw() for raw mode),
// folds constants and normalises `text` (docs/LANGUAGE.md). Every user error
// is Status::InvalidArgument whose message is the full diagnostic:
// "line:column: message\n<source line>\n<caret line>". Never throws, never
// recurses deeper than a fixed bound, whatever the input.
Result<Predicate> CompilePredicate(std::string_view text, const Schema& schema);

// Lex + parse + type check only: the typed AST before folding/normalisation
// (for tests and tools that show the unfolded tree).
Result<ExprPtr> CompileExpr(std::string_view text, const Schema& schema);

// Lex + parse + type check of a value expression of any type (e.g. the
// argument of sum(...)): like CompileExpr without requiring BOOL. Not folded.
Result<ExprPtr> CompileExpression(std::string_view text, const Schema& schema);

}  // namespace pushdown::bpfgen
