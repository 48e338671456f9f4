// Aggregate(): count(*), count(e), sum(e), min(e), max(e) over the rows a scan
// returns, computed on the host with the reference Evaluator. DECIMAL and
// integer sums are exact (128-bit accumulator); a sum outside the result
// type's range is NULL (the language's overflow rule).
#include <cctype>
#include <cmath>

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
  PD_ASSIGN_OR_RETURN(std::unique_ptr<ScanCursorImpl> cursor,
                      OpenScan(impl, std::move(req), so, /*want_value=*/true));
  AggregateResult out;
  for (;;) {
    PD_RETURN_IF_ERROR(cursor->Next());
    if (!cursor->Valid()) break;
    ++out.rows;
    for (Agg& a : aggs) {
      if (a.kind == AggKind::kCountStar) {
        ++a.count;
        continue;
      }
      PD_ASSIGN_OR_RETURN(Datum v, eval.EvalValue(*a.arg, cursor->key(), cursor->value()));
      if (v.null) continue;
      ++a.count;
      a.have = true;
      switch (a.kind) {
        case AggKind::kSum:
          if (a.type.id == bpfgen::TypeId::kDouble) {
            a.dsum += v.d;
          } else {
            a.isum += v.i;
          }
          break;
        case AggKind::kMin:
          if (a.count == 1 || Less(v, a.best, a.type)) a.best = v;
          break;
        case AggKind::kMax:
          if (a.count == 1 || Less(a.best, v, a.type)) a.best = v;
          break;
        default:
          break;
      }
    }
  }
  for (Agg& a : aggs) {
    out.names.push_back(a.name);
    out.types.push_back(a.type);
    Datum v;
    switch (a.kind) {
      case AggKind::kCountStar:
      case AggKind::kCount:
        v = Datum::Int(static_cast<int64_t>(a.count));
        break;
      case AggKind::kSum:
        if (!a.have) break;
        if (a.type.id == bpfgen::TypeId::kDouble) {
          v = Datum::Double(a.dsum);
        } else {
          const __int128 bound = a.type.id == bpfgen::TypeId::kDecimal
                                     ? __int128{bpfgen::kPow10[18]} - 1
                                     : __int128{INT64_MAX};
          if (a.isum <= bound &&
              a.isum >= -bound - (a.type.id == bpfgen::TypeId::kDecimal ? 0 : 1)) {
            v = Datum::Int(static_cast<int64_t>(a.isum));
          }
        }
        break;
      default:
        if (a.have) v = a.best;
    }
    out.values.push_back(v);
  }
  out.info = cursor->info();
  out.stats = cursor->stats();
  return out;
}

}  // namespace pushdown::engine
