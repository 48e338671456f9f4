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
using testing::StagedBlock;

CompileOptions SmallOptions() {
  CompileOptions o;
  o.max_blocks = 8;
  o.block_capacity = 64 << 10;
  o.max_block_size = 32 << 10;
  o.out_capacity = 256;
  o.key_arena_size = 16 << 10;
  return o;
}

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
