// Internals of AttachedDB and PushdownDB shared by their .cc files (not installed).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"
#include "engine/api/attach.h"
#include "engine/api/program_pool.h"
#include "engine/api/pushdown_db.h"
#include "engine/api/zone_map_collector.h"
#include "pushdown/device/fallback.h"
#include "pushdown/device/program_cache.h"
#include "pushdown/scan/scan_executor.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/metadata.h"

namespace pushdown::engine {

struct AttachedDB::Impl {
  explicit Impl(const exec::ProgramCacheOptions& cache_options = {})
      : cache(&exec::DeviceRegistry::Default(), cache_options) {}

  rocksdb::DB* db = nullptr;
  AttachOptions options;
  exec::DeviceRequest default_device = exec::DeviceRequest::kAuto;
  std::string io = "direct";  // "plugin" | "direct"

  exec::ProgramCache cache;
  ProgramPool pool;
};

struct PushdownDB::Impl {
  std::string path;
  DbOptions options;
  rocksdb::Options base_options;  // DB + new column family options (customized, env set)
  std::shared_ptr<rocksdb::FileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
  std::unique_ptr<rocksdb::DB> db;
  std::unique_ptr<AttachedDB> attached;  // over db

  std::mutex mu;                                            // guards cfs, tables, catalog_cf
  std::map<std::string, rocksdb::ColumnFamilyHandle*> cfs;  // owned (destroyed in ~PushdownDB)
  std::map<std::string, std::unique_ptr<Table>> tables;
  // Null until the first CreateTable of a DB without tables (created lazily,
  // so that a DB without tables stays openable by a plain DB::Open).
  rocksdb::ColumnFamilyHandle* catalog_cf = nullptr;
  // In every column family's options: zone maps for the tables' families.
  std::shared_ptr<TableZoneMapFactory> zone_maps;
};

// The column family's live files as a scan plans them: each with its level,
// sequence numbers and user-key range; the deepest non-empty level's files
// are bottommost (level 0 only when it holds the one file). Used by the scan
// and by every test that builds an exec::ScanPlan the way the engine does.
std::vector<exec::ScanFile> ScanFilesOf(const rocksdb::ColumnFamilyMetaData& meta);

// Converts a RocksDB status to ours (same code family, message kept).
Status FromRocks(const rocksdb::Status& s, std::string_view context = {});

// The effective key range of a scan (ScanOptions bounds and prefix combined).
struct KeyBounds {
  std::optional<std::string> lower;   // inclusive
  std::optional<std::string> upper;   // exclusive
  std::optional<std::string> prefix;  // kept for non-bytewise comparators (filtered)
  // Bytewise only: the derived key ranges inside [lower, upper) when there
  // are several (IN lists), read by a multi-range seek
  // (exec::ScanPlan::key_ranges); empty = the whole [lower, upper).
  std::vector<std::pair<std::string, std::optional<std::string>>> ranges;
  bool empty() const { return !lower && !upper && !prefix; }
};

// The normalised scan request, shared by Scan, Aggregate and Explain.
struct ScanRequest {
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  std::shared_ptr<const bpfgen::Schema> schema;  // never null
  bpfgen::Predicate predicate;
  std::vector<int> columns;  // output columns (schema indices)
  exec::DeviceRequest device = exec::DeviceRequest::kAuto;
  std::string target;  // for Explain: "raw column family X" / "table X"
  // The output columns for ScanCursor::NextBatch's batches (never null).
  std::shared_ptr<const exec::RowBatchLayout> batch_layout;
};

Result<ScanRequest> PrepareScan(const AttachedDB::Impl& impl, rocksdb::ColumnFamilyHandle* cf,
                                const RowSpec& rows, std::string_view where,
                                const ScanOptions& options);

// The cursor implementation's extra surface for Aggregate: with want_value,
// the cursor keeps the whole encoded value (row() is then empty).
class ScanCursorImpl : public ScanCursor {
 public:
  virtual std::string_view value() const = 0;

  // Unordered consumption (Aggregate): calls sink(worker, key, value) for
  // every row, in no particular order, worker < workers(), each worker index
  // always on one thread (per-worker state needs no lock); the first error
  // (the scan's or a sink's) stops the scan and is returned. `restart` is
  // called when rows already sunk must be forgotten because the scan starts
  // over on the iterator path (a file the pushdown path cannot read).
  // REQUIRES: Next() was never called; the scan has no limit. Default: this
  // thread, worker 0, through Next() in key order.
  using RowSink =
      std::function<Status(size_t worker, std::string_view key, std::string_view value)>;
  virtual size_t workers() const { return 1; }
  virtual Status ForEachRow(const RowSink& sink, const std::function<void()>& restart);

 protected:
  // A cursor is read with Next() or with NextBatch(), not both: the first
  // call fixes the mode; the other is InvalidArgument afterwards.
  enum class ReadMode : uint8_t { kUnset, kRows, kBatches };
  Status UseMode(ReadMode mode) {
    if (mode_ == ReadMode::kUnset) mode_ = mode;
    if (mode_ == mode) return Status::OK();
    return Status::InvalidArgument(mode == ReadMode::kRows
                                       ? "scan cursor: Next() after NextBatch()"
                                       : "scan cursor: NextBatch() after Next()");
  }
  // Gives *batch the scan's layout (keeps its memory) and drops its rows.
  static void PrepareBatch(const ScanRequest& req, RowBatch* batch) {
    if (batch->shared_layout() != req.batch_layout) {
      batch->Reset(req.batch_layout);
    } else {
      batch->Clear();
    }
  }

 private:
  ReadMode mode_ = ReadMode::kUnset;
};

// Aggregation on the device for OpenScan (Aggregate): the items are compiled
// into the program when the planner can (plan::PlanRequest::aggregates), and
// the blocks the executor finds exact to aggregate on the device add their
// partials to `sink` instead of returning rows (exec::ScanPlan::
// device_aggregation). The sink is reset when the scan starts over on the
// iterator path. REQUIRES: items' arguments outlive the cursor; the caller
// merges sink's partials with its aggregate of the rows.
// A request without a sink aggregates on the host; `host_reason` says why
// (ScanInfo::aggregation).
struct DeviceAggregateRequest {
  std::vector<bpfgen::AggregateItem> items;
  std::string key;  // exec::ProgramKey::aggregates
  std::shared_ptr<exec::DeviceAggregation> sink;
  std::string host_reason;  // when sink is null
};

Result<std::unique_ptr<ScanCursorImpl>> OpenScan(
    AttachedDB::Impl& impl, ScanRequest request, const ScanOptions& options, bool want_value,
    const DeviceAggregateRequest* aggregates = nullptr);

// Explain: the same OpenScan as Scan (planner, file pinning, executor open),
// without reading a row or writing anything.
Result<ExplainResult> ExplainScan(AttachedDB::Impl& impl, ScanRequest request,
                                  const ScanOptions& options);

Result<AggregateResult> RunAggregate(AttachedDB::Impl& impl, ScanRequest request,
                                     std::string_view aggregates, const ScanOptions& options);

}  // namespace pushdown::engine
