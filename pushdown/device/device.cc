#include "pushdown/device/device.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace pushdown::exec {

namespace abi = bpfgen::abi;

const char* PinStateName(PinState state) {
  switch (state) {
    case PinState::kOff:
      return "off";
    case PinState::kCreated:
      return "created";
    case PinState::kReused:
      return "reused";
    case PinState::kUnpinned:
      return "unpinned";
  }
  return "?";
}

const char* BlockStatusName(uint32_t status) {
  switch (status) {
    case abi::kBlockOk:
      return "ok";
    case abi::kBlockNotRun:
      return "not run";
    case abi::kBlockMalformed:
      return "malformed";
    case abi::kBlockKeyTooLong:
      return "key too long";
    case abi::kBlockBadRow:
      return "bad row";
    case abi::kBlockOutputFull:
      return "output full";
    case abi::kBlockTooLarge:
      return "too large";
    case abi::kBlockNeedsRecords:
      return "needs records";
  }
  return "unknown status";
}

BatchResult::BatchResult(BatchResult&& other) noexcept { *this = std::move(other); }

BatchResult& BatchResult::operator=(BatchResult&& other) noexcept {
  if (this != &other) {
    Release();
    program_ = std::exchange(other.program_, nullptr);
    lock_ = std::move(other.lock_);
    memory_ = std::exchange(other.memory_, nullptr);
    records_ = std::exchange(other.records_, nullptr);
    key_offsets_ = std::move(other.key_offsets_);
    ctx_ = other.ctx_;
    blocks_ = std::move(other.blocks_);
  }
  return *this;
}

BatchResult::~BatchResult() { Release(); }

void BatchResult::Release() {
  if (program_ != nullptr && lock_.owns_lock()) {
    program_->owner_.store(std::thread::id(), std::memory_order_relaxed);
    lock_.unlock();
  }
  program_ = nullptr;
  blocks_.clear();
}

std::string OutEntry::InternalKey() const {
  std::string k(key);
  if (user_key_only) {
    static constexpr char kSeq0Value[8] = {1, 0, 0, 0, 0, 0, 0, 0};  // (0 << 8) | kTypeValue, LE
    k.append(kSeq0Value, sizeof(kSeq0Value));
  }
  return k;
}

OutEntry BatchResult::Entry(const abi::OutRecord& record) const {
  const char* base = reinterpret_cast<const char*>(memory_);
  OutEntry entry;
  entry.entry_class = static_cast<abi::EntryClass>(record.entry_class);
  entry.key = std::string_view(base + key_offsets_[&record - records_], record.key_size);
  entry.user_key_only = (record.flags & abi::kUserKeyOnly) != 0;
  if (record.entry_class == abi::kMatched) {
    entry.value = std::string_view(base + record.value_offset, record.value_size);
  }
  return entry;
}

