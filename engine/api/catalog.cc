#include "engine/api/catalog.h"

#include <memory>

#include "engine/api/internal.h"

namespace pushdown::engine {

std::string CatalogKey(const std::string& table) { return kCatalogTablePrefix + table; }

std::string CatalogValue(const bpfgen::Schema& schema) {
  return std::to_string(kCatalogFormat) + "\n" + schema.ToDdl();
}

Result<bpfgen::Schema> ParseCatalogValue(const std::string& table, std::string_view v) {
  const size_t nl = v.find('\n');
  if (nl == std::string_view::npos) {
    return Status::Corruption("catalog entry of table '" + table + "' has no format version");
  }
  if (v.substr(0, nl) != std::to_string(kCatalogFormat)) {
    return Status::NotSupported("catalog entry of table '" + table + "' has format version " +
                                std::string(v.substr(0, nl)) + ", this build reads " +
                                std::to_string(kCatalogFormat));
  }
  auto schema = bpfgen::ParseSchema(v.substr(nl + 1));
  if (!schema.ok()) {
    return Status::Corruption("catalog entry of table '" + table +
                              "': bad DDL: " + schema.status().message());
  }
  return schema;
}

Result<std::map<std::string, bpfgen::Schema>> LoadCatalog(rocksdb::DB* db,
                                                          rocksdb::ColumnFamilyHandle* catalog) {
  std::map<std::string, bpfgen::Schema> out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), catalog));
  const rocksdb::Slice prefix(kCatalogTablePrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string name = it->key().ToString().substr(prefix.size());
    PD_ASSIGN_OR_RETURN(bpfgen::Schema schema, ParseCatalogValue(name, it->value().ToStringView()));
    out.emplace(std::move(name), std::move(schema));
  }
  PD_RETURN_IF_ERROR(FromRocks(it->status(), "read catalog"));
  return out;
}

Result<bpfgen::Schema> LoadCatalogTable(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* catalog,
                                        const std::string& table) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), catalog, CatalogKey(table), &value);
  if (s.IsNotFound()) return Status::NotFound("no table '" + table + "' in the catalog");
  PD_RETURN_IF_ERROR(FromRocks(s, "read catalog"));
  return ParseCatalogValue(table, value);
}

}  // namespace pushdown::engine
