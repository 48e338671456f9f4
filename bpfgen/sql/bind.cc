#include "bpfgen/sql/bind.h"

#include <cctype>
#include <cstring>

#include "bpfgen/lang/diagnostic.h"
#include "bpfgen/lang/typecheck.h"

namespace pushdown::bpfgen::sql {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string GroupColumn(size_t i) { return "$g" + std::to_string(i); }

ExprPtr ColumnNode(std::string name, SourceRange range) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kColumn;
  e->column_name = std::move(name);
  e->range = range;
  e->op_range = range;
  return e;
}

class Binder {
 public:
  Binder(SelectStatement st, const Schema& schema) : st_(std::move(st)), schema_(schema) {}

  Result<BoundQuery> Run() {
    BoundQuery q;
    q.text = st_.text;
    q.input_schema = schema_;
    q.where_text = st_.where_text;
    q.limit = st_.limit;
    q.offset = st_.offset;
    if (st_.where) {
      ExprPtr w = st_.where->Clone();
      PD_RETURN_IF_ERROR(TypeCheck(st_.text, schema_, &w));
    }
    PD_RETURN_IF_ERROR(ExpandItems());
    q.aggregate = st_.has_group_by || st_.having || !st_.aggregates.empty() || st_.distinct;
    if (st_.distinct && (st_.has_group_by || !st_.aggregates.empty())) {
      return Diagnostic(st_.text, st_.items.front().range,
                        "SELECT DISTINCT with GROUP BY or aggregates is not supported");
    }
    // ORDER BY: an ordinal or an output alias stands for that output.
    std::vector<ExprPtr> order;
    for (OrderKey& k : st_.order_by) {
      PD_ASSIGN_OR_RETURN(ExprPtr e, ResolveOutputRef(std::move(k.expr), /*group_by=*/false));
      order.push_back(std::move(e));
    }
    if (!q.aggregate) {
      for (Output& o : outputs_) {
        PD_RETURN_IF_ERROR(TypeCheckExpression(st_.text, schema_, &o.expr));
      }
      for (ExprPtr& e : order) PD_RETURN_IF_ERROR(TypeCheckExpression(st_.text, schema_, &e));
    } else {
      PD_RETURN_IF_ERROR(BindGroups(&q));
      for (Output& o : outputs_) {
        PD_RETURN_IF_ERROR(RewriteOverGroups(&o.expr));
        PD_RETURN_IF_ERROR(TypeCheckExpression(st_.text, q.group_schema, &o.expr));
      }
      if (st_.having) {
        q.having = std::move(st_.having);
        PD_RETURN_IF_ERROR(RewriteOverGroups(&q.having));
        PD_RETURN_IF_ERROR(TypeCheck(st_.text, q.group_schema, &q.having));
      }
      for (ExprPtr& e : order) {
        PD_RETURN_IF_ERROR(RewriteOverGroups(&e));
        PD_RETURN_IF_ERROR(TypeCheckExpression(st_.text, q.group_schema, &e));
      }
    }
    for (size_t i = 0; i < order.size(); ++i) {
      BoundOrderKey key;
      key.expr = std::move(order[i]);
      key.desc = st_.order_by[i].desc;
      // NULLs are the smallest value: first ascending, last descending.
      key.nulls_first = st_.order_by[i].nulls_first.value_or(!key.desc);
      q.order_by.push_back(std::move(key));
    }
    for (Output& o : outputs_) {
      q.names.push_back(o.name);
      q.types.push_back(o.expr->type);
      q.outputs.push_back(std::move(o.expr));
    }
    return q;
  }

 private:
  struct Output {
    std::string name;
    ExprPtr expr;  // untyped until bound
    std::string alias;
  };

  // '*' becomes one column reference per column of the source.
  Status ExpandItems() {
    for (SelectItem& item : st_.items) {
      if (item.star) {
        if (st_.has_group_by || !st_.aggregates.empty()) {
          return Diagnostic(st_.text, item.range,
                            "SELECT * cannot be combined with GROUP BY or aggregates");
        }
        for (const Column& c : schema_.columns) {
          outputs_.push_back({c.name, ColumnNode(c.name, item.range), ""});
        }
        continue;
      }
      Output o;
      o.name = item.alias.empty() ? item.text : item.alias;
      o.alias = item.alias;
      o.expr = std::move(item.expr);
      outputs_.push_back(std::move(o));
    }
    return Status::OK();
  }

