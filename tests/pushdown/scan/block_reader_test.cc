// FileBlockReader's read fallbacks: where io_uring is asked for but the read
// buffers cannot be allocated, it reads block by block (pread) and says why in
// ScanStats::io_fallback_reason; when io_uring works, the reason stays empty.
#include "pushdown/scan/block_reader.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "tests/pushdown/sst/test_util.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;

// Virtual memory of this process, in bytes (/proc/self/statm, pages).
size_t VmBytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0;
  int n = fscanf(f, "%lu", &size);
  fclose(f);
  return n == 1 ? size * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

class BlockReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("a.sst");
    pt::SstSpec spec;
    spec.block_size = 4096;
    ASSERT_TRUE(pt::WriteSstWithWriter(path_, spec, testing::MakeOps(3000, 80)).ok());
  }
  // Reads every block; returns how many, or -1 on an error.
  long ReadAll(const BlockSourceOptions& o, ScanStats* stats) {
    auto f = SstFile::Open(path_);
    if (!f.ok()) return -1;
    const long expected = static_cast<long>((*f)->num_data_blocks());
    FileBlockReader reader(std::move(*f), o, stats);
    long n = 0;
    ReadBlock b;
    bool done = false;
    while (true) {
      if (!reader.Next(&b, &done).ok()) return -1;
      if (done) break;
      ++n;
    }
    return n == expected ? n : -2;
  }
  // The death test's child: 0 when every block is read, per block, with the reason.
  int ReadUnderAddressSpaceLimit() {
    const size_t vm = VmBytes();
    if (vm == 0) return 3;
    const rlim_t limit = vm + (64u << 20);
    rlimit r;
    r.rlim_cur = limit;
    r.rlim_max = limit;
    if (setrlimit(RLIMIT_AS, &r) != 0) return 4;
    BlockSourceOptions o;
    o.read_size = 64u << 20;
    ScanStats stats;
    if (ReadAll(o, &stats) <= 0) return 5;
    const std::string want = "pread per block: cannot allocate read buffers";
    return stats.io_fallback_reason.find(want) == std::string::npos ? 6 : 0;
  }
  pt::TempDir dir_;
  std::string path_;
};

TEST_F(BlockReaderTest, IoUringLeavesNoReason) {
  ScanStats stats;
  ASSERT_GT(ReadAll(BlockSourceOptions{}, &stats), 0);
  if (!stats.io_fallback_reason.empty()) {
    EXPECT_EQ(stats.io_fallback_reason.rfind("pread: ", 0), 0u) << stats.io_fallback_reason;
  }
}

// Under an address-space limit that leaves no room for 5 x 64 MiB of read
// buffers, the reader reads block by block instead of failing.
TEST_F(BlockReaderTest, NoMemoryForReadBuffersMeansPreadPerBlockWithTheReason) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(_exit(ReadUnderAddressSpaceLimit()), ::testing::ExitedWithCode(0), "");
}

// Scattered runs (zone-map skips: gaps of 1..3 blocks, one gap wider than a
// span) deliver exactly the runs' blocks, in order, with the contents a pread
// of each block returns, through io_uring spans and through pread alike; the
// gaps' blocks are never delivered nor counted.
TEST_F(BlockReaderTest, ScatteredRunsDeliverExactlyTheirBlocks) {
  auto probe = SstFile::Open(path_);
  ASSERT_TRUE(probe.ok());
  const size_t n = (*probe)->num_data_blocks();
  ASSERT_GT(n, 40u);
  std::vector<BlockRange> runs;
  for (size_t b = 0; b + 2 < n / 2; b += 4) runs.push_back({b, b + 1 + b % 3});
  runs.push_back({n - 3, n});  // after a gap of more than a span
  std::vector<size_t> want;
  for (const BlockRange& r : runs) {
    for (size_t b = r.begin; b < r.end && b < n; ++b) want.push_back(b);
  }
  for (bool io_uring : {true, false}) {
    SCOPED_TRACE(io_uring ? "block source" : "pread");
    auto f = SstFile::Open(path_);
    ASSERT_TRUE(f.ok());
    std::optional<BlockSourceOptions> o;
    if (io_uring) o = BlockSourceOptions();
    ScanStats stats;
    FileBlockReader reader(std::move(*f), runs, o, &stats);
    EXPECT_EQ(reader.blocks_remaining(), want.size());
    std::vector<size_t> got;
    ReadBlock b;
    bool done = false;
    for (;;) {
      ASSERT_TRUE(reader.Next(&b, &done).ok());
      if (done) break;
      got.push_back(b.index);
      auto direct = (*probe)->ReadDataBlock(b.index);
      ASSERT_TRUE(direct.ok());
      ASSERT_EQ(b.contents, std::string_view(direct->data)) << "block " << b.index;
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(stats.blocks_read, want.size());
  }
}

}  // namespace
}  // namespace pushdown::exec
