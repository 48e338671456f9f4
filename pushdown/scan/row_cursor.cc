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

Status RowCursor::Next(Row* row) {
  valid_ = false;
  if (!status_.ok()) return status_;
  if (done_) return Status::OK();
  if (rows_ >= limit_) {
    done_ = true;
    return Status::OK();
  }
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
  status_ = merge_.status();
  done_ = true;
  return status_;
}

}  // namespace pushdown::exec
