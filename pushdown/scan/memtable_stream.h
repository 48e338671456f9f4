// MemtableStream: the scan's memtable input (ScanPlan::memtable) as a merge
// stream. The wrapped stream holds the memtables' entries unfiltered
// (engine/api/memtable_view.h: one entry per user key, its newest version at
// the snapshot); this wrapper classifies each Value entry with the device
// conjuncts -- kMatched (value kept) or kShadow (key only: a failing memtable
// version still hides every older version in the files) -- and passes
// deletions through as kNotValue. It never omits an entry: the memtable is the
// newest input, so every entry can hide something.
//
// How values are classified. With a loaded program (the scan's device
// program, which implements the same device conjuncts as `device_filter`),
// the stream reads a window of entries from the inner stream, copies its
// Value entries into synthetic data blocks in RocksDB's block format (shared
// prefix 0, one restart point, internal key = user key + (seq, kTypeValue)),
// and runs the program over them once per window (BlockStager; flags
// kEmitShadows, so every staged entry yields exactly one record, kMatched or
// kShadow, in entry order: program_abi.h). That is the compiled code the
// files' blocks run through, instead of one reference-evaluator call per
// value. A value the program cannot take -- its internal key longer than the
// layout's max_key_size, or its entry larger than a staged block -- and every
// value of a block the program rejects (e.g. kBlockBadRow) is classified with
// `device_filter` instead, so the result (or the error) is exactly what the
// host filter alone gives. Without a program, or with an empty
// `device_filter` (= every value matches), no program runs.
//
// Memory: one window (about the program's staging capacity, block_capacity
// bytes of blocks plus as many bytes of keys of deletions and of values
// classified on the host). Entry views point into it and stay valid until the
// next Next()/SeekToFirst(), as EntryStream requires.
//
// Counts the memtable's share in ScanStats (memtable_entries, memtable_bytes,
// memtable_values_matched); none of it is counted as device or file work.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pushdown/device/device.h"
#include "pushdown/scan/entry_stream.h"
#include "pushdown/scan/row_cursor.h"
#include "pushdown/scan/scan_stats.h"

namespace pushdown::exec {

class MemtableStream final : public EntryStream {
 public:
  // `device_filter` empty = every value matches. `device` and `program` both
  // null (values classified with `device_filter`) or both set (the program
  // implements `device_filter`'s conjuncts). REQUIRES: inner non-null; stats,
  // device and program outlive the stream.
  MemtableStream(std::shared_ptr<EntryStream> inner, RowFilter device_filter, ScanStats* stats,
                 Device* device = nullptr, LoadedProgram* program = nullptr);

  void SeekToFirst() override;
  bool Valid() const override { return valid_; }
  const FilteredEntry& entry() const override { return entry_; }
  void Next() override;
  Status status() const override { return status_; }
  std::string_view name() const override { return inner_->name(); }

 private:
  // One buffered entry. Its key (and, for a value, the value) lives in
  // blocks_ when staged, else in side_.
  struct Buffered {
    uint32_t key_offset;
    uint32_t key_size;
    uint32_t value_offset;
    uint32_t value_size;
    uint64_t seq;
    uint8_t type;
    bool staged;     // in a synthetic block
    bool staged_ok;  // ... which the program classified (else: the host filter)
    EntryClass cls;
  };
  struct Block {
    uint32_t offset;  // in blocks_
    uint32_t size;
    uint32_t first;  // index in window_ of its first entry
    uint32_t count;  // entries (all staged values, consecutive in staged_)
  };

  void Settle();
  // Reads the next window from inner_ and classifies it; false at the end or
  // on error (status_ set).
  bool Refill();
  Status FillWindow();
  Status ClassifyWindow();
  Status ClassifyOnHost(Buffered* b);
  void ReportDeferred();
  void Load();
  bool UseProgram() const { return program_ != nullptr && device_filter_ != nullptr; }

  std::shared_ptr<EntryStream> inner_;
  RowFilter device_filter_;
  ScanStats* stats_;
  Device* device_;
  LoadedProgram* program_;
  bool valid_ = false;
  Status status_;
  FilteredEntry entry_;

  // The window (program path only).
  std::vector<Buffered> window_;
  std::vector<uint32_t> staged_;  // window_ indices of staged entries, in block order
  std::vector<Block> block_list_;
  std::string blocks_;  // synthetic blocks, back to back (8-aligned starts)
  std::string side_;    // keys/values of entries not staged
  size_t pos_ = 0;
  bool inner_done_ = false;      // inner_ is at its end (or failed)
  Status deferred_;              // a host-filter error to report after the window's entries
  uint64_t deferred_bytes_ = 0;  // the failing entry's key + value bytes
};

}  // namespace pushdown::exec
