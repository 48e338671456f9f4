#include "engine/capi/c_target.h"

#include <cstring>

namespace pushdown::engine::capi {

Result<ResolvedTarget> Resolve(const DbState& db, const ScanRequest& request) {
  ResolvedTarget out;
  if (!request.table) {
    PD_ASSIGN_OR_RETURN(out.cf, UnwrapColumnFamily(request.cf));
    if (out.cf != nullptr && db.pdb != nullptr) {
      return Status::InvalidArgument(
          "a column family handle is for attached DBs: on a DB from pushdown_open pass NULL "
          "(default column family) or scan a table");
    }
    if (out.cf == nullptr) out.cf = db.db->DefaultColumnFamily();
    if (request.schema_ddl != nullptr) {
      out.rows = RowSpec::Ddl(request.schema_ddl);
      out.raw = false;
    }
    return out;
  }
  PD_RETURN_IF_ERROR(NotNull(request.table_name, "table"));
  const std::string name = request.table_name;
  out.raw = false;
  if (db.pdb != nullptr) {
    PD_RETURN_IF_ERROR(db.pdb->OpenTable(name).status());  // NotFound early
    out.pdb_table = name;
    return out;
  }
  if (!db.has_catalog) {
    return Status::InvalidArgument(
        "no catalog: attach with pushdown_attachoptions_set_catalog to scan tables");
  }
  PD_ASSIGN_OR_RETURN(out.rows, db.attached->TableRows(name));
  for (const auto& [cf_name, cf] : db.column_families) {
    if (cf_name == name) out.cf = cf;
  }
  if (out.cf == nullptr) {
    return Status::InvalidArgument("table '" + name +
                                   "': its column family handle was not given to "
                                   "pushdown_attach (pushdown_attachoptions_add_column_family)");
  }
  return out;
}

Result<std::unique_ptr<ScanCursor>> RunScan(const DbState& db, const ResolvedTarget& target,
                                            const char* where, const ScanOptions& options) {
  if (!target.pdb_table.empty()) return db.pdb->Scan(target.pdb_table, where, options);
  return db.attached->Scan(target.cf, target.rows, where, options);
}

Result<AggregateResult> RunAggregate(const DbState& db, const ResolvedTarget& target,
                                     const char* where, const char* aggregates,
                                     const ScanOptions& options) {
  if (!target.pdb_table.empty()) {
    return db.pdb->Aggregate(target.pdb_table, where, aggregates, options);
  }
  return db.attached->Aggregate(target.cf, target.rows, where, aggregates, options);
}

Result<ExplainResult> RunExplain(const DbState& db, const ResolvedTarget& target, const char* where,
                                 const ScanOptions& options) {
  if (!target.pdb_table.empty()) return db.pdb->Explain(target.pdb_table, where, options);
  return db.attached->Explain(target.cf, target.rows, where, options);
}

Result<ScanOptions> ResolveScanOptions(const DbState& db, const pushdown_scanoptions_t* opts) {
  if (opts == nullptr) return ScanOptions();
  ScanOptions so = opts->options;
  if (opts->snapshot != nullptr) {
    const rocksdb::Snapshot* snap = nullptr;
    std::memcpy(&snap, opts->snapshot, sizeof(snap));
    if (snap == nullptr) return Status::InvalidArgument("snapshot handle holds no snapshot");
    if (snap->GetSequenceNumber() > db.db->GetLatestSequenceNumber()) {
      return Status::InvalidArgument("snapshot is newer than the DB: not a snapshot of this DB");
    }
    so.snapshot = snap;
  }
  return so;
}

}  // namespace pushdown::engine::capi
