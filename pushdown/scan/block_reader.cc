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
    : FileBlockReader(std::move(file), std::vector<BlockRange>{range}, std::move(source_options),
                      stats) {}

FileBlockReader::FileBlockReader(std::unique_ptr<SstFile> file, std::vector<BlockRange> runs,
                                 std::optional<BlockSourceOptions> source_options, ScanStats* stats)
    : file_(std::move(file)), source_options_(std::move(source_options)), stats_(stats) {
  const size_t n = file_->num_data_blocks();
  for (BlockRange r : runs) {
    r.end = std::min(r.end, n);
    r.begin = std::min(r.begin, r.end);
    if (!runs_.empty()) r.begin = std::max(r.begin, runs_.back().end);  // keep them disjoint
    if (!r.empty()) runs_.push_back(r);
  }
  Rewind();
}

void FileBlockReader::Rewind() {
  source_.reset();
  run_ = 0;
  next_block_ = runs_.empty() ? 0 : runs_[0].begin;
}

size_t FileBlockReader::blocks_remaining() const {
  if (run_ >= runs_.size()) return 0;
  size_t n = runs_[run_].end - next_block_;
  for (size_t r = run_ + 1; r < runs_.size(); ++r) n += runs_[r].size();
  return n;
}

Status FileBlockReader::Next(ReadBlock* block, bool* done) {
  *done = false;
  if (run_ < runs_.size() && next_block_ >= runs_[run_].end) {
    ++run_;
    source_.reset();  // each run is read by a source of its own
    if (run_ < runs_.size()) next_block_ = runs_[run_].begin;
  }
  if (run_ >= runs_.size()) {
    *done = true;
    return Status::OK();
  }
  if (source_options_) {
    if (source_ == nullptr) {
      // One source per run, opened when the run starts: its large reads cover
      // that run's blocks and nothing between runs.
      PD_ASSIGN_OR_RETURN(source_,
                          BlockSource::Open({file_.get()}, *source_options_, {runs_[run_]}));
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
