// The compiler API: layouts, option validation, NotSupported reasons, and
// the IR / BPF assembly dumps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/lang/predicate.h"
#include "tests/bpfgen/codegen/differential.h"

namespace pushdown::bpfgen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Schema Mixed() { return ParseSchema(testing::kMixedDdl).value(); }

std::vector<const Expr*> Conjuncts(const Predicate& p) {
  std::vector<const Expr*> out;
  for (const auto& c : p.conjuncts) out.push_back(c.get());
  return out;
}

TEST(Api, LayoutRegionsAreDisjointAndInsideMemory) {
  CompileOptions o;
  auto l = ComputeProgramLayout(Schema::Raw(), o);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->max_blocks, o.max_blocks);
  EXPECT_GE(l->block_capacity, o.block_capacity);
  struct Region {
    uint64_t begin, end;
  };
  const std::vector<Region> regions = {
      {l->desc_offset, l->desc_offset + uint64_t{l->max_blocks} * sizeof(abi::BlockDesc)},
      {l->block_offset, uint64_t{l->block_offset} + l->block_capacity},
      {l->out_offset, l->out_offset + uint64_t{l->out_capacity} * sizeof(abi::OutRecord)},
      {l->key_arena_offset, uint64_t{l->key_arena_offset} + l->key_arena_size},
      {l->private_offset, uint64_t{l->private_offset} + l->private_size}};
  for (size_t i = 0; i < regions.size(); ++i) {
    EXPECT_LT(regions[i].begin, regions[i].end) << "region " << i;
    EXPECT_LE(regions[i].end, l->mem_size) << "region " << i;
    for (size_t j = i + 1; j < regions.size(); ++j) {
      EXPECT_TRUE(regions[i].end <= regions[j].begin || regions[j].end <= regions[i].begin)
          << "regions " << i << " and " << j << " overlap";
    }
  }
  EXPECT_EQ(l->block_offset % 4096, 0u);
  auto bpf = CompileBpf(Schema::Raw(), {}, o);
  ASSERT_TRUE(bpf.ok());
  EXPECT_EQ(bpf->layout.mem_size, l->mem_size);
  EXPECT_EQ(bpf->layout.private_offset, l->private_offset);
  EXPECT_EQ(bpf->program_name, "pd_block_filter");
  EXPECT_EQ(bpf->memory_variable, "pd_memory");
  EXPECT_EQ(bpf->object.substr(0, 4),
            "\x7f"
            "ELF");
}

TEST(Api, BadOptionsAreInvalidArgument) {
  CompileOptions o;
  o.max_blocks = 0;
  EXPECT_TRUE(CompileBpf(Schema::Raw(), {}, o).status().IsInvalidArgument());
  o = CompileOptions();
  o.max_block_size = o.block_capacity * 2;
  EXPECT_TRUE(CompileNative(Schema::Raw(), {}, o).status().IsInvalidArgument());
  o = CompileOptions();
  o.key_arena_size = 8;
  EXPECT_TRUE(ComputeProgramLayout(Schema::Raw(), o).status().IsInvalidArgument());
}

TEST(Api, FloatingPointIsHostOnly) {
  Schema s = Mixed();
  for (const char* text : {"f * 2 > 1", "f > a", "a * 1.5e0 > 1"}) {
    auto p = CompilePredicate(text, s);
    if (!p.ok()) continue;  // e.g. no exponent syntax
    auto bpf = CompileBpf(s, Conjuncts(*p), CompileOptions());
    EXPECT_TRUE(bpf.status().IsNotSupported()) << text << ": " << bpf.status().ToString();
    EXPECT_TRUE(CompileNative(s, Conjuncts(*p), CompileOptions()).ok()) << text;
  }
  auto p = CompilePredicate("f BETWEEN -1.5 AND 2 AND f <> 0.25", s);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(CompileBpf(s, Conjuncts(*p), CompileOptions()).ok());
}

TEST(Api, LongLikePatternIsNotSupportedOnBpf) {
  Schema s = Mixed();
  std::string pat(300, 'a');
  auto p = CompilePredicate("s LIKE '%" + pat + "%'", s);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto bpf = CompileBpf(s, Conjuncts(*p), CompileOptions());
  EXPECT_TRUE(bpf.status().IsNotSupported());
  EXPECT_THAT(bpf.status().message(), HasSubstr("LIKE pattern"));
}

TEST(Api, EmitIrShowsTheTargetDifference) {
  Schema s = Mixed();
  auto p = CompilePredicate("a > 5 AND s LIKE 'ab%'", s);
  ASSERT_TRUE(p.ok());
  auto bpf_ir = EmitIr(Target::kBpf, s, Conjuncts(*p), CompileOptions());
  ASSERT_TRUE(bpf_ir.ok()) << bpf_ir.status().ToString();
  EXPECT_THAT(*bpf_ir, HasSubstr("section \"syscall\""));
  EXPECT_THAT(*bpf_ir, HasSubstr("may_goto"));  // the block and entry loops
  EXPECT_THAT(*bpf_ir, HasSubstr("@pd_memory"));
  auto native_ir = EmitIr(Target::kNative, s, Conjuncts(*p), CompileOptions());
  ASSERT_TRUE(native_ir.ok());
  EXPECT_THAT(*native_ir, HasSubstr("@pd_block_filter(ptr"));
  EXPECT_THAT(*native_ir, Not(HasSubstr("may_goto")));
}

TEST(Api, EmitBpfAssemblyIsReadable) {
  auto a = EmitBpfAssembly(Schema::Raw(), {}, CompileOptions());
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(*a, HasSubstr("pd_block_filter:"));
  EXPECT_THAT(*a, HasSubstr("may_goto"));
  EXPECT_THAT(*a, HasSubstr("call pd_header"));  // the general entry-header decoder
}

}  // namespace
}  // namespace pushdown::bpfgen
