// LLVM error containment (bpfgen/codegen/diagnostics.h) and typed compile
// failures: an error diagnostic or a report_fatal_error becomes a Status
// instead of ending the process; a malformed tree is Internal, a valid but
// unlowerable one NotSupported, each with its CompileFailure kind.
#include "bpfgen/codegen/diagnostics.h"

#include <gtest/gtest.h>

#include <thread>

#include "bpfgen/codegen/ir_builder.h"
#include "bpfgen/codegen/layout.h"
#include "bpfgen/codegen/lowering.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/tpch.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/Support/ErrorHandling.h"

namespace pushdown::bpfgen {
namespace {

using codegen::DiagnosticLog;

TEST(Diagnostics, ErrorDiagnosticIsRecordedNotExit) {
  llvm::LLVMContext context;
  auto log = std::make_shared<DiagnosticLog>();
  codegen::InstallDiagnosticHandler(context, log);
  context.diagnose(llvm::DiagnosticInfoInlineAsm("just a warning", llvm::DS_Warning));
  EXPECT_FALSE(log->has_error());
  EXPECT_TRUE(codegen::CheckDiagnostics(*log).ok());
  // Without the handler LLVMContext::diagnose prints this and calls exit(1).
  context.diagnose(llvm::DiagnosticInfoInlineAsm("first line\nsecond line", llvm::DS_Error));
  context.diagnose(llvm::DiagnosticInfoInlineAsm("another error", llvm::DS_Error));
  ASSERT_TRUE(log->has_error());
  Status s = codegen::CheckDiagnostics(*log);
  EXPECT_TRUE(s.IsNotSupported());
  EXPECT_EQ(s.message(), "codegen rejected: first line");
}

TEST(Diagnostics, FatalErrorInsideAGuardIsAStatus) {
  bool fatal = false;
  Status s = codegen::RunGuarded(
      []() -> Status {
        llvm::report_fatal_error("Cannot select: something\nmore detail", false);
        return Status::OK();  // not reached
      },
      &fatal);
  EXPECT_TRUE(fatal);
  EXPECT_TRUE(s.IsNotSupported());
  EXPECT_EQ(s.message(), "codegen rejected: Cannot select: something");
  // The process is alive and later guarded phases run normally.
  s = codegen::RunGuarded([] { return Status::InvalidArgument("plain"); }, &fatal);
  EXPECT_FALSE(fatal);
  EXPECT_TRUE(s.IsInvalidArgument());
}

TEST(Diagnostics, GuardIsPerThreadAndNests) {
  std::vector<std::thread> threads;
  std::atomic<int> caught{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      bool outer_fatal = false, inner_fatal = false;
      Status outer = codegen::RunGuarded(
          [&]() -> Status {
            Status inner = codegen::RunGuarded(
                []() -> Status {
                  llvm::report_fatal_error("inner", false);
                  return Status::OK();
                },
                &inner_fatal);
            EXPECT_TRUE(inner_fatal);
            EXPECT_EQ(inner.message(), "codegen rejected: inner");
            return Status::OK();
          },
          &outer_fatal);
      EXPECT_TRUE(outer.ok());
      EXPECT_FALSE(outer_fatal);
      ++caught;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(caught.load(), 4);
}

// A tree the front end would never produce: a comparison with one operand.
ExprPtr MalformedComparison(const Schema& schema) {
  auto pred = CompilePredicate("l_quantity < 24", schema);
  EXPECT_TRUE(pred.ok());
  ExprPtr e = pred->conjuncts[0]->Clone();
  e->children.pop_back();
  return e;
}

TEST(CompileFailure, MalformedTreeIsInternalOnBothTargets) {
  Schema schema = ParseSchema(kLineitemDdl).value();
  ExprPtr bad = MalformedComparison(schema);
  std::vector<const Expr*> conjuncts = {bad.get()};
  CompileFailure failure = CompileFailure::kNone;
  auto bpf = CompileBpf(schema, conjuncts, CompileOptions{}, &failure);
  ASSERT_FALSE(bpf.ok());
  EXPECT_EQ(bpf.status().code(), Status::Code::kInternal) << bpf.status().ToString();
  EXPECT_EQ(failure, CompileFailure::kInternal);
  auto native = CompileNative(schema, conjuncts, CompileOptions{}, &failure);
  ASSERT_FALSE(native.ok());
  EXPECT_EQ(native.status().code(), Status::Code::kInternal) << native.status().ToString();
  EXPECT_EQ(failure, CompileFailure::kInternal);
}

TEST(CompileFailure, UnlowerableConjunctIsUnsupported) {
  Schema schema = ParseSchema(kLineitemDdl).value();
  // DOUBLE arithmetic: the kernel caps keep it on the host; passed anyway.
  Schema mixed = ParseSchema("id INT64 KEY, f DOUBLE").value();
  auto pred = CompilePredicate("f * 2 > 1", mixed);
  ASSERT_TRUE(pred.ok());
  std::vector<const Expr*> conjuncts = {pred->conjuncts[0].get()};
  CompileFailure failure = CompileFailure::kNone;
  auto bpf = CompileBpf(mixed, conjuncts, CompileOptions{}, &failure);
  ASSERT_FALSE(bpf.ok());
  EXPECT_TRUE(bpf.status().IsNotSupported()) << bpf.status().ToString();
  EXPECT_EQ(failure, CompileFailure::kUnsupported);
  auto native = CompileNative(mixed, conjuncts, CompileOptions{}, &failure);
  ASSERT_TRUE(native.ok()) << native.status().ToString();
  EXPECT_EQ(failure, CompileFailure::kNone);
  // A null conjunct is the caller's error.
  std::vector<const Expr*> null_conjunct = {nullptr};
  auto bad = CompileBpf(schema, null_conjunct, CompileOptions{}, &failure);
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_EQ(failure, CompileFailure::kInvalidArgument);
}

TEST(IRBuilderPD, CheckpointChecksItsSlotCount) {
  for (Target target : {Target::kBpf, Target::kNative}) {
    llvm::LLVMContext context;
    llvm::Module module("m", context);
    codegen::MemoryPlan plan = codegen::PlanMemory(CompileOptions{}).value();
    codegen::IRBuilderPD b(&module, target, plan);
    auto* fn = b.CreateFunction("f", llvm::FunctionType::get(b.getInt64Ty(), false), false, ".text",
                                "", 'l');
    b.EnterFunction(fn, llvm::BasicBlock::Create(context, "entry", fn));
    b.SetMemoryBase(b.MemoryGlobal());
    std::vector<llvm::Value*> values(codegen::kNumCheckpointSlots, b.I64(1));
    EXPECT_EQ(b.Checkpoint(values).size(), values.size());
    EXPECT_TRUE(b.status().ok());
    values.push_back(b.I64(2));
    EXPECT_EQ(b.Checkpoint(values).size(), values.size());
    EXPECT_EQ(b.status().code(), Status::Code::kInternal);
    EXPECT_NE(b.status().message().find("slots"), std::string::npos) << b.status().message();
    b.CreateRet(b.I64(0));
    b.Finalize();
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
