#include "pushdown/scan/block_reader.h"

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

namespace pushdown::exec {

FileBlockReader::FileBlockReader(std::shared_ptr<const SstFile> file,
                                 std::optional<BlockSourceOptions> source_options, ScanStats* stats)
    : FileBlockReader(std::move(file), BlockRange{0, std::numeric_limits<size_t>::max()},
                      std::move(source_options), stats) {}

FileBlockReader::FileBlockReader(std::shared_ptr<const SstFile> file, BlockRange range,
                                 std::optional<BlockSourceOptions> source_options, ScanStats* stats)
    : FileBlockReader(std::move(file), std::vector<BlockRange>{range}, std::move(source_options),
                      stats) {}

FileBlockReader::FileBlockReader(std::shared_ptr<const SstFile> file, std::vector<BlockRange> runs,
                                 std::optional<BlockSourceOptions> source_options, ScanStats* stats)
    : file_(std::move(file)), source_options_(std::move(source_options)), stats_(stats) {
  const size_t n = file_->num_data_blocks();
  for (BlockRange r : runs) {
    r.end = std::min(r.end, n);
    r.begin = std::min(r.begin, r.end);
    if (!runs_.empty()) r.begin = std::max(r.begin, runs_.back().end);  // keep them disjoint
    if (!r.empty()) runs_.push_back(r);
  }
  // Runs closer than kMaxSpanGapBlocks share one span (one BlockSource).
  for (size_t i = 0; i < runs_.size(); ++i) {
    if (i > 0 && runs_[i].begin - spans_.back().end <= kMaxSpanGapBlocks) {
      spans_.back().end = runs_[i].end;
    } else {
      spans_.push_back(runs_[i]);
    }
    span_of_.push_back(spans_.size() - 1);
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

BlockRange FileBlockReader::UnreadRun() {
  if (run_ < runs_.size() && next_block_ >= runs_[run_].end) {
    ++run_;
    if (run_ < runs_.size()) next_block_ = runs_[run_].begin;
  }
  if (run_ >= runs_.size()) return {};
  return {next_block_, runs_[run_].end};
}

void FileBlockReader::Consume(size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const BlockHandle& h = file_->data_block_handle(next_block_++);
    ++stats_->blocks_read;
    stats_->bytes_read += h.size + kBlockTrailerSize;
  }
}

Status FileBlockReader::Next(ReadBlock* block, bool* done) {
  *done = false;
  if (run_ < runs_.size() && next_block_ >= runs_[run_].end) {
    ++run_;
    // Each span is read by a source of its own; the next run of the same
    // span continues on it (the gap's blocks are passed over below).
    if (run_ >= runs_.size() || span_of_[run_] != span_of_[run_ - 1]) source_.reset();
    if (run_ < runs_.size()) next_block_ = runs_[run_].begin;
  }
  if (run_ >= runs_.size()) {
    // The file is done: its source (ring, buffers) goes now rather than with
    // the reader, so only the files being read hold read resources at a time.
    source_.reset();
    *done = true;
    return Status::OK();
  }
  if (source_options_ && source_ == nullptr) {
    // One source per span, opened when its first run starts: its large reads
    // cover that span's blocks and nothing outside it.
    Result<std::unique_ptr<BlockSource>> opened =
        BlockSource::Open({file_.get()}, *source_options_, {spans_[span_of_[run_]]});
    if (opened.ok()) {
      source_ = std::move(opened).value();
      const BlockSourceOptions& o = *source_options_;
      const char* wanted = o.use_mmap && !o.o_direct ? "mmap"
                           : o.use_io_uring          ? "io_uring"
                                                     : "pread";
      if (std::string_view(source_->backend()) != wanted && std::string_view(wanted) != "pread" &&
          stats_->io_fallback_reason.empty()) {
        stats_->io_fallback_reason =
            std::string(source_->backend()) + ": " + source_->backend_reason();
      }
    } else if (opened.status().IsResourceExhausted() || opened.status().IsUnavailable()) {
      // No memory for the large-read buffers (or no descriptor for an O_DIRECT
      // open): read block by block through the SstFile (one block's buffer)
      // from here on instead of failing the scan.
      if (stats_->io_fallback_reason.empty()) {
        stats_->io_fallback_reason = "pread per block: " + opened.status().message();
      }
      source_options_.reset();
    } else {
      return opened.status();
    }
  }
  if (source_options_) {
    SourceBlock b;
    bool end = false;
    do {  // blocks before next_block_ are a gap between runs: passed over, not delivered
      PD_RETURN_IF_ERROR(source_->Next(&b, &end));
    } while (!end && b.block_index < next_block_);
    if (end || b.block_index != next_block_) {
      return Status::Internal(file_->info().file_name + ": block source out of step at block " +
                              std::to_string(next_block_));
    }
    block->handle = b.handle;
    block->contents = b.contents;
    block->compressed = b.compressed;
    block->raw = b.raw;
  } else {
    PD_ASSIGN_OR_RETURN(block_, file_->ReadDataBlock(next_block_));
    block->handle = block_.handle;
    block->contents = block_.data;
    block->compressed = false;
    block->raw = {};
  }
  block->index = next_block_++;

  ++stats_->blocks_read;
  stats_->bytes_read += block->handle.size + kBlockTrailerSize;
  return Status::OK();
}

}  // namespace pushdown::exec
