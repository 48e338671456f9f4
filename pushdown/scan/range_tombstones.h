// FragmentedTombstones: a scan's range tombstones, fragmented for O(log n)
// lookup, as RocksDB's FragmentedRangeTombstoneList does for its reads.
//
// Input: tombstones from any number of sources (each SST file's range-deletion
// block, clipped to the file's key range by the executor; the memtables' range
// deletions from the WAL capture), overlapping, in any order. Output: disjoint
// fragments [start, end), ascending, each holding the NEWEST sequence number
// at or below the scan's snapshot among the tombstones that cover it.
//
// Why one sequence number per fragment is enough: a scan reads at one
// snapshot S. An entry (k, s) visible at S (s <= S) is hidden iff some
// tombstone [a, b) with a <= k < b has s < t <= S; that holds iff the largest
// such t is > s. RocksDB keeps every sequence number of a fragment because
// one list serves many snapshots; a scan's list serves one, so tombstones
// newer than S are dropped before fragmenting and only the maximum is kept.
// Tombstones with start >= end cover nothing (as in RocksDB) and are dropped.
//
// Memory: at most 2n - 1 fragments for n tombstones (one per gap between
// sorted distinct boundaries), each with copies of its two boundary keys.
// Build: O(n log n). Lookup: binary search, O(log n).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pushdown/sst/range_del.h"

namespace pushdown::exec {

class FragmentedTombstones {
 public:
  struct Fragment {
    std::string start;  // inclusive
    std::string end;    // exclusive; start < end
    uint64_t seq = 0;   // newest covering tombstone at or below the snapshot (> 0)
  };

  FragmentedTombstones() = default;
  // Fragments `tombstones` for readers at `snapshot`. Adjacent fragments with
  // the same sequence number are joined.
  FragmentedTombstones(std::vector<RangeTombstone> tombstones, uint64_t snapshot);

  bool empty() const { return fragments_.empty(); }
  size_t size() const { return fragments_.size(); }
  const std::vector<Fragment>& fragments() const { return fragments_; }

  // The newest sequence number at or below the snapshot of a tombstone
  // covering `key`; 0 when none covers it (a tombstone at sequence 0 hides
  // nothing, since it hides only smaller sequence numbers).
  uint64_t MaxCoveringSeq(std::string_view key) const;
  // True when an entry (key, seq) visible at the snapshot is hidden.
  bool Covers(std::string_view key, uint64_t seq) const { return MaxCoveringSeq(key) > seq; }

 private:
  std::vector<Fragment> fragments_;
};

}  // namespace pushdown::exec
