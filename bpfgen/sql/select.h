// The SELECT statement layer (docs/SQL.md): one single-table SELECT, parsed
// into an untyped statement whose expressions are trees of the predicate
// language (bpfgen/lang/ast.h), so that WHERE is exactly that language and
// every expression has its semantics. RocksDB-agnostic.
//
//   select  := SELECT [DISTINCT] item {',' item} FROM source
//              [WHERE expr] [GROUP BY expr {',' expr}] [HAVING expr]
//              [ORDER BY key {',' key}] [LIMIT n [OFFSET m]] [';']
//   item    := '*' | expr [[AS] alias]
//   source  := table | raw '.' column_family | raw
//   key     := expr [ASC | DESC] [NULLS FIRST | NULLS LAST]
//
// Aggregate calls (count(*), count([DISTINCT] e), sum, avg, min, max, each
// with an optional DISTINCT) may appear in the select list, HAVING and ORDER
// BY, inside expressions (sum(a) / count(*)). In the tree an aggregate is a
// kColumn node named "$a<i>" (a name no identifier can spell), i indexing
// SelectStatement::aggregates.
//
// Everything else SQL has (joins, subqueries, set operations, window
// functions, CTEs, CASE, ...) is InvalidArgument with the construct's
// line:column and a caret: "1:25: joins are not supported (one table per
// query)".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/lang/parser.h"
#include "util/status.h"

namespace pushdown::bpfgen::sql {

struct SelectItem {
  bool star = false;  // '*': every column of the source
  ExprPtr expr;       // null for '*'
  std::string alias;  // "" = none
  std::string text;   // the expression as written (the default column name)
  SourceRange range;
};

struct OrderKey {
  ExprPtr expr;
  bool desc = false;
  std::optional<bool> nulls_first;  // unset: NULLs are the smallest value
  SourceRange range;
};

struct SelectStatement {
  std::string text;  // the whole statement (diagnostic ranges point into it)
  bool distinct = false;
  std::vector<SelectItem> items;
  // FROM: a table, or raw.<column family>; a bare `raw` leaves `from` empty
  // (the caller's default column family).
  bool from_raw = false;
  std::string from;
  SourceRange from_range;
  ExprPtr where;           // null: no WHERE
  std::string where_text;  // WHERE as predicate-language text (tokens re-joined)
  std::vector<ExprPtr> group_by;
  bool has_group_by = false;
  ExprPtr having;
  std::vector<OrderKey> order_by;
  std::optional<uint64_t> limit;
  uint64_t offset = 0;
  // Every aggregate call, in order of appearance; "$a<i>" is aggregates[i].
  std::vector<AggregateCall> aggregates;
  std::vector<std::string> aggregate_texts;  // the calls as written
};

// The name of the placeholder column of aggregate i ("$a3").
std::string AggregateColumn(size_t i);
// i if `name` is "$a<i>", else -1.
int AggregateIndex(std::string_view name);

// Parses one SELECT statement. Errors are InvalidArgument with the full
// diagnostic ("line:column: message", the line, a caret line).
Result<SelectStatement> ParseSelect(std::string_view text);

}  // namespace pushdown::bpfgen::sql
