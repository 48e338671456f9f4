#include "bpfgen/lang/fold.h"

#include <string>
#include <vector>

#include "bpfgen/lang/ops.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen {
namespace {

bool IsLiteral(const Expr& e) { return e.kind == ExprKind::kLiteral; }
bool IsNullLiteral(const Expr& e) { return e.kind == ExprKind::kLiteral && e.literal_null; }
bool IsBoolLiteral(const Expr& e, bool v) {
  return IsLiteral(e) && !e.literal_null && e.type.id == TypeId::kBool && (e.literal_int != 0) == v;
}

Datum ToDatum(const Expr& e) {
  if (e.literal_null) return Datum::Null();
  switch (e.type.id) {
    case TypeId::kDouble:
      return Datum::Double(e.literal_double);
    case TypeId::kChar:
    case TypeId::kVarchar:
    case TypeId::kBytes:
      return Datum::String(e.literal_string);
    default:
      return Datum::Int(e.literal_int);
  }
}

// The source text of a numeric literal, for a DOUBLE literal folded from it.
std::string NumericText(const Expr& e) {
  if (e.type.id == TypeId::kDecimal) return FormatDecimal(e.literal_int, e.type.scale);
  if (e.type.id == TypeId::kDouble) return e.literal_string;
  return std::to_string(e.literal_int);
}

// Replaces *slot by a literal of its type holding v. Returns false (leaving
// *slot alone) if v cannot be written as a literal of the language.
bool ReplaceWithLiteral(ExprPtr* slot, const Datum& v, std::string double_text = "") {
  Expr& e = **slot;
  auto lit = std::make_unique<Expr>();
  lit->kind = ExprKind::kLiteral;
  lit->type = e.type;
  lit->range = e.range;
  lit->op_range = e.range;
  if (v.null) {
    lit->literal_null = true;
  } else {
    switch (e.type.id) {
      case TypeId::kDouble:
        if (double_text.empty()) return false;
        lit->literal_double = v.d;
        lit->literal_string = std::move(double_text);
        break;
      case TypeId::kChar:
      case TypeId::kVarchar:
      case TypeId::kBytes:
        lit->literal_string = v.s;
        break;
      case TypeId::kDecimal:
        // At most 18 digits, so the printed form re-parses.
        if (v.i <= -kPow10[18] || v.i >= kPow10[18]) return false;
        lit->literal_int = v.i;
        break;
      default:
        lit->literal_int = v.i;
        break;
    }
  }
  *slot = std::move(lit);
  return true;
}

Tri MaybeNot(Tri t, bool negated) { return negated ? Not(t) : t; }

// The value of a node whose children are all literals.
Datum Evaluate(const Expr& e) {
  auto child = [&](size_t i) { return ToDatum(*e.children[i]); };
  auto type = [&](size_t i) { return e.children[i]->type; };
  switch (e.kind) {
    case ExprKind::kLiteral:
      return ToDatum(e);
    case ExprKind::kColumn:
      return Datum::Null();  // never called on columns
    case ExprKind::kCast:
      return Cast(child(0), type(0), e.type);
    case ExprKind::kUnary:
      if (e.unary_op == UnaryOp::kNot) return FromTri(Not(ToTri(child(0))));
      return Negate(child(0), type(0));
    case ExprKind::kBinary:
      if (e.binary_op == BinaryOp::kAnd) return FromTri(And(ToTri(child(0)), ToTri(child(1))));
      if (e.binary_op == BinaryOp::kOr) return FromTri(Or(ToTri(child(0)), ToTri(child(1))));
      if (IsArithmetic(e.binary_op)) {
        return Arith(ToArithOp(e.binary_op), child(0), type(0), child(1), type(1), e.type);
      }
      return FromTri(Compare(ToCmpOp(e.binary_op), child(0), type(0), child(1), type(1)));
    case ExprKind::kBetween:
      return FromTri(
          MaybeNot(Between(child(0), type(0), child(1), type(1), child(2), type(2)), e.negated));
    case ExprKind::kIn: {
      std::vector<TypedDatum> items;
      for (size_t i = 1; i < e.children.size(); ++i) items.push_back({child(i), type(i)});
      return FromTri(MaybeNot(InList(child(0), type(0), items), e.negated));
    }
    case ExprKind::kLike:
      return FromTri(MaybeNot(Like(child(0), type(0), e.children[1]->literal_string), e.negated));
    case ExprKind::kIsNull:
      return Datum::Bool(e.children[0]->literal_null != e.negated);
    case ExprKind::kCall:
      switch (e.function) {
        case Function::kLength:
          return Length(child(0), type(0));
        case Function::kStartsWith:
          return FromTri(StartsWith(child(0), type(0), child(1), type(1)));
        case Function::kSubstr:
          return Substr(child(0), type(0), child(1), child(2));
        default: {
          auto r =
              static_cast<ByteRead>(static_cast<int>(e.function) - static_cast<int>(Function::kU8));
          return ReadBytes(r, child(0), type(0), child(1));
        }
      }
  }
  return Datum::Null();
}

// Operations that are NULL as soon as this operand is NULL.
bool NullIfChildNull(const Expr& e, size_t i) {
  switch (e.kind) {
    case ExprKind::kCast:
    case ExprKind::kUnary:
    case ExprKind::kCall:
      return true;
    case ExprKind::kBinary:
      return !IsLogical(e.binary_op);
    case ExprKind::kBetween:
    case ExprKind::kIn:
    case ExprKind::kLike:
      return i == 0;
    default:
      return false;
  }
}

// Whether child i of e may be replaced by a NULL literal. A bare NULL takes
// its type from its context when the canonical text is compiled again, so a
// NULL-valued subtree may only become a NULL literal where its own type does
// not decide the type of anything else: under a node that turns NULL into a
// BOOL (comparison, LIKE, IS NULL, logic), never as an IN element or BETWEEN
// bound (whose types take part in the common comparison type), and through
// arithmetic, casts and calls only if their parent allows it.
bool ChildMayBecomeNull(const Expr& e, size_t i, bool e_may_become_null) {
  switch (e.kind) {
    case ExprKind::kBetween:
    case ExprKind::kIn:
      return i == 0;
    case ExprKind::kLike:
    case ExprKind::kIsNull:
      return true;
    case ExprKind::kBinary:
      if (!IsArithmetic(e.binary_op)) return true;
      break;
    case ExprKind::kUnary:
      if (e.unary_op == UnaryOp::kNot) return true;
      break;
    default:
      break;
  }
  return e_may_become_null || e.type.id == TypeId::kBool;
}

void Fold(ExprPtr* slot, bool may_become_null) {
  Expr& e = **slot;
  for (size_t i = 0; i < e.children.size(); ++i) {
    Fold(&e.children[i], ChildMayBecomeNull(e, i, may_become_null));
  }
  if (e.kind == ExprKind::kLiteral || e.kind == ExprKind::kColumn) return;
  may_become_null |= e.type.id == TypeId::kBool;

  bool all_literal = true;
  for (size_t i = 0; i < e.children.size(); ++i) {
    const Expr& c = *e.children[i];
    if (IsNullLiteral(c) && NullIfChildNull(e, i)) {
      if (may_become_null) ReplaceWithLiteral(slot, Datum::Null());
      return;
    }
    all_literal &= IsLiteral(c);
  }
  if (all_literal) {
    std::string double_text;
    if (e.kind == ExprKind::kCast && e.type.id == TypeId::kDouble) {
      double_text = NumericText(*e.children[0]);
    }
    Datum v = Evaluate(e);
    if (!v.null || may_become_null) ReplaceWithLiteral(slot, v, std::move(double_text));
    return;
  }
  if (e.kind == ExprKind::kBinary && IsLogical(e.binary_op)) {
    bool is_and = e.binary_op == BinaryOp::kAnd;
    for (size_t i = 0; i < 2; ++i) {
      // x AND FALSE = FALSE, x OR TRUE = TRUE (even for a NULL x).
      if (IsBoolLiteral(*e.children[i], !is_and)) {
        ExprPtr dominant = std::move(e.children[i]);
        *slot = std::move(dominant);
        return;
      }
    }
    for (size_t i = 0; i < 2; ++i) {
      // x AND TRUE = x, x OR FALSE = x.
      if (IsBoolLiteral(*e.children[i], is_and)) {
        ExprPtr other = std::move(e.children[1 - i]);
        *slot = std::move(other);
        return;
      }
    }
  }
}

}  // namespace

void FoldConstants(ExprPtr* root) { Fold(root, /*may_become_null=*/true); }

}  // namespace pushdown::bpfgen
