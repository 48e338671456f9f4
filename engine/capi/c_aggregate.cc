// Aggregates and explain of the C API.
#include <chrono>
#include <string>
#include <vector>

#include "engine/api/scan_json.h"
#include "engine/capi/c_internal.h"
#include "engine/capi/c_target.h"

using pushdown::Status;
using pushdown::bpfgen::Datum;
using pushdown::bpfgen::TypeId;
using pushdown::engine::AggregateResult;
using pushdown::engine::capi::Columns;
using pushdown::engine::capi::Guarded;
using pushdown::engine::capi::MallocCopy;
using pushdown::engine::capi::MsSince;
using pushdown::engine::capi::NotNull;
using pushdown::engine::capi::ResolvedTarget;
using pushdown::engine::capi::RowAccess;
using pushdown::engine::capi::ScanRequest;

// A computed aggregate: the values and the scan's info and stats.
struct pushdown_aggregate_t {
  AggregateResult result;
  Columns columns;
  pushdown::engine::capi::TextCache text;  // get_text buffers
  double elapsed_ms = 0;

  RowAccess Access() const { return RowAccess{&columns, &result.values, "", "aggregate"}; }
};

namespace {

pushdown_aggregate_t* RunAggregate(const char* fn, pushdown_db_t* db, const ScanRequest& request,
                                   const char* where, const char* aggregates,
                                   const pushdown_scanoptions_t* opts, char** errptr) {
  pushdown_aggregate_t* out = nullptr;
  Guarded(fn, errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(db, "db"));
    PD_RETURN_IF_ERROR(NotNull(where, "where"));
    PD_RETURN_IF_ERROR(NotNull(aggregates, "aggregates"));
    const auto start = std::chrono::steady_clock::now();
    PD_ASSIGN_OR_RETURN(pushdown::engine::ScanOptions so,
                        pushdown::engine::capi::ResolveScanOptions(*db->state, opts));
    PD_ASSIGN_OR_RETURN(ResolvedTarget target,
                        pushdown::engine::capi::Resolve(*db->state, request));
    auto agg = std::make_unique<pushdown_aggregate_t>();
    PD_ASSIGN_OR_RETURN(agg->result, pushdown::engine::capi::RunAggregate(*db->state, target, where,
                                                                          aggregates, so));
    agg->elapsed_ms = MsSince(start);
    agg->columns.Set(agg->result.names, agg->result.types);
    agg->text.Resize(agg->result.values.size());
    out = agg.release();
    return Status::OK();
  });
  return out;
}

char* RunExplain(const char* fn, pushdown_db_t* db, const ScanRequest& request, const char* where,
                 const pushdown_scanoptions_t* opts, char** errptr) {
  char* out = nullptr;
  Guarded(fn, errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(db, "db"));
    PD_RETURN_IF_ERROR(NotNull(where, "where"));
    PD_ASSIGN_OR_RETURN(pushdown::engine::ScanOptions so,
                        pushdown::engine::capi::ResolveScanOptions(*db->state, opts));
    PD_ASSIGN_OR_RETURN(ResolvedTarget target,
                        pushdown::engine::capi::Resolve(*db->state, request));
    PD_ASSIGN_OR_RETURN(pushdown::engine::ExplainResult plan,
                        pushdown::engine::capi::RunExplain(*db->state, target, where, so));
    out = MallocCopy(pushdown::engine::ExplainJson(plan));
    if (out == nullptr) return Status::ResourceExhausted("out of memory");
    return Status::OK();
  });
  return out;
}

template <typename T, typename F>
T Read(const char* fn, const pushdown_aggregate_t* agg, size_t i,
       std::initializer_list<TypeId> allowed, char** errptr, F&& read) {
  T value{};
  Guarded(fn, errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(agg, "aggregate"));
    PD_ASSIGN_OR_RETURN(const Datum* d, agg->Access().Get(i, allowed));
    if (!d->is_null()) value = read(*d);
    return Status::OK();
  });
  return value;
}

}  // namespace

