// The installed package as a C++17 RocksDB service adopts it (issue 15 items
// 1-2). Installs the rocksdb_pushdown component into a temporary prefix once,
// then checks:
//  - every installed public header compiles alone as C++17 and as C++20
//    (-pedantic-errors), the C headers also as C11, and the installed header
//    set is exactly the install list (PD_PUBLIC_HEADERS + version.h);
//  - the .pc file forces no language standard;
//  - a C++17 consumer (cxx17_consumer/) builds through find_package (asking
//    for this version) and through pkg-config, attaches to a DB and scans;
//  - the library is versioned: librocksdb_pushdown.so.X.Y.Z with SONAME
//    librocksdb_pushdown.so.X (readelf -d), the links, the version header and
//    the CMake package version file agree, and consumers record the SONAME;
//  - the installed CLI finds its libraries (RUNPATH) and runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pushdown/version.h"
#include "tests/engine/api/install_util.h"
#include "tests/support/temp_dir.h"

namespace {

using ::pushdown::testing::InstallPackage;
using ::pushdown::testing::RunShell;
using ::pushdown::testing::TempDir;

const std::string kVersion = PUSHDOWN_VERSION_STRING;
const std::string kSoname = "librocksdb_pushdown.so." + std::to_string(PUSHDOWN_VERSION_MAJOR);

std::vector<std::string> Split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The SONAME of an ELF shared object, from `readelf -d`; "" if none.
std::string Soname(const std::string& path) {
  std::string out;
  if (RunShell("readelf -d '" + path + "'", &out) != 0) return "";
  const std::string tag = "Library soname: [";
  size_t at = out.find(tag);
  if (at == std::string::npos) return "";
  at += tag.size();
  return out.substr(at, out.find(']', at) - at);
}

class Cxx17ConsumerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prefix_ = new TempDir("pd_cxx17_install");
    install_rc_ = InstallPackage(PD_CMAKE_COMMAND, prefix_->path(), install_log_);
  }
  static void TearDownTestSuite() {
    delete prefix_;
    prefix_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(install_rc_, 0) << *install_log_; }

  static std::string Prefix() { return prefix_->path(); }
  static std::string IncludeDir() { return Prefix() + "/include/rocksdb_pushdown"; }
  static std::string PkgConfig() {
    return "PKG_CONFIG_PATH='" + Prefix() + "/lib/pkgconfig' pkg-config";
  }

  static TempDir* prefix_;
  static int install_rc_;
  static std::string* install_log_;
};

TempDir* Cxx17ConsumerTest::prefix_ = nullptr;
int Cxx17ConsumerTest::install_rc_ = -1;
std::string* Cxx17ConsumerTest::install_log_ = new std::string();

TEST_F(Cxx17ConsumerTest, InstalledHeadersAreExactlyTheInstallList) {
  std::set<std::string> listed;
  for (const std::string& h : Split(PD_INSTALLED_HEADERS)) listed.insert(h);
  std::set<std::string> installed;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(IncludeDir())) {
    if (entry.is_regular_file()) {
      installed.insert(std::filesystem::relative(entry.path(), IncludeDir()).string());
    }
  }
  EXPECT_EQ(installed, listed);
  EXPECT_TRUE(listed.count("pushdown/version.h"));
}

// Each header alone (its include closure must be installed too), so that a
// C++17 consumer can include any of them first.
TEST_F(Cxx17ConsumerTest, EveryInstalledHeaderCompilesAsCxx17AndCxx20) {
  TempDir work("pd_cxx17_headers");
  const std::vector<std::string> headers = Split(PD_INSTALLED_HEADERS);
  ASSERT_GT(headers.size(), 10u);
  for (const char* std : {"c++17", "c++20"}) {
    for (const std::string& h : headers) {
      std::string out;
      const int rc = RunShell("echo '#include \"" + h + "\"' | c++ -std=" + std +
                                  " -pedantic-errors -Wall -Wextra -Werror -fsyntax-only -I'" +
                                  IncludeDir() + "' -x c++ -",
                              &out);
      EXPECT_EQ(rc, 0) << h << " as " << std << ":\n" << out;
    }
  }
  for (const std::string& h : Split(PD_INSTALLED_C_HEADERS)) {
    std::string out;
    // (A declaration after it: a header of macros alone is an empty C unit.)
    const int rc = RunShell(
        "printf '#include \"" + h +
            "\"\\nint pd_c_header_check;\\n' | cc -std=c11 -pedantic-errors -Wall -Wextra -Werror "
            "-fsyntax-only -I'" +
            IncludeDir() + "' -x c -",
        &out);
    EXPECT_EQ(rc, 0) << h << " as C11:\n" << out;
  }
}

TEST_F(Cxx17ConsumerTest, PkgConfigForcesNoLanguageStandard) {
  std::string flags;
  ASSERT_EQ(RunShell(PkgConfig() + " --cflags --libs rocksdb_pushdown", &flags), 0) << flags;
  EXPECT_EQ(flags.find("-std="), std::string::npos) << flags;
  EXPECT_NE(flags.find("/include/rocksdb_pushdown"), std::string::npos) << flags;
  std::string version;
  ASSERT_EQ(RunShell(PkgConfig() + " --modversion rocksdb_pushdown", &version), 0) << version;
  EXPECT_EQ(version, kVersion + "\n");
}

