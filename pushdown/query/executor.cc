#include "pushdown/query/executor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/scalar.h"

namespace pushdown::query {

using bpfgen::Datum;
using bpfgen::Type;
using bpfgen::TypeId;
using bpfgen::sql::AggKind;
using bpfgen::sql::BoundAggregate;
using bpfgen::sql::BoundQuery;

namespace {

// Rough heap cost of a Datum held in a buffer.
uint64_t DatumBytes(const Datum& d) { return sizeof(Datum) + d.s.capacity(); }

// Appends a canonical encoding of a value for hashing: equal SQL values
// (NULL included: GROUP BY puts NULLs together) give equal bytes.
void AppendKey(const Datum& d, const Type& t, std::string* out) {
  if (d.null) {
    out->push_back('\0');
    return;
  }
  out->push_back('\1');
  if (t.IsString()) {
    std::string_view s = bpfgen::StringView(d, t);
    const uint32_t n = static_cast<uint32_t>(s.size());
    out->append(reinterpret_cast<const char*>(&n), sizeof(n));
    out->append(s);
  } else if (t.id == TypeId::kDouble) {
    double v = d.d;
    if (v == 0) v = 0;  // -0 groups with 0
    if (std::isnan(v)) v = std::nan("");
    out->append(reinterpret_cast<const char*>(&v), sizeof(v));
  } else {
    out->append(reinterpret_cast<const char*>(&d.i), sizeof(d.i));
  }
}

struct AggState {
  uint64_t count = 0;
  __int128 isum = 0;
  double dsum = 0;
  bool have = false;
  Datum best;
  std::unique_ptr<std::unordered_set<std::string>> seen;  // DISTINCT
};

struct Group {
  std::vector<Datum> keys;
  std::vector<AggState> aggs;
};

constexpr __int128 kMaxDecimal18 = 999999999999999999LL;

Status Overflow(const BoundAggregate& a) {
  return Status::NotSupported(a.text + " overflows " + a.type.ToString() +
                              " (sums are exact in 128 bits; the result must fit the type)");
}

Result<Datum> Finish(const BoundAggregate& a, const AggState& s) {
  switch (a.kind) {
    case AggKind::kCountStar:
    case AggKind::kCount:
      return Datum::Int(static_cast<int64_t>(s.count));
    case AggKind::kMin:
    case AggKind::kMax:
      return s.have ? s.best : Datum::Null();
    case AggKind::kSum:
      if (!s.have) return Datum::Null();
      if (a.type.id == TypeId::kDouble) return Datum::Double(s.dsum);
      if (a.type.id == TypeId::kDecimal) {
        if (s.isum > kMaxDecimal18 || s.isum < -kMaxDecimal18) return Overflow(a);
      } else if (s.isum > INT64_MAX || s.isum < INT64_MIN) {
        return Overflow(a);
      }
      return Datum::Int(static_cast<int64_t>(s.isum));
    case AggKind::kAvg: {
      if (!s.have) return Datum::Null();
      const Type& at = a.arg->type;
      if (at.id == TypeId::kDouble) return Datum::Double(s.dsum / static_cast<double>(s.count));
      if (a.type.id == TypeId::kDouble) {
        return Datum::Double(static_cast<double>(static_cast<long double>(s.isum) /
                                                 static_cast<long double>(s.count)));
      }
      // DECIMAL: sum * 10^(result scale - arg scale) / count, rounded half
      // away from zero.
      __int128 num = s.isum;
      for (int k = at.scale; k < a.type.scale; ++k) {
        if (__builtin_mul_overflow(num, __int128{10}, &num)) return Overflow(a);
      }
      const __int128 n = static_cast<__int128>(s.count);
      __int128 q = num / n;
      const __int128 r = num % n;
      const __int128 abs_r = r < 0 ? -r : r;
      if (2 * abs_r >= n) q += num < 0 ? -1 : 1;
      if (q > kMaxDecimal18 || q < -kMaxDecimal18) return Overflow(a);
      return Datum::Int(static_cast<int64_t>(q));
    }
  }
  return Status::Internal("unknown aggregate kind");
}

// A row buffered for ORDER BY: its output values, its sort keys and its
// position in input order (the tie-breaker that makes the sort stable).
struct SortRow {
  std::vector<Datum> out;
  std::vector<Datum> keys;
  uint64_t seq = 0;
};

class Execution final : public QueryExecution {
 public:
  Execution(BoundQuery q, RowSource* source, const QueryLimits& limits, PartialSource* partials)
      : q_(std::move(q)),
        source_(source),
        partials_(partials),
        limits_(limits),
        input_eval_(q_.input_schema),
        group_eval_(q_.aggregate ? q_.group_schema : bpfgen::Schema()),
        group_layout_(q_.aggregate ? bpfgen::RowLayout::Compute(q_.group_schema)
                                   : bpfgen::RowLayout()) {}

