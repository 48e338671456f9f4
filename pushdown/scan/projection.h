// Projection: what a scan returns for each row that passed the predicate.
//
// Row::key is always the user key. Then either the whole value (Projection::all)
// or the listed columns as Datums (bpfgen/schema/datum.h; the column's Type is
// in the schema), decoded with the row codec after the value is checked
// well-formed. Raw mode: column 0 `key`, column 1 `value`, as BYTES.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
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
  std::string value;                   // projection.all only
  std::vector<bpfgen::Datum> columns;  // !projection.all only
};

class Projector {
 public:
  // REQUIRES: schema outlives the projector. Checks the column indices.
  static Result<Projector> Make(const bpfgen::Schema& schema, Projection projection);

  // Fills *row (reusing its buffers). Corruption if a value is not a
  // well-formed row for the schema (row_codec.h ValidateRow).
  Status Project(std::string_view user_key, std::string_view value, Row* row) const;

 private:
  Projector() = default;

  const bpfgen::Schema* schema_ = nullptr;
  Projection projection_;
  bpfgen::RowLayout layout_;  // schema mode with a column list only
};

}  // namespace pushdown::exec
