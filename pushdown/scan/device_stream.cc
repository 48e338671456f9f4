#include "pushdown/scan/device_stream.h"

#include <cstring>
#include <utility>

#include "bpfgen/codegen/program_abi.h"
#include "pushdown/scan/host_timer.h"

namespace pushdown::exec {

namespace abi = bpfgen::abi;
static_assert(kOutRecordBytes == sizeof(abi::OutRecord));

namespace {
// A device run's error (a program's invalid output, a block that never fits
// the output) with the file and the run's first block in front: the device
// does not know which file it ran. Other errors already say where they are.
Status InFile(std::string_view file, uint64_t block_offset, Status s) {
  const bool internal = s.code() == Status::Code::kInternal;
  if (!internal && s.code() != Status::Code::kResourceExhausted) return s;
  std::string msg = std::string(file) + ": device run from data block at offset " +
                    std::to_string(block_offset) + ": " + std::string(s.message());
  return internal ? Status::Internal(std::move(msg)) : Status::ResourceExhausted(std::move(msg));
}

// The stream decompresses blocks itself, straight into local memory.
std::optional<BlockSourceOptions> InPlace(std::optional<BlockSourceOptions> options) {
  if (options) options->decompress = false;
  return options;
}

}  // namespace

DeviceFileStream::DeviceFileStream(std::shared_ptr<const SstFile> file,
                                   std::vector<BlockRange> runs,
                                   std::optional<BlockSourceOptions> source_options, Device* device,
                                   LoadedProgram* program, bool emit_shadows, uint32_t batch_blocks,
                                   RowFilter host_filter, ScanStats* stats)
    : reader_(std::move(file), std::move(runs), InPlace(source_options), stats),
      device_(device),
      program_(program),
      emit_shadows_(emit_shadows),
      batch_blocks_(batch_blocks == 0 ? 1 : batch_blocks),
      host_filter_(std::move(host_filter)),
      stats_(stats) {
  const std::optional<BlockSourceOptions>& o = source_options;
  in_place_reads_ = o && o->read_into_device_memory && !o->o_direct &&
                    reader_.file().info().properties.compression == "NoCompression";
  verify_checksums_ = !o || o->verify_checksums;
}

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

Status DeviceFileStream::TakeBlock(size_t i, const BlockResult& result, const BatchResult& batch,
                                   bool aggregated) {
  if (result.status != abi::kBlockOk) {
    return Status::Corruption(std::string(name()) + ": " + BlockStatusName(result.status) +
                              " data block at offset " + std::to_string(handles_[i].offset) +
                              " (entry at block offset " + std::to_string(result.error_offset) +
                              ", device " + program_->device_name() + ")");
  }
  stats_->entries_scanned += result.entries;
  if (aggregated) {
    if (!result.records.empty()) {
      return Status::Internal(std::string(name()) + ": the device emitted records for data block " +
                              "at offset " + std::to_string(handles_[i].offset) +
                              ", which it aggregated");
    }
    ++stats_->blocks_aggregated_on_device;
  }
  for (const abi::OutRecord& rec : result.records) {
    const OutEntry e = batch.Entry(rec);
    PD_RETURN_IF_ERROR(AddRecord(e.key, e.user_key_only, static_cast<EntryClass>(e.entry_class),
                                 e.value, handles_[i].offset));
  }
  return Status::OK();
}

void DeviceFileStream::Track(size_t n, const BlockHandle& handle, size_t index, uint32_t flags) {
  if (handles_.size() <= n) {
    handles_.resize(n + 1);
    indices_.resize(n + 1);
    flags_.resize(n + 1);
  }
  handles_[n] = handle;
  indices_[n] = index;
  flags_[n] = flags;
}

Status DeviceFileStream::StageFromReader(StagedBatch& staged, const FlagsFn& block_flags, size_t* n,
                                         std::optional<ReadBlock>* oversized) {
  const uint32_t max_block_size = program_->layout().max_block_size;
  while (*n < batch_blocks_) {
    ReadBlock b;
    if (pending_) {
      b = *std::exchange(pending_, std::nullopt);
    } else {
      PD_RETURN_IF_ERROR(reader_.Next(&b, &file_done_));
      if (file_done_) break;
    }
    PD_ASSIGN_OR_RETURN(const size_t size, ContentsSize(&b));
    if (size > max_block_size) {
      PD_RETURN_IF_ERROR(Decompress(&b));
      *oversized = b;  // filtered on the host after this batch, in file order
      break;
    }
    const uint32_t f = block_flags(b.index);
    PD_ASSIGN_OR_RETURN(std::span<uint8_t> dst, staged.Append(static_cast<uint32_t>(size), f));
    if (staged.num_blocks() == *n) {  // the batch is full
      // Not even one block fits an empty batch (a layout whose staging area
      // is smaller than max_block_size rounded up, or max_blocks 0): filter
      // it on the host like an oversized block instead of retrying forever.
      if (*n == 0) {
        PD_RETURN_IF_ERROR(Decompress(&b));
        *oversized = b;
      } else {
        pending_ = b;
      }
      break;
    }
    if (b.compressed) {
      // In place: the verified payload decompressed straight into local
      // memory, on this (the worker's) thread, with no buffer in between.
      PD_RETURN_IF_ERROR(reader_.file().DecodeBlockInto(
          b.handle, b.raw, std::span<char>(reinterpret_cast<char*>(dst.data()), dst.size())));
      ++stats_->blocks_decompressed_in_place;
    } else {
      std::memcpy(dst.data(), b.contents.data(), b.contents.size());
    }
    Track((*n)++, b.handle, b.index, f);
  }
  return Status::OK();
}

Status DeviceFileStream::StageInPlace(StagedBatch& staged, const FlagsFn& block_flags, size_t* n,
                                      std::optional<ReadBlock>* oversized) {
  const BlockRange run = reader_.UnreadRun();
  if (run.empty()) {
    file_done_ = true;
    return Status::OK();
  }
  const SstFile& file = reader_.file();
  const std::vector<BlockHandle>& handles = file.data_block_handles();
  const abi::ProgramLayout& layout = program_->layout();
  // The longest prefix of the run whose blocks, with their trailers, fit the
  // staging area in one piece (the 8 bytes: the reservation's alignment).
  const uint64_t base = handles[run.begin].offset;
  const size_t max_blocks = std::min<size_t>(batch_blocks_, layout.max_blocks);
  size_t end = run.begin;
  while (end < run.end && end - run.begin < max_blocks &&
         handles[end].size <= layout.max_block_size &&
         handles[end].end_with_trailer() - base + 8 <= layout.block_capacity) {
    ++end;
  }
  if (end == run.begin) {
    // Larger than the program accepts: read, verified and decoded the usual
    // way, and filtered on the host.
    PD_ASSIGN_OR_RETURN(BlockContents block, file.ReadDataBlock(run.begin, verify_checksums_));
    decoded_ = std::move(block.data);
    *oversized = ReadBlock{run.begin, handles[run.begin], decoded_, false, {}};
    reader_.Consume(1);
    return Status::OK();
  }
  const uint64_t length = handles[end - 1].end_with_trailer() - base;
  PD_ASSIGN_OR_RETURN(std::span<uint8_t> span, staged.Reserve(length, 8));
  if (span.size() != length) return Status::Internal("staging area smaller than planned");
  char* at = reinterpret_cast<char*>(span.data());
  PD_RETURN_IF_ERROR(file.ReadBytes(base, std::span<char>(at, length)));
  for (size_t i = run.begin; i < end; ++i) {
    const BlockHandle& h = handles[i];
    const std::string_view raw(at + (h.offset - base), h.size + kBlockTrailerSize);
    // Checksum before the walk, where the block lies.
    PD_RETURN_IF_ERROR(file.VerifyBlock(h, raw, verify_checksums_));
    const uint32_t f = block_flags(i);
    if (static_cast<uint8_t>(raw[h.size]) == static_cast<uint8_t>(CompressionType::kNone)) {
      PD_ASSIGN_OR_RETURN(const bool added,
                          staged.AddBlock(reinterpret_cast<const uint8_t*>(raw.data()),
                                          static_cast<uint32_t>(h.size), f));
      if (!added) return Status::Internal("more blocks than the batch was planned for");
      ++stats_->blocks_read_in_place;
    } else {
      // A compressed block in a file that declares none (legal, rare):
      // decompressed after the reserved bytes, or, when it does not fit
      // there, from the next batch on (alone, on the host if it must).
      ReadBlock b{i, h, {}, true, raw};
      PD_ASSIGN_OR_RETURN(const size_t size, ContentsSize(&b));
      std::span<uint8_t> dst;
      if (size <= layout.max_block_size) {
        PD_ASSIGN_OR_RETURN(dst, staged.Append(static_cast<uint32_t>(size), f));
      }
      if (dst.size() != size || *n == staged.num_blocks()) {
        if (i > run.begin) {
          end = i;
          break;
        }
        PD_RETURN_IF_ERROR(Decompress(&b));
        *oversized = b;
        reader_.Consume(1);
        return Status::OK();
      }
      if (b.compressed) {
        PD_RETURN_IF_ERROR(file.DecodeBlockInto(
            h, raw, std::span<char>(reinterpret_cast<char*>(dst.data()), dst.size())));
        ++stats_->blocks_decompressed_in_place;
      } else {
        std::memcpy(dst.data(), b.contents.data(), size);
      }
    }
    Track((*n)++, h, i, f);
  }
  reader_.Consume(end - run.begin);
  return Status::OK();
}

Status DeviceFileStream::RunBatch() {
  const uint32_t flags = emit_shadows_ ? static_cast<uint32_t>(abi::kEmitShadows) : 0u;
  const FlagsFn block_flags = [&](size_t index) {
    const bool aggregate =
        aggregate_ && index < aggregate_blocks_.size() && aggregate_blocks_[index] != 0;
    return aggregate ? static_cast<uint32_t>(abi::kAggregate) : flags;
  };
  size_t n = 0;
  uint64_t device_ns = 0;
  std::optional<ReadBlock> oversized;
  // Blocks [0, unfinished) are done; of the rest, the ones in `rerun` are run
  // again as records (the others were aggregated OK on the device).
  size_t unfinished = 0;
  std::vector<size_t> rerun;
  {
    PD_ASSIGN_OR_RETURN(StagedBatch staged, device_->BeginBatch(*program_));
    if (in_place_reads_) {
      PD_RETURN_IF_ERROR(StageInPlace(staged, block_flags, &n, &oversized));
    } else {
      PD_RETURN_IF_ERROR(StageFromReader(staged, block_flags, &n, &oversized));
    }
    if (n > 0) {
      const uint64_t start = MonotonicNowNs();
      Result<BatchResult> executed = device_->Execute(std::move(staged));
      if (!executed.ok()) return InFile(name(), handles_[0].offset, executed.status());
      BatchResult batch = std::move(executed).value();
      // Records must reach the merge in file order. The first block that did
      // not finish (output full, not run) or that the program sent back
      // (kBlockNeedsRecords) ends what is taken in order; after it, blocks
      // aggregated OK stay taken (their partials are in the program's region,
      // which the executor reads at the end, and they yield no records), every
      // other one runs again as records.
      unfinished = n;
      for (size_t i = 0; i < n; ++i) {
        const BlockResult& result = batch.blocks()[i];
        const bool aggregate_ok =
            (flags_[i] & abi::kAggregate) != 0 && result.status == abi::kBlockOk;
        if (i >= unfinished) {
          if (aggregate_ok) {
            PD_RETURN_IF_ERROR(TakeBlock(i, result, batch, true));
          } else {
            if (result.status == abi::kBlockNeedsRecords) ++stats_->blocks_aggregate_sent_back;
            rerun.push_back(i);
          }
          continue;
        }
        if (result.status == abi::kBlockNeedsRecords) ++stats_->blocks_aggregate_sent_back;
        if (result.status == abi::kBlockNotRun || result.status == abi::kBlockOutputFull ||
            result.status == abi::kBlockNeedsRecords) {
          unfinished = i;
          rerun.push_back(i);
          continue;
        }
        PD_RETURN_IF_ERROR(TakeBlock(i, result, batch, aggregate_ok));
      }
      device_ns += MonotonicNowNs() - start;
    }
  }
  if (!rerun.empty()) {
    // The program ran out of output room, or sent aggregate blocks back: run
    // them again as records. Their contents are read again from the file
    // (verified, uncompressed), not taken back from local memory, which the
    // program has had access to.
    rerun_.resize(rerun.size());
    for (size_t k = 0; k < rerun.size(); ++k) {
      Result<BlockContents> again = reader_.file().ReadDataBlock(indices_[rerun[k]]);
      if (!again.ok()) return again.status();
      rerun_[k] = std::move(again->data);
    }
    const uint64_t start = MonotonicNowNs();
    std::vector<BlockInput> inputs(rerun.size());
    for (size_t k = 0; k < rerun.size(); ++k) inputs[k] = {rerun_[k], flags};
    BlockStager stager(device_, program_);
    Status again = stager.Run(
        inputs, [&](size_t k, const BlockResult& result, const BatchResult& batch) -> Status {
          return TakeBlock(rerun[k], result, batch);
        });
    if (!again.ok()) return InFile(name(), handles_[rerun[0]].offset, std::move(again));
    device_ns += MonotonicNowNs() - start;
  }
  stats_->device_ns += device_ns;
  if (oversized) {
    PD_RETURN_IF_ERROR(FilterOnHost(oversized->index, oversized->handle, oversized->contents));
  }
  return Status::OK();
}

Result<size_t> DeviceFileStream::ContentsSize(ReadBlock* b) {
  if (!b->compressed) return b->contents.size();
  Result<size_t> n = reader_.file().DecodedBlockSize(b->handle, b->raw);
  if (n.ok() || !n.status().IsNotSupported()) return n;
  // A compression that declares no size (zlib before format_version 2):
  // decompressed the usual way, into a buffer, then copied.
  PD_RETURN_IF_ERROR(Decompress(b));
  return b->contents.size();
}

Status DeviceFileStream::Decompress(ReadBlock* b) {
  if (!b->compressed) return Status::OK();
  std::string_view contents;
  // Verified by the reader already.
  PD_RETURN_IF_ERROR(reader_.file().DecodeBlock(b->handle, b->raw, false, &decoded_, &contents));
  b->contents = contents;
  b->compressed = false;
  return Status::OK();
}

bool DeviceFileStream::Refill() {
  recs_.clear();
  arena_.clear();
  pos_ = 0;
  while (recs_.empty() && (!file_done_ || pending_)) {
    Status s = RunBatch();
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
  pending_.reset();
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
