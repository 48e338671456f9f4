#include "bpfgen/schema/scalar.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "bpfgen/schema/date.h"

namespace pushdown::bpfgen {

// ---- Three-valued logic -----------------------------------------------------

Tri And(Tri a, Tri b) {
  if (a == Tri::kFalse || b == Tri::kFalse) return Tri::kFalse;
  if (a == Tri::kNull || b == Tri::kNull) return Tri::kNull;
  return Tri::kTrue;
}

Tri Or(Tri a, Tri b) {
  if (a == Tri::kTrue || b == Tri::kTrue) return Tri::kTrue;
  if (a == Tri::kNull || b == Tri::kNull) return Tri::kNull;
  return Tri::kFalse;
}

Tri Not(Tri a) {
  switch (a) {
    case Tri::kFalse:
      return Tri::kTrue;
    case Tri::kTrue:
      return Tri::kFalse;
    case Tri::kNull:
      break;
  }
  return Tri::kNull;
}

Tri ToTri(const Datum& v) {
  if (v.null) return Tri::kNull;
  return v.i != 0 ? Tri::kTrue : Tri::kFalse;
}

Datum FromTri(Tri t) { return t == Tri::kNull ? Datum::Null() : Datum::Bool(t == Tri::kTrue); }

const char* TriName(Tri t) {
  switch (t) {
    case Tri::kFalse:
      return "FALSE";
    case Tri::kTrue:
      return "TRUE";
    case Tri::kNull:
      break;
  }
  return "NULL";
}

// ---- Checked int64 ----------------------------------------------------------

bool CheckedAdd(int64_t a, int64_t b, int64_t* out) { return !__builtin_add_overflow(a, b, out); }
bool CheckedSub(int64_t a, int64_t b, int64_t* out) { return !__builtin_sub_overflow(a, b, out); }
bool CheckedMul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }

bool CheckedDiv(int64_t a, int64_t b, int64_t* out) {
  if (b == 0) return false;
  if (a == std::numeric_limits<int64_t>::min() && b == -1) return false;
  *out = a / b;
  return true;
}

bool CheckedMod(int64_t a, int64_t b, int64_t* out) {
  if (b == 0) return false;
  *out = b == -1 ? 0 : a % b;
  return true;
}

bool Rescale(int64_t v, int from_scale, int to_scale, int64_t* out) {
  if (to_scale >= from_scale) {
    const int k = to_scale - from_scale;
    if (k > 18) {
      *out = 0;
      return v == 0;
    }
    return CheckedMul(v, kPow10[k], out);
  }
  const int k = from_scale - to_scale;
  *out = k > 18 ? 0 : v / kPow10[k];
  return true;
}

int ScaleOf(const Type& t) { return t.id == TypeId::kDecimal ? t.scale : 0; }

// ---- Casts ------------------------------------------------------------------

namespace {

bool IsExactNumeric(const Type& t) { return t.IsIntegral() || t.id == TypeId::kDecimal; }

// An exact numeric result of type t, or NULL if it does not fit t.
Datum FitExact(int64_t v, const Type& t) {
  if (t.id == TypeId::kInt32 &&
      (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())) {
    return Datum::Null();
  }
  return Datum::Int(v);
}

double ExactToDouble(int64_t v, int scale) {
  const double d = static_cast<double>(v);
  return scale == 0 ? d : d / static_cast<double>(kPow10[scale]);
}

// Truncates toward zero; false for NaN or a value outside int64.
bool DoubleToInt64(double d, int64_t* out) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

}  // namespace

Datum Cast(const Datum& v, const Type& from, const Type& to) {
  if (v.null) return Datum::Null();
  if (from == to) return v;
  if (IsExactNumeric(from) && IsExactNumeric(to)) {
    int64_t out;
    if (!Rescale(v.i, ScaleOf(from), ScaleOf(to), &out)) return Datum::Null();
    return FitExact(out, to);
  }
  if (IsExactNumeric(from) && to.id == TypeId::kDouble) {
    return Datum::Double(ExactToDouble(v.i, ScaleOf(from)));
  }
  if (from.id == TypeId::kDouble && IsExactNumeric(to)) {
    // Scale first in double (one rounding), then truncate.
    const double scaled = v.d * static_cast<double>(kPow10[ScaleOf(to)]);
    int64_t out;
    if (!DoubleToInt64(scaled, &out)) return Datum::Null();
    return FitExact(out, to);
  }
  if (from.IsString() && to.IsString()) {
    return Datum::String(StringView(v, from));
  }
  if (from.id == to.id) return v;  // e.g. BOOL, DATE
  return Datum::Null();
}

