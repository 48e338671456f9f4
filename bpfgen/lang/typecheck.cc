#include "bpfgen/lang/typecheck.h"

#include <algorithm>
#include <string>

#include "bpfgen/lang/diagnostic.h"
#include "bpfgen/lang/functions.h"
#include "bpfgen/lang/ops.h"
#include "bpfgen/schema/date.h"

namespace pushdown::bpfgen {
namespace {

enum class Category { kNull, kBool, kNumeric, kDate, kString };

Category CategoryOf(const Type& t) {
  if (t.id == TypeId::kNull) return Category::kNull;
  if (t.id == TypeId::kBool) return Category::kBool;
  if (t.id == TypeId::kDate) return Category::kDate;
  if (t.IsNumeric()) return Category::kNumeric;
  return Category::kString;
}

bool IsNullLiteral(const Expr& e) { return e.kind == ExprKind::kLiteral && e.literal_null; }

class Checker {
 public:
  Checker(std::string_view text, const Schema& schema) : text_(text), schema_(schema) {}

  Status CheckPredicate(ExprPtr* root) {
    PD_RETURN_IF_ERROR(Check(root));
    return RequireBool(root, "predicate");
  }
  Status CheckExpression(ExprPtr* root) { return Check(root); }

 private:
  Status Error(SourceRange r, const std::string& msg) { return Diagnostic(text_, r, msg); }

  // The operand must be BOOL (a NULL literal becomes a BOOL NULL).
  Status RequireBool(ExprPtr* slot, std::string_view what) {
    Expr& e = **slot;
    if (e.type.id == TypeId::kBool) return Status::OK();
    if (e.type.id == TypeId::kNull) {
      CastTo(slot, Type::Bool());
      return Status::OK();
    }
    return Error(e.range, std::string(what) + " must be BOOL, got " + e.type.ToString());
  }

  Status Check(ExprPtr* slot) {
    Expr& e = **slot;
    for (ExprPtr& child : e.children) PD_RETURN_IF_ERROR(Check(&child));
    switch (e.kind) {
      case ExprKind::kLiteral:
        return Status::OK();  // typed by the parser
      case ExprKind::kColumn:
        return ResolveColumn(&e);
      case ExprKind::kCast:
        return Status::OK();
      case ExprKind::kUnary:
        return CheckUnary(&e);
      case ExprKind::kBinary:
        return CheckBinary(&e);
      case ExprKind::kBetween:
      case ExprKind::kIn:
        PD_RETURN_IF_ERROR(MakeComparable(&e, 0, e.children.size()));
        e.type = Type::Bool();
        return Status::OK();
      case ExprKind::kLike:
        return CheckLike(&e);
      case ExprKind::kIsNull:
        e.type = Type::Bool();
        return Status::OK();
      case ExprKind::kCall:
        return CheckCall(&e);
    }
    return Status::Internal("unknown expression kind");
  }

  Status ResolveColumn(Expr* e) {
    for (size_t i = 0; i < schema_.columns.size(); ++i) {
      const std::string& name = schema_.columns[i].name;
      if (name.size() == e->column_name.size() && EditDistance(name, e->column_name) == 0) {
        e->column = static_cast<int>(i);
        e->type = schema_.columns[i].type;
        return Status::OK();
      }
    }
    std::string msg = "unknown column '" + e->column_name + "'";
    std::string best;
    size_t best_distance = std::max<size_t>(3, e->column_name.size() / 3 + 1);
    for (const Column& c : schema_.columns) {
      size_t d = EditDistance(c.name, e->column_name);
      if (d < best_distance && d < e->column_name.size()) {
        best_distance = d;
        best = c.name;
      }
    }
    if (!best.empty()) {
      msg += " (did you mean '" + best + "'?)";
    } else if (schema_.raw) {
      msg += " (raw mode has only 'key' and 'value')";
    }
    return Error(e->range, msg);
  }

  Status CheckUnary(Expr* e) {
    if (e->unary_op == UnaryOp::kNot) {
      PD_RETURN_IF_ERROR(RequireBool(&e->children[0], "NOT operand"));
      e->type = Type::Bool();
      return Status::OK();
    }
    Type t = e->children[0]->type;
    if (t.id == TypeId::kNull) t = Type::Int64();
    if (!t.IsNumeric()) {
      return Error(e->op_range, "unary '-' needs a numeric operand, got " + t.ToString());
    }
    if (t.IsIntegral()) t = Type::Int64();
    CastTo(&e->children[0], t);
    e->type = t;
    return Status::OK();
  }