  // An ORDER BY / GROUP BY key that is an ordinal (1-based position in the
  // select list) or an output alias is replaced by (a copy of) that output's
  // expression. GROUP BY prefers a table column over an alias of the same
  // name; ORDER BY prefers the alias (as SQLite and PostgreSQL do).
  Result<ExprPtr> ResolveOutputRef(ExprPtr e, bool group_by) {
    if (e->kind == ExprKind::kLiteral && !e->literal_null && e->type.id == TypeId::kInt64 &&
        e->range.end > e->range.begin && st_.text[e->range.begin] != '-') {
      const int64_t n = e->literal_int;
      if (n < 1 || static_cast<uint64_t>(n) > outputs_.size()) {
        return Diagnostic(st_.text, e->range,
                          std::string(group_by ? "GROUP BY" : "ORDER BY") + " position " +
                              std::to_string(n) + " is not in 1.." +
                              std::to_string(outputs_.size()));
      }
      return CheckedOutputCopy(outputs_[n - 1], e->range, group_by);
    }
    if (e->kind == ExprKind::kColumn && AggregateIndex(e->column_name) < 0) {
      if (group_by && schema_.FindColumn(e->column_name) >= 0) return e;
      for (const Output& o : outputs_) {
        if (!o.alias.empty() && EqualsIgnoreCase(o.alias, e->column_name)) {
          return CheckedOutputCopy(o, e->range, group_by);
        }
      }
    }
    return e;
  }

  Result<ExprPtr> CheckedOutputCopy(const Output& o, SourceRange at, bool group_by) {
    if (group_by && MentionsAggregate(*o.expr)) {
      return Diagnostic(st_.text, at, "GROUP BY cannot name an aggregate output");
    }
    return o.expr->Clone();
  }

  static bool MentionsAggregate(const Expr& e) {
    if (e.kind == ExprKind::kColumn && AggregateIndex(e.column_name) >= 0) return true;
    for (const ExprPtr& c : e.children) {
      if (MentionsAggregate(*c)) return true;
    }
    return false;
  }

  Status BindGroups(BoundQuery* q) {
    if (st_.distinct) {
      for (const Output& o : outputs_) groups_.push_back(o.expr->Clone());
    } else {
      for (ExprPtr& g : st_.group_by) {
        PD_ASSIGN_OR_RETURN(ExprPtr e, ResolveOutputRef(std::move(g), /*group_by=*/true));
        groups_.push_back(std::move(e));
      }
    }
    for (size_t i = 0; i < groups_.size(); ++i) {
      ExprPtr typed = groups_[i]->Clone();
      PD_RETURN_IF_ERROR(TypeCheckExpression(st_.text, schema_, &typed));
      Column c;
      c.name = GroupColumn(i);
      c.type = typed->type.id == TypeId::kNull ? Type::Int64() : typed->type;
      q->group_schema.columns.push_back(c);
      q->group_by.push_back(std::move(typed));
    }
    for (size_t i = 0; i < st_.aggregates.size(); ++i) {
      AggregateCall& call = st_.aggregates[i];
      PD_ASSIGN_OR_RETURN(BoundAggregate a, BindAggregate(call, st_.aggregate_texts[i]));
      Column c;
      c.name = AggregateColumn(i);
      c.type = a.type;
      q->group_schema.columns.push_back(c);
      q->aggregates.push_back(std::move(a));
    }
    if (q->group_schema.columns.empty()) {
      // HAVING over constants only: a group row with no columns still needs
      // one column to encode.
      Column c;
      c.name = "$none";
      c.type = Type::Int64();
      q->group_schema.columns.push_back(c);
    }
    return Status::OK();
  }

