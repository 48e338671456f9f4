// Scan options, scans and the row cursor of the C API.
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "engine/api/scan_json.h"
#include "engine/capi/c_internal.h"
#include "engine/capi/c_target.h"
#include "rocksdb/c.h"

using pushdown::Result;
using pushdown::Status;
using pushdown::bpfgen::Datum;
using pushdown::bpfgen::TypeId;
using pushdown::engine::ScanCursor;
using pushdown::engine::ScanInfo;
using pushdown::engine::capi::Columns;
using pushdown::engine::capi::Guarded;
using pushdown::engine::capi::MallocCopy;
using pushdown::engine::capi::MsSince;
using pushdown::engine::capi::NotNull;
using pushdown::engine::capi::RowAccess;
using pushdown::engine::capi::ScanRequest;
using pushdown::engine::capi::TextCache;

// A scan in progress. States: open (cursor set) -> ended (Next said done or
// failed; the cursor is kept for info/stats) -> closed (cursor released,
// info/stats copied). `row_valid` only while open or ended with a row.
struct pushdown_cursor_t {
  std::shared_ptr<pushdown::engine::capi::DbState> db;
  std::unique_ptr<ScanCursor> cursor;
  Columns columns;
  bool raw = false;
  int value_col = -1;  // raw mode: index of the `value` column, -1 if projected out
  bool row_valid = false;
  bool ended = false;
  bool closed = false;
  Status error;    // sticky error of Next
  TextCache text;  // get_text buffers of the current row
  std::chrono::steady_clock::time_point start;
  double elapsed_ms = -1;  // set when the scan ended or was closed
  ScanInfo info;           // copies, taken at close
  pushdown::exec::ScanStats stats;

  const ScanInfo& Info() const { return cursor ? cursor->info() : info; }
  const pushdown::exec::ScanStats& Stats() const { return cursor ? cursor->stats() : stats; }
  void Finish() {
    if (elapsed_ms < 0) elapsed_ms = MsSince(start);
  }
  RowAccess Access() const {
    const char* why =
        closed  ? "cursor is closed"
        : ended ? (error.ok() ? "cursor is past the last row" : "cursor failed: no current row")
                : "no current row: call pushdown_cursor_next first";
    return RowAccess{&columns, row_valid ? &cursor->row() : nullptr, why, "column"};
  }
};

namespace {

// Runs a getter: `read` gets the datum once the cursor, the column and the
// type were checked.
template <typename T, typename F>
T Read(const char* fn, const pushdown_cursor_t* cur, size_t col,
       std::initializer_list<TypeId> allowed, char** errptr, F&& read) {
  T value{};
  Guarded(fn, errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(cur, "cursor"));
    PD_ASSIGN_OR_RETURN(const Datum* d, cur->Access().Get(col, allowed));
    if (!d->is_null()) value = read(*d);
    return Status::OK();
  });
  return value;
}

}  // namespace

extern "C" {

pushdown_scanoptions_t* pushdown_scanoptions_create(void) {
  try {
    return new pushdown_scanoptions_t();
  } catch (...) {
    return nullptr;
  }
}

void pushdown_scanoptions_destroy(pushdown_scanoptions_t* opts) { delete opts; }

void pushdown_scanoptions_set_device(pushdown_scanoptions_t* opts, const char* device,
                                     char** errptr) {
  Guarded("pushdown_scanoptions_set_device", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(opts, "options"));
    if (device == nullptr) {
      opts->options.device.reset();
      return Status::OK();
    }
    PD_ASSIGN_OR_RETURN(opts->options.device, pushdown::engine::ParseDevice(device));
    return Status::OK();
  });
}

void pushdown_scanoptions_set_strict_device(pushdown_scanoptions_t* opts, unsigned char v) {
  if (opts != nullptr) opts->options.strict_device = v != 0;
}

static void SetBound(std::optional<std::string>* bound, const char* key, size_t len) {
  try {
    if (key == nullptr) {
      bound->reset();
    } else {
      *bound = std::string(key, len);
    }
  } catch (...) {
    bound->reset();
  }
}

