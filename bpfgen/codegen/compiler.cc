// The compilation pipeline: build IR (walker + lowering), verify, optimise
// (BPF: a short hand-picked function pipeline; native: O1; no unrolling or
// vectorisation), then emit a BPF object or JIT natively.
#include "bpfgen/codegen/compiler.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "bpfgen/codegen/block_walker.h"
#include "bpfgen/codegen/diagnostics.h"
#include "bpfgen/codegen/ir_builder.h"
#include "bpfgen/codegen/layout.h"
#include "bpfgen/codegen/lowering.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/Transforms/Utils/Cloning.h"

extern "C" {
void LLVMInitializeBPFTargetInfo();
void LLVMInitializeBPFTarget();
void LLVMInitializeBPFTargetMC();
void LLVMInitializeBPFAsmPrinter();
}

namespace pushdown::bpfgen {
namespace {

using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

constexpr char kBpfTriple[] = "bpfel";
constexpr char kBpfCpu[] = "v4";
constexpr char kMemoryVariable[] = "pd_memory";

// The SelectionDAG scheduler in source order (-pre-RA-sched=source), once per
// process, unless the embedding program chose one. The BPF target's default
// (ILP) hoists independent instructions of a block ahead of their uses: in a
// 100-term sum every multiple of the column was live at once, ~200 spill
// slots, "BPF stack limit exceeded"; source order keeps the chain in a few
// registers. x86 already schedules in source order (it uses the machine
// scheduler), so the option changes nothing for the native target.
void ConfigureLlvmOptions() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& options = llvm::cl::getRegisteredOptions();
    auto it = options.find("pre-RA-sched");
    if (it != options.end() && it->second->getNumOccurrences() == 0) {
      (void)it->second->addOccurrence(0, "pre-RA-sched", "source");
    }
  });
}

void InitBpfTarget() {
  ConfigureLlvmOptions();
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
  });
}

void InitNativeTarget() {
  ConfigureLlvmOptions();
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

Result<std::unique_ptr<llvm::TargetMachine>> BpfTargetMachine() {
  InitBpfTarget();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(kBpfTriple, error);
  if (!target) return Status::Internal("bpf target: " + error);
  llvm::TargetOptions opts;
  std::unique_ptr<llvm::TargetMachine> tm(
      target->createTargetMachine(kBpfTriple, kBpfCpu, "", opts, llvm::Reloc::PIC_, std::nullopt,
                                  llvm::CodeGenOptLevel::Default));
  if (!tm) return Status::Internal("bpf target machine");
  return tm;
}

Result<std::unique_ptr<llvm::TargetMachine>> HostTargetMachine() {
  InitNativeTarget();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) return Status::Internal("host target: " + llvm::toString(jtmb.takeError()));
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  auto tm = jtmb->createTargetMachine();
  if (!tm) return Status::Internal("host target machine: " + llvm::toString(tm.takeError()));
  return std::move(*tm);
}

// The LLVM objects of one compilation. After a fatal LLVM error (RunGuarded)
// they may be inconsistent: Abandon() leaks them instead of destroying them.
struct Built {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  codegen::MemoryPlan plan;
  void Abandon() {
    (void)module.release();
    (void)context.release();
  }
};

// Where a compilation stands: the failure kind of the phase that runs now.
struct Phase {
  CompileFailure* out;
  CompileFailure kind = CompileFailure::kInternal;
  void Set(CompileFailure k) { kind = k; }
  // Records the kind of a failed `s` (the current phase's, refined by code).
  Status Fail(const Status& s, bool fatal) {
    CompileFailure k = kind;
    if (fatal || s.message().rfind(codegen::kCodegenRejected, 0) == 0) {
      k = CompileFailure::kCodegenRejected;  // our own prefix, set in diagnostics.cc
    } else if (s.IsInvalidArgument()) {
      k = CompileFailure::kInvalidArgument;
    } else if (s.code() == Status::Code::kInternal) {
      k = CompileFailure::kInternal;
    }
    if (out != nullptr) *out = k;
    return s;
  }
};

