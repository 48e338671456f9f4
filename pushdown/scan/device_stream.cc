#include "pushdown/scan/device_stream.h"

#include <chrono>
#include <utility>

#include "bpfgen/codegen/program_abi.h"

namespace pushdown::exec {

namespace abi = bpfgen::abi;

namespace {
uint64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

DeviceFileStream::DeviceFileStream(std::unique_ptr<SstFile> file, Device* device,
                                   LoadedProgram* program, bool emit_shadows, uint32_t batch_blocks,
                                   RowFilter host_filter, ScanStats* stats)
    : file_(std::move(file)),
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

Status DeviceFileStream::AddRecord(std::string_view internal_key, EntryClass cls,
                                   std::string_view value, uint64_t block_offset) {
  FilteredEntry parsed;
  if (!DecodeFilteredKey(internal_key, &parsed)) {
    return Status::Corruption(std::string(name()) + ": short internal key from the device in " +
                              "data block at offset " + std::to_string(block_offset));
  }
  const std::optional<uint64_t>& global_seqno = file_->info().global_seqno;
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
  stats_->bytes_to_host += sizeof(abi::OutRecord) + internal_key.size() + value.size();
  return Status::OK();
}

Status DeviceFileStream::FilterOnHost(size_t block_index, const BlockContents& block) {
  if (!host_filter_) {
    return Status::NotSupported(std::string(name()) + ": data block at offset " +
                                std::to_string(block.handle.offset) +
                                " is larger than the device program accepts");
  }
  // Without global seqno substitution: AddRecord applies it.
  DataBlockIter it(block.data, file_->block_context(block_index));
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    ++stats_->entries_scanned;
    if (it.parsed().type != value_type::kValue) {
      PD_RETURN_IF_ERROR(AddRecord(it.key(), EntryClass::kNotValue, {}, block.handle.offset));
      continue;
    }
    PD_ASSIGN_OR_RETURN(bool match, host_filter_(it.parsed().user_key, it.value()));
    if (match) {
      PD_RETURN_IF_ERROR(
          AddRecord(it.key(), EntryClass::kMatched, it.value(), block.handle.offset));
    } else if (emit_shadows_) {
      PD_RETURN_IF_ERROR(AddRecord(it.key(), EntryClass::kShadow, {}, block.handle.offset));
    }
  }
  return it.status();
}

bool DeviceFileStream::Refill() {
  recs_.clear();
  arena_.clear();
  pos_ = 0;
  while (recs_.empty() && next_block_ < file_->num_data_blocks()) {
    const size_t first = next_block_;
    const abi::ProgramLayout& layout = program_->layout();
    std::vector<BlockContents> blocks;
    uint64_t staged = 0;
    while (next_block_ < file_->num_data_blocks() && blocks.size() < batch_blocks_) {
      Result<BlockContents> b = file_->ReadDataBlock(next_block_);
      if (!b.ok()) {
        Fail(b.status());
        return false;
      }
      ++next_block_;
      ++stats_->blocks_read;
      stats_->bytes_read += b->handle.size + kBlockTrailerSize;
      staged += StagedSize(b->data.size());
      blocks.push_back(std::move(*b));
      if (staged >= layout.block_capacity) break;
    }
    std::vector<BlockInput> inputs(blocks.size());
    const uint32_t flags = emit_shadows_ ? static_cast<uint32_t>(abi::kEmitShadows) : 0u;
    for (size_t i = 0; i < blocks.size(); ++i) inputs[i] = {blocks[i].data, flags};

    BlockStager stager(device_, program_);
    Status sink_status;
    const uint64_t start = NowNs();
    Status s = stager.Run(
        inputs, [&](size_t i, const BlockResult& result, const BatchResult& batch) -> Status {
          const uint64_t offset = blocks[i].handle.offset;
          if (result.status == abi::kBlockTooLarge) return FilterOnHost(first + i, blocks[i]);
          if (result.status != abi::kBlockOk) {
            return Status::Corruption(
                std::string(name()) + ": " + BlockStatusName(result.status) +
                " data block at offset " + std::to_string(offset) + " (entry at block offset " +
                std::to_string(result.error_offset) + ", device " + program_->device_name() + ")");
          }
          stats_->entries_scanned += result.entries;
          for (const abi::OutRecord& rec : result.records) {
            const OutEntry e = batch.Entry(rec);
            PD_RETURN_IF_ERROR(
                AddRecord(e.internal_key, static_cast<EntryClass>(e.entry_class), e.value, offset));
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
  next_block_ = 0;
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
