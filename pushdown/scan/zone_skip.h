// When a data block that a zone map proves useless may be left unread.
//
// A block whose zone map verdict is "never" (no Value entry of the block can
// satisfy the predicate) still holds entries the merge may need: the newest
// version of a key, or a tombstone, hides every older version of that key. If
// an older version lives elsewhere and matches, skipping the block would
// reveal it: a stale row (cockroachdb/cockroach#28358 is this bug for
// time-bound iteration). So a "never" block may be skipped only when nothing
// older than it can be revealed:
//   (1) no older file of the scan overlaps the file's key range (files of
//       deeper levels; for level 0, the L0 files older than it), and
//   (2) no user key of the file spans two of its blocks, so no older version
//       of a key of the block sits in a later block of the same file: the
//       index uses user keys as separators (RocksDB switches to internal-key
//       separators for the whole index as soon as one user key spans a
//       block boundary), or the file holds one version per key (largest
//       sequence number 0).
// Where (1) or (2) fails, the block is read as today. A block whose verdict
// is "always" is always safe to deliver without evaluation: every Value entry
// is classified kMatched exactly as the predicate would, and tombstones pass
// through unchanged.
#pragma once

namespace pushdown::exec {

inline bool ZoneSkipIsExact(bool older_file_overlaps, bool index_key_is_user_key,
                            bool single_version_per_key) {
  return !older_file_overlaps && (index_key_is_user_key || single_version_per_key);
}

}  // namespace pushdown::exec