  Status Next() override {
    if (!status_.ok()) return status_;
    status_ = Step();
    if (!status_.ok()) valid_ = false;
    return status_;
  }
  bool Valid() const override { return valid_; }
  const std::vector<Datum>& row() const override { return row_; }
  const std::vector<std::string>& column_names() const override { return q_.names; }
  const std::vector<Type>& column_types() const override { return q_.types; }
  uint64_t rows_read() const override { return rows_read_; }

 private:
  bool Streaming() const { return !q_.aggregate && q_.order_by.empty(); }
  uint64_t Wanted() const {  // OFFSET + LIMIT, saturated
    if (!q_.limit) return UINT64_MAX;
    return q_.offset > UINT64_MAX - *q_.limit ? UINT64_MAX : q_.offset + *q_.limit;
  }

  Status Step() {
    if (Streaming()) return StepStreaming();
    if (!materialized_) {
      materialized_ = true;
      PD_RETURN_IF_ERROR(q_.aggregate ? Aggregate() : CollectRows());
      SortAndCut();
    }
    if (next_ >= rows_.size()) {
      valid_ = false;
      rows_.clear();
      return Status::OK();
    }
    row_ = std::move(rows_[next_++].out);
    valid_ = true;
    return Status::OK();
  }

  Status StepStreaming() {
    while (true) {
      if (emitted_ >= Wanted()) {
        valid_ = false;
        return Status::OK();
      }
      PD_RETURN_IF_ERROR(source_->Next());
      if (!source_->Valid()) {
        valid_ = false;
        return Status::OK();
      }
      ++rows_read_;
      if (emitted_++ < q_.offset) continue;
      PD_RETURN_IF_ERROR(EvalInput(q_.outputs, &row_));
      valid_ = true;
      return Status::OK();
    }
  }

  Status EvalInput(const std::vector<bpfgen::ExprPtr>& exprs, std::vector<Datum>* out) {
    out->resize(exprs.size());
    for (size_t i = 0; i < exprs.size(); ++i) {
      PD_ASSIGN_OR_RETURN((*out)[i],
                          input_eval_.EvalValue(*exprs[i], source_->key(), source_->value()));
    }
    return Status::OK();
  }

  Status Charge(uint64_t bytes, const char* what) {
    memory_ += bytes;
    if (memory_ > limits_.max_memory_bytes) {
      return Status::ResourceExhausted(std::string(what) + " needs more than " +
                                       std::to_string(limits_.max_memory_bytes) +
                                       " bytes of memory (the query memory limit)");
    }
    return Status::OK();
  }

  // ORDER BY without aggregates: every row (with a LIMIT, the best
  // OFFSET + LIMIT so far).
  Status CollectRows() {
    const uint64_t wanted = Wanted();
    if (wanted == 0) return Status::OK();
    while (true) {
      PD_RETURN_IF_ERROR(source_->Next());
      if (!source_->Valid()) break;
      ++rows_read_;
      SortRow r;
      r.seq = rows_read_;
      PD_RETURN_IF_ERROR(EvalInput(q_.outputs, &r.out));
      r.keys.resize(q_.order_by.size());
      for (size_t k = 0; k < q_.order_by.size(); ++k) {
        PD_ASSIGN_OR_RETURN(r.keys[k], input_eval_.EvalValue(*q_.order_by[k].expr, source_->key(),
                                                             source_->value()));
      }
      PD_RETURN_IF_ERROR(Charge(RowBytes(r), "ORDER BY"));
      rows_.push_back(std::move(r));
      // With a LIMIT, keep only the best OFFSET + LIMIT rows once twice as
      // many (or half the memory budget) are held.
      if (wanted != UINT64_MAX && rows_.size() > wanted &&
          (rows_.size() >= 2 * wanted + 64 || memory_ > limits_.max_memory_bytes / 2)) {
        SortRows();
        for (size_t i = wanted; i < rows_.size(); ++i) memory_ -= RowBytes(rows_[i]);
        rows_.resize(wanted);
      }
    }
    return Status::OK();
  }

