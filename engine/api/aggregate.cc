// Aggregate(): count(*), count(e), sum(e), min(e), max(e) over the rows a scan
// returns, computed on the host with the reference Evaluator. DECIMAL and
// integer sums are exact (128-bit accumulator); a sum outside the result
// type's range is NULL (the language's overflow rule).
//
// A scan with several workers (ScanOptions::workers) aggregates on the
// workers' threads, one partial per worker, merged at the end (the scan
// without a limit: rows in any order). Counts, exact sums, min and max are
// the same in any order; a DOUBLE sum's rounding depends on the order of
// its additions, so it may differ in the last bits between worker counts.
//
// Aggregation on the device: when every aggregate can run on the device
// (bpfgen::CheckDeviceAggregate: COUNT of anything, SUM of integers and
// DECIMALs, MIN/MAX of those and DATEs -- no DOUBLE arithmetic) they are
// compiled into the scan's program, and the blocks the executor finds exact
// (scan_executor.cc, AggregateOnDevice) are aggregated there; their partials
// (exec::DeviceAggregation) are merged here with the host's partials of the
// rows that came back. Same 128-bit sums and overflow rule, so the result
// does not depend on which blocks ran where.
#include <cctype>
#include <cmath>
#include <optional>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "engine/api/internal.h"

namespace pushdown::engine {

namespace {

enum class AggKind { kCountStar, kCount, kSum, kMin, kMax };

struct Agg {
  AggKind kind;
  std::string name;
  bpfgen::ExprPtr arg;  // null for count(*)
  bpfgen::Type type;    // result type
};

// One worker's partial result of one aggregate.
struct Acc {
  uint64_t count = 0;
  __int128 isum = 0;
  double dsum = 0;
  bool have = false;
  Datum best;
};

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Splits at top-level commas (outside parentheses and string literals).
std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\'') quoted = false;
    } else if (c == '\'') {
      quoted = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(Trim(s.substr(start)));
  return out;
}

Result<Agg> ParseAggregate(const std::string& item, const bpfgen::Schema& schema) {
  const size_t open = item.find('(');
  if (open == std::string::npos || item.back() != ')') {
    return Status::InvalidArgument("aggregate '" + item +
                                   "': expected count(*), count(e), sum(e), min(e) or max(e)");
  }
  std::string fn = Trim(item.substr(0, open));
  for (char& c : fn) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string arg = Trim(std::string_view(item).substr(open + 1, item.size() - open - 2));
  Agg a;
  a.name = item;
  if (fn == "count" && arg == "*") {
    a.kind = AggKind::kCountStar;
    a.type = bpfgen::Type::Int64();
    return a;
  }
  if (fn == "count") {
    a.kind = AggKind::kCount;
  } else if (fn == "sum") {
    a.kind = AggKind::kSum;
  } else if (fn == "min") {
    a.kind = AggKind::kMin;
  } else if (fn == "max") {
    a.kind = AggKind::kMax;
  } else {
    return Status::InvalidArgument("aggregate '" + item + "': unknown function '" + fn +
                                   "' (count, sum, min, max)");
  }
  auto e = bpfgen::CompileExpression(arg, schema);
  if (!e.ok()) return e.status().WithContext("aggregate '" + item + "'");
  a.arg = std::move(e).value();
  const bpfgen::Type t = a.arg->type;
  switch (a.kind) {
    case AggKind::kCount:
      a.type = bpfgen::Type::Int64();
      break;
    case AggKind::kSum:
      if (t.id == bpfgen::TypeId::kDecimal) {
        a.type = bpfgen::Type::Decimal(18, t.scale);
      } else if (t.IsIntegral()) {
        a.type = bpfgen::Type::Int64();
      } else if (t.id == bpfgen::TypeId::kDouble) {
        a.type = bpfgen::Type::Double();
      } else {
        return Status::InvalidArgument("aggregate '" + item + "': sum of " + t.ToString() +
                                       " (needs a numeric expression)");
      }
      break;
    default:
      if (!t.IsNumeric() && t.id != bpfgen::TypeId::kDate) {
        return Status::InvalidArgument("aggregate '" + item + "': " + fn + " of " + t.ToString() +
                                       " (needs a numeric or DATE expression)");
      }
      a.type = t;
  }
  return a;
}

