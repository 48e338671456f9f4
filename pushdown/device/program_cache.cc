#include "pushdown/device/program_cache.h"

#include <chrono>
#include <future>
#include <system_error>
#include <tuple>

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
std::future<Result<LocalMemoryMap>> StartLocalMemory(const bpfgen::Schema& schema,
                                                     const bpfgen::CompileOptions& options) {
  Result<bpfgen::abi::ProgramLayout> layout = bpfgen::ComputeProgramLayout(schema, options);
  if (!layout.ok()) return {};
  const uint64_t size = layout->mem_size;
  try {
    return std::async(std::launch::async, [size] { return LocalMemoryMap::Create(size); });
  } catch (const std::system_error&) {
    return {};
  }
}

Status LoadOnKernel(KernelDevice& kernel, const bpfgen::Schema& schema,
                    const std::vector<const bpfgen::Expr*>& conjuncts,
                    const bpfgen::CompileOptions& options, DeviceProgram* out) {
  std::future<Result<LocalMemoryMap>> memory = StartLocalMemory(schema, options);
  // (On an early return the future's destructor waits for the thread.)
  PD_ASSIGN_OR_RETURN(bpfgen::BpfProgram bpf, bpfgen::CompileBpf(schema, conjuncts, options));
  out->bpf = std::move(bpf);
  ProgramImage image;
  image.bpf = &*out->bpf;
  Result<LocalMemoryMap> local =
      memory.valid() ? memory.get() : Result<LocalMemoryMap>(Status::Unavailable("not made"));
  PD_ASSIGN_OR_RETURN(out->program, kernel.LoadWithMemory(image, std::move(local)));
  out->device = &kernel;
  out->codegen_ms = out->bpf->codegen_ms;
  out->load_ms = out->program->stats().load_ms;
  return Status::OK();
}

Status LoadOnHost(HostDevice& host, const bpfgen::Schema& schema,
                  const std::vector<const bpfgen::Expr*>& conjuncts,
                  const bpfgen::CompileOptions& options, DeviceProgram* out) {
  PD_ASSIGN_OR_RETURN(std::unique_ptr<bpfgen::NativeProgram> native,
                      bpfgen::CompileNative(schema, conjuncts, options));
  out->native = std::shared_ptr<const bpfgen::NativeProgram>(std::move(native));
  ProgramImage image;
  image.native = out->native;
  PD_ASSIGN_OR_RETURN(out->program, host.Load(image));
  out->device = &host;
  out->codegen_ms = out->native->compile_ms();
  out->load_ms = out->program->stats().load_ms;
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<DeviceProgram>> CompileAndLoad(
    DeviceRegistry& registry, std::string_view requested, const bpfgen::Schema& schema,
    const std::vector<const bpfgen::Expr*>& conjuncts, const bpfgen::CompileOptions* options) {
  auto start = std::chrono::steady_clock::now();
  PD_ASSIGN_OR_RETURN(DeviceChoice choice, ChooseDevice(registry, requested));
  auto result = std::make_unique<DeviceProgram>();
  result->requested_device = std::string(requested);
  result->fallback = choice.fallback;
  if (choice.device == &registry.kernel()) {
    const bpfgen::CompileOptions& kernel_options =
        options != nullptr ? *options : registry.kernel().caps().compile_options;
    Status s = LoadOnKernel(registry.kernel(), schema, conjuncts, kernel_options, result.get());
    if (s.ok()) {
      result->total_ms = MsSince(start);
      return result;
    }
    // Falling back is a result: keep the reason, run on the host.
    result->fallback.reason = ClassifyFailure(s);
    result->fallback.detail = s.message();
    result->bpf.reset();
    result->program.reset();
  }
  const bpfgen::CompileOptions& host_options =
      options != nullptr ? *options : registry.host().caps().compile_options;
  PD_RETURN_IF_ERROR(LoadOnHost(registry.host(), schema, conjuncts, host_options, result.get()));
  result->total_ms = MsSince(start);
  return result;
}

Result<std::shared_ptr<DeviceProgram>> ProgramCache::GetOrLoad(
    const ProgramKey& key, const bpfgen::Schema& schema,
    const std::vector<const bpfgen::Expr*>& conjuncts, const bpfgen::CompileOptions* options) {
  PD_ASSIGN_OR_RETURN(Lookup found, Find(key, schema, conjuncts, options));
  return std::move(found.program);
}

Result<ProgramCache::Lookup> ProgramCache::Find(const ProgramKey& key, const bpfgen::Schema& schema,
                                                const std::vector<const bpfgen::Expr*>& conjuncts,
                                                const bpfgen::CompileOptions* options) {
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<Slot>& entry = slots_[key];
    if (entry == nullptr) entry = std::make_shared<Slot>();
    slot = entry;
  }
  std::lock_guard<std::mutex> compile_lock(slot->mu);
  if (slot->program != nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    ++hits_;
    return Lookup{slot->program, /*cached=*/true};
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++misses_;
  }
  PD_ASSIGN_OR_RETURN(std::unique_ptr<DeviceProgram> program,
                      CompileAndLoad(*registry_, key.device, schema, conjuncts, options));
  slot->program = std::shared_ptr<DeviceProgram>(std::move(program));
  return Lookup{slot->program, /*cached=*/false};
}

uint64_t ProgramCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

uint64_t ProgramCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

size_t ProgramCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [key, slot] : slots_) n += slot->program != nullptr;
  return n;
}

void ProgramCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  slots_.clear();
}

}  // namespace pushdown::exec
