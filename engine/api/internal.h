// Internals of PushdownDB shared by its .cc files (not installed).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"
#include "engine/api/program_pool.h"
#include "engine/api/pushdown_db.h"
#include "pushdown/device/fallback.h"
#include "pushdown/device/program_cache.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace pushdown::engine {

struct PushdownDB::Impl {
  Impl() : cache(&exec::DeviceRegistry::Default()), pool() {}

  std::string path;
  DbOptions options;
  rocksdb::Options base_options;  // DB + column family options (customized, env set)
  std::shared_ptr<rocksdb::FileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
  std::unique_ptr<rocksdb::DB> db;

  std::mutex mu;                                            // guards cfs and tables
  std::map<std::string, rocksdb::ColumnFamilyHandle*> cfs;  // owned (destroyed in ~PushdownDB)
  std::map<std::string, std::unique_ptr<Table>> tables;
  rocksdb::ColumnFamilyHandle* catalog_cf = nullptr;

  exec::ProgramCache cache;
  ProgramPool pool;
};

// Converts a RocksDB status to ours (same code family, message kept).
Status FromRocks(const rocksdb::Status& s, std::string_view context = {});

// The normalised scan request, shared by Scan, Aggregate and Explain.
struct ScanRequest {
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  const bpfgen::Schema* schema = nullptr;  // the table's or the static raw schema
  bpfgen::Predicate predicate;
  std::vector<int> columns;  // output columns (schema indices)
  exec::DeviceRequest device = exec::DeviceRequest::kAuto;
};

Result<ScanRequest> PrepareScan(PushdownDB::Impl& impl, const ScanTarget& target,
                                std::string_view where, const ScanOptions& options);

// The cursor implementation's extra surface for Aggregate: with want_value,
// the cursor keeps the whole encoded value (row() is then empty).
class ScanCursorImpl : public ScanCursor {
 public:
  virtual std::string_view value() const = 0;
};

Result<std::unique_ptr<ScanCursorImpl>> OpenScan(PushdownDB::Impl& impl, ScanRequest request,
                                                 const ScanOptions& options, bool want_value);

}  // namespace pushdown::engine
