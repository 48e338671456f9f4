// Installs the rocksdb_pushdown component into a temporary prefix and builds
// tests/engine/plugin/install_consumer against it (find_package(
// RocksdbPushdown)): the plugin headers an embedder needs to register, create
// and cast the FileSystem (engine/plugin/registration.h, pushdown_fs.h and
// their includes) are installed and self-contained. Runs the consumer.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
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

TEST(PluginInstallTest, ConsumerBuildsAgainstInstalledHeadersAndRuns) {
  TempDir prefix("pd_plugin_install");
  TempDir build("pd_plugin_consumer");
  TempDir db("pd_plugin_consumer_db");
  const std::string cmake = PD_CMAKE_COMMAND;
  std::string log;
  ASSERT_EQ(RunShell("'" + cmake +
                         "' --install '" PD_BINARY_DIR "' --component rocksdb_pushdown --prefix '" +
                         prefix.path() + "'",
                     &log),
            0)
      << log;
  for (const char* h : {"engine/plugin/pushdown_fs.h", "engine/plugin/registration.h",
                        "engine/plugin/pushdown_fs_options.h", "engine/plugin/io_stats.h",
                        "engine/plugin/sst_registry.h", "pushdown/device/device_request.h"}) {
    const std::string path = prefix.path() + "/include/rocksdb_pushdown/" + h;
    EXPECT_EQ(::access(path.c_str(), R_OK), 0) << path << " not installed";
  }
  ASSERT_EQ(
      RunShell("'" + cmake + "' -S '" PD_SOURCE_DIR "/tests/engine/plugin/install_consumer' -B '" +
                   build.path() + "' -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH='" +
                   prefix.path() + "'",
               &log),
      0)
      << log;
  ASSERT_EQ(RunShell("'" + cmake + "' --build '" + build.path() + "'", &log), 0) << log;
  std::string out;
  const int rc = RunShell("'" + build.path() + "/plugin_consumer' '" + db.path() + "/db'", &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("plugin_consumer: OK device=host"), std::string::npos) << out;
}

}  // namespace
