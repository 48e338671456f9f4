// Table schema, parsed from the compact DDL:
//   l_orderkey INT64 KEY, l_linenumber INT32 KEY, l_quantity DECIMAL(15,2) NOT NULL, ...
// Columns are nullable unless NOT NULL; KEY columns (in declaration order)
// form the primary key and are implicitly NOT NULL.
//
// Raw mode (a DB with no schema, e.g. filled by stock db_bench) is the schema
// Schema::Raw(): column 0 `key` (BYTES, the user key), column 1 `value` (BYTES).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/types.h"
#include "util/status.h"

namespace pushdown::bpfgen {

struct Column {
  std::string name;  // as declared; lookups are case-insensitive
  Type type;
  bool nullable = true;
  int key_position = -1;  // 0-based position in the primary key, -1 if not a key column
};

struct Schema {
  std::vector<Column> columns;
  std::vector<int> key_columns;  // indices into columns, in key order
  bool raw = false;

  static Schema Raw();
  // Index of the column named `name` (case-insensitive), or -1.
  int FindColumn(std::string_view name) const;
  // The canonical DDL: ParseSchema(s.ToDdl()) == s.
  std::string ToDdl() const;
};

// Parses the DDL. Errors are InvalidArgument with "1:col: message" positions.
Result<Schema> ParseSchema(std::string_view ddl);

}  // namespace pushdown::bpfgen
