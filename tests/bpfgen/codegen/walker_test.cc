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
using testing::SmallOptions;
using testing::StagedBlock;

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

#include "tests/bpfgen/codegen/malformed.h"

namespace pushdown::bpfgen {
namespace {

CompileOptions ScenarioOptions(const testing::Scenario& s) {
  CompileOptions o = SmallOptions();
  o.out_capacity = s.out_capacity;
  o.key_arena_size = s.key_arena_size;
  o.max_key_size = s.max_key_size;
  return o;
}

class WalkerScenario : public ::testing::TestWithParam<testing::Scenario> {};

TEST_P(WalkerScenario, StatusesAndRecords) {
  const testing::Scenario& s = GetParam();
  auto p = CompileNative(Schema::Raw(), {}, ScenarioOptions(s));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  RunResult r = RunNative(**p, s.blocks);
  uint32_t done = 0;
  for (size_t i = 0; i < s.blocks.size(); ++i) {
    EXPECT_EQ(r.blocks[i].status, s.statuses[i]) << "block " << i;
    EXPECT_EQ(r.blocks[i].error_offset, s.error_offsets[i]) << "block " << i;
    if (s.statuses[i] != abi::kBlockOutputFull && s.statuses[i] != abi::kBlockNotRun) done = i + 1;
    if (s.statuses[i] == abi::kBlockOk) {
      // Every entry of a good block is a Value entry here or a tombstone: all emitted.
      EXPECT_EQ(r.blocks[i].records.size(), r.blocks[i].entries) << "block " << i;
    }
  }
  EXPECT_EQ(r.ctx.blocks_done, done);
}

INSTANTIATE_TEST_SUITE_P(Blocks, WalkerScenario, ::testing::ValuesIn(testing::Scenarios()),
                         [](const auto& info) { return info.param.name; });

TEST(Walker, LongSharedPrefixKeysAreRebuilt) {
  auto p = CompileNative(Schema::Raw(), {}, SmallOptions());
  ASSERT_TRUE(p.ok());
  testing::BlockBuilder bb(16);
  std::vector<std::string> keys;
  std::string prefix(400, 'q');
  for (int i = 0; i < 30; ++i) {
    keys.push_back(InternalKey(prefix + std::to_string(10000 + i * 7), 5, i % 4 ? 1 : 0));
    bb.Add(keys.back(), i % 4 ? "" : "");
  }
  RunResult r = RunNative(**p, {{bb.Finish(true)}});
  ASSERT_EQ(r.blocks[0].status, abi::kBlockOk);
  ASSERT_EQ(r.blocks[0].records.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(r.blocks[0].records[i].key, keys[i]);
}

TEST(Walker, ShadowsOnlyWhenFlagged) {
  // A predicate nothing matches: Value entries are shadows (emitted only with
  // kEmitShadows), tombstones always come back as kNotValue.
  Schema raw = Schema::Raw();
  Expr lit;
  lit.kind = ExprKind::kLiteral;
  lit.type = Type::Bool();
  lit.literal_int = 0;
  auto p = CompileNative(raw, {&lit}, SmallOptions());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  testing::BlockBuilder bb(1);
  bb.Add(InternalKey("a", 3, 1), "x");
  bb.Add(InternalKey("a", 2, 0), "");
  bb.Add(InternalKey("b", 1, 1), "y");
  std::string block = bb.Finish();
  RunResult r = RunNative(**p, {{block, abi::kEmitShadows}, {block, 0}});
  ASSERT_EQ(r.blocks[0].records.size(), 3u);
  EXPECT_EQ(r.blocks[0].records[0].cls, abi::kShadow);
  EXPECT_EQ(r.blocks[0].records[1].cls, abi::kNotValue);
  EXPECT_EQ(r.blocks[0].records[2].cls, abi::kShadow);
  ASSERT_EQ(r.blocks[1].records.size(), 1u);
  EXPECT_EQ(r.blocks[1].records[0].cls, abi::kNotValue);
  EXPECT_EQ(r.ctx.matched, 0u);
}

TEST(Walker, BadRowsAreReported) {
  auto parsed = ParseSchema("a INT64 KEY, s VARCHAR(10), t VARCHAR(10)");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Schema s = *parsed;
  auto p = CompileNative(s, {}, SmallOptions());
  ASSERT_TRUE(p.ok());
  // min_value_size = 1 + 1 + 8 + 2*4 = 18.
  std::string good(18, '\0');
  good[0] = 1;
  good[10] = 18;  // end of s
  good[14] = 18;  // end of t
  std::string short_row = good.substr(0, 17);
  std::string bad_version = good;
  bad_version[0] = 2;
  std::string not_monotone = good + "abc";
  not_monotone[10] = 21, not_monotone[14] = 19;
  std::string past_end = good;
  past_end[14] = 30;
  for (const std::string& v : {short_row, bad_version, not_monotone, past_end}) {
    testing::BlockBuilder bb(16);
    bb.Add(InternalKey("a", 1, 1), good);
    bb.Add(InternalKey("b", 1, 0), "");  // a tombstone's value is not a row
    bb.Add(InternalKey("c", 1, 1), v);
    std::string block = bb.Finish();
    RunResult r = RunNative(**p, {{block}});
    EXPECT_EQ(r.blocks[0].status, abi::kBlockBadRow);
    EXPECT_EQ(r.blocks[0].error_offset, testing::EntryOffset(block, 2));
    EXPECT_EQ(r.blocks[0].entries, 2u);
  }
}

}  // namespace
}  // namespace pushdown::bpfgen
