#include "bpfgen/eval/evaluator.h"

#include <optional>
#include <string>

#include "bpfgen/lang/ops.h"
#include "bpfgen/schema/row_codec.h"

namespace pushdown::bpfgen {

static_assert(static_cast<int>(Function::kI64Be) - static_cast<int>(Function::kU8) ==
                  static_cast<int>(ByteRead::kI64Be),
              "ByteRead mirrors Function::kU8..kI64Be");

// One entry being evaluated: lazily decoded columns.
class Evaluator::Row {
 public:
  Row(const Evaluator& ev, std::string_view key, std::string_view value)
      : ev_(ev), key_(key), value_(value), cache_(ev.schema_.columns.size()) {}

  // The value of column `index`, decoded (or copied, raw mode) at most once.
  Result<Datum> Column(int index) {
    const Schema& s = ev_.schema_;
    if (index < 0 || static_cast<size_t>(index) >= s.columns.size()) {
      return Status::Internal("column index " + std::to_string(index) + " out of range");
    }
    std::optional<Datum>& slot = cache_[index];
    if (!slot) {
      Datum d;
      if (s.raw) {
        d = Datum::String(index == 0 ? key_ : value_);
      } else {
        PD_RETURN_IF_ERROR(DecodeColumn(s, ev_.layout_, value_, index, &d));
      }
      slot = std::move(d);
    }
    return *slot;
  }

