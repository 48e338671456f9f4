// PushdownDB: a convenience on top of the attach API (attach.h). It opens a
// RocksDB database itself through the `pushdown` FileSystem plugin, keeps
// tables (a schema per column family, in a catalog inside the same DB), and
// scans through an AttachedDB over that DB: the predicate runs next to the
// data (kernel eBPF or host JIT), with an exact RocksDB-iterator fallback.
// An application that opens its DB itself attaches instead (attach.h).
//
//   DbOptions options;                       // device: the plugin's, else auto
//   PD_ASSIGN_OR_RETURN(auto db, PushdownDB::Open("/data/db", options));
//   PD_ASSIGN_OR_RETURN(Table* t, db->CreateTable("lineitem", bpfgen::kLineitemDdl));
//   PD_RETURN_IF_ERROR(t->Put(row));
//   ScanOptions so;
//   so.columns = {"l_orderkey", "l_extendedprice"};
//   PD_ASSIGN_OR_RETURN(auto cur, db->Scan("lineitem", "l_quantity < 24", so));
//   for (;;) {
//     PD_RETURN_IF_ERROR(cur->Next());
//     if (!cur->Valid()) break;
//     Use(cur->row());
//   }
//   cur->info().path;   // "pushdown" | "iterator"
//   cur->stats();       // blocks read, bytes to host, ...
//
// Exactness: every path returns exactly the rows a RocksDB iterator at the same
// snapshot followed by the predicate returns (same keys, values, order).
//
// Side effects of Scan(): none. It takes (or uses) a snapshot and reads;
// memtable data at the snapshot is merged from the memtable or read on the
// iterator path with the reason (attach.h). ScanOptions::flush_memtable is
// the explicit opt-in to flush first. While a pushdown scan is open, its
// files are pinned (they stay on disk).
//
// Opening the DB without PushdownDB: every existing column family opens with
// its own options from the DB's latest OPTIONS file. A DB with tables has a
// `pushdown_catalog` column family (created by the first CreateTable); like
// any RocksDB DB with column families, an application opens it with every
// name from rocksdb::DB::ListColumnFamilies, and may attach with
// AttachOptions::catalog = that handle to read table schemas (TableRows).
//
// Thread safety: a PushdownDB, its Tables and Scan/Aggregate/Explain are safe
// to use from many threads at once. A ScanCursor is used by one thread at a
// time. Writers concurrent with a scan do not affect it (it sees its snapshot).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/schema.h"
#include "engine/api/attach.h"
#include "engine/api/scan_options.h"
#include "pushdown/device/device_request.h"
#include "pushdown/device/program_cache_options.h"
#include "pushdown/scan/scan_stats.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "util/status.h"

namespace pushdown::engine {

class PushdownDB;
class Table;

struct DbOptions {
  // Default device for scans. Unset: the `device=` of fs_options, else kAuto
  // (kernel if usable, else host). kIterator: no pushdown (RocksDB iterator +
  // host filter).
  std::optional<exec::DeviceRequest> device;
  bool create_if_missing = true;
  // OpenForReadOnly: no writes, no CreateTable; scans never flush.
  bool read_only = false;
  // Options of the pushdown FileSystem, e.g. "io_uring=true;queue_depth=64"
  // (engine/plugin/pushdown_fs_options.h). Empty = defaults.
  std::string fs_options;
  // Called on the DB options before the DB is opened, and on the options of
  // the column families PushdownDB creates (CreateTable, CreateColumnFamily)
  // and of existing ones without an OPTIONS file entry (compression, block
  // size, write buffer size, ...). Existing column families are opened with
  // the options in the DB's latest OPTIONS file (their own merge operator,
  // comparator, ...), so that a DB written by an application opens as it
  // wrote it. The env is set by PushdownDB afterwards and must not be
  // replaced here.
  std::function<void(rocksdb::Options*)> customize;
  // Limits of the compiled-program cache (entries, bytes; LRU, programs in
  // use are pinned). See pushdown/device/program_cache_options.h.
  exec::ProgramCacheOptions program_cache;
  // Default ScanOptions::workers (AttachOptions::scan_workers).
  uint32_t scan_workers = 0;
  // Per existing column family, after the OPTIONS file's options were loaded
  // (e.g. to set a merge operator or comparator RocksDB cannot load by name).
  std::function<void(const std::string& name, rocksdb::ColumnFamilyOptions*)>
      customize_column_family;
};

// What a scan reads: a table (schema mode) or a raw column family (raw mode:
// columns `key` and `value`, BYTES; predicates like `u64be(key, 0) % 100 < 2`).
struct ScanTarget {
  enum class Kind { kTable, kRawColumnFamily };
  Kind kind = Kind::kRawColumnFamily;
  std::string name = "default";

  ScanTarget() = default;
  ScanTarget(const char* table) : kind(Kind::kTable), name(table) {}             // NOLINT
  ScanTarget(std::string table) : kind(Kind::kTable), name(std::move(table)) {}  // NOLINT
  static ScanTarget Table(std::string name) { return ScanTarget(std::move(name)); }
  static ScanTarget Raw(std::string column_family = "default") {
    ScanTarget t;
    t.kind = Kind::kRawColumnFamily;
    t.name = std::move(column_family);
    return t;
  }
  bool raw() const { return kind == Kind::kRawColumnFamily; }
};

// Encodes rows of one table into a rocksdb::WriteBatch (atomic with Write).
class TableWriteBatch {
 public:
  TableWriteBatch() = default;
  // `row`: one Datum per schema column, in declaration order.
  Status Put(const Table& table, const std::vector<Datum>& row);
  // `key`: one Datum per KEY column, in key order.
  Status Delete(const Table& table, const std::vector<Datum>& key);
  rocksdb::WriteBatch* batch() { return &batch_; }
  size_t count() const { return static_cast<size_t>(batch_.Count()); }
  void Clear() { batch_.Clear(); }

