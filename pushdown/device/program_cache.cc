#include "pushdown/device/program_cache.h"

#include <chrono>
#include <cstring>
#include <future>
#include <system_error>
#include <tuple>

#include "bpfgen/lang/printer.h"

namespace pushdown::exec {

namespace {

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// Starts making the program's local memory on another thread. It depends only
// on the layout, not on the code: BPF_MAP_CREATE zeroing megabytes and the
// mmap (~0.7 ms for 4 MiB) overlap the compilation instead of following it.
// An invalid future when the layout or the thread cannot be had (Load then
// makes the memory itself).
std::future<Result<LocalMemoryMap>> StartLocalMemory(
    const bpfgen::Schema& schema, const bpfgen::CompileOptions& options,
    const std::vector<bpfgen::AggregateItem>& aggregates) {
  Result<bpfgen::abi::ProgramLayout> layout = bpfgen::ComputeProgramLayout(
      schema, options, bpfgen::CountAggregates(aggregates), bpfgen::CountGroupKeys(aggregates));
  if (!layout.ok()) return {};
  const uint64_t size = layout->mem_size;
  try {
    return std::async(std::launch::async, [size] { return LocalMemoryMap::Create(size); });
  } catch (const std::system_error&) {
    return {};
  }
}

// Everything CompileBpf is given, as text: the pin key (PinStore::KeyName adds
// the ABI version and the generator's identity). Conjuncts are printed with
// their types, so two predicates share a key only if they are the same tree.
std::string PinKeyInputs(const bpfgen::Schema& schema,
                         const std::vector<const bpfgen::Expr*>& conjuncts,
                         const std::vector<bpfgen::AggregateItem>& aggregates,
                         const bpfgen::CompileOptions& o) {
  std::string text = "target bpf\nschema " + schema.ToDdl() + "\noptions";
  for (uint32_t v : {o.max_blocks, o.block_capacity, o.max_block_size, o.out_capacity,
                     o.key_arena_size, o.max_key_size, o.entries_per_call, o.max_like_pattern}) {
    text += " " + std::to_string(v);
  }
  static_assert(sizeof(bpfgen::CompileOptions) == 8 * sizeof(uint32_t),
                "a new CompileOptions field must join the pin key");
  text += "\nconjuncts " + std::to_string(conjuncts.size());
  for (const bpfgen::Expr* e : conjuncts) text += "\n" + bpfgen::ToTypedString(*e, schema);
  // A program with device aggregates is another program (its code and its
  // layout's aggregate region differ).
  text += "\naggregates " + std::to_string(aggregates.size());
  for (const bpfgen::AggregateItem& a : aggregates) {
    text += "\n" + std::to_string(static_cast<int>(a.op)) + " " +
            (a.arg != nullptr ? bpfgen::ToTypedString(*a.arg, schema) : std::string("*"));
  }
  return text;
}

// The program a pin key names, loaded (a free pinned instance reused, or a
// new instance of the pinned object verified): no codegen. False when the key
// has no usable pin (the caller compiles) or the load failed (likewise: the
// compile path reports any real failure).
bool LoadFromPin(KernelDevice& kernel, PinStore& pins, const std::string& key,
                 const bpfgen::Schema& schema, const bpfgen::CompileOptions& options,
                 const std::vector<bpfgen::AggregateItem>& aggregates, DeviceProgram* out) {
  Result<PinnedObject> found = pins.FindKey(key);
  if (!found.ok()) return false;
  // The recorded layout must be the one these inputs give (it is computed
  // without codegen): a pin that disagrees is not this program.
  Result<bpfgen::abi::ProgramLayout> layout = bpfgen::ComputeProgramLayout(
      schema, options, bpfgen::CountAggregates(aggregates), bpfgen::CountGroupKeys(aggregates));
  if (!layout.ok() ||
      std::memcmp(&*layout, &found->program.layout, sizeof(bpfgen::abi::ProgramLayout)) != 0) {
    return false;
  }
  auto bpf = std::move(found->program);
  ProgramImage image;
  image.bpf = &bpf;
  Result<std::unique_ptr<LoadedProgram>> loaded = kernel.Load(image, nullptr);
  if (!loaded.ok()) return false;
  out->bpf = std::move(bpf);
  out->program = std::move(loaded).value();
  out->device = &kernel;
  out->from_pin = true;
  out->codegen_ms = 0;
  out->load_ms = out->program->stats().load_ms;
  return true;
}

// On failure sets *fallback to why, typed where it happened: the compiler's
// CompileFailure (FallbackForCompileFailure) or the device's load failure
// (KernelDevice::LoadWithMemory). Reason kNone: no fallback, the error is
// returned (a generator bug or a malformed object fails loudly).
Status LoadOnKernel(KernelDevice& kernel, const bpfgen::Schema& schema,
                    const std::vector<const bpfgen::Expr*>& conjuncts,
                    const std::vector<bpfgen::AggregateItem>& aggregates,
                    const bpfgen::CompileOptions& options, DeviceProgram* out, Fallback* fallback) {
  // Verified once per system: a program pinned by an earlier process for the
  // same compile inputs is used without compiling (pin_store.h).
  std::shared_ptr<PinStore> pins = kernel.pins();
  std::string pin_key;
  if (pins != nullptr && pins->Available().ok()) {
    pin_key = PinStore::KeyName(PinKeyInputs(schema, conjuncts, aggregates, options));
    if (LoadFromPin(kernel, *pins, pin_key, schema, options, aggregates, out)) {
      return Status::OK();
    }
  }
  std::future<Result<LocalMemoryMap>> memory = StartLocalMemory(schema, options, aggregates);
  // (On an early return the future's destructor waits for the thread.)
  bpfgen::CompileFailure failure = bpfgen::CompileFailure::kNone;
  Result<bpfgen::BpfProgram> bpf =
      bpfgen::CompileBpf(schema, conjuncts, aggregates, options, &failure);
  if (!bpf.ok()) {
    fallback->reason = FallbackForCompileFailure(failure);
    fallback->detail = bpf.status().message();
    // The reason's name already says "codegen rejected": the detail is the
    // rest of the message (its documented form, compiler.h).
    const std::string_view prefix = bpfgen::kCodegenRejectedPrefix;
    if (failure == bpfgen::CompileFailure::kCodegenRejected &&
        fallback->detail.rfind(prefix, 0) == 0) {
      fallback->detail.erase(0, prefix.size());
    }
    return bpf.status();
  }
  out->bpf = std::move(*bpf);
  ProgramImage image;
  image.bpf = &*out->bpf;
  Result<LocalMemoryMap> local =
      memory.valid() ? memory.get() : Result<LocalMemoryMap>(Status::Unavailable("not made"));
  PD_ASSIGN_OR_RETURN(out->program, kernel.LoadWithMemory(image, std::move(local), fallback));
  out->device = &kernel;
  out->codegen_ms = out->bpf->codegen_ms;
  out->load_ms = out->program->stats().load_ms;
  const PinState pinned = out->program->stats().pin;
  if (!pin_key.empty() && (pinned == PinState::kCreated || pinned == PinState::kReused)) {
    // Best effort: without the link a later process compiles again.
    (void)pins->LinkKey(pin_key, PinStore::ProgramDirName(out->bpf->object));
  }
  return Status::OK();
}

Status LoadOnHost(HostDevice& host, const bpfgen::Schema& schema,
                  const std::vector<const bpfgen::Expr*>& conjuncts,
                  const std::vector<bpfgen::AggregateItem>& aggregates,
                  const bpfgen::CompileOptions& options, DeviceProgram* out) {
  PD_ASSIGN_OR_RETURN(std::unique_ptr<bpfgen::NativeProgram> native,
                      bpfgen::CompileNative(schema, conjuncts, aggregates, options));
  out->native = std::shared_ptr<const bpfgen::NativeProgram>(std::move(native));
  ProgramImage image;
  image.native = out->native;
  PD_ASSIGN_OR_RETURN(out->program, host.Load(image));
  out->device = &host;
  out->codegen_ms = out->native->compile_ms();
  out->load_ms = out->program->stats().load_ms;
  return Status::OK();
}

// CompileAndLoad with the options of each device given.
Result<std::unique_ptr<DeviceProgram>> CompileAndLoadWith(
    DeviceRegistry& registry, std::string_view requested, const bpfgen::Schema& schema,
    const std::vector<const bpfgen::Expr*>& conjuncts,
    const std::vector<bpfgen::AggregateItem>& aggregates,
    const bpfgen::CompileOptions& kernel_options, const bpfgen::CompileOptions& host_options) {
  auto start = std::chrono::steady_clock::now();
  PD_ASSIGN_OR_RETURN(DeviceChoice choice, ChooseDevice(registry, requested));
  auto result = std::make_unique<DeviceProgram>();
  result->requested_device = std::string(requested);
  result->fallback = choice.fallback;
  if (choice.device == &registry.kernel()) {
    Fallback why;
    Status s = LoadOnKernel(registry.kernel(), schema, conjuncts, aggregates, kernel_options,
                            result.get(), &why);
    if (s.ok()) {
      result->total_ms = MsSince(start);
      return result;
    }
    // A generator bug (Internal), bad input or a malformed object is an
    // error, not a fallback.
    if (!why.fell_back()) return s;
    // Falling back is a result: the reason, as the compiler or the device
    // typed it, goes to the planner unchanged; run on the host.
    result->fallback = std::move(why);
    result->bpf.reset();
    result->program.reset();
  }
  PD_RETURN_IF_ERROR(
      LoadOnHost(registry.host(), schema, conjuncts, aggregates, host_options, result.get()));
  result->total_ms = MsSince(start);
  return result;
}

}  // namespace

Result<std::unique_ptr<DeviceProgram>> CompileAndLoad(
    DeviceRegistry& registry, std::string_view requested, const bpfgen::Schema& schema,
    const std::vector<const bpfgen::Expr*>& conjuncts, const bpfgen::CompileOptions* options,
    const std::vector<bpfgen::AggregateItem>& aggregates) {
  return CompileAndLoadWith(
      registry, requested, schema, conjuncts, aggregates,
      options != nullptr ? *options : registry.kernel().caps().compile_options,
      options != nullptr ? *options : registry.host().caps().compile_options);
}

size_t ProgramFootprint(const DeviceProgram& program) {
  size_t bytes = sizeof(DeviceProgram);
  if (program.program != nullptr) {
    const LoadStats& st = program.program->stats();
    bytes += program.program->layout().mem_size;
    bytes += size_t{st.xlated_size} + st.jited_size;
  }
  if (program.bpf.has_value()) bytes += program.bpf->object.size();
  if (program.native != nullptr) bytes += kNativeProgramBytes;
  return bytes;
}

Result<ProgramLookup> ProgramCache::GetOrLoad(
    const ProgramKey& key, const bpfgen::Schema& schema,
    const std::vector<const bpfgen::Expr*>& conjuncts, const bpfgen::CompileOptions* options,
    const std::vector<bpfgen::AggregateItem>& aggregates) {
  while (true) {
    std::shared_ptr<Slot> slot;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto [it, inserted] = slots_.try_emplace(key);
      if (inserted) it->second = std::make_shared<Slot>();
      slot = it->second;
      if (slot->resident) {
        lru_.splice(lru_.begin(), lru_, slot->lru);
        ++hits_;
        return ProgramLookup{slot->program, true};
      }
    }
    std::lock_guard<std::mutex> compile_lock(slot->mu);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (slot->program != nullptr) {
        // Compiled by another caller while this one waited (resident or
        // handed out uncached): not compiled by this lookup.
        if (slot->resident) lru_.splice(lru_.begin(), lru_, slot->lru);
        ++hits_;
        return ProgramLookup{slot->program, true};
      }
      auto it = slots_.find(key);
      if (it == slots_.end() || it->second != slot) continue;  // failed or cleared: look again
      ++misses_;
    }
    Result<std::unique_ptr<DeviceProgram>> compiled =
        options != nullptr
            ? CompileAndLoad(*registry_, key.device, schema, conjuncts, options, aggregates)
            : CompileAndLoadWith(*registry_, key.device, schema, conjuncts, aggregates,
                                 ScanCompileOptions(registry_->kernel().caps().compile_options),
                                 ScanCompileOptions(registry_->host().caps().compile_options));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = slots_.find(key);
    const bool ours = it != slots_.end() && it->second == slot;
    if (!compiled.ok()) {
      if (ours) slots_.erase(it);
      return compiled.status();
    }
    slot->program = std::shared_ptr<DeviceProgram>(std::move(compiled).value());
    const size_t bytes = ProgramFootprint(*slot->program);
    if (ours && MakeRoomLocked(bytes)) {
      slot->resident = true;
      slot->bytes = bytes;
      lru_.push_front(&it->first);
      slot->lru = lru_.begin();
      bytes_ += bytes;
      ++entries_;
    } else if (ours) {
      slots_.erase(it);  // handed out uncached; waiters holding `slot` still get it
    }
    return ProgramLookup{slot->program, false};
  }
}

