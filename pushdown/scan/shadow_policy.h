// When a file's stream must carry shadows (Value entries that failed the
// device predicate, key only).
//
// The naive rule "bottommost files return matches only" is NOT exact: a
// bottommost file holds several versions of a user key whenever a snapshot
// existed at compaction time (RocksDB zeroes a sequence number only for the
// version visible to the earliest snapshot), so a newer failing version must
// still hide an older passing one inside the same file.
//
// Exact rule: shadows are requested for every block of a file unless the file
// is bottommost AND its largest sequence number is 0. Such a file was fully
// compacted with zeroed sequence numbers, so it holds at most one version per
// user key, and (being bottommost) nothing older lives below it: a failing
// entry there hides nothing.
//
// "Bottommost" is the planner's promise that no other file of the scan holds
// an older version of any user key in this file.
#pragma once

#include <cstdint>

namespace pushdown::exec {

inline bool NeedsShadows(bool bottommost, uint64_t largest_seqno) {
  return !(bottommost && largest_seqno == 0);
}

}  // namespace pushdown::exec