void pushdown_scanoptions_set_lower_bound(pushdown_scanoptions_t* opts, const char* key,
                                          size_t len) {
  if (opts != nullptr) SetBound(&opts->options.lower_bound, key, len);
}

void pushdown_scanoptions_set_upper_bound(pushdown_scanoptions_t* opts, const char* key,
                                          size_t len) {
  if (opts != nullptr) SetBound(&opts->options.upper_bound, key, len);
}

void pushdown_scanoptions_set_prefix(pushdown_scanoptions_t* opts, const char* prefix, size_t len) {
  if (opts != nullptr) SetBound(&opts->options.prefix, prefix, len);
}

void pushdown_scanoptions_set_columns(pushdown_scanoptions_t* opts, const char* const* names,
                                      size_t n, char** errptr) {
  Guarded("pushdown_scanoptions_set_columns", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(opts, "options"));
    if (n > 0) PD_RETURN_IF_ERROR(NotNull(names, "names"));
    std::vector<std::string> columns;
    for (size_t i = 0; i < n; ++i) {
      if (names[i] == nullptr) {
        return Status::InvalidArgument("names[" + std::to_string(i) + "] is NULL");
      }
      columns.emplace_back(names[i]);
    }
    opts->options.columns = std::move(columns);
    return Status::OK();
  });
}

void pushdown_scanoptions_set_limit(pushdown_scanoptions_t* opts, uint64_t limit) {
  if (opts != nullptr) opts->options.limit = limit;
}

void pushdown_scanoptions_set_snapshot(pushdown_scanoptions_t* opts,
                                       const struct rocksdb_snapshot_t* snapshot) {
  if (opts != nullptr) opts->snapshot = snapshot;
}

void pushdown_scanoptions_set_verify_checksums(pushdown_scanoptions_t* opts, unsigned char v) {
  if (opts != nullptr) opts->options.verify_checksums = v != 0;
}

void pushdown_scanoptions_set_use_io_uring(pushdown_scanoptions_t* opts, unsigned char v) {
  if (opts != nullptr) opts->options.use_io_uring = v != 0;
}

void pushdown_scanoptions_set_use_direct_io(pushdown_scanoptions_t* opts, unsigned char v) {
  if (opts != nullptr) opts->options.use_direct_io = v != 0;
}

void pushdown_scanoptions_set_flush_memtable(pushdown_scanoptions_t* opts, unsigned char v) {
  if (opts != nullptr) opts->options.flush_memtable = v != 0;
}

static pushdown_cursor_t* StartScan(const char* fn, pushdown_db_t* db, const ScanRequest& request,
                                    const char* where, const pushdown_scanoptions_t* opts,
                                    char** errptr) {
  pushdown_cursor_t* out = nullptr;
  Guarded(fn, errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(db, "db"));
    PD_RETURN_IF_ERROR(NotNull(where, "where"));
    PD_ASSIGN_OR_RETURN(pushdown::engine::ScanOptions so,
                        pushdown::engine::capi::ResolveScanOptions(*db->state, opts));
    auto cur = std::make_unique<pushdown_cursor_t>();
    cur->start = std::chrono::steady_clock::now();
    PD_ASSIGN_OR_RETURN(pushdown::engine::capi::ResolvedTarget target,
                        pushdown::engine::capi::Resolve(*db->state, request));
    PD_ASSIGN_OR_RETURN(cur->cursor,
                        pushdown::engine::capi::RunScan(*db->state, target, where, so));
    cur->db = db->state;
    cur->raw = target.raw;
    cur->columns.Set(cur->cursor->column_names(), cur->cursor->column_types());
    cur->text.Resize(cur->columns.names.size());
    if (cur->raw) {
      for (size_t i = 0; i < cur->columns.names.size(); ++i) {
        if (cur->columns.names[i] == "value") cur->value_col = static_cast<int>(i);
      }
    }
    out = cur.release();
    return Status::OK();
  });
  return out;
}

pushdown_cursor_t* pushdown_scan(pushdown_db_t* db, struct rocksdb_column_family_handle_t* cf,
                                 const char* schema_ddl, const char* where,
                                 const pushdown_scanoptions_t* opts, char** errptr) {
  return StartScan("pushdown_scan", db, ScanRequest::ColumnFamily(cf, schema_ddl), where, opts,
                   errptr);
}

