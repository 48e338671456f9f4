// The fallback chain: requested device -> host. Falling back is a result with
// a machine-readable reason, not an error (DuckDB-style partial pushdown).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "pushdown/device/device.h"
#include "pushdown/device/host_device.h"
#include "pushdown/device/kernel_device.h"
#include "util/status.h"

namespace pushdown::exec {

struct Fallback {
  enum class Reason {
    kNone,                 // ran where requested
    kNoBpfPrivilege,       // bpf() said EPERM/EACCES (no CAP_BPF)
    kVerifierRejected,     // the kernel verifier refused the program
    kUnsupportedConjunct,  // the generator cannot lower a conjunct for the device
    kProgramTooLarge,      // over the device's instruction/complexity limit
    kDeviceUnavailable,    // the device is missing or failed for another reason
    kCodegenRejected,      // LLVM's backend refused the program (e.g. BPF stack limit)
  };
  Reason reason = Reason::kNone;
  std::string detail;  // human-readable: errno text, verifier log lines, ...

  bool fell_back() const { return reason != Reason::kNone; }
};

// "none", "no BPF privilege", "verifier rejection", "unsupported conjunct",
// "program too large", "device unavailable", "codegen rejected".
const char* FallbackReasonName(Fallback::Reason reason);

// Process-wide devices: the kernel device is probed once, on first use.
class DeviceRegistry {
 public:
  static DeviceRegistry& Default();
  DeviceRegistry();

  KernelDevice& kernel() { return kernel_; }
  HostDevice& host() { return host_; }
  // "kernel" or "host"; nullptr for any other name.
  Device* Find(std::string_view name);

 private:
  KernelDevice kernel_;
  HostDevice host_;
};

struct DeviceChoice {
  Device* device = nullptr;  // never null on success
  Fallback fallback;         // why `device` is not the requested one
};

// Resolves "kernel", "host" or "auto" (kernel if available, else host) to a
// device that is available now. An unavailable kernel yields the host with
// kNoBpfPrivilege (EPERM/EACCES) or kDeviceUnavailable. Unknown names are
// InvalidArgument.
Result<DeviceChoice> ChooseDevice(DeviceRegistry& registry, std::string_view requested);

// The fallback for a failed bpfgen::Compile* for a device, from the typed
// failure the compiler reported (never from its message): kUnsupported ->
// kUnsupportedConjunct, kCodegenRejected -> kCodegenRejected. kNone, kInternal
// and kInvalidArgument are no fallback (kNone: the error is the caller's to
// return; a generator bug must fail loudly, not run quietly on the host).
Fallback::Reason FallbackForCompileFailure(bpfgen::CompileFailure failure);

// The fallback reason for a failed Device::Load status (compile failures are
// classified by FallbackForCompileFailure):
// NotSupported "verifier rejected ..." -> kVerifierRejected, "program too
// large ..." -> kProgramTooLarge, other NotSupported (from the generator) ->
// kUnsupportedConjunct, Unavailable -> kNoBpfPrivilege/kDeviceUnavailable,
// anything else -> kDeviceUnavailable.
Fallback::Reason ClassifyFailure(const Status& status);

}  // namespace pushdown::exec