namespace {

// The program's output is checked once per run, so that views handed to the
// host never point outside local memory even if a program is buggy. Derives
// each record's key offset (keys lie back to back in record order).
Status ValidateOutput(const abi::ProgramLayout& layout, const abi::RunContext& ctx,
                      const abi::BlockDesc* descs, uint32_t num_blocks,
                      const abi::OutRecord* records, std::vector<uint32_t>* key_offsets) {
  if (ctx.out_count > layout.out_capacity || ctx.blocks_done > num_blocks) {
    return Status::Internal("program reported more output than its layout allows");
  }
  // The spans of the blocks whose records the host reads tile the records in
  // block order (each starts where the previous one ended), so no record is
  // attributed to two blocks or out of order; other statuses carry none.
  uint32_t next_record = 0;
  for (uint32_t i = 0; i < num_blocks; ++i) {
    const abi::BlockDesc& d = descs[i];
    switch (d.status) {
      case abi::kBlockOk:
      case abi::kBlockMalformed:
      case abi::kBlockKeyTooLong:
      case abi::kBlockBadRow:
        if (d.out_begin != next_record || d.out_begin > d.out_end || d.out_end > ctx.out_count) {
          return Status::Internal("program wrote an out-of-range record span for block " +
                                  std::to_string(i));
        }
        next_record = d.out_end;
        break;
      case abi::kBlockNotRun:
      case abi::kBlockOutputFull:
      case abi::kBlockTooLarge:
      case abi::kBlockNeedsRecords:
        break;
      default:
        return Status::Internal("program wrote an unknown status " + std::to_string(d.status) +
                                " for block " + std::to_string(i));
    }
  }
  const uint64_t mem = layout.mem_size;
  // A matched value lies in a staged block: a value pointing at the key
  // arena, the records or the program's private state would be a wrong row.
  const uint64_t blocks_begin = layout.block_offset;
  const uint64_t blocks_end = blocks_begin + layout.block_capacity;
  auto bad_value = [&](const abi::OutRecord& rec) {
    if (rec.entry_class != abi::kMatched) return false;
    const uint64_t begin = rec.value_offset, end = begin + rec.value_size;
    if (rec.value_size == 0) return begin > mem;
    return begin < blocks_begin || end > blocks_end;
  };
  key_offsets->resize(ctx.out_count);
  uint64_t key_at = 0;
  for (uint32_t r = 0; r < ctx.out_count; ++r) {
    const abi::OutRecord& rec = records[r];
    (*key_offsets)[r] = static_cast<uint32_t>(layout.key_arena_offset + key_at);
    key_at += rec.key_size;
    const uint32_t min_key = (rec.flags & abi::kUserKeyOnly) ? 0 : 8;
    if (key_at > layout.key_arena_size || rec.key_size < min_key ||
        (rec.flags & ~uint32_t{abi::kUserKeyOnly}) != 0 ||
        ((rec.flags & abi::kUserKeyOnly) && rec.entry_class == abi::kNotValue) || bad_value(rec) ||
        rec.entry_class < abi::kMatched || rec.entry_class > abi::kNotValue) {
      return Status::Internal("program wrote an invalid output record " + std::to_string(r));
    }
  }
  if (key_at != ctx.key_bytes) {
    return Status::Internal("program's key arena size disagrees with its records");
  }
  return Status::OK();
}

// The regions of a program's layout lie inside [0, mem_size) and are
// disjoint (program_abi.h): staging writes descriptors and blocks at these
// offsets and the output check trusts them, so a layout that breaks this
// would let the host write or read outside local memory.
Status ValidateLayout(const abi::ProgramLayout& l) {
  struct Region {
    const char* name;
    uint64_t offset, size;
  };
  const Region regions[] = {
      {"descriptors", l.desc_offset, uint64_t{l.max_blocks} * sizeof(abi::BlockDesc)},
      {"blocks", l.block_offset, l.block_capacity},
      {"records", l.out_offset, uint64_t{l.out_capacity} * sizeof(abi::OutRecord)},
      {"key arena", l.key_arena_offset, l.key_arena_size},
      {"private", l.private_offset, l.private_size},
      {"aggregates", l.agg_offset,
       l.num_aggregates == 0
           ? 0
           : abi::kAggHeaderBytes + uint64_t{l.num_aggregates} * sizeof(abi::AggAccumulator)},
      {"groups", l.group_offset,
       l.num_group_keys == 0
           ? 0
           : abi::kGroupHeaderBytes + uint64_t{l.group_slots} * l.group_slot_size},
      {"group undo", l.undo_offset,
       l.num_group_keys == 0 ? 0 : uint64_t{l.group_slots} * (8 + uint64_t{l.group_slot_size})},
  };
  if (l.num_aggregates > abi::kMaxAggregates) {
    return Status::Internal("program layout: too many aggregates");
  }
  if (l.num_group_keys > abi::kMaxGroupKeys ||
      (l.num_group_keys > 0 &&
       (l.num_aggregates == 0 || l.group_slots == 0 || l.group_slots > abi::kGroupSlots ||
        l.group_slot_size != 8 * abi::GroupSlotWords(l.num_group_keys, l.num_aggregates)))) {
    return Status::Internal("program layout: bad group table");
  }
  for (const Region& r : regions) {
    if (r.offset + r.size > l.mem_size) {
      return Status::Internal(std::string("program layout: ") + r.name +
                              " region ends past local memory");
    }
    for (const Region& o : regions) {
      if (&o != &r && r.size != 0 && o.size != 0 && r.offset < o.offset + o.size &&
          o.offset < r.offset + r.size) {
        return Status::Internal(std::string("program layout: ") + r.name + " and " + o.name +
                                " regions overlap");
      }
    }
  }
  if (l.max_block_size > l.block_capacity) {
    return Status::Internal("program layout: max_block_size exceeds block_capacity");
  }
  return Status::OK();
}

}  // namespace

