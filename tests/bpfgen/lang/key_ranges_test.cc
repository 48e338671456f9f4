// DeriveKeyRanges is a superset: for random predicates over random rows, every
// row the reference evaluator accepts has its key inside the derived ranges.
// Plus the shapes a scan relies on (a point lookup is one range, IN is several,
// equality on the first column then a range on the second, raw mode).
#include "bpfgen/lang/key_ranges.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

constexpr char kDdl[] =
    "a INT32 KEY, s VARCHAR(6) KEY, c CHAR(4) KEY, dt DATE, v INT64, d DECIMAL(10,2) KEY";

bool InRanges(const KeyRanges& r, const std::string& key) {
  if (r.unbounded) return true;
  for (const KeyRange& k : r.ranges) {
    if (key >= k.start && (!k.limit || key < *k.limit)) return true;
  }
  return false;
}

void CheckSortedDisjoint(const KeyRanges& r) {
  for (size_t i = 0; i < r.ranges.size(); ++i) {
    if (r.ranges[i].limit) {
      ASSERT_LT(r.ranges[i].start, *r.ranges[i].limit);
    }
    if (i > 0) {
      ASSERT_TRUE(r.ranges[i - 1].limit.has_value());
      ASSERT_LT(*r.ranges[i - 1].limit, r.ranges[i].start);
    }
  }
}

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::string IntLit() { return std::to_string(Pick(7) - 3); }
  std::string StrLit() {
    static const char* kStrs[] = {"''", "'a'", "'ab'", "'b'", "'a b'", "'ab '", "'zz'", "'a%'"};
    return kStrs[Pick(8)];
  }
  std::string Cmp() {
    static const char* kOps[] = {"=", "<", "<=", ">", ">=", "<>"};
    return kOps[Pick(6)];
  }
  std::string Conjunct() {
    switch (Pick(12)) {
      case 0:
        return "a " + Cmp() + " " + IntLit();
      case 1:
        return IntLit() + " " + Cmp() + " a";
      case 2:
        return "a BETWEEN " + IntLit() + " AND " + IntLit();
      case 3:
        return "a IN (" + IntLit() + ", " + IntLit() + (Pick(2) ? ", NULL)" : ")");
      case 4:
        return "s " + Cmp() + " " + StrLit();
      case 5:
        return "s LIKE '" + std::string(Pick(2) ? "a" : "ab") + (Pick(2) ? "%'" : "_'");
      case 6:
        return "c " + Cmp() + " " + StrLit();
      case 7:
        return "starts_with(c, 'a')";
      case 8:
        return "d " + Cmp() + " " + std::to_string(Pick(5) - 2) + ".5";
      case 9:
        return "(a = 1 OR a = 2)";
      case 10:
        return "v > " + IntLit();
      default:
        return "s IN (" + StrLit() + ", " + StrLit() + ")";
    }
  }
  std::string Predicate() {
    std::string p = Conjunct();
    const int n = Pick(4);
    for (int i = 0; i < n; ++i) p += " AND " + Conjunct();
    return p;
  }
  std::vector<Datum> Row() {
    static const char* kStrs[] = {"", "a", "ab", "abc", "b", "a b", "zz", "a%"};
    return {Datum::Int(Pick(7) - 3), Datum::String(kStrs[Pick(8)]), Datum::String(kStrs[Pick(8)]),
            Datum::Int(9000),        Datum::Int(Pick(7) - 3),       Datum::Int((Pick(9) - 4) * 50)};
  }

 private:
  std::mt19937 rng_;
};

TEST(KeyRangesTest, RandomPredicatesAreSupersets) {
  const Schema schema = *ParseSchema(kDdl);
  const RowLayout layout = RowLayout::Compute(schema);
  const Evaluator eval(schema);
  Gen gen(42);
  int narrowed = 0, matched = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const std::string text = gen.Predicate();
    auto p = CompilePredicate(text, schema);
    ASSERT_TRUE(p.ok()) << text << ": " << p.status().ToString();
    const KeyRanges ranges = DeriveKeyRanges(*p, schema);
    CheckSortedDisjoint(ranges);
    if (!ranges.unbounded) ++narrowed;
    for (int r = 0; r < 30; ++r) {
      const std::vector<Datum> row = gen.Row();
      std::string value;
      ASSERT_TRUE(EncodeRow(schema, layout, row, &value).ok());
      const std::string key = EncodeKey(schema, row);
      auto m = eval.Matches(*p, key, value);
      ASSERT_TRUE(m.ok());
      if (!*m) continue;
      ++matched;
      ASSERT_TRUE(InRanges(ranges, key)) << "predicate " << text << " dropped a matching row";
    }
  }
  // The generator must exercise the derivation (not only unbounded results).
  EXPECT_GT(narrowed, 1000);
  EXPECT_GT(matched, 1000);
}

