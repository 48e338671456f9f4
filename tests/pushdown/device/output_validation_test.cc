// Device::Execute's check of a program's output (ABI v2): whatever a buggy or
// malicious program writes into its descriptors, records and RunContext, the
// host must never hand out a view outside the records it validated or outside
// local memory, nor attribute a record to two blocks. The program here is the
// hand-written test filter followed by a "corruptor" that damages its output.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pushdown/device/host_device.h"
#include "tests/pushdown/device/block_builder.h"
#include "tests/pushdown/device/test_filter.h"

namespace pushdown::exec {
namespace {

namespace abi = bpfgen::abi;
using testing::InternalKey;
using testing::SmallLayout;
using testing::TestBlockBuilder;

using Corruptor = std::function<void(abi::RunContext*, uint8_t* mem, const abi::ProgramLayout&)>;
Corruptor& CurrentCorruptor() {
  static Corruptor c;
  return c;
}

int CorruptingFilter(abi::RunContext* ctx, uint8_t* mem) {
  const int rc = testing::TestFilter(ctx, mem);
  if (CurrentCorruptor()) CurrentCorruptor()(ctx, mem, testing::State().layout);
  return rc;
}

class CorruptingProgram : public bpfgen::NativeProgram {
 public:
  explicit CorruptingProgram(const abi::ProgramLayout& layout) {
    testing::State().layout = layout;
    testing::State().match = [](std::string_view) { return true; };
  }
  abi::NativeFilterFn fn() const override { return &CorruptingFilter; }
  const abi::ProgramLayout& layout() const override { return testing::State().layout; }
  double compile_ms() const override { return 0; }
};

// Block b: 10 entries "b<b>-<i>"; entry 3 is a tombstone; entries 5.. have
// sequence 0 (sent as user keys only when they are Values).
std::string MakeBlock(int b) {
  TestBlockBuilder builder(4);
  for (int i = 0; i < 10; ++i) {
    char key[32];
    snprintf(key, sizeof(key), "b%d-%02d", b, i);
    const uint8_t type = i == 3 ? 0 : 1;
    builder.Add(InternalKey(key, i < 5 ? 100 + i : 0, type), type == 1 ? "val" : "");
  }
  return builder.Finish();
}

class OutputValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CurrentCorruptor() = nullptr;
    layout_ = SmallLayout(4, 1 << 14, 1 << 12, 64, 2048);
    ProgramImage image;
    image.native = std::make_shared<CorruptingProgram>(layout_);
    auto loaded = device_.Load(image);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    program_ = std::move(loaded).value();
    b0_ = MakeBlock(0);
    b1_ = MakeBlock(1);
  }
  void TearDown() override { CurrentCorruptor() = nullptr; }

  Result<BatchResult> Run(Corruptor c) {
    CurrentCorruptor() = std::move(c);
    std::vector<BlockInput> blocks = {{b0_, abi::kEmitShadows}, {b1_, abi::kEmitShadows}};
    return device_.Execute(*program_, blocks);
  }

  static abi::BlockDesc* Descs(uint8_t* mem, const abi::ProgramLayout& l) {
    return reinterpret_cast<abi::BlockDesc*>(mem + l.desc_offset);
  }
  static abi::OutRecord* Records(uint8_t* mem, const abi::ProgramLayout& l) {
    return reinterpret_cast<abi::OutRecord*>(mem + l.out_offset);
  }

  HostDevice device_;
  abi::ProgramLayout layout_;
  std::unique_ptr<LoadedProgram> program_;
  std::string b0_, b1_;
};

TEST_F(OutputValidationTest, HonestProgramPassesAndUserKeysGetTheSeq0Trailer) {
  auto batch = Run(nullptr);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->blocks().size(), 2u);
  for (int b = 0; b < 2; ++b) {
    const BlockResult& r = batch->blocks()[b];
    ASSERT_EQ(r.status, abi::kBlockOk);
    ASSERT_EQ(r.records.size(), 10u);
    for (size_t i = 0; i < r.records.size(); ++i) {
      const OutEntry e = batch->Entry(r.records[i]);
      char key[32];
      snprintf(key, sizeof(key), "b%d-%02zu", b, i);
      const uint8_t type = i == 3 ? 0 : 1;
      EXPECT_EQ(e.InternalKey(), InternalKey(key, i < 5 ? 100 + i : 0, type)) << b << "/" << i;
      EXPECT_EQ(e.user_key_only, i >= 5) << b << "/" << i;
      EXPECT_EQ(e.entry_class, i == 3 ? abi::kNotValue : abi::kMatched);
      EXPECT_EQ(e.value, e.entry_class == abi::kMatched ? "val" : "");
    }
  }
}

