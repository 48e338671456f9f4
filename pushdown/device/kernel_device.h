// The `kernel` device: the Linux eBPF runtime. A program (ELF with BTF from
// bpfgen::CompileBpf) is opened from memory with libbpf, verified and
// JIT-compiled once by the kernel, and run per batch with BPF_PROG_TEST_RUN on
// its `syscall` program. Local memory is the program's .bss map, mmapped
// MAP_SHARED by the host, so blocks are staged with no copy through the syscall.
//
// Privileges: root, or CAP_BPF + CAP_PERFMON (CAP_BPF alone loads, but Spectre
// hardening makes programs ~2x slower). Without them the device reports itself
// unavailable (Available() names the errno), which the fallback chain turns
// into a host fallback with reason "no BPF privilege".
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "pushdown/device/device.h"
#include "pushdown/device/pin_store.h"

namespace pushdown::exec {

// A program's local memory made ahead of its load: a one-element
// BPF_F_MMAPABLE array map (zeroed by the kernel) and the host's MAP_SHARED
// mapping of it. Independent of the program, so CompileAndLoad makes it on
// another thread while the program is being compiled. Move-only.
class LocalMemoryMap {
 public:
  LocalMemoryMap() = default;
  LocalMemoryMap(LocalMemoryMap&& o) noexcept;
  LocalMemoryMap& operator=(LocalMemoryMap&& o) noexcept;
  ~LocalMemoryMap();

  // Errors: the bpf(BPF_MAP_CREATE) or mmap errno.
  static Result<LocalMemoryMap> Create(uint64_t value_size);
  // Maps an existing local memory map (a pinned one). Errors: the mmap errno.
  static Result<LocalMemoryMap> Adopt(UniqueFd fd, uint64_t value_size);

  int fd() const { return fd_; }
  uint64_t value_size() const { return value_size_; }
  uint8_t* data() const { return static_cast<uint8_t*>(addr_); }

 private:
  // Maps `fd` (an mmapable one-entry array of value_size bytes), owning it.
  static Result<LocalMemoryMap> Map(UniqueFd fd, uint64_t value_size, const char* what);

  int fd_ = -1;
  uint64_t value_size_ = 0;
  void* addr_ = nullptr;
  size_t mapped_size_ = 0;
};

class KernelDevice : public Device {
 public:
  // Probes the bpf syscall once: loads a 2-instruction sleepable
  // BPF_PROG_TYPE_SYSCALL program and closes it.
  KernelDevice();

  const DeviceCaps& caps() const override { return caps_; }
  // OK, or Unavailable("bpf(BPF_PROG_LOAD) of a syscall program: <strerror>");
  // probe_errno() holds the errno, unavailable() the typed reason.
  Status Available() const override { return probe_; }
  int probe_errno() const { return probe_errno_; }
  // Why the device cannot load programs here: kNoBpfPrivilege (EPERM/EACCES)
  // or kDeviceUnavailable, with Available()'s message; kNone when available.
  const Fallback& unavailable() const { return unavailable_; }

  // REQUIRES: image.bpf is set. Failures, with the reason `failure` gets:
  //   probe failed                  -> unavailable() (kNoBpfPrivilege, ...)
  //   the verifier refused it       -> kVerifierRejected: NotSupported(
  //       "verifier rejected <prog>: <first lines of the reason>"), the whole
  //       log kept (last_verifier_log())
  //   over the complexity limit     -> kProgramTooLarge: NotSupported(
  //       "program too large <prog>: ...")
  //   local memory map/mmap failed  -> kLocalMemoryUnavailable (errno text)
  //   libbpf/kernel failed otherwise (open out of memory, object maps, BTF)
  //                                 -> kDeviceUnavailable
  //   the object is malformed: not an ELF, no such program, no .bss, no BTF
  //   variable for local memory     -> kNone: InvalidArgument, no fallback
  using Device::Load;
  Result<std::unique_ptr<LoadedProgram>> Load(const ProgramImage& image,
                                              Fallback* failure) override;

  // Load(image) with local memory made beforehand by LocalMemoryMap::Create.
  // Used when its size is the object's .bss size; otherwise (or when
  // `memory` holds an error) the map is created here, as Load(image) does.
  Result<std::unique_ptr<LoadedProgram>> LoadWithMemory(const ProgramImage& image,
                                                        Result<LocalMemoryMap> memory,
                                                        Fallback* failure = nullptr);

  // The verifier log of the most recent rejected Load (empty if none).
  std::string last_verifier_log() const;

  // Pinning (pin_store.h). With a store that is Available(), Load leases a
  // pinned instance of the object when a free one checks out (LoadStats::pin
  // kReused: nothing is verified), else loads and verifies as before and pins
  // the new instance (kCreated); otherwise the instance is unpinned and
  // LoadStats::pin_note says why. The default store's options come from the
  // environment (PinOptions::FromEnvironment). Thread-safe; a load in
  // progress keeps the store it started with.
  void SetPinOptions(const PinOptions& options);
  std::shared_ptr<PinStore> pins() const;

 private:
  DeviceCaps caps_;
  Status probe_;
  int probe_errno_ = 0;
  Fallback unavailable_;  // typed form of probe_
  mutable std::mutex mu_;
  std::string last_log_;            // guarded by mu_
  std::shared_ptr<PinStore> pins_;  // guarded by mu_; null: pinning off
};

// The reason lines of a verifier log: its last meaningful lines (the error the
// verifier stopped at), without the trailing statistics. At most `max_lines`.
std::string SummarizeVerifierLog(const std::string& log, int max_lines = 3);

}  // namespace pushdown::exec