TEST(KeyRangesTest, RawModeRandomPredicatesAreSupersets) {
  const Schema schema = Schema::Raw();
  const Evaluator eval(schema);
  std::mt19937 rng(7);
  // Literals hold raw bytes (the language has no escapes).
  const std::vector<std::string> lits = {"''", "'a'", "'ab'", "'\x01'", "'\xff'", "'b'", "'a\xff'"};
  const std::vector<std::string> keys = {"",     "a",    "ab", "abc",   std::string(1, '\0'),
                                         "\x01", "\xff", "b",  "a\xff", "a\xff\xff",
                                         "a\x01"};
  const std::vector<std::string> ops = {"=", "<", "<=", ">", ">="};
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  for (int iter = 0; iter < 2000; ++iter) {
    std::string text;
    const size_t n = 1 + pick(3);
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) text += " AND ";
      switch (pick(3)) {
        case 0:
          text += "key " + ops[pick(ops.size())] + " " + lits[pick(lits.size())];
          break;
        case 1:
          text += "starts_with(key, " + lits[pick(lits.size())] + ")";
          break;
        default:
          text += "key IN (" + lits[pick(lits.size())] + ", " + lits[pick(lits.size())] + ")";
          break;
      }
    }
    auto p = CompilePredicate(text, schema);
    ASSERT_TRUE(p.ok()) << text << ": " << p.status().ToString();
    const KeyRanges ranges = DeriveKeyRanges(*p, schema);
    CheckSortedDisjoint(ranges);
    for (const std::string& key : keys) {
      auto m = eval.Matches(*p, key, "v");
      ASSERT_TRUE(m.ok());
      if (*m) {
        ASSERT_TRUE(InRanges(ranges, key)) << text;
      }
    }
  }
}

TEST(KeyRangesTest, PointLookupOnLineitemIsOneNarrowRange) {
  const Schema schema = *ParseSchema(kLineitemDdl);
  auto p = CompilePredicate("l_orderkey = 5000 AND l_quantity < 24", schema);
  ASSERT_TRUE(p.ok());
  const KeyRanges r = DeriveKeyRanges(*p, schema);
  ASSERT_FALSE(r.unbounded);
  ASSERT_EQ(r.ranges.size(), 1u);
  const std::string prefix = EncodeKeyColumns(schema, {Datum::Int(5000)});
  EXPECT_EQ(r.ranges[0].start, prefix);
  EXPECT_EQ(r.ranges[0].limit, KeyPrefixSuccessor(prefix));
  ASSERT_EQ(r.used.size(), 1u);
}

TEST(KeyRangesTest, EqualityThenRangeOnTheNextKeyColumn) {
  const Schema schema = *ParseSchema(kLineitemDdl);
  auto p =
      CompilePredicate("l_orderkey IN (7, 3) AND l_linenumber >= 2 AND l_linenumber < 4", schema);
  ASSERT_TRUE(p.ok());
  const KeyRanges r = DeriveKeyRanges(*p, schema);
  ASSERT_EQ(r.ranges.size(), 2u);
  EXPECT_EQ(r.ranges[0].start, EncodeKeyColumns(schema, {Datum::Int(3), Datum::Int(2)}));
  EXPECT_EQ(r.ranges[0].limit, EncodeKeyColumns(schema, {Datum::Int(3), Datum::Int(4)}));
  EXPECT_EQ(r.ranges[1].start, EncodeKeyColumns(schema, {Datum::Int(7), Datum::Int(2)}));
  const std::optional<KeyRange> hull = r.Hull();
  ASSERT_TRUE(hull.has_value());
  EXPECT_EQ(hull->start, r.ranges[0].start);
  EXPECT_EQ(hull->limit, r.ranges[1].limit);
}

