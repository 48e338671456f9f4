// PushdownDB: open through the pushdown FileSystem, column families, catalog
// (engine/api/catalog.h), and scans through the AttachedDB over the same DB.
//
// CreateTable creates the column family first, then writes the entry: a crash
// in between leaves a column family without an entry, which reopens as a raw
// column family. The catalog column family itself is created by the first
// CreateTable, so that a DB without tables stays openable by a plain DB::Open.
#include <algorithm>
#include <utility>

#include "engine/api/catalog.h"
#include "engine/api/internal.h"
#include "engine/plugin/pushdown_fs.h"
#include "rocksdb/convenience.h"
#include "rocksdb/utilities/object_registry.h"
#include "rocksdb/utilities/options_util.h"

namespace pushdown::engine {

namespace {

Status CheckTableName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("empty table name");
  if (name.size() > 200) return Status::InvalidArgument("table name longer than 200 bytes");
  if (name == rocksdb::kDefaultColumnFamilyName || name == kCatalogColumnFamily) {
    return Status::InvalidArgument("reserved table name '" + name + "'");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) {
      return Status::InvalidArgument("table name '" + name +
                                     "' may only contain letters, digits, '_', '-', '.'");
    }
  }
  return Status::OK();
}

}  // namespace

Result<exec::DeviceRequest> ParseDevice(std::string_view name) {
  std::optional<exec::DeviceRequest> d = exec::ParseDeviceRequest(name);
  if (!d.has_value()) {
    return Status::InvalidArgument("unknown device '" + std::string(name) +
                                   "' (auto, kernel, host, iterator)");
  }
  return *d;
}

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string msg = context.empty() ? s.ToString() : std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(msg));
  if (s.IsNotSupported()) return Status::NotSupported(std::move(msg));
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
  if (s.IsIOError()) return Status::IOError(std::move(msg));
  if (s.IsBusy() || s.IsTryAgain() || s.IsIncomplete()) return Status::Unavailable(std::move(msg));
  return Status::Internal(std::move(msg));
}

