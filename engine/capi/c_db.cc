// pushdown_db_t: attaching to a rocksdb_t, opening by path, tables, close.
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engine/capi/c_internal.h"
#include "rocksdb/c.h"

using pushdown::Status;
using pushdown::engine::AttachedDB;
using pushdown::engine::ParseDevice;
using pushdown::engine::PushdownDB;
using pushdown::engine::capi::DbState;
using pushdown::engine::capi::Guarded;
using pushdown::engine::capi::NotNull;
using pushdown::engine::capi::UnwrapColumnFamily;

namespace {

// The property both sides read to check the DB* (a counter that changes on
// every flush, compaction and memtable switch).
constexpr char kCheckProperty[] = "rocksdb.current-super-version-number";

// db/c.cc (RocksDB 6.0 .. 9.9): struct rocksdb_t { DB* rep; }. The pointer is
// read as the struct's first member, then checked against RocksDB's own C
// API: sequence numbers only grow, so the DB*'s latest sequence number lies
// between two reads through the C API; the property must be equal on both
// sides (retried while a flush or compaction moves it).
pushdown::Result<rocksdb::DB*> UnwrapDb(rocksdb_t* handle) {
  rocksdb::DB* db = nullptr;
  std::memcpy(&db, handle, sizeof(db));
  if (db == nullptr) return Status::InvalidArgument("rocksdb_t holds no DB");
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const uint64_t seq_before = rocksdb_get_latest_sequence_number(handle);
    uint64_t c_before = 0, cpp = 0, c_after = 0;
    const bool c_ok = rocksdb_property_int(handle, kCheckProperty, &c_before) == 0;
    const bool cpp_ok = db->GetIntProperty(kCheckProperty, &cpp);
    const uint64_t seq = db->GetLatestSequenceNumber();
    const bool c_ok2 = rocksdb_property_int(handle, kCheckProperty, &c_after) == 0;
    const uint64_t seq_after = rocksdb_get_latest_sequence_number(handle);
    if (seq < seq_before || seq > seq_after || c_ok != cpp_ok) break;
    if (c_ok != c_ok2 || c_before != c_after) continue;  // changed meanwhile: read again
    if (!c_ok || c_before == cpp) return db;
    break;
  }
  return Status::InvalidArgument(
      "rocksdb_t does not match the DB it should wrap (latest sequence number or " +
      std::string(kCheckProperty) +
      " differ between RocksDB's C API and the DB*): this RocksDB's rocksdb_t is not the "
      "layout of db/c.cc (struct rocksdb_t { DB* rep; })");
}

Status SetDevice(std::optional<pushdown::exec::DeviceRequest>* out, const char* device) {
  if (device == nullptr) {
    out->reset();
    return Status::OK();
  }
  PD_ASSIGN_OR_RETURN(*out, ParseDevice(device));
  return Status::OK();
}

}  // namespace

extern "C" {

pushdown_attachoptions_t* pushdown_attachoptions_create(void) {
  try {
    return new pushdown_attachoptions_t();
  } catch (...) {
    return nullptr;
  }
}

void pushdown_attachoptions_destroy(pushdown_attachoptions_t* opts) { delete opts; }

void pushdown_attachoptions_set_device(pushdown_attachoptions_t* opts, const char* device,
                                       char** errptr) {
  Guarded("pushdown_attachoptions_set_device", errptr, [&] {
    PD_RETURN_IF_ERROR(NotNull(opts, "options"));
    return SetDevice(&opts->options.device, device);
  });
}

void pushdown_attachoptions_set_read_only(pushdown_attachoptions_t* opts, unsigned char read_only) {
  if (opts != nullptr) opts->options.read_only = read_only != 0;
}

void pushdown_attachoptions_set_catalog(pushdown_attachoptions_t* opts,
                                        struct rocksdb_column_family_handle_t* catalog) {
  if (opts != nullptr) opts->catalog = catalog;
}

void pushdown_attachoptions_add_column_family(pushdown_attachoptions_t* opts,
                                              struct rocksdb_column_family_handle_t* cf) {
  if (opts == nullptr) return;
  try {
    opts->column_families.push_back(cf);
  } catch (...) {
    // Out of memory: pushdown_attach reports the missing handle as NotFound.
  }
}

pushdown_db_t* pushdown_attach(struct rocksdb_t* db, const pushdown_attachoptions_t* opts,
                               char** errptr) {
  pushdown_db_t* out = nullptr;
  Guarded("pushdown_attach", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(db, "db"));
    PD_ASSIGN_OR_RETURN(rocksdb::DB * rep, UnwrapDb(db));
    pushdown::engine::AttachOptions options;
    auto state = std::make_shared<DbState>();
    if (opts != nullptr) {
      options = opts->options;
      PD_ASSIGN_OR_RETURN(options.catalog, UnwrapColumnFamily(opts->catalog));
      for (rocksdb_column_family_handle_t* h : opts->column_families) {
        PD_RETURN_IF_ERROR(NotNull(h, "column family handle"));
        PD_ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, UnwrapColumnFamily(h));
        state->column_families.emplace_back(cf->GetName(), cf);
      }
    }
    PD_ASSIGN_OR_RETURN(state->attached_owned, AttachedDB::Attach(rep, options));
    state->attached = state->attached_owned.get();
    state->db = rep;
    state->has_catalog = options.catalog != nullptr;
    out = new pushdown_db_t{std::move(state)};
    return Status::OK();
  });
  return out;
}

