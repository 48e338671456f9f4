#include "bpfgen/eval/zone_eval.h"

#include <algorithm>

#include "bpfgen/lang/functions.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen {
namespace {

// A set of outcomes, one bit per Tri value.
using Outcomes = uint8_t;
constexpr Outcomes kT = 1, kF = 2, kN = 4, kAll = kT | kF | kN;

Outcomes Bit(Tri t) { return t == Tri::kTrue ? kT : t == Tri::kFalse ? kF : kN; }

// {op(a, b) : a in x, b in y} for a three-valued binary connective.
template <typename Op>
Outcomes Combine(Outcomes x, Outcomes y, Op op) {
  Outcomes out = 0;
  for (Tri a : {Tri::kTrue, Tri::kFalse, Tri::kNull}) {
    if (!(x & Bit(a))) continue;
    for (Tri b : {Tri::kTrue, Tri::kFalse, Tri::kNull}) {
      if (y & Bit(b)) out |= Bit(op(a, b));
    }
  }
  return out;
}

Outcomes Negate(Outcomes x) {
  Outcomes out = x & kN;
  if (x & kT) out |= kF;
  if (x & kF) out |= kT;
  return out;
}

class ZoneEvaluator {
 public:
  ZoneEvaluator(const Schema& schema, const ZoneStats& zone, const RawField* field)
      : schema_(schema), zone_(zone), field_(field) {}

  Outcomes Eval(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kLiteral:
        if (e.literal_null) return kN;
        if (e.type.id == TypeId::kBool) return e.literal_int ? kT : kF;
        return kAll;
      case ExprKind::kUnary:
        if (e.unary_op == UnaryOp::kNot) return Negate(Eval(*e.children[0]));
        return kAll;
      case ExprKind::kBinary:
        switch (e.binary_op) {
          case BinaryOp::kAnd:
            return Combine(Eval(*e.children[0]), Eval(*e.children[1]), And);
          case BinaryOp::kOr:
            return Combine(Eval(*e.children[0]), Eval(*e.children[1]), Or);
          case BinaryOp::kEq:
          case BinaryOp::kNe:
          case BinaryOp::kLt:
          case BinaryOp::kLe:
          case BinaryOp::kGt:
          case BinaryOp::kGe:
            return Comparison(e);
          default:
            return kAll;
        }
      case ExprKind::kBetween:
        return Between(e);
      case ExprKind::kIn:
        return In(e);
      case ExprKind::kIsNull:
        return IsNull(e);
      default:
        return kAll;
    }
  }

 private:
  // The zone of a column operand (a column, or an INT32 column widened to
  // INT64), or null if the operand is anything else or unknown.
  const ColumnZone* ZoneOf(const Expr& e) const {
    if (field_ != nullptr && e.kind == ExprKind::kCall) {
      if (!field_->ReadBy(e) || zone_.columns.empty() || !zone_.columns[0].known) return nullptr;
      return &zone_.columns[0];
    }
    const Expr* c = &e;
    if (c->kind == ExprKind::kCast && c->children.size() == 1 && c->type.id == TypeId::kInt64 &&
        c->children[0]->type.id == TypeId::kInt32) {
      c = c->children[0].get();
    }
    if (c->kind != ExprKind::kColumn || c->column < 0 ||
        static_cast<size_t>(c->column) >= zone_.columns.size() ||
        static_cast<size_t>(c->column) >= schema_.columns.size()) {
      return nullptr;
    }
    const Type& col = schema_.columns[c->column].type;
    if (!ZoneMappable(col)) return nullptr;
    // Same representation as the comparison sees it (a rescaling cast of a
    // DECIMAL column was refused above: it is not a kColumn).
    if (c == &e && !(c->type == col)) return nullptr;
    const ColumnZone& z = zone_.columns[c->column];
    return z.known ? &z : nullptr;
  }

  // An integer-represented, non-NULL literal operand of the same kind.
  static bool IntLiteral(const Expr& e, int64_t* v) {
    if (e.kind != ExprKind::kLiteral || e.literal_null || !ZoneMappable(e.type)) return false;
    *v = e.literal_int;
    return true;
  }