TEST_F(Cxx17ConsumerTest, FindPackageConsumerBuildsAsCxx17AndScans) {
  TempDir build("pd_cxx17_cmake");
  TempDir db("pd_cxx17_db");
  const std::string cmake = PD_CMAKE_COMMAND;
  std::string log;
  ASSERT_EQ(RunShell("'" + cmake + "' -S '" PD_SOURCE_DIR "/tests/engine/api/cxx17_consumer' -B '" +
                         build.path() + "' -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH='" +
                         Prefix() + "' -DPD_EXPECT_VERSION=" + kVersion,
                     &log),
            0)
      << log;
  ASSERT_EQ(RunShell("'" + cmake + "' --build '" + build.path() + "' --verbose", &log), 0) << log;
  EXPECT_NE(log.find("-std=c++17"), std::string::npos) << log;
  EXPECT_EQ(log.find("-std=c++20"), std::string::npos) << log;
  std::string out;
  EXPECT_EQ(RunShell("'" + build.path() + "/cxx17_consumer' '" + db.path() + "/db'", &out), 0)
      << out;
  EXPECT_NE(out.find("cxx17_consumer: 10 rows path=pushdown"), std::string::npos) << out;
  EXPECT_NE(out.find("cxx17_consumer: OK"), std::string::npos) << out;
  // The consumer depends on the ABI (the SONAME), not on the unversioned link.
  std::string dynamic;
  ASSERT_EQ(RunShell("readelf -d '" + build.path() + "/cxx17_consumer'", &dynamic), 0) << dynamic;
  EXPECT_NE(dynamic.find("Shared library: [" + kSoname + "]"), std::string::npos) << dynamic;

  // A newer major version than installed is refused by the version file.
  TempDir refused("pd_cxx17_refused");
  log.clear();
  EXPECT_NE(
      RunShell("'" + cmake + "' -S '" PD_SOURCE_DIR "/tests/engine/api/cxx17_consumer' -B '" +
                   refused.path() + "' -DCMAKE_PREFIX_PATH='" + Prefix() +
                   "' -DPD_EXPECT_VERSION=" + std::to_string(PUSHDOWN_VERSION_MAJOR + 1) + ".0.0",
               &log),
      0)
      << log;
  EXPECT_NE(log.find("compatible with requested version"), std::string::npos) << log;
}

TEST_F(Cxx17ConsumerTest, PkgConfigConsumerBuildsAsCxx17AndScans) {
  TempDir work("pd_cxx17_pc");
  const std::string bin = work.path() + "/cxx17_consumer";
  std::string out;
  // No rpath: the installed library is found the way an installed system
  // finds it here, through LD_LIBRARY_PATH (or ldconfig's paths).
  ASSERT_EQ(RunShell("c++ -std=c++17 -o '" + bin +
                         "' '" PD_SOURCE_DIR "/tests/engine/api/cxx17_consumer/main.cc' $(" +
                         PkgConfig() + " --cflags --libs rocksdb_pushdown)",
                     &out),
            0)
      << out;
  out.clear();
  EXPECT_EQ(
      RunShell("LD_LIBRARY_PATH='" + Prefix() + "/lib' '" + bin + "' '" + work.path() + "/db'",
               &out),
      0)
      << out;
  EXPECT_NE(out.find("cxx17_consumer: 10 rows path=pushdown"), std::string::npos) << out;
  EXPECT_NE(out.find("version=" + kVersion), std::string::npos) << out;
}

// readelf -d shows the SONAME, in the build tree and installed; the file
// names are the versioned chain .so -> .so.X -> .so.X.Y.Z.
TEST_F(Cxx17ConsumerTest, LibraryIsVersionedWithSoname) {
  for (const std::string& dir : {std::string(PD_BINARY_DIR "/lib"), Prefix() + "/lib"}) {
    SCOPED_TRACE(dir);
    const std::string real = dir + "/librocksdb_pushdown.so." + kVersion;
    ASSERT_TRUE(std::filesystem::is_regular_file(real)) << real;
    ASSERT_FALSE(std::filesystem::is_symlink(real)) << real;
    EXPECT_EQ(Soname(real), kSoname);
    EXPECT_TRUE(std::filesystem::is_symlink(dir + "/" + kSoname));
    EXPECT_EQ(std::filesystem::read_symlink(dir + "/" + kSoname).string(),
              "librocksdb_pushdown.so." + kVersion);
    EXPECT_TRUE(std::filesystem::is_symlink(dir + "/librocksdb_pushdown.so"));
    EXPECT_EQ(std::filesystem::read_symlink(dir + "/librocksdb_pushdown.so").string(), kSoname);
  }
  // The CMake package version file carries the same version.
  std::ifstream in(Prefix() + "/lib/cmake/RocksdbPushdown/RocksdbPushdownConfigVersion.cmake");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("set(PACKAGE_VERSION \"" + kVersion + "\")"), std::string::npos)
      << text.str();
}

// The installed CLI: RUNPATH $ORIGIN/../lib plus the link directories it
// needs (LLVM's), every library resolved, and it runs.
TEST_F(Cxx17ConsumerTest, InstalledCliFindsItsLibraries) {
  const std::string cli = Prefix() + "/bin/pushdown";
  ASSERT_TRUE(std::filesystem::exists(cli)) << cli;
  std::string dynamic;
  ASSERT_EQ(RunShell("readelf -d '" + cli + "'", &dynamic), 0) << dynamic;
  EXPECT_NE(dynamic.find("$ORIGIN/../lib"), std::string::npos) << dynamic;
  EXPECT_EQ(dynamic.find(PD_BINARY_DIR), std::string::npos) << "build-tree RUNPATH: " << dynamic;
  std::string ldd;
  ASSERT_EQ(RunShell("env -u LD_LIBRARY_PATH ldd '" + cli + "'", &ldd), 0) << ldd;
  EXPECT_EQ(ldd.find("not found"), std::string::npos) << ldd;
  std::string out;
  EXPECT_EQ(RunShell("env -u LD_LIBRARY_PATH '" + cli + "' --help", &out), 0) << out;
  EXPECT_NE(out.find("scan"), std::string::npos) << out;
}

}  // namespace
