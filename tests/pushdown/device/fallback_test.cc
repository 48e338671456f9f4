#include "pushdown/device/fallback.h"

#include <gtest/gtest.h>

#include "bpfgen/lang/predicate.h"
#include "pushdown/device/program_cache.h"
#include "tests/pushdown/device/no_free_fds.h"

namespace pushdown::exec {
namespace {

using Reason = Fallback::Reason;

TEST(Fallback, ReasonNamesAreMachineReadable) {
  EXPECT_STREQ(FallbackReasonName(Reason::kNone), "none");
  EXPECT_STREQ(FallbackReasonName(Reason::kNoBpfPrivilege), "no BPF privilege");
  EXPECT_STREQ(FallbackReasonName(Reason::kVerifierRejected), "verifier rejection");
  EXPECT_STREQ(FallbackReasonName(Reason::kUnsupportedConjunct), "unsupported conjunct");
  EXPECT_STREQ(FallbackReasonName(Reason::kProgramTooLarge), "program too large");
  EXPECT_STREQ(FallbackReasonName(Reason::kDeviceUnavailable), "device unavailable");
  EXPECT_STREQ(FallbackReasonName(Reason::kCodegenRejected), "codegen rejected");
  EXPECT_STREQ(FallbackReasonName(Reason::kLocalMemoryUnavailable), "local memory unavailable");
  EXPECT_FALSE(Fallback().fell_back());
}

// The compiler's failure kind is the reason; its message is never parsed.
TEST(Fallback, CompileFailuresMapToReasonsByKind) {
  using bpfgen::CompileFailure;
  EXPECT_EQ(FallbackForCompileFailure(CompileFailure::kUnsupported), Reason::kUnsupportedConjunct);
  EXPECT_EQ(FallbackForCompileFailure(CompileFailure::kCodegenRejected), Reason::kCodegenRejected);
  // No fallback: a generator bug or bad input fails loudly.
  EXPECT_EQ(FallbackForCompileFailure(CompileFailure::kInternal), Reason::kNone);
  EXPECT_EQ(FallbackForCompileFailure(CompileFailure::kInvalidArgument), Reason::kNone);
  EXPECT_EQ(FallbackForCompileFailure(CompileFailure::kNone), Reason::kNone);
}

TEST(Fallback, KernelCompileFailureTravelsTyped) {
  DeviceRegistry registry;
  if (!registry.kernel().Available().ok()) GTEST_SKIP() << "needs the kernel device (root/CAP_BPF)";
  // DOUBLE arithmetic has no BPF lowering (the split keeps it on the host;
  // passed to the kernel anyway): the compiler says kUnsupported.
  bpfgen::Schema schema = bpfgen::ParseSchema("id INT64 KEY, f DOUBLE").value();
  auto pred = bpfgen::CompilePredicate("f * 2 > 1", schema);
  ASSERT_TRUE(pred.ok());
  std::vector<const bpfgen::Expr*> conjuncts = {pred->conjuncts[0].get()};
  auto program = CompileAndLoad(registry, "kernel", schema, conjuncts);
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  EXPECT_EQ((*program)->device, &registry.host());
  EXPECT_EQ((*program)->fallback.reason, Reason::kUnsupportedConjunct);
  EXPECT_NE((*program)->fallback.detail.find("DOUBLE"), std::string::npos)
      << (*program)->fallback.detail;
}

// A load failure's reason is typed by the device and reaches the caller of
// the fallback chain unchanged: out of descriptors, the kernel cannot make the
// program's local memory, and the program runs on the host with that reason.
TEST(Fallback, KernelLoadFailureTravelsTyped) {
  DeviceRegistry registry;
  if (!registry.kernel().Available().ok()) GTEST_SKIP() << "needs the kernel device (root/CAP_BPF)";
  bpfgen::Schema schema = bpfgen::ParseSchema("id INT64 KEY, a INT64").value();
  auto pred = bpfgen::CompilePredicate("a < 24", schema);
  ASSERT_TRUE(pred.ok());
  std::vector<const bpfgen::Expr*> conjuncts = {pred->conjuncts[0].get()};
  Result<std::unique_ptr<DeviceProgram>> program = Status::Internal("not run");
  {
    testing::NoFreeFds no_fds;
    ASSERT_TRUE(no_fds.exhausted());
    program = CompileAndLoad(registry, "kernel", schema, conjuncts);
  }
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  EXPECT_EQ((*program)->device, &registry.host());
  EXPECT_EQ((*program)->fallback.reason, Reason::kLocalMemoryUnavailable);
  EXPECT_NE((*program)->fallback.detail.find("Too many open files"), std::string::npos)
      << (*program)->fallback.detail;
}

TEST(Fallback, MalformedTreeIsAnErrorNotAFallback) {
  DeviceRegistry registry;
  bpfgen::Schema schema = bpfgen::ParseSchema("id INT64 KEY, a INT64").value();
  auto pred = bpfgen::CompilePredicate("a < 24", schema);
  ASSERT_TRUE(pred.ok());
  bpfgen::ExprPtr bad = pred->conjuncts[0]->Clone();
  bad->children.pop_back();  // a comparison with one operand
  std::vector<const bpfgen::Expr*> conjuncts = {bad.get()};
  for (const char* device : {"auto", "kernel", "host"}) {
    auto program = CompileAndLoad(registry, device, schema, conjuncts);
    ASSERT_FALSE(program.ok()) << device;
    EXPECT_EQ(program.status().code(), Status::Code::kInternal)
        << device << ": " << program.status().ToString();
  }
}

TEST(Fallback, ChooseDeviceByName) {
  DeviceRegistry registry;
  auto host = ChooseDevice(registry, "host");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->device, &registry.host());
  EXPECT_FALSE(host->fallback.fell_back());

  EXPECT_TRUE(ChooseDevice(registry, "gpu").status().IsInvalidArgument());

  for (const char* name : {"kernel", "auto"}) {
    auto choice = ChooseDevice(registry, name);
    ASSERT_TRUE(choice.ok());
    if (registry.kernel().Available().ok()) {
      EXPECT_EQ(choice->device, &registry.kernel());
      EXPECT_FALSE(choice->fallback.fell_back());
    } else {
      EXPECT_EQ(choice->device, &registry.host());
      EXPECT_TRUE(choice->fallback.fell_back());
      EXPECT_FALSE(choice->fallback.detail.empty());
      // The kernel's typed reason, unchanged.
      EXPECT_EQ(choice->fallback.reason, registry.kernel().unavailable().reason);
    }
  }
  EXPECT_EQ(registry.Find("kernel"), &registry.kernel());
  EXPECT_EQ(registry.Find("host"), &registry.host());
  EXPECT_EQ(registry.Find("nvme"), nullptr);
}

}  // namespace
}  // namespace pushdown::exec
