// The catalog of PushdownDB tables (not installed; AttachedDB::TableRows and
// PushdownDB read it through here).
//
// Column family kCatalogColumnFamily ("pushdown_catalog"), one entry per table:
//   key   "table/<name>"
//   value "<format version>\n<canonical DDL>"   (format version kCatalogFormat)
// The table's rows live in the column family named <name>.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "bpfgen/schema/schema.h"
#include "rocksdb/db.h"
#include "util/status.h"

namespace pushdown::engine {

inline constexpr char kCatalogTablePrefix[] = "table/";
inline constexpr int kCatalogFormat = 1;

std::string CatalogKey(const std::string& table);
std::string CatalogValue(const bpfgen::Schema& schema);
// Corruption for a malformed entry, NotSupported for another format version.
Result<bpfgen::Schema> ParseCatalogValue(const std::string& table, std::string_view value);

// Every table of the catalog column family `catalog` at the latest state.
Result<std::map<std::string, bpfgen::Schema>> LoadCatalog(rocksdb::DB* db,
                                                          rocksdb::ColumnFamilyHandle* catalog);
// One table: NotFound if there is no entry.
Result<bpfgen::Schema> LoadCatalogTable(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* catalog,
                                        const std::string& table);

}  // namespace pushdown::engine