  // The outcomes of the values part (value_count > 0) plus NULL if nulls exist.
  static Outcomes WithNulls(const ColumnZone& z, Outcomes value_outcomes) {
    Outcomes out = z.value_count > 0 ? value_outcomes : 0;
    if (z.null_count > 0) out |= kN;
    return out;
  }

  Outcomes Comparison(const Expr& e) const {
    const Expr* a = e.children[0].get();
    const Expr* b = e.children[1].get();
    BinaryOp op = e.binary_op;
    if (a->kind == ExprKind::kLiteral) {
      std::swap(a, b);
      switch (op) {
        case BinaryOp::kLt:
          op = BinaryOp::kGt;
          break;
        case BinaryOp::kLe:
          op = BinaryOp::kGe;
          break;
        case BinaryOp::kGt:
          op = BinaryOp::kLt;
          break;
        case BinaryOp::kGe:
          op = BinaryOp::kLe;
          break;
        default:
          break;
      }
    }
    if (b->kind == ExprKind::kLiteral && b->literal_null) return kN;
    const ColumnZone* z = ZoneOf(*a);
    int64_t v;
    if (z == nullptr || !IntLiteral(*b, &v)) return kAll;
    const int64_t lo = z->min, hi = z->max;
    Outcomes out = 0;
    auto set = [&](bool can_true, bool can_false) {
      if (can_true) out |= kT;
      if (can_false) out |= kF;
    };
    switch (op) {
      case BinaryOp::kEq:
        set(lo <= v && v <= hi, !(lo == v && hi == v));
        break;
      case BinaryOp::kNe:
        set(!(lo == v && hi == v), lo <= v && v <= hi);
        break;
      case BinaryOp::kLt:
        set(lo < v, hi >= v);
        break;
      case BinaryOp::kLe:
        set(lo <= v, hi > v);
        break;
      case BinaryOp::kGt:
        set(hi > v, lo <= v);
        break;
      default:  // kGe
        set(hi >= v, lo < v);
        break;
    }
    return WithNulls(*z, out);
  }

  Outcomes Between(const Expr& e) const {
    const ColumnZone* z = ZoneOf(*e.children[0]);
    int64_t lo, hi;
    if (z == nullptr || !IntLiteral(*e.children[1], &lo) || !IntLiteral(*e.children[2], &hi)) {
      return kAll;
    }
    Outcomes out = 0;
    if (lo <= hi && z->max >= lo && z->min <= hi) out |= kT;
    if (z->min < lo || z->max > hi || lo > hi) out |= kF;
    if (e.negated) out = Negate(out);
    return WithNulls(*z, out);
  }

  Outcomes In(const Expr& e) const {
    const ColumnZone* z = ZoneOf(*e.children[0]);
    if (z == nullptr) return kAll;
    bool any_null = false, any_inside = false, covers_single = false;
    for (size_t i = 1; i < e.children.size(); ++i) {
      const Expr& item = *e.children[i];
      if (item.kind == ExprKind::kLiteral && item.literal_null) {
        any_null = true;
        continue;
      }
      int64_t v;
      if (!IntLiteral(item, &v)) return kAll;
      any_inside |= z->min <= v && v <= z->max;
      covers_single |= z->min == v && z->max == v;
    }
    // A value equal to some item: TRUE; else NULL if an item is NULL, else FALSE.
    Outcomes out = 0;
    if (any_inside) out |= kT;
    if (!covers_single) out |= any_null ? kN : kF;
    if (e.negated) out = Negate(out);
    return WithNulls(*z, out);
  }

  Outcomes IsNull(const Expr& e) const {
    const ColumnZone* z = ZoneOf(*e.children[0]);
    if (z == nullptr) return kAll;
    Outcomes out = 0;
    if (z->null_count > 0) out |= e.negated ? kF : kT;
    if (z->value_count > 0) out |= e.negated ? kT : kF;
    return out;
  }

  const Schema& schema_;
  const ZoneStats& zone_;
  const RawField* field_;  // raw mode: what zone_.columns[0] summarises; else null
};

