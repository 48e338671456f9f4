// The SELECT parser and binder (bpfgen/sql): the accepted subset, and every
// unsupported construct as an error at its line:column with a caret.
#include <gtest/gtest.h>

#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"
#include "bpfgen/sql/bind.h"
#include "bpfgen/sql/select.h"

namespace pushdown::bpfgen::sql {
namespace {

Schema Lineitem() { return *ParseSchema(kLineitemDdl); }

Result<BoundQuery> BindText(std::string_view text, const Schema& schema = Lineitem()) {
  PD_ASSIGN_OR_RETURN(SelectStatement st, ParseSelect(text));
  return Bind(std::move(st), schema);
}

// The first line of an error's diagnostic ("1:25: message").
std::string FirstLine(const Status& s) {
  const std::string& m = s.message();
  return m.substr(0, m.find('\n'));
}

TEST(SelectParser, ParsesEveryClause) {
  auto st = ParseSelect(
      "select l_returnflag AS f, count(*) n, sum(l_quantity) FROM lineitem "
      "WHERE l_quantity < 24 AND l_shipmode = 'AIR' GROUP BY l_returnflag HAVING count(*) > 1 "
      "ORDER BY f DESC NULLS LAST, 2 LIMIT 10 OFFSET 5;");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_EQ(st->items.size(), 3u);
  EXPECT_EQ(st->items[0].alias, "f");
  EXPECT_EQ(st->items[1].alias, "n");
  EXPECT_EQ(st->items[2].text, "sum(l_quantity)");
  EXPECT_EQ(st->from, "lineitem");
  EXPECT_FALSE(st->from_raw);
  EXPECT_EQ(st->where_text, "l_quantity < 24 AND l_shipmode = 'AIR'");
  EXPECT_EQ(st->group_by.size(), 1u);
  ASSERT_TRUE(st->having);
  ASSERT_EQ(st->order_by.size(), 2u);
  EXPECT_TRUE(st->order_by[0].desc);
  EXPECT_EQ(st->order_by[0].nulls_first, std::optional<bool>(false));
  EXPECT_EQ(st->limit, std::optional<uint64_t>(10));
  EXPECT_EQ(st->offset, 5u);
  // count(*) twice (select list and HAVING), sum once.
  ASSERT_EQ(st->aggregates.size(), 3u);
  EXPECT_TRUE(st->aggregates[0].star);
  EXPECT_EQ(st->aggregate_texts[2], "count(*)");
}

TEST(SelectParser, RawColumnFamilyCommentsAndQuotedNames) {
  auto st = ParseSelect("SELECT \"key\" -- the key\nFROM raw.\"my cf\" WHERE u64be(key, 0) > 1");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_TRUE(st->from_raw);
  EXPECT_EQ(st->from, "my cf");
  EXPECT_EQ(st->where_text, "u64be ( key , 0 ) > 1");
  auto dot = ParseSelect("SELECT 1 FROM t WHERE d BETWEEN .06 - 0.01 AND .06 + 0.01");
  ASSERT_TRUE(dot.ok()) << dot.status().ToString();
  EXPECT_EQ(dot->where_text, "d BETWEEN 0.06 - 0.01 AND 0.06 + 0.01");
  auto bare = ParseSelect("SELECT count(*) FROM raw");
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->from_raw);
  EXPECT_EQ(bare->from, "");
}

TEST(SelectParser, AggregatesInsideExpressionsAndDistinct) {
  auto q = BindText(
      "SELECT l_returnflag, sum(l_extendedprice) / count(*) AS per_row, count(DISTINCT "
      "l_shipmode) FROM lineitem GROUP BY l_returnflag");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_TRUE(q->aggregate);
  ASSERT_EQ(q->aggregates.size(), 3u);
  EXPECT_TRUE(q->aggregates[2].distinct);
  EXPECT_EQ(q->names,
            (std::vector<std::string>{"l_returnflag", "per_row", "count(DISTINCT l_shipmode)"}));
}

TEST(SelectParser, ResultTypes) {
  auto q = BindText(
      "SELECT sum(l_quantity), avg(l_quantity), avg(l_linenumber), sum(l_linenumber), "
      "count(l_comment), min(l_shipdate), max(l_comment) FROM lineitem");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->types[0], Type::Decimal(18, 2));
  EXPECT_EQ(q->types[1], Type::Decimal(18, 8));
  EXPECT_EQ(q->types[2], Type::Double());
  EXPECT_EQ(q->types[3], Type::Int64());
  EXPECT_EQ(q->types[4], Type::Int64());
  EXPECT_EQ(q->types[5], Type::Date());
  EXPECT_EQ(q->types[6].id, TypeId::kVarchar);
}