// A status outside the ABI's enum: its span was not validated, yet
// BatchResult::blocks() handed it out (device.cc Run: only NotRun/OutputFull/
// TooLarge were excluded, ValidateOutput checked only the four known ones).
TEST_F(OutputValidationTest, UnknownBlockStatusIsRejected) {
  auto batch = Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
    Descs(mem, l)[1].status = 77;
    Descs(mem, l)[1].out_begin = 0;
    Descs(mem, l)[1].out_end = 1000000;  // far past out_count and out_capacity
  });
  if (batch.ok()) {
    for (const BlockResult& r : batch->blocks()) {
      EXPECT_LE(r.records.size(), batch->context().out_count) << "status " << r.status;
    }
  }
  EXPECT_FALSE(batch.ok()) << "a block status outside the ABI was accepted";
  if (!batch.ok()) {
    EXPECT_EQ(batch.status().code(), Status::Code::kInternal);
  }
}

// Two finished blocks claiming the same records: each record would be
// delivered twice (once per block) under two block offsets.
TEST_F(OutputValidationTest, OverlappingBlockSpansAreRejected) {
  auto batch = Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
    Descs(mem, l)[1].out_begin = 5;  // block 0 owns [0, 10)
  });
  EXPECT_FALSE(batch.ok()) << "block 1's span overlaps block 0's";
}

// A gap between spans: record 10 (block 1's first) belongs to no block, so
// its row would silently go missing.
TEST_F(OutputValidationTest, RecordBetweenBlockSpansIsRejected) {
  auto batch = Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
    Descs(mem, l)[1].out_begin += 1;
  });
  EXPECT_FALSE(batch.ok()) << "record 10 is in no block's span";
}

// Block spans must follow record order: the keys were derived in record
// order, so a block listing records out of order is a misattribution.
TEST_F(OutputValidationTest, BlockSpansOutOfOrderAreRejected) {
  auto batch = Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
    abi::BlockDesc* d = Descs(mem, l);
    std::swap(d[0].out_begin, d[1].out_begin);
    std::swap(d[0].out_end, d[1].out_end);
  });
  EXPECT_FALSE(batch.ok()) << "block 0 took block 1's records and vice versa";
}

TEST_F(OutputValidationTest, UserKeyOnlyOnNotValueIsRejected) {
  auto batch = Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
    Records(mem, l)[3].flags = abi::kUserKeyOnly;  // the tombstone
  });
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), Status::Code::kInternal);
}

TEST_F(OutputValidationTest, UnknownRecordFlagIsRejected) {
  auto batch = Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
    Records(mem, l)[0].flags = 0x2;
  });
  EXPECT_FALSE(batch.ok());
}

TEST_F(OutputValidationTest, FullKeyShorterThanTrailerIsRejected) {
  auto batch = Run([](abi::RunContext* ctx, uint8_t* mem, const abi::ProgramLayout& l) {
    abi::OutRecord& r = Records(mem, l)[0];  // a full internal key (seq 100)
    ctx->key_bytes -= r.key_size - 7;
    r.key_size = 7;
  });
  EXPECT_FALSE(batch.ok());
}

TEST_F(OutputValidationTest, KeySizesPastTheArenaAreRejected) {
  auto batch = Run([](abi::RunContext* ctx, uint8_t* mem, const abi::ProgramLayout& l) {
    abi::OutRecord& r = Records(mem, l)[ctx->out_count - 1];
    const uint32_t extra = l.key_arena_size;  // sum now passes the arena's end
    r.key_size = static_cast<uint16_t>(r.key_size + extra);
    ctx->key_bytes += extra;  // consistent with the records, still too large
  });
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), Status::Code::kInternal);
}

TEST_F(OutputValidationTest, KeyBytesDisagreeingWithRecordsIsRejected) {
  for (int delta : {-1, 1}) {
    auto batch = Run([delta](abi::RunContext* ctx, uint8_t*, const abi::ProgramLayout&) {
      ctx->key_bytes += delta;
    });
    EXPECT_FALSE(batch.ok()) << delta;
  }
}