extern "C" {

pushdown_aggregate_t* pushdown_aggregate(pushdown_db_t* db,
                                         struct rocksdb_column_family_handle_t* cf,
                                         const char* schema_ddl, const char* where,
                                         const char* aggregates, const pushdown_scanoptions_t* opts,
                                         char** errptr) {
  return RunAggregate("pushdown_aggregate", db, ScanRequest::ColumnFamily(cf, schema_ddl), where,
                      aggregates, opts, errptr);
}

pushdown_aggregate_t* pushdown_aggregate_table(pushdown_db_t* db, const char* table,
                                               const char* where, const char* aggregates,
                                               const pushdown_scanoptions_t* opts, char** errptr) {
  return RunAggregate("pushdown_aggregate_table", db, ScanRequest::Table(table), where, aggregates,
                      opts, errptr);
}

void pushdown_aggregate_destroy(pushdown_aggregate_t* agg) { delete agg; }

uint64_t pushdown_aggregate_rows(const pushdown_aggregate_t* agg) {
  return agg != nullptr ? agg->result.rows : 0;
}

size_t pushdown_aggregate_count(const pushdown_aggregate_t* agg) {
  return agg != nullptr ? agg->result.values.size() : 0;
}

const char* pushdown_aggregate_name(const pushdown_aggregate_t* agg, size_t i) {
  return agg != nullptr ? agg->columns.Name(i) : nullptr;
}

int pushdown_aggregate_type(const pushdown_aggregate_t* agg, size_t i) {
  return agg != nullptr ? agg->columns.CType(i) : -1;
}

const char* pushdown_aggregate_type_name(const pushdown_aggregate_t* agg, size_t i) {
  return agg != nullptr ? agg->columns.TypeName(i) : nullptr;
}

unsigned char pushdown_aggregate_is_null(const pushdown_aggregate_t* agg, size_t i, char** errptr) {
  unsigned char is_null = 0;
  Guarded("pushdown_aggregate_is_null", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(agg, "aggregate"));
    PD_ASSIGN_OR_RETURN(const Datum* d, agg->Access().Get(i, {}));
    is_null = d->is_null() ? 1 : 0;
    return Status::OK();
  });
  return is_null;
}

const char* pushdown_aggregate_get_text(pushdown_aggregate_t* agg, size_t i, size_t* len,
                                        char** errptr) {
  const char* out = nullptr;
  if (len != nullptr) *len = 0;
  Guarded("pushdown_aggregate_get_text", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(agg, "aggregate"));
    PD_ASSIGN_OR_RETURN(const Datum* d, agg->Access().Get(i, {}));
    out = agg->text.Get(i, agg->columns.types[i], *d, len);
    return Status::OK();
  });
  return out;
}

int64_t pushdown_aggregate_get_int64(const pushdown_aggregate_t* agg, size_t i, char** errptr) {
  return Read<int64_t>("pushdown_aggregate_get_int64", agg, i, {TypeId::kInt32, TypeId::kInt64},
                       errptr, [](const Datum& d) { return d.i; });
}

double pushdown_aggregate_get_double(const pushdown_aggregate_t* agg, size_t i, char** errptr) {
  return Read<double>("pushdown_aggregate_get_double", agg, i, {TypeId::kDouble}, errptr,
                      [](const Datum& d) { return d.d; });
}

int64_t pushdown_aggregate_get_decimal(const pushdown_aggregate_t* agg, size_t i, int* scale,
                                       char** errptr) {
  int64_t value = 0;
  if (scale != nullptr) *scale = 0;
  Guarded("pushdown_aggregate_get_decimal", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(agg, "aggregate"));
    PD_ASSIGN_OR_RETURN(const Datum* d, agg->Access().Get(i, {TypeId::kDecimal}));
    if (scale != nullptr) *scale = agg->columns.types[i].scale;
    if (!d->is_null()) value = d->i;
    return Status::OK();
  });
  return value;
}

char* pushdown_aggregate_stats_json(const pushdown_aggregate_t* agg, char** errptr) {
  char* out = nullptr;
  Guarded("pushdown_aggregate_stats_json", errptr, [&]() -> Status {
    PD_RETURN_IF_ERROR(NotNull(agg, "aggregate"));
    out = MallocCopy(
        pushdown::engine::StatsJson(agg->result.info, agg->result.stats, agg->elapsed_ms));
    if (out == nullptr) return Status::ResourceExhausted("out of memory");
    return Status::OK();
  });
  return out;
}

char* pushdown_explain_json(pushdown_db_t* db, struct rocksdb_column_family_handle_t* cf,
                            const char* schema_ddl, const char* where,
                            const pushdown_scanoptions_t* opts, char** errptr) {
  return RunExplain("pushdown_explain_json", db, ScanRequest::ColumnFamily(cf, schema_ddl), where,
                    opts, errptr);
}

char* pushdown_explain_table_json(pushdown_db_t* db, const char* table, const char* where,
                                  const pushdown_scanoptions_t* opts, char** errptr) {
  return RunExplain("pushdown_explain_table_json", db, ScanRequest::Table(table), where, opts,
                    errptr);
}

}  // extern "C"