// The reader function of a field (nullopt: no such reader).
std::optional<Function> ReaderOf(const RawField& f) {
  switch (f.width) {
    case 1:
      return Function::kU8;
    case 2:
      return f.big_endian ? Function::kU16Be : Function::kU16Le;
    case 4:
      if (f.is_signed) return f.big_endian ? Function::kI32Be : Function::kI32Le;
      return f.big_endian ? Function::kU32Be : Function::kU32Le;
    case 8:
      return f.big_endian ? Function::kU64Be : Function::kU64Le;
    default:
      return std::nullopt;
  }
}

}  // namespace

bool ZoneMappable(const Type& type) {
  switch (type.id) {
    case TypeId::kBool:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDate:
    case TypeId::kDecimal:
      return true;
    default:
      return false;
  }
}

const char* ZoneVerdictName(ZoneVerdict v) {
  switch (v) {
    case ZoneVerdict::kNever:
      return "never";
    case ZoneVerdict::kAlways:
      return "always";
    case ZoneVerdict::kMaybe:
      return "maybe";
  }
  return "maybe";
}

std::string RawField::Invalid() const {
  if (width != 1 && width != 2 && width != 4 && width != 8) {
    return "raw zone map field width " + std::to_string(width) + " (1, 2, 4 or 8)";
  }
  if (is_signed && width != 4) return "a signed raw zone map field must be 4 bytes wide";
  if (source != Source::kKey && source != Source::kValue) return "raw zone map field source";
  return "";
}

bool RawField::ReadBy(const Expr& e) const {
  if (e.kind != ExprKind::kCall || e.children.size() != 2 || !Invalid().empty()) return false;
  std::optional<Function> reader = ReaderOf(*this);
  bool same = reader && e.function == *reader;
  // 8 bytes: the signed readers return the same bit pattern.
  if (width == 8) {
    same |= e.function == (big_endian ? Function::kI64Be : Function::kI64Le);
  }
  if (!same) return false;
  const Expr& s = *e.children[0];
  const Expr& off = *e.children[1];
  const int column = source == Source::kKey ? 0 : 1;
  return s.kind == ExprKind::kColumn && s.column == column && s.type.id == TypeId::kBytes &&
         off.kind == ExprKind::kLiteral && !off.literal_null &&
         off.literal_int == static_cast<int64_t>(offset);
}

std::optional<int64_t> RawField::Read(std::string_view bytes) const {
  if (!Invalid().empty() || offset > bytes.size() || bytes.size() - offset < width) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    const uint8_t b = static_cast<uint8_t>(bytes[offset + (big_endian ? i : width - 1 - i)]);
    v = (v << 8) | b;
  }
  if (is_signed && width == 4) return static_cast<int64_t>(static_cast<int32_t>(v));
  return static_cast<int64_t>(v);
}

std::string RawField::ToString() const {
  std::optional<Function> reader = ReaderOf(*this);
  if (!reader) return "invalid raw field";
  return std::string(GetFunctionInfo(*reader).name) + "(" +
         (source == Source::kKey ? "key" : "value") + ", " + std::to_string(offset) + ")";
}

ZoneVerdict EvaluateZone(const std::vector<const Expr*>& conjuncts, const Schema& schema,
                         const ZoneStats& zone) {
  return EvaluateZone(conjuncts, schema, zone, nullptr);
}

ZoneVerdict EvaluateZone(const std::vector<const Expr*>& conjuncts, const Schema& schema,
                         const ZoneStats& zone, const RawField* field) {
  if (zone.rows == 0) return ZoneVerdict::kNever;  // no row to be TRUE
  ZoneEvaluator eval(schema, zone, field);
  Outcomes all = kT;  // the empty conjunction
  for (const Expr* c : conjuncts) {
    all = Combine(all, eval.Eval(*c), And);
    if (!(all & kT)) return ZoneVerdict::kNever;
  }
  return all == kT ? ZoneVerdict::kAlways : ZoneVerdict::kMaybe;
}

}  // namespace pushdown::bpfgen