bool Less(const Datum& x, const Datum& y, const bpfgen::Type& t) {
  if (t.id == bpfgen::TypeId::kDouble) return x.d < y.d;
  return x.i < y.i;
}

// Folds the non-NULL value v of one row into `acc`. (count(*) counts rows.)
void Accumulate(const Agg& a, const Datum& v, Acc* acc) {
  ++acc->count;
  const bool first = !acc->have;
  acc->have = true;
  switch (a.kind) {
    case AggKind::kSum:
      if (a.type.id == bpfgen::TypeId::kDouble) {
        acc->dsum += v.d;
      } else {
        acc->isum += v.i;
      }
      break;
    case AggKind::kMin:
      if (first || Less(v, acc->best, a.type)) acc->best = v;
      break;
    case AggKind::kMax:
      if (first || Less(acc->best, v, a.type)) acc->best = v;
      break;
    default:
      break;
  }
}

// The device's form of `a`, or why it cannot run there.
Result<bpfgen::AggregateItem> DeviceItem(const Agg& a) {
  bpfgen::AggregateItem item;
  item.arg = a.arg.get();
  switch (a.kind) {
    case AggKind::kCountStar:
      item.op = bpfgen::AggregateOp::kCountStar;
      break;
    case AggKind::kCount:
      item.op = bpfgen::AggregateOp::kCount;
      break;
    case AggKind::kSum:
      item.op = bpfgen::AggregateOp::kSum;
      break;
    case AggKind::kMin:
      item.op = bpfgen::AggregateOp::kMin;
      break;
    case AggKind::kMax:
      item.op = bpfgen::AggregateOp::kMax;
      break;
  }
  if (Status s = bpfgen::CheckDeviceAggregate(item); !s.ok()) {
    return Status::NotSupported(a.name + ": " + s.message());
  }
  return item;
}

// Merges partial `p` into `acc` (same aggregate).
void MergeInto(const Agg& a, const Acc& p, Acc* acc) {
  acc->count += p.count;
  acc->isum += p.isum;
  acc->dsum += p.dsum;
  if (!p.have) return;
  const bool first = !acc->have;
  acc->have = true;
  if ((a.kind == AggKind::kMin && (first || Less(p.best, acc->best, a.type))) ||
      (a.kind == AggKind::kMax && (first || Less(acc->best, p.best, a.type)))) {
    acc->best = p.best;
  }
}

}  // namespace

