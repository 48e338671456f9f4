// The baseline a user writes today: a RocksDB iterator plus a HAND-WRITTEN C++
// filter that decodes the row format (bpfgen/schema/ROW_FORMAT.md) or the raw
// db_bench key directly. Deliberately not the reference evaluator.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/row_layout.h"
#include "rocksdb/db.h"
#include "util/status.h"

namespace pushdown::bench {

// The TPC-H Q6 predicate and aggregates, as pushed down.
inline constexpr const char* kQ6Predicate =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
    "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24";
inline constexpr const char* kQ6Aggregates = "count(*), sum(l_extendedprice * l_discount)";
// Q6 as SQL (tpch_q6_sql): the same predicate and aggregates through Query().
inline constexpr const char* kQ6Sql =
    "SELECT count(*), sum(l_extendedprice * l_discount) AS revenue FROM lineitem WHERE "
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
    "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24";

// TPC-H Q1 (DELTA = 90: 1998-12-01 - 90 days), its predicate and the query
// (tpch_q1). The columns of kQ1Sql are those Q1Rows checks, in that order.
inline constexpr const char* kQ1Predicate = "l_shipdate <= DATE '1998-09-02'";
inline constexpr const char* kQ1Sql =
    "SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, "
    "sum(l_extendedprice) AS sum_base_price, "
    "sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, "
    "sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge, "
    "avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, "
    "avg(l_discount) AS avg_disc, count(*) AS count_order FROM lineitem "
    "WHERE l_shipdate <= DATE '1998-09-02' "
    "GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus";

// Q1's groups as the hand-written baseline aggregates them: by
// (l_returnflag, l_linestatus), exact integer sums at the columns' scale
// (price and quantity 2, disc_price 4, charge 6). Groups sorted by key.
struct Q1Group {
  uint16_t key = 0;  // returnflag << 8 | linestatus
  int64_t count = 0;
  int64_t sum_qty = 0, sum_price = 0, sum_disc_price = 0, sum_charge = 0, sum_disc = 0;
  bool operator==(const Q1Group&) const = default;
};
struct Q1Result {
  std::vector<Q1Group> groups;
  Q1Group* Find(uint16_t key) {
    for (Q1Group& g : groups) {
      if (g.key == key) return &g;
    }
    groups.push_back({});
    groups.back().key = key;
    return &groups.back();
  }
  void Merge(const Q1Result& other);  // adds other's groups (kept sorted)
  bool operator==(const Q1Result&) const = default;
};

// Predicates with a hand-written twin:
//   TRUE                          every row (raw or table)
//   u64be(key, 0) % N < K         raw db_bench data
//   l_partkey <= P, l_orderkey < K, the Q6 predicate   lineitem
//   C >= A AND C < B, C = A   (an INT64 NOT NULL column: l_orderkey of
//                              lineitem; ts, ingest_ts of events_data.h's
//                              events table)
class HandFilter {
 public:
  enum class Kind { kTrue, kRawMod, kPartkeyLe, kOrderkeyLt, kQ6, kInt64Range, kQ1 };

  // InvalidArgument if `predicate` has no hand-written twin. `layout` is the
  // lineitem row layout (ignored for raw predicates).
  static Result<HandFilter> Parse(std::string_view predicate, const bpfgen::RowLayout* layout);

  Kind kind() const { return kind_; }

  bool Match(std::string_view key, std::string_view value) const {
    switch (kind_) {
      case Kind::kTrue:
        return true;
      case Kind::kRawMod:
        return key.size() >= 8 && BigEndian64(key.data()) % n_ < k_;
      case Kind::kPartkeyLe:
        return value.size() >= min_size_ && Load<int64_t>(value, partkey_off_) <= bound_;
      case Kind::kOrderkeyLt:
        return value.size() >= min_size_ && Load<int64_t>(value, orderkey_off_) < bound_;
      case Kind::kQ6:
        return MatchQ6(value);
      case Kind::kQ1:
        return value.size() >= min_size_ && Load<int32_t>(value, shipdate_off_) <= kDay19980902;
      case Kind::kInt64Range: {
        if (value.size() < min_size_) return false;
        const int64_t x = Load<int64_t>(value, range_off_);
        return x >= range_lo_ && x < range_hi_;
      }
    }
    return false;
  }

