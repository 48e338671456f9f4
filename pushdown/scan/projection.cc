#include "pushdown/scan/projection.h"

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
    if (!schema.raw) {
      // Waits for bpfgen/schema's row layout implementation (RowLayout::Compute).
      return Status::NotSupported("projection: column lists on schema rows are not wired yet");
    }
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
      row->columns[i] = std::string(projection_.columns[i] == 0 ? user_key : value);
    }
    return Status::OK();
  }
  return Status::Internal("projection: schema column projection without a layout");
}

}  // namespace pushdown::exec
