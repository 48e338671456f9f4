#include "bpfgen/lang/predicate.h"

#include <exception>
#include <new>
#include <string>

#include "bpfgen/lang/fold.h"
#include "bpfgen/lang/lexer.h"
#include "bpfgen/lang/normalize.h"
#include "bpfgen/lang/parser.h"
#include "bpfgen/lang/typecheck.h"

namespace pushdown::bpfgen {

// The passes, in order.
Result<ExprPtr> CompileExpr(std::string_view text, const Schema& schema) {
  PD_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));  // lexer.h
  PD_ASSIGN_OR_RETURN(ExprPtr root, Parse(text, tokens));     // parser.h
  PD_RETURN_IF_ERROR(TypeCheck(text, schema, &root));         // typecheck.h
  return root;
}

Result<ExprPtr> CompileExpression(std::string_view text, const Schema& schema) {
  PD_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  PD_ASSIGN_OR_RETURN(ExprPtr root, Parse(text, tokens));
  PD_RETURN_IF_ERROR(TypeCheckExpression(text, schema, &root));
  return root;
}

namespace {

Result<Predicate> CompilePredicateImpl(std::string_view text, const Schema& schema) {
  PD_ASSIGN_OR_RETURN(ExprPtr root, CompileExpr(text, schema));
  FoldConstants(&root);  // fold.h
  Predicate predicate;
  predicate.text = std::string(text);
  predicate.conjuncts = NormalizeConjuncts(std::move(root));  // normalize.h
  return predicate;
}

}  // namespace

Result<Predicate> CompilePredicate(std::string_view text, const Schema& schema) {
  // Nothing here throws but allocation; keep even that inside the module.
  try {
    return CompilePredicateImpl(text, schema);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory compiling the predicate");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("compiling the predicate: ") + e.what());
  }
}

}  // namespace pushdown::bpfgen
