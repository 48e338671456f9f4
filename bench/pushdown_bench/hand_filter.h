// The baseline a user writes today: a RocksDB iterator plus a HAND-WRITTEN C++
// filter that decodes the row format (bpfgen/schema/ROW_FORMAT.md) or the raw
// db_bench key directly. Deliberately not the reference evaluator.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "bpfgen/schema/row_layout.h"
#include "rocksdb/db.h"
#include "util/status.h"

namespace pushdown::bench {

// The TPC-H Q6 predicate and aggregates, as pushed down.
inline constexpr const char* kQ6Predicate =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
    "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24";
inline constexpr const char* kQ6Aggregates = "count(*), sum(l_extendedprice * l_discount)";

// Predicates with a hand-written twin:
//   TRUE                          every row (raw or table)
//   u64be(key, 0) % N < K         raw db_bench data
//   l_partkey <= P, l_orderkey < K, the Q6 predicate   lineitem
//   C >= A AND C < B, C = A   (an INT64 NOT NULL column: l_orderkey of
//                              lineitem; ts, ingest_ts of events_data.h's
//                              events table)
class HandFilter {
 public:
  enum class Kind { kTrue, kRawMod, kPartkeyLe, kOrderkeyLt, kQ6, kInt64Range };

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

  static uint64_t BigEndian64(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return __builtin_bswap64(v);
  }

 private:
  static constexpr int32_t kDay19940101 = 8766;
  static constexpr int32_t kDay19950101 = 9131;
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
           discount_off_ = 0, shipdate_off_ = 0;
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
};

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
