// SQL column and expression types.
//
// Value representation (shared by the row codec, the reference evaluator and
// the code generator; it is the contract between them):
//   BOOL           int64 0 or 1
//   INT32, INT64   int64
//   DATE           int64 days since 1970-01-01 (stored as INT32 in rows)
//   DECIMAL(p,s)   int64 scaled by 10^s (1 <= p <= 18, 0 <= s <= p): exact
//   DOUBLE         IEEE-754 double
//   CHAR(n)        n bytes, space padded (comparisons ignore trailing spaces)
//   VARCHAR(n)     0..n bytes
//   BYTES          raw-mode `key` / `value`: any length, compares like memcmp
//   NULL           the type of the literal NULL before it is coerced
#pragma once

#include <cstdint>
#include <string>

namespace pushdown::bpfgen {

enum class TypeId : uint8_t {
  kNull = 0,
  kBool,
  kInt32,
  kInt64,
  kDecimal,
  kDate,
  kDouble,
  kChar,
  kVarchar,
  kBytes,
};

struct Type {
  TypeId id = TypeId::kNull;
  uint8_t precision = 0;  // DECIMAL only
  uint8_t scale = 0;      // DECIMAL only
  uint32_t length = 0;    // CHAR(n)/VARCHAR(n): n; 0 otherwise (BYTES: unbounded)

  static Type Null() { return {TypeId::kNull}; }
  static Type Bool() { return {TypeId::kBool}; }
  static Type Int32() { return {TypeId::kInt32}; }
  static Type Int64() { return {TypeId::kInt64}; }
  static Type Decimal(int p, int s) {
    return {TypeId::kDecimal, static_cast<uint8_t>(p), static_cast<uint8_t>(s)};
  }
  static Type Date() { return {TypeId::kDate}; }
  static Type Double() { return {TypeId::kDouble}; }
  static Type Char(uint32_t n) { return {TypeId::kChar, 0, 0, n}; }
  static Type Varchar(uint32_t n) { return {TypeId::kVarchar, 0, 0, n}; }
  static Type Bytes() { return {TypeId::kBytes}; }

  bool IsIntegral() const { return id == TypeId::kInt32 || id == TypeId::kInt64; }
  bool IsNumeric() const { return IsIntegral() || id == TypeId::kDecimal || id == TypeId::kDouble; }
  bool IsString() const {
    return id == TypeId::kChar || id == TypeId::kVarchar || id == TypeId::kBytes;
  }
  // Fixed-width in the row format (everything but VARCHAR and BYTES).
  bool IsFixedWidth() const {
    return id != TypeId::kVarchar && id != TypeId::kBytes && id != TypeId::kNull;
  }

  // "DECIMAL(15,2)", "VARCHAR(44)", "DATE", ...
  std::string ToString() const;

  friend bool operator==(const Type& a, const Type& b) {
    return a.id == b.id && a.precision == b.precision && a.scale == b.scale && a.length == b.length;
  }
  friend bool operator!=(const Type& a, const Type& b) { return !(a == b); }
};

// Powers of ten for DECIMAL scaling: kPow10[i] == 10^i, i in [0, 18].
inline constexpr int64_t kPow10[19] = {1LL,
                                       10LL,
                                       100LL,
                                       1000LL,
                                       10000LL,
                                       100000LL,
                                       1000000LL,
                                       10000000LL,
                                       100000000LL,
                                       1000000000LL,
                                       10000000000LL,
                                       100000000000LL,
                                       1000000000000LL,
                                       10000000000000LL,
                                       100000000000000LL,
                                       1000000000000000LL,
                                       10000000000000000LL,
                                       100000000000000000LL,
                                       1000000000000000000LL};

}  // namespace pushdown::bpfgen