  static uint64_t RowBytes(const SortRow& r) {
    uint64_t n = sizeof(SortRow);
    for (const Datum& d : r.out) n += DatumBytes(d);
    for (const Datum& d : r.keys) n += DatumBytes(d);
    return n;
  }

  // The group of `key_values` (GROUP BY), added in order of first
  // appearance within the group and memory limits.
  Result<Group*> FindOrAddGroup(const std::vector<Datum>& key_values,
                                std::unordered_map<std::string, size_t>* index,
                                std::vector<Group>* groups) {
    if (q_.group_by.empty()) return &groups->front();
    std::string& key = key_scratch_;
    key.clear();
    for (size_t i = 0; i < q_.group_by.size(); ++i) {
      AppendKey(key_values[i], q_.group_by[i]->type, &key);
    }
    auto it = index->find(key);
    if (it == index->end()) {
      if (groups->size() >= limits_.max_groups) {
        return Status::ResourceExhausted("GROUP BY produced more than " +
                                         std::to_string(limits_.max_groups) +
                                         " groups (the limit)");
      }
      uint64_t bytes =
          key.size() * 2 + 64 + sizeof(Group) + q_.aggregates.size() * sizeof(AggState);
      for (const Datum& d : key_values) bytes += DatumBytes(d);
      PD_RETURN_IF_ERROR(Charge(bytes, "GROUP BY"));
      it = index->emplace(key, groups->size()).first;
      groups->push_back(NewGroup(key_values));
    }
    return &(*groups)[it->second];
  }

  Status Aggregate() {
    std::unordered_map<std::string, size_t> index;
    std::vector<Group> groups;
    std::vector<Datum> key_values(q_.group_by.size());
    if (q_.group_by.empty()) {
      // No GROUP BY: one group, even over no rows.
      groups.push_back(NewGroup({}));
    }
    while (true) {
      PD_RETURN_IF_ERROR(source_->Next());
      if (!source_->Valid()) break;
      ++rows_read_;
      for (size_t i = 0; i < q_.group_by.size(); ++i) {
        PD_ASSIGN_OR_RETURN(key_values[i], input_eval_.EvalValue(*q_.group_by[i], source_->key(),
                                                                 source_->value()));
      }
      PD_ASSIGN_OR_RETURN(Group * g, FindOrAddGroup(key_values, &index, &groups));
      for (size_t a = 0; a < q_.aggregates.size(); ++a) {
        PD_RETURN_IF_ERROR(Accumulate(q_.aggregates[a], &g->aggs[a]));
      }
    }
    if (partials_ != nullptr) {
      PD_ASSIGN_OR_RETURN(std::vector<GroupPartial> parts, partials_->Partials());
      for (const GroupPartial& p : parts) {
        if (p.keys.size() != q_.group_by.size() || p.aggregates.size() != q_.aggregates.size()) {
          return Status::Internal(
              "query: a partial group of " + std::to_string(p.keys.size()) + " keys and " +
              std::to_string(p.aggregates.size()) + " aggregates for a query of " +
              std::to_string(q_.group_by.size()) + " and " + std::to_string(q_.aggregates.size()));
        }
        PD_ASSIGN_OR_RETURN(Group * g, FindOrAddGroup(p.keys, &index, &groups));
        for (size_t a = 0; a < q_.aggregates.size(); ++a) {
          MergePartial(q_.aggregates[a], p.aggregates[a], &g->aggs[a]);
        }
      }
    }
    index.clear();
    // One row per group, in order of first appearance.
    std::vector<Datum> grow(q_.group_schema.columns.size());
    std::string encoded;
    uint64_t seq = 0;
    for (Group& g : groups) {
      for (size_t i = 0; i < g.keys.size(); ++i) grow[i] = std::move(g.keys[i]);
      for (size_t a = 0; a < q_.aggregates.size(); ++a) {
        PD_ASSIGN_OR_RETURN(grow[g.keys.size() + a], Finish(q_.aggregates[a], g.aggs[a]));
      }
      if (grow.size() > g.keys.size() + q_.aggregates.size()) grow.back() = Datum::Int(0);
      g.aggs.clear();
      PD_RETURN_IF_ERROR(bpfgen::EncodeRow(q_.group_schema, group_layout_, grow, &encoded));
      if (q_.having) {
        PD_ASSIGN_OR_RETURN(bpfgen::Tri t, group_eval_.Eval(*q_.having, {}, encoded));
        if (t != bpfgen::Tri::kTrue) continue;
      }
      SortRow r;
      r.seq = seq++;
      r.out.resize(q_.outputs.size());
      for (size_t i = 0; i < q_.outputs.size(); ++i) {
        PD_ASSIGN_OR_RETURN(r.out[i], group_eval_.EvalValue(*q_.outputs[i], {}, encoded));
      }
      r.keys.resize(q_.order_by.size());
      for (size_t k = 0; k < q_.order_by.size(); ++k) {
        PD_ASSIGN_OR_RETURN(r.keys[k], group_eval_.EvalValue(*q_.order_by[k].expr, {}, encoded));
      }
      PD_RETURN_IF_ERROR(Charge(RowBytes(r), "ORDER BY"));
      rows_.push_back(std::move(r));
    }
    return Status::OK();
  }

