// The host side of a SELECT (pushdown/query/executor.h) over rows fed
// directly: grouping, HAVING, ORDER BY, OFFSET/LIMIT, NULLs, exact decimal
// sums and averages, overflow and the memory/group limits.
#include "pushdown/query/executor.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/text.h"
#include "bpfgen/sql/bind.h"
#include "bpfgen/sql/select.h"

namespace pushdown::query {
namespace {

using bpfgen::Datum;

constexpr char kDdl[] = "k INT64 KEY, g VARCHAR(8), d DECIMAL(10,2), n INT64, x DOUBLE, dt DATE";

// Rows in memory, in the row format; counts how many were pulled.
class VectorSource final : public RowSource {
 public:
  explicit VectorSource(std::vector<std::string> values) : values_(std::move(values)) {}
  Status Next() override {
    ++pos_;
    return Status::OK();
  }
  bool Valid() const override { return pos_ >= 1 && pos_ <= values_.size(); }
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return values_[pos_ - 1]; }
  size_t pulled() const { return std::min(pos_, values_.size()); }

 private:
  std::vector<std::string> values_;
  size_t pos_ = 0;
};

// The partials of `values` as a device computes them, independently of the
// executor: per GROUP BY key, per aggregate the count (rows for count(*),
// non-NULL inputs otherwise), the exact sum and the least/greatest input.
// Borrows the query's expressions (alive while its execution is).
class RowsAsPartials final : public PartialSource {
 public:
  RowsAsPartials(const bpfgen::sql::BoundQuery& q, const bpfgen::Schema& schema,
                 std::vector<std::string> values)
      : eval_(schema), values_(std::move(values)) {
    for (const auto& g : q.group_by) group_by_.push_back(g.get());
    for (const auto& a : q.aggregates) aggregates_.push_back({a.kind, a.arg.get()});
  }

  Result<std::vector<GroupPartial>> Partials() override {
    std::map<std::string, size_t> index;
    std::vector<GroupPartial> out;
    for (const std::string& v : values_) {
      GroupPartial key;
      std::string id;
      for (const bpfgen::Expr* g : group_by_) {
        PD_ASSIGN_OR_RETURN(Datum d, eval_.EvalValue(*g, {}, v));
        id += d.null ? "N|" : "V" + bpfgen::FormatValue(g->type, d) + "|";
        key.keys.push_back(d);
      }
      auto it = index.find(id);
      if (it == index.end()) {
        it = index.emplace(id, out.size()).first;
        key.aggregates.resize(aggregates_.size());
        out.push_back(std::move(key));
      }
      GroupPartial& p = out[it->second];
      for (size_t i = 0; i < aggregates_.size(); ++i) {
        const auto [kind, arg] = aggregates_[i];
        AggregatePartial& a = p.aggregates[i];
        if (arg == nullptr) {
          ++a.count;
          continue;
        }
        PD_ASSIGN_OR_RETURN(Datum d, eval_.EvalValue(*arg, {}, v));
        if (d.null) continue;
        ++a.count;
        a.sum += d.i;
        const bool min = kind == bpfgen::sql::AggKind::kMin;
        if (!a.best || (min ? d.i < a.best->i : d.i > a.best->i)) a.best = d;
      }
    }
    return out;
  }

 private:
  bpfgen::Evaluator eval_;
  std::vector<std::string> values_;
  std::vector<const bpfgen::Expr*> group_by_;
  std::vector<std::pair<bpfgen::sql::AggKind, const bpfgen::Expr*>> aggregates_;
};

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest()
      : schema_(*bpfgen::ParseSchema(kDdl)), layout_(bpfgen::RowLayout::Compute(schema_)) {}

  // Row text "k|g|d|n|x|dt", empty field = NULL.
  void Add(const std::string& text) {
    std::vector<Datum> row;
    size_t start = 0;
    for (size_t c = 0; c < schema_.columns.size(); ++c) {
      size_t end = text.find('|', start);
      if (end == std::string::npos) end = text.size();
      const std::string field = text.substr(start, end - start);
      start = end + 1;
      if (field.empty()) {
        row.push_back(Datum::Null());
      } else {
        auto d = bpfgen::ValueFromText(schema_.columns[c].type, field);
        ASSERT_TRUE(d.ok()) << d.status().ToString();
        row.push_back(*d);
      }
    }
    std::string value;
    ASSERT_TRUE(bpfgen::EncodeRow(schema_, layout_, row, &value).ok());
    values_.push_back(value);
  }