PushdownDB::PushdownDB(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PushdownDB::~PushdownDB() {
  if (impl_ == nullptr) return;
  if (impl_->db != nullptr) {
    impl_->attached.reset();
    for (auto& [name, cf] : impl_->cfs)
      impl_->db->DestroyColumnFamilyHandle(cf).PermitUncheckedError();
    impl_->cfs.clear();
    impl_->db->Close().PermitUncheckedError();
    impl_->db.reset();
  }
  impl_->env.reset();
}

Result<std::unique_ptr<PushdownDB>> PushdownDB::Open(const std::string& path,
                                                     const DbOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;

  auto fs = std::make_shared<PushdownFileSystem>();
  rocksdb::ConfigOptions cfg;
  cfg.ignore_unknown_options = false;
  if (!options.fs_options.empty()) {
    PD_RETURN_IF_ERROR(FromRocks(fs->ConfigureFromString(cfg, options.fs_options),
                                 "pushdown file system options"));
  }
  PD_RETURN_IF_ERROR(FromRocks(fs->PrepareOptions(cfg), "pushdown file system options"));
  impl->fs = fs;
  impl->env = rocksdb::NewCompositeEnv(impl->fs);

  rocksdb::Options& o = impl->base_options;
  o.create_if_missing = options.create_if_missing;
  o.create_missing_column_families = true;
  if (options.customize) options.customize(&o);
  o.env = impl->env.get();
  // Zone maps for the tables (registered by column family id once the
  // catalog is read, and by CreateTable): in every family's options.
  impl->zone_maps = std::make_shared<TableZoneMapFactory>();
  o.table_properties_collector_factories.push_back(impl->zone_maps);

  std::vector<std::string> names;
  rocksdb::Status ls = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(o), path, &names);
  const bool exists = ls.ok();
  if (!exists) {
    if (!options.create_if_missing || options.read_only) {
      return FromRocks(ls, "open " + path);
    }
    names = {rocksdb::kDefaultColumnFamilyName};
  }

  // Each existing column family opens with its own options from the DB's
  // latest OPTIONS file (merge operator, comparator, table options, ...),
  // then `customize` and `customize_column_family` on top.
  std::map<std::string, rocksdb::ColumnFamilyOptions> stored;
  if (exists) {
    rocksdb::ConfigOptions lc;
    lc.env = o.env;
    lc.ignore_unknown_options = false;
    rocksdb::DBOptions ignored;
    std::vector<rocksdb::ColumnFamilyDescriptor> loaded;
    rocksdb::Status st = rocksdb::LoadLatestOptions(lc, path, &ignored, &loaded);
    if (st.ok()) {
      for (auto& d : loaded) stored.emplace(d.name, std::move(d.options));
    } else if (!st.IsNotFound()) {
      return FromRocks(st, "open " + path + ": load the OPTIONS file");
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& n : names) {
    rocksdb::ColumnFamilyOptions cf(o);
    auto it = stored.find(n);
    if (it != stored.end()) {
      rocksdb::Options merged(rocksdb::DBOptions(o), it->second);
      if (options.customize) options.customize(&merged);
      cf = rocksdb::ColumnFamilyOptions(merged);
    }
    if (options.customize_column_family) options.customize_column_family(n, &cf);
    // The OPTIONS file does not hold collector factories: add ours again.
    bool has_zone_maps = false;
    for (const auto& f : cf.table_properties_collector_factories) {
      has_zone_maps |= f == impl->zone_maps;
    }
    if (!has_zone_maps) cf.table_properties_collector_factories.push_back(impl->zone_maps);
    descriptors.emplace_back(n, cf);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(o), path, descriptors, &handles, &raw)
          : rocksdb::DB::Open(rocksdb::DBOptions(o), path, descriptors, &handles, &raw);
  PD_RETURN_IF_ERROR(FromRocks(s, "open " + path));
  impl->db.reset(raw);
  for (size_t i = 0; i < handles.size(); ++i) impl->cfs[names[i]] = handles[i];
  std::unique_ptr<PushdownDB> db(new PushdownDB(std::move(impl)));
  Impl& im = *db->impl_;

  auto cat = im.cfs.find(kCatalogColumnFamily);
  if (cat != im.cfs.end()) {
    im.catalog_cf = cat->second;
    PD_ASSIGN_OR_RETURN(auto tables, LoadCatalog(im.db.get(), im.catalog_cf));
    for (auto& [name, schema] : tables) {
      auto cf = im.cfs.find(name);
      if (cf == im.cfs.end()) {
        return Status::Corruption("catalog names table '" + name +
                                  "' but its column family is missing");
      }
      im.zone_maps->Register(cf->second->GetID(), schema);
      im.tables[name].reset(new Table(db.get(), name, std::move(schema), cf->second));
    }
  }

  AttachOptions ao;
  ao.device = options.device;  // unset: the file system's device= (fs_options)
  ao.read_only = options.read_only;
  ao.catalog = im.catalog_cf;
  ao.program_cache = options.program_cache;
  ao.scan_workers = options.scan_workers;
  PD_ASSIGN_OR_RETURN(im.attached, AttachedDB::Attach(im.db.get(), ao));
  return db;
}

rocksdb::DB* PushdownDB::db() { return impl_->db.get(); }
const std::string& PushdownDB::path() const { return impl_->path; }
const DbOptions& PushdownDB::options() const { return impl_->options; }

Result<Table*> PushdownDB::CreateTable(const std::string& name, std::string_view ddl) {
  if (impl_->options.read_only) return Status::NotSupported("read-only DB: cannot create a table");
  PD_RETURN_IF_ERROR(CheckTableName(name));
  PD_ASSIGN_OR_RETURN(bpfgen::Schema schema, bpfgen::ParseSchema(ddl));
  if (schema.raw) return Status::InvalidArgument("a table needs a schema, not RAW");
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->tables.count(name)) return Status::InvalidArgument("table '" + name + "' exists");
  if (impl_->cfs.count(name)) {
    return Status::InvalidArgument("column family '" + name + "' exists (not a table)");
  }
  if (impl_->catalog_cf == nullptr) {
    // The first table: the catalog column family is created now.
    rocksdb::ColumnFamilyHandle* cat = nullptr;
    PD_RETURN_IF_ERROR(
        FromRocks(impl_->db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(impl_->base_options),
                                                kCatalogColumnFamily, &cat),
                  "create column family " + std::string(kCatalogColumnFamily)));
    impl_->cfs[kCatalogColumnFamily] = cat;
    impl_->catalog_cf = cat;
  }
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  PD_RETURN_IF_ERROR(FromRocks(
      impl_->db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(impl_->base_options), name, &cf),
      "create column family " + name));
  impl_->cfs[name] = cf;
  impl_->zone_maps->Register(cf->GetID(), schema);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  PD_RETURN_IF_ERROR(
      FromRocks(impl_->db->Put(wo, impl_->catalog_cf, CatalogKey(name), CatalogValue(schema)),
                "write catalog"));
  auto& t = impl_->tables[name];
  t.reset(new Table(this, name, std::move(schema), cf));
  return t.get();
}

