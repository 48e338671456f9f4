// A live writer: one process writes keys u64be(0), u64be(1), ... in order (a
// Put per key, small write buffer: flushes and compactions all along), while
// 100 `pushdown scan` runs read the same DB. Each scan that exits 0 must
// print a gap-free prefix 0..n-1 with the writer's values; a scan that fails
// must exit non-zero with a message on stderr. Never wrong rows with exit 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "cli_test_util.h"
#include "tests/support/temp_dir.h"

namespace pushdown::testing {
namespace {

namespace fs = std::filesystem;

std::string Value(uint64_t i) {
  std::string v = "v" + std::to_string(i);
  v.resize(48, '.');
  return v;
}

// The writer process, stopped (SIGTERM) and reaped when destroyed.
class WriterProcess {
 public:
  WriterProcess(const std::vector<std::string>& argv, const std::string& scratch)
      : pid_(SpawnProcess(argv, scratch + "/writer.out", scratch + "/writer.err")) {}
  ~WriterProcess() { Stop(); }
  pid_t pid() const { return pid_; }
  RunResult Stop() {
    RunResult r;
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      WaitProcess(pid_, &r);
      pid_ = -1;
    }
    return r;
  }

 private:
  pid_t pid_;
};

TEST(LiveWriterTest, HundredScansOfALiveDbEachSeeAGapFreePrefix) {
  TempDir dir("pd_live_writer");
  const std::string scratch = dir.path() + "/scratch";
  fs::create_directories(scratch);
  const std::string db = dir.path() + "/db";
  // At most 10,000 keys/s (a 10 ms pause per 100 keys) and 100,000 keys in
  // all, so that 100 full scans stay cheap while the DB keeps changing under
  // most of them (flushes and compactions included).
  WriterProcess writer({PD_BINARY_DIR "/tests/stock_db_writer", "live", db, "100000", "10000"},
                       scratch);
  ASSERT_GT(writer.pid(), 0);
  // Wait (no time bound: the writer exits on failure) until 1000 keys exist.
  while (!fs::exists(db + ".ready")) {
    int st = 0;
    ASSERT_EQ(::waitpid(writer.pid(), &st, WNOHANG), 0)
        << "the writer exited: " << ReadWholeFile(scratch + "/writer.err");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  int ok_scans = 0, failed_scans = 0;
  uint64_t first_n = 0, last_n = 0;
  std::vector<std::string> failures;
  const char* devices[] = {"auto", "host", "iterator"};
  for (int scan = 0; scan < 100; ++scan) {
    const std::string device = devices[scan % 3];
    RunResult r = RunProcess({PD_BINARY_DIR "/bin/pushdown", "scan", "--db", db, "--hex", "--where",
                              "length(key) = 8", "--device", device},
                             scratch);
    ASSERT_TRUE(r.exited) << "scan " << scan << " (" << device << "): signal " << r.status
                          << ", stderr: " << r.err;
    if (r.status != 0) {
      // Allowed, with a clear message; never a crash or silent rows.
      ++failed_scans;
      EXPECT_FALSE(r.err.empty()) << "scan " << scan << " exited " << r.status << " silently";
      failures.push_back(std::to_string(r.status) + ": " + r.err);
      continue;
    }
    const std::vector<std::string> lines = SplitLines(r.out);
    uint64_t n = 0;
    for (const std::string& line : lines) {
      auto kv = ParseLdbLine(line);
      ASSERT_TRUE(kv.has_value()) << "scan " << scan << ": bad line " << line;
      ASSERT_EQ(kv->first.size(), 8u) << "scan " << scan << ": " << line;
      ASSERT_EQ(BigEndian64(kv->first, 0), n)
          << "scan " << scan << " (" << device << "): a gap after key " << n << " of "
          << lines.size();
      ASSERT_EQ(kv->second, Value(n)) << "scan " << scan << ": key " << n;
      ++n;
    }
    EXPECT_GE(n, 1000u) << "scan " << scan;
    if (ok_scans == 0) first_n = n;
    last_n = n;
    ++ok_scans;
  }
  RunResult w = writer.Stop();
  EXPECT_TRUE(w.exited && w.status == 0)
      << "writer: " << w.status << " " << ReadWholeFile(scratch + "/writer.err");
  std::printf("live writer: %d scans exit 0 (prefixes %llu .. %llu keys), %d failed\n", ok_scans,
              static_cast<unsigned long long>(first_n), static_cast<unsigned long long>(last_n),
              failed_scans);
  for (const std::string& f : failures) std::printf("  failed: %s", f.c_str());
  RecordProperty("ok_scans", ok_scans);
  RecordProperty("failed_scans", failed_scans);
  // The point of the test is the live DB: the writer made progress while we
  // scanned, and most scans succeeded.
  EXPECT_GT(last_n, first_n);
  EXPECT_GT(ok_scans, 0);
}

}  // namespace
}  // namespace pushdown::testing
