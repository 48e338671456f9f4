// HostFileStream: the reference per-file stream. Reads an SST's data blocks
// with pushdown/sst, walks them with DataBlockIter and evaluates the device
// part of the predicate on the host: exactly what a device would return for the
// file (the same shadow policy), with no device in the way.
#pragma once

#include <memory>
#include <string>

#include "pushdown/scan/block_reader.h"
#include "pushdown/scan/entry_stream.h"
#include "pushdown/scan/row_cursor.h"
#include "pushdown/scan/scan_stats.h"
#include "pushdown/sst/sst_file.h"

namespace pushdown::exec {

class HostFileStream final : public EntryStream {
 public:
  // `device_filter` decides kMatched vs kShadow for Value entries (empty =
  // every value matches). Failing values are omitted when !emit_shadows.
  // `source_options` set: blocks are read through the io_uring BlockSource.
  // Only data blocks `blocks` are read (a key range's, see
  // SstFile::DataBlocksInRange); every entry of those blocks is yielded, the
  // merge cuts the ones outside the range. REQUIRES: stats outlives the stream.
  HostFileStream(std::shared_ptr<const SstFile> file, BlockRange blocks,
                 std::optional<BlockSourceOptions> source_options, RowFilter device_filter,
                 bool emit_shadows, ScanStats* stats);
  // Only the blocks of `runs` (FileBlockReader). `always[b]` == 1 (when
  // b < always.size()): every Value entry of block b matches (its zone map
  // says so): classified kMatched without calling device_filter.
  HostFileStream(std::shared_ptr<const SstFile> file, std::vector<BlockRange> runs,
                 std::vector<uint8_t> always, std::optional<BlockSourceOptions> source_options,
                 RowFilter device_filter, bool emit_shadows, ScanStats* stats);

  void SeekToFirst() override;
  bool Valid() const override { return valid_; }
  const FilteredEntry& entry() const override { return entry_; }
  void Next() override;
  Status status() const override { return status_; }
  std::string_view name() const override { return reader_.file().info().file_name; }

  // Data blocks of the range not read yet (for blocks_skipped when a scan
  // stops early).
  size_t blocks_remaining() const { return reader_.blocks_remaining(); }

 private:
  // Positions at the next entry to yield, from the current iterator onwards.
  void Settle();
  bool LoadNextBlock();
  void Fail(Status s);

  FileBlockReader reader_;
  std::vector<uint8_t> always_;  // per file block: 1 = every Value entry matches
  bool block_always_ = false;    // the current block's always_ entry
  RowFilter device_filter_;
  bool emit_shadows_;
  ScanStats* stats_;
  std::unique_ptr<DataBlockIter> iter_;
  bool valid_ = false;
  Status status_;
  FilteredEntry entry_;
};

}  // namespace pushdown::exec