Result<Table*> PushdownDB::OpenTable(const std::string& name) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tables.find(name);
  if (it == impl_->tables.end()) return Status::NotFound("no table '" + name + "'");
  return it->second.get();
}

std::vector<std::string> PushdownDB::ListTables() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [name, t] : impl_->tables) out.push_back(name);
  return out;
}

Status PushdownDB::DropTable(const std::string& name) {
  if (impl_->options.read_only) return Status::NotSupported("read-only DB: cannot drop a table");
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tables.find(name);
  if (it == impl_->tables.end()) return Status::NotFound("no table '" + name + "'");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  PD_RETURN_IF_ERROR(
      FromRocks(impl_->db->Delete(wo, impl_->catalog_cf, CatalogKey(name)), "write catalog"));
  rocksdb::ColumnFamilyHandle* cf = impl_->cfs[name];
  PD_RETURN_IF_ERROR(FromRocks(impl_->db->DropColumnFamily(cf), "drop column family " + name));
  impl_->db->DestroyColumnFamilyHandle(cf).PermitUncheckedError();
  impl_->cfs.erase(name);
  impl_->tables.erase(it);
  return Status::OK();
}

Result<rocksdb::ColumnFamilyHandle*> PushdownDB::ColumnFamily(const std::string& name) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->cfs.find(name);
  if (it == impl_->cfs.end()) return Status::NotFound("no column family '" + name + "'");
  return it->second;
}

Result<rocksdb::ColumnFamilyHandle*> PushdownDB::CreateColumnFamily(const std::string& name) {
  if (impl_->options.read_only)
    return Status::NotSupported("read-only DB: cannot create a column family");
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->cfs.count(name)) return Status::InvalidArgument("column family '" + name + "' exists");
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  PD_RETURN_IF_ERROR(FromRocks(
      impl_->db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(impl_->base_options), name, &cf),
      "create column family " + name));
  impl_->cfs[name] = cf;
  return cf;
}

AttachedDB& PushdownDB::attached() { return *impl_->attached; }

uint64_t PushdownDB::program_cache_hits() const { return impl_->attached->program_cache_hits(); }
uint64_t PushdownDB::program_cache_misses() const {
  return impl_->attached->program_cache_misses();
}

// Scans resolve the target to a column family handle and a RowSpec, then run
// through the AttachedDB (one planner, one scan implementation).
namespace {

Result<ScanRequest> PrepareTarget(PushdownDB::Impl& impl, const ScanTarget& target,
                                  std::string_view where, const ScanOptions& options) {
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  RowSpec rows = RowSpec::Raw();
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    if (target.raw()) {
      // Raw scans of a table's column family are allowed: key/value bytes.
      auto it = impl.cfs.find(target.name);
      if (it == impl.cfs.end()) return Status::NotFound("no column family '" + target.name + "'");
      cf = it->second;
    } else {
      auto it = impl.tables.find(target.name);
      if (it == impl.tables.end()) return Status::NotFound("no table '" + target.name + "'");
      cf = it->second->column_family();
      rows = RowSpec::Of(it->second->schema());
    }
  }
  PD_ASSIGN_OR_RETURN(ScanRequest req,
                      PrepareScan(impl.attached->impl(), cf, rows, where, options));
  req.target = (target.raw() ? "raw column family " : "table ") + target.name;
  return req;
}

}  // namespace

Result<std::unique_ptr<ScanCursor>> PushdownDB::Scan(const ScanTarget& target,
                                                     std::string_view where,
                                                     const ScanOptions& options) {
  PD_ASSIGN_OR_RETURN(ScanRequest req, PrepareTarget(*impl_, target, where, options));
  PD_ASSIGN_OR_RETURN(
      std::unique_ptr<ScanCursorImpl> cursor,
      OpenScan(impl_->attached->impl(), std::move(req), options, /*want_value=*/false));
  return std::unique_ptr<ScanCursor>(std::move(cursor));
}

Result<AggregateResult> PushdownDB::Aggregate(const ScanTarget& target, std::string_view where,
                                              std::string_view aggregates,
                                              const ScanOptions& options) {
  ScanOptions so = options;
  so.columns.clear();
  PD_ASSIGN_OR_RETURN(ScanRequest req, PrepareTarget(*impl_, target, where, so));
  return RunAggregate(impl_->attached->impl(), std::move(req), aggregates, so);
}

Result<ExplainResult> PushdownDB::Explain(const ScanTarget& target, std::string_view where,
                                          const ScanOptions& options) {
  PD_ASSIGN_OR_RETURN(ScanRequest req, PrepareTarget(*impl_, target, where, options));
  return ExplainScan(impl_->attached->impl(), std::move(req), options);
}

}  // namespace pushdown::engine
