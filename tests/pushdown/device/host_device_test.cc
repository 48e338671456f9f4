#include "pushdown/device/host_device.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pushdown/device/block_stager.h"
#include "tests/pushdown/device/block_builder.h"
#include "tests/pushdown/device/test_filter.h"

namespace pushdown::exec {
namespace {

namespace abi = bpfgen::abi;
using testing::InternalKey;
using testing::SmallLayout;
using testing::TestBlockBuilder;
using testing::TestNativeProgram;

// Block b holds keys "k<b>-<i>", value "v<i>"; every 3rd entry is a tombstone.
std::string MakeBlock(int b, int n) {
  TestBlockBuilder builder(4);
  for (int i = 0; i < n; ++i) {
    char key[32];
    snprintf(key, sizeof(key), "k%03d-%04d", b, i);
    uint8_t type = i % 3 == 2 ? 0 : 1;
    builder.Add(InternalKey(key, 100 + i, type), type == 1 ? "v" + std::to_string(i) : "");
  }
  return builder.Finish();
}

bool EvenValue(std::string_view v) { return !v.empty() && (v.back() - '0') % 2 == 0; }

std::unique_ptr<LoadedProgram> LoadTest(HostDevice& device, const abi::ProgramLayout& layout) {
  ProgramImage image;
  image.native = std::make_shared<TestNativeProgram>(layout, EvenValue);
  auto loaded = device.Load(image);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return std::move(loaded).value();
}

TEST(HostDevice, CapsAndAvailability) {
  HostDevice device;
  EXPECT_EQ(device.caps().name, "host");
  EXPECT_EQ(device.caps().program_kind, ProgramKind::kNative);
  EXPECT_TRUE(device.caps().floating_point);
  EXPECT_TRUE(device.Available().ok());
}

TEST(HostDevice, LoadRejectsBpfImage) {
  HostDevice device;
  ProgramImage image;
  auto loaded = device.Load(image);
  EXPECT_TRUE(loaded.status().IsInvalidArgument());
}

TEST(HostDevice, ExecuteClassifiesEntries) {
  HostDevice device;
  auto program = LoadTest(device, SmallLayout(4, 1 << 16, 1 << 14, 1024, 1 << 16));
  std::string b0 = MakeBlock(0, 30), b1 = MakeBlock(1, 30);
  std::vector<BlockInput> blocks = {{b0, 0}, {b1, abi::kEmitShadows}};
  auto batch = device.Execute(*program, blocks);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->blocks().size(), 2u);
  for (int b = 0; b < 2; ++b) {
    const BlockResult& r = batch->blocks()[b];
    EXPECT_EQ(r.status, abi::kBlockOk);
    EXPECT_EQ(r.entries, 30u);
    int matched = 0, shadows = 0, tombstones = 0;
    for (const abi::OutRecord& rec : r.records) {
      OutEntry e = batch->Entry(rec);
      ASSERT_GE(e.InternalKey().size(), 8u);
      if (e.entry_class == abi::kMatched) {
        EXPECT_TRUE(EvenValue(e.value));
        ++matched;
      } else if (e.entry_class == abi::kShadow) {
        ++shadows;
      } else {
        ++tombstones;
      }
    }
    EXPECT_EQ(tombstones, 10);
    EXPECT_EQ(shadows, b == 1 ? 20 - matched : 0);
    EXPECT_GT(matched, 0);
  }
  EXPECT_EQ(batch->context().entries, 60u);
  EXPECT_EQ(program->runs(), 1u);
}

TEST(HostDevice, ExecuteRejectsOversizedBatch) {
  HostDevice device;
  auto program = LoadTest(device, SmallLayout(2, 1 << 12, 1 << 11, 64, 4096));
  std::string big(3000, 'x');
  std::vector<BlockInput> one_big = {{big, 0}};
  EXPECT_TRUE(device.Execute(*program, one_big).status().IsInvalidArgument());
  std::string small = MakeBlock(0, 2);
  std::vector<BlockInput> three = {{small, 0}, {small, 0}, {small, 0}};
  EXPECT_TRUE(device.Execute(*program, three).status().IsInvalidArgument());
}

TEST(HostDevice, SameThreadExecuteWhileHoldingResultFails) {
  HostDevice device;
  auto program = LoadTest(device, SmallLayout(2, 1 << 14, 1 << 13, 64, 4096));
  std::string b = MakeBlock(0, 4);
  std::vector<BlockInput> blocks = {{b, 0}};
  auto first = device.Execute(*program, blocks);
  ASSERT_TRUE(first.ok());
  auto second = device.Execute(*program, blocks);
  EXPECT_EQ(second.status().code(), Status::Code::kInternal);
  first = BatchResult();  // released
  EXPECT_TRUE(device.Execute(*program, blocks).ok());
}

TEST(HostDevice, OtherThreadWaitsForResultRelease) {
  HostDevice device;
  auto program = LoadTest(device, SmallLayout(2, 1 << 14, 1 << 13, 64, 4096));
  std::string b = MakeBlock(0, 4);
  std::vector<BlockInput> blocks = {{b, 0}};
  auto first = device.Execute(*program, blocks);
  ASSERT_TRUE(first.ok());
  std::string key0(first->Entry(first->blocks()[0].records[0]).InternalKey());
  std::atomic<bool> done{false};
  std::thread other([&] {
    auto r = device.Execute(*program, blocks);
    EXPECT_TRUE(r.ok());
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(done.load());
  // Our views are intact while we hold the result.
  EXPECT_EQ(first->Entry(first->blocks()[0].records[0]).InternalKey(), key0);
  first = BatchResult();
  other.join();
  EXPECT_TRUE(done.load());
}

TEST(HostDevice, ZeroCopyStagingMatchesCopyingExecute) {
  HostDevice device;
  auto program = LoadTest(device, SmallLayout(3, 1 << 14, 1 << 13, 1024, 1 << 16));
  std::string b0 = MakeBlock(0, 20), b1 = MakeBlock(1, 20);
  std::vector<std::pair<uint8_t, std::string>> copied;
  {
    std::vector<BlockInput> blocks = {{b0, abi::kEmitShadows}, {b1, 0}};
    auto batch = device.Execute(*program, blocks);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    for (const BlockResult& r : batch->blocks()) {
      for (const auto& rec : r.records) {
        OutEntry e = batch->Entry(rec);
        copied.emplace_back(e.entry_class, e.InternalKey() + std::string(e.value));
      }
    }
  }
  auto staged = device.BeginBatch(*program);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  for (auto [block, flags] : {std::pair{&b0, uint32_t{abi::kEmitShadows}}, std::pair{&b1, 0u}}) {
    auto dst = staged->Append(static_cast<uint32_t>(block->size()), flags);
    ASSERT_TRUE(dst.ok());
    ASSERT_EQ(dst->size(), block->size());
    memcpy(dst->data(), block->data(), block->size());  // stands in for a read into local memory
  }
  EXPECT_EQ(staged->num_blocks(), 2u);
  // Too large never fits; a third block fits; a fourth exceeds max_blocks.
  EXPECT_TRUE(staged->Append(1 << 14, 0).status().IsInvalidArgument());
  auto third = staged->Append(16, 0);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->size(), 16u);
  memset(third->data(), 0, 16);  // not a valid block: 0 restarts -> the filter reports it
  auto fourth = staged->Append(16, 0);
  ASSERT_TRUE(fourth.ok());
  EXPECT_TRUE(fourth->empty());
  auto batch = device.Execute(std::move(*staged));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->blocks().size(), 3u);
  std::vector<std::pair<uint8_t, std::string>> zero_copy;
  for (size_t b = 0; b < 2; ++b) {
    for (const auto& rec : batch->blocks()[b].records) {
      OutEntry e = batch->Entry(rec);
      zero_copy.emplace_back(e.entry_class, e.InternalKey() + std::string(e.value));
    }
  }
  EXPECT_EQ(zero_copy, copied);
  EXPECT_EQ(batch->blocks()[2].entries, 0u);
}

TEST(HostDevice, StagedBatchHoldsTheLockUntilDropped) {
  HostDevice device;
  auto program = LoadTest(device, SmallLayout(2, 1 << 14, 1 << 13, 64, 4096));
  std::string b = MakeBlock(0, 4);
  std::vector<BlockInput> blocks = {{b, 0}};
  {
    auto staged = device.BeginBatch(*program);
    ASSERT_TRUE(staged.ok());
    EXPECT_EQ(device.Execute(*program, blocks).status().code(), Status::Code::kInternal);
  }
  EXPECT_TRUE(device.Execute(*program, blocks).ok());  // dropped without running: released
}

TEST(BlockStager, RerunsAfterOutputFullAndKeepsOrder) {
  HostDevice device;
  // 40 records fit; each block emits 30 (20 values + 10 tombstones, with shadows).
  auto program = LoadTest(device, SmallLayout(8, 1 << 16, 1 << 14, 40, 1 << 16));
  std::vector<std::string> contents;
  for (int b = 0; b < 10; ++b) contents.push_back(MakeBlock(b, 30));
  std::vector<BlockInput> blocks;
  for (auto& c : contents) blocks.push_back({c, abi::kEmitShadows});
  BlockStager stager(&device, program.get());
  std::vector<size_t> order;
  Status s = stager.Run(blocks, [&](size_t i, const BlockResult& r, const BatchResult& batch) {
    EXPECT_EQ(r.status, abi::kBlockOk);
    EXPECT_EQ(r.records.size(), 30u);
    char prefix[8];
    snprintf(prefix, sizeof(prefix), "k%03zu", i);
    for (const auto& rec : r.records) {
      EXPECT_EQ(batch.Entry(rec).InternalKey().substr(0, 4), prefix);
    }
    order.push_back(i);
    return Status::OK();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(order.size(), 10u);
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
  EXPECT_EQ(stager.stats().runs, 10u);  // one block per run fits
  EXPECT_EQ(stager.stats().reruns, 10u - 1);
  EXPECT_EQ(stager.stats().entries, 300u);
}

TEST(BlockStager, TooLargeBlockReportedAndOthersRun) {
  HostDevice device;
  auto program = LoadTest(device, SmallLayout(8, 1 << 14, 1 << 12, 256, 1 << 14));
  std::string ok0 = MakeBlock(0, 10), big(5000, 'x'), ok2 = MakeBlock(2, 10);
  std::vector<BlockInput> blocks = {{ok0, 0}, {big, 0}, {ok2, 0}};
  BlockStager stager(&device, program.get());
  std::vector<uint32_t> statuses;
  ASSERT_TRUE(stager
                  .Run(blocks,
                       [&](size_t, const BlockResult& r, const BatchResult&) {
                         statuses.push_back(r.status);
                         return Status::OK();
                       })
                  .ok());
  EXPECT_EQ(statuses, (std::vector<uint32_t>{abi::kBlockOk, abi::kBlockTooLarge, abi::kBlockOk}));
}

TEST(BlockStager, BlockThatCanNeverFitIsResourceExhausted) {
  HostDevice device;
  auto program = LoadTest(device, SmallLayout(8, 1 << 14, 1 << 12, 5, 1 << 14));
  std::string b = MakeBlock(0, 30);
  std::vector<BlockInput> blocks = {{b, abi::kEmitShadows}};
  BlockStager stager(&device, program.get());
  Status s = stager.Run(
      blocks, [](size_t, const BlockResult&, const BatchResult&) { return Status::OK(); });
  EXPECT_TRUE(s.IsResourceExhausted()) << s.ToString();
}

TEST(BlockStager, MalformedBlockReportsOffset) {
  HostDevice device;
  auto program = LoadTest(device, SmallLayout(8, 1 << 14, 1 << 12, 256, 1 << 14));
  std::string b = MakeBlock(0, 10);
  b[0] = '\x7f';  // shared > 0 on the first entry
  std::vector<BlockInput> blocks = {{b, 0}};
  BlockStager stager(&device, program.get());
  uint32_t status = 0;
  ASSERT_TRUE(stager
                  .Run(blocks,
                       [&](size_t, const BlockResult& r, const BatchResult&) {
                         status = r.status;
                         EXPECT_EQ(r.error_offset, 0u);
                         return Status::OK();
                       })
                  .ok());
  EXPECT_EQ(status, abi::kBlockMalformed);
  EXPECT_STREQ(BlockStatusName(status), "malformed");
}

}  // namespace
}  // namespace pushdown::exec
