// PushdownDB: the embedding API. A RocksDB database opened through the
// `pushdown` FileSystem plugin, with tables (a schema per column family, kept
// in a catalog inside the same DB) and scans whose predicate runs next to the
// data (kernel eBPF or host JIT), with an exact RocksDB-iterator fallback.
//
//   DbOptions options;                       // device "auto"
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
// Consistency and side effects of Scan(): the pushdown path reads SST files
// only. To cover data still in memtables, Scan() FLUSHES the scanned column
// family's memtable (rocksdb::DB::Flush) after taking its snapshot. That is a
// write to the DB's files (a new L0 file, possibly compactions) but never a
// change of user-visible data. A read_only DB cannot flush: if its memtable
// (recovered WAL) holds data, the scan takes the iterator path with reason
// "read-only DB with unflushed data". While a pushdown scan is open, obsolete
// file deletion is disabled (the scanned files stay on disk).
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
#include "pushdown/device/program_cache_options.h"
#include "pushdown/scan/scan_stats.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "util/status.h"

namespace pushdown::engine {

using bpfgen::Datum;

class PushdownDB;
class Table;

struct DbOptions {
  // Default device for scans: "auto" (kernel if usable, else host), "kernel",
  // "host", or "iterator" (no pushdown: RocksDB iterator + host filter).
  std::string device = "auto";
  bool create_if_missing = true;
  // OpenForReadOnly: no writes, no CreateTable; scans never flush.
  bool read_only = false;
  // Options of the pushdown FileSystem, e.g. "io_uring=true;queue_depth=64"
  // (engine/plugin/pushdown_fs_options.h). Empty = defaults.
  std::string fs_options;
  // Called on the DB options and on every column family's options before the
  // DB is opened (compression, block size, write buffer size, ...). The env is
  // set by PushdownDB afterwards and must not be replaced here.
  std::function<void(rocksdb::Options*)> customize;
  // Limits of the compiled-program cache (entries, bytes; LRU, programs in
  // use are pinned). See pushdown/device/program_cache_options.h.
  exec::ProgramCacheOptions program_cache;
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

inline constexpr uint64_t kNoRowLimit = UINT64_MAX;

struct ScanOptions {
  // "" = DbOptions::device. "auto" | "kernel" | "host" | "iterator".
  std::string device;
  // Output columns in order; empty = all columns of the schema (raw mode:
  // key, value). Unknown name -> InvalidArgument.
  std::vector<std::string> columns;
  uint64_t limit = kNoRowLimit;
  // Read at this snapshot (the caller keeps it alive until the cursor is
  // destroyed); nullptr = a new snapshot taken by Scan().
  const rocksdb::Snapshot* snapshot = nullptr;
  // Verify data block checksums (iterator path: ReadOptions::verify_checksums).
  // The pushdown path with neither io_uring nor direct I/O (one pread per
  // block) always verifies.
  bool verify_checksums = true;
  // Data blocks staged per device run (and per file refill).
  uint32_t batch_blocks = 16;
  // Pushdown path block reads: large sequential reads through io_uring
  // (registered files and buffers; pread where io_uring is unavailable), and/or
  // O_DIRECT (a file system that rejects O_DIRECT sends the scan to the
  // iterator path with the reason). Both false: one pread per block.
  bool use_direct_io = false;
  bool use_io_uring = true;
  // Scan() flushes the memtable so that every row at or below the snapshot is
  // in an SST file (see the file comment). false: never flush; a non-empty
  // memtable then makes the scan take the iterator path.
  bool flush_memtable = true;
};

// How a scan runs / ran.
struct ScanInfo {
  std::string path;              // "pushdown" | "iterator"
  std::string requested_device;  // as requested: auto|kernel|host|iterator
  std::string device;            // where the predicate runs: "kernel" | "host" | "iterator"
  // Why the scan did not run where requested ("" = it did): device fallback
  // ("no BPF privilege: ...", "verifier rejection: ...") or iterator-path
  // fallback ("merge operator on column family", "read-only DB with
  // unflushed data", "range deletions in 000012.sst", ...).
  std::string fallback_reason;
  std::string predicate;            // typed, normalised predicate text
  std::vector<std::string> pushed;  // conjuncts evaluated on the device
  struct Residual {
    std::string conjunct;
    std::string reason;  // why the device cannot evaluate it
  };
  std::vector<Residual> residual;  // conjuncts evaluated on the host after the merge
  std::string pushdown_kind;       // "FULL" | "PARTIAL" | "NONE"
  bool program_cached = false;     // the program came from the ProgramCache
  double compile_ms = 0;           // codegen + load of the program (0 if cached)
  uint64_t snapshot_seqno = 0;
  uint64_t files = 0;    // SST files pinned (pushdown path)
  bool flushed = false;  // Scan() flushed the memtable
};

class ScanCursor {
 public:
  virtual ~ScanCursor() = default;

  // OK + Valid(): row() is the next row. OK + !Valid(): done. Else the error
  // (sticky). REQUIRES: one thread at a time.
  virtual Status Next() = 0;
  virtual bool Valid() const = 0;

  // Output column names and types (ScanOptions::columns, or all).
  virtual const std::vector<std::string>& column_names() const = 0;
  virtual const std::vector<bpfgen::Type>& column_types() const = 0;
  // REQUIRES: Valid(). The projected columns (raw mode: key, value as BYTES).
  virtual const std::vector<Datum>& row() const = 0;
  // REQUIRES: Valid(). The row's RocksDB user key (encoded primary key).
  virtual std::string_view key() const = 0;

  virtual const ScanInfo& info() const = 0;
  // Pushdown path: the executor's counters. Iterator path: files/blocks 0,
  // entries_scanned = iterator entries, rows_matched, host_ns.
  virtual const exec::ScanStats& stats() const = 0;
};

// Aggregates over the rows matching a predicate, computed on the host over the
// scan's rows: count(*), count(expr), sum(expr), min(expr), max(expr), where
// expr is a numeric expression of the predicate language. DECIMAL sums are
// exact (overflow -> NULL like every arithmetic of the language).
struct AggregateResult {
  std::vector<std::string> names;  // "count(*)", "sum(l_extendedprice * l_discount)"
  std::vector<bpfgen::Type> types;
  std::vector<Datum> values;  // NULL for sum/min/max of no rows
  uint64_t rows = 0;          // rows aggregated
  ScanInfo info;
  exec::ScanStats stats;
};

// Explain: the plan of a scan without running it.
struct ExplainResult {
  ScanInfo info;       // path, device, fallback, pushed/residual, compile_ms
  std::string schema;  // DDL ("RAW" in raw mode)
  std::string text;    // multi-line human-readable plan
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

  // Programs compiled and loaded so far (one per predicate, schema, device).
  uint64_t program_cache_hits() const;
  uint64_t program_cache_misses() const;

  struct Impl;

 private:
  explicit PushdownDB(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pushdown::engine