  // The query's rows as text ("a,b" per row; NULL as "NULL"), or the error.
  // With `split`, only the rows before it are fed; those from it on arrive as
  // partials (RowsAsPartials), as the device's would.
  Result<std::vector<std::string>> Run(std::string_view sql, const QueryLimits& limits = {},
                                       size_t* pulled = nullptr,
                                       std::optional<size_t> split = std::nullopt) {
    PD_ASSIGN_OR_RETURN(bpfgen::sql::SelectStatement st, bpfgen::sql::ParseSelect(sql));
    PD_ASSIGN_OR_RETURN(bpfgen::sql::BoundQuery q, bpfgen::sql::Bind(std::move(st), schema_));
    EXPECT_EQ(q.where_text, "") << "WHERE is the scan's: not in these tests";
    const size_t fed = split ? std::min(*split, values_.size()) : values_.size();
    VectorSource source(std::vector<std::string>(values_.begin(), values_.begin() + fed));
    std::unique_ptr<RowsAsPartials> partials;
    if (split) {
      partials = std::make_unique<RowsAsPartials>(
          q, schema_, std::vector<std::string>(values_.begin() + fed, values_.end()));
    }
    PD_ASSIGN_OR_RETURN(auto exec,
                        QueryExecution::Open(std::move(q), &source, limits, partials.get()));
    std::vector<std::string> out;
    while (true) {
      PD_RETURN_IF_ERROR(exec->Next());
      if (!exec->Valid()) break;
      std::string line;
      for (size_t i = 0; i < exec->row().size(); ++i) {
        if (i) line += ',';
        const Datum& d = exec->row()[i];
        line += d.null ? "NULL" : bpfgen::FormatValue(exec->column_types()[i], d);
      }
      out.push_back(line);
    }
    if (pulled) *pulled = source.pulled();
    return out;
  }

  std::vector<std::string> Rows(std::string_view sql) {
    auto r = Run(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? *r : std::vector<std::string>{};
  }

  void AddSample() {
    Add("1|a|1.00|10|0.5|1994-01-01");
    Add("2|b|2.50|20|1.5|1994-02-01");
    Add("3|a|3.25||2.5|1994-03-01");
    Add("4||4.00|40||");
    Add("5|b||50|4.5|1994-05-01");
    Add("6|a|0.01|60|5.5|1994-06-01");
  }

  bpfgen::Schema schema_;
  bpfgen::RowLayout layout_;
  std::vector<std::string> values_;
};

using Lines = std::vector<std::string>;

TEST_F(ExecutorTest, ProjectionStreamsAndStopsAtLimit) {
  AddSample();
  size_t pulled = 0;
  auto r = Run("SELECT k, n * 2 AS n2 FROM t LIMIT 2 OFFSET 1", {}, &pulled);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (Lines{"2,40", "3,NULL"}));
  EXPECT_EQ(pulled, 3u);  // OFFSET + LIMIT rows, not one more
  EXPECT_EQ(Rows("SELECT k FROM t LIMIT 0"), Lines{});
  EXPECT_EQ(Rows("SELECT k FROM t OFFSET 5"), Lines{"6"});
}

