#include "pushdown/scan/row_batch.h"

#include <utility>

#include "bpfgen/schema/row_codec.h"

namespace pushdown::exec {

Result<std::shared_ptr<const RowBatchLayout>> RowBatchLayout::Make(
    std::shared_ptr<const bpfgen::Schema> schema, std::vector<int> columns) {
  if (schema == nullptr) return Status::InvalidArgument("row batch layout without a schema");
  std::shared_ptr<RowBatchLayout> l(new RowBatchLayout());
  const int n = schema->raw ? 2 : static_cast<int>(schema->columns.size());
  for (int c : columns) {
    if (c < 0 || c >= n) {
      return Status::InvalidArgument("row batch: column index " + std::to_string(c) +
                                     " out of range");
    }
  }
  if (!schema->raw) l->layout_ = bpfgen::RowLayout::Compute(*schema);
  for (int c : columns) {
    Access a;
    if (schema->raw) {
      a.kind = c == 0 ? Kind::kKey : Kind::kValue;
      l->access_.push_back(a);
      continue;
    }
    const bpfgen::Column& col = schema->columns[c];
    const bpfgen::ColumnLayout& cl = l->layout_.columns[c];
    a.nullable = col.nullable;
    a.null_byte = cl.null_byte;
    a.null_mask = cl.null_mask;
    a.offset = cl.offset;
    a.width = cl.width;
    switch (col.type.id) {
      case bpfgen::TypeId::kBool:
        a.kind = Kind::kBool;
        break;
      case bpfgen::TypeId::kInt32:
      case bpfgen::TypeId::kDate:
        a.kind = Kind::kInt32;
        break;
      case bpfgen::TypeId::kInt64:
      case bpfgen::TypeId::kDecimal:
        a.kind = Kind::kInt64;
        break;
      case bpfgen::TypeId::kDouble:
        a.kind = Kind::kDouble;
        break;
      case bpfgen::TypeId::kChar:
        a.kind = Kind::kChar;
        break;
      case bpfgen::TypeId::kVarchar:
      case bpfgen::TypeId::kBytes:
        a.kind = Kind::kVar;
        a.first_var = cl.var_index == 0;
        break;
      case bpfgen::TypeId::kNull:
        return Status::Internal("row batch: column '" + col.name + "' of type NULL");
    }
    l->access_.push_back(a);
  }
  l->schema_ = std::move(schema);
  l->columns_ = std::move(columns);
  return std::shared_ptr<const RowBatchLayout>(std::move(l));
}

Status RowBatchLayout::Validate(std::string_view value) const {
  if (schema_->raw) return Status::OK();
  return bpfgen::ValidateRow(layout_, value);
}

void RowBatch::GetDatum(size_t row, size_t col, bpfgen::Datum* out) const {
  const RowBatchLayout::Access& a = access(col);
  if (IsNull(row, col)) {
    out->null = true;
    out->i = 0;
    out->d = 0;
    out->s.clear();
    return;
  }
  out->null = false;
  out->i = 0;
  out->d = 0;
  switch (a.kind) {
    case RowBatchLayout::Kind::kBool:
    case RowBatchLayout::Kind::kInt32:
    case RowBatchLayout::Kind::kInt64:
      out->i = GetInt64(row, col);
      out->s.clear();
      return;
    case RowBatchLayout::Kind::kDouble:
      out->d = GetDouble(row, col);
      out->s.clear();
      return;
    case RowBatchLayout::Kind::kKey:
    case RowBatchLayout::Kind::kValue:
    case RowBatchLayout::Kind::kChar:
    case RowBatchLayout::Kind::kVar:
      out->s.assign(GetString(row, col));
      return;
  }
}

void RowBatch::Truncate(size_t rows) {
  if (rows >= rows_.size()) return;
  arena_.resize(rows_[rows].offset);
  rows_.resize(rows);
}

}  // namespace pushdown::exec