StagedBatch::~StagedBatch() {
  if (program_ != nullptr && lock_.owns_lock()) {
    program_->owner_.store(std::thread::id(), std::memory_order_relaxed);
    lock_.unlock();
  }
}

Result<std::span<uint8_t>> StagedBatch::Append(uint32_t size, uint32_t flags) {
  if (program_ == nullptr || !lock_.owns_lock()) {
    return Status::Internal("Append on a batch that is not open");
  }
  const abi::ProgramLayout& layout = program_->layout();
  if (size > layout.max_block_size) {
    return Status::InvalidArgument("block of " + std::to_string(size) +
                                   " bytes exceeds max_block_size " +
                                   std::to_string(layout.max_block_size));
  }
  uint64_t used = next_offset_ - layout.block_offset;
  if (num_blocks_ >= layout.max_blocks || used + StagedSize(size) > layout.block_capacity) {
    return std::span<uint8_t>();
  }
  const uint32_t offset = next_offset_;
  Describe(offset, size, flags);
  next_offset_ += static_cast<uint32_t>(StagedSize(size));
  return std::span<uint8_t>(program_->memory() + offset, size);
}

void StagedBatch::Describe(uint32_t offset, uint32_t size, uint32_t flags) {
  uint8_t* mem = program_->memory();
  const abi::ProgramLayout& layout = program_->layout();
  abi::BlockDesc& d = reinterpret_cast<abi::BlockDesc*>(mem + layout.desc_offset)[num_blocks_];
  d.offset = offset;
  d.size = size;
  d.flags = flags;
  d.status = abi::kBlockNotRun;
  d.out_begin = d.out_end = d.entries = d.error_offset = 0;
  ++num_blocks_;
}

Result<std::span<uint8_t>> StagedBatch::Reserve(size_t size, size_t align) {
  if (program_ == nullptr || !lock_.owns_lock()) {
    return Status::Internal("Reserve on a batch that is not open");
  }
  if (align == 0 || align > 4096 || (align & (align - 1)) != 0) {
    return Status::InvalidArgument("Reserve alignment must be a power of two <= 4096");
  }
  const abi::ProgramLayout& layout = program_->layout();
  uint8_t* mem = program_->memory();
  const uintptr_t at = reinterpret_cast<uintptr_t>(mem) + next_offset_;
  const uint64_t begin = next_offset_ + (((at + align - 1) & ~uintptr_t{align - 1}) - at);
  const uint64_t end = uint64_t{layout.block_offset} + layout.block_capacity;
  if (begin > end || size > end - begin) return std::span<uint8_t>();
  next_offset_ = static_cast<uint32_t>(std::min<uint64_t>(StagedSize(begin + size), end));
  return std::span<uint8_t>(mem + begin, size);
}

Result<bool> StagedBatch::AddBlock(const uint8_t* contents, uint32_t size, uint32_t flags) {
  if (program_ == nullptr || !lock_.owns_lock()) {
    return Status::Internal("AddBlock on a batch that is not open");
  }
  const abi::ProgramLayout& layout = program_->layout();
  if (size > layout.max_block_size) {
    return Status::InvalidArgument("block of " + std::to_string(size) +
                                   " bytes exceeds max_block_size " +
                                   std::to_string(layout.max_block_size));
  }
  const uint8_t* mem = program_->memory();
  if (contents < mem + layout.block_offset || contents > mem + next_offset_ ||
      size > static_cast<uint64_t>(mem + next_offset_ - contents)) {
    return Status::InvalidArgument("block to add lies outside the batch's staged memory");
  }
  if (num_blocks_ >= layout.max_blocks) return false;
  Describe(static_cast<uint32_t>(contents - mem), size, flags);
  return true;
}