TEST_F(ExecutorTest, GroupByWithNullGroupHavingAndOrder) {
  AddSample();
  EXPECT_EQ(Rows("SELECT g, count(*), count(n), sum(d), min(dt), max(k) FROM t GROUP BY g "
                 "ORDER BY g"),
            (Lines{"NULL,1,1,4.00,NULL,4", "a,3,2,4.26,1994-01-01,6", "b,2,2,2.50,1994-02-01,5"}));
  // Groups come out in order of first appearance without ORDER BY.
  EXPECT_EQ(Rows("SELECT g, count(*) FROM t GROUP BY g"), (Lines{"a,3", "b,2", "NULL,1"}));
  EXPECT_EQ(Rows("SELECT g, count(*) AS c FROM t GROUP BY g HAVING count(*) > 1 ORDER BY c"),
            (Lines{"b,2", "a,3"}));
  EXPECT_EQ(Rows("SELECT g FROM t GROUP BY g ORDER BY g DESC"), (Lines{"b", "a", "NULL"}));
  EXPECT_EQ(Rows("SELECT g FROM t GROUP BY g ORDER BY g NULLS LAST"), (Lines{"a", "b", "NULL"}));
  EXPECT_EQ(Rows("SELECT g, sum(n) / count(*) FROM t GROUP BY g ORDER BY 2 DESC LIMIT 1"),
            (Lines{"NULL,40"}));
  EXPECT_EQ(Rows("SELECT n % 20 AS m, count(*) FROM t GROUP BY n % 20 ORDER BY m"),
            (Lines{"NULL,1", "0,3", "10,2"}));
}

TEST_F(ExecutorTest, AggregatesOverNoRows) {
  EXPECT_EQ(Rows("SELECT count(*), count(n), sum(d), avg(d), min(g), max(x) FROM t"),
            (Lines{"0,0,NULL,NULL,NULL,NULL"}));
  EXPECT_EQ(Rows("SELECT g, count(*) FROM t GROUP BY g"), Lines{});
  AddSample();
  EXPECT_EQ(Rows("SELECT count(*) FROM t HAVING count(*) > 100"), Lines{});
}

TEST_F(ExecutorTest, DecimalAverageRoundsHalfAwayFromZero) {
  // 1.00 + 2.00 + 2.00 = 5.00 / 3 = 1.666666666... -> 1.66666667 (scale 2 + 6)
  Add("1|a|1.00|1||");
  Add("2|a|2.00|2||");
  Add("3|a|2.00|2||");
  EXPECT_EQ(Rows("SELECT avg(d), avg(n), sum(d) FROM t"),
            (Lines{"1.66666667,1.6666666666666667,5.00"}));
  values_.clear();
  // -0.01 / 8 = -0.00125 exactly.
  Add("1|a|-0.01|||");
  for (int i = 0; i < 7; ++i) Add(std::to_string(2 + i) + "|a|0.00|||");
  EXPECT_EQ(Rows("SELECT avg(d) FROM t"), (Lines{"-0.00125000"}));
  values_.clear();
  // 0.01 / 32 = 0.0003125 exactly.
  Add("1|a|0.01|||");
  for (int i = 0; i < 31; ++i) Add(std::to_string(2 + i) + "|a|0.00|||");
  EXPECT_EQ(Rows("SELECT avg(d) FROM t"), (Lines{"0.00031250"}));
  values_.clear();
  // Exactly half a unit of the last digit: 0.01 / 128 = 0.000078125 -> 0.00007813 and
  // -0.01 / 128 -> -0.00007813 (away from zero); 0.01 / 1024 = 0.000009765625 ->
  // 0.00000977 (above half); -0.02 / 1024 = -0.00001953125 -> -0.00001953 (below half).
  Add("1|a|0.01|||");
  for (int i = 0; i < 127; ++i) Add(std::to_string(2 + i) + "|a|0.00|||");
  EXPECT_EQ(Rows("SELECT avg(d) FROM t"), (Lines{"0.00007813"}));
  values_.erase(values_.begin());
  Add("1|a|-0.01|||");
  EXPECT_EQ(Rows("SELECT avg(d) FROM t"), (Lines{"-0.00007813"}));
  values_.clear();
  Add("1|a|0.01|||");
  for (int i = 0; i < 1023; ++i) Add(std::to_string(2 + i) + "|a|0.00|||");
  EXPECT_EQ(Rows("SELECT avg(d) FROM t"), (Lines{"0.00000977"}));
  values_.erase(values_.begin());
  Add("1|a|-0.02|||");
  EXPECT_EQ(Rows("SELECT avg(d) FROM t"), (Lines{"-0.00001953"}));
}