Result<Built> BuildModule(Target target, const Schema& schema,
                          const std::vector<const Expr*>& conjuncts,
                          const std::vector<AggregateItem>& aggregates,
                          const CompileOptions& options, const std::string& triple,
                          const llvm::DataLayout& data_layout,
                          const std::shared_ptr<codegen::DiagnosticLog>& log, Phase* phase) {
  phase->Set(CompileFailure::kInvalidArgument);
  for (size_t i = 1; i < aggregates.size(); ++i) {
    if (aggregates[i].op == AggregateOp::kGroupKey &&
        aggregates[i - 1].op != AggregateOp::kGroupKey) {
      return Status::InvalidArgument("group keys must come before the aggregates");
    }
  }
  PD_ASSIGN_OR_RETURN(
      codegen::MemoryPlan plan,
      codegen::PlanMemory(options, CountAggregates(aggregates), CountGroupKeys(aggregates)));
  for (const Expr* e : conjuncts) {
    if (e == nullptr) return Status::InvalidArgument("null conjunct");
  }
  for (const AggregateItem& item : aggregates) {
    if ((item.arg == nullptr) != (item.op == AggregateOp::kCountStar)) {
      return Status::InvalidArgument("aggregate argument: COUNT(*) takes none, the others one");
    }
  }
  phase->Set(CompileFailure::kUnsupported);
  for (const AggregateItem& item : aggregates) PD_RETURN_IF_ERROR(CheckDeviceAggregate(item));
  Built built;
  built.plan = plan;
  built.context = std::make_unique<llvm::LLVMContext>();
  codegen::InstallDiagnosticHandler(*built.context, log);
  built.module = std::make_unique<llvm::Module>("pd_filter", *built.context);
  built.module->setTargetTriple(triple);
  built.module->setDataLayout(data_layout);
  RowLayout row;
  if (!schema.raw) row = RowLayout::Compute(schema);
  codegen::IRBuilderPD b(built.module.get(), target, plan);
  codegen::Lowering lowering(b, schema, schema.raw ? nullptr : &row, options);
  const codegen::AggregateEmitter aggregate = [&](codegen::IRBuilderPD&,
                                                  const codegen::EntryView& entry) {
    return lowering.Aggregates(aggregates, entry);
  };
  codegen::EmitBlockFilter(
      b, schema.raw ? nullptr : &row,
      [&](codegen::IRBuilderPD&, const codegen::EntryView& entry) {
        return lowering.Conjuncts(conjuncts, entry);
      },
      aggregates.empty() ? nullptr : &aggregate);
  PD_RETURN_IF_ERROR(lowering.status());
  phase->Set(CompileFailure::kInternal);
  PD_RETURN_IF_ERROR(b.status());
  b.Finalize();
  std::string err;
  llvm::raw_string_ostream os(err);
  if (llvm::verifyModule(*built.module, &os)) {
    return Status::Internal("generated module is invalid: " + os.str());
  }
  return built;
}

// BPF: a hand-picked function pipeline instead of O1. For Q6 the O1 module
// pipeline (~70 passes, most finding nothing in straight-line decoding code)
// took ~10 ms of a ~27 ms compile + load; this one takes ~2-3 ms and its code
// runs at least as fast (bench/results/codegen_perf.md). The BPF target's own
// IR passes (CO-RE rewrites, BPFAdjustOpt's verifier-friendly forms) run
// first, as in the default pipelines. LICM hoists loop-invariant loads out of
// the walker's loops and the second instcombine folds what that exposes
// (without the pair Q6 ran ~12% slower per entry in the kernel).
// no-verify-fixpoint: the text form otherwise defaults to verifying (one more
// iteration, and a fatal error if it still finds something to combine).
// The closing loop-rotate (bottom-tested loops) brings raw mode's per-entry
// cost back to O1's (+3-4% without it).
constexpr char kBpfFunctionPipeline[] =
    "function(early-cse,instcombine<max-iterations=1;no-verify-fixpoint>,simplifycfg,"
    "loop-mssa(licm),instcombine<max-iterations=1;no-verify-fixpoint>,simplifycfg,"
    "loop(loop-rotate),simplifycfg)";

