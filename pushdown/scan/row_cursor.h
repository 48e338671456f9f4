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

  uint64_t entries_seen() const { return merge_.entries_seen(); }
  uint64_t keys_hidden_by_range_deletion() const { return merge_.keys_hidden_by_range_deletion(); }
  // Rows that passed the device predicate and were visible (before the residual).
  uint64_t candidates() const { return candidates_; }
  uint64_t rows_returned() const { return rows_; }

 private:
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
