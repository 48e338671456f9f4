// RowCursor: the device-agnostic scan pipeline over filtered per-file streams:
// exact LSM merge (lsm_merge.h) -> residual predicate -> projection -> limit.
// Pull-based and streaming: memory is bounded by what the streams hold (one
// batch per file), never by the result size.
//
//   RowCursor cursor(...);
//   Row row;
//   for (;;) {
//     PD_RETURN_IF_ERROR(cursor.Next(&row));
//     if (!cursor.Valid()) break;
//     Use(row);
//   }
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "pushdown/scan/entry_stream.h"
#include "pushdown/scan/key_range.h"
#include "pushdown/scan/lsm_merge.h"
#include "pushdown/scan/projection.h"
#include "pushdown/scan/row_batch.h"
#include "util/status.h"

namespace pushdown::exec {

// The host-side (residual) part of the predicate. True = keep the row. An
// error stops the scan with that status. An empty RowFilter is TRUE.
using RowFilter = std::function<Result<bool>(std::string_view user_key, std::string_view value)>;

inline constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

class RowCursor {
 public:
  // `streams` newest first (see LsmMergeCursor); not owned, must outlive the
  // cursor. `projector` empty = whole value. Only user keys in `range` become
  // rows (LsmMergeCursor cuts the rest).
  RowCursor(std::vector<EntryStream*> streams, uint64_t snapshot, RowFilter residual,
            std::optional<Projector> projector, uint64_t limit = kNoLimit, KeyRange range = {},
            const FragmentedTombstones* tombstones = nullptr);

  // Produces the next row into *row. OK and Valid(): *row is the next row.
  // OK and !Valid(): the scan is complete. Otherwise the error (sticky:
  // further calls return it again) and !Valid().
  Status Next(Row* row);
  bool Valid() const { return valid_; }

  // Batch form of Next: replaces *batch's rows with up to max_rows (>= 1)
  // next rows, as key + whole value (row_batch.h; the projector is not used:
  // the batch's layout decodes columns lazily). Each value is checked with
  // batch->layout()->Validate first (Corruption, as the projection would
  // report). OK and batch->size() > 0: rows. OK and empty: the scan is
  // complete. Else the error (sticky; an error after some rows of a batch
  // is returned by the next call, after those rows). Next and NextBatch may be mixed: both
  // continue where the other stopped. Afterwards Valid() is false.
  // REQUIRES: batch->layout() != nullptr.
  Status NextBatch(RowBatch* batch, size_t max_rows);
  // The scan is complete (or failed): no further row.
  bool done() const { return done_ || !status_.ok(); }

  uint64_t entries_seen() const { return merge_.entries_seen(); }
  uint64_t keys_hidden_by_range_deletion() const { return merge_.keys_hidden_by_range_deletion(); }
  // Rows that passed the device predicate and were visible (before the residual).
  uint64_t candidates() const { return candidates_; }
  uint64_t rows_returned() const { return rows_; }

 private:
  // Moves the merge to the next row that passes the residual (true) or to
  // the end (false; done_ set, status_ = the merge's). Errors are sticky.
  Result<bool> Step();

  LsmMergeCursor merge_;
  RowFilter residual_;
  std::optional<Projector> projector_;
  uint64_t limit_;
  bool started_ = false;
  bool valid_ = false;
  bool done_ = false;
  Status status_;
  uint64_t candidates_ = 0;
  uint64_t rows_ = 0;
};

}  // namespace pushdown::exec