Status Optimize(Target target, llvm::Module& m, llvm::TargetMachine* tm) {
  llvm::PipelineTuningOptions pto;
  pto.LoopUnrolling = false;
  pto.LoopVectorization = false;
  pto.SLPVectorization = false;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  if (target == Target::kBpf) {
    pb.invokePipelineStartEPCallbacks(mpm, llvm::OptimizationLevel::O1);
    pb.invokePipelineEarlySimplificationEPCallbacks(mpm, llvm::OptimizationLevel::O1);
    if (llvm::Error err = pb.parsePassPipeline(mpm, kBpfFunctionPipeline)) {
      return Status::Internal("bpf pass pipeline: " + llvm::toString(std::move(err)));
    }
  } else {
    // Native: O1 (the host loop gains from its loop passes: the hand-picked
    // BPF pipeline made Q6 ~7% and raw ~10% slower per entry on the host).
    // O1 measured ~11% less codegen time than O2 with the same per-entry cost.
    mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O1);
  }
  mpm.run(m, mam);
  return Status::OK();
}

Result<std::string> EmitFile(llvm::Module& m, llvm::TargetMachine* tm, llvm::CodeGenFileType type) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr, type)) {
    return Status::Internal("bpf target cannot emit this file type");
  }
  pm.run(m);
  return std::string(buffer.data(), buffer.size());
}

class NativeProgramImpl : public NativeProgram {
 public:
  NativeProgramImpl(std::unique_ptr<llvm::orc::LLJIT> jit, abi::NativeFilterFn fn,
                    abi::ProgramLayout layout, double ms)
      : jit_(std::move(jit)), fn_(fn), layout_(layout), ms_(ms) {}
  abi::NativeFilterFn fn() const override { return fn_; }
  const abi::ProgramLayout& layout() const override { return layout_; }
  double compile_ms() const override { return ms_; }

 private:
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  abi::NativeFilterFn fn_;
  abi::ProgramLayout layout_;
  double ms_;
};

}  // namespace

Result<BpfProgram> CompileBpf(const Schema& schema, const std::vector<const Expr*>& conjuncts,
                              const CompileOptions& options, CompileFailure* failure) {
  return CompileBpf(schema, conjuncts, {}, options, failure);
}

Result<BpfProgram> CompileBpf(const Schema& schema, const std::vector<const Expr*>& conjuncts,
                              const std::vector<AggregateItem>& aggregates,
                              const CompileOptions& options, CompileFailure* failure) {
  if (failure != nullptr) *failure = CompileFailure::kNone;
  auto start = Clock::now();
  Phase phase{failure};
  auto log = std::make_shared<codegen::DiagnosticLog>();
  std::unique_ptr<llvm::TargetMachine> tm;
  Built built;
  std::string object;
  bool fatal = false;
  Status s = codegen::RunGuarded(
      [&]() -> Status {
        phase.Set(CompileFailure::kInternal);
        PD_ASSIGN_OR_RETURN(tm, BpfTargetMachine());
        auto t_tm = Clock::now();
        PD_ASSIGN_OR_RETURN(built, BuildModule(Target::kBpf, schema, conjuncts, aggregates, options,
                                               kBpfTriple, tm->createDataLayout(), log, &phase));
        auto t_ir = Clock::now();
        phase.Set(CompileFailure::kCodegenRejected);
        PD_RETURN_IF_ERROR(Optimize(Target::kBpf, *built.module, tm.get()));
        PD_RETURN_IF_ERROR(codegen::CheckDiagnostics(*log));
        auto t_opt = Clock::now();
        if (std::getenv("PD_CODEGEN_DUMP")) {  // debugging aid: the BPF assembly
          auto cloned = llvm::CloneModule(*built.module);
          auto text = EmitFile(*cloned, tm.get(), llvm::CodeGenFileType::AssemblyFile);
          if (text.ok()) std::fprintf(stderr, "%s\n", text->c_str());
          t_opt = Clock::now();
        }
        PD_ASSIGN_OR_RETURN(object,
                            EmitFile(*built.module, tm.get(), llvm::CodeGenFileType::ObjectFile));
        PD_RETURN_IF_ERROR(codegen::CheckDiagnostics(*log));
        if (std::getenv("PD_CODEGEN_TRACE")) {
          std::fprintf(stderr, "codegen: target %.2f ms, ir %.2f ms, opt %.2f ms, emit %.2f ms\n",
                       MsSince(start) - MsSince(t_tm), MsSince(t_tm) - MsSince(t_ir),
                       MsSince(t_ir) - MsSince(t_opt), MsSince(t_opt));
        }
        return Status::OK();
      },
      &fatal);
  if (fatal) {
    built.Abandon();
    (void)tm.release();
  }
  if (!s.ok()) return phase.Fail(s, fatal);
  BpfProgram program;
  program.object = std::move(object);
  program.program_name = codegen::kEntryFunction;
  program.memory_variable = kMemoryVariable;
  program.layout = built.plan.layout;
  program.codegen_ms = MsSince(start);
  return program;
}