  Status CheckBinary(Expr* e) {
    BinaryOp op = e->binary_op;
    if (op == BinaryOp::kAnd || op == BinaryOp::kOr) {
      std::string what = std::string(BinaryOpText(op)) + " operand";
      PD_RETURN_IF_ERROR(RequireBool(&e->children[0], what));
      PD_RETURN_IF_ERROR(RequireBool(&e->children[1], what));
      e->type = Type::Bool();
      return Status::OK();
    }
    if (op >= BinaryOp::kEq) {
      PD_RETURN_IF_ERROR(MakeComparable(e, 0, 2));
      e->type = Type::Bool();
      return Status::OK();
    }
    return CheckArithmetic(e);
  }

  Status CheckArithmetic(Expr* e) {
    BinaryOp op = e->binary_op;
    ExprPtr& l = e->children[0];
    ExprPtr& r = e->children[1];
    Type lt = l->type, rt = r->type;
    for (const Type* t : {&lt, &rt}) {
      if (t->id != TypeId::kNull && !t->IsNumeric()) {
        return Error(e->op_range, std::string("operator '") + BinaryOpText(op) +
                                      "' needs numeric operands, got " + Describe(lt) + " and " +
                                      Describe(rt));
      }
    }
    // A NULL operand takes the other's type (INT64 if both are NULL).
    if (lt.id == TypeId::kNull) lt = rt.id == TypeId::kNull ? Type::Int64() : rt;
    if (rt.id == TypeId::kNull) rt = lt;
    if (lt.IsIntegral()) lt = Type::Int64();
    if (rt.IsIntegral()) rt = Type::Int64();

    Type result;
    if (lt.id == TypeId::kDouble || rt.id == TypeId::kDouble) {
      lt = rt = result = Type::Double();
    } else if (lt.id == TypeId::kDecimal || rt.id == TypeId::kDecimal) {
      if (lt.id != TypeId::kDecimal) lt = Type::Decimal(18, rt.scale);
      if (rt.id != TypeId::kDecimal) rt = Type::Decimal(18, lt.scale);
      int s1 = lt.scale, s2 = rt.scale;
      switch (op) {
        case BinaryOp::kAdd:
        case BinaryOp::kSub:
        case BinaryOp::kMod: {
          int s = std::max(s1, s2);
          lt = Rescale(lt, s);
          rt = Rescale(rt, s);
          result = Type::Decimal(18, s);
          break;
        }
        case BinaryOp::kMul:
          if (s1 + s2 > 18) {
            return Error(e->op_range, "DECIMAL product has scale " + std::to_string(s1 + s2) +
                                          " (" + lt.ToString() + " * " + rt.ToString() +
                                          "); the limit is 18");
          }
          result = Type::Decimal(18, s1 + s2);
          break;
        default:  // kDiv
          result = Type::Decimal(18, std::max({s1, s2, 6}));
          break;
      }
    } else {
      result = Type::Int64();
    }
    CastTo(&l, lt);
    CastTo(&r, rt);
    e->type = result;
    return Status::OK();
  }

  static Type Rescale(Type t, int s) {
    if (t.scale == s) return t;
    return Type::Decimal(std::min(18, t.precision + (s - t.scale)), s);
  }

  static std::string Describe(const Type& t) {
    return t.id == TypeId::kNull ? "NULL" : t.ToString();
  }

  // " (did you mean DATE '1994-01-01'?)" when a DATE meets a string literal
  // that is a valid date.
  static std::string DateHint(const Expr& e, size_t begin, size_t end, bool date_involved) {
    if (!date_involved) return "";
    for (size_t i = begin; i < end; ++i) {
      const Expr& c = *e.children[i];
      int32_t days;
      if (c.kind == ExprKind::kLiteral && !c.literal_null && c.type.IsString() &&
          ParseDate(c.literal_string, &days)) {
        return " (did you mean DATE '" + c.literal_string + "'?)";
      }
    }
    return "";
  }

