// LLVM error containment: no predicate may end the process through LLVM.
//
// Two LLVM mechanisms can end a process:
//   - diagnostics: an LLVMContext without a handler prints DS_Error
//     diagnostics and calls exit(1) (the BPF backend's "Looks like the BPF
//     stack limit is exceeded", unsupported calls, ...). Every context the
//     compiler creates gets a DiagnosticLog (InstallDiagnosticHandler): errors
//     are recorded and turned into a Status after the phase that raised them;
//   - llvm::report_fatal_error: calls the process-global fatal error handler
//     and then exit(1)/abort(). InstallFatalErrorHandler installs (once, for
//     the process) a handler that, on a thread running inside RunGuarded,
//     unwinds to RunGuarded with a C++ exception instead of returning to LLVM;
//     on any other thread it prints "LLVM ERROR: ..." and returns (LLVM's
//     default behaviour: the process ends). The LLVM objects a guarded phase
//     worked on may be left inconsistent by the unwinding: the caller must
//     leak them (never destroy) when RunGuarded reports a fatal error.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "llvm/IR/LLVMContext.h"
#include "util/status.h"

namespace pushdown::bpfgen::codegen {

// The error diagnostics of one compilation. Shared between the compiler and
// the context's handler (a JIT may keep the context alive after the compiler
// returned); thread-safe.
class DiagnosticLog {
 public:
  void AddError(std::string message);
  bool has_error() const;
  // The first line of the first error ("" if none).
  std::string FirstError() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> errors_;
};

// Replaces `context`'s diagnostic handler with one that records DS_Error
// diagnostics in `log` and drops warnings, remarks and notes (never prints,
// never exits).
void InstallDiagnosticHandler(llvm::LLVMContext& context, std::shared_ptr<DiagnosticLog> log);

// NotSupported("codegen rejected: <first line>") if `log` holds an error.
Status CheckDiagnostics(const DiagnosticLog& log);

// The message prefix of every codegen rejection (diagnostic or fatal error).
inline constexpr const char* kCodegenRejected = kCodegenRejectedPrefix;

// Installs the process-wide fatal error handler described above (idempotent,
// thread-safe). Compile* call it; a program that installs its own LLVM fatal
// error handler first keeps it (LLVM allows one).
void InstallFatalErrorHandler();

// Runs `phase` so that a report_fatal_error inside it returns
// NotSupported("codegen rejected: <first line>") from RunGuarded and sets
// *fatal = true (then the LLVM objects `phase` touched must be leaked). Any
// other result of `phase` is returned unchanged with *fatal = false.
// Nests; thread-safe (the guard is per thread).
Status RunGuarded(const std::function<Status()>& phase, bool* fatal);

}  // namespace pushdown::bpfgen::codegen
