// The row value format, version 1 (documented with a worked example in
// bpfgen/schema/ROW_FORMAT.md). Every column, key columns included, is stored
// in the value, so a filter needs only the value to evaluate any predicate;
// the key (bpfgen/schema/key_codec.h) exists for ordering.
//
//   offset 0          u8   format version (= 1)
//   offset 1          null bitmap: ceil(n/8) bytes; bit (i % 8) of byte (i / 8)
//                     set <=> column i is NULL
//   fixed_offset      fixed-width columns in schema order, little-endian, no
//                     padding: BOOL 1 (0/1), INT32 4, DATE 4 (int32 days),
//                     INT64 8, DECIMAL 8 (int64 scaled), DOUBLE 8 (IEEE bits),
//                     CHAR(n) n (space padded). A NULL column's bytes are 0.
//   var_table_offset  one u32 LE per VARCHAR column, in schema order: the END
//                     offset (from the start of the value) of its bytes
//   var_data_offset   VARCHAR bytes, concatenated in schema order; column k's
//                     bytes are [end[k-1] (or var_data_offset for the first), end[k])
//
// So a fixed column is at a constant offset (O(1) for a BPF program), and a
// VARCHAR column costs two u32 loads. A value shorter than min_value_size, or
// whose var table is not monotone within the value, is malformed.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfgen/schema/schema.h"

namespace pushdown::bpfgen {

inline constexpr uint8_t kRowFormatVersion = 1;

struct ColumnLayout {
  bool fixed = true;
  uint32_t offset = 0;     // fixed: byte offset in the value; var: offset of its u32 end entry
  uint32_t width = 0;      // fixed: bytes; var: 0
  int var_index = -1;      // var: index among VARCHAR columns
  uint32_t null_byte = 0;  // offset of the byte holding its null bit
  uint8_t null_mask = 0;   // mask of its null bit in that byte
};

struct RowLayout {
  uint32_t null_bitmap_offset = 1;
  uint32_t null_bitmap_size = 0;
  uint32_t fixed_offset = 0;
  uint32_t fixed_size = 0;
  uint32_t var_table_offset = 0;
  uint32_t num_var = 0;
  uint32_t var_data_offset = 0;       // == min_value_size
  uint32_t min_value_size = 0;        // a well-formed value is at least this long
  std::vector<ColumnLayout> columns;  // parallel to Schema::columns

  // REQUIRES: !schema.raw
  static RowLayout Compute(const Schema& schema);
};

}  // namespace pushdown::bpfgen
