// Query(sql): parse (bpfgen/sql), resolve FROM, bind, open the scan of the
// WHERE clause through the same path as Scan() (PrepareScan + OpenScan), and
// run the host side (pushdown/query) over its rows.
#include "engine/api/query.h"

#include "bpfgen/lang/diagnostic.h"
#include "bpfgen/sql/bind.h"
#include "bpfgen/sql/select.h"
#include "engine/api/internal.h"
#include "pushdown/query/executor.h"

namespace pushdown::engine {
namespace {

// The scan cursor as the executor's row source (with the whole value).
class ScanRows final : public query::RowSource {
 public:
  explicit ScanRows(std::unique_ptr<ScanCursorImpl> cursor) : cursor_(std::move(cursor)) {}
  Status Next() override { return cursor_->Next(); }
  bool Valid() const override { return cursor_->Valid(); }
  std::string_view key() const override { return cursor_->key(); }
  std::string_view value() const override { return cursor_->value(); }
  const ScanCursorImpl& cursor() const { return *cursor_; }

 private:
  std::unique_ptr<ScanCursorImpl> cursor_;
};

class QueryCursorImpl final : public QueryCursor {
 public:
  QueryCursorImpl(std::unique_ptr<ScanRows> rows, std::unique_ptr<query::QueryExecution> exec)
      : rows_(std::move(rows)), exec_(std::move(exec)) {}
  Status Next() override { return exec_->Next(); }
  bool Valid() const override { return exec_->Valid(); }
  const std::vector<Datum>& row() const override { return exec_->row(); }
  const std::vector<std::string>& column_names() const override { return exec_->column_names(); }
  const std::vector<bpfgen::Type>& column_types() const override { return exec_->column_types(); }
  const ScanInfo& info() const override { return rows_->cursor().info(); }
  const exec::ScanStats& stats() const override { return rows_->cursor().stats(); }

 private:
  std::unique_ptr<ScanRows> rows_;  // outlives exec_ (declared first)
  std::unique_ptr<query::QueryExecution> exec_;
};

Status FromNotFound(const bpfgen::sql::SelectStatement& st, const Status& s) {
  const std::string diag = bpfgen::FormatDiagnostic(st.text, st.from_range, s.message());
  if (s.code() == Status::Code::kNotFound) return Status::NotFound(diag);
  if (s.code() == Status::Code::kInvalidArgument) return Status::InvalidArgument(diag);
  return s;
}

}  // namespace

static Result<std::unique_ptr<QueryCursor>> RunQuery(AttachedDB::Impl& impl,
                                                     bpfgen::sql::SelectStatement st,
                                                     rocksdb::ColumnFamilyHandle* cf,
                                                     const RowSpec& rows,
                                                     const QueryOptions& options) {
  if (!options.scan.columns.empty() || options.scan.limit != kNoRowLimit) {
    return Status::InvalidArgument(
        "QueryOptions::scan: columns and limit are set by the query (leave them empty)");
  }
  PD_ASSIGN_OR_RETURN(std::shared_ptr<const bpfgen::Schema> schema, rows.Resolve());
  PD_ASSIGN_OR_RETURN(bpfgen::sql::BoundQuery bound, bpfgen::sql::Bind(std::move(st), *schema));
  ScanOptions so = options.scan;
  so.limit = query::ScanRowLimit(bound);
  PD_ASSIGN_OR_RETURN(ScanRequest req,
                      PrepareScan(impl, cf, RowSpec::Of(schema), bound.where_text, so));
  PD_ASSIGN_OR_RETURN(std::unique_ptr<ScanCursorImpl> cursor,
                      OpenScan(impl, std::move(req), so, /*want_value=*/true));
  auto source = std::make_unique<ScanRows>(std::move(cursor));
  PD_ASSIGN_OR_RETURN(std::unique_ptr<query::QueryExecution> exec,
                      query::QueryExecution::Open(std::move(bound), source.get(), options.limits));
  return std::unique_ptr<QueryCursor>(new QueryCursorImpl(std::move(source), std::move(exec)));
}

Result<std::unique_ptr<QueryCursor>> AttachedDB::Query(
    std::string_view sql, const QueryOptions& options,
    const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  PD_ASSIGN_OR_RETURN(bpfgen::sql::SelectStatement st, bpfgen::sql::ParseSelect(sql));
  if (st.from_raw && st.from.empty()) st.from = options.default_column_family;
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  for (rocksdb::ColumnFamilyHandle* h : families) {
    if (h != nullptr && h->GetName() == st.from) cf = h;
  }
  if (cf == nullptr && st.from == rocksdb::kDefaultColumnFamilyName) {
    cf = impl_->db->DefaultColumnFamily();
  }
  RowSpec rows = RowSpec::Raw();
  if (!st.from_raw) {
    auto table = TableRows(st.from);
    if (!table.ok()) return FromNotFound(st, table.status());
    rows = std::move(table).value();
  }
  if (cf == nullptr) {
    return FromNotFound(st, Status::NotFound("no column family '" + st.from +
                                             "' among the handles given to Query"));
  }
  return RunQuery(*impl_, std::move(st), cf, rows, options);
}

Result<std::unique_ptr<QueryCursor>> PushdownDB::Query(std::string_view sql,
                                                       const QueryOptions& options) {
  PD_ASSIGN_OR_RETURN(bpfgen::sql::SelectStatement st, bpfgen::sql::ParseSelect(sql));
  if (st.from_raw && st.from.empty()) st.from = options.default_column_family;
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  RowSpec rows = RowSpec::Raw();
  if (st.from_raw) {
    auto h = ColumnFamily(st.from);
    if (!h.ok() && st.from == rocksdb::kDefaultColumnFamilyName) {
      h = db()->DefaultColumnFamily();
    }
    if (!h.ok()) return FromNotFound(st, h.status());
    cf = *h;
  } else {
    auto t = OpenTable(st.from);
    if (!t.ok()) return FromNotFound(st, t.status());
    cf = (*t)->column_family();
    rows = RowSpec::Of((*t)->schema());
  }
  return RunQuery(attached().impl(), std::move(st), cf, rows, options);
}

}  // namespace pushdown::engine
