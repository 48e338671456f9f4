#include "bpfgen/schema/row_layout.h"

namespace pushdown::bpfgen {

namespace {

uint32_t FixedWidth(const Type& t) {
  switch (t.id) {
    case TypeId::kBool:
      return 1;
    case TypeId::kInt32:
    case TypeId::kDate:
      return 4;
    case TypeId::kInt64:
    case TypeId::kDecimal:
    case TypeId::kDouble:
      return 8;
    case TypeId::kChar:
      return t.length;
    default:
      return 0;
  }
}

}  // namespace

RowLayout RowLayout::Compute(const Schema& schema) {
  RowLayout layout;
  const uint32_t n = static_cast<uint32_t>(schema.columns.size());
  layout.null_bitmap_offset = 1;
  layout.null_bitmap_size = (n + 7) / 8;
  layout.fixed_offset = layout.null_bitmap_offset + layout.null_bitmap_size;
  layout.columns.resize(n);
  uint32_t fixed_end = layout.fixed_offset;
  uint32_t num_var = 0;
  for (uint32_t i = 0; i < n; ++i) {
    ColumnLayout& c = layout.columns[i];
    c.null_byte = layout.null_bitmap_offset + i / 8;
    c.null_mask = static_cast<uint8_t>(1u << (i % 8));
    const Type& t = schema.columns[i].type;
    if (t.IsFixedWidth()) {
      c.fixed = true;
      c.offset = fixed_end;
      c.width = FixedWidth(t);
      fixed_end += c.width;
    } else {
      c.fixed = false;
      c.var_index = static_cast<int>(num_var++);
    }
  }
  layout.fixed_size = fixed_end - layout.fixed_offset;
  layout.var_table_offset = fixed_end;
  layout.num_var = num_var;
  for (ColumnLayout& c : layout.columns) {
    if (!c.fixed) c.offset = layout.var_table_offset + 4 * static_cast<uint32_t>(c.var_index);
  }
  layout.var_data_offset = layout.var_table_offset + 4 * num_var;
  layout.min_value_size = layout.var_data_offset;
  return layout;
}

}  // namespace pushdown::bpfgen
