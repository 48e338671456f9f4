// Binding: a parsed SELECT (select.h) against the schema of its source, with
// every expression type-checked (bpfgen/lang/typecheck.h) and the aggregate
// structure resolved. The result is what the executor (pushdown/query) runs.
//
// A query is an aggregate query when it has GROUP BY, HAVING, an aggregate
// call or SELECT DISTINCT (DISTINCT = GROUP BY every output). Then the select
// list, HAVING and ORDER BY see one row per group, whose columns are the
// group keys "$g<i>" and the aggregates "$a<i>" (group_schema); a column of
// the table outside an aggregate must be (part of) a GROUP BY expression
// written the same way, else InvalidArgument "column 'x' must appear in GROUP
// BY or be used in an aggregate function" at the column.
//
// Result types (docs/SQL.md): count -> INT64; sum of DECIMAL(p,s) ->
// DECIMAL(18,s), of integers -> INT64, of DOUBLE -> DOUBLE; avg of
// DECIMAL(p,s) -> DECIMAL(18, min(s+6, 18)), of integers or DOUBLE -> DOUBLE;
// min/max -> the argument's type.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/sql/select.h"
#include "util/status.h"

namespace pushdown::bpfgen::sql {

enum class AggKind { kCountStar, kCount, kSum, kAvg, kMin, kMax };

struct BoundAggregate {
  AggKind kind = AggKind::kCountStar;
  bool distinct = false;
  ExprPtr arg;       // typed over the input schema; null for count(*)
  Type type;         // result type
  std::string text;  // as written, for errors ("sum(l_quantity)")
};

struct BoundOrderKey {
  ExprPtr expr;  // over the input schema (plain query) or group_schema (aggregate query)
  bool desc = false;
  bool nulls_first = true;  // NULLs are the smallest value unless NULLS FIRST/LAST says
};

struct BoundQuery {
  std::string text;
  Schema input_schema;
  std::string where_text;  // the scan's predicate ("" = TRUE)
  bool aggregate = false;
  std::vector<ExprPtr> group_by;  // typed over input_schema
  std::vector<BoundAggregate> aggregates;
  Schema group_schema;  // $g0.. (group keys) then $a0.. (aggregates)
  std::vector<std::string> names;
  std::vector<Type> types;
  std::vector<ExprPtr> outputs;  // over input_schema, or group_schema if aggregate
  ExprPtr having;                // over group_schema; null = none
  std::vector<BoundOrderKey> order_by;
  std::optional<uint64_t> limit;
  uint64_t offset = 0;
};

// REQUIRES: `schema` is the schema of statement.from (Schema::Raw() for raw.<cf>).
Result<BoundQuery> Bind(SelectStatement statement, const Schema& schema);

// Structural equality of two untyped trees (column names case-insensitive).
bool SameExpr(const Expr& a, const Expr& b);

}  // namespace pushdown::bpfgen::sql