Type PromoteNumeric(const Type& a, const Type& b) {
  if (a.id == TypeId::kDouble || b.id == TypeId::kDouble) return Type::Double();
  if (a.id == TypeId::kDecimal || b.id == TypeId::kDecimal) {
    if (a == b) return a;
    return Type::Decimal(18, std::max(ScaleOf(a), ScaleOf(b)));
  }
  return Type::Int64();
}

// ---- Arithmetic -------------------------------------------------------------

bool ArithResultType(ArithOp op, const Type& a, const Type& b, Type* result) {
  if (a.id == TypeId::kDouble || b.id == TypeId::kDouble) {
    *result = Type::Double();
    return true;
  }
  if (a.id != TypeId::kDecimal && b.id != TypeId::kDecimal) {
    *result = Type::Int64();
    return true;
  }
  // An integer operand meets a DECIMAL as DECIMAL(18, the other's scale).
  const int s1 = a.id == TypeId::kDecimal ? a.scale : b.scale;
  const int s2 = b.id == TypeId::kDecimal ? b.scale : a.scale;
  int s = 0;
  switch (op) {
    case ArithOp::kAdd:
    case ArithOp::kSub:
    case ArithOp::kMod:
      s = std::max(s1, s2);
      break;
    case ArithOp::kMul:
      s = s1 + s2;
      if (s > 18) return false;
      break;
    case ArithOp::kDiv:
      s = std::max({s1, s2, 6});
      break;
  }
  *result = Type::Decimal(18, s);
  return true;
}

namespace {

Datum ArithDouble(ArithOp op, double a, double b) {
  switch (op) {
    case ArithOp::kAdd:
      return Datum::Double(a + b);
    case ArithOp::kSub:
      return Datum::Double(a - b);
    case ArithOp::kMul:
      return Datum::Double(a * b);
    case ArithOp::kDiv:
      return Datum::Double(a / b);
    case ArithOp::kMod:
      return Datum::Double(std::fmod(a, b));
  }
  return Datum::Null();
}

// Exact arithmetic at result scale s on operands a (scale s1) and b (scale s2).
bool ArithExact(ArithOp op, int64_t a, int s1, int64_t b, int s2, int s, int64_t* out) {
  switch (op) {
    case ArithOp::kAdd:
    case ArithOp::kSub:
    case ArithOp::kMod: {
      int64_t x, y;
      if (!Rescale(a, s1, s, &x) || !Rescale(b, s2, s, &y)) return false;
      if (op == ArithOp::kAdd) return CheckedAdd(x, y, out);
      if (op == ArithOp::kSub) return CheckedSub(x, y, out);
      return CheckedMod(x, y, out);
    }
    case ArithOp::kMul: {
      int64_t p;
      if (!CheckedMul(a, b, &p)) return false;
      return Rescale(p, s1 + s2, s, out);
    }
    case ArithOp::kDiv: {
      if (b == 0) return false;
      const int k = s - s1 + s2;
      if (k >= 0) {
        int64_t x;
        if (!Rescale(a, 0, k, &x)) return false;
        return CheckedDiv(x, b, out);
      }
      // Only when the result scale is below s1 - s2: trunc(trunc(a/m)/b) ==
      // trunc(a/(m*b)) for m > 0, without forming m*b.
      int64_t x;
      Rescale(a, -k, 0, &x);
      return CheckedDiv(x, b, out);
    }
  }
  return false;
}

}  // namespace

Datum Arith(ArithOp op, const Datum& a, const Type& ta, const Datum& b, const Type& tb,
            const Type& result) {
  if (a.null || b.null) return Datum::Null();
  if (result.id == TypeId::kDouble) {
    const Datum x = Cast(a, ta, Type::Double());
    const Datum y = Cast(b, tb, Type::Double());
    if (x.null || y.null) return Datum::Null();
    return ArithDouble(op, x.d, y.d);
  }
  if (!IsExactNumeric(result) || !IsExactNumeric(ta) || !IsExactNumeric(tb)) {
    return Datum::Null();
  }
  int64_t out;
  if (!ArithExact(op, a.i, ScaleOf(ta), b.i, ScaleOf(tb), ScaleOf(result), &out)) {
    return Datum::Null();
  }
  return FitExact(out, result);
}