pushdown_openoptions_t* pushdown_openoptions_create(void) {
  try {
    return new pushdown_openoptions_t();
  } catch (...) {
    return nullptr;
  }
}

void pushdown_openoptions_destroy(pushdown_openoptions_t* opts) { delete opts; }

void pushdown_openoptions_set_create_if_missing(pushdown_openoptions_t* opts, unsigned char v) {
  if (opts != nullptr) opts->options.create_if_missing = v != 0;
}

void pushdown_openoptions_set_read_only(pushdown_openoptions_t* opts, unsigned char v) {
  if (opts != nullptr) opts->options.read_only = v != 0;
}

void pushdown_openoptions_set_device(pushdown_openoptions_t* opts, const char* device,
                                     char** errptr) {
  Guarded("pushdown_openoptions_set_device", errptr, [&] {
    PD_RETURN_IF_ERROR(NotNull(opts, "options"));
    return SetDevice(&opts->options.device, device);
  });
}

void pushdown_openoptions_set_fs_options(pushdown_openoptions_t* opts, const char* fs_options) {
  if (opts == nullptr) return;
  try {
    opts->options.fs_options = fs_options != nullptr ? fs_options : "";
  } catch (...) {
  }
}

pushdown_db_t* pushdown_open(const char* path, const pushdown_openoptions_t* opts, char** errptr) {
  pushdown_db_t* out = nullptr;
  Guarded("pushdown_open", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(path, "path"));
    auto state = std::make_shared<DbState>();
    PD_ASSIGN_OR_RETURN(
        state->pdb,
        PushdownDB::Open(path, opts != nullptr ? opts->options : pushdown::engine::DbOptions()));
    state->attached = &state->pdb->attached();
    state->db = state->pdb->db();
    out = new pushdown_db_t{std::move(state)};
    return Status::OK();
  });
  return out;
}

void pushdown_create_table(pushdown_db_t* db, const char* name, const char* ddl, char** errptr) {
  Guarded("pushdown_create_table", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(db, "db"));
    PD_RETURN_IF_ERROR(NotNull(name, "name"));
    PD_RETURN_IF_ERROR(NotNull(ddl, "ddl"));
    if (db->state->pdb == nullptr) {
      return Status::InvalidArgument("tables are created on a DB from pushdown_open");
    }
    return db->state->pdb->CreateTable(name, ddl).status();
  });
}

void pushdown_put_text(pushdown_db_t* db, const char* table, const char* const* fields,
                       const size_t* lens, size_t n, char** errptr) {
  Guarded("pushdown_put_text", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(db, "db"));
    PD_RETURN_IF_ERROR(NotNull(table, "table"));
    if (n > 0) {
      PD_RETURN_IF_ERROR(NotNull(fields, "fields"));
      PD_RETURN_IF_ERROR(NotNull(lens, "lens"));
    }
    if (db->state->pdb == nullptr) {
      return Status::InvalidArgument("rows are written on a DB from pushdown_open");
    }
    PD_ASSIGN_OR_RETURN(pushdown::engine::Table * t, db->state->pdb->OpenTable(table));
    std::vector<std::string_view> row;
    row.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      row.push_back(fields[i] != nullptr ? std::string_view(fields[i], lens[i])
                                         : std::string_view());
    }
    return t->PutText(row);
  });
}

void pushdown_close(pushdown_db_t* db) { delete db; }

}  // extern "C"
