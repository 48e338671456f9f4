// The oracle's oracle: on random lineitem rows, the evaluator agrees with the
// same predicates written directly in C++ over the row's fields.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/date.h"
#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

struct Lineitem {
  int64_t orderkey;
  int32_t linenumber;
  int64_t quantity, extendedprice, discount, tax;  // scale 2
  std::string returnflag, shipmode, comment;
  int32_t shipdate, commitdate, receiptdate;
};

int32_t Day(const char* s) {
  int32_t d = 0;
  EXPECT_TRUE(ParseDate(s, &d));
  return d;
}

TEST(EvaluatorModelTest, LineitemPredicatesMatchDirectCode) {
  auto schema = ParseSchema(kLineitemDdl);
  ASSERT_TRUE(schema.ok());
  const Evaluator eval(*schema);
  std::mt19937_64 rng(42);
  const char* modes[] = {"AIR", "MAIL", "SHIP", "TRUCK", "REG AIR"};
  const char* words[] = {"final", "special", "requests", "ironic", "deposits"};
  const int32_t d1994 = Day("1994-01-01"), d1995 = Day("1995-01-01");

  struct Case {
    const char* text;
    std::function<bool(const Lineitem&)> expected;
  };
  const std::vector<Case> cases = {
      {"l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
       "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24",
       [&](const Lineitem& l) {
         return l.shipdate >= d1994 && l.shipdate < d1995 && l.discount >= 5 && l.discount <= 7 &&
                l.quantity < 2400;
       }},
      {"l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate AND "
       "l_shipdate < l_commitdate",
       [](const Lineitem& l) {
         return (l.shipmode == "MAIL" || l.shipmode == "SHIP") && l.commitdate < l.receiptdate &&
                l.shipdate < l.commitdate;
       }},
      {"l_comment LIKE '%special%requests%'",
       [](const Lineitem& l) {
         size_t a = l.comment.find("special");
         return a != std::string::npos && l.comment.find("requests", a + 7) != std::string::npos;
       }},
      {"l_extendedprice * (1 - l_discount) * (1 + l_tax) > 50000",
       [](const Lineitem& l) {
         // scale 2 * 2 * 2 = 6
         __int128 v = static_cast<__int128>(l.extendedprice) * (100 - l.discount) * (100 + l.tax);
         return v > static_cast<__int128>(50000) * 1000000;
       }},
      {"NOT (l_returnflag = 'R' OR l_quantity / 7 >= 3)",
       [](const Lineitem& l) {
         // DECIMAL / INT: scale max(2, 2, 6) = 6, truncated.
         int64_t q = l.quantity * 10000 / 7;  // (quantity / 100) / 7 at scale 6
         return !(l.returnflag == "R" || q >= 3000000);
       }},
      {"l_orderkey % 100 < 3 AND l_linenumber <> 1",
       [](const Lineitem& l) { return l.orderkey % 100 < 3 && l.linenumber != 1; }},
      {"length(l_comment) BETWEEN 10 AND 20 AND l_shipmode LIKE '%AIR'",
       [](const Lineitem& l) {
         return l.comment.size() >= 10 && l.comment.size() <= 20 && l.shipmode.size() >= 3 &&
                l.shipmode.substr(l.shipmode.size() - 3) == "AIR";
       }},
  };

  std::vector<Lineitem> rows;
  std::vector<std::pair<std::string, std::string>> encoded;
  const RowLayout& layout = eval.layout();
  for (int r = 0; r < 3000; ++r) {
    Lineitem l;
    l.orderkey = static_cast<int64_t>(rng() % 1000000) - 1000;
    l.linenumber = 1 + static_cast<int32_t>(rng() % 7);
    l.quantity = 100 * static_cast<int64_t>(1 + rng() % 50);
    l.extendedprice = static_cast<int64_t>(rng() % 10000000);
    l.discount = static_cast<int64_t>(rng() % 11);
    l.tax = static_cast<int64_t>(rng() % 9);
    l.returnflag = rng() % 3 == 0 ? "R" : "N";
    l.shipmode = modes[rng() % 5];
    l.shipdate = Day("1992-01-01") + static_cast<int32_t>(rng() % 2500);
    l.commitdate = l.shipdate + static_cast<int32_t>(rng() % 60) - 30;
    l.receiptdate = l.shipdate + static_cast<int32_t>(rng() % 30);
    const int nwords = static_cast<int>(rng() % 5);
    for (int w = 0; w < nwords; ++w) l.comment += std::string(w ? " " : "") + words[rng() % 5];
    std::vector<Datum> row = {Datum::Int(l.orderkey),
                              Datum::Int(l.linenumber),
                              Datum::Int(1),
                              Datum::Int(2),
                              Datum::Int(l.quantity),
                              Datum::Int(l.extendedprice),
                              Datum::Int(l.discount),
                              Datum::Int(l.tax),
                              Datum::String(l.returnflag),
                              Datum::String("O"),
                              Datum::Int(l.shipdate),
                              Datum::Int(l.commitdate),
                              Datum::Int(l.receiptdate),
                              Datum::String("NONE"),
                              Datum::String(l.shipmode),
                              Datum::String(l.comment)};
    std::string value;
    ASSERT_TRUE(EncodeRow(*schema, layout, row, &value).ok());
    encoded.emplace_back(EncodeKey(*schema, row), value);
    rows.push_back(std::move(l));
  }
  for (const Case& c : cases) {
    auto pred = CompilePredicate(c.text, *schema);
    ASSERT_TRUE(pred.ok()) << pred.status().ToString();
    int matches = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      auto m = eval.Matches(*pred, encoded[r].first, encoded[r].second);
      ASSERT_TRUE(m.ok());
      ASSERT_EQ(*m, c.expected(rows[r])) << c.text << " row " << r;
      matches += *m;
    }
    // Every case selects something and rejects something.
    EXPECT_GT(matches, 0) << c.text;
    EXPECT_LT(matches, static_cast<int>(rows.size())) << c.text;
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
