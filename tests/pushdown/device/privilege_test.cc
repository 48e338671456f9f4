// Drops every privilege in a child process (setpriv: uid/gid 65534, no
// capabilities, empty bounding set) and checks that the kernel device reports
// itself unavailable and the fallback chain goes to the host with reason
// "no BPF privilege" -- without crashing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bpfgen/lang/predicate.h"
#include "pushdown/device/fallback.h"
#include "pushdown/device/program_cache.h"
#include "tests/pushdown/device/block_builder.h"
#include "tests/pushdown/device/test_filter.h"

namespace pushdown::exec {
namespace {

namespace abi = bpfgen::abi;

constexpr char kChildEnv[] = "PD_DEVICE_PRIVILEGE_CHILD";

// Child mode: runs only inside the unprivileged child started below.
TEST(DevicePrivilegeChild, KernelUnavailableFallsBackToHost) {
  if (getenv(kChildEnv) == nullptr) GTEST_SKIP() << "child mode only (set " << kChildEnv << ")";
  ASSERT_NE(geteuid(), 0u);
  DeviceRegistry registry;
  Status available = registry.kernel().Available();
  EXPECT_TRUE(available.IsUnavailable()) << available.ToString();
  EXPECT_EQ(registry.kernel().probe_errno(), EPERM);

  auto choice = ChooseDevice(registry, "kernel");
  ASSERT_TRUE(choice.ok()) << choice.status().ToString();
  EXPECT_EQ(choice->device, &registry.host());
  EXPECT_EQ(choice->fallback.reason, Fallback::Reason::kNoBpfPrivilege);
  EXPECT_STREQ(FallbackReasonName(choice->fallback.reason), "no BPF privilege");
  EXPECT_NE(choice->fallback.detail.find("Operation not permitted"), std::string::npos);
  // The reason is typed where the probe failed, not parsed from its message.
  EXPECT_EQ(registry.kernel().unavailable().reason, Fallback::Reason::kNoBpfPrivilege);
  EXPECT_EQ(registry.kernel().unavailable().detail, available.message());

  // Loading on the kernel device anyway is an error status, not a crash, and
  // says why as data.
  bpfgen::BpfProgram program;
  program.object = "x";
  ProgramImage bpf_image;
  bpf_image.bpf = &program;
  Fallback why;
  EXPECT_TRUE(registry.kernel().Load(bpf_image, &why).status().IsUnavailable());
  EXPECT_EQ(why.reason, Fallback::Reason::kNoBpfPrivilege);

  // The host device still runs programs.
  ProgramImage image;
  image.native = std::make_shared<testing::TestNativeProgram>(
      testing::SmallLayout(4, 1 << 14, 1 << 13, 64, 4096), [](std::string_view) { return true; });
  auto loaded = choice->device->Load(image);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  testing::TestBlockBuilder builder;
  builder.Add(testing::InternalKey("a", 1, 1), "v");
  std::string block = builder.Finish();
  std::vector<BlockInput> blocks = {{block, 0}};
  {
    auto batch = choice->device->Execute(**loaded, blocks);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    EXPECT_EQ(batch->context().matched, 1u);
  }

  // The whole chain: compile for the kernel, fall back to the host, say why.
  auto predicate = bpfgen::CompilePredicate("u8(value, 0) = 118", bpfgen::Schema::Raw());
  ASSERT_TRUE(predicate.ok()) << predicate.status().ToString();
  std::vector<const bpfgen::Expr*> conjuncts;
  for (const auto& c : predicate->conjuncts) conjuncts.push_back(c.get());
  auto chained = CompileAndLoad(registry, "kernel", bpfgen::Schema::Raw(), conjuncts);
  ASSERT_TRUE(chained.ok()) << chained.status().ToString();
  EXPECT_EQ((*chained)->device, &registry.host());
  EXPECT_EQ((*chained)->fallback.reason, Fallback::Reason::kNoBpfPrivilege);
  EXPECT_FALSE((*chained)->bpf.has_value());
  auto run = (*chained)->device->Execute(*(*chained)->program, blocks);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->context().matched, 1u);  // value "v" = 118
  printf("PD_CHILD_CHECKS_RAN\n");
}

TEST(DevicePrivilege, UnprivilegedChildFallsBackToHost) {
  if (getenv(kChildEnv) != nullptr) GTEST_SKIP() << "parent mode only";
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop privileges with setpriv";
  if (access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "setpriv not installed";
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(n, 0);
  self[n] = '\0';
  std::string cmd = std::string("/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups ") +
                    "--inh-caps=-all --bounding-set=-all /usr/bin/env " + kChildEnv + "=1 " + self +
                    " --gtest_filter=DevicePrivilegeChild.* 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[1024];
  size_t got;
  while ((got = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, got);
  int rc = pclose(pipe);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("PD_CHILD_CHECKS_RAN"), std::string::npos) << output;
  EXPECT_NE(output.find("[  PASSED  ] 1 test"), std::string::npos) << output;
}

}  // namespace
}  // namespace pushdown::exec
