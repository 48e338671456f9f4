#include "pushdown/scan/host_stream.h"

#include <utility>

namespace pushdown::exec {

HostFileStream::HostFileStream(std::unique_ptr<SstFile> file, RowFilter device_filter,
                               bool emit_shadows, ScanStats* stats)
    : file_(std::move(file)),
      device_filter_(std::move(device_filter)),
      emit_shadows_(emit_shadows),
      stats_(stats) {}

void HostFileStream::Fail(Status s) {
  status_ = std::move(s);
  valid_ = false;
  iter_.reset();
}

bool HostFileStream::LoadNextBlock() {
  iter_.reset();
  if (next_block_ >= file_->num_data_blocks()) return false;
  const size_t i = next_block_++;
  Result<BlockContents> b = file_->ReadDataBlock(i);
  if (!b.ok()) {
    Fail(b.status());
    return false;
  }
  block_ = std::move(*b);
  ++stats_->blocks_read;
  stats_->bytes_read += block_.handle.size + kBlockTrailerSize;
  iter_ = std::make_unique<DataBlockIter>(block_.data, file_->block_context(i),
                                          file_->info().global_seqno);
  iter_->SeekToFirst();
  return true;
}

void HostFileStream::SeekToFirst() {
  status_ = Status::OK();
  next_block_ = 0;
  valid_ = false;
  if (!LoadNextBlock()) return;
  Settle();
}

void HostFileStream::Next() {
  iter_->Next();
  Settle();
}

void HostFileStream::Settle() {
  valid_ = false;
  for (;;) {
    if (!iter_->Valid()) {
      if (!iter_->status().ok()) {
        Fail(iter_->status());
        return;
      }
      if (!LoadNextBlock()) return;
      continue;
    }
    ++stats_->entries_scanned;
    const ParsedInternalKey& k = iter_->parsed();
    entry_.user_key = k.user_key;
    entry_.seq = k.sequence;
    entry_.type = k.type;
    entry_.value = {};
    if (k.type != value_type::kValue) {
      entry_.cls = EntryClass::kNotValue;
    } else {
      bool match = true;
      if (device_filter_) {
        Result<bool> r = device_filter_(k.user_key, iter_->value());
        if (!r.ok()) {
          Fail(r.status().WithContext(file_->info().file_name));
          return;
        }
        match = *r;
      }
      if (match) {
        entry_.cls = EntryClass::kMatched;
        entry_.value = iter_->value();
      } else if (emit_shadows_) {
        entry_.cls = EntryClass::kShadow;
      } else {
        iter_->Next();
        continue;
      }
    }
    stats_->bytes_to_host += 16 + iter_->key().size() + entry_.value.size();
    valid_ = true;
    return;
  }
}

}  // namespace pushdown::exec
