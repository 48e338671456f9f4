#include "pushdown/scan/projection.h"

#include "bpfgen/schema/row_codec.h"

namespace pushdown::exec {

Result<Projector> Projector::Make(const bpfgen::Schema& schema, Projection projection) {
  Projector p;
  p.schema_ = &schema;
  if (!projection.all) {
    const int n = schema.raw ? 2 : static_cast<int>(schema.columns.size());
    for (int c : projection.columns) {
      if (c < 0 || c >= n) {
        return Status::InvalidArgument("projection: column index " + std::to_string(c) +
                                       " out of range");
      }
    }
    if (!schema.raw) p.layout_ = bpfgen::RowLayout::Compute(schema);
  }
  p.projection_ = std::move(projection);
  return p;
}

Status Projector::Project(std::string_view user_key, std::string_view value, Row* row) const {
  row->key.assign(user_key);
  if (projection_.all) {
    row->value.assign(value);
    row->columns.clear();
    return Status::OK();
  }
  row->value.clear();
  row->columns.resize(projection_.columns.size());
  if (schema_->raw) {
    for (size_t i = 0; i < projection_.columns.size(); ++i) {
      row->columns[i] = bpfgen::Datum::String(projection_.columns[i] == 0 ? user_key : value);
    }
    return Status::OK();
  }
  PD_RETURN_IF_ERROR(bpfgen::ValidateRow(layout_, value));
  for (size_t i = 0; i < projection_.columns.size(); ++i) {
    PD_RETURN_IF_ERROR(
        bpfgen::DecodeColumn(*schema_, layout_, value, projection_.columns[i], &row->columns[i]));
  }
  return Status::OK();
}

}  // namespace pushdown::exec
