// Shared pieces of the C API: errors, strings, column metadata, typed value
// access, and the unwrapping of RocksDB C API handles.
#include <cstdlib>
#include <cstring>
#include <string>

#include "bpfgen/schema/text.h"
#include "engine/capi/c_internal.h"
#include "rocksdb/c.h"

namespace pushdown::engine::capi {

using bpfgen::TypeId;

void SaveError(char** errptr, const Status& s) {
  if (errptr == nullptr) return;
  std::free(*errptr);
  *errptr = MallocCopy(s.ToString());
}

char* MallocCopy(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

int CTypeOf(const bpfgen::Type& t) {
  switch (t.id) {
    case TypeId::kNull:
      return PUSHDOWN_TYPE_NULL;
    case TypeId::kBool:
      return PUSHDOWN_TYPE_BOOL;
    case TypeId::kInt32:
      return PUSHDOWN_TYPE_INT32;
    case TypeId::kInt64:
      return PUSHDOWN_TYPE_INT64;
    case TypeId::kDecimal:
      return PUSHDOWN_TYPE_DECIMAL;
    case TypeId::kDate:
      return PUSHDOWN_TYPE_DATE;
    case TypeId::kDouble:
      return PUSHDOWN_TYPE_DOUBLE;
    case TypeId::kChar:
      return PUSHDOWN_TYPE_CHAR;
    case TypeId::kVarchar:
      return PUSHDOWN_TYPE_VARCHAR;
    case TypeId::kBytes:
      return PUSHDOWN_TYPE_BYTES;
  }
  return PUSHDOWN_TYPE_NULL;
}

// The typed getter that reads a column of type `t` (for error messages).
static const char* GetterFor(const bpfgen::Type& t) {
  switch (t.id) {
    case TypeId::kBool:
      return "get_bool";
    case TypeId::kInt32:
    case TypeId::kInt64:
      return "get_int64";
    case TypeId::kDecimal:
      return "get_decimal";
    case TypeId::kDate:
      return "get_date";
    case TypeId::kDouble:
      return "get_double";
    case TypeId::kChar:
    case TypeId::kVarchar:
    case TypeId::kBytes:
      return "get_bytes";
    case TypeId::kNull:
      break;
  }
  return "get_text";
}

void Columns::Set(const std::vector<std::string>& n, const std::vector<bpfgen::Type>& t) {
  names = n;
  types = t;
  type_names.clear();
  for (const bpfgen::Type& type : t) type_names.push_back(type.ToString());
}

Result<const bpfgen::Datum*> RowAccess::Get(size_t col,
                                            std::initializer_list<TypeId> allowed) const {
  if (row == nullptr) return Status::InvalidArgument(no_row);
  if (col >= columns->types.size() || col >= row->size()) {
    return Status::InvalidArgument(std::string(what) + " index " + std::to_string(col) +
                                   " out of range (" + std::to_string(columns->types.size()) + " " +
                                   what + "s)");
  }
  const bpfgen::Type& type = columns->types[col];
  if (allowed.size() != 0) {
    bool ok = false;
    for (TypeId id : allowed) ok = ok || id == type.id;
    if (!ok) {
      return Status::InvalidArgument(std::string(what) + " " + std::to_string(col) + " '" +
                                     columns->names[col] + "' is " + type.ToString() +
                                     ": read it with " + GetterFor(type) + " or get_text");
    }
  }
  return &(*row)[col];
}

const char* TextCache::Get(size_t col, const bpfgen::Type& type, const bpfgen::Datum& d,
                           size_t* len) {
  if (d.is_null()) {
    if (len != nullptr) *len = 0;
    return nullptr;
  }
  if (!ready_[col]) {
    text_[col] = bpfgen::FormatValue(type, d);
    ready_[col] = true;
  }
  if (len != nullptr) *len = text_[col].size();
  return text_[col].c_str();
}

Result<rocksdb::ColumnFamilyHandle*> UnwrapColumnFamily(
    struct rocksdb_column_family_handle_t* handle) {
  if (handle == nullptr) return nullptr;
  // db/c.cc: struct rocksdb_column_family_handle_t { ColumnFamilyHandle* rep; ... }
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  std::memcpy(&cf, handle, sizeof(cf));
  if (cf == nullptr) {
    return Status::InvalidArgument("column family handle holds no column family");
  }
  const uint32_t c_id = rocksdb_column_family_handle_get_id(handle);
  size_t name_len = 0;
  char* c_name = rocksdb_column_family_handle_get_name(handle, &name_len);
  std::string name = c_name != nullptr ? std::string(c_name, name_len) : std::string();
  rocksdb_free(c_name);
  if (c_id != cf->GetID() || name != cf->GetName()) {
    return Status::InvalidArgument(
        "column family handle does not match RocksDB's C API (id " + std::to_string(c_id) +
        " name '" + name + "' vs id " + std::to_string(cf->GetID()) + " name '" + cf->GetName() +
        "'): this build of rocksdb_column_family_handle_t is not the layout of RocksDB's "
        "db/c.cc");
  }
  return cf;
}

}  // namespace pushdown::engine::capi

extern "C" void pushdown_free(void* ptr) { std::free(ptr); }