TEST_F(ExecutorTest, SumOverflowIsAnErrorNotAWrongAnswer) {
  Add("1|a||9223372036854775807||");
  Add("2|a||1||");
  auto r = Run("SELECT sum(n) FROM t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotSupported);
  EXPECT_NE(r.status().message().find("sum(n) overflows INT64"), std::string::npos)
      << r.status().ToString();
  // The 128-bit accumulator: an intermediate sum past INT64 that comes back is exact.
  Add("3|a||-9||");
  EXPECT_EQ(Rows("SELECT sum(n) FROM t"), (Lines{"9223372036854775799"}));
  // DECIMAL(18,s): 18 digits.
  values_.clear();
  Add("1|a|99999999.99|||");
  for (int i = 0; i < 20; ++i) Add(std::to_string(2 + i) + "|a|99999999.99|||");
  EXPECT_EQ(Rows("SELECT sum(d) FROM t"), (Lines{"2099999999.79"}));
  auto avg = Run("SELECT avg(d * 1000000) FROM t");  // scale 4 -> avg scale 10: too wide
  ASSERT_FALSE(avg.ok());
  EXPECT_NE(avg.status().message().find("overflows DECIMAL(18,10)"), std::string::npos)
      << avg.status().ToString();
}

TEST_F(ExecutorTest, CountDistinctAndSelectDistinct) {
  AddSample();
  Add("7|a|1.00|10|0.5|1994-01-01");
  EXPECT_EQ(Rows("SELECT count(DISTINCT g), count(DISTINCT n), sum(DISTINCT n), count(*) FROM t"),
            (Lines{"2,5,180,7"}));
  EXPECT_EQ(Rows("SELECT g, count(DISTINCT d) FROM t GROUP BY g ORDER BY g"),
            (Lines{"NULL,1", "a,3", "b,1"}));
  EXPECT_EQ(Rows("SELECT DISTINCT g FROM t ORDER BY g"), (Lines{"NULL", "a", "b"}));
  EXPECT_EQ(Rows("SELECT DISTINCT g, n % 20 FROM t ORDER BY 2, 1 LIMIT 3"),
            (Lines{"a,NULL", "NULL,0", "a,0"}));
}

TEST_F(ExecutorTest, OrderByIsStableWithSeveralKeysAndExpressions) {
  AddSample();
  EXPECT_EQ(Rows("SELECT k FROM t ORDER BY g, k DESC"), (Lines{"4", "6", "3", "1", "5", "2"}));
  // Ties keep input order.
  EXPECT_EQ(Rows("SELECT k FROM t ORDER BY g DESC"), (Lines{"2", "5", "1", "3", "6", "4"}));
  // An expression and a column that is not selected; NULL first ascending.
  EXPECT_EQ(Rows("SELECT k FROM t ORDER BY -n"), (Lines{"3", "6", "5", "4", "2", "1"}));
  EXPECT_EQ(Rows("SELECT k FROM t ORDER BY x DESC LIMIT 2 OFFSET 1"), (Lines{"5", "3"}));
  EXPECT_EQ(Rows("SELECT k, d FROM t ORDER BY 2 DESC NULLS FIRST LIMIT 2"),
            (Lines{"5,NULL", "4,4.00"}));
}

TEST_F(ExecutorTest, OrderByWithLimitKeepsTheBestRowsOfALargeInput) {
  for (int i = 0; i < 5000; ++i) {
    Add(std::to_string(i) + "|g" + std::to_string(i % 7) + "|" + std::to_string(i % 100) + ".00|" +
        std::to_string((i * 7919) % 5003) + "||");
  }
  QueryLimits tight;
  tight.max_memory_bytes = 64 << 10;  // 64 KiB: the whole input would not fit
  auto r = Run("SELECT k, n FROM t ORDER BY n DESC, k LIMIT 3", tight);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // (i * 7919) % 5003 is 5002, 5001, 5000 for i = 863, 1726, 2589.
  EXPECT_EQ(*r, (Lines{"863,5002", "1726,5001", "2589,5000"}));
  auto all = Run("SELECT k, n FROM t ORDER BY n DESC", tight);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), Status::Code::kResourceExhausted);
  EXPECT_NE(all.status().message().find("ORDER BY needs more than 65536 bytes"), std::string::npos)
      << all.status().ToString();
}

