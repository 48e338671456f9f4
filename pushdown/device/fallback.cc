#include "pushdown/device/fallback.h"

#include <cerrno>

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
  int err = kernel.probe_errno();
  choice.device = &registry.host();
  choice.fallback.reason = (err == EPERM || err == EACCES) ? Fallback::Reason::kNoBpfPrivilege
                                                           : Fallback::Reason::kDeviceUnavailable;
  choice.fallback.detail = available.message();
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

Fallback::Reason ClassifyFailure(const Status& status) {
  const std::string& m = status.message();
  if (status.IsNotSupported()) {
    if (m.rfind("verifier rejected", 0) == 0) return Fallback::Reason::kVerifierRejected;
    if (m.rfind("program too large", 0) == 0) return Fallback::Reason::kProgramTooLarge;
    return Fallback::Reason::kUnsupportedConjunct;
  }
  if (status.IsUnavailable() && (m.find("Operation not permitted") != std::string::npos ||
                                 m.find("Permission denied") != std::string::npos)) {
    return Fallback::Reason::kNoBpfPrivilege;
  }
  return Fallback::Reason::kDeviceUnavailable;
}

}  // namespace pushdown::exec
