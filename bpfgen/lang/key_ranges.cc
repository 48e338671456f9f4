#include "bpfgen/lang/key_ranges.h"

#include <algorithm>
#include <climits>

#include "bpfgen/schema/key_codec.h"

namespace pushdown::bpfgen {
namespace {

// Why the derivation is sound: the encoding of one key column (key_codec.h)
// is order preserving and prefix-free (fixed width, or escaped bytes plus a
// terminator). So for a key prefix P fixing columns 0..j-1 and an encoded
// value e of column j:
//   the keys with column j == v are exactly those starting with P+e:
//     [P+e, PS(P+e))                                   (PS = KeyPrefixSuccessor)
//   column j >= v  <=>  key >= P+e      column j > v  <=>  key >= PS(P+e)
//   column j <  v  <=>  key <  P+e      column j <= v <=>  key <  PS(P+e)
// (within the keys that start with P). Raw mode has one "column", the whole
// key, with no suffix: there `<= v` is `< v + '\0'` and `> v` is `>= v + '\0'`.

// A bound on the encoded value of one column.
struct Bound {
  std::string e;
  bool inclusive = true;
};

// The constraint one conjunct puts on one key column.
struct ColumnConstraint {
  int key_index = -1;  // position in the primary key
  bool never = false;  // the conjunct is never TRUE (a comparison with NULL)
  bool is_points = false;
  std::vector<std::string> points;  // encoded values (is_points)
  std::optional<Bound> lower, upper;
};

bool TighterLower(const Bound& a, const Bound& b) {  // a is the tighter lower bound
  if (a.e != b.e) return a.e > b.e;
  return !a.inclusive && b.inclusive;
}
bool TighterUpper(const Bound& a, const Bound& b) {
  if (a.e != b.e) return a.e < b.e;
  return !a.inclusive && b.inclusive;
}

bool Admits(const ColumnConstraint& c, std::string_view e) {
  if (c.never) return false;
  if (c.is_points) return std::find(c.points.begin(), c.points.end(), e) != c.points.end();
  if (c.lower && (c.lower->inclusive ? e < c.lower->e : e <= c.lower->e)) return false;
  if (c.upper && (c.upper->inclusive ? e > c.upper->e : e >= c.upper->e)) return false;
  return true;
}

// The column a comparison operand reads, if it is a key column (directly, or
// an INT32 key column widened to INT64). *widened says which.
int KeyColumnOf(const Expr& e, const Schema& schema, bool* widened) {
  const Expr* c = &e;
  *widened = false;
  if (c->kind == ExprKind::kCast && c->children.size() == 1 &&
      c->children[0]->kind == ExprKind::kColumn && c->type.id == TypeId::kInt64 &&
      c->children[0]->type.id == TypeId::kInt32) {
    c = c->children[0].get();
    *widened = true;
  }
  if (c->kind != ExprKind::kColumn || c->column < 0 ||
      c->column >= static_cast<int>(schema.columns.size())) {
    return -1;
  }
  if (schema.raw) return c->column == 0 ? 0 : -1;  // `key`
  const Column& col = schema.columns[c->column];
  if (!col.is_key()) return -1;
  switch (col.type.id) {
    case TypeId::kBool:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDate:
    case TypeId::kChar:
    case TypeId::kVarchar:
      break;
    case TypeId::kDecimal:
      if (c->type.scale != col.type.scale) return -1;  // a rescaling cast
      break;
    default:
      return -1;  // DOUBLE: NaN / -0.0 share encodings
  }
  if (!*widened && !(c->type == col.type)) return -1;
  return col.key_position;
}

// The encoded value of literal `lit` for key column `key_index`; nullopt if it
// cannot be compared in the encoded space (then the conjunct is not used).
std::optional<std::string> EncodeLiteral(const Expr& lit, const Schema& schema, int key_index,
                                         bool widened) {
  if (lit.kind != ExprKind::kLiteral || lit.literal_null) return std::nullopt;
  if (schema.raw) {
    if (lit.type.id != TypeId::kBytes && lit.type.id != TypeId::kVarchar &&
        lit.type.id != TypeId::kChar) {
      return std::nullopt;
    }
    return lit.literal_string;
  }
  const Column& col = schema.columns[schema.key_columns[key_index]];
  Datum d;
  switch (col.type.id) {
    case TypeId::kChar:
    case TypeId::kVarchar: {
      if (lit.type.id != TypeId::kChar && lit.type.id != TypeId::kVarchar) return std::nullopt;
      // A CHAR value is compared without its trailing spaces; a literal that
      // ends in a space would be compared with them: keep out of that.
      if (col.type.id == TypeId::kChar && !lit.literal_string.empty() &&
          lit.literal_string.back() == ' ') {
        return std::nullopt;
      }
      d = Datum::String(lit.literal_string);
      break;
    }
    case TypeId::kInt32:
      if (widened) {
        if (lit.literal_int < INT32_MIN || lit.literal_int > INT32_MAX) return std::nullopt;
      } else if (lit.type.id != TypeId::kInt32) {
        return std::nullopt;
      }
      d = Datum::Int(lit.literal_int);
      break;
    default:
      if (lit.type.id != col.type.id) return std::nullopt;
      if (col.type.id == TypeId::kDecimal && lit.type.scale != col.type.scale) return std::nullopt;
      d = Datum::Int(lit.literal_int);
      break;
  }
  std::string out;
  AppendKeyColumn(col.type, d, &out);
  return out;
}

// The escaped bytes of `prefix` as a string key column stores them (no
// terminator): every value starting with `prefix` encodes starting with them.
std::string EncodeStringPrefix(const Schema& schema, std::string_view prefix) {
  if (schema.raw) return std::string(prefix);
  std::string out;
  AppendKeyColumn(Type::Varchar(kMaxStringLength), Datum::String(prefix), &out);
  out.resize(out.size() - 2);  // the terminator 0x00 0x01
  return out;
}

BinaryOp Flip(BinaryOp op) {
  switch (op) {
    case BinaryOp::kLt:
      return BinaryOp::kGt;
    case BinaryOp::kLe:
      return BinaryOp::kGe;
    case BinaryOp::kGt:
      return BinaryOp::kLt;
    case BinaryOp::kGe:
      return BinaryOp::kLe;
    default:
      return op;
  }
}

// A prefix constraint [enc(prefix), PS(enc(prefix))) on a string key column.
std::optional<ColumnConstraint> PrefixConstraint(const Expr& column, std::string_view prefix,
                                                 const Schema& schema) {
  bool widened = false;
  const int k = KeyColumnOf(column, schema, &widened);
  if (k < 0 || prefix.empty()) return std::nullopt;
  if (!schema.raw) {
    const TypeId id = schema.columns[schema.key_columns[k]].type.id;
    if (id != TypeId::kChar && id != TypeId::kVarchar) return std::nullopt;
  }
  ColumnConstraint c;
  c.key_index = k;
  std::string e = EncodeStringPrefix(schema, prefix);
  if (auto s = KeyPrefixSuccessor(e)) c.upper = Bound{*s, false};
  c.lower = Bound{std::move(e), true};
  return c;
}

std::optional<ColumnConstraint> ConstraintOf(const Expr& x, const Schema& schema) {
  bool widened = false;
  switch (x.kind) {
    case ExprKind::kLiteral:
      if (x.literal_null) {
        // A NULL conjunct (e.g. a folded `col = NULL`): no row matches.
        ColumnConstraint c;
        c.key_index = 0;
        c.never = true;
        return c;
      }
      return std::nullopt;
    case ExprKind::kBinary: {
      BinaryOp op = x.binary_op;
      if (op != BinaryOp::kEq && op != BinaryOp::kLt && op != BinaryOp::kLe &&
          op != BinaryOp::kGt && op != BinaryOp::kGe) {
        return std::nullopt;
      }
      const Expr* col = x.children[0].get();
      const Expr* lit = x.children[1].get();
      if (col->kind == ExprKind::kLiteral) {
        std::swap(col, lit);
        op = Flip(op);
      }
      const int k = KeyColumnOf(*col, schema, &widened);
      if (k < 0 || lit->kind != ExprKind::kLiteral) return std::nullopt;
      ColumnConstraint c;
      c.key_index = k;
      if (lit->literal_null) {
        c.never = true;
        return c;
      }
      std::optional<std::string> e = EncodeLiteral(*lit, schema, k, widened);
      if (!e) return std::nullopt;
      switch (op) {
        case BinaryOp::kEq:
          c.is_points = true;
          c.points.push_back(*e);
          break;
        case BinaryOp::kLt:
          c.upper = Bound{*e, false};
          break;
        case BinaryOp::kLe:
          c.upper = Bound{*e, true};
          break;
        case BinaryOp::kGt:
          c.lower = Bound{*e, false};
          break;
        default:
          c.lower = Bound{*e, true};
          break;
      }
      return c;
    }
    case ExprKind::kBetween: {
      if (x.negated) return std::nullopt;
      const int k = KeyColumnOf(*x.children[0], schema, &widened);
      if (k < 0) return std::nullopt;
      ColumnConstraint c;
      c.key_index = k;
      const Expr& lo = *x.children[1];
      const Expr& hi = *x.children[2];
      if ((lo.kind == ExprKind::kLiteral && lo.literal_null) ||
          (hi.kind == ExprKind::kLiteral && hi.literal_null)) {
        c.never = true;
        return c;
      }
      if (auto e = EncodeLiteral(lo, schema, k, widened)) c.lower = Bound{*e, true};
      if (auto e = EncodeLiteral(hi, schema, k, widened)) c.upper = Bound{*e, true};
      if (!c.lower && !c.upper) return std::nullopt;
      return c;
    }
    case ExprKind::kIn: {
      if (x.negated || x.children.size() - 1 > kMaxDerivedRanges) return std::nullopt;
      const int k = KeyColumnOf(*x.children[0], schema, &widened);
      if (k < 0) return std::nullopt;
      ColumnConstraint c;
      c.key_index = k;
      c.is_points = true;
      for (size_t i = 1; i < x.children.size(); ++i) {
        const Expr& lit = *x.children[i];
        if (lit.kind == ExprKind::kLiteral && lit.literal_null) continue;  // never equal
        std::optional<std::string> e = EncodeLiteral(lit, schema, k, widened);
        if (!e) return std::nullopt;
        c.points.push_back(*e);
      }
      std::sort(c.points.begin(), c.points.end());
      c.points.erase(std::unique(c.points.begin(), c.points.end()), c.points.end());
      if (c.points.empty()) c.never = true;
      return c;
    }
    case ExprKind::kLike: {
      if (x.negated || x.children[1]->kind != ExprKind::kLiteral) return std::nullopt;
      const std::string& pat = x.children[1]->literal_string;
      const size_t wild = pat.find_first_of("%_");
      if (wild == std::string::npos) {
        // No wildcard: equality with the pattern.
        const int k = KeyColumnOf(*x.children[0], schema, &widened);
        if (k < 0) return std::nullopt;
        std::optional<std::string> e = EncodeLiteral(*x.children[1], schema, k, widened);
        if (!e) return std::nullopt;
        ColumnConstraint c;
        c.key_index = k;
        c.is_points = true;
        c.points.push_back(*e);
        return c;
      }
      return PrefixConstraint(*x.children[0], std::string_view(pat).substr(0, wild), schema);
    }
    case ExprKind::kCall:
      if (x.function == Function::kStartsWith && x.children.size() == 2 &&
          x.children[1]->kind == ExprKind::kLiteral && !x.children[1]->literal_null) {
        return PrefixConstraint(*x.children[0], x.children[1]->literal_string, schema);
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// Intersects the constraints on one column into points (if any constraint is
// a point set) or one interval.
ColumnConstraint Intersect(const std::vector<ColumnConstraint>& cs) {
  ColumnConstraint out;
  for (const ColumnConstraint& c : cs) {
    if (c.never) out.never = true;
    if (c.lower && (!out.lower || TighterLower(*c.lower, *out.lower))) out.lower = c.lower;
    if (c.upper && (!out.upper || TighterUpper(*c.upper, *out.upper))) out.upper = c.upper;
  }
  const ColumnConstraint* first_points = nullptr;
  for (const ColumnConstraint& c : cs) {
    if (c.is_points) {
      first_points = &c;
      break;
    }
  }
  if (first_points == nullptr) return out;
  ColumnConstraint interval = out;
  out.is_points = true;
  for (const std::string& e : first_points->points) {
    bool ok = Admits(interval, e);
    for (const ColumnConstraint& c : cs) ok = ok && (!c.is_points || Admits(c, e));
    if (ok) out.points.push_back(e);
  }
  out.lower.reset();
  out.upper.reset();
  return out;
}

// The smallest string greater than `key` (raw mode's `<= v` and `> v`).
std::string ImmediateSuccessor(const std::string& key) { return key + std::string(1, '\0'); }

// a.limit < b.limit, where no limit is +infinity.
bool LimitBelow(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  return a && (!b || *a < *b);
}

// `ranges` sorted by start, overlapping or touching ones merged.
std::vector<KeyRange> Normalize(std::vector<KeyRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const KeyRange& a, const KeyRange& b) { return a.start < b.start; });
  std::vector<KeyRange> out;
  for (KeyRange& r : ranges) {
    if (!out.empty()) {
      KeyRange& last = out.back();
      if (!last.limit || r.start <= *last.limit) {
        if (LimitBelow(last.limit, r.limit)) last.limit = r.limit;
        continue;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

// More than `max_ranges` ranges become their hull (a superset: still sound).
void CapRanges(size_t max_ranges, std::vector<KeyRange>* ranges) {
  if (ranges->size() <= max_ranges) return;
  KeyRange hull{ranges->front().start, ranges->back().limit};
  ranges->assign(1, std::move(hull));
}

// The keys in both (each sorted and disjoint): a sorted, disjoint result.
std::vector<KeyRange> IntersectRanges(const std::vector<KeyRange>& a,
                                      const std::vector<KeyRange>& b) {
  std::vector<KeyRange> out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    KeyRange r{std::max(a[i].start, b[j].start),
               LimitBelow(a[i].limit, b[j].limit) ? a[i].limit : b[j].limit};
    if (!r.limit || r.start < *r.limit) out.push_back(std::move(r));
    if (LimitBelow(a[i].limit, b[j].limit)) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

// The disjuncts of an OR tree.
void Disjuncts(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == ExprKind::kBinary && e.binary_op == BinaryOp::kOr) {
    Disjuncts(*e.children[0], out);
    Disjuncts(*e.children[1], out);
    return;
  }
  out->push_back(&e);
}

// The conjuncts of an AND tree.
void Conjuncts(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == ExprKind::kBinary && e.binary_op == BinaryOp::kAnd) {
    Conjuncts(*e.children[0], out);
    Conjuncts(*e.children[1], out);
    return;
  }
  out->push_back(&e);
}

// An OR nested deeper than this (in ANDs of ORs) is not used.
constexpr int kMaxOrDepth = 8;

}  // namespace

std::optional<std::string> KeyPrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

std::optional<KeyRange> KeyRanges::Hull() const {
  if (unbounded || ranges.empty()) return std::nullopt;
  return KeyRange{ranges.front().start, ranges.back().limit};
}

namespace {

KeyRanges DeriveColumns(const std::vector<const Expr*>& conjuncts, const Schema& schema,
                        size_t max_ranges);
KeyRanges DeriveConjunction(const std::vector<const Expr*>& conjuncts, const Schema& schema,
                            size_t max_ranges, int depth);

// The ranges of a disjunction: the union of its disjuncts' (each one a
// conjunction, derived as a predicate), bounded like IN. Unbounded when one
// disjunct is (a row may match through it with any key).
KeyRanges DeriveDisjunction(const Expr& e, const Schema& schema, size_t max_ranges, int depth) {
  KeyRanges out;
  if (depth >= kMaxOrDepth) return out;
  std::vector<const Expr*> disjuncts;
  Disjuncts(e, &disjuncts);
  std::vector<KeyRange> all;
  for (const Expr* d : disjuncts) {
    std::vector<const Expr*> conjuncts;
    Conjuncts(*d, &conjuncts);
    KeyRanges r = DeriveConjunction(conjuncts, schema, max_ranges, depth + 1);
    if (r.unbounded) return KeyRanges();
    all.insert(all.end(), r.ranges.begin(), r.ranges.end());
  }
  out.unbounded = false;
  out.ranges = Normalize(std::move(all));
  CapRanges(max_ranges, &out.ranges);
  out.used = {ToString(e, schema)};
  return out;
}

KeyRanges DeriveConjunction(const std::vector<const Expr*>& conjuncts, const Schema& schema,
                            size_t max_ranges, int depth) {
  KeyRanges out = DeriveColumns(conjuncts, schema, max_ranges);
  if (!out.unbounded && out.ranges.empty()) return out;  // no key can match
  // Each OR conjunct's union narrows the ranges further (intersection).
  for (const Expr* conjunct : conjuncts) {
    if (conjunct->kind != ExprKind::kBinary || conjunct->binary_op != BinaryOp::kOr) continue;
    KeyRanges u = DeriveDisjunction(*conjunct, schema, max_ranges, depth);
    if (u.unbounded) continue;
    out.used.insert(out.used.end(), u.used.begin(), u.used.end());
    if (out.unbounded) {
      out.unbounded = false;
      out.ranges = std::move(u.ranges);
    } else {
      out.ranges = IntersectRanges(out.ranges, u.ranges);
      CapRanges(max_ranges, &out.ranges);
    }
    if (out.ranges.empty()) return out;
  }
  return out;
}

}  // namespace

KeyRanges DeriveKeyRanges(const Predicate& predicate, const Schema& schema, size_t max_ranges) {
  std::vector<const Expr*> conjuncts;
  for (const ExprPtr& c : predicate.conjuncts) conjuncts.push_back(c.get());
  return DeriveConjunction(conjuncts, schema, max_ranges, /*depth=*/0);
}

namespace {

// The ranges the conjuncts on key columns (not the ORs) derive.
KeyRanges DeriveColumns(const std::vector<const Expr*>& conjuncts, const Schema& schema,
                        size_t max_ranges) {
  KeyRanges out;
  const size_t nkeys = schema.raw ? 1 : schema.key_columns.size();
  std::vector<std::vector<ColumnConstraint>> per_column(nkeys);
  std::vector<std::vector<std::string>> texts(nkeys);
  for (const Expr* conjunct : conjuncts) {
    std::optional<ColumnConstraint> c = ConstraintOf(*conjunct, schema);
    if (!c) continue;
    if (c->never) {  // the predicate is never TRUE: no key can match
      out.unbounded = false;
      out.ranges.clear();
      out.used = {ToString(*conjunct, schema)};
      return out;
    }
    per_column[c->key_index].push_back(std::move(*c));
    texts[c->key_index].push_back(ToString(*conjunct, schema));
  }

  // Walk the key columns while they are fixed to points: `prefixes` are the
  // encoded keys of the equalities so far.
  std::vector<std::string> prefixes = {""};
  auto prefix_range = [&](const std::string& p) {
    return KeyRange{p, p.empty() ? std::nullopt : KeyPrefixSuccessor(p)};
  };
  std::vector<KeyRange> ranges;
  bool derived = false;
  for (size_t j = 0; j < nkeys; ++j) {
    if (per_column[j].empty()) break;
    derived = true;
    ColumnConstraint c = Intersect(per_column[j]);
    out.used.insert(out.used.end(), texts[j].begin(), texts[j].end());
    if (c.never || (c.is_points && c.points.empty())) {
      out.unbounded = false;
      out.ranges.clear();
      return out;
    }
    if (c.is_points && prefixes.size() * c.points.size() <= max_ranges) {
      std::vector<std::string> next;
      for (const std::string& p : prefixes) {
        for (const std::string& e : c.points) next.push_back(p + e);
      }
      prefixes = std::move(next);
      if (schema.raw) {  // the whole key: [v, v + '\0')
        for (const std::string& p : prefixes) ranges.push_back({p, ImmediateSuccessor(p)});
        prefixes.clear();
        break;
      }
      continue;
    }
    if (c.is_points) {  // too many: the hull of the points
      c.lower = Bound{c.points.front(), true};
      c.upper = Bound{c.points.back(), true};
    }
    for (const std::string& p : prefixes) {
      KeyRange r = prefix_range(p);
      if (c.lower && c.lower->inclusive) {
        r.start = p + c.lower->e;
      } else if (c.lower && schema.raw) {
        r.start = ImmediateSuccessor(p + c.lower->e);
      } else if (c.lower) {
        std::optional<std::string> s = KeyPrefixSuccessor(p + c.lower->e);
        if (!s) continue;  // above every key of the prefix
        r.start = *s;
      }
      if (c.upper) {
        if (!c.upper->inclusive) {
          r.limit = p + c.upper->e;
        } else if (schema.raw) {
          r.limit = ImmediateSuccessor(p + c.upper->e);
        } else if (auto s = KeyPrefixSuccessor(p + c.upper->e)) {
          r.limit = *s;
        }  // else: up to the end of the prefix, already r.limit
      }
      if (!r.limit || r.start < *r.limit) ranges.push_back(std::move(r));
    }
    prefixes.clear();
    break;
  }
  if (!derived) return out;  // nothing on the leading key column
  for (const std::string& p : prefixes) ranges.push_back(prefix_range(p));
  // Merge overlapping or touching ranges (points of a prefix never overlap,
  // but keep the invariant whatever the inputs).
  out.ranges = Normalize(std::move(ranges));
  out.unbounded = false;
  return out;
}

}  // namespace

}  // namespace pushdown::bpfgen
