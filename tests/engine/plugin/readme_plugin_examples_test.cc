// README.md's "Loading the plugin into stock RocksDB tools" commands, run as
// written: the ```sh block between <!-- plugin-examples-begin ... --> and
// <!-- plugin-examples-end -->, with three substitutions only (a tiny --num,
// this test's --db directory, and the plugin path of this build tree). Checks
// that each stock db_bench run reaches the plugin's io_uring path
// (PUSHDOWN_FS_STATS: uring_reads > 0, MultiRead for the first, ReadAsync for
// the second) and that ldb succeeds through the plugin; then, as a control,
// that the same commands without --multiread_batched=true and --async_io=true
// show uring_reads=0 (what the README says).
// Skips, with the reason, where io_uring or O_DIRECT is unavailable (probed
// here), where the stock tools (Debian's rocksdb-tools) are missing, and in
// sanitizer builds (the uninstrumented tools cannot preload an instrumented
// plugin without its runtime; stock_tools_test covers that case).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <liburing.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

using pushdown::testing::TempDir;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif
#else
constexpr bool kSanitizerBuild = false;
#endif

// The lines strictly between the begin and end markers' ```sh fences ("" when
// the markers or the fence are missing).
std::string ExampleBlock(const std::string& readme) {
  std::ifstream in(readme);
  std::string line, block;
  enum { kBefore, kMarked, kInside, kDone } state = kBefore;
  while (state != kDone && std::getline(in, line)) {
    if (state == kBefore && line.rfind("<!-- plugin-examples-begin", 0) == 0) {
      state = kMarked;
    } else if (state == kMarked && line.rfind("```sh", 0) == 0) {
      state = kInside;
    } else if (state == kInside && line.rfind("```", 0) == 0) {
      state = kDone;
    } else if (state == kInside) {
      block += line + "\n";
    } else if (state == kMarked && line.rfind("<!-- plugin-examples-end", 0) == 0) {
      break;
    }
  }
  return state == kDone ? block : "";
}

// Replaces every `from` in *s by `to`; returns how many.
int ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  int n = 0;
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size())) {
    s->replace(at, from.size(), to);
    ++n;
  }
  return n;
}

// The reason io_uring cannot be used here, or "" when a ring initializes.
std::string UringUnavailable() {
  io_uring ring;
  const int rc = io_uring_queue_init(4, &ring, 0);
  if (rc < 0) return std::string("io_uring_queue_init: ") + std::strerror(-rc);
  io_uring_queue_exit(&ring);
  return "";
}

// The reason O_DIRECT does not work in `dir` (the examples use
// --use_direct_reads=true), or "".
std::string DirectIoUnavailable(const std::string& dir) {
  const std::string path = dir + "/odirect_probe";
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_DIRECT | O_CLOEXEC, 0600);
  if (fd < 0) return "open(O_DIRECT) in " + dir + ": " + std::strerror(errno);
  ::close(fd);
  ::unlink(path.c_str());
  return "";
}

// `name=<n>` of every "pushdown fs stats:" line of `output`, in order.
std::vector<long> Stats(const std::string& output, const std::string& name) {
  std::vector<long> v;
  const std::regex re("pushdown fs stats:.*\\b" + name + "=([0-9]+)");
  for (auto it = std::sregex_iterator(output.begin(), output.end(), re);
       it != std::sregex_iterator(); ++it) {
    v.push_back(std::stol((*it)[1].str()));
  }
  return v;
}

// Runs `script` under `sh` with `set -e` (files at `base`.sh/.out); true when
// it exits 0. *out: its stdout and stderr.
bool RunScript(const std::string& script, const std::string& base, std::string* out) {
  {
    std::ofstream f(base + ".sh");
    f << "set -e\n" << script;
  }
  const int raw = std::system(("sh '" + base + ".sh' > '" + base + ".out' 2>&1").c_str());
  std::stringstream buf;
  buf << std::ifstream(base + ".out").rdbuf();
  *out = buf.str();
  return raw != -1 && WIFEXITED(raw) && WEXITSTATUS(raw) == 0;
}

TEST(ReadmePluginExamples, RunAsWrittenAndReachIoUring) {
  if (kSanitizerBuild) GTEST_SKIP() << "sanitizer build: stock_tools_test preloads the runtimes";
  for (const char* tool : {"/usr/bin/db_bench", "/usr/bin/ldb"}) {
    if (!std::filesystem::exists(tool)) {
      GTEST_SKIP() << tool << " missing (Debian's rocksdb-tools, scripts/install_deps.sh)";
    }
  }
  if (const std::string why = UringUnavailable(); !why.empty()) {
    GTEST_SKIP() << "io_uring unavailable: " << why;
  }
  TempDir work("pd_readme_plugin");
  if (const std::string why = DirectIoUnavailable(work.path()); !why.empty()) {
    GTEST_SKIP() << "O_DIRECT unavailable: " << why;
  }

  std::string script = ExampleBlock(PD_SOURCE_DIR "/README.md");
  ASSERT_FALSE(script.empty()) << "no ```sh block between the plugin-examples markers";
  // The only changes: a tiny DB, this test's directory, this build's plugin.
  EXPECT_EQ(ReplaceAll(&script, "--num=1000000", "--num=2000"), 2) << script;
  EXPECT_EQ(ReplaceAll(&script, "/tmp/pushdown_demo", work.File("db")), 3) << script;
  EXPECT_EQ(ReplaceAll(&script, "build/lib/librocksdb_pushdown.so",
                       PD_BINARY_DIR "/lib/librocksdb_pushdown.so"),
            3)
      << script;
  std::string out;
  ASSERT_TRUE(RunScript(script, work.File("examples"), &out)) << script << "\n" << out;

  // One counters line per tool run: db_bench (MultiRead), db_bench (scans), ldb.
  const std::vector<long> uring = Stats(out, "uring_reads");
  const std::vector<long> multiread = Stats(out, "multiread_calls");
  const std::vector<long> async = Stats(out, "async_reads");
  const std::vector<long> fallback = Stats(out, "fallback_reads");
  ASSERT_EQ(uring.size(), 3u) << out;
  ASSERT_EQ(multiread.size(), 3u) << out;
  ASSERT_EQ(async.size(), 3u) << out;
  EXPECT_GT(uring[0], 0) << "multireadrandom did not reach io_uring:\n" << out;
  EXPECT_GT(multiread[0], 0) << out;
  EXPECT_GT(uring[1], 0) << "the async_io scans did not reach io_uring:\n" << out;
  EXPECT_GT(async[1], 0) << out;
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(fallback[i], 0) << out;
  EXPECT_NE(out.find("multireadrandom :"), std::string::npos) << out;
  EXPECT_NE(out.find("seekrandom   :"), std::string::npos) << out;
  EXPECT_NE(out.find("\nOK\n"), std::string::npos) << "ldb checkconsistency:\n" << out;

  // The README's claim, as a control: without the two flags nothing reaches io_uring.
  EXPECT_EQ(ReplaceAll(&script, "--multiread_batched=true", ""), 1);
  EXPECT_EQ(ReplaceAll(&script, "--async_io=true", ""), 1);
  ASSERT_TRUE(RunScript(script, work.File("control"), &out)) << script << "\n" << out;
  const std::vector<long> control = Stats(out, "uring_reads");
  ASSERT_EQ(control.size(), 3u) << out;
  for (long n : control) EXPECT_EQ(n, 0) << out;
}

}  // namespace
}  // namespace pushdown::engine
