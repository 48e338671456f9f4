#include "pushdown/scan/memtable_stream.h"

#include <algorithm>
#include <span>
#include <utility>

#include "pushdown/device/block_stager.h"
#include "util/coding.h"

namespace pushdown::exec {

namespace abi = bpfgen::abi;

namespace {

// The largest synthetic block: one batch slot of the layout (so a window of
// max_blocks blocks is one run), within what one block may be and what its
// keys may fill, and at most 64 KiB.
uint32_t BlockLimit(const abi::ProgramLayout& l) {
  uint32_t slot = l.max_blocks == 0 ? l.block_capacity : l.block_capacity / l.max_blocks;
  slot &= ~uint32_t{7};
  return std::min({slot, l.max_block_size, l.key_arena_size, uint32_t{64} << 10});
}

// Entries per synthetic block: a window's records fit one run's out_capacity.
uint32_t EntryLimit(const abi::ProgramLayout& l) {
  return std::max<uint32_t>(1, l.out_capacity / std::max<uint32_t>(1, l.max_blocks));
}

// The restart array of a block with one restart point (offset 0).
constexpr uint32_t kBlockTrailer = 8;

}  // namespace

MemtableStream::MemtableStream(std::shared_ptr<EntryStream> inner, RowFilter device_filter,
                               ScanStats* stats, Device* device, LoadedProgram* program)
    : inner_(std::move(inner)),
      device_filter_(std::move(device_filter)),
      stats_(stats),
      device_(device),
      program_(device != nullptr ? program : nullptr) {}

void MemtableStream::SeekToFirst() {
  status_ = Status::OK();
  inner_->SeekToFirst();
  if (!UseProgram()) {
    Settle();
    return;
  }
  inner_done_ = false;
  window_.clear();
  pos_ = 0;
  valid_ = Refill();
  if (valid_) Load();
}

void MemtableStream::Next() {
  if (!UseProgram()) {
    inner_->Next();
    Settle();
    return;
  }
  if (++pos_ < window_.size()) {
    Load();
    return;
  }
  valid_ = Refill();
  if (valid_) Load();
}

// The per-entry path (no program): the host filter on each value.
void MemtableStream::Settle() {
  valid_ = false;
  if (!inner_->Valid()) {
    status_ = inner_->status();
    return;
  }
  const FilteredEntry& e = inner_->entry();
  entry_ = e;
  ++stats_->memtable_entries;
  stats_->memtable_bytes += e.user_key.size() + e.value.size();
  if (e.type != value_type::kValue) {
    entry_.cls = EntryClass::kNotValue;
    entry_.value = {};
  } else {
    bool match = true;
    if (device_filter_) {
      Result<bool> r = device_filter_(e.user_key, e.value);
      if (!r.ok()) {
        status_ = r.status().WithContext(std::string(inner_->name()));
        return;
      }
      match = *r;
    }
    entry_.cls = match ? EntryClass::kMatched : EntryClass::kShadow;
    if (!match) entry_.value = {};
    if (match) ++stats_->memtable_values_matched;
  }
  valid_ = true;
}

bool MemtableStream::Refill() {
  window_.clear();
  pos_ = 0;
  if (inner_done_) {
    ReportDeferred();
    return false;
  }
  Status s = FillWindow();
  if (s.ok()) s = ClassifyWindow();
  if (!s.ok()) {
    status_ = std::move(s);
    window_.clear();
    inner_done_ = true;
    return false;
  }
  if (window_.empty() && !deferred_.ok()) {
    ReportDeferred();
    return false;
  }
  return !window_.empty();
}

// The failing entry counts in the stats, as on the per-entry path.
void MemtableStream::ReportDeferred() {
  if (deferred_.ok()) return;
  status_ = std::exchange(deferred_, Status::OK());
  ++stats_->memtable_entries;
  stats_->memtable_bytes += deferred_bytes_;
}

Status MemtableStream::FillWindow() {
  const abi::ProgramLayout& layout = program_->layout();
  const uint32_t block_limit = BlockLimit(layout);
  const uint32_t entry_limit = EntryLimit(layout);
  const size_t max_blocks = std::max<uint32_t>(1, layout.max_blocks);
  const size_t side_limit = std::max<size_t>(layout.block_capacity, block_limit);
  staged_.clear();
  block_list_.clear();
  blocks_.clear();
  side_.clear();
  auto close_block = [&]() {
    if (block_list_.empty() || block_list_.back().size != 0) return;
    Block& b = block_list_.back();
    PutFixed32(&blocks_, 0);  // restart point 0
    PutFixed32(&blocks_, 1);  // one restart point
    b.size = static_cast<uint32_t>(blocks_.size() - b.offset);
  };
  uint32_t open_bytes = 0;  // bytes of the open block (size still 0), trailer excluded
  while (true) {
    if (!inner_->Valid()) {
      PD_RETURN_IF_ERROR(inner_->status());
      inner_done_ = true;
      break;
    }
    const FilteredEntry& e = inner_->entry();
    Buffered b{};
    b.key_size = static_cast<uint32_t>(e.user_key.size());
    b.value_size = static_cast<uint32_t>(e.value.size());
    b.seq = e.seq;
    b.type = e.type;
    b.cls = EntryClass::kNotValue;
    const uint64_t ikey = uint64_t{b.key_size} + 8;
    const uint64_t encoded =
        VarintLength(0) + VarintLength(ikey) + VarintLength(b.value_size) + ikey + b.value_size;
    const bool stageable = e.type == value_type::kValue && ikey <= layout.max_key_size &&
                           encoded + kBlockTrailer <= block_limit;
    if (stageable) {
      const bool open = !block_list_.empty() && block_list_.back().size == 0;
      if (!open || open_bytes + encoded + kBlockTrailer > block_limit ||
          block_list_.back().count >= entry_limit) {
        if (open) close_block();
        if (block_list_.size() == max_blocks) break;  // the window is full
        block_list_.push_back(
            {static_cast<uint32_t>(blocks_.size()), 0, static_cast<uint32_t>(staged_.size()), 0});
        open_bytes = 0;
      }
      PutVarint32(&blocks_, 0);  // shared
      PutVarint32(&blocks_, static_cast<uint32_t>(ikey));
      PutVarint32(&blocks_, b.value_size);
      b.key_offset = static_cast<uint32_t>(blocks_.size());
      blocks_.append(e.user_key);
      PutFixed64(&blocks_, (e.seq << 8) | value_type::kValue);
      b.value_offset = static_cast<uint32_t>(blocks_.size());
      blocks_.append(e.value);
      b.staged = true;
      b.staged_ok = true;
      open_bytes += static_cast<uint32_t>(encoded);
      ++block_list_.back().count;
      staged_.push_back(static_cast<uint32_t>(window_.size()));
    } else {
      if (side_.size() >= side_limit) break;  // the window is full
      b.key_offset = static_cast<uint32_t>(side_.size());
      side_.append(e.user_key);
      b.value_offset = static_cast<uint32_t>(side_.size());
      if (e.type == value_type::kValue) side_.append(e.value);
      b.staged = false;
      b.staged_ok = false;
    }
    window_.push_back(b);
    inner_->Next();
  }
  close_block();
  return Status::OK();
}

Status MemtableStream::ClassifyWindow() {
  // The program over the synthetic blocks.
  std::vector<BlockInput> inputs;
  inputs.reserve(block_list_.size());
  for (const Block& b : block_list_) {
    inputs.push_back({std::string_view(blocks_.data() + b.offset, b.size),
                      static_cast<uint32_t>(abi::kEmitShadows)});
  }
  std::vector<bool> on_host(block_list_.size(), false);
  deferred_ = Status::OK();
  if (!inputs.empty()) {
    BlockStager stager(device_, program_);
    PD_RETURN_IF_ERROR(
        stager.Run(inputs, [&](size_t i, const BlockResult& result, const BatchResult&) -> Status {
          const Block& blk = block_list_[i];
          if (result.status != abi::kBlockOk) {
            // E.g. a value that is not a valid row: the host filter decides
            // (and reports) exactly as it would have alone.
            on_host[i] = true;
            return Status::OK();
          }
          if (result.entries != blk.count || result.records.size() != blk.count) {
            return Status::Internal(std::string(name()) + ": the device program classified " +
                                    std::to_string(result.records.size()) + " of " +
                                    std::to_string(blk.count) + " staged memtable values (walked " +
                                    std::to_string(result.entries) + ")");
          }
          for (uint32_t j = 0; j < blk.count; ++j) {
            const uint8_t c = result.records[j].entry_class;
            if (c != abi::kMatched && c != abi::kShadow) {
              return Status::Internal(std::string(name()) +
                                      ": the device program returned a non-value record for a "
                                      "staged memtable value");
            }
            window_[staged_[blk.first + j]].cls =
                c == abi::kMatched ? EntryClass::kMatched : EntryClass::kShadow;
          }
          return Status::OK();
        }));
  }
  for (size_t i = 0; i < block_list_.size(); ++i) {
    if (!on_host[i]) continue;
    const Block& blk = block_list_[i];
    for (uint32_t j = 0; j < blk.count; ++j) window_[staged_[blk.first + j]].staged_ok = false;
  }
  // The rest on the host, in entry order: an error is reported where the
  // host filter alone would report it, after the entries before it.
  for (size_t i = 0; i < window_.size(); ++i) {
    Buffered& b = window_[i];
    if (b.type != value_type::kValue || (b.staged && b.staged_ok)) continue;
    Status s = ClassifyOnHost(&b);
    if (!s.ok()) {
      deferred_bytes_ = uint64_t{b.key_size} + b.value_size;
      window_.resize(i);
      inner_done_ = true;
      deferred_ = std::move(s);
      break;
    }
  }
  return Status::OK();
}

Status MemtableStream::ClassifyOnHost(Buffered* b) {
  const std::string& buf = b->staged ? blocks_ : side_;
  Result<bool> r = device_filter_(std::string_view(buf.data() + b->key_offset, b->key_size),
                                  std::string_view(buf.data() + b->value_offset, b->value_size));
  if (!r.ok()) return r.status().WithContext(std::string(inner_->name()));
  b->cls = *r ? EntryClass::kMatched : EntryClass::kShadow;
  return Status::OK();
}

void MemtableStream::Load() {
  const Buffered& b = window_[pos_];
  const std::string& buf = b.staged ? blocks_ : side_;
  entry_.user_key = std::string_view(buf.data() + b.key_offset, b.key_size);
  entry_.seq = b.seq;
  entry_.type = b.type;
  entry_.cls = b.type == value_type::kValue ? b.cls : EntryClass::kNotValue;
  entry_.value = entry_.cls == EntryClass::kMatched
                     ? std::string_view(buf.data() + b.value_offset, b.value_size)
                     : std::string_view();
  ++stats_->memtable_entries;
  stats_->memtable_bytes += b.key_size + b.value_size;
  if (entry_.cls == EntryClass::kMatched) ++stats_->memtable_values_matched;
}

}  // namespace pushdown::exec