TEST_F(OutputValidationTest, ValuePastLocalMemoryIsRejected) {
  auto batch = Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
    Records(mem, l)[0].value_offset = l.mem_size - 2;
    Records(mem, l)[0].value_size = 3;
  });
  EXPECT_FALSE(batch.ok());
  auto wrap = Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
    Records(mem, l)[0].value_offset = 0xfffffff0u;
    Records(mem, l)[0].value_size = 0x20;  // wraps in 32 bits
  });
  EXPECT_FALSE(wrap.ok());
}

// Inside local memory but not in a staged block: the key arena, the records
// or the private region would be returned as a row's value.
TEST_F(OutputValidationTest, ValueOutsideTheStagedBlocksIsRejected) {
  for (int where = 0; where < 3; ++where) {
    auto batch = Run([where](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
      abi::OutRecord& r = Records(mem, l)[0];
      r.value_offset = where == 0   ? l.key_arena_offset
                       : where == 1 ? l.out_offset
                                    : l.private_offset;
      r.value_size = 3;
    });
    EXPECT_FALSE(batch.ok()) << where;
  }
  // Ending one byte past the blocks region.
  auto batch = Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
    abi::OutRecord& r = Records(mem, l)[0];
    r.value_offset = l.block_offset + l.block_capacity - 2;
    r.value_size = 3;
  });
  EXPECT_FALSE(batch.ok());
}

TEST_F(OutputValidationTest, BadEntryClassAndCountsAreRejected) {
  EXPECT_FALSE(Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
                 Records(mem, l)[2].entry_class = 0;
               }).ok());
  EXPECT_FALSE(Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
                 Records(mem, l)[2].entry_class = 4;
               }).ok());
  EXPECT_FALSE(Run([](abi::RunContext* ctx, uint8_t*, const abi::ProgramLayout& l) {
                 ctx->out_count = l.out_capacity + 1;
               }).ok());
  EXPECT_FALSE(Run([](abi::RunContext* ctx, uint8_t*, const abi::ProgramLayout&) {
                 ctx->blocks_done = 3;
               }).ok());
  EXPECT_FALSE(Run([](abi::RunContext*, uint8_t* mem, const abi::ProgramLayout& l) {
                 Descs(mem, l)[1].out_end = 100;  // past out_count (20)
               }).ok());
}

// A block the program could not finish carries no records, whatever its
// descriptor says.
TEST_F(OutputValidationTest, UnfinishedBlockHasNoRecords) {
  auto batch = Run([](abi::RunContext* ctx, uint8_t* mem, const abi::ProgramLayout& l) {
    abi::BlockDesc* d = Descs(mem, l);
    d[1].status = abi::kBlockOutputFull;
    d[1].out_begin = 0;
    d[1].out_end = 1000000;
    ctx->blocks_done = 1;
  });
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_TRUE(batch->blocks()[1].records.empty());
}

// A layout whose regions leave local memory or overlap: staging would write
// descriptors/blocks at its offsets. Rejected before anything is staged.
TEST(ProgramLayoutTest, RegionsOutsideMemoryOrOverlappingAreRejected) {
  const abi::ProgramLayout good = SmallLayout(4, 1 << 14, 1 << 12, 64, 2048);
  std::vector<std::pair<const char*, abi::ProgramLayout>> bad;
  abi::ProgramLayout l = good;
  l.mem_size = l.private_offset + 64 - 8;  // private region ends past memory
  l.private_size = 64;
  bad.emplace_back("private past memory", l);
  l = good;
  l.key_arena_offset = l.out_offset + 12;  // key arena over the records
  bad.emplace_back("key arena over records", l);
  l = good;
  l.max_block_size = l.block_capacity + 8;
  bad.emplace_back("max_block_size over capacity", l);
  l = good;
  l.desc_offset = l.block_offset;  // descriptors over the blocks
  bad.emplace_back("descriptors over blocks", l);
  for (const auto& [what, layout] : bad) {
    HostDevice device;
    ProgramImage image;
    image.native = std::make_shared<CorruptingProgram>(layout);
    auto program = device.Load(image);
    ASSERT_TRUE(program.ok()) << program.status().ToString();
    auto begun = device.BeginBatch(**program);
    EXPECT_FALSE(begun.ok()) << what;
    if (!begun.ok()) {
      EXPECT_EQ(begun.status().code(), Status::Code::kInternal) << what;
    }
  }
  HostDevice device;
  ProgramImage image;
  image.native = std::make_shared<CorruptingProgram>(good);
  auto program = device.Load(image);
  ASSERT_TRUE(program.ok());
  EXPECT_TRUE(device.BeginBatch(**program).ok());
}

}  // namespace
}  // namespace pushdown::exec
