// The fallback chain: requested device -> host. Falling back is a result with
// a machine-readable reason, not an error (DuckDB-style partial pushdown).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "pushdown/device/device.h"
#include "pushdown/device/fallback_reason.h"
#include "pushdown/device/host_device.h"
#include "pushdown/device/kernel_device.h"
#include "util/status.h"

namespace pushdown::exec {

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
// device that is available now. An unavailable kernel yields the host with the
// kernel's own typed reason (KernelDevice::unavailable(): kNoBpfPrivilege for
// EPERM/EACCES, else kDeviceUnavailable). Unknown names are InvalidArgument.
Result<DeviceChoice> ChooseDevice(DeviceRegistry& registry, std::string_view requested);

// The fallback for a failed bpfgen::Compile* for a device, from the typed
// failure the compiler reported (never from its message): kUnsupported ->
// kUnsupportedConjunct, kCodegenRejected -> kCodegenRejected. kNone, kInternal
// and kInvalidArgument are no fallback (kNone: the error is the caller's to
// return; a generator bug must fail loudly, not run quietly on the host).
Fallback::Reason FallbackForCompileFailure(bpfgen::CompileFailure failure);

}  // namespace pushdown::exec
