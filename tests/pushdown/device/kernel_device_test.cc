#include "pushdown/device/kernel_device.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pushdown/device/block_stager.h"
#include "tests/pushdown/device/no_free_fds.h"

namespace pushdown::exec {
namespace {

namespace abi = bpfgen::abi;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The layout compiled into count_blocks.bpf.c.
abi::ProgramLayout CountBlocksLayout() {
  abi::ProgramLayout l;
  l.mem_size = 65536;
  l.desc_offset = 0;
  l.max_blocks = 16;
  l.block_offset = 1024;
  l.block_capacity = 32768;
  l.max_block_size = 8192;
  l.out_offset = 40000;
  l.out_capacity = 16;
  l.key_arena_offset = 40256;
  l.key_arena_size = 4096;
  l.max_key_size = 512;
  l.private_offset = 60000;
  return l;
}

bpfgen::BpfProgram CountBlocksProgram(const char* object_path) {
  bpfgen::BpfProgram p;
  p.object = ReadFile(object_path);
  p.program_name = "pd_count_blocks";
  p.memory_variable = "pd_test_memory";
  p.layout = CountBlocksLayout();
  return p;
}

class KernelDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!device_.Available().ok()) {
      GTEST_SKIP() << "kernel device unavailable: " << device_.Available().ToString();
    }
  }
  KernelDevice device_;
};

TEST_F(KernelDeviceTest, Caps) {
  EXPECT_EQ(device_.caps().name, "kernel");
  EXPECT_EQ(device_.caps().program_kind, ProgramKind::kBpfObject);
  EXPECT_FALSE(device_.caps().floating_point);
  EXPECT_EQ(device_.probe_errno(), 0);
}

TEST_F(KernelDeviceTest, LoadReportsVerifierStats) {
  bpfgen::BpfProgram program = CountBlocksProgram(PD_COUNT_BLOCKS_OBJ);
  ASSERT_FALSE(program.object.empty());
  ProgramImage image;
  image.bpf = &program;
  auto loaded = device_.Load(image);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const LoadStats& stats = (*loaded)->stats();
  EXPECT_GT(stats.program_id, 0u);
  EXPECT_GT(stats.verified_insns, 0u);
  EXPECT_GT(stats.xlated_size, 0u);
  EXPECT_GT(stats.jited_size, 0u);
  EXPECT_EQ(stats.object_size, program.object.size());
}

TEST_F(KernelDeviceTest, OneLoadThousandBatches) {
  bpfgen::BpfProgram program = CountBlocksProgram(PD_COUNT_BLOCKS_OBJ);
  ProgramImage image;
  image.bpf = &program;
  auto loaded = device_.Load(image);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  LoadedProgram& prog = **loaded;
  const uint32_t id = prog.stats().program_id;
  std::vector<std::string> contents;
  for (int i = 0; i < 16; ++i)
    contents.push_back(std::string(100 + 37 * i, static_cast<char>('a' + i)));
  for (int run = 0; run < 1000; ++run) {
    size_t n = 1 + run % 16;
    std::vector<BlockInput> blocks;
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; ++i) {
      blocks.push_back({contents[(run + i) % 16], 0});
      bytes += contents[(run + i) % 16].size();
    }
    auto batch = device_.Execute(prog, blocks);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    // The kernel read the descriptors we staged through the shared mapping.
    ASSERT_EQ(batch->context().blocks_done, n);
    ASSERT_EQ(batch->context().entries, bytes);
    ASSERT_EQ(batch->blocks().size(), n);
    for (const BlockResult& r : batch->blocks()) {
      ASSERT_EQ(r.status, abi::kBlockOk);
      ASSERT_EQ(r.entries, 1u);  // written by the program into the mapping
    }
  }
  EXPECT_EQ(prog.runs(), 1000u);
  EXPECT_EQ(prog.stats().program_id, id);
}

TEST_F(KernelDeviceTest, ZeroCopyStagingWritesStraightIntoTheMap) {
  bpfgen::BpfProgram program = CountBlocksProgram(PD_COUNT_BLOCKS_OBJ);
  ProgramImage image;
  image.bpf = &program;
  auto loaded = device_.Load(image);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto staged = device_.BeginBatch(**loaded);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  uint64_t bytes = 0;
  for (uint32_t size : {100u, 4000u, 8192u}) {
    auto dst = staged->Append(size, 0);
    ASSERT_TRUE(dst.ok());
    ASSERT_EQ(dst->size(), size);
    std::fill(dst->begin(), dst->end(), uint8_t{0x5a});
    bytes += size;
  }
  auto batch = device_.Execute(std::move(*staged));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->context().blocks_done, 3u);
  EXPECT_EQ(batch->context().entries, bytes);  // the program read our descriptors
}

