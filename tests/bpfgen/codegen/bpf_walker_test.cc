// The same blocks through the kernel: the BPF object must load (verify) and
// emit exactly what the native program emits.
#include <gtest/gtest.h>

#include "bpfgen/codegen/compiler.h"
#include "tests/bpfgen/codegen/block_builder.h"
#include "tests/bpfgen/codegen/bpf_runner.h"

namespace pushdown::bpfgen {
namespace {

using testing::BlockBuilder;
using testing::InternalKey;
using testing::RunResult;
using testing::SmallOptions;
using testing::StagedBlock;

TEST(BpfWalker, MatchAllLoadsAndRuns) {
  if (!testing::HaveBpf()) GTEST_SKIP() << "needs root/CAP_BPF";
  auto p = CompileBpf(Schema::Raw(), {}, SmallOptions());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  testing::BpfRunner runner;
  std::string err = runner.Load(*p);
  ASSERT_EQ(err, "");
  std::cerr << "codegen " << p->codegen_ms << " ms\n" << runner.verifier_stats() << "\n";
  BlockBuilder bb(16);
  for (int i = 0; i < 40; ++i) {
    bb.Add(InternalKey("user_key_" + std::to_string(1000 + i), 100 + i, i % 7 == 3 ? 0 : 1),
           "value" + std::to_string(i));
  }
  std::vector<StagedBlock> blocks = {{bb.Finish()}};
  abi::RunContext ctx = testing::Stage(p->layout, runner.mem(), blocks);
  ASSERT_EQ(runner.Run(&ctx), 0);
  RunResult r = testing::Collect(p->layout, runner.mem(), ctx, blocks.size());
  EXPECT_EQ(r.blocks[0].status, abi::kBlockOk);
  EXPECT_EQ(r.blocks[0].records.size(), 40u);
}

}  // namespace
}  // namespace pushdown::bpfgen

#include "tests/bpfgen/codegen/malformed.h"

namespace pushdown::bpfgen {
namespace {

class BpfScenario : public ::testing::TestWithParam<testing::Scenario> {};

// Malformed blocks, limits and output-full: the kernel program reports
// exactly what the native program reports (statuses, offsets, records, ctx).
TEST_P(BpfScenario, SameAsNative) {
  if (!testing::HaveBpf()) GTEST_SKIP() << "needs root/CAP_BPF";
  const testing::Scenario& s = GetParam();
  CompileOptions o = SmallOptions();
  o.out_capacity = s.out_capacity;
  o.key_arena_size = s.key_arena_size;
  o.max_key_size = s.max_key_size;
  auto bpf = CompileBpf(Schema::Raw(), {}, o);
  ASSERT_TRUE(bpf.ok()) << bpf.status().ToString();
  auto native = CompileNative(Schema::Raw(), {}, o);
  ASSERT_TRUE(native.ok()) << native.status().ToString();
  testing::BpfRunner runner;
  ASSERT_EQ(runner.Load(*bpf), "");
  abi::RunContext ctx = testing::Stage(bpf->layout, runner.mem(), s.blocks);
  ASSERT_EQ(runner.Run(&ctx), 0);
  RunResult from_bpf = testing::Collect(bpf->layout, runner.mem(), ctx, s.blocks.size());
  std::vector<uint8_t> mem((*native)->layout().mem_size);
  abi::RunContext nctx = testing::Stage((*native)->layout(), mem.data(), s.blocks);
  (*native)->fn()(&nctx, mem.data());
  RunResult from_native = testing::Collect((*native)->layout(), mem.data(), nctx, s.blocks.size());
  EXPECT_EQ(from_bpf, from_native);
  for (size_t i = 0; i < s.blocks.size(); ++i) {
    EXPECT_EQ(from_bpf.blocks[i].status, s.statuses[i]) << "block " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Blocks, BpfScenario, ::testing::ValuesIn(testing::Scenarios()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace pushdown::bpfgen

namespace pushdown::bpfgen {
namespace {

// Row validation in the kernel: the same statuses and offsets as native.
TEST(BpfWalker, BadRowsSameAsNative) {
  if (!testing::HaveBpf()) GTEST_SKIP() << "needs root/CAP_BPF";
  auto parsed = ParseSchema("a INT64 KEY, s VARCHAR(10), t VARCHAR(10)");
  ASSERT_TRUE(parsed.ok());
  auto bpf = CompileBpf(*parsed, {}, SmallOptions());
  ASSERT_TRUE(bpf.ok()) << bpf.status().ToString();
  auto native = CompileNative(*parsed, {}, SmallOptions());
  ASSERT_TRUE(native.ok());
  testing::BpfRunner runner;
  ASSERT_EQ(runner.Load(*bpf), "");
  std::string good(18, '\0');
  good[0] = 1, good[10] = 18, good[14] = 18;
  std::string not_monotone = good + "abc";
  not_monotone[10] = 21, not_monotone[14] = 19;
  std::string bad_version = good;
  bad_version[0] = 7;
  std::vector<StagedBlock> blocks;
  for (const std::string& v : {good.substr(0, 17), bad_version, not_monotone, good}) {
    BlockBuilder bb(1);
    bb.Add(InternalKey("a", 1, 1), good);
    bb.Add(InternalKey("c", 1, 1), v);
    blocks.push_back({bb.Finish()});
  }
  abi::RunContext ctx = testing::Stage(bpf->layout, runner.mem(), blocks);
  ASSERT_EQ(runner.Run(&ctx), 0);
  RunResult from_bpf = testing::Collect(bpf->layout, runner.mem(), ctx, blocks.size());
  std::vector<uint8_t> mem((*native)->layout().mem_size);
  abi::RunContext nctx = testing::Stage((*native)->layout(), mem.data(), blocks);
  (*native)->fn()(&nctx, mem.data());
  EXPECT_EQ(from_bpf, testing::Collect((*native)->layout(), mem.data(), nctx, blocks.size()));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(from_bpf.blocks[i].status, abi::kBlockBadRow) << i;
  EXPECT_EQ(from_bpf.blocks[3].status, abi::kBlockOk);
  EXPECT_EQ(from_bpf.blocks[3].records.size(), 2u);
}

}  // namespace
}  // namespace pushdown::bpfgen