Result<AggregateResult> RunAggregate(AttachedDB::Impl& impl, ScanRequest req,
                                     std::string_view aggregates, const ScanOptions& so) {
  std::vector<Agg> aggs;
  for (const std::string& item : SplitList(aggregates)) {
    if (item.empty())
      return Status::InvalidArgument("empty aggregate in '" + std::string(aggregates) + "'");
    PD_ASSIGN_OR_RETURN(Agg a, ParseAggregate(item, *req.schema));
    aggs.push_back(std::move(a));
  }
  const bpfgen::Evaluator eval(*req.schema);
  // All or nothing: a block either returns its rows or is aggregated whole.
  DeviceAggregateRequest device;
  std::vector<bpfgen::AggregateOp> ops;
  for (const Agg& a : aggs) {
    Result<bpfgen::AggregateItem> item = DeviceItem(a);
    if (!item.ok()) {
      device.items.clear();
      device.host_reason = item.status().message();
      break;
    }
    device.items.push_back(*item);
    ops.push_back(item->op);
    device.key += (device.key.empty() ? "" : ", ") + a.name;
    if (a.arg) device.key += " = " + bpfgen::ToString(*a.arg, *req.schema);
  }
  if (!device.items.empty() && device.items.size() <= bpfgen::abi::kMaxAggregates) {
    device.sink = std::make_shared<exec::DeviceAggregation>(std::move(ops));
  } else if (device.items.size() > bpfgen::abi::kMaxAggregates) {
    device.host_reason = "more than " + std::to_string(bpfgen::abi::kMaxAggregates) + " aggregates";
  }
  PD_ASSIGN_OR_RETURN(std::unique_ptr<ScanCursorImpl> cursor,
                      OpenScan(impl, std::move(req), so, /*want_value=*/true, &device));
  AggregateResult out;
  // partials[w][i]: worker w's partial of aggs[i]; rows[w]: its rows.
  std::vector<std::vector<Acc>> partials;
  std::vector<uint64_t> rows;
  auto reset = [&] {
    partials.assign(cursor->workers(), std::vector<Acc>(aggs.size()));
    rows.assign(cursor->workers(), 0);
  };
  reset();
  auto sink = [&](size_t w, std::string_view key, std::string_view value) -> Status {
    ++rows[w];
    for (size_t i = 0; i < aggs.size(); ++i) {
      const Agg& a = aggs[i];
      if (a.kind == AggKind::kCountStar) {
        ++partials[w][i].count;
        continue;
      }
      PD_ASSIGN_OR_RETURN(Datum v, eval.EvalValue(*a.arg, key, value));
      if (!v.null) Accumulate(a, v, &partials[w][i]);
    }
    return Status::OK();
  };
  if (so.limit == kNoRowLimit) {
    PD_RETURN_IF_ERROR(cursor->ForEachRow(sink, [&] { reset(); }));
  } else {  // the first `limit` rows in key order
    for (;;) {
      PD_RETURN_IF_ERROR(cursor->Next());
      if (!cursor->Valid()) break;
      PD_RETURN_IF_ERROR(sink(0, cursor->key(), cursor->value()));
    }
  }
  std::vector<Acc> total(aggs.size());
  for (size_t w = 0; w < partials.size(); ++w) {
    out.rows += rows[w];
    for (size_t i = 0; i < aggs.size(); ++i) MergeInto(aggs[i], partials[w][i], &total[i]);
  }
  if (device.sink) {  // the blocks aggregated on the device
    out.rows += device.sink->rows();
    const std::vector<exec::DeviceAggregation::Partial> dp = device.sink->partials();
    for (size_t i = 0; i < aggs.size(); ++i) {
      Acc p;
      p.count = dp[i].count;
      p.isum = dp[i].sum;
      p.have = aggs[i].kind == AggKind::kSum ? dp[i].count > 0 : dp[i].best.has_value();
      if (dp[i].best) p.best = Datum::Int(*dp[i].best);
      MergeInto(aggs[i], p, &total[i]);
    }
  }
  for (size_t i = 0; i < aggs.size(); ++i) {
    const Agg& a = aggs[i];
    const Acc& acc = total[i];
    out.names.push_back(a.name);
    out.types.push_back(a.type);
    Datum v;
    switch (a.kind) {
      case AggKind::kCountStar:
      case AggKind::kCount:
        v = Datum::Int(static_cast<int64_t>(acc.count));
        break;
      case AggKind::kSum:
        if (!acc.have) break;
        if (a.type.id == bpfgen::TypeId::kDouble) {
          v = Datum::Double(acc.dsum);
        } else {
          const __int128 bound = a.type.id == bpfgen::TypeId::kDecimal
                                     ? __int128{bpfgen::kPow10[18]} - 1
                                     : __int128{INT64_MAX};
          if (acc.isum <= bound &&
              acc.isum >= -bound - (a.type.id == bpfgen::TypeId::kDecimal ? 0 : 1)) {
            v = Datum::Int(static_cast<int64_t>(acc.isum));
          }
        }
        break;
      default:
        if (acc.have) v = acc.best;
    }
    out.values.push_back(v);
  }
  out.info = cursor->info();
  out.stats = cursor->stats();
  return out;
}

}  // namespace pushdown::engine