TEST_F(KernelDeviceTest, StagerBatchesByCapacity) {
  bpfgen::BpfProgram program = CountBlocksProgram(PD_COUNT_BLOCKS_OBJ);
  ProgramImage image;
  image.bpf = &program;
  auto loaded = device_.Load(image);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  std::vector<std::string> contents(40, std::string(4000, 'x'));
  contents[7] = std::string(9000, 'y');  // > max_block_size
  std::vector<BlockInput> blocks;
  for (auto& c : contents) blocks.push_back({c, 0});
  BlockStager stager(&device_, loaded->get());
  size_t too_large = 0, ok = 0;
  ASSERT_TRUE(stager
                  .Run(blocks,
                       [&](size_t, const BlockResult& r, const BatchResult&) {
                         (r.status == abi::kBlockTooLarge ? too_large : ok)++;
                         return Status::OK();
                       })
                  .ok());
  EXPECT_EQ(too_large, 1u);
  EXPECT_EQ(ok, 39u);
  // 32 KiB staging holds 8 blocks of 4000 bytes: ceil(7/8) + ceil(32/8) runs.
  EXPECT_EQ(stager.stats().runs, 5u);
}

TEST_F(KernelDeviceTest, VerifierRejectionKeepsLog) {
  bpfgen::BpfProgram program = CountBlocksProgram(PD_REJECT_OBJ);
  ASSERT_FALSE(program.object.empty());
  ProgramImage image;
  image.bpf = &program;
  Fallback why;
  auto loaded = device_.Load(image, &why);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsNotSupported()) << loaded.status().ToString();
  EXPECT_EQ(loaded.status().message().rfind("verifier rejected pd_count_blocks: ", 0), 0u)
      << loaded.status().message();
  EXPECT_FALSE(device_.last_verifier_log().empty());
  // The reason is typed where the verifier said no; the text is the status's.
  EXPECT_EQ(why.reason, Fallback::Reason::kVerifierRejected);
  EXPECT_EQ(why.detail, loaded.status().message());
}

// A malformed object is a bug, not a fallback: reason kNone.
TEST_F(KernelDeviceTest, GarbageObjectIsInvalidArgument) {
  bpfgen::BpfProgram program = CountBlocksProgram(PD_COUNT_BLOCKS_OBJ);
  program.object = "not an elf file";
  ProgramImage image;
  image.bpf = &program;
  Fallback why{Fallback::Reason::kDeviceUnavailable, "unset"};
  auto loaded = device_.Load(image, &why);
  EXPECT_TRUE(loaded.status().IsInvalidArgument()) << loaded.status().ToString();
  EXPECT_EQ(why.reason, Fallback::Reason::kNone);
  EXPECT_EQ(why.detail, loaded.status().message());

  program = CountBlocksProgram(PD_COUNT_BLOCKS_OBJ);
  program.memory_variable = "no_such_variable";
  loaded = device_.Load(image, &why);
  EXPECT_TRUE(loaded.status().IsInvalidArgument()) << loaded.status().ToString();
  EXPECT_EQ(why.reason, Fallback::Reason::kNone) << why.detail;
  EXPECT_NE(why.detail.find("no_such_variable"), std::string::npos) << why.detail;
}

// Out of descriptors the program's local memory (BPF_MAP_CREATE) cannot be
// made: the device says so with its own reason, typed at the failure.
TEST_F(KernelDeviceTest, LocalMemoryFailureIsTyped) {
  bpfgen::BpfProgram program = CountBlocksProgram(PD_COUNT_BLOCKS_OBJ);
  ASSERT_FALSE(program.object.empty());
  ProgramImage image;
  image.bpf = &program;
  Fallback why;
  Result<std::unique_ptr<LoadedProgram>> loaded = Status::Internal("not run");
  {
    testing::NoFreeFds no_fds;
    ASSERT_TRUE(no_fds.exhausted()) << "could not exhaust descriptors";
    loaded = device_.Load(image, &why);
  }
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(why.reason, Fallback::Reason::kLocalMemoryUnavailable) << why.detail;
  EXPECT_NE(why.detail.find("BPF_MAP_CREATE"), std::string::npos) << why.detail;
  EXPECT_NE(why.detail.find("Too many open files"), std::string::npos) << why.detail;
  // With descriptors back the same image loads.
  EXPECT_TRUE(device_.Load(image).ok());
}

TEST(SummarizeVerifierLog, KeepsLastMeaningfulLines) {
  std::string log =
      "0: R1=ctx() R10=fp0\n; x\n5: (73) *(u8 *)(r1 +0) = r2\n"
      "R1 unbounded memory access, make sure to bounds check any such access\n"
      "processed 7 insns (limit 1000000) max_states_per_insn 0\n";
  EXPECT_EQ(SummarizeVerifierLog(log, 2),
            "5: (73) *(u8 *)(r1 +0) = r2 | R1 unbounded memory access, make sure to bounds check "
            "any such access");
}

}  // namespace
}  // namespace pushdown::exec
