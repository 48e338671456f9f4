#include "bench/pushdown_bench/hand_filter.h"

#include <xxhash.h>

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
  const bool partkey = std::regex_match(p, m, std::regex(R"(l_partkey ?<= ?(\d+))"));
  const bool orderkey = !partkey && std::regex_match(p, m, std::regex(R"(l_orderkey ?< ?(\d+))"));
  if (!q6 && !partkey && !orderkey) {
    return Status::InvalidArgument(
        "no hand-written baseline for predicate '" + p +
        "' (supported: TRUE; u64be(key, 0) % N < K; l_partkey <= P; l_orderkey < K; TPC-H Q6)");
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
  f.min_size_ = layout->min_value_size;
  if (q6) {
    f.kind_ = Kind::kQ6;
  } else if (partkey) {
    f.kind_ = Kind::kPartkeyLe;
    f.bound_ = std::stoll(m[1]);
  } else {
    f.kind_ = Kind::kOrderkeyLt;
    f.bound_ = std::stoll(m[1]);
  }
  return f;
}

uint64_t KeyHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

uint64_t RowHash(std::string_view key, std::string_view value) {
  return KeyHash(key) * 0x9e3779b97f4a7c15ULL + XXH3_64bits(value.data(), value.size());
}

Status Accumulate(rocksdb::Iterator* it, const HandFilter& filter, bool hash_values,
                  BaselineResult* r) {
  const bool q6 = filter.kind() == HandFilter::Kind::kQ6;
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
  }
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
