// The TPC-H lineitem generator: determinism, per-column value ranges (TPC-H
// clause 4.2.3), Q6 selectivity.
#include "engine/tpch/lineitem_gen.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "bpfgen/schema/date.h"
#include "tests/engine/tpch/generate.h"

namespace pushdown::engine::tpch {
namespace {

using bpfgen::Datum;

TEST(LineitemGenTest, SameSeedSameRowsOtherSeedOtherRows) {
  auto a = Generate(0.001, 7);
  auto b = Generate(0.001, 7);
  auto c = Generate(0.001, 8);
  ASSERT_EQ(a, b);
  ASSERT_FALSE(a.empty());
  EXPECT_NE(a, c);
}

TEST(LineitemGenTest, FirstRowsArePinned) {
  // Pins the generator's output (splitmix64, no std:: distributions): a
  // change here changes every loaded DB and every published result.
  LineitemGenerator gen(0.01, kDefaultSeed);
  std::vector<Datum> row;
  ASSERT_TRUE(gen.Next(&row));
  const std::vector<Datum> expected = {
      Datum::Int(1),
      Datum::Int(1),
      Datum::Int(1473),
      Datum::Int(13),
      Datum::Int(1000),
      Datum::Int(1374470),
      Datum::Int(4),
      Datum::Int(5),
      Datum::String("N"),
      Datum::String("O"),
      Datum::Int(bpfgen::DaysFromCivil(1996, 8, 26)),
      Datum::Int(bpfgen::DaysFromCivil(1996, 9, 6)),
      Datum::Int(bpfgen::DaysFromCivil(1996, 9, 25)),
      Datum::String("DELIVER IN PERSON"),
      Datum::String("AIR"),
      Datum::String("use boost aft"),
  };
  EXPECT_EQ(row, expected);
  ASSERT_TRUE(gen.Next(&row));
  EXPECT_EQ(row[kComment].s, "careful enticing ou");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(gen.Next(&row));
  EXPECT_EQ(row[kOrderKey].i, 2);
  EXPECT_EQ(row[kLineNumber].i, 2);
  EXPECT_EQ(row[kExtendedPrice].i, 4657674);
  EXPECT_EQ(row[kShipMode].s, "MAIL");
}

TEST(LineitemGenTest, HelperFormulas) {
  EXPECT_EQ(SparseOrderKey(1), 1);
  EXPECT_EQ(SparseOrderKey(7), 7);
  EXPECT_EQ(SparseOrderKey(8), 32);
  EXPECT_EQ(SparseOrderKey(9), 33);
  EXPECT_EQ(SparseOrderKey(16), 64);
  // p_retailprice of part 1 is 901.00 (spec example values).
  EXPECT_EQ(RetailPriceCents(1), 90100);
  EXPECT_EQ(RetailPriceCents(10), 91001);
  // Suppliers of part 1 with S = 10,000: 2, 2502, 5002, 7502.
  EXPECT_EQ(SuppKeyOf(1, 0, 10000), 2);
  EXPECT_EQ(SuppKeyOf(1, 1, 10000), 2502);
  EXPECT_EQ(SuppKeyOf(1, 3, 10000), 7502);
}

TEST(LineitemGenTest, ValueRangesPerColumn) {
  const double scale = 0.01;
  LineitemGenerator gen(scale, 42);
  EXPECT_EQ(gen.order_count(), 15000u);
  const int64_t start = bpfgen::DaysFromCivil(1992, 1, 1);
  const int64_t end = bpfgen::DaysFromCivil(1998, 12, 31);
  const int64_t current = bpfgen::DaysFromCivil(1995, 6, 17);
  const std::set<std::string> instructs = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                           "TAKE BACK RETURN"};
  const std::set<std::string> modes = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};
  std::set<std::string> seen_modes, seen_flags;
  std::set<int64_t> seen_discounts, seen_quantities;
  std::vector<Datum> row;
  uint64_t rows = 0;
  int64_t prev_order = 0, prev_line = 0;
  while (gen.Next(&row)) {
    ++rows;
    ASSERT_EQ(row.size(), static_cast<size_t>(kLineitemColumns));
    for (const Datum& d : row) ASSERT_FALSE(d.is_null());
    const int64_t ok = row[kOrderKey].i, ln = row[kLineNumber].i;
    // Primary key order, 1..7 lines per order, sparse keys.
    if (ok == prev_order) {
      ASSERT_EQ(ln, prev_line + 1);
    } else {
      ASSERT_GT(ok, prev_order);
      ASSERT_EQ(ln, 1);
    }
    ASSERT_LE(ln, 7);
    ASSERT_LT(ok % 32, 8);
    prev_order = ok;
    prev_line = ln;
    const int64_t pk = row[kPartKey].i;
    ASSERT_GE(pk, 1);
    ASSERT_LE(pk, 2000);
    ASSERT_GE(row[kSuppKey].i, 1);
    ASSERT_LE(row[kSuppKey].i, 100);
    const int64_t q = row[kQuantity].i;
    ASSERT_EQ(q % 100, 0);
    ASSERT_GE(q, 100);
    ASSERT_LE(q, 5000);
    seen_quantities.insert(q);
    ASSERT_EQ(row[kExtendedPrice].i, q / 100 * RetailPriceCents(pk));
    ASSERT_GE(row[kDiscount].i, 0);
    ASSERT_LE(row[kDiscount].i, 10);
    seen_discounts.insert(row[kDiscount].i);
    ASSERT_GE(row[kTax].i, 0);
    ASSERT_LE(row[kTax].i, 8);
    const int64_t ship = row[kShipDate].i, commit = row[kCommitDate].i,
                  receipt = row[kReceiptDate].i;
    ASSERT_GE(ship, start + 1);
    ASSERT_LE(ship, end - 151 + 121);
    ASSERT_GE(receipt, ship + 1);
    ASSERT_LE(receipt, ship + 30);
    ASSERT_GE(commit, start + 30);
    ASSERT_LE(commit, end - 151 + 90);
    const std::string& flag = row[kReturnFlag].s;
    seen_flags.insert(flag);
    if (receipt <= current) {
      ASSERT_TRUE(flag == "R" || flag == "A") << flag;
    } else {
      ASSERT_EQ(flag, "N");
    }
    ASSERT_EQ(row[kLineStatus].s, ship > current ? "O" : "F");
    ASSERT_TRUE(instructs.count(row[kShipInstruct].s)) << row[kShipInstruct].s;
    ASSERT_TRUE(modes.count(row[kShipMode].s)) << row[kShipMode].s;
    seen_modes.insert(row[kShipMode].s);
    ASSERT_GE(row[kComment].s.size(), 10u);
    ASSERT_LE(row[kComment].s.size(), 43u);
  }
  // 1..7 lines per order: about 4 on average.
  EXPECT_GT(rows, 15000u * 3);
  EXPECT_LT(rows, 15000u * 5);
  EXPECT_EQ(seen_modes, modes);
  EXPECT_EQ(seen_flags, (std::set<std::string>{"A", "N", "R"}));
  EXPECT_EQ(seen_discounts.size(), 11u);
  EXPECT_EQ(seen_quantities.size(), 50u);
}

TEST(LineitemGenTest, Q6SelectivityNearTwoPercentAtScale001) {
  LineitemGenerator gen(0.01, kDefaultSeed);
  const int64_t lo = bpfgen::DaysFromCivil(1994, 1, 1);
  const int64_t hi = bpfgen::DaysFromCivil(1995, 1, 1);
  std::vector<Datum> row;
  uint64_t rows = 0, matched = 0;
  while (gen.Next(&row)) {
    ++rows;
    if (row[kShipDate].i >= lo && row[kShipDate].i < hi && row[kDiscount].i >= 5 &&
        row[kDiscount].i <= 7 && row[kQuantity].i < 2400)
      ++matched;
  }
  const double selectivity = static_cast<double>(matched) / static_cast<double>(rows);
  EXPECT_GT(selectivity, 0.016);
  EXPECT_LT(selectivity, 0.022);
}

}  // namespace
}  // namespace pushdown::engine::tpch