 private:
  const Evaluator& ev_;
  std::string_view key_;
  std::string_view value_;
  std::vector<std::optional<Datum>> cache_;
};

namespace {

Datum LiteralDatum(const Expr& e) {
  if (e.literal_null) return Datum::Null();
  switch (e.type.id) {
    case TypeId::kNull:
      return Datum::Null();
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

bool IsBoolValued(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBetween:
    case ExprKind::kIn:
    case ExprKind::kLike:
    case ExprKind::kIsNull:
      return true;
    case ExprKind::kUnary:
      return e.unary_op == UnaryOp::kNot;
    case ExprKind::kBinary:
      return !IsArithmetic(e.binary_op);
    case ExprKind::kCall:
      return e.function == Function::kStartsWith;
    default:
      return false;
  }
}

Tri MaybeNot(Tri t, bool negated) { return negated ? Not(t) : t; }

Status Arity(const Expr& e, size_t n) {
  if (e.children.size() < n) return Status::Internal("malformed expression: missing operands");
  return Status::OK();
}

}  // namespace

Evaluator::Evaluator(const Schema& schema) : schema_(schema) {
  if (!schema_.raw) layout_ = RowLayout::Compute(schema_);
}

Status Evaluator::Begin(std::string_view value) const {
  if (schema_.raw) return Status::OK();
  return ValidateRow(layout_, value);
}

Result<Tri> Evaluator::Eval(const Expr& e, std::string_view user_key,
                            std::string_view value) const {
  PD_RETURN_IF_ERROR(Begin(value));
  Row row(*this, user_key, value);
  return Truth(e, row);
}

Result<Datum> Evaluator::EvalValue(const Expr& e, std::string_view user_key,
                                   std::string_view value) const {
  PD_RETURN_IF_ERROR(Begin(value));
  Row row(*this, user_key, value);
  return Value(e, row);
}

Result<bool> Evaluator::Matches(const std::vector<const Expr*>& conjuncts,
                                std::string_view user_key, std::string_view value) const {
  PD_RETURN_IF_ERROR(Begin(value));
  Row row(*this, user_key, value);
  for (const Expr* c : conjuncts) {
    PD_ASSIGN_OR_RETURN(Tri t, Truth(*c, row));
    if (t != Tri::kTrue) return false;
  }
  return true;
}

Result<bool> Evaluator::Matches(const Predicate& p, std::string_view user_key,
                                std::string_view value) const {
  PD_RETURN_IF_ERROR(Begin(value));
  Row row(*this, user_key, value);
  for (const ExprPtr& c : p.conjuncts) {
    PD_ASSIGN_OR_RETURN(Tri t, Truth(*c, row));
    if (t != Tri::kTrue) return false;
  }
  return true;
}

Result<Tri> Evaluator::Truth(const Expr& e, Row& row) const {
  switch (e.kind) {
    case ExprKind::kUnary:
      if (e.unary_op == UnaryOp::kNot) {
        PD_RETURN_IF_ERROR(Arity(e, 1));
        PD_ASSIGN_OR_RETURN(Tri t, Truth(*e.children[0], row));
        return Not(t);
      }
      break;
    case ExprKind::kBinary:
      if (e.binary_op == BinaryOp::kAnd || e.binary_op == BinaryOp::kOr) {
        PD_RETURN_IF_ERROR(Arity(e, 2));
        const bool is_and = e.binary_op == BinaryOp::kAnd;
        const Tri dominant = is_and ? Tri::kFalse : Tri::kTrue;
        PD_ASSIGN_OR_RETURN(Tri a, Truth(*e.children[0], row));
        if (a == dominant) return a;
        PD_ASSIGN_OR_RETURN(Tri b, Truth(*e.children[1], row));
        return is_and ? And(a, b) : Or(a, b);
      }
      if (!IsArithmetic(e.binary_op)) {
        PD_RETURN_IF_ERROR(Arity(e, 2));
        PD_ASSIGN_OR_RETURN(Datum a, Value(*e.children[0], row));
        PD_ASSIGN_OR_RETURN(Datum b, Value(*e.children[1], row));
        return Compare(ToCmpOp(e.binary_op), a, e.children[0]->type, b, e.children[1]->type);
      }
      break;
    case ExprKind::kBetween: {
      PD_RETURN_IF_ERROR(Arity(e, 3));
      PD_ASSIGN_OR_RETURN(Datum x, Value(*e.children[0], row));
      PD_ASSIGN_OR_RETURN(Datum lo, Value(*e.children[1], row));
      PD_ASSIGN_OR_RETURN(Datum hi, Value(*e.children[2], row));
      return MaybeNot(
          Between(x, e.children[0]->type, lo, e.children[1]->type, hi, e.children[2]->type),
          e.negated);
    }
    case ExprKind::kIn: {
      PD_RETURN_IF_ERROR(Arity(e, 1));
      PD_ASSIGN_OR_RETURN(Datum x, Value(*e.children[0], row));
      std::vector<TypedDatum> items;
      items.reserve(e.children.size() - 1);
      for (size_t i = 1; i < e.children.size(); ++i) {
        PD_ASSIGN_OR_RETURN(Datum item, Value(*e.children[i], row));
        items.push_back({std::move(item), e.children[i]->type});
      }
      return MaybeNot(InList(x, e.children[0]->type, items), e.negated);
    }
    case ExprKind::kLike: {
      PD_RETURN_IF_ERROR(Arity(e, 2));
      PD_ASSIGN_OR_RETURN(Datum s, Value(*e.children[0], row));
      PD_ASSIGN_OR_RETURN(Datum pattern, Value(*e.children[1], row));
      if (pattern.null) return Tri::kNull;
      return MaybeNot(Like(s, e.children[0]->type, pattern.s), e.negated);
    }
    case ExprKind::kIsNull: {
      PD_RETURN_IF_ERROR(Arity(e, 1));
      PD_ASSIGN_OR_RETURN(Datum x, Value(*e.children[0], row));
      return TriFromBool(x.null != e.negated);
    }
    case ExprKind::kCall:
      if (e.function == Function::kStartsWith) {
        PD_RETURN_IF_ERROR(Arity(e, 2));
        PD_ASSIGN_OR_RETURN(Datum s, Value(*e.children[0], row));
        PD_ASSIGN_OR_RETURN(Datum prefix, Value(*e.children[1], row));
        return StartsWith(s, e.children[0]->type, prefix, e.children[1]->type);
      }
      break;
    default:
      break;
  }
  // Literals, columns, casts of BOOL values: read the value as a BOOL.
  PD_ASSIGN_OR_RETURN(Datum v, Value(e, row));
  return ToTri(v);
}

Result<Datum> Evaluator::Value(const Expr& e, Row& row) const {
  if (IsBoolValued(e)) {
    PD_ASSIGN_OR_RETURN(Tri t, Truth(e, row));
    return FromTri(t);
  }
  switch (e.kind) {
    case ExprKind::kLiteral:
      return LiteralDatum(e);
    case ExprKind::kColumn:
      return row.Column(e.column);
    case ExprKind::kCast: {
      PD_RETURN_IF_ERROR(Arity(e, 1));
      PD_ASSIGN_OR_RETURN(Datum v, Value(*e.children[0], row));
      return Cast(v, e.children[0]->type, e.type);
    }
    case ExprKind::kUnary: {  // kNegate (kNot is BOOL-valued)
      PD_RETURN_IF_ERROR(Arity(e, 1));
      PD_ASSIGN_OR_RETURN(Datum v, Value(*e.children[0], row));
      return Negate(v, e.children[0]->type);
    }
    case ExprKind::kBinary: {  // arithmetic (the rest is BOOL-valued)
      PD_RETURN_IF_ERROR(Arity(e, 2));
      PD_ASSIGN_OR_RETURN(Datum a, Value(*e.children[0], row));
      PD_ASSIGN_OR_RETURN(Datum b, Value(*e.children[1], row));
      return Arith(ToArithOp(e.binary_op), a, e.children[0]->type, b, e.children[1]->type, e.type);
    }
    case ExprKind::kCall: {
      PD_RETURN_IF_ERROR(Arity(e, 1));
      PD_ASSIGN_OR_RETURN(Datum s, Value(*e.children[0], row));
      const Type& ts = e.children[0]->type;
      switch (e.function) {
        case Function::kLength:
          return Length(s, ts);
        case Function::kStartsWith:
          break;  // BOOL-valued, handled above
        case Function::kSubstr: {
          PD_RETURN_IF_ERROR(Arity(e, 3));
          PD_ASSIGN_OR_RETURN(Datum off, Value(*e.children[1], row));
          PD_ASSIGN_OR_RETURN(Datum len, Value(*e.children[2], row));
          return Substr(s, ts, off, len);
        }
        default: {
          PD_RETURN_IF_ERROR(Arity(e, 2));
          PD_ASSIGN_OR_RETURN(Datum off, Value(*e.children[1], row));
          const auto r =
              static_cast<ByteRead>(static_cast<int>(e.function) - static_cast<int>(Function::kU8));
          return ReadBytes(r, s, ts, off);
        }
      }
      break;
    }
    default:
      break;
  }
  return Status::Internal("unexpected expression kind in evaluator");
}

}  // namespace pushdown::bpfgen
