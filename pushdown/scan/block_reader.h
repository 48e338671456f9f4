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

#include "pushdown/scan/scan_stats.h"
#include "pushdown/sst/block_source.h"
#include "pushdown/sst/sst_file.h"
#include "util/status.h"

namespace pushdown::exec {

struct ReadBlock {
  size_t index = 0;  // data block number within the file
  BlockHandle handle;
  std::string_view contents;  // uncompressed; valid until the next Next()/Rewind()
};

class FileBlockReader {
 public:
  // `source_options` set: read through a BlockSource (opened lazily, once per
  // pass). REQUIRES: stats outlives the reader.
  FileBlockReader(std::unique_ptr<SstFile> file, std::optional<BlockSourceOptions> source_options,
                  ScanStats* stats);
  // Only blocks [range.begin, range.end) (clamped to the file's blocks).
  FileBlockReader(std::unique_ptr<SstFile> file, BlockRange range,
                  std::optional<BlockSourceOptions> source_options, ScanStats* stats);

  // Restarts at the first block of the range.
  void Rewind();
  // Sets *done at the end of the file; otherwise fills *block.
  Status Next(ReadBlock* block, bool* done);

  const SstFile& file() const { return *file_; }
  // Blocks of the range not read yet.
  size_t blocks_remaining() const { return range_.end - next_block_; }
  const BlockRange& range() const { return range_; }

 private:
  std::unique_ptr<SstFile> file_;
  std::optional<BlockSourceOptions> source_options_;
  ScanStats* stats_;
  std::unique_ptr<BlockSource> source_;
  BlockRange range_;
  size_t next_block_ = 0;  // in [range_.begin, range_.end]
  BlockContents block_;    // the pread path's current block
};

}  // namespace pushdown::exec
