// AttachedDB: pushdown scans over a rocksdb::DB that the application opened
// itself, with its own Options and column families.
//
//   rocksdb::DB* db = ...;                       // the service's own DB::Open
//   PD_ASSIGN_OR_RETURN(auto pd, AttachedDB::Attach(db));
//   ScanOptions so;
//   so.lower_bound = "user:1000";                // optional key bounds
//   PD_ASSIGN_OR_RETURN(auto cur,
//       pd->Scan(cf, RowSpec::Raw(), "starts_with(value, 'x')", so));
//   for (;;) {
//     PD_RETURN_IF_ERROR(cur->Next());
//     if (!cur->Valid()) break;
//     Use(cur->key(), cur->row());
//   }
//
// Contract:
// - Attaching changes nothing: no option, column family, file or catalog entry
//   is created or modified. A scan writes nothing (unless it opts in with
//   ScanOptions::flush_memtable): no flush, no new file, no change in the DB
//   directory. Data in the memtables at the scan's snapshot is merged exactly
//   with the SST streams (engine/api/memtable_view.h) or, where that cannot be
//   established, read on the iterator path with the reason.
// - The schema comes per call (RowSpec: raw key/value bytes, a DDL string, or a
//   bpfgen::Schema), or from the catalog of a DB written by PushdownDB
//   (TableRows). PushdownDB (pushdown_db.h) adds tables with a catalog on top
//   of this.
// - Every column family the application can open can be scanned: what the
//   pushdown path cannot read exactly (merge operators, non-bytewise
//   comparators, blob files, user timestamps, ...) takes the iterator path
//   through the application's own handle, with the reason in
//   ScanInfo::fallback_reason. Range deletions are applied on the pushdown
//   path (engine/api/README.md).
// - One planner (pushdown/plan/planner.h) decides path and device for Scan,
//   Aggregate and Explain: Explain reports the plan Scan runs.
// - The DB and every handle passed in must outlive the AttachedDB and every
//   cursor it returned. Thread-safe: Scan/Aggregate/Explain may be called from
//   many threads; a cursor is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/schema.h"
#include "engine/api/query.h"
#include "engine/api/scan_options.h"
#include "pushdown/device/device_request.h"
#include "pushdown/device/program_cache_options.h"
#include "rocksdb/db.h"
#include "util/status.h"

namespace pushdown::engine {

// The column family in which PushdownDB keeps its catalog. A DB with tables
// has it: an application opens such a DB with every column family listed by
// rocksdb::DB::ListColumnFamilies (as RocksDB requires for any DB).
inline constexpr char kCatalogColumnFamily[] = "pushdown_catalog";

// How the values (and keys) of a column family are interpreted for a scan.
class RowSpec {
 public:
  // Raw mode: columns `key` and `value` (BYTES); predicates such as
  // `u64be(key, 0) % 100 < 2`.
  static RowSpec Raw();
  // A table schema as DDL ("l_orderkey INT64 KEY, l_quantity DECIMAL(15,2) NOT
  // NULL, ..."), parsed per call: a bad DDL is InvalidArgument with line:column.
  static RowSpec Ddl(std::string ddl);
  // A parsed schema (copied), or a shared one (null = Raw()).
  static RowSpec Of(bpfgen::Schema schema);
  static RowSpec Of(std::shared_ptr<const bpfgen::Schema> schema);

  // The schema (a DDL is parsed here). Never null on success.
  Result<std::shared_ptr<const bpfgen::Schema>> Resolve() const;

