// MemtableStream: the scan's memtable input (ScanPlan::memtable) as a merge
// stream. The wrapped stream holds the memtables' entries unfiltered
// (engine/api/memtable_view.h: one entry per user key, its newest version at
// the snapshot); this wrapper classifies each Value entry with the device
// conjuncts evaluated on the host -- kMatched (value kept) or kShadow (key
// only: a failing memtable version still hides every older version in the
// files) -- and passes deletions through as kNotValue. It never omits an
// entry: the memtable is the newest input, so every entry can hide something.
//
// Counts the memtable's share in ScanStats (memtable_entries, memtable_bytes,
// memtable_values_matched); none of it is counted as device or file work.
#pragma once

#include <memory>
#include <string>

#include "pushdown/scan/entry_stream.h"
#include "pushdown/scan/row_cursor.h"
#include "pushdown/scan/scan_stats.h"

namespace pushdown::exec {

class MemtableStream final : public EntryStream {
 public:
  // `device_filter` empty = every value matches. REQUIRES: inner non-null;
  // stats outlives the stream.
  MemtableStream(std::shared_ptr<EntryStream> inner, RowFilter device_filter, ScanStats* stats);

  void SeekToFirst() override;
  bool Valid() const override { return valid_; }
  const FilteredEntry& entry() const override { return entry_; }
  void Next() override;
  Status status() const override { return status_; }
  std::string_view name() const override { return inner_->name(); }

 private:
  void Settle();

  std::shared_ptr<EntryStream> inner_;
  RowFilter device_filter_;
  ScanStats* stats_;
  bool valid_ = false;
  Status status_;
  FilteredEntry entry_;
};

}  // namespace pushdown::exec
