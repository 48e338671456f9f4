// LsmMergeCursor: the exact LSM merge of filtered per-file streams.
//
// Yields, in user-key order, the newest version visible at `snapshot` of each
// user key, when that version is a Value that passed the device predicate
// (kMatched). For each user key the newest entry with seq <= snapshot decides:
//   Value + kMatched          -> yielded (the caller applies the residual)
//   Value + kShadow           -> nothing; hides every older version
//   Deletion, SingleDeletion  -> nothing; hides every older version
// Entries with seq > snapshot are ignored (they neither show nor hide).
// Range tombstones (range_tombstones.h, fragmented for this snapshot): the
// newest visible version (k, s) decides only if no tombstone covering k has
// s < t <= snapshot; otherwise k is hidden, every version (each older version
// has a smaller sequence number, so the same tombstone covers it too). They
// apply to every stream alike, after the device's filter: an entry the device
// matched, a shadow, or a row a zone map delivered as "always" is hidden the
// same way, and a tombstone never reveals anything.
// Key bounds (key_range.h): user keys below range.lower are skipped whole
// (every version; they neither show nor hide a key in the range), and the
// cursor ends at the first user key >= range.upper without advancing any
// stream past it. The streams may therefore hold entries outside the range
// (whole first/last blocks); none of them is ever yielded.
// Any other entry type in a stream (Merge, RangeDeletion, BlobIndex, timestamps, wide
// columns) fails the cursor with NotSupported: the engine must fall back to the
// iterator path rather than have this code guess. Out-of-order input fails it
// with Corruption naming the stream.
//
// Memory: one entry view per stream plus one copied user key; never
// proportional to the result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pushdown/scan/entry_stream.h"
#include "pushdown/scan/key_range.h"
#include "pushdown/scan/range_tombstones.h"
#include "util/status.h"

namespace pushdown::exec {

class LsmMergeCursor {
 public:
  // `streams` newest first (L0 files newest first, then L1, L2, ...): equal
  // (user key, seq) pairs across streams are resolved in favour of the earlier
  // stream. The cursor does not own the streams; they must outlive it.
  // `tombstones` (may be null = none) must be built for `snapshot` and
  // outlive the cursor.
  LsmMergeCursor(std::vector<EntryStream*> streams, uint64_t snapshot, KeyRange range = {},
                 const FragmentedTombstones* tombstones = nullptr);

  LsmMergeCursor(const LsmMergeCursor&) = delete;
  LsmMergeCursor& operator=(const LsmMergeCursor&) = delete;

  // Positions every stream at its first entry and the cursor at the first
  // yielded key.
  void SeekToFirst();
  bool Valid() const { return valid_; }
  // REQUIRES: Valid(). Views stay valid until Next().
  std::string_view user_key() const;
  std::string_view value() const;
  uint64_t seq() const;
  // REQUIRES: Valid()
  void Next();
  Status status() const { return status_; }

  // Entries pulled from the streams so far (every class, visible or not).
  uint64_t entries_seen() const { return entries_seen_; }
  // User keys whose newest visible version a range tombstone hid.
  uint64_t keys_hidden_by_range_deletion() const { return keys_hidden_by_range_deletion_; }

 private:
  struct StreamState {
    EntryStream* stream = nullptr;
    std::string last_key;  // previous entry's user key, for the order check
    uint64_t last_seq = 0;
    bool has_last = false;
  };

  // Heap order: true if stream a's current entry comes after stream b's.
  bool After(size_t a, size_t b) const;
  void HeapPush(size_t i);
  void HeapPopTop();
  // Checks the entry of stream i just positioned; false (status_ set) on error.
  bool Observe(size_t i);
  // Advances stream i, pushing it back into the heap if still valid.
  bool Advance(size_t i);
  // Pops and advances every stream whose current user key equals key_.
  bool SkipKey();
  // From the heap state, finds the next yielded key.
  void FindNext();
  void Fail(Status s);

  std::vector<StreamState> streams_;
  std::vector<size_t> heap_;  // indices into streams_, min-heap by entry order
  uint64_t snapshot_;
  KeyRange range_;
  const FragmentedTombstones* tombstones_;  // null or empty: none
  bool valid_ = false;
  std::string key_;     // the user key currently yielded (or being skipped)
  size_t current_ = 0;  // stream holding the yielded entry
  Status status_;
  uint64_t entries_seen_ = 0;
  uint64_t keys_hidden_by_range_deletion_ = 0;
};

}  // namespace pushdown::exec
