// The value semantics of docs/LANGUAGE.md as functions on (Datum, Type): the
// ONE implementation that constant folding (bpfgen/lang) and the reference
// evaluator (bpfgen/eval) call, and that generated code must agree with.
//
// Conventions:
//   - A NULL operand yields NULL (Datum::Null() / Tri::kNull), except in the
//     Kleene connectives.
//   - int64 overflow anywhere (arithmetic, negation, DECIMAL rescale,
//     INT64_MIN / -1) yields NULL; integer/decimal division or modulo by zero
//     yields NULL. DOUBLE arithmetic is plain IEEE-754 (x / 0.0 is +-inf or NaN).
//   - Operands need not already be promoted: numeric functions promote by the
//     language rules themselves (INT32 -> INT64, integer -> DECIMAL scale,
//     DECIMAL scale alignment to max(s1,s2), anything with DOUBLE -> DOUBLE), so
//     an AST with explicit kCast nodes and one without give the same answer.
//   - DECIMAL precision is NOT enforced by expressions (only int64 range is);
//     the row codec enforces it when storing.
//   - CHAR values are seen with trailing spaces removed by every operation
//     (comparison, LIKE, length, starts_with, substr, byte reads).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/types.h"

namespace pushdown::bpfgen {

// ---- Three-valued logic -----------------------------------------------------

enum class Tri : uint8_t { kFalse, kTrue, kNull };

inline Tri TriFromBool(bool b) { return b ? Tri::kTrue : Tri::kFalse; }
// Kleene: FALSE dominates AND, TRUE dominates OR, NOT NULL = NULL.
Tri And(Tri a, Tri b);
Tri Or(Tri a, Tri b);
Tri Not(Tri a);
// A BOOL datum (or NULL) <-> Tri.
Tri ToTri(const Datum& v);
Datum FromTri(Tri t);
const char* TriName(Tri t);  // "FALSE", "TRUE", "NULL"

// ---- Checked int64 ----------------------------------------------------------
// Return false on overflow (or division/modulo by zero); *out is then unspecified.
bool CheckedAdd(int64_t a, int64_t b, int64_t* out);
bool CheckedSub(int64_t a, int64_t b, int64_t* out);
bool CheckedMul(int64_t a, int64_t b, int64_t* out);
// Truncates toward zero; false for b == 0 and INT64_MIN / -1.
bool CheckedDiv(int64_t a, int64_t b, int64_t* out);
// Sign of the dividend (C); false for b == 0. INT64_MIN % -1 is 0 (no overflow).
bool CheckedMod(int64_t a, int64_t b, int64_t* out);
// v * 10^(to_scale - from_scale), checked, when to_scale >= from_scale;
// otherwise v / 10^(from_scale - to_scale) truncated toward zero (never fails).
// Scales are in [0, 18]; a difference > 18 fails unless v == 0.
bool Rescale(int64_t v, int from_scale, int to_scale, int64_t* out);

// The DECIMAL scale of a numeric type: its scale for DECIMAL, 0 for
// INT32/INT64 (and BOOL/DATE, which never meet decimals).
int ScaleOf(const Type& t);

// ---- Casts ------------------------------------------------------------------
// Converts v of type `from` to type `to`:
//   integer/DECIMAL -> integer/DECIMAL: rescale (checked, down-scaling truncates
//     toward zero); INT32 target: out of int32 range -> NULL;
//   integer/DECIMAL -> DOUBLE: (double)i / 10^s (one rounding each step);
//   DOUBLE -> integer/DECIMAL: truncate toward zero, NaN/out of range -> NULL;
//   CHAR -> another string type: trailing spaces removed; other string casts
//     keep the bytes; same type: unchanged. NULL in -> NULL out.
// Anything else (e.g. DATE -> INT64) is not a language cast: returns NULL.
Datum Cast(const Datum& v, const Type& from, const Type& to);

// Promotion result of two numeric operand types (LANGUAGE.md "Numeric
// promotion"): DOUBLE if either is DOUBLE; DECIMAL(18, max scale) if either is
// DECIMAL (same type if both are the same DECIMAL); else INT64.
Type PromoteNumeric(const Type& a, const Type& b);

// ---- Arithmetic -------------------------------------------------------------

enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv, kMod };

// The result type LANGUAGE.md assigns to `a op b` for numeric a, b:
// integers -> INT64; DOUBLE involved -> DOUBLE; otherwise an integer operand
// is first promoted to DECIMAL(18, the other's scale), then DECIMAL +,-,%
// scale max(s1,s2); * scale s1+s2 (so DECIMAL(15,2) * 2 has scale 4);
// / scale max(s1,s2,6); precision 18. Returns false if * would need a scale
// > 18 (a type error).
bool ArithResultType(ArithOp op, const Type& a, const Type& b, Type* result);

