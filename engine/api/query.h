// Query(sql): one single-table SQL SELECT (docs/SQL.md) over a table or a raw
// column family. The WHERE clause is the scan's predicate: it is planned,
// pushed down and split exactly as Scan() does (device part on the kernel or
// host device, residual on the host, exact RocksDB-iterator fallback).
// Projection, aggregation (hash GROUP BY in bounded memory), HAVING, ORDER BY
// and OFFSET/LIMIT run on the host over the scan's rows
// (pushdown/query/executor.h), except that the aggregates of a query without
// GROUP BY run on the device for the blocks where that is exact, when each
// can (bpfgen::CheckDeviceAggregate; no DISTINCT, no DOUBLE sums): their
// partials are merged with the host's aggregate of the other rows, with the
// same result. ScanInfo::aggregation says where they ran, or why not.
//
//   PD_ASSIGN_OR_RETURN(auto cur, db->Query(
//       "SELECT l_returnflag, count(*) AS n FROM lineitem "
//       "WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag ORDER BY 1"));
//   for (;;) {
//     PD_RETURN_IF_ERROR(cur->Next());
//     if (!cur->Valid()) break;
//     Use(cur->row());                      // one Datum per column_names()
//   }
//   cur->info();  cur->stats();           // the scan's plan and counters
//
// Errors: a bad or unsupported statement -> InvalidArgument with the
// diagnostic (line:column and a caret); an unknown table or column family ->
// NotFound (with the position of the FROM name); ScanOptions::strict_device
// not satisfied -> Unavailable; past QueryLimits -> ResourceExhausted; a sum
// or avg outside its result type -> NotSupported.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/types.h"
#include "engine/api/scan_options.h"
#include "pushdown/query/query_limits.h"
#include "pushdown/scan/scan_stats.h"
#include "util/status.h"

namespace pushdown::engine {

struct QueryOptions {
  // device, strict_device, snapshot, key bounds, checksums, I/O: as for
  // Scan(). `columns` and `limit` must be left empty: the query sets them.
  ScanOptions scan;
  query::QueryLimits limits;
  // The column family a bare `FROM raw` reads.
  std::string default_column_family = "default";
};

// The rows of a query, streamed. REQUIRES: one thread at a time; destroyed
// before the DB it reads.
class QueryCursor {
 public:
  virtual ~QueryCursor() = default;
  // OK + Valid(): row() is the next row. OK + !Valid(): done. Else the error
  // (sticky).
  virtual Status Next() = 0;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid(). One value per column.
  virtual const std::vector<Datum>& row() const = 0;
  // Output column names (aliases, else the expression as written) and types.
  virtual const std::vector<std::string>& column_names() const = 0;
  virtual const std::vector<bpfgen::Type>& column_types() const = 0;
  // The scan's plan (known when Query returns) and its counters so far (final
  // once Next() returned !Valid()).
  virtual const ScanInfo& info() const = 0;
  virtual const exec::ScanStats& stats() const = 0;
};

}  // namespace pushdown::engine