TEST(KeyRangesTest, ContradictionsAndNullsMatchNothing) {
  const Schema schema = *ParseSchema(kLineitemDdl);
  for (const char* text : {"l_orderkey = 1 AND l_orderkey = 2", "l_orderkey IN (NULL)",
                           "l_orderkey > 5 AND l_orderkey < 3"}) {
    auto p = CompilePredicate(text, schema);
    ASSERT_TRUE(p.ok()) << text;
    const KeyRanges r = DeriveKeyRanges(*p, schema);
    EXPECT_FALSE(r.unbounded) << text;
    EXPECT_TRUE(r.ranges.empty()) << text;
  }
}

TEST(KeyRangesTest, NonKeyAndUnsupportedConjunctsLeaveTheScanUnbounded) {
  const Schema schema = *ParseSchema(kLineitemDdl);
  for (const char* text : {"l_quantity < 24", "l_orderkey <> 5", "NOT (l_orderkey = 5)",
                           "l_orderkey + 1 = 5", "l_orderkey = 1 OR l_quantity < 2",
                           "l_linenumber = 3 OR l_orderkey = 2", "l_linenumber = 3"}) {
    auto p = CompilePredicate(text, schema);
    ASSERT_TRUE(p.ok()) << text;
    EXPECT_TRUE(DeriveKeyRanges(*p, schema).unbounded) << text;
  }
}

// Random ORs of random conjunctions (nested once), ANDed with conjuncts: the
// union stays a superset and is used often enough to matter.
TEST(KeyRangesTest, RandomDisjunctionsAreSupersets) {
  const Schema schema = *ParseSchema(kDdl);
  const RowLayout layout = RowLayout::Compute(schema);
  const Evaluator eval(schema);
  Gen gen(4242);
  int narrowed = 0, matched = 0, several = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text = "(" + gen.Predicate() + ") OR (" + gen.Predicate() + ")";
    if (gen.Pick(3) == 0) text = "(" + text + ") OR " + gen.Conjunct();
    if (gen.Pick(2) == 0) text = "(" + text + ") AND " + gen.Conjunct();
    if (gen.Pick(4) == 0) text = "((" + text + ") OR (" + gen.Predicate() + ")) AND a >= -1";
    auto p = CompilePredicate(text, schema);
    ASSERT_TRUE(p.ok()) << text << ": " << p.status().ToString();
    const KeyRanges ranges = DeriveKeyRanges(*p, schema);
    CheckSortedDisjoint(ranges);
    ASSERT_LE(ranges.ranges.size(), kMaxDerivedRanges);
    if (!ranges.unbounded) ++narrowed;
    if (ranges.ranges.size() >= 2) ++several;
    for (int r = 0; r < 30; ++r) {
      const std::vector<Datum> row = gen.Row();
      std::string value;
      ASSERT_TRUE(EncodeRow(schema, layout, row, &value).ok());
      const std::string key = EncodeKey(schema, row);
      auto m = eval.Matches(*p, key, value);
      ASSERT_TRUE(m.ok());
      if (!*m) continue;
      ++matched;
      ASSERT_TRUE(InRanges(ranges, key)) << "predicate " << text << " dropped a matching row";
    }
  }
  EXPECT_GT(narrowed, 500);
  EXPECT_GT(several, 200);
  EXPECT_GT(matched, 1000);
}

