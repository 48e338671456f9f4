// A device runs a verified block-filter program over batches of RocksDB data
// blocks staged in the program's local memory (bpfgen/codegen/program_abi.h).
//
// Lifecycle (libbpf selftest style, each step named):
//   caps  = device.caps();                    // what the device can do
//   prog  = device.Load(image);               // verify + load ONCE -> handle
//   batch = device.Execute(*prog, blocks);    // per batch: stage, run, read back
// The `kernel` device (kernel_device.h) runs BPF with BPF_PROG_TEST_RUN; the
// `host` device (host_device.h) runs the same generator's native JIT code.
//
// Threading: a LoadedProgram has ONE local memory (for BPF it is a map shared by
// all CPUs), so one thread at a time executes it. Execute() takes the program's
// lock and the returned BatchResult keeps holding it: another thread calling
// Execute on the same program blocks until that BatchResult is destroyed. The
// same thread calling Execute while it still holds a BatchResult of the program
// gets Status::Internal (instead of a deadlock). For parallel scans, load one
// program per worker thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/codegen/program_abi.h"
#include "bpfgen/lang/split.h"
#include "pushdown/device/fallback_reason.h"
#include "util/status.h"

namespace pushdown::exec {

enum class ProgramKind : uint8_t {
  kBpfObject,  // bpfgen::BpfProgram (ELF with BTF)
  kNative,     // bpfgen::NativeProgram (host JIT)
};

struct DeviceCaps {
  std::string name;  // "kernel", "host"
  ProgramKind program_kind = ProgramKind::kNative;
  uint32_t max_instructions = 0;    // verifier limit on processed insns; 0 = none
  uint64_t local_memory_size = 0;   // largest local memory a program may have
  uint32_t max_batch_blocks = 0;    // largest BlockDesc count per run
  bool floating_point = false;      // can evaluate DOUBLE arithmetic
  uint32_t max_string_op_size = 0;  // longest string constant / LIKE pattern it evaluates
  // Compile options that fit this device (local memory sizes, batch size).
  bpfgen::CompileOptions compile_options;
  // What its programs can evaluate: the input of bpfgen::SplitPredicate.
  bpfgen::TargetCaps split_caps;
};

// What Load() consumes: exactly one member is set, matching caps().program_kind.
struct ProgramImage {
  const bpfgen::BpfProgram* bpf = nullptr;              // kernel
  std::shared_ptr<const bpfgen::NativeProgram> native;  // host
};

// What happened to a kernel program's bpffs pin (pushdown/device/pin_store.h).
enum class PinState : uint8_t {
  kOff,       // pinning disabled or unavailable here (LoadStats::pin_note says why); host
  kCreated,   // loaded and verified now, then pinned for later processes
  kReused,    // taken from a pin: no compile, no verification in this process
  kUnpinned,  // pinning is on but this instance is not pinned (pin_note says why)
};
// "off", "created", "reused", "unpinned".
const char* PinStateName(PinState state);

struct LoadStats {
  uint32_t program_id = 0;        // kernel: the BPF program id; host: a process-unique id
  uint32_t verified_insns = 0;    // kernel: instructions the verifier processed
  uint32_t xlated_size = 0;       // kernel: bytes of translated BPF
  uint32_t jited_size = 0;        // kernel: bytes of JIT-compiled code
  uint32_t object_size = 0;       // kernel: bytes of the ELF object
  double load_ms = 0;             // kernel: open + verify + load + mmap; host: allocation
  PinState pin = PinState::kOff;  // kernel: the instance's bpffs pin
  std::string pin_note;           // kOff / kUnpinned: why not pinned
};

// A view of one output record, resolved against local memory.
struct OutEntry {
  bpfgen::abi::EntryClass entry_class;
  // The internal key (user key + 8-byte trailer), or, when user_key_only, the
  // user key alone: its trailer is (sequence 0, kTypeValue) and was not sent.
  std::string_view key;
  bool user_key_only = false;
  std::string_view value;  // kMatched only; empty otherwise

  // The full internal key, with the implied trailer appended if it was not sent.
  std::string InternalKey() const;
};

struct BlockInput {
  std::string_view contents;  // uncompressed block contents incl. restart array, no trailer
  uint32_t flags = 0;         // bpfgen::abi::BlockFlags
};

struct BlockResult {
  uint32_t status = bpfgen::abi::kBlockNotRun;  // bpfgen::abi::BlockStatus
  uint32_t entries = 0;
  uint32_t error_offset = 0;
  std::span<const bpfgen::abi::OutRecord> records;  // into local memory
};

class LoadedProgram;

// Zero-copy staging: blocks are written straight into the program's local
// memory (e.g. read there by pread/io_uring), then run with
// Device::Execute(StagedBatch&&). Holds the program's lock from BeginBatch
// until the BatchResult it turns into is destroyed. Move-only.
class StagedBatch {
 public:
  StagedBatch() = default;
  StagedBatch(StagedBatch&&) noexcept = default;
  StagedBatch& operator=(StagedBatch&&) noexcept = default;
  ~StagedBatch();

