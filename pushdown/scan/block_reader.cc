#include "pushdown/scan/block_reader.h"

#include <string>
#include <string_view>
#include <utility>

namespace pushdown::exec {

FileBlockReader::FileBlockReader(std::unique_ptr<SstFile> file,
                                 std::optional<BlockSourceOptions> source_options, ScanStats* stats)
    : file_(std::move(file)), source_options_(std::move(source_options)), stats_(stats) {}

void FileBlockReader::Rewind() {
  source_.reset();
  next_block_ = 0;
}

Status FileBlockReader::Next(ReadBlock* block, bool* done) {
  *done = false;
  if (next_block_ >= file_->num_data_blocks()) {
    // The file is done: its source (ring, buffers) goes now rather than with
    // the reader, so only the files being read hold read resources at a time.
    source_.reset();
    *done = true;
    return Status::OK();
  }
  if (source_options_ && source_ == nullptr) {
    Result<std::unique_ptr<BlockSource>> opened =
        BlockSource::Open({file_.get()}, *source_options_);
    if (opened.ok()) {
      source_ = std::move(opened).value();
      if (std::string_view(source_->backend()) != "io_uring" && source_options_->use_io_uring &&
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
