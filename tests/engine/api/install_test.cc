// Installs the rocksdb_pushdown component into a temporary prefix, builds
// examples/embed_service against the installed package (find_package(
// RocksdbPushdown)) in a cmake subprocess, runs it, and checks the
// pkg-config file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/support/temp_dir.h"

namespace {

using ::pushdown::testing::TempDir;

// Runs a shell command; returns its exit status and appends its output.
int RunShell(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  const int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(InstallTest, EmbedServiceBuildsAgainstInstalledPackageAndRuns) {
  TempDir prefix("pd_install");
  TempDir build("pd_embed_build");
  TempDir db("pd_embed_db");
  const std::string cmake = PD_CMAKE_COMMAND;
  std::string log;
  ASSERT_EQ(RunShell("'" + cmake +
                         "' --install '" PD_BINARY_DIR "' --component rocksdb_pushdown --prefix '" +
                         prefix.path() + "'",
                     &log),
            0)
      << log;
  ASSERT_EQ(
      RunShell("'" + cmake + "' -S '" PD_SOURCE_DIR "/examples/embed_service' -B '" + build.path() +
                   "' -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH='" + prefix.path() + "'",
               &log),
      0)
      << log;
  ASSERT_EQ(RunShell("'" + cmake + "' --build '" + build.path() + "'", &log), 0) << log;
  std::string out;
  const int rc =
      RunShell("'" + build.path() + "/embed_service' '" + db.path() + "/db' --seconds 2", &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("embed_service: OK"), std::string::npos) << out;
  EXPECT_NE(out.find("host     path=pushdown device=host"), std::string::npos) << out;

  std::string flags;
  ASSERT_EQ(RunShell("PKG_CONFIG_PATH='" + prefix.path() +
                         "/lib/pkgconfig' pkg-config --cflags --libs rocksdb_pushdown",
                     &flags),
            0)
      << flags;
  EXPECT_NE(flags.find("/include/rocksdb_pushdown"), std::string::npos) << flags;
  EXPECT_NE(flags.find("-lrocksdb_pushdown"), std::string::npos) << flags;
  EXPECT_NE(flags.find("-lrocksdb"), std::string::npos) << flags;
}

}  // namespace
