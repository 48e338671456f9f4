// Projection: what a scan returns for each row that passed the predicate.
//
// Row::key is always the user key. Then either the whole value (Projection::all)
// or the listed columns, each as the bytes the row format stores:
//   fixed-width columns: their little-endian bytes (CHAR(n): n bytes, padded);
//   VARCHAR: its bytes; raw mode: column 0 `key`, column 1 `value` (bytes);
//   a NULL column: std::nullopt.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/schema.h"
#include "util/status.h"

namespace pushdown::exec {

struct Projection {
  bool all = true;           // whole value
  std::vector<int> columns;  // !all: schema column indices, in output order

  static Projection All() { return {}; }
  static Projection Columns(std::vector<int> cols) { return {false, std::move(cols)}; }
};

struct Row {
  std::string key;
  std::string value;                                // projection.all only
  std::vector<std::optional<std::string>> columns;  // !projection.all only
};

class Projector {
 public:
  // REQUIRES: schema outlives the projector. Checks the column indices.
  static Result<Projector> Make(const bpfgen::Schema& schema, Projection projection);

  // Fills *row (reusing its buffers). Corruption if a value is not a valid row
  // for the schema (shorter than the fixed part, var table out of range).
  Status Project(std::string_view user_key, std::string_view value, Row* row) const;

 private:
  Projector() = default;

  const bpfgen::Schema* schema_ = nullptr;
  Projection projection_;
  bpfgen::RowLayout layout_;  // schema mode with a column list only
};

}  // namespace pushdown::exec