pushdown_cursor_t* pushdown_scan_table(pushdown_db_t* db, const char* table, const char* where,
                                       const pushdown_scanoptions_t* opts, char** errptr) {
  return StartScan("pushdown_scan_table", db, ScanRequest::Table(table), where, opts, errptr);
}

unsigned char pushdown_cursor_next(pushdown_cursor_t* cur, char** errptr) {
  bool has_row = false;
  Guarded("pushdown_cursor_next", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(cur, "cursor"));
    if (cur->closed) return Status::InvalidArgument("cursor is closed");
    if (cur->ended) return cur->error;
    cur->row_valid = false;
    cur->text.Reset();
    Status s = cur->cursor->Next();
    if (!s.ok()) {
      cur->ended = true;
      cur->error = s;
      cur->Finish();
      return s;
    }
    if (!cur->cursor->Valid()) {
      cur->ended = true;
      cur->Finish();
      return Status::OK();
    }
    cur->row_valid = true;
    has_row = true;
    return Status::OK();
  });
  return has_row ? 1 : 0;
}

unsigned char pushdown_cursor_valid(const pushdown_cursor_t* cur) {
  return cur != nullptr && cur->row_valid ? 1 : 0;
}

void pushdown_cursor_close(pushdown_cursor_t* cur) {
  if (cur == nullptr || cur->closed) return;
  try {
    cur->Finish();
    cur->info = cur->cursor->info();
    cur->stats = cur->cursor->stats();
  } catch (...) {
    // Out of memory copying the info: the stats read as empty after close.
  }
  cur->row_valid = false;
  cur->closed = true;
  cur->cursor.reset();
  cur->db.reset();
}

void pushdown_cursor_destroy(pushdown_cursor_t* cur) {
  if (cur == nullptr) return;
  cur->cursor.reset();  // before the DB it reads
  cur->db.reset();
  delete cur;
}

size_t pushdown_cursor_column_count(const pushdown_cursor_t* cur) {
  return cur != nullptr ? cur->columns.names.size() : 0;
}

const char* pushdown_cursor_column_name(const pushdown_cursor_t* cur, size_t col) {
  return cur != nullptr ? cur->columns.Name(col) : nullptr;
}

int pushdown_cursor_column_type(const pushdown_cursor_t* cur, size_t col) {
  return cur != nullptr ? cur->columns.CType(col) : -1;
}

const char* pushdown_cursor_column_type_name(const pushdown_cursor_t* cur, size_t col) {
  return cur != nullptr ? cur->columns.TypeName(col) : nullptr;
}

unsigned char pushdown_cursor_is_null(const pushdown_cursor_t* cur, size_t col, char** errptr) {
  unsigned char is_null = 0;
  Guarded("pushdown_cursor_is_null", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(cur, "cursor"));
    PD_ASSIGN_OR_RETURN(const Datum* d, cur->Access().Get(col, {}));
    is_null = d->is_null() ? 1 : 0;
    return Status::OK();
  });
  return is_null;
}

const char* pushdown_cursor_get_text(pushdown_cursor_t* cur, size_t col, size_t* len,
                                     char** errptr) {
  const char* out = nullptr;
  if (len != nullptr) *len = 0;
  Guarded("pushdown_cursor_get_text", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(cur, "cursor"));
    PD_ASSIGN_OR_RETURN(const Datum* d, cur->Access().Get(col, {}));
    out = cur->text.Get(col, cur->columns.types[col], *d, len);
    return Status::OK();
  });
  return out;
}

int64_t pushdown_cursor_get_int64(const pushdown_cursor_t* cur, size_t col, char** errptr) {
  return Read<int64_t>("pushdown_cursor_get_int64", cur, col, {TypeId::kInt32, TypeId::kInt64},
                       errptr, [](const Datum& d) { return d.i; });
}

double pushdown_cursor_get_double(const pushdown_cursor_t* cur, size_t col, char** errptr) {
  return Read<double>("pushdown_cursor_get_double", cur, col, {TypeId::kDouble}, errptr,
                      [](const Datum& d) { return d.d; });
}