Result<StagedBatch> Device::BeginBatch(LoadedProgram& program) {
  if (program.owner_.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
    return Status::Internal("Execute while this thread still holds a BatchResult of the program");
  }
  PD_RETURN_IF_ERROR(ValidateLayout(program.layout()));
  StagedBatch batch;
  batch.lock_ = std::unique_lock<std::mutex>(program.mu_);
  program.owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  batch.program_ = &program;
  batch.next_offset_ = program.layout().block_offset;
  return batch;
}

Status Device::ResetAggregates(LoadedProgram& program) {
  const abi::ProgramLayout& l = program.layout();
  if (l.num_aggregates == 0) return Status::InvalidArgument("program has no aggregates");
  PD_ASSIGN_OR_RETURN(StagedBatch batch, BeginBatch(program));  // the lock
  std::memset(program.memory() + l.agg_offset, 0,
              abi::kAggHeaderBytes + size_t{l.num_aggregates} * sizeof(abi::AggAccumulator));
  if (l.num_group_keys > 0) {
    std::memset(program.memory() + l.group_offset, 0,
                abi::kGroupHeaderBytes + size_t{l.group_slots} * l.group_slot_size);
  }
  return Status::OK();
}

Result<AggregateState> Device::ReadAggregates(LoadedProgram& program) {
  const abi::ProgramLayout& l = program.layout();
  if (l.num_aggregates == 0) return Status::InvalidArgument("program has no aggregates");
  PD_ASSIGN_OR_RETURN(StagedBatch batch, BeginBatch(program));  // the lock
  const uint8_t* region = program.memory() + l.agg_offset;
  AggregateState out;
  std::memcpy(&out.rows, region, sizeof(out.rows));
  out.accumulators.resize(l.num_aggregates);
  std::memcpy(out.accumulators.data(), region + abi::kAggHeaderBytes,
              size_t{l.num_aggregates} * sizeof(abi::AggAccumulator));
  if (l.num_group_keys == 0) return out;
  out.accumulators.clear();
  // Slots by the program_abi.h layout; the table was validated to lie inside
  // local memory (BeginBatch -> ValidateLayout).
  const uint8_t* table = program.memory() + l.group_offset + abi::kGroupHeaderBytes;
  auto word = [](const uint8_t* p, size_t w) {
    uint64_t v;
    std::memcpy(&v, p + 8 * w, sizeof(v));
    return v;
  };
  for (uint32_t i = 0; i < l.group_slots; ++i) {
    const uint8_t* slot = table + size_t{i} * l.group_slot_size;
    const uint64_t tag = word(slot, 1);
    if (tag == 0) continue;
    AggregateGroup g;
    g.null_mask = tag >> 1;
    for (uint32_t k = 0; k < l.num_group_keys; ++k) g.keys.push_back(word(slot, 2 + k));
    g.rows = word(slot, 2 + l.num_group_keys);
    g.accumulators.resize(l.num_aggregates);
    std::memcpy(g.accumulators.data(), slot + 8 * (3 + size_t{l.num_group_keys}),
                size_t{l.num_aggregates} * sizeof(abi::AggAccumulator));
    out.groups.push_back(std::move(g));
  }
  return out;
}

Result<BatchResult> Device::Execute(StagedBatch&& batch) {
  if (batch.program_ == nullptr || !batch.lock_.owns_lock()) {
    return Status::Internal("Execute of a batch that is not open");
  }
  LoadedProgram& program = *std::exchange(batch.program_, nullptr);
  return Run(program, std::move(batch.lock_), batch.num_blocks_);
}

