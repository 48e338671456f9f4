// Query(sql): parse (bpfgen/sql), resolve FROM, bind, open the scan of the
// WHERE clause through the same path as Scan() (PrepareScan + OpenScan), and
// run the host side (pushdown/query) over its rows.
#include "engine/api/query.h"

#include "bpfgen/lang/diagnostic.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/sql/bind.h"
#include "bpfgen/sql/select.h"
#include "engine/api/internal.h"
#include "pushdown/query/executor.h"
#include "pushdown/scan/device_aggregation.h"

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

// Device aggregation of a query (bpfgen/codegen/program_abi.h,
// "Aggregation" and "Grouped aggregation"): an aggregate query (GROUP BY
// with device keys, every key ordered by: OrderedByEveryKey) whose every aggregate
// runs on the device (bpfgen::CheckDeviceAggregate; AVG is the device's SUM,
// whose count is the non-NULL inputs, so avg = sum / count exactly as the
// host computes it) has the blocks the executor finds exact aggregated inside
// the program; their partials are merged into the host's aggregate of the
// other rows (query::PartialSource). Owns the aggregates' arguments the
// program was compiled from (they outlive the scan cursor).
class DevicePartials final : public query::PartialSource {
 public:
  // The request for `q` (sink null and host_reason set when it cannot run on
  // the device).
  static std::unique_ptr<DevicePartials> For(const bpfgen::sql::BoundQuery& q) {
    auto d = std::make_unique<DevicePartials>();
    d->request_.host_reason = d->Build(q);
    if (!d->request_.host_reason.empty()) d->request_.items.clear();
    return d;
  }

  const DeviceAggregateRequest& request() const { return request_; }
  bool on_device() const { return request_.sink != nullptr; }

  Result<std::vector<query::GroupPartial>> Partials() override {
    auto convert = [](const std::vector<exec::DeviceAggregation::Partial>& partials) {
      std::vector<query::AggregatePartial> out;
      for (const exec::DeviceAggregation::Partial& p : partials) {
        query::AggregatePartial a;
        a.count = p.count;
        a.sum = p.sum;
        if (p.best) a.best = Datum::Int(*p.best);
        out.push_back(std::move(a));
      }
      return out;
    };
    if (key_types_.empty()) {
      std::vector<query::GroupPartial> out(1);
      out[0].aggregates = convert(request_.sink->partials());
      return out;
    }
    std::vector<query::GroupPartial> out;
    for (const exec::DeviceAggregation::Group& g : request_.sink->groups()) {
      query::GroupPartial p;
      for (size_t k = 0; k < key_types_.size(); ++k) {
        p.keys.push_back(KeyDatum(g.keys[k], (g.null_mask >> k) & 1, key_types_[k]));
      }
      p.aggregates = convert(g.partials);
      out.push_back(std::move(p));
    }
    return out;
  }

 private:
  // A group key word (program_abi.h, "Grouped aggregation") as the value the
  // host's evaluator gives the key.
  static Datum KeyDatum(uint64_t word, bool null, const bpfgen::Type& t) {
    if (null) return Datum::Null();
    if (!t.IsString()) return Datum::Int(static_cast<int64_t>(word));
    const size_t len = std::min<size_t>(word >> 56, bpfgen::abi::kMaxGroupStringBytes);
    char bytes[8];
    for (size_t i = 0; i < 8; ++i) bytes[i] = static_cast<char>(word >> (8 * i));
    return Datum::String(std::string_view(bytes, len));
  }

  // Device GROUP BY keeps the output exact only where the group order does
  // not depend on which rows the host saw first: every key is an ORDER BY
  // key (docs/SQL.md: without ORDER BY, groups come in the order of their
  // first row, which the device does not know).
  static bool OrderedByEveryKey(const bpfgen::sql::BoundQuery& q) {
    for (size_t i = 0; i < q.group_by.size(); ++i) {
      bool found = false;
      for (const bpfgen::sql::BoundOrderKey& o : q.order_by) {
        found |= o.expr->kind == bpfgen::ExprKind::kColumn && o.expr->column == static_cast<int>(i);
      }
      if (!found) return false;
    }
    return true;
  }