Datum Negate(const Datum& a, const Type& t) {
  if (a.null) return Datum::Null();
  if (t.id == TypeId::kDouble) return Datum::Double(-a.d);
  int64_t out;
  if (!CheckedSub(0, a.i, &out)) return Datum::Null();
  return FitExact(out, t);
}

// ---- Comparison -------------------------------------------------------------

namespace {

template <typename T>
Tri CompareOrdered(CmpOp op, const T& a, const T& b) {
  switch (op) {
    case CmpOp::kEq:
      return TriFromBool(a == b);
    case CmpOp::kNe:
      return TriFromBool(a != b);
    case CmpOp::kLt:
      return TriFromBool(a < b);
    case CmpOp::kLe:
      return TriFromBool(a <= b);
    case CmpOp::kGt:
      return TriFromBool(a > b);
    case CmpOp::kGe:
      return TriFromBool(a >= b);
  }
  return Tri::kNull;
}

}  // namespace

std::string_view TrimTrailingSpaces(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && s[n - 1] == ' ') --n;
  return s.substr(0, n);
}

std::string_view StringView(const Datum& v, const Type& t) {
  std::string_view s = v.s;
  return t.id == TypeId::kChar ? TrimTrailingSpaces(s) : s;
}

int CompareBytes(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

Tri Compare(CmpOp op, const Datum& a, const Type& ta, const Datum& b, const Type& tb) {
  if (a.null || b.null) return Tri::kNull;
  if (ta.IsString() || tb.IsString()) {
    return CompareOrdered(op, CompareBytes(StringView(a, ta), StringView(b, tb)), 0);
  }
  if (ta.IsNumeric() && tb.IsNumeric()) {
    const Type common = PromoteNumeric(ta, tb);
    const Datum x = Cast(a, ta, common);
    const Datum y = Cast(b, tb, common);
    if (x.null || y.null) return Tri::kNull;
    if (common.id == TypeId::kDouble) return CompareOrdered(op, x.d, y.d);
    return CompareOrdered(op, x.i, y.i);
  }
  // BOOL, DATE.
  return CompareOrdered(op, a.i, b.i);
}

Tri Between(const Datum& x, const Type& tx, const Datum& lo, const Type& tlo, const Datum& hi,
            const Type& thi) {
  return And(Compare(CmpOp::kGe, x, tx, lo, tlo), Compare(CmpOp::kLe, x, tx, hi, thi));
}

Tri InList(const Datum& x, const Type& tx, const std::vector<TypedDatum>& items) {
  Tri acc = Tri::kFalse;
  for (const TypedDatum& item : items) {
    acc = Or(acc, Compare(CmpOp::kEq, x, tx, item.value, item.type));
    if (acc == Tri::kTrue) break;
  }
  return acc;
}

// ---- Strings ----------------------------------------------------------------

bool LikeMatch(std::string_view s, std::string_view p) {
  // Greedy match with backtracking to the most recent '%' only: when a later
  // segment fails, the last '%' absorbs one more byte. Earlier '%'s never need
  // revisiting because the last one can absorb anything they could.
  size_t si = 0, pi = 0;
  size_t star = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star = pi++;
      star_s = si;
    } else if (pi < p.size() && (p[pi] == '_' || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

Tri Like(const Datum& s, const Type& ts, std::string_view pattern) {
  if (s.null) return Tri::kNull;
  return TriFromBool(LikeMatch(StringView(s, ts), pattern));
}

// ---- Functions --------------------------------------------------------------

Datum Length(const Datum& s, const Type& ts) {
  if (s.null) return Datum::Null();
  return Datum::Int(static_cast<int64_t>(StringView(s, ts).size()));
}

Tri StartsWith(const Datum& s, const Type& ts, const Datum& prefix, const Type& tprefix) {
  if (s.null || prefix.null) return Tri::kNull;
  const std::string_view str = StringView(s, ts);
  const std::string_view pre = StringView(prefix, tprefix);
  return TriFromBool(str.size() >= pre.size() && str.substr(0, pre.size()) == pre);
}

Datum Substr(const Datum& s, const Type& ts, const Datum& off, const Datum& len) {
  if (s.null || off.null || len.null) return Datum::Null();
  const std::string_view str = StringView(s, ts);
  const int64_t size = static_cast<int64_t>(str.size());
  if (off.i < 0 || len.i < 0 || off.i > size || len.i > size - off.i) return Datum::Null();
  return Datum::String(str.substr(static_cast<size_t>(off.i), static_cast<size_t>(len.i)));
}

int ByteReadWidth(ByteRead r) {
  switch (r) {
    case ByteRead::kU8:
      return 1;
    case ByteRead::kU16Le:
    case ByteRead::kU16Be:
      return 2;
    case ByteRead::kU32Le:
    case ByteRead::kU32Be:
    case ByteRead::kI32Le:
    case ByteRead::kI32Be:
      return 4;
    case ByteRead::kU64Le:
    case ByteRead::kU64Be:
    case ByteRead::kI64Le:
    case ByteRead::kI64Be:
      return 8;
  }
  return 8;
}

Datum ReadBytes(ByteRead r, const Datum& s, const Type& ts, const Datum& off) {
  if (s.null || off.null) return Datum::Null();
  const std::string_view str = StringView(s, ts);
  const int64_t width = ByteReadWidth(r);
  const int64_t size = static_cast<int64_t>(str.size());
  if (off.i < 0 || off.i > size || width > size - off.i) return Datum::Null();
  const auto* p = reinterpret_cast<const unsigned char*>(str.data()) + off.i;
  bool big_endian = false;
  switch (r) {
    case ByteRead::kU16Be:
    case ByteRead::kU32Be:
    case ByteRead::kU64Be:
    case ByteRead::kI32Be:
    case ByteRead::kI64Be:
      big_endian = true;
      break;
    default:
      break;
  }
  uint64_t u = 0;
  for (int64_t k = 0; k < width; ++k) {
    const uint64_t byte = p[big_endian ? k : width - 1 - k];
    u = (u << 8) | byte;
  }
  switch (r) {
    case ByteRead::kI32Le:
    case ByteRead::kI32Be:
      return Datum::Int(static_cast<int32_t>(static_cast<uint32_t>(u)));
    default:
      return Datum::Int(static_cast<int64_t>(u));
  }
}

// ---- Formatting -------------------------------------------------------------

std::string FormatDecimal(int64_t scaled, int scale) {
  const bool negative = scaled < 0;
  // Magnitude as unsigned so INT64_MIN works.
  uint64_t mag = negative ? 0 - static_cast<uint64_t>(scaled) : static_cast<uint64_t>(scaled);
  std::string digits = std::to_string(mag);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return negative ? "-" + digits : digits;
}

std::string FormatDatum(const Datum& v, const Type& t) {
  if (v.null) return "NULL";
  switch (t.id) {
    case TypeId::kNull:
      return "NULL";
    case TypeId::kBool:
      return v.i ? "TRUE" : "FALSE";
    case TypeId::kInt32:
    case TypeId::kInt64:
      return std::to_string(v.i);
    case TypeId::kDecimal:
      return FormatDecimal(v.i, t.scale);
    case TypeId::kDate:
      if (v.i < std::numeric_limits<int32_t>::min() || v.i > std::numeric_limits<int32_t>::max()) {
        return "DATE(" + std::to_string(v.i) + ")";
      }
      return "DATE '" + FormatDate(static_cast<int32_t>(v.i)) + "'";
    case TypeId::kDouble: {
      char buf[40];
      std::snprintf(buf, sizeof(buf), "%.17g", v.d);
      return buf;
    }
    case TypeId::kChar:
    case TypeId::kVarchar: {
      std::string out = "'";
      for (char c : v.s) {
        out += c;
        if (c == '\'') out += '\'';
      }
      return out + "'";
    }
    case TypeId::kBytes: {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string out = "x'";
      for (unsigned char c : v.s) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out + "'";
    }
  }
  return "?";
}

}  // namespace pushdown::bpfgen