bool ProgramCache::MakeRoomLocked(size_t bytes) {
  if (options_.max_entries == 0 || bytes > options_.max_bytes) return false;
  auto fits = [&] {
    return entries_ + 1 <= options_.max_entries && bytes_ + bytes <= options_.max_bytes;
  };
  // Oldest first; a program referenced outside the cache (use_count > 1) is
  // pinned. Under mu_ no new outside reference can appear, as every one comes
  // from a lookup, which takes mu_ first.
  auto pos = lru_.end();
  while (!fits() && pos != lru_.begin()) {
    --pos;
    auto it = slots_.find(**pos);
    if (it->second->program.use_count() > 1) continue;
    auto victim = it;
    pos = std::next(pos);  // erase invalidates the victim's list node only
    EvictLocked(victim);
  }
  return fits();
}

void ProgramCache::EvictLocked(SlotMap::iterator it) {
  Slot& slot = *it->second;
  lru_.erase(slot.lru);
  bytes_ -= slot.bytes;
  --entries_;
  ++evictions_;
  slot.resident = false;
  slots_.erase(it);  // the program dies with the last reference to it
}

bool ProgramCache::Contains(const ProgramKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = slots_.find(key);
  return it != slots_.end() && it->second->resident;
}

uint64_t ProgramCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

uint64_t ProgramCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

uint64_t ProgramCache::evictions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return evictions_;
}

size_t ProgramCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_;
}

size_t ProgramCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

void ProgramCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, slot] : slots_) slot->resident = false;
  slots_.clear();
  lru_.clear();
  bytes_ = 0;
  entries_ = 0;
}

}  // namespace pushdown::exec