  Result<BoundAggregate> BindAggregate(AggregateCall& call, const std::string& text) {
    BoundAggregate a;
    a.text = text;
    a.distinct = call.distinct;
    if (call.star) {
      a.kind = AggKind::kCountStar;
      a.type = Type::Int64();
      return a;
    }
    a.arg = std::move(call.arg);
    PD_RETURN_IF_ERROR(TypeCheckExpression(st_.text, schema_, &a.arg));
    const Type t = a.arg->type;
    auto bad = [&](std::string_view needs) {
      return Diagnostic(st_.text, call.name_range,
                        call.name + " of " + t.ToString() + " (needs " + std::string(needs) + ")");
    };
    if (call.name == "count") {
      a.kind = AggKind::kCount;
      a.type = Type::Int64();
    } else if (call.name == "sum" || call.name == "avg") {
      const bool avg = call.name == "avg";
      a.kind = avg ? AggKind::kAvg : AggKind::kSum;
      if (t.id == TypeId::kDecimal) {
        a.type = Type::Decimal(18, avg ? std::min(t.scale + 6, 18) : t.scale);
      } else if (t.IsIntegral()) {
        a.type = avg ? Type::Double() : Type::Int64();
      } else if (t.id == TypeId::kDouble) {
        a.type = Type::Double();
      } else {
        return bad("a numeric expression");
      }
    } else {
      a.kind = call.name == "min" ? AggKind::kMin : AggKind::kMax;
      if (t.id == TypeId::kNull) return bad("a typed expression");
      a.type = t;
    }
    return a;
  }

  // Replaces every subtree written as a GROUP BY expression by its group
  // column; any other column of the table is an error.
  Status RewriteOverGroups(ExprPtr* slot) {
    Expr& e = **slot;
    for (size_t i = 0; i < groups_.size(); ++i) {
      if (SameExpr(e, *groups_[i])) {
        *slot = ColumnNode(GroupColumn(i), e.range);
        return Status::OK();
      }
    }
    if (e.kind == ExprKind::kColumn) {
      if (AggregateIndex(e.column_name) >= 0) return Status::OK();
      return Diagnostic(
          st_.text, e.range,
          st_.distinct
              ? "column '" + e.column_name + "' must appear in the select list of SELECT DISTINCT"
              : "column '" + e.column_name +
                    "' must appear in GROUP BY or be used in an aggregate function");
    }
    for (ExprPtr& c : e.children) PD_RETURN_IF_ERROR(RewriteOverGroups(&c));
    return Status::OK();
  }

  SelectStatement st_;
  const Schema& schema_;
  std::vector<Output> outputs_;
  std::vector<ExprPtr> groups_;  // untyped, for matching
};

}  // namespace

bool SameExpr(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.children.size() != b.children.size()) return false;
  switch (a.kind) {
    case ExprKind::kLiteral:
      if (a.literal_null != b.literal_null || a.type.id != b.type.id) return false;
      if (a.literal_null) break;
      if (a.type.id == TypeId::kDouble) {
        if (std::memcmp(&a.literal_double, &b.literal_double, sizeof(double)) != 0) return false;
      } else if (a.type.IsString()) {
        if (a.literal_string != b.literal_string) return false;
      } else if (a.literal_int != b.literal_int || a.type.scale != b.type.scale) {
        return false;
      }
      break;
    case ExprKind::kColumn:
      if (!EqualsIgnoreCase(a.column_name, b.column_name)) return false;
      break;
    case ExprKind::kCast:
      if (!(a.type == b.type)) return false;
      break;
    case ExprKind::kUnary:
      if (a.unary_op != b.unary_op) return false;
      break;
    case ExprKind::kBinary:
      if (a.binary_op != b.binary_op) return false;
      break;
    case ExprKind::kCall:
      if (a.function != b.function) return false;
      break;
    default:
      if (a.negated != b.negated) return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameExpr(*a.children[i], *b.children[i])) return false;
  }
  return true;
}

Result<BoundQuery> Bind(SelectStatement statement, const Schema& schema) {
  Binder b(std::move(statement), schema);
  return b.Run();
}

}  // namespace pushdown::bpfgen::sql
