// Integration ("done when"): the shared library loads into stock RocksDB tools.
//  - dlopen registers the factories (static initializer) and exports the
//    registration symbols;
//  - stock db_bench with LD_PRELOAD=librocksdb_pushdown.so --fs_uri=pushdown://
//    runs fillrandom, readrandom, multireadrandom, readseq and compact;
//  - ldb checkconsistency and sst_dump --command=verify pass on the result, with
//    and without the plugin, and ldb scans agree.
// Skips (with the reason) where /usr/bin/db_bench, ldb or sst_dump are missing.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "rocksdb/convenience.h"
#include "rocksdb/file_system.h"
#include "rocksdb/utilities/object_registry.h"
#include "temp_dir.h"

namespace pushdown::engine {
namespace {

using testing::TempDir;

// The library by its SONAME (librocksdb_pushdown.so.X), the name an
// installed system loads.
const std::string kPlugin = PD_PLUGIN_SO;
const std::string kDbBench = "/usr/bin/db_bench";
const std::string kLdb = "/usr/bin/ldb";
const std::string kSstDump = "/usr/bin/sst_dump";

struct RunResult {
  bool ok = false;  // exited normally with status 0
  std::string status;
  std::string output;  // stdout + stderr
};

// Runs `command` through /bin/sh, capturing its output in `scratch_dir`.
RunResult RunShell(const std::string& command, const std::string& scratch_dir) {
  std::string out_path = scratch_dir + "/cmd.out";
  int raw = std::system((command + " > " + out_path + " 2>&1").c_str());
  RunResult result;
  if (raw != -1 && WIFEXITED(raw)) {
    int code = WEXITSTATUS(raw);
    result.ok = code == 0;
    result.status = "exit " + std::to_string(code);
  } else if (raw != -1 && WIFSIGNALED(raw)) {
    result.status = "signal " + std::to_string(WTERMSIG(raw));
  } else {
    result.status = "system() failed";
  }
  std::ifstream in(out_path);
  std::stringstream buf;
  buf << in.rdbuf();
  result.output = buf.str();
  return result;
}

// True when this build is instrumented with AddressSanitizer (GCC or clang);
// the plugin .so is then instrumented too (same build flags).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsanBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsanBuild = true;
#else
constexpr bool kAsanBuild = false;
#endif
#else
constexpr bool kAsanBuild = false;
#endif

// The shared sanitizer runtimes this test process runs with ("" when not a
// sanitizer build or when they are linked statically), space-separated. An
// instrumented plugin preloaded into the uninstrumented stock tools needs them
// first in LD_PRELOAD, or the tool crashes while loading the plugin.
std::string SanitizerRuntimes() {
  std::string libs;
  for (const char* symbol : {"__asan_init", "__ubsan_handle_add_overflow"}) {
    void* addr = ::dlsym(RTLD_DEFAULT, symbol);
    Dl_info info;
    if (addr != nullptr && ::dladdr(addr, &info) != 0 && info.dli_fname != nullptr) {
      std::string file = info.dli_fname;
      if (file.find("libasan") != std::string::npos || file.find("libubsan") != std::string::npos) {
        libs += file + " ";
      }
    }
  }
  return libs;
}

// The environment that loads the plugin into a stock tool. With sanitizer
// runtimes, leak checking is off in the tool: stock db_bench/ldb exit with
// RocksDB's block cache still allocated (not the plugin's memory).
std::string PreloadEnv() {
  std::string runtimes = SanitizerRuntimes();
  std::string env = "LD_PRELOAD='" + runtimes + kPlugin + "' ";
  return runtimes.empty() ? env : "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 " + env;
}

std::string Preload() { return "PUSHDOWN_FS_STATS=1 " + PreloadEnv(); }

// The value of `name=<n>` in the "pushdown fs stats:" line, or -1.
long StatValue(const std::string& output, const std::string& name) {
  std::smatch m;
  std::regex re("pushdown fs stats:.*\\b" + name + "=([0-9]+)");
  if (!std::regex_search(output, m, re)) {
    return -1;
  }
  return std::stol(m[1].str());
}

std::vector<std::string> SstFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") {
      files.push_back(entry.path().string());
    }
  }
  return files;
}

TEST(PluginLibrary, DlopenRegistersFactoriesAndExportsSymbols) {
  ASSERT_TRUE(std::filesystem::exists(kPlugin)) << kPlugin;
  // This test binary never links the plugin code: only the .so can register.
  EXPECT_EQ(rocksdb::ObjectLibrary::Default()->FindFactory<rocksdb::FileSystem>("pushdown://"),
            nullptr);
  void* lib = ::dlopen(kPlugin.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << ::dlerror();
  EXPECT_NE(::dlsym(lib, "register_PushdownObjects"), nullptr);
  auto registered = reinterpret_cast<int (*)()>(::dlsym(lib, "pushdown_plugin_registered"));
  ASSERT_NE(registered, nullptr);
  EXPECT_GE(registered(), 2);
  EXPECT_NE(rocksdb::ObjectLibrary::Default()->FindFactory<rocksdb::FileSystem>("pushdown://"),
            nullptr);
  EXPECT_NE(rocksdb::ObjectLibrary::Default()->FindFactory<rocksdb::FileSystem>("pushdown"),
            nullptr);

  std::shared_ptr<rocksdb::FileSystem> fs;
  rocksdb::ConfigOptions config;
  rocksdb::Status s =
      rocksdb::FileSystem::CreateFromString(config, "pushdown://device=kernel", &fs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_STREQ(fs->Name(), "PushdownFileSystem");
  fs.reset();
  std::shared_ptr<rocksdb::FileSystem> fs2;
  s = rocksdb::FileSystem::CreateFromString(config, "id=pushdown;device=host", &fs2);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_STREQ(fs2->Name(), "PushdownFileSystem");
  // The library stays loaded: its factories are in the process-wide library.
}

class StockToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& tool : {kDbBench, kLdb, kSstDump}) {
      if (::access(tool.c_str(), X_OK) != 0) {
        GTEST_SKIP() << tool << " is missing (Debian package rocksdb-tools)";
      }
    }
    ASSERT_TRUE(std::filesystem::exists(kPlugin)) << kPlugin;
    ASSERT_TRUE(dir_.ok());
    db_ = dir_.path() + "/db";
  }

  TempDir dir_;
  std::string db_;
};