 private:
  RowSpec() = default;
  std::shared_ptr<const bpfgen::Schema> schema_;  // set for Raw and Of
  std::string ddl_;                               // for Ddl
};

struct AttachOptions {
  // Default device of scans on this DB. Unset: the pushdown FileSystem's
  // `device=` option when the DB was opened with it (engine/plugin), else auto.
  std::optional<exec::DeviceRequest> device;
  // The DB was opened with DB::OpenForReadOnly (or as a secondary): nothing is
  // flushed (ScanOptions::flush_memtable is refused) and obsolete-file
  // deletion is not toggled.
  bool read_only = false;
  // The handle of the `pushdown_catalog` column family (kCatalogColumnFamily),
  // when the application opened a DB written by PushdownDB: TableRows then
  // reads table schemas from it. Not owned.
  rocksdb::ColumnFamilyHandle* catalog = nullptr;
  // Limits of the compiled-program cache (entries, bytes; LRU, programs in
  // use are pinned). See pushdown/device/program_cache_options.h.
  exec::ProgramCacheOptions program_cache;
  // Default ScanOptions::workers of scans on this DB (0 = one per core,
  // bounded by the data size; see scan_options.h).
  uint32_t scan_workers = 0;
  // Empty: data in the memtables is captured from the live WAL
  // (memtable_view.h) and merged on the pushdown path. Non-empty: it is not;
  // a scan of a family whose memtables hold data takes the iterator path with
  // the reason "memtable: <this text>". For a DB whose WAL another process
  // appends to while this one reads it as a secondary instance (the CLI sets
  // it then: engine/cli/secondary_db.h).
  std::string memtable_capture_off_reason;
};

class AttachedDB {
 public:
  // REQUIRES: db is open and outlives the result.
  static Result<std::unique_ptr<AttachedDB>> Attach(rocksdb::DB* db,
                                                    const AttachOptions& options = {});
  ~AttachedDB();
  AttachedDB(const AttachedDB&) = delete;
  AttachedDB& operator=(const AttachedDB&) = delete;

  rocksdb::DB* db() const;
  // The default device (AttachOptions::device, else the plugin's, else kAuto).
  exec::DeviceRequest default_device() const;
  // "plugin" when the DB's FileSystem is the pushdown plugin, else "direct".
  const std::string& io() const;

  // Errors: bad predicate / unknown column -> InvalidArgument with the
  // diagnostic (line:column and caret); a null handle -> InvalidArgument;
  // ScanOptions::strict_device and the scan would not run on the requested
  // device -> Unavailable with the reason.
  Result<std::unique_ptr<ScanCursor>> Scan(rocksdb::ColumnFamilyHandle* cf, const RowSpec& rows,
                                           std::string_view where,
                                           const ScanOptions& options = ScanOptions());
  // `aggregates`: comma-separated, e.g. "count(*), sum(l_extendedprice * l_discount)".
  Result<AggregateResult> Aggregate(rocksdb::ColumnFamilyHandle* cf, const RowSpec& rows,
                                    std::string_view where, std::string_view aggregates,
                                    const ScanOptions& options = ScanOptions());
  // The plan the same Scan would run (one planner: Explain never disagrees).
  // Writes nothing, compiles (or finds in the cache) the program.
  Result<ExplainResult> Explain(rocksdb::ColumnFamilyHandle* cf, const RowSpec& rows,
                                std::string_view where, const ScanOptions& options = ScanOptions());

  // One SQL SELECT (engine/api/query.h, docs/SQL.md). FROM names a table of
  // the catalog (AttachOptions::catalog) or raw.<column family>; its column
  // family is found by name among `families` (the handles the application
  // opened; the default column family is always known).
  Result<std::unique_ptr<QueryCursor>> Query(
      std::string_view sql, const QueryOptions& options = QueryOptions(),
      const std::vector<rocksdb::ColumnFamilyHandle*>& families = {});

  // Tables of the catalog (AttachOptions::catalog), read at the latest state.
  // No catalog -> InvalidArgument; no such table -> NotFound; a bad entry
  // -> Corruption. The table's rows are in the column family of the same name.
  Result<RowSpec> TableRows(const std::string& table) const;
  Result<std::vector<std::string>> ListTables() const;

  // Programs compiled and loaded so far (one per predicate, schema, device).
  uint64_t program_cache_hits() const;
  uint64_t program_cache_misses() const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit AttachedDB(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pushdown::engine
