// Installs the rocksdb_pushdown component into a temporary prefix, builds
// examples/embed_service against the installed package (find_package(
// RocksdbPushdown)) in a cmake subprocess, runs it, and checks the
// pkg-config file. Builds README.md's ```cpp block(s), as written (each a
// complete program with main()), against the installed package through
// pkg-config, and runs them on a temporary directory.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/engine/api/install_util.h"
#include "tests/support/temp_dir.h"

namespace {

using ::pushdown::testing::InstallPackage;
using ::pushdown::testing::RunShell;
using ::pushdown::testing::TempDir;

TEST(InstallTest, EmbedServiceBuildsAgainstInstalledPackageAndRuns) {
  TempDir prefix("pd_install");
  TempDir build("pd_embed_build");
  TempDir db("pd_embed_db");
  const std::string cmake = PD_CMAKE_COMMAND;
  std::string log;
  ASSERT_EQ(InstallPackage(cmake, prefix.path(), &log), 0) << log;
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

// The bodies of the ```cpp fenced blocks of a Markdown file, in order.
std::vector<std::string> CppBlocks(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> blocks;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line.rfind("```cpp", 0) == 0) {
      inside = true;
      blocks.emplace_back();
    } else if (inside && line.rfind("```", 0) == 0) {
      inside = false;
    } else if (inside) {
      blocks.back() += line + "\n";
    }
  }
  return blocks;
}

TEST(InstallTest, ReadmeCppBlocksBuildAgainstInstalledPackageAndRun) {
  const std::vector<std::string> blocks = CppBlocks(PD_SOURCE_DIR "/README.md");
  ASSERT_FALSE(blocks.empty()) << "no ```cpp block in README.md";
  TempDir prefix("pd_install");
  TempDir work("pd_readme");
  const std::string cmake = PD_CMAKE_COMMAND;
  std::string log;
  ASSERT_EQ(InstallPackage(cmake, prefix.path(), &log), 0) << log;
  const std::string pc = "PKG_CONFIG_PATH='" + prefix.path() + "/lib/pkgconfig' ";
  for (size_t i = 0; i < blocks.size(); ++i) {
    SCOPED_TRACE("README.md ```cpp block " + std::to_string(i + 1));
    EXPECT_NE(blocks[i].find("int main("), std::string::npos) << "not a complete program";
    const std::string src = work.path() + "/block" + std::to_string(i) + ".cc";
    const std::string bin = work.path() + "/block" + std::to_string(i);
    {
      std::ofstream out(src);
      out << blocks[i];
    }
    std::string out;
    ASSERT_EQ(RunShell(pc + "c++ -std=c++20 -o '" + bin + "' '" + src + "' $(" + pc +
                           "pkg-config --cflags --libs rocksdb_pushdown) -Wl,-rpath,'" +
                           prefix.path() + "/lib'",
                       &out),
              0)
        << out;
    const std::string run_dir = work.path() + "/run" + std::to_string(i);
    out.clear();
    EXPECT_EQ(RunShell("mkdir -p '" + run_dir + "' && '" + bin + "' '" + run_dir + "'", &out), 0)
        << out;
    EXPECT_NE(out.find("OK"), std::string::npos) << out;
  }
}

}  // namespace