TEST(SelectParser, StarAndOrderByOrdinalAndAlias) {
  auto q = BindText("SELECT * FROM lineitem ORDER BY 2 DESC, l_orderkey");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->names.size(), Lineitem().columns.size());
  EXPECT_EQ(q->names[0], "l_orderkey");
  EXPECT_EQ(q->order_by.size(), 2u);
  EXPECT_TRUE(q->order_by[0].desc);
  EXPECT_FALSE(q->order_by[0].nulls_first);  // NULLs last descending
  EXPECT_TRUE(q->order_by[1].nulls_first);   // first ascending
  auto alias = BindText("SELECT l_quantity * 2 AS q2 FROM lineitem ORDER BY q2");
  ASSERT_TRUE(alias.ok()) << alias.status().ToString();
  EXPECT_EQ(alias->order_by[0].expr->type, alias->types[0]);
}

struct ErrorCase {
  const char* sql;
  const char* first_line;  // "line:column: message"
};

TEST(SelectParser, UnsupportedConstructsArePositionedErrors) {
  const ErrorCase cases[] = {
      {"SELECT * FROM lineitem JOIN orders ON l_orderkey = o_orderkey",
       "1:24: joins are not supported (one table per query)"},
      {"SELECT * FROM lineitem LEFT OUTER JOIN orders",
       "1:24: joins are not supported (one table per query)"},
      {"SELECT * FROM lineitem, orders", "1:23: joins are not supported (one table per query)"},
      {"SELECT * FROM lineitem NATURAL JOIN orders",
       "1:24: joins are not supported (one table per query)"},
      {"SELECT * FROM (SELECT * FROM lineitem)", "1:16: subqueries are not supported"},
      {"SELECT * FROM lineitem WHERE l_orderkey IN (SELECT 1)",
       "1:45: subqueries are not supported"},
      {"SELECT * FROM lineitem WHERE EXISTS (x)", "1:30: subqueries are not supported"},
      {"SELECT sum(l_quantity) OVER (PARTITION BY l_orderkey) FROM lineitem",
       "1:24: window functions are not supported"},
      {"SELECT 1 FROM lineitem UNION SELECT 2 FROM lineitem",
       "1:24: set operations (UNION, INTERSECT, EXCEPT) are not supported"},
      {"WITH t AS (SELECT 1) SELECT * FROM t",
       "1:1: WITH (common table expressions) is not supported"},
      {"SELECT CASE WHEN l_quantity > 1 THEN 1 END FROM lineitem",
       "1:8: CASE expressions are not supported"},
      {"DELETE FROM lineitem", "1:1: only SELECT statements are supported"},
      {"SELECT lineitem.l_quantity FROM lineitem",
       "1:16: qualified names (table.column) are not supported; name the column alone"},
      {"SELECT 1 FROM lineitem; SELECT 2", "1:25: subqueries are not supported"},
      {"SELECT 1 FROM lineitem LIMIT 1, 2",
       "1:31: LIMIT n, m is not supported; write LIMIT m OFFSET n"},
      {"SELECT 1 FROM lineitem LIMIT -1", "1:30: LIMIT must be a non-negative integer"},
      {"", "1:1: empty statement; expected SELECT"},
      {"SELECT l_quantity", "1:18: expected FROM (a query reads one table)"},
      {"SELECT * FROM lineitem WHERE sum(l_quantity) > 1",
       "1:30: aggregate functions are not allowed in WHERE (use HAVING)"},
      {"SELECT count(*) FROM lineitem GROUP BY count(*)",
       "1:40: aggregate functions are not allowed in GROUP BY"},
      {"SELECT sum(max(l_quantity)) FROM lineitem", "1:12: aggregate functions cannot be nested"},
      {"SELECT sum(*) FROM lineitem", "1:12: '*' is only an argument of count(*)"},
      {"SELECT count(l_quantity, l_tax) FROM lineitem", "1:24: count() takes one argument"},
      {"SELECT 1 FROM lineitem ORDER BY l_quantity NULLS MIDDLE",
       "1:50: unexpected 'MIDDLE'; expected FIRST or LAST after NULLS"},
      {"SELECT 1 FROM lineitem WHERE l_quantity < 1 GARBAGE",
       "1:45: unexpected 'GARBAGE'; expected WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or "
       "end of statement"},
      {"SELECT \"$a0\" FROM lineitem", "1:8: identifiers starting with '$' are reserved"},
      {"SELECT 1 FROM foo.bar",
       "1:15: 'foo.' is not a schema; FROM names a table or "
       "raw.<column family>"},
  };
  for (const ErrorCase& c : cases) {
    auto st = ParseSelect(c.sql);
    ASSERT_FALSE(st.ok()) << c.sql;
    EXPECT_EQ(st.status().code(), Status::Code::kInvalidArgument) << c.sql;
    EXPECT_EQ(FirstLine(st.status()), c.first_line) << c.sql;
    // The diagnostic has the source line and a caret line.
    EXPECT_NE(st.status().message().find('^'), std::string::npos) << c.sql;
  }
}

