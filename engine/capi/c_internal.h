// The C API's handle types and the helpers its translation units share
// (engine/capi/*.cc implement pushdown/c.h). Not installed.
//
// Invariants:
// - Every extern "C" entry point runs its body through Guarded(): a Status
//   becomes the errptr message, and no C++ exception (std::bad_alloc, ...)
//   crosses into C.
// - A pushdown_db_t is a reference to a shared DbState; every cursor holds
//   another, so the AttachedDB / PushdownDB outlives its last cursor.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/types.h"
#include "engine/api/attach.h"
#include "engine/api/pushdown_db.h"
#include "engine/api/scan_options.h"
#include "pushdown/c.h"
#include "pushdown/scan/scan_stats.h"
#include "util/status.h"

namespace pushdown::engine::capi {

// What a pushdown_db_t refers to: an attachment to the application's DB
// (attached_owned) or a PushdownDB this API opened (pdb). `attached` is the
// AttachedDB every scan goes through in both cases.
struct DbState {
  std::unique_ptr<PushdownDB> pdb;
  std::unique_ptr<AttachedDB> attached_owned;
  AttachedDB* attached = nullptr;
  rocksdb::DB* db = nullptr;
  // Attached DBs: the application's column family handles by name
  // (pushdown_attachoptions_add_column_family), for table scans.
  std::vector<std::pair<std::string, rocksdb::ColumnFamilyHandle*>> column_families;
  bool has_catalog = false;

  ~DbState() {
    // The attachment goes before the DB it reads (PushdownDB owns its own).
    attached_owned.reset();
    pdb.reset();
  }
};

// Stores `s` (not OK) in *errptr as RocksDB's C API does: malloc'ed, freeing
// a previous message. errptr == nullptr: dropped.
void SaveError(char** errptr, const Status& s);

// Runs `body` (returning Status); a failure goes to errptr with the entry
// point's name as context. Returns true on success.
template <typename F>
bool Guarded(const char* fn, char** errptr, F&& body) {
  try {
    Status s = body();
    if (s.ok()) return true;
    SaveError(errptr, s.WithContext(fn));
  } catch (const std::exception& e) {
    SaveError(errptr, Status::Internal(std::string(fn) + ": " + e.what()));
  } catch (...) {
    SaveError(errptr, Status::Internal(std::string(fn) + ": unknown exception"));
  }
  return false;
}

// InvalidArgument "<what> is NULL" when p is null.
inline Status NotNull(const void* p, const char* what) {
  if (p != nullptr) return Status::OK();
  return Status::InvalidArgument(std::string(what) + " is NULL");
}

// A malloc'ed NUL-terminated copy (for strings the caller frees).
char* MallocCopy(const std::string& s);

int CTypeOf(const bpfgen::Type& t);

// Column metadata of a cursor or an aggregate result.
struct Columns {
  std::vector<std::string> names;
  std::vector<bpfgen::Type> types;
  std::vector<std::string> type_names;

  void Set(const std::vector<std::string>& n, const std::vector<bpfgen::Type>& t);
  const char* Name(size_t i) const { return i < names.size() ? names[i].c_str() : nullptr; }
  const char* TypeName(size_t i) const {
    return i < type_names.size() ? type_names[i].c_str() : nullptr;
  }
  int CType(size_t i) const { return i < types.size() ? CTypeOf(types[i]) : -1; }
};

// The typed value getters of cursor rows and aggregate results: `row` is the
// current row (null: none, with `no_row` saying why), col the index.
struct RowAccess {
  const Columns* columns;
  const std::vector<bpfgen::Datum>* row;
  const char* no_row;  // the error when row == nullptr
  const char* what;    // "column" | "aggregate"

  // The datum at `col` if the column's type is one of `allowed` (empty:
  // any); else InvalidArgument naming the column, its type and the getter
  // that reads it.
  Result<const bpfgen::Datum*> Get(size_t col, std::initializer_list<bpfgen::TypeId> allowed) const;
};

// The get_text buffers of one row: each column's text is formatted once per
// row, so a pointer handed out stays valid and unchanged until Reset (the
// next row) or destruction, however often the column is read.
class TextCache {
 public:
  void Resize(size_t n) {
    text_.assign(n, std::string());
    ready_.assign(n, false);
  }
  void Reset() { std::fill(ready_.begin(), ready_.end(), false); }
  // The canonical text of `d` (column `col` of type `type`), NUL-terminated;
  // nullptr for SQL NULL. *len (if not null) its length.
  const char* Get(size_t col, const bpfgen::Type& type, const bpfgen::Datum& d, size_t* len);

 private:
  std::vector<std::string> text_;
  std::vector<bool> ready_;
};

// Milliseconds since `start`.
inline double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The column family handle inside rocksdb_column_family_handle_t (its first
// member, RocksDB's db/c.cc), checked against RocksDB's C API getters (id and
// name). NULL -> nullptr.
Result<rocksdb::ColumnFamilyHandle*> UnwrapColumnFamily(
    struct rocksdb_column_family_handle_t* handle);

}  // namespace pushdown::engine::capi

struct pushdown_db_t {
  std::shared_ptr<pushdown::engine::capi::DbState> state;
};

struct pushdown_attachoptions_t {
  pushdown::engine::AttachOptions options;
  struct rocksdb_column_family_handle_t* catalog = nullptr;
  std::vector<struct rocksdb_column_family_handle_t*> column_families;
};

struct pushdown_openoptions_t {
  pushdown::engine::DbOptions options;
};

struct pushdown_scanoptions_t {
  pushdown::engine::ScanOptions options;
  const struct rocksdb_snapshot_t* snapshot = nullptr;
};
