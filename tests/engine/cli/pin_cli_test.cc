// Verified once per system, through the CLI: each `pushdown` below is a
// separate process, so a later one reusing the program an earlier one pinned
// is reuse across processes (pushdown/device/pin_store.h). The pin directory
// is a private bpffs mount, unmounted at the end: no pin outlives the test.
// Asserts the explain / --stats pin flags, never times.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_test_util.h"

namespace pushdown::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const char kQ6[] =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
    "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24";
const char kQ6Aggregates[] = "count(*), sum(l_extendedprice * l_discount)";

class PinCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/pd_pin_cli_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/scratch");
    fs::create_directories(Pins());
    if (mount("bpf", Pins().c_str(), "bpf", 0, "mode=0700") != 0) {
      skip_ = std::string("cannot mount a private bpffs (mount -t bpf): ") + strerror(errno);
      return;
    }
    mounted_ = true;
    RunResult r = RunProcess({Binary(), "load-tpch", "--db", Db(), "--scale", "0.002"}, Scratch());
    load_ok_ = r.exited && r.status == 0;
    load_out_ = r.out + r.err;
  }
  static void TearDownTestSuite() {
    if (mounted_) umount2(Pins().c_str(), MNT_DETACH);
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(load_ok_) << load_out_;
    // Every test starts with no pins.
    RunResult r = Cli({"pins", "--clear"});
    ASSERT_EQ(r.status, 0) << r.err;
  }

  static std::string Binary() { return PD_BINARY_DIR "/bin/pushdown"; }
  static std::string Db() { return dir_ + "/tpch"; }
  static std::string Pins() { return dir_ + "/bpffs"; }
  static std::string Scratch() { return dir_ + "/scratch"; }
  // A pushdown process pinning in the private mount (--pin-dir is a global
  // flag; it turns pinning on although tests run with PUSHDOWN_PIN=off).
  static RunResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {Binary(), "--pin-dir", Pins()});
    return RunProcess(args, Scratch());
  }
  // The explain text of Q6 on the kernel device, or "" with a skip reason.
  static RunResult ExplainQ6(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"explain", "--db", Db(),       "--table", "lineitem",
                                     "--where", kQ6,    "--device", "kernel"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
  static std::string ProgramLine(const std::string& text) {
    for (const std::string& line : SplitLines(text)) {
      if (line.rfind("program:", 0) == 0) return line;
    }
    return "";
  }
  static bool OnKernel(const RunResult& r) {
    return r.out.find("device:    kernel") != std::string::npos;
  }

  static inline std::string dir_;
  static inline std::string skip_;
  static inline bool mounted_ = false;
  static inline bool load_ok_ = false;
  static inline std::string load_out_;
};

TEST_F(PinCliTest, ASecondProcessUsesThePinnedProgram) {
  RunResult first = ExplainQ6();
  ASSERT_EQ(first.status, 0) << first.err;
  if (!OnKernel(first)) GTEST_SKIP() << "kernel device not used:\n" << first.out;
  EXPECT_THAT(ProgramLine(first.out), HasSubstr("program:   compiled"));
  EXPECT_THAT(ProgramLine(first.out), HasSubstr("(verified, pinned in bpffs)"));

  RunResult second = ExplainQ6();
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_THAT(ProgramLine(second.out), HasSubstr("program:   pinned"));
  EXPECT_THAT(ProgramLine(second.out), HasSubstr("(instance reused from bpffs, not verified)"));

  // Scans in further processes: the same flags in --stats, and the rows of
  // the iterator path. An --aggregate scan compiles the aggregates into the
  // program (aggregation on the device), which is another program with its
  // own pin: the first such process creates it, the next reuses it.
  RunResult iter = Cli({"scan", "--db", Db(), "--table", "lineitem", "--where", kQ6, "--aggregate",
                        kQ6Aggregates, "--device", "iterator"});
  ASSERT_EQ(iter.status, 0) << iter.err;
  for (const char* want : {"created", "reused"}) {
    RunResult scan = Cli({"scan", "--db", Db(), "--table", "lineitem", "--where", kQ6,
                          "--aggregate", kQ6Aggregates, "--device", "kernel", "--stats"});
    ASSERT_EQ(scan.status, 0) << scan.err;
    EXPECT_EQ(scan.out, iter.out);
    std::vector<std::string> err = SplitLines(scan.err);
    ASSERT_FALSE(err.empty());
    EXPECT_EQ(JsonStringField(err.back(), "program_pin"), want) << err.back();
    const bool reused = std::string(want) == "reused";
    EXPECT_THAT(err.back(),
                HasSubstr(reused ? "\"program_pinned\":true" : "\"program_pinned\":false"))
        << err.back();
  }

  RunResult listed = Cli({"pins"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("2 pinned programs"));  // Q6, and Q6 with its aggregates
  EXPECT_THAT(listed.out, HasSubstr("keys 1"));
}

TEST_F(PinCliTest, ClearedPinsAreCompiledAgain) {
  RunResult first = ExplainQ6();
  ASSERT_EQ(first.status, 0) << first.err;
  if (!OnKernel(first)) GTEST_SKIP() << "kernel device not used:\n" << first.out;
  RunResult cleared = Cli({"pins", "--clear"});
  ASSERT_EQ(cleared.status, 0) << cleared.err;
  EXPECT_THAT(cleared.out, HasSubstr("removed 1 pinned programs"));
  RunResult listed = Cli({"pins"});
  EXPECT_THAT(listed.out, HasSubstr("0 pinned programs"));
  RunResult again = ExplainQ6();
  EXPECT_THAT(ProgramLine(again.out), HasSubstr("program:   compiled"));
}

TEST_F(PinCliTest, NoPinLoadsAsBeforeAndSaysSo) {
  RunResult off = ExplainQ6({"--no-pin"});
  ASSERT_EQ(off.status, 0) << off.err;
  if (!OnKernel(off)) GTEST_SKIP() << "kernel device not used:\n" << off.out;
  EXPECT_THAT(ProgramLine(off.out), HasSubstr("program:   compiled"));
  EXPECT_THAT(ProgramLine(off.out), HasSubstr("(not pinned: pinning disabled)"));
  RunResult listed = Cli({"pins"});
  EXPECT_THAT(listed.out, HasSubstr("0 pinned programs"));
}

TEST_F(PinCliTest, CompileReportsWhetherTheProgramWasPinnedOrReused) {
  const std::vector<std::string> args = {"compile", "--schema", "lineitem", "--where",
                                         kQ6,       "--device", "kernel"};
  RunResult first = Cli(args);
  ASSERT_EQ(first.status, 0) << first.err;
  if (first.out.find("load: kernel") == std::string::npos) {
    GTEST_SKIP() << "kernel device not used:\n" << first.out;
  }
  EXPECT_THAT(first.out, HasSubstr("  pin: created (compiled, verified and pinned"));
  RunResult second = Cli(args);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("  pin: reused (program and local memory from bpffs"));
  EXPECT_THAT(second.out, Not(HasSubstr("pin: created")));
}

}  // namespace
}  // namespace pushdown::testing
