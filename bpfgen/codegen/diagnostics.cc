#include "bpfgen/codegen/diagnostics.h"

#include <cstdio>
#include <utility>

#include "llvm/IR/DiagnosticHandler.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/Function.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

namespace pushdown::bpfgen::codegen {
namespace {

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line.empty() ? std::string("(empty LLVM diagnostic)") : line;
}

class RecordingHandler : public llvm::DiagnosticHandler {
 public:
  explicit RecordingHandler(std::shared_ptr<DiagnosticLog> log) : log_(std::move(log)) {}

  bool handleDiagnostics(const llvm::DiagnosticInfo& di) override {
    if (di.getSeverity() != llvm::DS_Error) return true;  // handled: dropped
    std::string text;
    llvm::raw_string_ostream os(text);
    if (const auto* u = llvm::dyn_cast<llvm::DiagnosticInfoUnsupported>(&di)) {
      // The message alone, then where (the full print starts with a location).
      os << u->getMessage() << " (in " << u->getFunction().getName() << ")";
    } else {
      llvm::DiagnosticPrinterRawOStream printer(os);
      di.print(printer);
    }
    log_->AddError(os.str());
    return true;  // handled: LLVMContext::diagnose neither prints nor exits
  }

 private:
  std::shared_ptr<DiagnosticLog> log_;
};

// A report_fatal_error inside RunGuarded, on its way to RunGuarded.
struct FatalLlvmError {
  std::string message;
};

thread_local int guard_depth = 0;

void FatalHandler(void*, const char* reason, bool) {
  if (guard_depth > 0) throw FatalLlvmError{reason != nullptr ? reason : ""};
  // Outside a guard: LLVM's default behaviour (it ends the process next).
  std::fprintf(stderr, "LLVM ERROR: %s\n", reason != nullptr ? reason : "");
}

}  // namespace

void DiagnosticLog::AddError(std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  errors_.push_back(std::move(message));
}

bool DiagnosticLog::has_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !errors_.empty();
}

std::string DiagnosticLog::FirstError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return errors_.empty() ? std::string() : FirstLine(errors_.front());
}

void InstallDiagnosticHandler(llvm::LLVMContext& context, std::shared_ptr<DiagnosticLog> log) {
  context.setDiagnosticHandler(std::make_unique<RecordingHandler>(std::move(log)));
}

Status CheckDiagnostics(const DiagnosticLog& log) {
  if (!log.has_error()) return Status::OK();
  return Status::NotSupported(kCodegenRejected + log.FirstError());
}

void InstallFatalErrorHandler() {
  static std::once_flag once;
  std::call_once(once, [] { llvm::install_fatal_error_handler(FatalHandler, nullptr); });
}

Status RunGuarded(const std::function<Status()>& phase, bool* fatal) {
  InstallFatalErrorHandler();
  *fatal = false;
  ++guard_depth;
  try {
    Status s = phase();
    --guard_depth;
    return s;
  } catch (const FatalLlvmError& e) {
    --guard_depth;
    *fatal = true;
    return Status::NotSupported(kCodegenRejected + FirstLine(e.message));
  }
}

}  // namespace pushdown::bpfgen::codegen
