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

// Every kind of tree the front end never produces is Internal (kInternal) on
// both targets -- never NotSupported, which would move a scan to the host
// quietly and hide the bug.
TEST(CompileFailure, EveryMalformedShapeIsInternal) {
  Schema schema = ParseSchema(kLineitemDdl).value();
  auto conjunct = [&](const char* text) {
    auto pred = CompilePredicate(text, schema);
    EXPECT_TRUE(pred.ok()) << text << ": " << pred.status().ToString();
    return pred->conjuncts[0]->Clone();
  };
  std::vector<std::pair<std::string, ExprPtr>> cases;
  {  // LIKE whose pattern is a column, not a literal
    ExprPtr e = conjunct("l_comment LIKE '%a%'");
    e->children[1] = e->children[0]->Clone();
    cases.emplace_back("LIKE column", std::move(e));
  }
  {  // BETWEEN with two operands
    ExprPtr e = conjunct("l_quantity BETWEEN 1 AND 5");
    e->children.pop_back();
    cases.emplace_back("BETWEEN/2", std::move(e));
  }
  {  // IN with no list
    ExprPtr e = conjunct("l_quantity IN (1, 2)");
    e->children.resize(1);
    cases.emplace_back("IN ()", std::move(e));
  }
  {  // arithmetic over a string column
    ExprPtr e = conjunct("l_quantity + 1 > 2");
    ExprPtr like = conjunct("l_comment LIKE '%a%'");
    ASSERT_EQ(e->children[0]->kind, ExprKind::kBinary);
    e->children[0]->children[0] = like->children[0]->Clone();
    cases.emplace_back("string + 1", std::move(e));
  }
  {  // a cast with no operand
    ExprPtr e = conjunct("l_quantity + 1 > 2");
    auto cast = std::make_unique<Expr>();
    cast->kind = ExprKind::kCast;
    cast->type = Type::Int64();
    e->children[1] = std::move(cast);
    cases.emplace_back("CAST()", std::move(e));
  }
  for (const auto& [name, tree] : cases) {
    std::vector<const Expr*> conjuncts = {tree.get()};
    CompileFailure failure = CompileFailure::kNone;
    auto bpf = CompileBpf(schema, conjuncts, CompileOptions{}, &failure);
    EXPECT_EQ(bpf.status().code(), Status::Code::kInternal)
        << name << ": " << bpf.status().ToString();
    EXPECT_EQ(failure, CompileFailure::kInternal) << name;
    EXPECT_NE(bpf.status().message().find("malformed"), std::string::npos)
        << name << ": " << bpf.status().ToString();
    failure = CompileFailure::kNone;
    auto native = CompileNative(schema, conjuncts, CompileOptions{}, &failure);
    EXPECT_EQ(native.status().code(), Status::Code::kInternal)
        << name << ": " << native.status().ToString();
    EXPECT_EQ(failure, CompileFailure::kInternal) << name;
  }
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