Result<std::unique_ptr<NativeProgram>> CompileNative(const Schema& schema,
                                                     const std::vector<const Expr*>& conjuncts,
                                                     const CompileOptions& options,
                                                     CompileFailure* failure) {
  return CompileNative(schema, conjuncts, {}, options, failure);
}

Result<std::unique_ptr<NativeProgram>> CompileNative(const Schema& schema,
                                                     const std::vector<const Expr*>& conjuncts,
                                                     const std::vector<AggregateItem>& aggregates,
                                                     const CompileOptions& options,
                                                     CompileFailure* failure) {
  if (failure != nullptr) *failure = CompileFailure::kNone;
  auto start = Clock::now();
  Phase phase{failure};
  auto log = std::make_shared<codegen::DiagnosticLog>();
  std::unique_ptr<llvm::TargetMachine> tm;
  Built built;
  bool fatal = false;
  // Guarded: building and optimising. The JIT's own code generation (at
  // lookup) runs outside the guard, with the diagnostic handler still on the
  // context: unwinding through ORC's session could leave its locks held.
  Status s = codegen::RunGuarded(
      [&]() -> Status {
        phase.Set(CompileFailure::kInternal);
        PD_ASSIGN_OR_RETURN(tm, HostTargetMachine());
        PD_ASSIGN_OR_RETURN(
            built, BuildModule(Target::kNative, schema, conjuncts, aggregates, options,
                               tm->getTargetTriple().str(), tm->createDataLayout(), log, &phase));
        phase.Set(CompileFailure::kCodegenRejected);
        PD_RETURN_IF_ERROR(Optimize(Target::kNative, *built.module, tm.get()));
        PD_RETURN_IF_ERROR(codegen::CheckDiagnostics(*log));
        if (std::getenv("PD_CODEGEN_DUMP")) {  // debugging aid: the host assembly
          auto cloned = llvm::CloneModule(*built.module);
          auto text = EmitFile(*cloned, tm.get(), llvm::CodeGenFileType::AssemblyFile);
          if (text.ok()) std::fprintf(stderr, "%s\n", text->c_str());
        }
        return Status::OK();
      },
      &fatal);
  if (fatal) {
    built.Abandon();
    (void)tm.release();
  }
  if (!s.ok()) return phase.Fail(s, fatal);
  phase.Set(CompileFailure::kInternal);
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    return phase.Fail(Status::Internal("host target: " + llvm::toString(jtmb.takeError())), false);
  }
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!jit) return phase.Fail(Status::Internal("lljit: " + llvm::toString(jit.takeError())), false);
  // DOUBLE % lowers to a call of fmod: resolve it from this process.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process) {
    return phase.Fail(Status::Internal("lljit: " + llvm::toString(process.takeError())), false);
  }
  (*jit)->getMainJITDylib().addGenerator(std::move(*process));
  // Long LIKE patterns call the runtime matcher (lower_string.cc).
  llvm::orc::SymbolMap runtime;
  runtime[(*jit)->mangleAndIntern(codegen::kLikeMatchSymbol)] =
      llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(&codegen::pd_like_match),
                                   llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  if (auto err = (*jit)->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(runtime)))) {
    return phase.Fail(Status::Internal("lljit runtime: " + llvm::toString(std::move(err))), false);
  }
  if (auto err = (*jit)->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(built.module), std::move(built.context)))) {
    return phase.Fail(Status::Internal("lljit add module: " + llvm::toString(std::move(err))),
                      false);
  }
  auto sym = (*jit)->lookup(codegen::kEntryFunction);
  phase.Set(CompileFailure::kCodegenRejected);
  PD_RETURN_IF_ERROR(phase.Fail(codegen::CheckDiagnostics(*log), false));
  if (!sym) {
    return phase.Fail(Status::Internal("lljit lookup: " + llvm::toString(sym.takeError())), false);
  }
  auto fn = sym->toPtr<abi::NativeFilterFn>();
  if (failure != nullptr) *failure = CompileFailure::kNone;
  return std::unique_ptr<NativeProgram>(
      new NativeProgramImpl(std::move(*jit), fn, built.plan.layout, MsSince(start)));
}