  // Brings children [begin, end) of e to one comparable type.
  Status MakeComparable(Expr* e, size_t begin, size_t end) {
    const Type* first = nullptr;
    Category cat = Category::kNull;
    bool any_double = false, any_decimal = false, any_int64 = false;
    int scale = 0;
    for (size_t i = begin; i < end; ++i) {
      const Type& t = e->children[i]->type;
      Category c = CategoryOf(t);
      if (c == Category::kNull) continue;
      if (first == nullptr) {
        first = &t;
        cat = c;
      } else if (c != cat) {
        return Error(e->op_range,
                     "cannot compare " + first->ToString() + " with " + t.ToString() +
                         DateHint(*e, begin, end, cat == Category::kDate || c == Category::kDate));
      }
      any_double |= t.id == TypeId::kDouble;
      any_decimal |= t.id == TypeId::kDecimal;
      any_int64 |= t.id == TypeId::kInt64;
      if (t.id == TypeId::kDecimal) scale = std::max<int>(scale, t.scale);
    }
    if (first == nullptr) return Status::OK();  // all NULL: folds to NULL
    Type null_type = *first;
    if (cat == Category::kNumeric) {
      for (size_t i = begin; i < end; ++i) {
        ExprPtr& slot = e->children[i];
        Type t = slot->type;
        if (t.id == TypeId::kNull) continue;
        Type to = t;
        if (any_double) {
          to = Type::Double();
        } else if (any_decimal) {
          to = t.id == TypeId::kDecimal ? Rescale(t, scale) : Type::Decimal(18, scale);
        } else if (any_int64) {
          to = Type::Int64();
        }
        CastTo(&slot, to);
        if (i == begin || null_type.id == TypeId::kNull) null_type = to;
      }
      // The first non-NULL operand's final type.
      for (size_t i = begin; i < end; ++i) {
        if (!IsNullLiteral(*e->children[i])) {
          null_type = e->children[i]->type;
          break;
        }
      }
    }
    for (size_t i = begin; i < end; ++i) {
      if (IsNullLiteral(*e->children[i])) e->children[i]->type = null_type;
    }
    return Status::OK();
  }

  Status CheckLike(Expr* e) {
    ExprPtr& s = e->children[0];
    if (s->type.id == TypeId::kNull) {
      s->type = Type::Varchar(0);
    } else if (!s->type.IsString()) {
      return Error(e->op_range, "LIKE needs a string operand, got " + s->type.ToString());
    }
    e->type = Type::Bool();
    return Status::OK();
  }

  Status CheckCall(Expr* e) {
    const FunctionInfo& info = GetFunctionInfo(e->function);
    if (static_cast<int>(e->children.size()) != info.arity) {
      return Error(e->op_range, std::string(info.name) + " takes " + std::to_string(info.arity) +
                                    (info.arity == 1 ? " argument" : " arguments") + ", got " +
                                    std::to_string(e->children.size()));
    }
    for (int i = 0; i < info.arity; ++i) {
      ExprPtr& arg = e->children[i];
      Type t = arg->type;
      std::string where = std::string(info.name) + " argument " + std::to_string(i + 1);
      switch (info.args[i]) {
        case ArgKind::kString:
          if (t.id == TypeId::kNull) {
            arg->type = Type::Bytes();
          } else if (!t.IsString()) {
            return Error(arg->range, where + " must be a string, got " + t.ToString());
          }
          break;
        case ArgKind::kInteger:
          if (t.id == TypeId::kNull) {
            arg->type = Type::Int64();
          } else if (!t.IsIntegral()) {
            return Error(arg->range, where + " must be an integer, got " + t.ToString());
          } else {
            CastTo(&arg, Type::Int64());
          }
          break;
        case ArgKind::kStringLiteral:
          if (arg->kind != ExprKind::kLiteral || arg->literal_null || !t.IsString()) {
            return Error(arg->range, where + " must be a string literal");
          }
          break;
      }
    }
    switch (e->function) {
      case Function::kStartsWith:
        e->type = Type::Bool();
        break;
      case Function::kSubstr:
        e->type = e->children[0]->type;
        break;
      default:
        e->type = Type::Int64();
        break;
    }
    return Status::OK();
  }

  std::string_view text_;
  const Schema& schema_;
};

}  // namespace

void CastTo(ExprPtr* slot, Type to) {
  Expr& e = **slot;
  if (e.type == to) return;
  if (e.kind == ExprKind::kLiteral && e.literal_null) {
    e.type = to;
    return;
  }
  auto cast = std::make_unique<Expr>();
  cast->kind = ExprKind::kCast;
  cast->type = to;
  cast->range = e.range;
  cast->op_range = e.range;
  cast->children.push_back(std::move(*slot));
  *slot = std::move(cast);
}

Status TypeCheck(std::string_view text, const Schema& schema, ExprPtr* root) {
  Checker checker(text, schema);
  return checker.CheckPredicate(root);
}

Status TypeCheckExpression(std::string_view text, const Schema& schema, ExprPtr* root) {
  Checker checker(text, schema);
  return checker.CheckExpression(root);
}

}  // namespace pushdown::bpfgen
