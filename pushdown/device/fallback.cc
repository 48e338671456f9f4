#include "pushdown/device/fallback.h"

namespace pushdown::exec {

const char* FallbackReasonName(Fallback::Reason reason) {
  switch (reason) {
    case Fallback::Reason::kNone:
      return "none";
    case Fallback::Reason::kNoBpfPrivilege:
      return "no BPF privilege";
    case Fallback::Reason::kVerifierRejected:
      return "verifier rejection";
    case Fallback::Reason::kUnsupportedConjunct:
      return "unsupported conjunct";
    case Fallback::Reason::kProgramTooLarge:
      return "program too large";
    case Fallback::Reason::kDeviceUnavailable:
      return "device unavailable";
    case Fallback::Reason::kCodegenRejected:
      return "codegen rejected";
    case Fallback::Reason::kLocalMemoryUnavailable:
      return "local memory unavailable";
  }
  return "unknown";
}

DeviceRegistry& DeviceRegistry::Default() {
  static DeviceRegistry* registry = new DeviceRegistry();  // never destroyed
  return *registry;
}

DeviceRegistry::DeviceRegistry() = default;

Device* DeviceRegistry::Find(std::string_view name) {
  if (name == "kernel") return &kernel_;
  if (name == "host") return &host_;
  return nullptr;
}

Result<DeviceChoice> ChooseDevice(DeviceRegistry& registry, std::string_view requested) {
  DeviceChoice choice;
  if (requested == "host") {
    choice.device = &registry.host();
    return choice;
  }
  if (requested != "kernel" && requested != "auto") {
    return Status::InvalidArgument("unknown device '" + std::string(requested) +
                                   "' (expected kernel, host or auto)");
  }
  KernelDevice& kernel = registry.kernel();
  Status available = kernel.Available();
  if (available.ok()) {
    choice.device = &kernel;
    return choice;
  }
  choice.device = &registry.host();
  choice.fallback = kernel.unavailable();
  return choice;
}

Fallback::Reason FallbackForCompileFailure(bpfgen::CompileFailure failure) {
  switch (failure) {
    case bpfgen::CompileFailure::kUnsupported:
      return Fallback::Reason::kUnsupportedConjunct;
    case bpfgen::CompileFailure::kCodegenRejected:
      return Fallback::Reason::kCodegenRejected;
    case bpfgen::CompileFailure::kNone:
    case bpfgen::CompileFailure::kInternal:
    case bpfgen::CompileFailure::kInvalidArgument:
      break;
  }
  return Fallback::Reason::kNone;
}

}  // namespace pushdown::exec
