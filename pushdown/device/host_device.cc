#include "pushdown/device/host_device.h"

#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace pushdown::exec {

namespace abi = bpfgen::abi;

namespace {

// Host program ids live above the kernel's id range to keep them distinct in logs.
std::atomic<uint32_t> next_host_program_id{1u << 31};

// Local memory: anonymous pages (zeroed by the kernel on first touch, so a
// large local memory costs nothing until used).
struct Unmapper {
  size_t size = 0;
  void operator()(uint8_t* p) const { munmap(p, size); }
};
using HostMemory = std::unique_ptr<uint8_t, Unmapper>;

class HostProgram : public LoadedProgram {
 public:
  HostProgram(std::shared_ptr<const bpfgen::NativeProgram> native, HostMemory memory)
      : LoadedProgram("host", native->layout()),
        native_(std::move(native)),
        fn_(native_->fn()),
        memory_(std::move(memory)) {}

  void set_stats(const LoadStats& stats) { stats_ = stats; }

 protected:
  uint8_t* memory() override { return memory_.get(); }
  Status Run(abi::RunContext* ctx) override {
    int rc = fn_(ctx, memory_.get());
    if (rc != 0) return Status::Internal("native program returned " + std::to_string(rc));
    return Status::OK();
  }

 private:
  std::shared_ptr<const bpfgen::NativeProgram> native_;
  abi::NativeFilterFn fn_;
  HostMemory memory_;
};

}  // namespace

HostDevice::HostDevice() {
  caps_.name = "host";
  caps_.program_kind = ProgramKind::kNative;
  caps_.max_instructions = 0;
  caps_.local_memory_size = uint64_t{1} << 30;
  caps_.max_batch_blocks = 1024;
  caps_.floating_point = true;
  caps_.max_string_op_size = UINT32_MAX;
  caps_.compile_options = bpfgen::CompileOptions{};
  caps_.split_caps = bpfgen::TargetCaps::Host();
}

Result<std::unique_ptr<LoadedProgram>> HostDevice::Load(const ProgramImage& image,
                                                        Fallback* failure) {
  auto fail = [failure](Fallback::Reason reason, Status status) {
    if (failure != nullptr) *failure = Fallback{reason, status.message()};
    return status;
  };
  if (image.native == nullptr) {
    return fail(Fallback::Reason::kNone,
                Status::InvalidArgument("host device loads native programs only"));
  }
  auto start = std::chrono::steady_clock::now();
  const abi::ProgramLayout& layout = image.native->layout();
  if (layout.mem_size == 0 || image.native->fn() == nullptr) {
    return fail(Fallback::Reason::kNone,
                Status::InvalidArgument("native program has no local memory or entry point"));
  }
  size_t size = (size_t{layout.mem_size} + 4095) & ~size_t{4095};
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (addr == MAP_FAILED) {
    return fail(Fallback::Reason::kDeviceUnavailable,
                Status::FromErrno("mmap of " + std::to_string(size) + " bytes of host local memory",
                                  errno));
  }
  HostMemory memory(static_cast<uint8_t*>(addr), Unmapper{size});
  auto program = std::make_unique<HostProgram>(image.native, std::move(memory));
  LoadStats stats;
  stats.program_id = next_host_program_id.fetch_add(1);
  stats.load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  program->set_stats(stats);
  return std::unique_ptr<LoadedProgram>(std::move(program));
}

}  // namespace pushdown::exec
