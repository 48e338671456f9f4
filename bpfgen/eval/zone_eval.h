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
// INT64) against literals; NOT, AND, OR; BOOL and NULL literals. Not (yet):
// strings, DOUBLE (NaN), arithmetic (all outcomes).
#pragma once

#include <cstdint>
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

enum class ZoneVerdict : uint8_t { kNever, kAlways, kMaybe };

const char* ZoneVerdictName(ZoneVerdict v);  // "never", "always", "maybe"

// The verdict for the conjunction of `conjuncts` (empty: every row is TRUE).
// REQUIRES: the conjuncts are type-checked against `schema`.
ZoneVerdict EvaluateZone(const std::vector<const Expr*>& conjuncts, const Schema& schema,
                         const ZoneStats& zone);

// True if `type` is recorded in zone maps (fixed-width integer representation).
bool ZoneMappable(const Type& type);

}  // namespace pushdown::bpfgen