  Group NewGroup(const std::vector<Datum>& keys) {
    Group g;
    g.keys = keys;
    g.aggs.resize(q_.aggregates.size());
    for (size_t a = 0; a < q_.aggregates.size(); ++a) {
      if (q_.aggregates[a].distinct) {
        g.aggs[a].seen = std::make_unique<std::unordered_set<std::string>>();
      }
    }
    return g;
  }

  Status Accumulate(const BoundAggregate& a, AggState* s) {
    if (a.kind == AggKind::kCountStar) {
      ++s->count;
      return Status::OK();
    }
    PD_ASSIGN_OR_RETURN(Datum v, input_eval_.EvalValue(*a.arg, source_->key(), source_->value()));
    if (v.null) return Status::OK();
    if (s->seen) {
      std::string k;
      AppendKey(v, a.arg->type, &k);
      const size_t size = k.size();
      if (!s->seen->insert(std::move(k)).second) return Status::OK();
      PD_RETURN_IF_ERROR(Charge(size + 64, "count(DISTINCT ...)"));
    }
    ++s->count;
    const Type& t = a.arg->type;
    switch (a.kind) {
      case AggKind::kCount:
        break;
      case AggKind::kSum:
      case AggKind::kAvg:
        if (t.id == TypeId::kDouble) {
          s->dsum += v.d;
        } else {
          s->isum += v.i;
        }
        break;
      case AggKind::kMin:
      case AggKind::kMax: {
        const bool better =
            !s->have || (a.kind == AggKind::kMin ? CompareValues(v, s->best, t) < 0
                                                 : CompareValues(v, s->best, t) > 0);
        if (better) {
          const uint64_t before = s->best.s.capacity();
          s->best = std::move(v);
          if (s->best.s.capacity() > before) {
            PD_RETURN_IF_ERROR(Charge(s->best.s.capacity() - before, "min/max"));
          }
        }
        break;
      }
      default:
        break;
    }
    s->have = true;
    return Status::OK();
  }