TEST(KeyRangesTest, AnOrOfKeyRangesIsTheirUnionNotTheHull) {
  const Schema schema = *ParseSchema(kLineitemDdl);
  auto p = CompilePredicate("l_orderkey = 5000 OR l_orderkey = 5", schema);
  ASSERT_TRUE(p.ok());
  KeyRanges r = DeriveKeyRanges(*p, schema);
  ASSERT_FALSE(r.unbounded);
  ASSERT_EQ(r.ranges.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const std::string prefix = EncodeKeyColumns(schema, {Datum::Int(i == 0 ? 5 : 5000)});
    EXPECT_EQ(r.ranges[i].start, prefix);
    EXPECT_EQ(r.ranges[i].limit, KeyPrefixSuccessor(prefix));
  }
  EXPECT_EQ(r.used.size(), 1u);

  // Two tails of a single-column key: [min, A) and [successor(B), end).
  const Schema ts = *ParseSchema("ts INT64 KEY, v INT64");
  p = CompilePredicate("ts < 100 OR ts > 200", ts);
  ASSERT_TRUE(p.ok());
  r = DeriveKeyRanges(*p, ts);
  ASSERT_EQ(r.ranges.size(), 2u);
  EXPECT_EQ(r.ranges[0].limit, EncodeKeyColumns(ts, {Datum::Int(100)}));
  EXPECT_EQ(r.ranges[1].start, *KeyPrefixSuccessor(EncodeKeyColumns(ts, {Datum::Int(200)})));
  EXPECT_FALSE(r.ranges[1].limit.has_value());

  // Intersected with the other conjuncts: only the second tail is left.
  p = CompilePredicate("(ts < 100 OR ts > 200) AND ts >= 150", ts);
  ASSERT_TRUE(p.ok());
  r = DeriveKeyRanges(*p, ts);
  ASSERT_EQ(r.ranges.size(), 1u);
  EXPECT_EQ(r.ranges[0].start, *KeyPrefixSuccessor(EncodeKeyColumns(ts, {Datum::Int(200)})));
  EXPECT_EQ(r.used.size(), 2u);

  // Disjoint from the other conjuncts: nothing can match.
  p = CompilePredicate("(ts = 1 OR ts = 2) AND ts > 5", ts);
  ASSERT_TRUE(p.ok());
  r = DeriveKeyRanges(*p, ts);
  EXPECT_FALSE(r.unbounded);
  EXPECT_TRUE(r.ranges.empty());

  // Disjuncts over two key columns.
  p = CompilePredicate(
      "(l_orderkey = 7 AND l_linenumber = 2) OR (l_orderkey = 3 AND l_linenumber >= 6)", schema);
  ASSERT_TRUE(p.ok());
  r = DeriveKeyRanges(*p, schema);
  ASSERT_EQ(r.ranges.size(), 2u);
  EXPECT_EQ(r.ranges[0].start, EncodeKeyColumns(schema, {Datum::Int(3), Datum::Int(6)}));
  EXPECT_EQ(r.ranges[1].start, EncodeKeyColumns(schema, {Datum::Int(7), Datum::Int(2)}));

  // A NULL disjunct is never TRUE: it adds nothing.
  p = CompilePredicate("ts = 9 OR ts = NULL", ts);
  ASSERT_TRUE(p.ok());
  r = DeriveKeyRanges(*p, ts);
  ASSERT_EQ(r.ranges.size(), 1u);

  // Raw mode.
  p = CompilePredicate("key = 'b' OR starts_with(key, 'x')", Schema::Raw());
  ASSERT_TRUE(p.ok());
  r = DeriveKeyRanges(*p, Schema::Raw());
  ASSERT_EQ(r.ranges.size(), 2u);
  EXPECT_EQ(r.ranges[0].start, "b");
  EXPECT_EQ(r.ranges[1].start, "x");
  EXPECT_EQ(r.ranges[1].limit, "y");
}

TEST(KeyRangesTest, AnOrOfMoreThanTheBoundIsItsHull) {
  const Schema ts = *ParseSchema("ts INT64 KEY, v INT64");
  std::string text;
  for (int i = 0; i <= static_cast<int>(kMaxDerivedRanges); ++i) {
    if (i > 0) text += " OR ";
    text += "ts = " + std::to_string(10 * i);
  }
  auto p = CompilePredicate(text, ts);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const KeyRanges r = DeriveKeyRanges(*p, ts);
  ASSERT_EQ(r.ranges.size(), 1u);
  EXPECT_EQ(r.ranges[0].start, EncodeKeyColumns(ts, {Datum::Int(0)}));
  EXPECT_EQ(r.ranges[0].limit, KeyPrefixSuccessor(EncodeKeyColumns(
                                   ts, {Datum::Int(10 * static_cast<int>(kMaxDerivedRanges))})));
}

TEST(KeyRangesTest, PrefixSuccessor) {
  EXPECT_EQ(KeyPrefixSuccessor("ab"), "ac");
  EXPECT_EQ(KeyPrefixSuccessor(std::string("a\xff\xff")), "b");
  EXPECT_EQ(KeyPrefixSuccessor(std::string("\xff")), std::nullopt);
  EXPECT_EQ(KeyPrefixSuccessor(""), std::nullopt);
}

}  // namespace
}  // namespace pushdown::bpfgen
