// DeviceRequest: where a caller asks a scan's predicate to run. One typed
// value, parsed once at the edge (CLI flag, plugin option, API string) and
// passed down; nothing below the edge compares device strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pushdown::exec {

enum class DeviceRequest : uint8_t {
  kAuto = 0,  // the kernel device where BPF is usable, else the host device
  kKernel,    // Linux eBPF runtime (falls back to the host with the reason)
  kHost,      // LLVM ORC native code of the same generator
  kIterator,  // no pushdown: the RocksDB iterator + the host filter
};

// "auto" | "kernel" | "host" | "iterator".
constexpr std::string_view DeviceRequestName(DeviceRequest d) {
  switch (d) {
    case DeviceRequest::kAuto:
      return "auto";
    case DeviceRequest::kKernel:
      return "kernel";
    case DeviceRequest::kHost:
      return "host";
    case DeviceRequest::kIterator:
      return "iterator";
  }
  return "auto";
}

// The inverse of DeviceRequestName; nullopt for any other text.
constexpr std::optional<DeviceRequest> ParseDeviceRequest(std::string_view name) {
  for (DeviceRequest d : {DeviceRequest::kAuto, DeviceRequest::kKernel, DeviceRequest::kHost,
                          DeviceRequest::kIterator}) {
    if (name == DeviceRequestName(d)) return d;
  }
  return std::nullopt;
}

}  // namespace pushdown::exec
