#include "pushdown/device/fallback.h"

#include <gtest/gtest.h>

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
  EXPECT_FALSE(Fallback().fell_back());
}

TEST(Fallback, ClassifiesLoadAndCompileFailures) {
  EXPECT_EQ(ClassifyFailure(Status::NotSupported("verifier rejected f: R1 invalid mem access")),
            Reason::kVerifierRejected);
  EXPECT_EQ(ClassifyFailure(Status::NotSupported("program too large f: BPF program is too large")),
            Reason::kProgramTooLarge);
  EXPECT_EQ(ClassifyFailure(Status::NotSupported("DOUBLE arithmetic has no BPF lowering")),
            Reason::kUnsupportedConjunct);
  EXPECT_EQ(ClassifyFailure(Status::Unavailable("bpf(BPF_PROG_LOAD) of a syscall program: "
                                                "Operation not permitted")),
            Reason::kNoBpfPrivilege);
  EXPECT_EQ(ClassifyFailure(Status::Unavailable("bpf(BPF_PROG_LOAD) of a syscall program: "
                                                "Function not implemented")),
            Reason::kDeviceUnavailable);
  EXPECT_EQ(ClassifyFailure(Status::IOError("mmap of the .bss map: Cannot allocate memory")),
            Reason::kDeviceUnavailable);
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
    }
  }
  EXPECT_EQ(registry.Find("kernel"), &registry.kernel());
  EXPECT_EQ(registry.Find("host"), &registry.host());
  EXPECT_EQ(registry.Find("nvme"), nullptr);
}

}  // namespace
}  // namespace pushdown::exec