namespace {

// Builds and optimises a module for the Emit* helpers (guarded like Compile*).
template <typename Fn>
Result<std::string> EmitGuarded(Target target, const Schema& schema,
                                const std::vector<const Expr*>& conjuncts,
                                const CompileOptions& options, Fn&& emit) {
  Phase phase{nullptr};
  auto log = std::make_shared<codegen::DiagnosticLog>();
  std::unique_ptr<llvm::TargetMachine> tm;
  Built built;
  std::string out;
  bool fatal = false;
  Status s = codegen::RunGuarded(
      [&]() -> Status {
        if (target == Target::kBpf) {
          PD_ASSIGN_OR_RETURN(tm, BpfTargetMachine());
        } else {
          PD_ASSIGN_OR_RETURN(tm, HostTargetMachine());
        }
        PD_ASSIGN_OR_RETURN(
            built, BuildModule(target, schema, conjuncts, {}, options, tm->getTargetTriple().str(),
                               tm->createDataLayout(), log, &phase));
        PD_RETURN_IF_ERROR(Optimize(target, *built.module, tm.get()));
        PD_RETURN_IF_ERROR(codegen::CheckDiagnostics(*log));
        PD_ASSIGN_OR_RETURN(out, emit(*built.module, tm.get()));
        return codegen::CheckDiagnostics(*log);
      },
      &fatal);
  if (fatal) {
    built.Abandon();
    (void)tm.release();
  }
  if (!s.ok()) return s;
  return out;
}

}  // namespace

Result<std::string> EmitIr(Target target, const Schema& schema,
                           const std::vector<const Expr*>& conjuncts,
                           const CompileOptions& options) {
  return EmitGuarded(target, schema, conjuncts, options,
                     [](llvm::Module& m, llvm::TargetMachine*) -> Result<std::string> {
                       std::string text;
                       llvm::raw_string_ostream os(text);
                       m.print(os, nullptr);
                       return os.str();
                     });
}

Result<std::string> EmitBpfAssembly(const Schema& schema, const std::vector<const Expr*>& conjuncts,
                                    const CompileOptions& options) {
  return EmitGuarded(Target::kBpf, schema, conjuncts, options,
                     [](llvm::Module& m, llvm::TargetMachine* tm) {
                       return EmitFile(m, tm, llvm::CodeGenFileType::AssemblyFile);
                     });
}

}  // namespace pushdown::bpfgen
