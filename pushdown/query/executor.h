// Runs a bound SELECT (bpfgen/sql/bind.h) over the rows of its scan, on the
// host: projection, hash aggregation, HAVING, ORDER BY, OFFSET/LIMIT. The
// WHERE clause is not evaluated here: it is the scan's predicate (pushed to
// the device, residual on the host), so every row the source delivers
// matched it.
//
// Streaming: a query with no aggregate and no ORDER BY pulls rows only as
// the caller asks for them, and stops pulling after OFFSET + LIMIT rows (the
// engine also passes that count to the scan as its row limit:
// ScanRowLimit). Otherwise the first Next() consumes the source: aggregation
// keeps one state per group (bounded by QueryLimits), ORDER BY buffers rows
// (with a LIMIT only the best OFFSET + LIMIT so far), and then rows are
// returned from memory.
//
// Value semantics are the predicate language's (bpfgen/schema/scalar.h) and
// docs/SQL.md: aggregates skip NULLs; count(*) counts rows; sum/avg/min/max
// of no values are NULL; sums are exact in 128 bits and an out-of-range
// result is NotSupported "sum(x) overflows DECIMAL(18,2)"; avg of a DECIMAL
// is rounded half away from zero; GROUP BY puts NULLs in one group; ORDER BY
// is stable (ties keep scan order, i.e. key order, or the order in which
// groups first appeared), NULLs the smallest value unless NULLS FIRST/LAST.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/types.h"
#include "bpfgen/sql/bind.h"
#include "pushdown/query/query_limits.h"
#include "pushdown/query/row_source.h"
#include "util/status.h"

namespace pushdown::query {

inline constexpr uint64_t kNoScanLimit = UINT64_MAX;

// The row limit the scan may apply: OFFSET + LIMIT for a streaming query with
// a LIMIT, else kNoScanLimit.
uint64_t ScanRowLimit(const bpfgen::sql::BoundQuery& query);

// Aggregates of rows the source never delivers (the engine's device
// aggregates, engine/api/query.cc), merged into the groups once the source is
// done, exactly as if those rows had been aggregated here: same counts, same
// 128-bit sums, same overflow rule.
struct AggregatePartial {
  uint64_t count = 0;                 // count(*): rows; else the non-NULL inputs
  __int128 sum = 0;                   // sum/avg: the exact sum of the inputs (scaled integers)
  std::optional<bpfgen::Datum> best;  // min/max: the least/greatest input
};
struct GroupPartial {
  std::vector<bpfgen::Datum> keys;           // one per GROUP BY expression
  std::vector<AggregatePartial> aggregates;  // one per BoundQuery::aggregates
};
class PartialSource {
 public:
  virtual ~PartialSource() = default;
  // Called once, after the row source reported its end.
  virtual Result<std::vector<GroupPartial>> Partials() = 0;
};

// OK when `query`'s aggregates can take partials (PartialSource): an
// aggregate query without DISTINCT aggregates (or SELECT DISTINCT) whose
// sums and averages are not DOUBLE; else NotSupported with why.
Status CheckPartialsAllowed(const bpfgen::sql::BoundQuery& query);

class QueryExecution {
 public:
  // `source` (and `partials`, if any) must outlive the execution. REQUIRES
  // for `partials`: CheckPartialsAllowed(query) (else InvalidArgument).
  static Result<std::unique_ptr<QueryExecution>> Open(bpfgen::sql::BoundQuery query,
                                                      RowSource* source,
                                                      const QueryLimits& limits = {},
                                                      PartialSource* partials = nullptr);
  virtual ~QueryExecution() = default;

  // OK + Valid(): row() is the next output row. OK + !Valid(): done.
  // Else the error (sticky).
  virtual Status Next() = 0;
  virtual bool Valid() const = 0;
  virtual const std::vector<bpfgen::Datum>& row() const = 0;
  virtual const std::vector<std::string>& column_names() const = 0;
  virtual const std::vector<bpfgen::Type>& column_types() const = 0;
  // Rows the source delivered so far.
  virtual uint64_t rows_read() const = 0;
};

// Total order used by ORDER BY for two non-NULL values of type t: <0, 0, >0.
// Numbers, DATE and BOOL by value (DOUBLE: NaN after every number, -0 = 0);
// strings bytewise (CHAR without trailing spaces), a proper prefix first.
int CompareValues(const bpfgen::Datum& a, const bpfgen::Datum& b, const bpfgen::Type& t);

}  // namespace pushdown::query