Result<BatchResult> Device::Execute(LoadedProgram& program, std::span<const BlockInput> blocks) {
  const abi::ProgramLayout& layout = program.layout();
  if (blocks.size() > layout.max_blocks) {
    return Status::InvalidArgument("batch of " + std::to_string(blocks.size()) +
                                   " blocks exceeds the program's max_blocks " +
                                   std::to_string(layout.max_blocks));
  }
  uint64_t total = 0;
  for (const BlockInput& block : blocks) {
    if (block.contents.size() > layout.max_block_size) {
      return Status::InvalidArgument("block of " + std::to_string(block.contents.size()) +
                                     " bytes exceeds max_block_size " +
                                     std::to_string(layout.max_block_size));
    }
    total += StagedSize(block.contents.size());
  }
  if (total > layout.block_capacity) {
    return Status::InvalidArgument("batch of " + std::to_string(total) +
                                   " bytes exceeds block_capacity " +
                                   std::to_string(layout.block_capacity));
  }
  PD_ASSIGN_OR_RETURN(StagedBatch batch, BeginBatch(program));
  for (const BlockInput& block : blocks) {
    PD_ASSIGN_OR_RETURN(std::span<uint8_t> dst,
                        batch.Append(static_cast<uint32_t>(block.contents.size()), block.flags));
    if (dst.size() != block.contents.size()) return Status::Internal("staging area overflow");
    std::memcpy(dst.data(), block.contents.data(), block.contents.size());
  }
  return Execute(std::move(batch));
}

Result<BatchResult> Device::Run(LoadedProgram& program, std::unique_lock<std::mutex> lock,
                                uint32_t num_blocks) {
  const abi::ProgramLayout& layout = program.layout();
  BatchResult result;
  result.lock_ = std::move(lock);
  result.program_ = &program;
  uint8_t* mem = program.memory();
  result.memory_ = mem;
  const auto* descs = reinterpret_cast<const abi::BlockDesc*>(mem + layout.desc_offset);

  abi::RunContext& ctx = result.ctx_;
  ctx = abi::RunContext{};
  ctx.num_blocks = num_blocks;
  PD_RETURN_IF_ERROR(program.Run(&ctx));
  program.runs_.fetch_add(1, std::memory_order_relaxed);

  const auto* records = reinterpret_cast<const abi::OutRecord*>(mem + layout.out_offset);
  result.records_ = records;
  PD_RETURN_IF_ERROR(ValidateOutput(layout, ctx, descs, num_blocks, records, &result.key_offsets_));
  result.blocks_.resize(num_blocks);
  for (uint32_t i = 0; i < num_blocks; ++i) {
    const abi::BlockDesc& d = descs[i];
    BlockResult& br = result.blocks_[i];
    br.status = d.status;
    br.entries = d.entries;
    br.error_offset = d.error_offset;
    if (d.status != abi::kBlockNotRun && d.status != abi::kBlockOutputFull &&
        d.status != abi::kBlockTooLarge && d.status != abi::kBlockNeedsRecords) {
      br.records = std::span<const abi::OutRecord>(records + d.out_begin, d.out_end - d.out_begin);
    }
  }
  return result;
}

bpfgen::CompileOptions ScanCompileOptions(const bpfgen::CompileOptions& base, uint32_t batch_blocks,
                                          uint32_t block_budget) {
  bpfgen::CompileOptions o = base;
  const uint64_t blocks = std::clamp<uint64_t>(batch_blocks, 1, 4096);
  const uint64_t budget = std::clamp<uint64_t>(block_budget, 4096, 8u << 20);
  // PlanMemory's ranges: block_capacity in [4 KiB, 256 MiB], max_block_size
  // <= min(block_capacity, 8 MiB), out_capacity >= 1, key arena >= max key.
  const uint64_t capacity = std::clamp<uint64_t>(blocks * budget, 4096, 256u << 20);
  o.max_blocks = static_cast<uint32_t>(blocks);
  o.block_capacity = static_cast<uint32_t>(capacity);
  o.max_block_size = static_cast<uint32_t>(std::min<uint64_t>(capacity, 8u << 20));
  o.out_capacity = static_cast<uint32_t>(std::max<uint64_t>(capacity / 64, 256));
  o.key_arena_size =
      static_cast<uint32_t>(std::max<uint64_t>(capacity / 2, uint64_t{o.max_key_size} * 4));
  return o;
}

}  // namespace pushdown::exec