TEST(SelectParser, BindErrorsArePositioned) {
  const ErrorCase cases[] = {
      {"SELECT l_quantity FROM lineitem GROUP BY l_returnflag",
       "1:8: column 'l_quantity' must appear in GROUP BY or be used in an aggregate function"},
      {"SELECT l_returnflag, count(*) FROM lineitem HAVING l_tax > 0",
       "1:8: column 'l_returnflag' must appear in GROUP BY or be used in an aggregate function"},
      {"SELECT l_qty FROM lineitem", "1:8: unknown column 'l_qty'"},
      {"SELECT 1 FROM lineitem WHERE l_shipdat > DATE '1994-01-01'",
       "1:30: unknown column 'l_shipdat' (did you mean 'l_shipdate'?)"},
      {"SELECT sum(l_shipmode) FROM lineitem", "1:8: sum of CHAR(10) (needs a numeric expression)"},
      {"SELECT avg(l_shipdate) FROM lineitem", "1:8: avg of DATE (needs a numeric expression)"},
      {"SELECT l_quantity FROM lineitem ORDER BY 3", "1:42: ORDER BY position 3 is not in 1..1"},
      {"SELECT * FROM lineitem GROUP BY l_orderkey",
       "1:8: SELECT * cannot be combined with GROUP BY or aggregates"},
      {"SELECT DISTINCT l_returnflag FROM lineitem ORDER BY l_tax",
       "1:53: column 'l_tax' must appear in the select list of SELECT DISTINCT"},
      {"SELECT count(*) AS n FROM lineitem GROUP BY n",
       "1:45: GROUP BY cannot name an aggregate output"},
      {"SELECT 1 FROM lineitem WHERE l_quantity",
       "1:30: predicate must be BOOL, got DECIMAL(15,2)"},
  };
  for (const ErrorCase& c : cases) {
    auto q = BindText(c.sql);
    ASSERT_FALSE(q.ok()) << c.sql;
    EXPECT_EQ(q.status().code(), Status::Code::kInvalidArgument) << c.sql;
    EXPECT_EQ(FirstLine(q.status()), c.first_line) << c.sql;
  }
}

TEST(SelectParser, GroupByMatchesExpressionsAsWritten) {
  auto q = BindText(
      "SELECT l_quantity * 2 + 1, count(*) FROM lineitem GROUP BY l_quantity * 2 ORDER BY "
      "L_QUANTITY * 2");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->group_by.size(), 1u);
  // GROUP BY an ordinal and an alias.
  EXPECT_TRUE(BindText("SELECT l_shipmode AS m, count(*) FROM lineitem GROUP BY m").ok());
  EXPECT_TRUE(BindText("SELECT l_shipmode, count(*) FROM lineitem GROUP BY 1").ok());
}

TEST(SelectParser, LongAndHostileInputIsAnErrorNotACrash) {
  std::string deep = "SELECT ";
  for (int i = 0; i < 300; ++i) deep += "(";
  deep += "1";
  for (int i = 0; i < 300; ++i) deep += ")";
  deep += " FROM lineitem";
  EXPECT_FALSE(ParseSelect(deep).ok());
  std::string nested_agg = "SELECT sum(";
  for (int i = 0; i < 300; ++i) nested_agg += "(";
  nested_agg += "l_tax";
  for (int i = 0; i < 300; ++i) nested_agg += ")";
  nested_agg += ") FROM lineitem";
  EXPECT_FALSE(ParseSelect(nested_agg).ok());
  EXPECT_FALSE(ParseSelect(std::string("SELECT \0 FROM t", 15)).ok());
  EXPECT_FALSE(ParseSelect("SELECT \"unterminated FROM t").ok());
  EXPECT_FALSE(ParseSelect(std::string(70000, 'x')).ok());
}

}  // namespace
}  // namespace pushdown::bpfgen::sql
