// Encoding and decoding of row values in format v1 (row_layout.h,
// ROW_FORMAT.md).
//
// A value is WELL-FORMED iff (ValidateRow):
//   1. value.size() >= layout.min_value_size;
//   2. value[0] == kRowFormatVersion;
//   3. the VARCHAR end table is monotone within the value:
//      var_data_offset <= end[0] <= end[1] <= ... <= end[num_var-1] <= value.size().
// Bytes after the last VARCHAR end (or after the fixed part when there are no
// VARCHAR columns) are ignored. Readers interpret, never reject, the contents:
//   - a NOT NULL column's null bit is ignored (writers write 0);
//   - BOOL: byte 0 is FALSE, any other byte TRUE;
//   - INT32/DATE/INT64/DECIMAL/DOUBLE: any bit pattern (ranges are writer-side);
//   - CHAR(n): the n stored bytes with trailing spaces (0x20) removed.
// Generated filter programs implement the same rules, so every path agrees on
// which rows are malformed and on the value of every column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/schema.h"
#include "util/status.h"

namespace pushdown::bpfgen {

// Checks that `value` fits column `column`: InvalidArgument for a NULL in a NOT
// NULL column, BOOL not 0/1, INT32 outside int32, DATE outside
// 0001-01-01..9999-12-31, DECIMAL(p,s) with |v| > 10^p - 1, CHAR(n) longer
// than n after removing trailing spaces, VARCHAR(n) longer than n bytes.
Status ValidateDatum(const Column& column, const Datum& value);

// Replaces *out with the encoding of `row` (one Datum per schema column).
// REQUIRES: !schema.raw; layout == RowLayout::Compute(schema).
// InvalidArgument if row has the wrong number of columns or a datum fails
// ValidateDatum.
Status EncodeRow(const Schema& schema, const RowLayout& layout, const std::vector<Datum>& row,
                 std::string* out);

// Corruption unless `value` is well-formed (see above). Never reads outside
// `value`.
Status ValidateRow(const RowLayout& layout, std::string_view value);

// Decodes every column. Corruption if the value is not well-formed.
Status DecodeRow(const Schema& schema, const RowLayout& layout, std::string_view value,
                 std::vector<Datum>* row);

// Decodes one column. Checks the version, the minimum size and, for a
// non-NULL VARCHAR, its own var-table entries (var_data_offset <= start <= end
// <= size) — not the whole row: call ValidateRow once first to apply the full
// well-formedness rule (the reference evaluator does).
// REQUIRES: 0 <= column < schema.columns.size().
Status DecodeColumn(const Schema& schema, const RowLayout& layout, std::string_view value,
                    int column, Datum* out);

}  // namespace pushdown::bpfgen
