// ToString: the canonical, re-parseable text of a typed expression. Casts are
// implicit in the language, so a kCast prints as its operand; the type checker
// re-inserts it when the text is compiled again.
#include "bpfgen/lang/printer.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/lang/functions.h"
#include "bpfgen/lang/ops.h"
#include "bpfgen/lang/parser.h"
#include "bpfgen/schema/date.h"
#include "bpfgen/schema/scalar.h"
#include "bpfgen/schema/schema.h"

namespace pushdown::bpfgen {
namespace {

void AppendQuoted(std::string_view s, std::string* out) {
  *out += '\'';
  for (char c : s) {
    if (c == '\'') *out += '\'';
    *out += c;
  }
  *out += '\'';
}

std::string DoubleText(const Expr& e) {
  if (!e.literal_string.empty()) return e.literal_string;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", e.literal_double);
  std::string s = buf;
  if (std::isfinite(e.literal_double) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

void Print(const Expr& e, const Schema& schema, std::string* out);

// The operands and operators of a left-associative chain, without the outer
// parentheses: (a + b - c) rather than ((a + b) - c). Iterative, so a long
// chain does not recurse.
void PrintChain(const Expr& e, const Schema& schema, std::string* out) {
  std::vector<const Expr*> chain;  // innermost first
  const Expr* node = &e;
  while (true) {
    chain.push_back(node);
    const Expr& left = *node->children[0];
    if (left.kind != ExprKind::kBinary || !IsSameChain(*node, left)) break;
    node = &left;
  }
  Print(*chain.back()->children[0], schema, out);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    *out += ' ';
    *out += BinaryOpText((*it)->binary_op);
    *out += ' ';
    Print(*(*it)->children[1], schema, out);
  }
}

void Print(const Expr& e, const Schema& schema, std::string* out) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      if (e.literal_null) {
        *out += "NULL";
        return;
      }
      switch (e.type.id) {
        case TypeId::kBool:
          *out += e.literal_int ? "TRUE" : "FALSE";
          return;
        case TypeId::kDecimal:
          *out += FormatDecimal(e.literal_int, e.type.scale);
          return;
        case TypeId::kDate:
          *out += "DATE '" + FormatDate(static_cast<int32_t>(e.literal_int)) + "'";
          return;
        case TypeId::kDouble:
          *out += DoubleText(e);
          return;
        case TypeId::kChar:
        case TypeId::kVarchar:
        case TypeId::kBytes:
          AppendQuoted(e.literal_string, out);
          return;
        default:
          *out += std::to_string(e.literal_int);
          return;
      }
    case ExprKind::kColumn:
      if (e.column >= 0 && static_cast<size_t>(e.column) < schema.columns.size()) {
        *out += schema.columns[e.column].name;
      } else {
        *out += e.column_name;
      }
      return;
    case ExprKind::kCast:
      Print(*e.children[0], schema, out);
      return;
    case ExprKind::kUnary:
      *out += e.unary_op == UnaryOp::kNot ? "(NOT " : "(-";
      Print(*e.children[0], schema, out);
      *out += ')';
      return;
    case ExprKind::kBinary:
      *out += '(';
      PrintChain(e, schema, out);
      *out += ')';
      return;
    case ExprKind::kBetween:
      *out += '(';
      Print(*e.children[0], schema, out);
      *out += e.negated ? " NOT BETWEEN " : " BETWEEN ";
      Print(*e.children[1], schema, out);
      *out += " AND ";
      Print(*e.children[2], schema, out);
      *out += ')';
      return;
    case ExprKind::kIn:
      *out += '(';
      Print(*e.children[0], schema, out);
      *out += e.negated ? " NOT IN (" : " IN (";
      for (size_t i = 1; i < e.children.size(); ++i) {
        if (i > 1) *out += ", ";
        Print(*e.children[i], schema, out);
      }
      *out += "))";
      return;
    case ExprKind::kLike:
      *out += '(';
      Print(*e.children[0], schema, out);
      *out += e.negated ? " NOT LIKE " : " LIKE ";
      Print(*e.children[1], schema, out);
      *out += ')';
      return;
    case ExprKind::kIsNull:
      *out += '(';
      Print(*e.children[0], schema, out);
      *out += e.negated ? " IS NOT NULL)" : " IS NULL)";
      return;
    case ExprKind::kCall:
      *out += GetFunctionInfo(e.function).name;
      *out += '(';
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) *out += ", ";
        Print(*e.children[i], schema, out);
      }
      *out += ')';
      return;
  }
}

std::string TypeName(const Type& t) { return t.id == TypeId::kNull ? "NULL" : t.ToString(); }

void PrintTyped(const Expr& e, const Schema& schema, std::string* out) {
  switch (e.kind) {
    case ExprKind::kLiteral:
    case ExprKind::kColumn:
      Print(e, schema, out);
      break;
    case ExprKind::kCast:
      *out += "CAST(";
      PrintTyped(*e.children[0], schema, out);
      *out += " AS " + TypeName(e.type) + ")";
      return;
    case ExprKind::kUnary:
      *out += e.unary_op == UnaryOp::kNot ? "(NOT " : "(-";
      PrintTyped(*e.children[0], schema, out);
      *out += ')';
      break;
    case ExprKind::kBinary:
      *out += '(';
      PrintTyped(*e.children[0], schema, out);
      *out += ' ';
      *out += BinaryOpText(e.binary_op);
      *out += ' ';
      PrintTyped(*e.children[1], schema, out);
      *out += ')';
      break;
    case ExprKind::kBetween:
      *out += '(';
      PrintTyped(*e.children[0], schema, out);
      *out += e.negated ? " NOT BETWEEN " : " BETWEEN ";
      PrintTyped(*e.children[1], schema, out);
      *out += " AND ";
      PrintTyped(*e.children[2], schema, out);
      *out += ')';
      break;
    case ExprKind::kIn:
      *out += '(';
      PrintTyped(*e.children[0], schema, out);
      *out += e.negated ? " NOT IN (" : " IN (";
      for (size_t i = 1; i < e.children.size(); ++i) {
        if (i > 1) *out += ", ";
        PrintTyped(*e.children[i], schema, out);
      }
      *out += "))";
      break;
    case ExprKind::kLike:
      *out += '(';
      PrintTyped(*e.children[0], schema, out);
      *out += e.negated ? " NOT LIKE " : " LIKE ";
      Print(*e.children[1], schema, out);
      *out += ')';
      break;
    case ExprKind::kIsNull:
      *out += '(';
      PrintTyped(*e.children[0], schema, out);
      *out += e.negated ? " IS NOT NULL)" : " IS NULL)";
      break;
    case ExprKind::kCall:
      *out += GetFunctionInfo(e.function).name;
      *out += '(';
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) *out += ", ";
        PrintTyped(*e.children[i], schema, out);
      }
      *out += ')';
      break;
  }
  *out += ':' + TypeName(e.type);
}

}  // namespace

std::string ToTypedString(const Expr& expr, const Schema& schema) {
  std::string out;
  PrintTyped(expr, schema, &out);
  return out;
}

std::string ToString(const Expr& expr, const Schema& schema) {
  std::string out;
  Print(expr, schema, &out);
  return out;
}

std::string ToString(const Predicate& predicate, const Schema& schema) {
  if (predicate.conjuncts.empty()) return "TRUE";
  std::string out;
  for (size_t i = 0; i < predicate.conjuncts.size(); ++i) {
    if (i > 0) out += " AND ";
    Print(*predicate.conjuncts[i], schema, &out);
  }
  return out;
}

}  // namespace pushdown::bpfgen