TEST_F(ExecutorTest, GroupLimitAndMemoryLimit) {
  for (int i = 0; i < 100; ++i) Add(std::to_string(i) + "|a||" + std::to_string(i) + "||");
  QueryLimits limits;
  limits.max_groups = 99;
  auto r = Run("SELECT n, count(*) FROM t GROUP BY n", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "GROUP BY produced more than 99 groups (the limit)");
  limits.max_groups = 100;
  EXPECT_TRUE(Run("SELECT n, count(*) FROM t GROUP BY n", limits).ok());
  QueryLimits memory;
  memory.max_memory_bytes = 1000;
  auto d = Run("SELECT count(DISTINCT n) FROM t", memory);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("count(DISTINCT ...) needs more than 1000 bytes"),
            std::string::npos)
      << d.status().ToString();
}

TEST_F(ExecutorTest, DoubleAndDateAggregates) {
  AddSample();
  EXPECT_EQ(Rows("SELECT sum(x), avg(x), min(x), max(dt) FROM t"),
            (Lines{"14.5,2.8999999999999999,0.5,1994-06-01"}));
}

}  // namespace
}  // namespace pushdown::query

namespace pushdown::query {
namespace {

// Partials merged after the rows (the device's aggregates of the blocks it
// ran) give what feeding every row gives, at every split: groups met only in
// the partials, NULL keys, NULL inputs, exact decimal averages, overflow.
TEST_F(ExecutorTest, PartialsMergeAsIfTheirRowsWereFed) {
  AddSample();
  Add("7|c|9.99|70|6.5|1993-01-01");
  Add("8||0.50||7.5|1999-01-01");
  const std::vector<std::string> queries = {
      "SELECT count(*), count(n), sum(d), avg(d), min(dt), max(k), avg(n), min(d) FROM t",
      "SELECT g, count(*), sum(n), avg(d), min(d), max(dt), count(dt) FROM t GROUP BY g "
      "ORDER BY g",
      "SELECT g, sum(d) AS s FROM t GROUP BY g HAVING count(*) > 1 ORDER BY s DESC",
      "SELECT n % 20 AS m, max(d) FROM t GROUP BY n % 20 ORDER BY m",
  };
  for (const std::string& sql : queries) {
    const Lines want = Rows(sql);
    ASSERT_FALSE(want.empty()) << sql;
    for (size_t split = 0; split <= values_.size(); ++split) {
      auto got = Run(sql, {}, nullptr, split);
      ASSERT_TRUE(got.ok()) << sql << " split " << split << ": " << got.status().ToString();
      EXPECT_EQ(*got, want) << sql << " split " << split;
    }
  }
  // A sum that overflows only once the partials are in.
  Add("9|a|1.00|9000000000000000000|1.0|1994-01-01");
  Add("10|a|1.00|9000000000000000000|1.0|1994-01-01");
  auto all = Run("SELECT sum(n) FROM t");
  ASSERT_TRUE(all.status().IsNotSupported()) << all.status().ToString();
  auto split = Run("SELECT sum(n) FROM t", {}, nullptr, values_.size() - 1);
  EXPECT_EQ(split.status().ToString(), all.status().ToString());
}

TEST_F(ExecutorTest, PartialsOnlyWhereTheyAreExact) {
  auto bound = [&](const char* sql) {
    auto st = bpfgen::sql::ParseSelect(sql);
    EXPECT_TRUE(st.ok());
    auto q = bpfgen::sql::Bind(std::move(*st), schema_);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return std::move(*q);
  };
  EXPECT_TRUE(CheckPartialsAllowed(bound("SELECT count(*), sum(d), min(x) FROM t")).ok());
  EXPECT_TRUE(CheckPartialsAllowed(bound("SELECT sum(x) FROM t")).IsNotSupported());
  EXPECT_TRUE(CheckPartialsAllowed(bound("SELECT avg(x) FROM t")).IsNotSupported());
  EXPECT_TRUE(CheckPartialsAllowed(bound("SELECT count(DISTINCT g) FROM t")).IsNotSupported());
  EXPECT_TRUE(CheckPartialsAllowed(bound("SELECT k FROM t")).IsNotSupported());
  AddSample();
  auto r = Run("SELECT sum(x) FROM t", {}, nullptr, 2);
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
}

}  // namespace
}  // namespace pushdown::query