  // Q6: shipdate in [1994-01-01, 1995-01-01), discount in [5, 7] cents,
  // quantity < 24.00 (all NOT NULL columns: no null bits to test).
  bool MatchQ6(std::string_view value) const {
    if (value.size() < min_size_) return false;
    const int32_t ship = Load<int32_t>(value, shipdate_off_);
    if (ship < kDay19940101 || ship >= kDay19950101) return false;
    const int64_t disc = Load<int64_t>(value, discount_off_);
    if (disc < 5 || disc > 7) return false;
    return Load<int64_t>(value, quantity_off_) < 2400;
  }
  // l_extendedprice * l_discount, scale 4.
  int64_t Q6Revenue(std::string_view value) const {
    return Load<int64_t>(value, extprice_off_) * Load<int64_t>(value, discount_off_);
  }

  // Folds a Q1 row (REQUIRES: Match) into its group.
  void AddQ1(std::string_view value, Q1Result* r) const {
    const auto flag = static_cast<uint8_t>(value[returnflag_off_]);
    const auto status = static_cast<uint8_t>(value[linestatus_off_]);
    Q1Group* g = r->Find(static_cast<uint16_t>(flag << 8 | status));
    const int64_t qty = Load<int64_t>(value, quantity_off_);
    const int64_t price = Load<int64_t>(value, extprice_off_);
    const int64_t disc = Load<int64_t>(value, discount_off_);
    const int64_t tax = Load<int64_t>(value, tax_off_);
    const int64_t disc_price = price * (100 - disc);
    ++g->count;
    g->sum_qty += qty;
    g->sum_price += price;
    g->sum_disc_price += disc_price;
    g->sum_charge += disc_price * (100 + tax);
    g->sum_disc += disc;
  }

  static uint64_t BigEndian64(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return __builtin_bswap64(v);
  }

 private:
  static constexpr int32_t kDay19940101 = 8766;
  static constexpr int32_t kDay19950101 = 9131;
  static constexpr int32_t kDay19980902 = 10471;
  template <typename T>
  static T Load(std::string_view v, uint32_t off) {
    T x;
    std::memcpy(&x, v.data() + off, sizeof(T));
    return x;
  }

  Kind kind_ = Kind::kTrue;
  uint64_t n_ = 1, k_ = 1;
  int64_t bound_ = 0;
  int64_t range_lo_ = 0, range_hi_ = 0;  // kInt64Range: [lo, hi)
  uint32_t range_off_ = 0;
  size_t min_size_ = 0;
  uint32_t orderkey_off_ = 0, partkey_off_ = 0, quantity_off_ = 0, extprice_off_ = 0,
           discount_off_ = 0, shipdate_off_ = 0, tax_off_ = 0, returnflag_off_ = 0,
           linestatus_off_ = 0;
};

// What one baseline pass saw.
struct BaselineResult {
  uint64_t rows = 0;           // entries iterated
  uint64_t matched = 0;        // rows the filter kept
  uint64_t matched_bytes = 0;  // key + value bytes of the matched rows
  uint64_t bytes_to_host = 0;  // every entry crosses: 16 + internal key + value (ScanStats rule)
  uint64_t key_sum = 0;        // KeyHash() sum over matched keys
  uint64_t kv_sum = 0;         // RowHash() sum over matched rows
  int64_t count = 0;           // Q6 count(*)
  int64_t revenue = 0;         // Q6 sum(l_extendedprice * l_discount), scale 4
  Q1Result q1;                 // the Q1 groups when the filter is Q1
};

// "" when `rows` (kQ1Sql's output, one row per group) are `want`'s groups in
// key order, with avg = sum / count at scale 8 rounded half away from zero;
// else what differs.
std::string Q1Mismatch(const std::vector<std::vector<bpfgen::Datum>>& rows, const Q1Result& want);

uint64_t KeyHash(std::string_view key);
uint64_t RowHash(std::string_view key, std::string_view value);

// Filters the entries from `it`'s current position to its end into `r`
// (counts and sums add to what `r` holds). Q6 aggregates when the filter is
// Q6; kv_sum when `hash_values`. IOError if the iterator fails.
Status Accumulate(rocksdb::Iterator* it, const HandFilter& filter, bool hash_values,
                  BaselineResult* r);

// Iterates `cf` at `snapshot` with a plain RocksDB iterator and filters by hand.
// `q6`: also accumulate the Q6 aggregates. `hash_values`: fill kv_sum.
Result<BaselineResult> RunBaseline(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                   const rocksdb::Snapshot* snapshot, const HandFilter& filter,
                                   bool hash_values);

}  // namespace pushdown::bench
