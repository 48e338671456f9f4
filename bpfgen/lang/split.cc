#include "bpfgen/lang/split.h"

#include "bpfgen/lang/functions.h"

namespace pushdown::bpfgen {
namespace {

bool IsDouble(const Expr& e) { return e.type.id == TypeId::kDouble; }
bool IsLiteral(const Expr& e) { return e.kind == ExprKind::kLiteral; }

class Checker {
 public:
  Checker(const Schema& s, const TargetCaps& caps) : schema_(s), caps_(caps) {}

  // "" if pushable, else the first reason found (operands before operators,
  // so the innermost cause is named).
  std::string Why(const Expr& e) {
    for (const ExprPtr& child : e.children) {
      std::string r = Why(*child);
      if (!r.empty()) return r;
    }
    return Node(e);
  }

 private:
  std::string NoFloat(const std::string& what) const {
    return what + " needs floating point; device '" + caps_.name + "' has none";
  }

  std::string StringConstant(const Expr& e, const char* what) const {
    if (IsLiteral(e) && !e.literal_null && e.type.IsString() &&
        e.literal_string.size() > caps_.max_string_op) {
      return std::string(what) + " of " + std::to_string(e.literal_string.size()) +
             " bytes is longer than device '" + caps_.name + "' supports (" +
             std::to_string(caps_.max_string_op) + " bytes)";
    }
    return "";
  }

  // DOUBLE operands of a comparison-like node: [0] compared with the others.
  std::string DoubleCompare(const Expr& e) const {
    if (caps_.double_arith) return "";
    bool any_double = false;
    int non_constant = 0;
    for (const ExprPtr& c : e.children) {
      any_double |= IsDouble(*c);
      non_constant += !IsLiteral(*c);
    }
    if (!any_double) return "";
    if (!caps_.double_compare) return NoFloat("DOUBLE comparison");
    if (non_constant > 1) return NoFloat("DOUBLE comparison between two non-constant values");
    return "";
  }

  std::string Node(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kLiteral:
        if (!caps_.strings && e.type.IsString() && !e.literal_null) {
          return "strings are not supported on device '" + caps_.name + "'";
        }
        return "";
      case ExprKind::kColumn:
        if (!caps_.strings && e.type.IsString()) {
          std::string name = e.column >= 0 && static_cast<size_t>(e.column) < schema_.columns.size()
                                 ? schema_.columns[e.column].name
                                 : e.column_name;
          return "string column '" + name + "' is not supported on device '" + caps_.name + "'";
        }
        return "";
      case ExprKind::kCast:
        if (IsDouble(e) && !IsDouble(*e.children[0]) && !caps_.double_arith) {
          return NoFloat("conversion of " + e.children[0]->type.ToString() + " to DOUBLE");
        }
        return "";
      case ExprKind::kUnary:
        if (e.unary_op == UnaryOp::kNegate && IsDouble(e) && !caps_.double_arith) {
          return NoFloat("DOUBLE negation");
        }
        return "";
      case ExprKind::kBinary:
        if (e.binary_op <= BinaryOp::kMod) {
          if (IsDouble(e) && !caps_.double_arith) return NoFloat("DOUBLE arithmetic");
          return "";
        }
        if (e.binary_op == BinaryOp::kAnd || e.binary_op == BinaryOp::kOr) return "";
        if (std::string r = DoubleCompare(e); !r.empty()) return r;
        for (const ExprPtr& c : e.children) {
          if (std::string r = StringConstant(*c, "string constant"); !r.empty()) return r;
        }
        return "";
      case ExprKind::kBetween:
        return DoubleCompare(e);
      case ExprKind::kIn:
        if (e.children.size() - 1 > caps_.max_in_list) {
          return "IN list of " + std::to_string(e.children.size() - 1) +
                 " elements is longer than device '" + caps_.name + "' supports (" +
                 std::to_string(caps_.max_in_list) + ")";
        }
        if (std::string r = DoubleCompare(e); !r.empty()) return r;
        for (const ExprPtr& c : e.children) {
          if (std::string r = StringConstant(*c, "IN element"); !r.empty()) return r;
        }
        return "";
      case ExprKind::kLike:
        if (!caps_.like) return "LIKE is not supported on device '" + caps_.name + "'";
        if (e.children[1]->literal_string.size() > caps_.max_string_op) {
          return "LIKE pattern longer than " + std::to_string(caps_.max_string_op) +
                 " bytes (device '" + caps_.name + "')";
        }
        return "";
      case ExprKind::kIsNull:
        return "";
      case ExprKind::kCall: {
        std::string_view name = GetFunctionInfo(e.function).name;
        if (caps_.functions.count(e.function) == 0) {
          return "function " + std::string(name) + "() is not supported on device '" + caps_.name +
                 "'";
        }
        if (e.function == Function::kStartsWith) {
          return StringConstant(*e.children[1], "starts_with prefix");
        }
        return "";
      }
    }
    return "";
  }

  const Schema& schema_;
  const TargetCaps& caps_;
};

std::set<Function> AllFunctions() {
  std::set<Function> all;
  for (int f = static_cast<int>(Function::kLength); f <= static_cast<int>(Function::kI64Be); ++f) {
    all.insert(static_cast<Function>(f));
  }
  return all;
}

}  // namespace

TargetCaps TargetCaps::Kernel() {
  TargetCaps caps;
  caps.name = "kernel";
  caps.double_compare = true;
  caps.double_arith = false;
  caps.strings = true;
  caps.like = true;
  caps.max_string_op = 256;
  caps.max_in_list = 256;
  caps.functions = AllFunctions();
  caps.max_conjunct_nodes = kCodegenBudget;
  return caps;
}

TargetCaps TargetCaps::Host() {
  TargetCaps caps;
  caps.name = "host";
  caps.functions = AllFunctions();
  caps.max_conjunct_nodes = kCodegenBudget;
  return caps;
}

const char* PushdownKindName(PushdownKind kind) {
  switch (kind) {
    case PushdownKind::kNone:
      return "NONE";
    case PushdownKind::kPartial:
      return "PARTIAL";
    case PushdownKind::kFull:
      return "FULL";
  }
  return "?";
}

namespace {

size_t CountNodes(const Expr& e) {
  size_t n = 1;
  for (const ExprPtr& c : e.children) n += CountNodes(*c);
  return n;
}

}  // namespace

std::string WhyNotPushable(const Expr& e, const Schema& s, const TargetCaps& caps) {
  const size_t nodes = CountNodes(e);
  if (nodes > caps.max_conjunct_nodes) {
    return "over the codegen budget of device '" + caps.name + "' (" + std::to_string(nodes) +
           " nodes > " + std::to_string(caps.max_conjunct_nodes) + ")";
  }
  Checker checker(s, caps);
  return checker.Why(e);
}

SplitResult SplitPredicate(const Predicate& p, const Schema& s, const TargetCaps& caps) {
  SplitResult result;
  for (const ExprPtr& conjunct : p.conjuncts) {
    std::string reason = WhyNotPushable(*conjunct, s, caps);
    if (reason.empty()) {
      result.device.push_back(conjunct.get());
    } else {
      result.residual.push_back({conjunct.get(), std::move(reason)});
    }
  }
  if (result.residual.empty()) {
    result.kind = PushdownKind::kFull;
  } else if (result.device.empty()) {
    result.kind = PushdownKind::kNone;
  } else {
    result.kind = PushdownKind::kPartial;
  }
  return result;
}

}  // namespace pushdown::bpfgen