unsigned char pushdown_cursor_get_bool(const pushdown_cursor_t* cur, size_t col, char** errptr) {
  return Read<unsigned char>("pushdown_cursor_get_bool", cur, col, {TypeId::kBool}, errptr,
                             [](const Datum& d) { return d.i != 0 ? 1 : 0; });
}

int64_t pushdown_cursor_get_date(const pushdown_cursor_t* cur, size_t col, char** errptr) {
  return Read<int64_t>("pushdown_cursor_get_date", cur, col, {TypeId::kDate}, errptr,
                       [](const Datum& d) { return d.i; });
}

int64_t pushdown_cursor_get_decimal(const pushdown_cursor_t* cur, size_t col, int* scale,
                                    char** errptr) {
  int64_t value = 0;
  if (scale != nullptr) *scale = 0;
  Guarded("pushdown_cursor_get_decimal", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(cur, "cursor"));
    PD_ASSIGN_OR_RETURN(const Datum* d, cur->Access().Get(col, {TypeId::kDecimal}));
    if (scale != nullptr) *scale = cur->columns.types[col].scale;  // also for NULL
    if (!d->is_null()) value = d->i;
    return Status::OK();
  });
  return value;
}

const char* pushdown_cursor_get_bytes(const pushdown_cursor_t* cur, size_t col, size_t* len,
                                      char** errptr) {
  if (len != nullptr) *len = 0;
  const std::string* s = Read<const std::string*>("pushdown_cursor_get_bytes", cur, col,
                                                  {TypeId::kChar, TypeId::kVarchar, TypeId::kBytes},
                                                  errptr, [](const Datum& d) { return &d.s; });
  if (s == nullptr) return nullptr;
  if (len != nullptr) *len = s->size();
  return s->data();
}

const char* pushdown_cursor_key(const pushdown_cursor_t* cur, size_t* len, char** errptr) {
  const char* out = nullptr;
  if (len != nullptr) *len = 0;
  Guarded("pushdown_cursor_key", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(cur, "cursor"));
    RowAccess access = cur->Access();
    if (access.row == nullptr) return Status::InvalidArgument(access.no_row);
    std::string_view key = cur->cursor->key();
    out = key.data();
    if (len != nullptr) *len = key.size();
    return Status::OK();
  });
  return out;
}

const char* pushdown_cursor_value(const pushdown_cursor_t* cur, size_t* len, char** errptr) {
  const char* out = nullptr;
  if (len != nullptr) *len = 0;
  Guarded("pushdown_cursor_value", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(cur, "cursor"));
    if (!cur->raw) {
      return Status::InvalidArgument(
          "not a raw-mode scan: read the columns with the typed getters");
    }
    if (cur->value_col < 0) {
      return Status::InvalidArgument("the projection (columns) does not include `value`");
    }
    PD_ASSIGN_OR_RETURN(const Datum* d, cur->Access().Get(static_cast<size_t>(cur->value_col), {}));
    out = d->s.data();
    if (len != nullptr) *len = d->s.size();
    return Status::OK();
  });
  return out;
}

const char* pushdown_cursor_path(const pushdown_cursor_t* cur) {
  return cur != nullptr ? cur->Info().path.c_str() : nullptr;
}

const char* pushdown_cursor_device(const pushdown_cursor_t* cur) {
  return cur != nullptr ? cur->Info().device.c_str() : nullptr;
}

const char* pushdown_cursor_fallback_reason(const pushdown_cursor_t* cur) {
  return cur != nullptr ? cur->Info().fallback_reason.c_str() : nullptr;
}

char* pushdown_cursor_stats_json(const pushdown_cursor_t* cur, char** errptr) {
  char* out = nullptr;
  Guarded("pushdown_cursor_stats_json", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(cur, "cursor"));
    const double elapsed = cur->elapsed_ms >= 0 ? cur->elapsed_ms : MsSince(cur->start);
    out = MallocCopy(pushdown::engine::StatsJson(cur->Info(), cur->Stats(), elapsed));
    if (out == nullptr) return Status::ResourceExhausted("out of memory");
    return Status::OK();
  });
  return out;
}

}  // extern "C"
