#include "pushdown/scan/host_stream.h"

#include <utility>

namespace pushdown::exec {

HostFileStream::HostFileStream(std::shared_ptr<const SstFile> file, BlockRange blocks,
                               std::optional<BlockSourceOptions> source_options,
                               RowFilter device_filter, bool emit_shadows, ScanStats* stats)
    : HostFileStream(std::move(file), std::vector<BlockRange>{blocks}, {},
                     std::move(source_options), std::move(device_filter), emit_shadows, stats) {}

HostFileStream::HostFileStream(std::shared_ptr<const SstFile> file, std::vector<BlockRange> runs,
                               std::vector<uint8_t> always,
                               std::optional<BlockSourceOptions> source_options,
                               RowFilter device_filter, bool emit_shadows, ScanStats* stats)
    : reader_(std::move(file), std::move(runs), std::move(source_options), stats),
      always_(std::move(always)),
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
  ReadBlock b;
  bool done = false;
  Status s = reader_.Next(&b, &done);
  if (!s.ok()) {
    Fail(std::move(s));
    return false;
  }
  if (done) return false;
  block_always_ = b.index < always_.size() && always_[b.index] != 0;
  if (block_always_) ++stats_->blocks_zone_always;
  const SstFile& file = reader_.file();
  iter_ = std::make_unique<DataBlockIter>(b.contents, file.block_context(b.index),
                                          file.info().global_seqno);
  iter_->SeekToFirst();
  return true;
}

void HostFileStream::SeekToFirst() {
  status_ = Status::OK();
  reader_.Rewind();
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
      if (device_filter_ && !block_always_) {
        Result<bool> r = device_filter_(k.user_key, iter_->value());
        if (!r.ok()) {
          Fail(r.status().WithContext(reader_.file().info().file_name));
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
    const bool seq0_value = k.type == value_type::kValue &&
                            (k.sequence == 0 || reader_.file().info().global_seqno.has_value());
    stats_->bytes_to_host += DeliveredBytes(k.user_key.size(), seq0_value, entry_.value.size());
    valid_ = true;
    return;
  }
}

}  // namespace pushdown::exec