// a op b with operand types ta, tb, producing type `result` (normally
// ArithResultType's). DECIMAL/integer: + - % align both operands to the result
// scale; * multiplies exactly at scale s1+s2 then rescales to the result scale;
// / computes (a * 10^(s - s1 + s2)) / b truncated toward zero. DOUBLE: IEEE
// (% is fmod). Overflow, /0, %0 -> NULL (DOUBLE excepted).
Datum Arith(ArithOp op, const Datum& a, const Type& ta, const Datum& b, const Type& tb,
            const Type& result);

// Unary minus: -INT64_MIN -> NULL; DOUBLE: sign flip.
Datum Negate(const Datum& a, const Type& t);

// ---- Comparison -------------------------------------------------------------

enum class CmpOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// a op b. Numeric operands are promoted (PromoteNumeric; a promotion that
// overflows -> NULL); DOUBLE is IEEE (NaN: only <> is TRUE). Strings: memcmp
// order, a proper prefix first, CHAR with trailing spaces removed. BOOL and
// DATE compare as integers. NULL operand -> NULL.
Tri Compare(CmpOp op, const Datum& a, const Type& ta, const Datum& b, const Type& tb);

// The CHAR view of a string value: trailing spaces removed for CHAR, the bytes
// unchanged for VARCHAR/BYTES.
std::string_view StringView(const Datum& v, const Type& t);
std::string_view TrimTrailingSpaces(std::string_view s);
// memcmp order with a proper prefix first: <0, 0, >0.
int CompareBytes(std::string_view a, std::string_view b);

// x BETWEEN lo AND hi == x >= lo AND x <= hi (Kleene AND).
Tri Between(const Datum& x, const Type& tx, const Datum& lo, const Type& tlo, const Datum& hi,
            const Type& thi);

// x IN (items...): the Kleene OR of (x = item): TRUE if some item equals x,
// else NULL if x or some item is NULL, else FALSE. NOT IN is Not() of this.
struct TypedDatum {
  Datum value;
  Type type;
};
Tri InList(const Datum& x, const Type& tx, const std::vector<TypedDatum>& items);

// ---- Strings ----------------------------------------------------------------

// LIKE on raw bytes: '%' matches any run (also empty), '_' exactly one byte,
// every other byte itself; no escape. O(|s| * |pattern|) worst case, no
// recursion.
bool LikeMatch(std::string_view s, std::string_view pattern);
// s LIKE pattern with s's CHAR view; NULL s -> NULL.
Tri Like(const Datum& s, const Type& ts, std::string_view pattern);

// ---- Functions (LANGUAGE.md "Raw-mode functions") ---------------------------

// length(s): INT64 byte length of the CHAR view.
Datum Length(const Datum& s, const Type& ts);
// starts_with(s, prefix): BOOL (as Tri).
Tri StartsWith(const Datum& s, const Type& ts, const Datum& prefix, const Type& tprefix);
// substr(s, off, len): bytes [off, off+len); off < 0, len < 0 or off + len >
// length -> NULL. off and len are integer datums.
Datum Substr(const Datum& s, const Type& ts, const Datum& off, const Datum& len);

// Fixed-width integer reads; same order as lang's Function::kU8..kI64Be.
enum class ByteRead : uint8_t {
  kU8,
  kU16Le,
  kU16Be,
  kU32Le,
  kU32Be,
  kU64Le,
  kU64Be,
  kI32Le,
  kI32Be,
  kI64Le,
  kI64Be,
};
int ByteReadWidth(ByteRead r);  // 1, 2, 4 or 8
// Reads ByteReadWidth(r) bytes at offset `off` of s's CHAR view: INT64
// (unsigned reads zero-extend, u64 keeps the bit pattern, signed reads
// sign-extend). off < 0 or off + width > length -> NULL.
Datum ReadBytes(ByteRead r, const Datum& s, const Type& ts, const Datum& off);

// ---- Formatting ---------------------------------------------------------------

// "-12.34" for scaled -1234 at scale 2; "5" at scale 0; "0.05" for 5 at scale 2.
std::string FormatDecimal(int64_t scaled, int scale);
// A readable rendering: NULL, TRUE/FALSE, integers, decimals with their scale,
// DATE as YYYY-MM-DD, DOUBLE with %.17g, strings quoted ('it''s'), BYTES as
// x'0a1b'. For diagnostics and tests.
std::string FormatDatum(const Datum& v, const Type& t);

}  // namespace pushdown::bpfgen