  // Reserves room for the next block of exactly `size` bytes and returns where
  // to write its contents; an empty span when the batch is full (max_blocks or
  // block_capacity reached: run it and begin another). InvalidArgument when
  // size > max_block_size (such a block never fits).
  Result<std::span<uint8_t>> Append(uint32_t size, uint32_t flags);
  size_t num_blocks() const { return num_blocks_; }

  // In-place staging, for one read of several consecutive blocks (with their
  // trailers, as they lie in the file) straight into local memory: Reserve
  // hands out `size` bytes of the staging area at an address aligned to
  // `align` (a power of two <= 4096): an empty span when the rest of the
  // area is smaller. AddBlock then describes one block lying inside what this
  // batch handed out (reserved or appended): false when the batch already
  // has max_blocks blocks; InvalidArgument when the block is larger than
  // max_block_size or not inside what was handed out.
  Result<std::span<uint8_t>> Reserve(size_t size, size_t align);
  Result<bool> AddBlock(const uint8_t* contents, uint32_t size, uint32_t flags);

 private:
  friend class Device;
  LoadedProgram* program_ = nullptr;
  std::unique_lock<std::mutex> lock_;
  void Describe(uint32_t offset, uint32_t size, uint32_t flags);

  uint32_t num_blocks_ = 0;
  // In local memory: [layout.block_offset, next_offset_) is handed out.
  uint32_t next_offset_ = 0;
};

// The results of one run. Views (records, OutEntry strings) point into the
// program's local memory and stay valid while this object lives; it holds the
// program's lock (see the threading note at the top). Move-only.
class BatchResult {
 public:
  BatchResult() = default;
  BatchResult(BatchResult&&) noexcept;
  BatchResult& operator=(BatchResult&&) noexcept;
  ~BatchResult();

  const std::vector<BlockResult>& blocks() const { return blocks_; }
  const bpfgen::abi::RunContext& context() const { return ctx_; }
  // REQUIRES: `record` is one of this result's records (validated by Execute).
  OutEntry Entry(const bpfgen::abi::OutRecord& record) const;

 private:
  friend class Device;
  friend class StagedBatch;
  void Release();

  LoadedProgram* program_ = nullptr;
  std::unique_lock<std::mutex> lock_;
  const uint8_t* memory_ = nullptr;
  const bpfgen::abi::OutRecord* records_ = nullptr;
  std::vector<uint32_t> key_offsets_;  // per record, relative to local memory (derived)
  bpfgen::abi::RunContext ctx_{};
  std::vector<BlockResult> blocks_;
};

// A program's aggregate region (program_abi.h, "Aggregation"), copied out.
// Grouped ("Grouped aggregation"): the non-empty group slots, in slot order,
// and accumulators unused.
struct AggregateGroup {
  uint64_t null_mask = 0;                                 // bit i: key i is NULL
  std::vector<uint64_t> keys;                             // layout().num_group_keys key words
  uint64_t rows = 0;                                      // the group's entries aggregated
  std::vector<bpfgen::abi::AggAccumulator> accumulators;  // layout().num_aggregates
};
struct AggregateState {
  uint64_t rows = 0;                                      // entries aggregated
  std::vector<bpfgen::abi::AggAccumulator> accumulators;  // layout().num_aggregates
  std::vector<AggregateGroup> groups;                     // grouped programs only
};

// A program loaded (verified) on a device. Owns every resource (bpf_object,
// map mmap, JIT). Destroying it unloads the program.
class LoadedProgram {
 public:
  virtual ~LoadedProgram() = default;
  LoadedProgram(const LoadedProgram&) = delete;
  LoadedProgram& operator=(const LoadedProgram&) = delete;

  const bpfgen::abi::ProgramLayout& layout() const { return layout_; }
  const LoadStats& stats() const { return stats_; }
  const std::string& device_name() const { return device_name_; }
  uint64_t runs() const { return runs_.load(std::memory_order_relaxed); }

 protected:
  LoadedProgram(std::string device_name, const bpfgen::abi::ProgramLayout& layout)
      : device_name_(std::move(device_name)), layout_(layout) {}