 private:
  rocksdb::WriteBatch batch_;
};

class Table {
 public:
  const std::string& name() const { return name_; }
  const bpfgen::Schema& schema() const { return schema_; }
  rocksdb::ColumnFamilyHandle* column_family() const { return cf_; }

  // Encodes (row codec v1 value, memcomparable key) and writes.
  Status Put(const std::vector<Datum>& row);
  Status Delete(const std::vector<Datum>& key);
  Status Write(TableWriteBatch& batch);
  // Point lookup: NotFound if absent.
  Result<std::vector<Datum>> Get(const std::vector<Datum>& key,
                                 const rocksdb::Snapshot* snapshot = nullptr);

  // Encoders (also used by TableWriteBatch).
  Result<std::string> EncodeKey(const std::vector<Datum>& key) const;
  Status EncodeRow(const std::vector<Datum>& row, std::string* key, std::string* value) const;
  Result<std::vector<Datum>> DecodeRow(std::string_view value) const;

 private:
  friend class PushdownDB;
  Table(PushdownDB* db, std::string name, bpfgen::Schema schema, rocksdb::ColumnFamilyHandle* cf);
  PushdownDB* db_;
  std::string name_;
  bpfgen::Schema schema_;
  bpfgen::RowLayout layout_;
  rocksdb::ColumnFamilyHandle* cf_;

 public:
  // Text rows (engine/api/import.h; defined in import.cc): one field per
  // column in declaration order, parsed strictly by bpfgen::ParseValueText, an
  // empty field is NULL. InvalidArgument "field 'l_shipdate': bad DATE
  // '1994-13-01': month 13 is not in 1..12", "expected 16 fields, got 15",
  // "field 'x': NULL in NOT NULL column". Then Put(row).
  Status PutText(const std::vector<std::string_view>& fields);
};

class PushdownDB {
 public:
  // Opens (or creates) the DB at `path` through the pushdown FileSystem, with
  // every existing column family. Reads the catalog (column family
  // "pushdown_catalog").
  static Result<std::unique_ptr<PushdownDB>> Open(const std::string& path,
                                                  const DbOptions& options = DbOptions());
  // Closes the DB. REQUIRES: every ScanCursor of this DB was destroyed, and
  // snapshots taken on db() were released.
  ~PushdownDB();
  PushdownDB(const PushdownDB&) = delete;
  PushdownDB& operator=(const PushdownDB&) = delete;

  // The underlying DB (for Get, iterators, properties, CompactRange...). Writes
  // to table column families must be rows of the table's format.
  rocksdb::DB* db();
  const std::string& path() const;
  const DbOptions& options() const;

  // Creates the column family and the catalog entry (atomically durable in
  // one WriteBatch after the CF exists). InvalidArgument: bad DDL (with the
  // position) or bad name; the name exists -> InvalidArgument "table exists".
  Result<Table*> CreateTable(const std::string& name, std::string_view ddl);
  // NotFound if there is no such table. The pointer lives as long as the DB.
  Result<Table*> OpenTable(const std::string& name);
  std::vector<std::string> ListTables();
  // Drops the column family and the catalog entry. REQUIRES: no scan of the
  // table is open and no other thread uses its Table* (it is destroyed).
  Status DropTable(const std::string& name);
  // A raw column family by name, for raw-mode writes (NotFound if missing);
  // CreateColumnFamily makes one (raw, no catalog entry).
  Result<rocksdb::ColumnFamilyHandle*> ColumnFamily(const std::string& name);
  Result<rocksdb::ColumnFamilyHandle*> CreateColumnFamily(const std::string& name);

  // Errors: bad predicate / unknown column -> InvalidArgument with the
  // diagnostic (line:column and caret); unknown table / column family ->
  // NotFound; unknown device -> InvalidArgument.
  Result<std::unique_ptr<ScanCursor>> Scan(const ScanTarget& target, std::string_view where,
                                           const ScanOptions& options = ScanOptions());
  // `aggregates`: comma-separated list, e.g. "count(*), sum(l_extendedprice * l_discount)".
  Result<AggregateResult> Aggregate(const ScanTarget& target, std::string_view where,
                                    std::string_view aggregates,
                                    const ScanOptions& options = ScanOptions());
  Result<ExplainResult> Explain(const ScanTarget& target, std::string_view where,
                                const ScanOptions& options = ScanOptions());
  // One SQL SELECT over a table or raw.<column family> (engine/api/query.h,
  // docs/SQL.md).
  Result<std::unique_ptr<QueryCursor>> Query(std::string_view sql,
                                             const QueryOptions& options = QueryOptions());

  // The attach API over db(): scans of any column family handle of this DB
  // with a per-call RowSpec (attach.h). Shares the program cache.
  AttachedDB& attached();

  // Programs compiled and loaded so far (one per predicate, schema, device).
  uint64_t program_cache_hits() const;
  uint64_t program_cache_misses() const;

  struct Impl;

 private:
  explicit PushdownDB(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pushdown::engine
