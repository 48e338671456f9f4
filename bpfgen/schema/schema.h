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

  bool is_key() const { return key_position >= 0; }
  // Memberwise. Written out (not `= default`): public headers stay C++17.
  friend bool operator==(const Column& a, const Column& b) {
    return a.name == b.name && a.type == b.type && a.nullable == b.nullable &&
           a.key_position == b.key_position;
  }
  friend bool operator!=(const Column& a, const Column& b) { return !(a == b); }
};

// DDL limits (ParseSchema rejects more).
inline constexpr int kMaxColumns = 1024;
inline constexpr uint32_t kMaxStringLength = 65535;  // CHAR(n)/VARCHAR(n): 1 <= n <= this

struct Schema {
  std::vector<Column> columns;
  std::vector<int> key_columns;  // indices into columns, in key order
  bool raw = false;

  static Schema Raw();
  // Index of the column named `name` (case-insensitive), or -1.
  int FindColumn(std::string_view name) const;
  // The canonical DDL: ParseSchema(s.ToDdl()) == s. Raw() renders as "RAW".
  std::string ToDdl() const;

  // Memberwise (written out for C++17, as Column's).
  friend bool operator==(const Schema& a, const Schema& b) {
    return a.columns == b.columns && a.key_columns == b.key_columns && a.raw == b.raw;
  }
  friend bool operator!=(const Schema& a, const Schema& b) { return !(a == b); }
};

// Parses the DDL. Errors are InvalidArgument with "1:col: message" positions
// (line:column, 1-based, of the offending token). Grammar, keywords
// case-insensitive:
//   ddl     := column { ',' column }  |  RAW        (RAW: Schema::Raw())
//   column  := name type { KEY | NOT NULL }
//   type    := BOOL | INT32 | INT64 | DECIMAL '(' p ',' s ')' | DATE | DOUBLE
//            | CHAR '(' n ')' | VARCHAR '(' n ')'
// At least one KEY column; no duplicate names (case-insensitive); no column
// named like a predicate-language keyword (AND OR NOT IS NULL BETWEEN IN LIKE
// TRUE FALSE DATE).
Result<Schema> ParseSchema(std::string_view ddl);

}  // namespace pushdown::bpfgen
