// Deterministic TPC-H lineitem rows (TPC-H specification v3, clause 4.2.3).
//
// Per order (1,500,000 x SF orders, at least 1): o_orderdate uniform in
// [1992-01-01, 1998-12-31 - 151 days], 1..7 lineitems. Per lineitem:
//   l_orderkey      sparse keys as dbgen's mk_sparse: order index i (1-based)
//                   -> ((i >> 3) << 5) | (i & 7), i.e. the first 8 keys of
//                   every group of 32 are used
//   l_linenumber    1..count
//   l_partkey       uniform [1, SF * 200,000]
//   l_suppkey       (partkey + j * (S/4 + (partkey-1)/S)) % S + 1, j uniform
//                   [0, 3], S = SF * 10,000 suppliers
//   l_quantity      uniform [1, 50]
//   l_extendedprice quantity * p_retailprice(partkey), where p_retailprice =
//                   (90000 + (partkey/10) % 20001 + 100 * (partkey % 1000)) / 100
//   l_discount      uniform [0.00, 0.10];  l_tax uniform [0.00, 0.08]
//   l_shipdate      orderdate + [1, 121];  l_commitdate orderdate + [30, 90]
//   l_receiptdate   shipdate + [1, 30]
//   l_returnflag    'R' or 'A' (uniform) if receiptdate <= 1995-06-17, else 'N'
//   l_linestatus    'O' if shipdate > 1995-06-17, else 'F'
//   l_shipinstruct, l_shipmode  uniform from the spec's lists
//   l_comment       10..43 characters of words from a fixed word list
// Scale-dependent counts are rounded to the nearest integer (at least 1).
//
// Determinism: every order draws from its own splitmix64 stream seeded by
// (seed, order index), so a (scale, seed) pair always yields the same rows in
// the same (key) order, on every platform.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "engine/tpch/random.h"

namespace pushdown::engine::tpch {

inline constexpr uint64_t kDefaultSeed = 19920101;

// Column indexes of lineitem (bpfgen::kLineitemDdl order).
enum LineitemColumn : int {
  kOrderKey = 0,
  kLineNumber,
  kPartKey,
  kSuppKey,
  kQuantity,
  kExtendedPrice,
  kDiscount,
  kTax,
  kReturnFlag,
  kLineStatus,
  kShipDate,
  kCommitDate,
  kReceiptDate,
  kShipInstruct,
  kShipMode,
  kComment,
  kLineitemColumns,
};

// dbgen's sparse order key of the 1-based order index.
int64_t SparseOrderKey(uint64_t order_index);
// p_retailprice of a part, in cents.
int64_t RetailPriceCents(int64_t partkey);
// The j-th (0..3) supplier of a part among `suppliers`.
int64_t SuppKeyOf(int64_t partkey, int j, int64_t suppliers);

class LineitemGenerator {
 public:
  // REQUIRES: scale > 0.
  explicit LineitemGenerator(double scale, uint64_t seed = kDefaultSeed);

  uint64_t order_count() const { return orders_; }
  uint64_t part_count() const { return parts_; }
  uint64_t supplier_count() const { return suppliers_; }
  // Orders whose lineitems were all returned by Next().
  uint64_t orders_done() const { return next_order_ - 1 - (pending_ > 0 ? 1 : 0); }
  uint64_t rows_generated() const { return rows_; }

  // The next row, in primary key order (one Datum per column, kLineitemDdl
  // order; DECIMALs scaled by 100, DATEs in days). False when done.
  bool Next(std::vector<bpfgen::Datum>* row);

 private:
  void StartOrder();

  uint64_t seed_;
  uint64_t orders_;
  int64_t parts_;
  int64_t suppliers_;
  uint64_t next_order_ = 1;  // 1-based index of the order StartOrder begins next
  // The current order.
  int64_t orderkey_ = 0;
  int64_t orderdate_ = 0;
  int lines_ = 0;
  int line_ = 0;
  int pending_ = 0;
  uint64_t rows_ = 0;  // lines of the current order not yet returned
  SplitMix64 rng_{0};  // the current order's stream
};

}  // namespace pushdown::engine::tpch
