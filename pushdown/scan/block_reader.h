// FileBlockReader: one SST file's data blocks in order, verified and
// uncompressed, read either block by block (SstFile::ReadDataBlock, pread) or
// through the io_uring fast path (pushdown/sst BlockSource: large sequential
// reads into registered buffers, reads in flight while the scan works).
// Counts blocks_read / bytes_read into the scan's stats. Reads only the data
// blocks of a BlockRange (a key-range scan's blocks, SstFile::DataBlocksInRange;
// by default every block), never a block outside it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pushdown/scan/scan_stats.h"
#include "pushdown/sst/block_source.h"
#include "pushdown/sst/sst_file.h"
#include "util/status.h"

namespace pushdown::exec {

struct ReadBlock {
  size_t index = 0;  // data block number within the file
  BlockHandle handle;
  std::string_view contents;  // uncompressed; valid until the next Next()/Rewind()
  // Stored compressed and left so (a BlockSource with decompress false):
  // contents is empty and `raw` holds the verified stored bytes + trailer,
  // for the caller to decode where it wants them (SstFile::DecodedBlockSize,
  // DecodeBlockInto). Valid as long as contents would be.
  bool compressed = false;
  std::string_view raw;
};

class FileBlockReader {
 public:
  // `source_options` set: read through a BlockSource (opened lazily, once per
  // pass). REQUIRES: stats outlives the reader.
  FileBlockReader(std::shared_ptr<const SstFile> file,
                  std::optional<BlockSourceOptions> source_options, ScanStats* stats);
  // Only blocks [range.begin, range.end) (clamped to the file's blocks).
  FileBlockReader(std::shared_ptr<const SstFile> file, BlockRange range,
                  std::optional<BlockSourceOptions> source_options, ScanStats* stats);
  // Only the blocks of `runs`: ascending, disjoint ranges (clamped to the
  // file's blocks; empty runs are dropped). Blocks between runs (a zone map
  // proved them useless) are never delivered. Through a BlockSource, runs
  // separated by at most kMaxSpanGapBlocks blocks form one span read by one
  // source (one ring and its registered buffers, not one per run: scattered
  // zone-map skips would otherwise open thousands), whose large reads also
  // fetch the gap's blocks, which are dropped; blocks_read / bytes_read count
  // the delivered blocks only. Wider gaps are not read at all.
  FileBlockReader(std::shared_ptr<const SstFile> file, std::vector<BlockRange> runs,
                  std::optional<BlockSourceOptions> source_options, ScanStats* stats);

  // Restarts at the first block of the first run.
  void Rewind();
  // Sets *done at the end of the file; otherwise fills *block.
  Status Next(ReadBlock* block, bool* done);

  // For a caller that reads blocks itself (into a device's local memory):
  // the blocks of the current run not delivered yet (moving to the next run
  // when this one is done; empty at the end), and Consume(n) to mark the
  // first n of them delivered (counted in blocks_read / bytes_read as Next
  // counts them). A pass uses either these or Next.
  BlockRange UnreadRun();
  void Consume(size_t n);

  const SstFile& file() const { return *file_; }
  // Blocks of the runs not read yet.
  size_t blocks_remaining() const;

 private:
  std::shared_ptr<const SstFile> file_;
  std::optional<BlockSourceOptions> source_options_;
  ScanStats* stats_;
  std::unique_ptr<BlockSource> source_;
  static constexpr size_t kMaxSpanGapBlocks = 256;
  std::vector<BlockRange> runs_;   // non-empty, ascending, disjoint
  std::vector<BlockRange> spans_;  // runs_ joined across gaps <= kMaxSpanGapBlocks
  std::vector<size_t> span_of_;    // per run: its span
  size_t run_ = 0;                 // the run holding next_block_ (runs_.size() at the end)
  size_t next_block_ = 0;          // in [runs_[run_].begin, runs_[run_].end)
  BlockContents block_;            // the pread path's current block
};

}  // namespace pushdown::exec