  // "" when every aggregate runs on the device, else why not.
  std::string Build(const bpfgen::sql::BoundQuery& q) {
    if (q.aggregates.empty()) return "no aggregates";
    if (Status s = query::CheckPartialsAllowed(q); !s.ok()) return s.message();
    if (q.aggregates.size() > bpfgen::abi::kMaxAggregates) {
      return "more than " + std::to_string(bpfgen::abi::kMaxAggregates) + " aggregates";
    }
    if (q.group_by.size() > bpfgen::abi::kMaxGroupKeys) {
      return "more than " + std::to_string(bpfgen::abi::kMaxGroupKeys) + " GROUP BY keys";
    }
    if (!q.group_by.empty() && !OrderedByEveryKey(q)) {
      return "GROUP BY without every key in ORDER BY keeps first-row order, on the host";
    }
    for (const bpfgen::ExprPtr& g : q.group_by) {
      bpfgen::AggregateItem item;
      item.op = bpfgen::AggregateOp::kGroupKey;
      args_.push_back(g->Clone());
      item.arg = args_.back().get();
      const std::string text = bpfgen::ToString(*item.arg, q.input_schema);
      if (Status s = bpfgen::CheckDeviceAggregate(item); !s.ok()) {
        return "GROUP BY " + text + ": " + s.message();
      }
      request_.items.push_back(item);
      key_types_.push_back(g->type);
      request_.key += (request_.key.empty() ? "group(" : ", group(") + text + ")";
    }
    std::vector<bpfgen::AggregateOp> ops;
    for (const bpfgen::sql::BoundAggregate& a : q.aggregates) {
      bpfgen::AggregateItem item;
      switch (a.kind) {
        case bpfgen::sql::AggKind::kCountStar:
          item.op = bpfgen::AggregateOp::kCountStar;
          break;
        case bpfgen::sql::AggKind::kCount:
          item.op = bpfgen::AggregateOp::kCount;
          break;
        case bpfgen::sql::AggKind::kSum:
        case bpfgen::sql::AggKind::kAvg:
          item.op = bpfgen::AggregateOp::kSum;
          break;
        case bpfgen::sql::AggKind::kMin:
          item.op = bpfgen::AggregateOp::kMin;
          break;
        case bpfgen::sql::AggKind::kMax:
          item.op = bpfgen::AggregateOp::kMax;
          break;
      }
      if (a.arg != nullptr) {
        args_.push_back(a.arg->Clone());
        item.arg = args_.back().get();
      }
      if (Status s = bpfgen::CheckDeviceAggregate(item); !s.ok()) {
        return a.text + ": " + s.message();
      }
      request_.items.push_back(item);
      ops.push_back(item.op);
      request_.key += (request_.key.empty() ? "" : ", ") + std::string(OpName(item.op));
      if (item.arg != nullptr)
        request_.key += "(" + bpfgen::ToString(*item.arg, q.input_schema) + ")";
    }
    request_.sink = std::make_shared<exec::DeviceAggregation>(
        std::move(ops), static_cast<uint32_t>(key_types_.size()));
    return "";
  }

  static const char* OpName(bpfgen::AggregateOp op) {
    switch (op) {
      case bpfgen::AggregateOp::kCountStar:
        return "count(*)";
      case bpfgen::AggregateOp::kCount:
        return "count";
      case bpfgen::AggregateOp::kSum:
        return "sum";
      case bpfgen::AggregateOp::kMin:
        return "min";
      case bpfgen::AggregateOp::kMax:
        return "max";
      case bpfgen::AggregateOp::kGroupKey:
        return "group";
    }
    return "?";
  }

  std::vector<bpfgen::ExprPtr> args_;    // items' arguments
  std::vector<bpfgen::Type> key_types_;  // the GROUP BY keys' types; empty: not grouped
  DeviceAggregateRequest request_;
};

class QueryCursorImpl final : public QueryCursor {
 public:
  QueryCursorImpl(std::unique_ptr<DevicePartials> partials, std::unique_ptr<ScanRows> rows,
                  std::unique_ptr<query::QueryExecution> exec)
      : partials_(std::move(partials)), rows_(std::move(rows)), exec_(std::move(exec)) {}
  Status Next() override { return exec_->Next(); }
  bool Valid() const override { return exec_->Valid(); }
  const std::vector<Datum>& row() const override { return exec_->row(); }
  const std::vector<std::string>& column_names() const override { return exec_->column_names(); }
  const std::vector<bpfgen::Type>& column_types() const override { return exec_->column_types(); }
  const ScanInfo& info() const override { return rows_->cursor().info(); }
  const exec::ScanStats& stats() const override { return rows_->cursor().stats(); }

 private:
  std::unique_ptr<DevicePartials> partials_;  // or null; outlives rows_ and exec_
  std::unique_ptr<ScanRows> rows_;            // outlives exec_ (declared first)
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
  std::unique_ptr<DevicePartials> partials;
  if (bound.aggregate) partials = DevicePartials::For(bound);
  PD_ASSIGN_OR_RETURN(std::unique_ptr<ScanCursorImpl> cursor,
                      OpenScan(impl, std::move(req), so, /*want_value=*/true,
                               partials ? &partials->request() : nullptr));
  auto source = std::make_unique<ScanRows>(std::move(cursor));
  PD_ASSIGN_OR_RETURN(
      std::unique_ptr<query::QueryExecution> exec,
      query::QueryExecution::Open(std::move(bound), source.get(), options.limits,
                                  partials && partials->on_device() ? partials.get() : nullptr));
  return std::unique_ptr<QueryCursor>(
      new QueryCursorImpl(std::move(partials), std::move(source), std::move(exec)));
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