TEST_F(StockToolsTest, DbBenchLdbSstDumpThroughPlugin) {
  if (kAsanBuild && SanitizerRuntimes().find("libasan") == std::string::npos) {
    GTEST_SKIP() << "sanitizer build with a static ASan runtime: the instrumented plugin "
                    "cannot be preloaded into the uninstrumented stock tools";
  }
  // A small write buffer so the reads below hit SST files, a small block
  // cache so they reach the file system, batched MultiGet for MultiRead.
  std::string bench = Preload() + kDbBench + " --fs_uri=pushdown:// --db=" + db_ +
                      " --benchmarks=fillrandom,readrandom,multireadrandom,readseq,compact"
                      " --num=20000 --write_buffer_size=131072 --cache_size=65536"
                      " --batch_size=16 --multiread_batched=true --threads=1";
  RunResult r = RunShell(bench, dir_.path());
  ASSERT_TRUE(r.ok) << r.status << "\n" << r.output;
  for (const char* name : {"fillrandom", "readrandom", "multireadrandom", "readseq", "compact"}) {
    EXPECT_TRUE(std::regex_search(r.output, std::regex(std::string("\\n") + name + "\\s+:")))
        << name << " missing:\n"
        << r.output;
  }
  EXPECT_GT(StatValue(r.output, "sst_opens"), 0) << r.output;
  EXPECT_GT(StatValue(r.output, "multiread_calls"), 0) << r.output;
  EXPECT_GT(StatValue(r.output, "uring_reads"), 0) << r.output;
  std::vector<std::string> ssts = SstFiles(db_);
  ASSERT_FALSE(ssts.empty());

  // ldb takes --fs_uri; with and without the plugin.
  r = RunShell(Preload() + kLdb + " --fs_uri=pushdown:// --db=" + db_ + " checkconsistency",
               dir_.path());
  ASSERT_TRUE(r.ok) << r.status << "\n" << r.output;
  EXPECT_NE(r.output.find("OK"), std::string::npos) << r.output;
  EXPECT_GE(StatValue(r.output, "sst_opens"), 0) << "plugin not used:\n" << r.output;
  r = RunShell(kLdb + " --db=" + db_ + " checkconsistency", dir_.path());
  ASSERT_TRUE(r.ok) << r.status << "\n" << r.output;
  EXPECT_NE(r.output.find("OK"), std::string::npos) << r.output;

  // sst_dump also takes --fs_uri; every file must verify.
  for (bool plugin : {true, false}) {
    std::string cmd = plugin ? Preload() + kSstDump + " --fs_uri=pushdown://" : kSstDump;
    r = RunShell(cmd + " --file=" + db_ + " --command=verify", dir_.path());
    ASSERT_TRUE(r.ok) << r.status << "\n" << r.output;
    size_t ok_count = 0;
    for (size_t pos = 0; (pos = r.output.find("The file is ok", pos)) != std::string::npos; ++pos) {
      ++ok_count;
    }
    EXPECT_EQ(ok_count, ssts.size()) << r.output;
    EXPECT_EQ(r.output.find("Corruption"), std::string::npos) << r.output;
    if (plugin) {
      EXPECT_GT(StatValue(r.output, "sst_opens"), 0) << r.output;
    }
  }

  // The same data through either path (no stats line: stderr would interleave).
  RunResult with = RunShell(
      PreloadEnv() + kLdb + " --fs_uri=pushdown:// --db=" + db_ + " --hex scan", dir_.path());
  RunResult without = RunShell(kLdb + " --db=" + db_ + " --hex scan", dir_.path());
  ASSERT_TRUE(with.ok) << with.output;
  ASSERT_TRUE(without.ok) << without.output;
  EXPECT_GT(with.output.size(), 1000u);
  EXPECT_TRUE(with.output == without.output) << "ldb scan differs with the plugin";
}

TEST_F(StockToolsTest, UnregisteredUriFailsWithoutThePlugin) {
  // What a registration failure looks like: stock db_bench does not run
  // (RocksDB 7.8 crashes on an unmatched --fs_uri). This is why the test
  // above must see the benchmarks' output lines and the plugin's stats.
  RunResult r = RunShell(
      kDbBench + " --fs_uri=pushdown:// --db=" + db_ + " --benchmarks=fillrandom --num=100",
      dir_.path());
  EXPECT_FALSE(r.ok) << r.output;
  EXPECT_EQ(r.output.find("fillrandom   :"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pushdown::engine
