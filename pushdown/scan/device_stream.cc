#include "pushdown/scan/device_stream.h"

#include <chrono>
#include <utility>

#include "bpfgen/codegen/program_abi.h"

namespace pushdown::exec {

namespace abi = bpfgen::abi;
static_assert(kOutRecordBytes == sizeof(abi::OutRecord));

namespace {
uint64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

DeviceFileStream::DeviceFileStream(std::unique_ptr<SstFile> file,
                                   std::optional<BlockSourceOptions> source_options, Device* device,
                                   LoadedProgram* program, bool emit_shadows, uint32_t batch_blocks,
                                   RowFilter host_filter, ScanStats* stats)
    : reader_(std::move(file), std::move(source_options), stats),
      device_(device),
      program_(program),
      emit_shadows_(emit_shadows),
      batch_blocks_(batch_blocks == 0 ? 1 : batch_blocks),
      host_filter_(std::move(host_filter)),
      stats_(stats) {}

void DeviceFileStream::Fail(Status s) {
  status_ = std::move(s);
  valid_ = false;
  recs_.clear();
  arena_.clear();
}

Status DeviceFileStream::AddRecord(std::string_view key, bool user_key_only, EntryClass cls,
                                   std::string_view value, uint64_t block_offset) {
  FilteredEntry parsed;
  if (user_key_only) {
    parsed.user_key = key;
    parsed.seq = 0;
    parsed.type = value_type::kValue;
  } else if (!DecodeFilteredKey(key, &parsed)) {
    return Status::Corruption(std::string(name()) + ": short internal key from the device in " +
                              "data block at offset " + std::to_string(block_offset));
  }
  // Counted as the device sends it, also for blocks filtered on the host.
  stats_->bytes_to_host += DeliveredBytes(
      parsed.user_key.size(), parsed.seq == 0 && parsed.type == value_type::kValue, value.size());
  const std::optional<uint64_t>& global_seqno = reader_.file().info().global_seqno;
  if (global_seqno) {
    if (parsed.seq != 0) {
      return Status::Corruption(std::string(name()) + ": nonzero sequence number in a file " +
                                "with a global seqno, data block at offset " +
                                std::to_string(block_offset));
    }
    parsed.seq = *global_seqno;
  }
  Rec r;
  r.key_offset = static_cast<uint32_t>(arena_.size());
  r.key_size = static_cast<uint32_t>(parsed.user_key.size());
  arena_.append(parsed.user_key);
  r.value_offset = static_cast<uint32_t>(arena_.size());
  r.value_size = static_cast<uint32_t>(value.size());
  arena_.append(value);
  r.seq = parsed.seq;
  r.type = parsed.type;
  r.cls = cls;
  recs_.push_back(r);
  return Status::OK();
}

Status DeviceFileStream::FilterOnHost(size_t block_index, const BlockHandle& handle,
                                      std::string_view contents) {
  if (!host_filter_) {
    return Status::NotSupported(std::string(name()) + ": data block at offset " +
                                std::to_string(handle.offset) +
                                " is larger than the device program accepts");
  }
  // Without global seqno substitution: AddRecord applies it.
  DataBlockIter it(contents, reader_.file().block_context(block_index));
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    ++stats_->entries_scanned;
    if (it.parsed().type != value_type::kValue) {
      PD_RETURN_IF_ERROR(AddRecord(it.key(), false, EntryClass::kNotValue, {}, handle.offset));
      continue;
    }
    PD_ASSIGN_OR_RETURN(bool match, host_filter_(it.parsed().user_key, it.value()));
    if (match) {
      PD_RETURN_IF_ERROR(
          AddRecord(it.key(), false, EntryClass::kMatched, it.value(), handle.offset));
    } else if (emit_shadows_) {
      PD_RETURN_IF_ERROR(AddRecord(it.key(), false, EntryClass::kShadow, {}, handle.offset));
    }
  }
  return it.status();
}

bool DeviceFileStream::Refill() {
  recs_.clear();
  arena_.clear();
  pos_ = 0;
  const abi::ProgramLayout& layout = program_->layout();
  while (recs_.empty() && !file_done_) {
    // Copy up to batch_blocks blocks (or a local memory's worth) out of the
    // reader: its views last only until its next block.
    size_t n = 0;
    uint64_t staged = 0;
    while (n < batch_blocks_ && staged < layout.block_capacity) {
      ReadBlock b;
      Status s = reader_.Next(&b, &file_done_);
      if (!s.ok()) {
        Fail(std::move(s));
        return false;
      }
      if (file_done_) break;
      if (staged_.size() <= n) {
        staged_.resize(n + 1);
        handles_.resize(n + 1);
        indices_.resize(n + 1);
      }
      staged_[n].assign(b.contents);
      handles_[n] = b.handle;
      indices_[n] = b.index;
      staged += StagedSize(b.contents.size());
      ++n;
    }
    if (n == 0) break;
    std::vector<BlockInput> inputs(n);
    const uint32_t flags = emit_shadows_ ? static_cast<uint32_t>(abi::kEmitShadows) : 0u;
    for (size_t i = 0; i < n; ++i) inputs[i] = {staged_[i], flags};

    BlockStager stager(device_, program_);
    const uint64_t start = NowNs();
    Status s = stager.Run(
        inputs, [&](size_t i, const BlockResult& result, const BatchResult& batch) -> Status {
          const uint64_t offset = handles_[i].offset;
          if (result.status == abi::kBlockTooLarge) {
            return FilterOnHost(indices_[i], handles_[i], staged_[i]);
          }
          if (result.status != abi::kBlockOk) {
            return Status::Corruption(
                std::string(name()) + ": " + BlockStatusName(result.status) +
                " data block at offset " + std::to_string(offset) + " (entry at block offset " +
                std::to_string(result.error_offset) + ", device " + program_->device_name() + ")");
          }
          stats_->entries_scanned += result.entries;
          for (const abi::OutRecord& rec : result.records) {
            const OutEntry e = batch.Entry(rec);
            PD_RETURN_IF_ERROR(AddRecord(e.key, e.user_key_only,
                                         static_cast<EntryClass>(e.entry_class), e.value, offset));
          }
          return Status::OK();
        });
    stats_->device_ns += NowNs() - start;
    if (!s.ok()) {
      Fail(std::move(s));
      return false;
    }
  }
  return !recs_.empty();
}

void DeviceFileStream::Load() {
  const Rec& r = recs_[pos_];
  entry_.user_key = std::string_view(arena_.data() + r.key_offset, r.key_size);
  entry_.value = std::string_view(arena_.data() + r.value_offset, r.value_size);
  entry_.seq = r.seq;
  entry_.type = r.type;
  entry_.cls = r.cls;
}

void DeviceFileStream::SeekToFirst() {
  status_ = Status::OK();
  reader_.Rewind();
  file_done_ = false;
  valid_ = Refill();
  if (valid_) Load();
}

void DeviceFileStream::Next() {
  if (++pos_ < recs_.size()) {
    Load();
    return;
  }
  valid_ = Refill();
  if (valid_) Load();
}

}  // namespace pushdown::exec