  // Folds a partial (CheckPartialsAllowed: no DISTINCT, no DOUBLE sums) in
  // as Accumulate would have folded its rows.
  static void MergePartial(const BoundAggregate& a, const AggregatePartial& p, AggState* s) {
    s->count += p.count;
    switch (a.kind) {
      case AggKind::kSum:
      case AggKind::kAvg:
        s->isum += p.sum;
        if (p.count > 0) s->have = true;
        break;
      case AggKind::kMin:
      case AggKind::kMax:
        if (p.best && !p.best->null) {
          const int c = s->have ? CompareValues(*p.best, s->best, a.arg->type) : 0;
          if (!s->have || (a.kind == AggKind::kMin ? c < 0 : c > 0)) s->best = *p.best;
          s->have = true;
        }
        break;
      default:
        if (p.count > 0) s->have = true;
        break;
    }
  }

  bool Before(const SortRow& a, const SortRow& b) const {
    for (size_t k = 0; k < q_.order_by.size(); ++k) {
      const auto& key = q_.order_by[k];
      const Datum& x = a.keys[k];
      const Datum& y = b.keys[k];
      if (x.null || y.null) {
        if (x.null && y.null) continue;
        return x.null == key.nulls_first;
      }
      int c = CompareValues(x, y, key.expr->type);
      if (c != 0) return key.desc ? c > 0 : c < 0;
    }
    return a.seq < b.seq;
  }

  void SortRows() {
    std::sort(rows_.begin(), rows_.end(),
              [this](const SortRow& a, const SortRow& b) { return Before(a, b); });
  }

  void SortAndCut() {
    if (!q_.order_by.empty()) SortRows();
    const uint64_t begin = std::min<uint64_t>(q_.offset, rows_.size());
    const uint64_t end = std::min<uint64_t>(Wanted(), rows_.size());
    next_ = begin;
    if (end < rows_.size()) rows_.resize(end);
  }

  BoundQuery q_;
  RowSource* source_;
  PartialSource* partials_;  // or null
  QueryLimits limits_;
  bpfgen::Evaluator input_eval_;
  bpfgen::Evaluator group_eval_;
  bpfgen::RowLayout group_layout_;
  Status status_;
  bool valid_ = false;
  bool materialized_ = false;
  std::vector<Datum> row_;
  std::vector<SortRow> rows_;
  size_t next_ = 0;
  uint64_t emitted_ = 0;
  uint64_t rows_read_ = 0;
  uint64_t memory_ = 0;
  std::string key_scratch_;  // FindOrAddGroup's encoded key
};

}  // namespace

int CompareValues(const Datum& a, const Datum& b, const Type& t) {
  if (t.IsString()) {
    return bpfgen::CompareBytes(bpfgen::StringView(a, t), bpfgen::StringView(b, t));
  }
  if (t.id == TypeId::kDouble) {
    const bool na = std::isnan(a.d), nb = std::isnan(b.d);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
    return a.d < b.d ? -1 : (a.d > b.d ? 1 : 0);
  }
  return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
}

uint64_t ScanRowLimit(const BoundQuery& q) {
  if (q.aggregate || !q.order_by.empty() || !q.limit) return kNoScanLimit;
  return q.offset > UINT64_MAX - *q.limit ? kNoScanLimit : q.offset + *q.limit;
}

Status CheckPartialsAllowed(const BoundQuery& q) {
  if (!q.aggregate) return Status::NotSupported("not an aggregate query");
  for (const BoundAggregate& a : q.aggregates) {
    if (a.distinct) return Status::NotSupported(a.text + ": DISTINCT needs every value");
    if ((a.kind == AggKind::kSum || a.kind == AggKind::kAvg) && a.arg != nullptr &&
        a.arg->type.id == TypeId::kDouble) {
      return Status::NotSupported(a.text + ": a DOUBLE sum depends on the order of its additions");
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<QueryExecution>> QueryExecution::Open(BoundQuery query, RowSource* source,
                                                             const QueryLimits& limits,
                                                             PartialSource* partials) {
  if (source == nullptr) return Status::InvalidArgument("query: null row source");
  if (partials != nullptr) {
    Status s = CheckPartialsAllowed(query);
    if (!s.ok()) return Status::InvalidArgument("query: partials for this query: " + s.message());
  }
  return std::unique_ptr<QueryExecution>(new Execution(std::move(query), source, limits, partials));
}

}  // namespace pushdown::query
