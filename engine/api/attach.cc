// AttachedDB: the attach API over an application's own rocksdb::DB.
#include "engine/api/attach.h"

#include <utility>

#include "engine/api/catalog.h"
#include "engine/api/internal.h"
#include "engine/plugin/pushdown_fs.h"

namespace pushdown::engine {

namespace {

const std::shared_ptr<const bpfgen::Schema>& RawSchema() {
  static const auto* raw = new std::shared_ptr<const bpfgen::Schema>(
      std::make_shared<bpfgen::Schema>(bpfgen::Schema::Raw()));
  return *raw;
}

// The pushdown FileSystem under the DB's Env, or null. CheckedCast walks
// wrappers (FileSystemWrapper::Inner) as RocksDB's own casts do.
const PushdownFileSystem* PluginOf(rocksdb::DB* db) {
  rocksdb::Env* env = db->GetEnv();
  if (env == nullptr) return nullptr;
  const std::shared_ptr<rocksdb::FileSystem>& fs = env->GetFileSystem();
  if (fs == nullptr) return nullptr;
  return fs->CheckedCast<PushdownFileSystem>();
}

}  // namespace

RowSpec RowSpec::Raw() {
  RowSpec r;
  r.schema_ = RawSchema();
  return r;
}

RowSpec RowSpec::Ddl(std::string ddl) {
  RowSpec r;
  r.ddl_ = std::move(ddl);
  return r;
}

RowSpec RowSpec::Of(bpfgen::Schema schema) {
  RowSpec r;
  r.schema_ = std::make_shared<const bpfgen::Schema>(std::move(schema));
  return r;
}

RowSpec RowSpec::Of(std::shared_ptr<const bpfgen::Schema> schema) {
  if (schema == nullptr) return Raw();
  RowSpec r;
  r.schema_ = std::move(schema);
  return r;
}

Result<std::shared_ptr<const bpfgen::Schema>> RowSpec::Resolve() const {
  if (schema_ != nullptr) return schema_;
  PD_ASSIGN_OR_RETURN(bpfgen::Schema schema, bpfgen::ParseSchema(ddl_));
  return std::shared_ptr<const bpfgen::Schema>(
      std::make_shared<const bpfgen::Schema>(std::move(schema)));
}

AttachedDB::AttachedDB(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AttachedDB::~AttachedDB() = default;

Result<std::unique_ptr<AttachedDB>> AttachedDB::Attach(rocksdb::DB* db,
                                                       const AttachOptions& options) {
  if (db == nullptr) return Status::InvalidArgument("Attach: null rocksdb::DB");
  const PushdownFileSystem* plugin = PluginOf(db);
  // The cache limits: AttachOptions' when set, else the plugin's options.
  exec::ProgramCacheOptions cache = options.program_cache;
  const exec::ProgramCacheOptions defaults;
  if (plugin != nullptr && cache.max_entries == defaults.max_entries &&
      cache.max_bytes == defaults.max_bytes) {
    cache.max_entries = static_cast<size_t>(plugin->options().program_cache_entries);
    cache.max_bytes = static_cast<size_t>(plugin->options().program_cache_bytes);
  }
  auto impl = std::make_unique<Impl>(cache);
  impl->db = db;
  impl->options = options;
  impl->io = plugin != nullptr ? "plugin" : "direct";
  if (options.device.has_value()) {
    impl->default_device = *options.device;
  } else if (plugin != nullptr) {
    impl->default_device = plugin->options().device;  // an exec::DeviceRequest
  }
  return std::unique_ptr<AttachedDB>(new AttachedDB(std::move(impl)));
}

rocksdb::DB* AttachedDB::db() const { return impl_->db; }
exec::DeviceRequest AttachedDB::default_device() const { return impl_->default_device; }
const std::string& AttachedDB::io() const { return impl_->io; }

Result<std::unique_ptr<ScanCursor>> AttachedDB::Scan(rocksdb::ColumnFamilyHandle* cf,
                                                     const RowSpec& rows, std::string_view where,
                                                     const ScanOptions& options) {
  PD_ASSIGN_OR_RETURN(ScanRequest req, PrepareScan(*impl_, cf, rows, where, options));
  PD_ASSIGN_OR_RETURN(std::unique_ptr<ScanCursorImpl> cursor,
                      OpenScan(*impl_, std::move(req), options, /*want_value=*/false));
  return std::unique_ptr<ScanCursor>(std::move(cursor));
}

Result<AggregateResult> AttachedDB::Aggregate(rocksdb::ColumnFamilyHandle* cf, const RowSpec& rows,
                                              std::string_view where, std::string_view aggregates,
                                              const ScanOptions& options) {
  ScanOptions so = options;
  so.columns.clear();
  PD_ASSIGN_OR_RETURN(ScanRequest req, PrepareScan(*impl_, cf, rows, where, so));
  return RunAggregate(*impl_, std::move(req), aggregates, so);
}

Result<ExplainResult> AttachedDB::Explain(rocksdb::ColumnFamilyHandle* cf, const RowSpec& rows,
                                          std::string_view where, const ScanOptions& options) {
  PD_ASSIGN_OR_RETURN(ScanRequest req, PrepareScan(*impl_, cf, rows, where, options));
  return ExplainScan(*impl_, std::move(req), options);
}

Result<RowSpec> AttachedDB::TableRows(const std::string& table) const {
  if (impl_->options.catalog == nullptr) {
    return Status::InvalidArgument("no catalog: attach with AttachOptions::catalog (the '" +
                                   std::string(kCatalogColumnFamily) + "' column family)");
  }
  PD_ASSIGN_OR_RETURN(bpfgen::Schema schema,
                      LoadCatalogTable(impl_->db, impl_->options.catalog, table));
  return RowSpec::Of(std::move(schema));
}

Result<std::vector<std::string>> AttachedDB::ListTables() const {
  if (impl_->options.catalog == nullptr) {
    return Status::InvalidArgument("no catalog: attach with AttachOptions::catalog (the '" +
                                   std::string(kCatalogColumnFamily) + "' column family)");
  }
  PD_ASSIGN_OR_RETURN(auto tables, LoadCatalog(impl_->db, impl_->options.catalog));
  std::vector<std::string> out;
  for (const auto& [name, schema] : tables) out.push_back(name);
  return out;
}

uint64_t AttachedDB::program_cache_hits() const { return impl_->cache.hits(); }
uint64_t AttachedDB::program_cache_misses() const { return impl_->cache.misses(); }

}  // namespace pushdown::engine
