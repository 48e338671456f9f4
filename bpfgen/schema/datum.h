// Datum: one SQL value in the representation of types.h (the contract between
// the row codec, the reference evaluator, constant folding and generated code).
//   null            SQL NULL (then i, d, s are meaningless and zero/empty)
//   i               BOOL (0/1), INT32, INT64, DATE (days), DECIMAL (scaled int64)
//   d               DOUBLE
//   s               CHAR, VARCHAR, BYTES bytes (CHAR: see row_codec.h for padding)
// A Datum does not carry its type: every operation takes the Type alongside.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace pushdown::bpfgen {

struct Datum {
  bool null = true;
  int64_t i = 0;
  double d = 0;
  std::string s;

  static Datum Null() { return Datum(); }
  static Datum Bool(bool v) { return Int(v ? 1 : 0); }
  // INT32, INT64, DATE (days), DECIMAL (scaled), BOOL (0/1).
  static Datum Int(int64_t v) {
    Datum x;
    x.null = false;
    x.i = v;
    return x;
  }
  static Datum Double(double v) {
    Datum x;
    x.null = false;
    x.d = v;
    return x;
  }
  static Datum String(std::string_view v) {
    Datum x;
    x.null = false;
    x.s = std::string(v);
    return x;
  }

  bool is_null() const { return null; }

  // Representation identity (not SQL equality): both NULL, or equal i, equal
  // bit patterns of d (so NaN == NaN and -0.0 != 0.0 here), equal s.
  friend bool operator==(const Datum& a, const Datum& b) {
    if (a.null || b.null) return a.null == b.null;
    return a.i == b.i && std::memcmp(&a.d, &b.d, sizeof(double)) == 0 && a.s == b.s;
  }
};

}  // namespace pushdown::bpfgen
