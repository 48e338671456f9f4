#include "pushdown/scan/block_reader.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace pushdown::exec {

FileBlockReader::FileBlockReader(std::unique_ptr<SstFile> file,
                                 std::optional<BlockSourceOptions> source_options, ScanStats* stats)
    : FileBlockReader(std::move(file), BlockRange{0, std::numeric_limits<size_t>::max()},
                      std::move(source_options), stats) {}

FileBlockReader::FileBlockReader(std::unique_ptr<SstFile> file, BlockRange range,
                                 std::optional<BlockSourceOptions> source_options, ScanStats* stats)
    : file_(std::move(file)), source_options_(std::move(source_options)), stats_(stats) {
  range_.end = std::min(range.end, file_->num_data_blocks());
  range_.begin = std::min(range.begin, range_.end);
  next_block_ = range_.begin;
}

void FileBlockReader::Rewind() {
  source_.reset();
  next_block_ = range_.begin;
}

Status FileBlockReader::Next(ReadBlock* block, bool* done) {
  *done = false;
  if (next_block_ >= range_.end) {
    *done = true;
    return Status::OK();
  }
  if (source_options_) {
    if (source_ == nullptr) {
      PD_ASSIGN_OR_RETURN(source_, BlockSource::Open({file_.get()}, *source_options_, {range_}));
    }
    SourceBlock b;
    bool end = false;
    PD_RETURN_IF_ERROR(source_->Next(&b, &end));
    if (end || b.block_index != next_block_) {
      return Status::Internal(file_->info().file_name + ": block source out of step at block " +
                              std::to_string(next_block_));
    }
    block->handle = b.handle;
    block->contents = b.contents;
  } else {
    PD_ASSIGN_OR_RETURN(block_, file_->ReadDataBlock(next_block_));
    block->handle = block_.handle;
    block->contents = block_.data;
  }
  block->index = next_block_++;
  ++stats_->blocks_read;
  stats_->bytes_read += block->handle.size + kBlockTrailerSize;
  return Status::OK();
}

}  // namespace pushdown::exec
