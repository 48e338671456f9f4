// Zone-map evaluation: what a predicate can be over a set of rows of which
// only per-column summaries are known (minimum, maximum, null count), as
// DuckDB's zone maps and Pebble's block property filters evaluate filters
// over row groups and blocks without reading them.
//
// The result is three-valued over the SET of rows:
//   kNever   no row can make the predicate TRUE (skip the rows);
//   kAlways  every row makes it TRUE (deliver without evaluating);
//   kMaybe   anything else (evaluate row by row).
// Sound by construction: each subexpression is abstracted by the set of
// outcomes {TRUE, FALSE, NULL} it can take on some row, AND/OR/NOT combine
// those sets pairwise (a superset of the real outcomes, since rows are
// treated as independent per subexpression), and only the two certain
// answers are ever drawn from a set. Anything not understood can take every
// outcome.
//
// Understood: comparisons, BETWEEN, IN and IS [NOT] NULL of a fixed-width
// column (BOOL, INT32, INT64, DATE, DECIMAL; an INT32 column widened to
// INT64) against literals; in raw mode the same of the recorded RawField's
// reader call (e.g. `u64be(value, 0) BETWEEN 10 AND 20`); NOT, AND, OR; BOOL
// and NULL literals. Not (yet):
// strings, DOUBLE (NaN), arithmetic (all outcomes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"

namespace pushdown::bpfgen {

// What is known of one column over the rows.
struct ColumnZone {
  bool known = false;        // false: nothing (the column may hold anything)
  uint64_t null_count = 0;   // rows where it is NULL
  uint64_t value_count = 0;  // rows where it is not NULL
  int64_t min = 0;           // over the non-NULL values (Datum::i representation)
  int64_t max = 0;
};

struct ZoneStats {
  uint64_t rows = 0;                // rows described (a value per row)
  std::vector<ColumnZone> columns;  // indexed like Schema::columns (may be shorter: unknown)
};

// Raw mode (no schema: `key` and `value` are bytes): the one fixed-width
// byte field a raw zone map records, of the key or of the value. Its value
// per entry is what the matching reader function returns (docs/LANGUAGE.md):
// width 1 = u8; 2 = u16le/u16be; 4 = u32le/u32be (unsigned) or i32le/i32be
// (is_signed); 8 = u64le/u64be/i64le/i64be (one bit pattern: signedness does
// not matter). NULL where the bytes are too short (offset + width > size).
struct RawField {
  enum class Source : uint8_t { kKey = 0, kValue = 1 };
  Source source = Source::kValue;
  uint32_t offset = 0;
  uint8_t width = 8;  // 1, 2, 4 or 8
  bool big_endian = true;
  bool is_signed = false;  // width 4 only (1 and 2 are unsigned, 8 is a bit pattern)

  // "" if valid, else why not (width, signedness).
  std::string Invalid() const;
  // True if `e` is a call that reads exactly this field: the reader of this
  // width, endianness and signedness applied to the raw `key` (column 0) or
  // `value` (column 1) column at a literal offset equal to `offset`.
  bool ReadBy(const Expr& e) const;
  // The field of `bytes` (the key or the value), nullopt if too short.
  std::optional<int64_t> Read(std::string_view bytes) const;
  // "u64be(value, 0)": the call that reads it.
  std::string ToString() const;
};

enum class ZoneVerdict : uint8_t { kNever, kAlways, kMaybe };

const char* ZoneVerdictName(ZoneVerdict v);  // "never", "always", "maybe"

// The verdict for the conjunction of `conjuncts` (empty: every row is TRUE).
// REQUIRES: the conjuncts are type-checked against `schema`.
ZoneVerdict EvaluateZone(const std::vector<const Expr*>& conjuncts, const Schema& schema,
                         const ZoneStats& zone);
// Raw mode: `zone.columns[0]` summarises `field` (schema column 0, the BYTES
// key, is never zone-mapped itself); every call ReadBy the field is its zone.
ZoneVerdict EvaluateZone(const std::vector<const Expr*>& conjuncts, const Schema& schema,
                         const ZoneStats& zone, const RawField* field);

// True if `type` is recorded in zone maps (fixed-width integer representation).
bool ZoneMappable(const Type& type);

}  // namespace pushdown::bpfgen