  // Local memory: layout().mem_size bytes, valid for the program's lifetime.
  virtual uint8_t* memory() = 0;
  // Runs the program once over the staged descriptors. REQUIRES: lock held.
  virtual Status Run(bpfgen::abi::RunContext* ctx) = 0;

  LoadStats stats_;

 private:
  friend class Device;
  friend class BatchResult;
  friend class StagedBatch;

  std::string device_name_;
  bpfgen::abi::ProgramLayout layout_;
  std::mutex mu_;  // held by a live BatchResult
  std::atomic<std::thread::id> owner_{};
  std::atomic<uint64_t> runs_{0};
};

class Device {
 public:
  virtual ~Device() = default;

  virtual const DeviceCaps& caps() const = 0;
  // OK when the device can load programs here; otherwise why not
  // (e.g. Unavailable("bpf(BPF_PROG_LOAD) of a syscall program: Operation not permitted")).
  virtual Status Available() const = 0;
  // Verifies and loads `image` once. On failure, when `failure` is non-null,
  // sets it to why, as data: the typed reason (kVerifierRejected,
  // kProgramTooLarge, kNoBpfPrivilege, kLocalMemoryUnavailable,
  // kDeviceUnavailable, ...) and the returned status's message as detail. The
  // fallback chain hands it to the planner unchanged. Reason kNone means the
  // failure is no fallback: a malformed image is a bug that must fail loudly.
  // Subclasses override this form and add `using Device::Load;`.
  virtual Result<std::unique_ptr<LoadedProgram>> Load(const ProgramImage& image,
                                                      Fallback* failure) = 0;
  Result<std::unique_ptr<LoadedProgram>> Load(const ProgramImage& image) {
    return Load(image, nullptr);
  }

  // Stages `blocks` into local memory, runs the program once and returns the
  // per-block results, in order. Blocks the program did not finish report
  // kBlockNotRun / kBlockOutputFull: stage them again (BlockStager does).
  // REQUIRES: blocks.size() <= layout.max_blocks, each block <= max_block_size
  // and their 8-aligned total <= block_capacity (else InvalidArgument).
  Result<BatchResult> Execute(LoadedProgram& program, std::span<const BlockInput> blocks);

  // Zero-copy form: BeginBatch takes the program's lock (same rules as
  // Execute), Append hands out local memory to write blocks into, Execute runs
  // what was appended.
  Result<StagedBatch> BeginBatch(LoadedProgram& program);
  Result<BatchResult> Execute(StagedBatch&& batch);

  // The aggregate region, which the host owns and the program only adds to
  // (program_abi.h, "Aggregation"): zero it before the first run of a scan
  // that aggregates, read it once its blocks are done. Same locking rules as
  // Execute. InvalidArgument when the program has no aggregates.
  Status ResetAggregates(LoadedProgram& program);
  Result<AggregateState> ReadAggregates(LoadedProgram& program);

 private:
  Result<BatchResult> Run(LoadedProgram& program, std::unique_lock<std::mutex> lock,
                          uint32_t num_blocks);
};

// Local memory sized to what a scan stages, instead of the 4 MiB of
// bpfgen::CompileOptions' defaults: `batch_blocks` blocks of up to
// `block_budget` bytes each (block_capacity = batch_blocks x block_budget; a
// single block up to the whole capacity still runs, alone), plus output
// regions for what those bytes can produce: an OutRecord per 64 staged bytes
// and full keys up to half the staged bytes. A batch whose output overflows
// them is run again in parts (kBlockOutputFull), so a denser block costs a
// rerun, not a wrong answer. The other fields come from `base`.
// The defaults are the engine's (ScanOptions::batch_blocks 16) with RocksDB's
// usual 4-16 KiB blocks well inside the budget: about 1 MiB of local memory.
inline constexpr uint32_t kScanBatchBlocks = 16;
inline constexpr uint32_t kScanBlockBudget = 32u << 10;
bpfgen::CompileOptions ScanCompileOptions(const bpfgen::CompileOptions& base,
                                          uint32_t batch_blocks = kScanBatchBlocks,
                                          uint32_t block_budget = kScanBlockBudget);

// Bytes a block occupies in the staging area (8-byte aligned).
inline uint64_t StagedSize(size_t block_size) { return (block_size + 7) & ~uint64_t{7}; }

// "ok", "not run", "malformed", "key too long", "bad row", "output full", "too large", "needs
// records".
const char* BlockStatusName(uint32_t status);

}  // namespace pushdown::exec
