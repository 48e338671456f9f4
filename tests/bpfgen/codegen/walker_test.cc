// Block walker tests: match-all and raw predicates over hand-built blocks,
// native target, and (LABEL bpf) the same on the kernel.
#include <gtest/gtest.h>

#include <memory>

#include "bpfgen/codegen/compiler.h"
#include "tests/bpfgen/codegen/block_builder.h"

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

RunResult RunNative(const NativeProgram& p, const std::vector<StagedBlock>& blocks) {
  std::vector<uint8_t> mem(p.layout().mem_size, 0xcc);
  abi::RunContext ctx = testing::Stage(p.layout(), mem.data(), blocks);
  EXPECT_EQ(p.fn()(&ctx, mem.data()), 0);
  return testing::Collect(p.layout(), mem.data(), ctx, blocks.size());
}

TEST(Walker, MatchAllRawEmitsEveryEntry) {
  auto p = CompileNative(Schema::Raw(), {}, SmallOptions());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  BlockBuilder bb(16);
  std::vector<testing::Emitted> want;
  for (int i = 0; i < 40; ++i) {
    std::string uk = "user_key_" + std::to_string(1000 + i);
    uint8_t type = i % 7 == 3 ? 0 : 1;
    std::string k = InternalKey(uk, 100 + i, type);
    std::string v = type == 1 ? "value" + std::to_string(i) : "";
    bb.Add(k, v);
    want.push_back({static_cast<uint8_t>(type == 1 ? abi::kMatched : abi::kNotValue), k, v});
  }
  RunResult r = RunNative(**p, {{bb.Finish()}});
  ASSERT_EQ(r.blocks.size(), 1u);
  EXPECT_EQ(r.blocks[0].status, abi::kBlockOk);
  EXPECT_EQ(r.blocks[0].entries, 40u);
  EXPECT_EQ(r.ctx.blocks_done, 1u);
  EXPECT_EQ(r.ctx.entries, 40u);
  EXPECT_EQ(r.blocks[0].records, want);
}

}  // namespace
}  // namespace pushdown::bpfgen
