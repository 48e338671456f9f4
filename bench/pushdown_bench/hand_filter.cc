#include "bench/pushdown_bench/hand_filter.h"

#include <xxhash.h>

#include <algorithm>
#include <memory>
#include <regex>

namespace pushdown::bench {

namespace {

std::string Squeeze(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

Result<HandFilter> HandFilter::Parse(std::string_view predicate, const bpfgen::RowLayout* layout) {
  HandFilter f;
  const std::string p = Squeeze(predicate);
  std::smatch m;
  if (p == "TRUE" || p == "true") {
    f.kind_ = Kind::kTrue;
    return f;
  }
  if (std::regex_match(p, m, std::regex(R"(u64be\(key, ?0\) ?% ?(\d+) ?< ?(\d+))"))) {
    f.kind_ = Kind::kRawMod;
    f.n_ = std::stoull(m[1]);
    f.k_ = std::stoull(m[2]);
    if (f.n_ == 0) return Status::InvalidArgument("modulus 0");
    return f;
  }
  // An INT64 NOT NULL column in [A, B) or = A: l_orderkey (lineitem, 16
  // columns) or ts / ingest_ts (the events table, 5 columns).
  const bool range = std::regex_match(p, m, std::regex(R"((\w+) >= (-?\d+) AND \1 < (-?\d+))"));
  std::smatch eq;
  const bool point = !range && std::regex_match(p, eq, std::regex(R"((\w+) = (-?\d+))"));
  if (range || point) {
    const std::smatch& g = range ? m : eq;
    const std::string col = g[1];
    int index = -1;
    if (layout != nullptr && layout->columns.size() == 16 && col == "l_orderkey") index = 0;
    if (layout != nullptr && layout->columns.size() == 5 && col == "ts") index = 0;
    if (layout != nullptr && layout->columns.size() == 5 && col == "ingest_ts") index = 1;
    if (index < 0) {
      return Status::InvalidArgument("no hand-written baseline for '" + p +
                                     "' (ranges: l_orderkey of lineitem, ts or ingest_ts of "
                                     "events)");
    }
    f.kind_ = Kind::kInt64Range;
    f.range_off_ = layout->columns[index].offset;
    f.min_size_ = layout->min_value_size;
    f.range_lo_ = std::stoll(g[2]);
    f.range_hi_ = range ? std::stoll(g[3]) : f.range_lo_ + 1;
    return f;
  }
  const bool q6 = p == Squeeze(kQ6Predicate);
  const bool q1 = p == Squeeze(kQ1Predicate);
  const bool partkey = std::regex_match(p, m, std::regex(R"(l_partkey ?<= ?(\d+))"));
  const bool orderkey = !partkey && std::regex_match(p, m, std::regex(R"(l_orderkey ?< ?(\d+))"));
  if (!q6 && !q1 && !partkey && !orderkey) {
    return Status::InvalidArgument(
        "no hand-written baseline for predicate '" + p +
        "' (supported: TRUE; u64be(key, 0) % N < K; l_partkey <= P; l_orderkey < K; TPC-H Q6, Q1)");
  }
  if (layout == nullptr || layout->columns.size() < 16) {
    return Status::InvalidArgument("predicate '" + p + "' needs the lineitem table (--table)");
  }
  // Column indexes of bpfgen::kLineitemDdl.
  f.orderkey_off_ = layout->columns[0].offset;
  f.partkey_off_ = layout->columns[2].offset;
  f.quantity_off_ = layout->columns[4].offset;
  f.extprice_off_ = layout->columns[5].offset;
  f.discount_off_ = layout->columns[6].offset;
  f.shipdate_off_ = layout->columns[10].offset;
  f.tax_off_ = layout->columns[7].offset;
  f.returnflag_off_ = layout->columns[8].offset;
  f.linestatus_off_ = layout->columns[9].offset;
  f.min_size_ = layout->min_value_size;
  if (q6) {
    f.kind_ = Kind::kQ6;
  } else if (q1) {
    f.kind_ = Kind::kQ1;
  } else if (partkey) {
    f.kind_ = Kind::kPartkeyLe;
    f.bound_ = std::stoll(m[1]);
  } else {
    f.kind_ = Kind::kOrderkeyLt;
    f.bound_ = std::stoll(m[1]);
  }
  return f;
}

void Q1Result::Merge(const Q1Result& other) {
  for (const Q1Group& o : other.groups) {
    Q1Group* g = Find(o.key);
    g->count += o.count;
    g->sum_qty += o.sum_qty;
    g->sum_price += o.sum_price;
    g->sum_disc_price += o.sum_disc_price;
    g->sum_charge += o.sum_charge;
    g->sum_disc += o.sum_disc;
  }
  std::sort(groups.begin(), groups.end(),
            [](const Q1Group& a, const Q1Group& b) { return a.key < b.key; });
}

namespace {

// sum / count at scale 2 + 6 (avg of DECIMAL(15,2) is DECIMAL(18,8)),
// rounded half away from zero.
int64_t Avg8(int64_t sum, int64_t count) {
  const __int128 num = static_cast<__int128>(sum) * 1000000;
  __int128 q = num / count;
  const __int128 r = num % count;
  if (2 * (r < 0 ? -r : r) >= count) q += num < 0 ? -1 : 1;
  return static_cast<int64_t>(q);
}

}  // namespace

std::string Q1Mismatch(const std::vector<std::vector<bpfgen::Datum>>& rows, const Q1Result& want) {
  if (rows.size() != want.groups.size()) {
    return std::to_string(rows.size()) + " groups vs " + std::to_string(want.groups.size());
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::vector<bpfgen::Datum>& r = rows[i];
    const Q1Group& g = want.groups[i];
    const std::string name = "group " + std::to_string(i);
    if (r.size() != 10) return name + ": " + std::to_string(r.size()) + " columns";
    for (const bpfgen::Datum& d : r) {
      if (d.null) return name + ": a NULL";
    }
    if (r[0].s != std::string(1, static_cast<char>(g.key >> 8)) ||
        r[1].s != std::string(1, static_cast<char>(g.key & 0xff))) {
      return name + ": key " + r[0].s + r[1].s;
    }
    const int64_t expect[] = {g.sum_qty,
                              g.sum_price,
                              g.sum_disc_price,
                              g.sum_charge,
                              Avg8(g.sum_qty, g.count),
                              Avg8(g.sum_price, g.count),
                              Avg8(g.sum_disc, g.count),
                              g.count};
    for (size_t c = 0; c < 8; ++c) {
      if (r[c + 2].i != expect[c]) {
        return name + " column " + std::to_string(c + 2) + ": " + std::to_string(r[c + 2].i) +
               " vs " + std::to_string(expect[c]);
      }
    }
  }
  return "";
}

uint64_t KeyHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

uint64_t RowHash(std::string_view key, std::string_view value) {
  return KeyHash(key) * 0x9e3779b97f4a7c15ULL + XXH3_64bits(value.data(), value.size());
}

Status Accumulate(rocksdb::Iterator* it, const HandFilter& filter, bool hash_values,
                  BaselineResult* r) {
  const bool q6 = filter.kind() == HandFilter::Kind::kQ6;
  const bool q1 = filter.kind() == HandFilter::Kind::kQ1;
  for (; it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    const rocksdb::Slice v = it->value();
    const std::string_view key(k.data(), k.size());
    const std::string_view value(v.data(), v.size());
    ++r->rows;
    r->bytes_to_host += 16 + key.size() + 8 + value.size();
    if (!filter.Match(key, value)) continue;
    ++r->matched;
    r->matched_bytes += key.size() + value.size();
    r->key_sum += KeyHash(key);
    if (hash_values) r->kv_sum += RowHash(key, value);
    if (q6) {
      ++r->count;
      r->revenue += filter.Q6Revenue(value);
    }
    if (q1) filter.AddQ1(value, &r->q1);
  }
  std::sort(r->q1.groups.begin(), r->q1.groups.end(),
            [](const Q1Group& a, const Q1Group& b) { return a.key < b.key; });
  if (!it->status().ok()) return Status::IOError("baseline iterator: " + it->status().ToString());
  return Status::OK();
}

Result<BaselineResult> RunBaseline(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                   const rocksdb::Snapshot* snapshot, const HandFilter& filter,
                                   bool hash_values) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  BaselineResult r;
  it->SeekToFirst();
  PD_RETURN_IF_ERROR(Accumulate(it.get(), filter, hash_values, &r));
  return r;
}

}  // namespace pushdown::bench
