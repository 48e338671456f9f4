#include "pushdown/scan/row_cursor.h"

#include <utility>

namespace pushdown::exec {

RowCursor::RowCursor(std::vector<EntryStream*> streams, uint64_t snapshot, RowFilter residual,
                     std::optional<Projector> projector, uint64_t limit, KeyRange range,
                     const FragmentedTombstones* tombstones)
    : merge_(std::move(streams), snapshot, std::move(range), tombstones),
      residual_(std::move(residual)),
      projector_(std::move(projector)),
      limit_(limit) {}

Result<bool> RowCursor::Step() {
  if (!started_) {
    started_ = true;
    merge_.SeekToFirst();
  } else {
    merge_.Next();
  }
  for (; merge_.Valid(); merge_.Next()) {
    ++candidates_;
    if (residual_) {
      Result<bool> keep = residual_(merge_.user_key(), merge_.value());
      if (!keep.ok()) {
        status_ = keep.status();
        return status_;
      }
      if (!*keep) continue;
    }
    return true;
  }
  status_ = merge_.status();
  done_ = true;
  if (!status_.ok()) return status_;
  return false;
}

Status RowCursor::Next(Row* row) {
  valid_ = false;
  if (!status_.ok()) return status_;
  if (done_) return Status::OK();
  if (rows_ >= limit_) {
    done_ = true;
    return Status::OK();
  }
  PD_ASSIGN_OR_RETURN(bool found, Step());
  if (!found) return Status::OK();
  if (projector_) {
    status_ = projector_->Project(merge_.user_key(), merge_.value(), row);
    if (!status_.ok()) return status_;
  } else {
    row->key.assign(merge_.user_key());
    row->value.assign(merge_.value());
    row->columns.clear();
  }
  ++rows_;
  valid_ = true;
  return Status::OK();
}

Status RowCursor::NextBatch(RowBatch* batch, size_t max_rows) {
  valid_ = false;
  batch->Clear();
  if (!status_.ok()) return status_;
  if (max_rows == 0) max_rows = 1;
  const RowBatchLayout& layout = *batch->layout();
  while (!done_ && batch->size() < max_rows && batch->bytes() < kMaxBatchBytes) {
    if (rows_ >= limit_) {
      done_ = true;
      break;
    }
    // An error after some rows: those rows are returned now and the error
    // by the next call (sticky), as the row API returns rows until it fails.
    Result<bool> found = Step();
    if (!found.ok()) return batch->empty() ? found.status() : Status::OK();
    if (!*found) break;
    const std::string_view value = merge_.value();
    status_ = layout.Validate(value);
    if (!status_.ok()) return batch->empty() ? status_ : Status::OK();
    batch->Append(merge_.user_key(), value);
    ++rows_;
  }
  return Status::OK();
}

}  // namespace pushdown::exec
