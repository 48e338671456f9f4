// What a C API scan, aggregate or explain reads (a column family with a
// per-call schema, or a table) resolved against a DbState, and the scan
// options with the RocksDB C handles inside them unwrapped.
#pragma once

#include <string>

#include "engine/api/attach.h"
#include "engine/api/scan_options.h"
#include "engine/capi/c_internal.h"
#include "util/status.h"

namespace pushdown::engine::capi {

struct ScanRequest {
  bool table = false;
  struct rocksdb_column_family_handle_t* cf = nullptr;  // !table; NULL = default
  const char* schema_ddl = nullptr;                     // !table; NULL = raw mode
  const char* table_name = nullptr;                     // table

  static ScanRequest ColumnFamily(struct rocksdb_column_family_handle_t* cf, const char* ddl) {
    ScanRequest r;
    r.cf = cf;
    r.schema_ddl = ddl;
    return r;
  }
  static ScanRequest Table(const char* name) {
    ScanRequest r;
    r.table = true;
    r.table_name = name;
    return r;
  }
};

// A table of a PushdownDB goes through PushdownDB (its table registry, under
// its lock); everything else through the AttachedDB with (cf, rows).
struct ResolvedTarget {
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  RowSpec rows = RowSpec::Raw();
  bool raw = true;
  std::string pdb_table;  // set: a table of DbState::pdb
};

// Errors: NULL table name; a cf handle on a DB from pushdown_open; the
// handle check (UnwrapColumnFamily); an unknown table (NotFound); a table
// scan of an attached DB without a catalog, or without the table's column
// family handle (pushdown_attachoptions_add_column_family).
Result<ResolvedTarget> Resolve(const DbState& db, const ScanRequest& request);

Result<std::unique_ptr<ScanCursor>> RunScan(const DbState& db, const ResolvedTarget& target,
                                            const char* where, const ScanOptions& options);
Result<AggregateResult> RunAggregate(const DbState& db, const ResolvedTarget& target,
                                     const char* where, const char* aggregates,
                                     const ScanOptions& options);
Result<ExplainResult> RunExplain(const DbState& db, const ResolvedTarget& target, const char* where,
                                 const ScanOptions& options);

// The options (defaults for NULL) with the snapshot unwrapped (db/c.cc:
// struct rocksdb_snapshot_t { const Snapshot* rep; }; RocksDB 7.8's C API has
// no getter to check it against, so it is checked to be non-null and not
// newer than the DB's latest sequence number).
Result<ScanOptions> ResolveScanOptions(const DbState& db, const pushdown_scanoptions_t* opts);

}  // namespace pushdown::engine::capi
