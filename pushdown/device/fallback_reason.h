// Why a program did not run on the device it was meant for, as data: a typed
// reason plus the text that explains it. A device sets it where the failure
// happens (Device::Load), the fallback chain (program_cache.h) and the planner
// pass it on unchanged; nothing parses a message to find the reason.
#pragma once

#include <string>

namespace pushdown::exec {

struct Fallback {
  enum class Reason {
    kNone,                    // ran where requested (or: an error, not a fallback)
    kNoBpfPrivilege,          // bpf() said EPERM/EACCES (no CAP_BPF)
    kVerifierRejected,        // the kernel verifier refused the program
    kUnsupportedConjunct,     // the generator cannot lower a conjunct for the device
    kProgramTooLarge,         // over the device's instruction/complexity limit
    kDeviceUnavailable,       // the device is missing or failed for another reason
    kCodegenRejected,         // LLVM's backend refused the program (e.g. BPF stack limit)
    kLocalMemoryUnavailable,  // the program's local memory (BPF_MAP_CREATE + mmap) failed
  };
  Reason reason = Reason::kNone;
  std::string detail;  // human-readable: errno text, verifier log lines, ...

  bool fell_back() const { return reason != Reason::kNone; }
};

// "none", "no BPF privilege", "verifier rejection", "unsupported conjunct",
// "program too large", "device unavailable", "codegen rejected",
// "local memory unavailable". Stable: they appear in ScanInfo::fallback_reason
// and the CLI's --stats JSON.
const char* FallbackReasonName(Fallback::Reason reason);

}  // namespace pushdown::exec
