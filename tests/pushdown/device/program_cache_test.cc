#include "pushdown/device/program_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/schema.h"

namespace pushdown::exec {
namespace {

namespace bg = bpfgen;

struct Compiled {
  bg::Schema schema = bg::Schema::Raw();
  bg::Predicate predicate;
  std::vector<const bg::Expr*> conjuncts;
  ProgramKey Key(const std::string& device) const {
    return ProgramKey{bg::ToString(predicate, schema), schema.ToDdl(), device};
  }
};

Compiled Compile(const std::string& text) {
  Compiled c;
  auto p = bg::CompilePredicate(text, c.schema);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  c.predicate = std::move(p).value();
  for (const auto& e : c.predicate.conjuncts) c.conjuncts.push_back(e.get());
  return c;
}

TEST(ProgramCache, SamePredicateCompilesAndLoadsOnce) {
  ProgramCache cache(&DeviceRegistry::Default());
  Compiled c = Compile("u64be(key, 0) < 1000 AND length(value) > 3");
  auto first = cache.GetOrLoad(c.Key("host"), c.schema, c.conjuncts);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = cache.GetOrLoad(c.Key("host"), c.schema, c.conjuncts);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(first->cached);
  EXPECT_TRUE(second->cached);
  EXPECT_EQ(first->program.get(), second->program.get());
  EXPECT_EQ(first->program->program->stats().program_id,
            second->program->program->stats().program_id);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.size(), 1u);

  // Another predicate, or another device, is another program.
  Compiled other = Compile("u64be(key, 0) < 1001 AND length(value) > 3");
  auto third = cache.GetOrLoad(other.Key("host"), other.schema, other.conjuncts);
  ASSERT_TRUE(third.ok());
  EXPECT_NE(third->program.get(), first->program.get());
  auto auto_device = cache.GetOrLoad(c.Key("auto"), c.schema, c.conjuncts);
  ASSERT_TRUE(auto_device.ok()) << auto_device.status().ToString();
  EXPECT_NE(auto_device->program.get(), first->program.get());
  EXPECT_EQ(cache.size(), 3u);
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ProgramCache, ConcurrentRequestsCompileOnce) {
  ProgramCache cache(&DeviceRegistry::Default());
  Compiled c = Compile("starts_with(key, 'user') OR u8(value, 0) = 7");
  std::vector<ProgramLookup> got(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      auto r = cache.GetOrLoad(c.Key("host"), c.schema, c.conjuncts);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) got[i] = *r;
    });
  }
  for (auto& t : threads) t.join();
  size_t compiled = 0;
  for (const auto& p : got) {
    EXPECT_EQ(p.program.get(), got[0].program.get());
    compiled += !p.cached;
  }
  // Per lookup: exactly one of the concurrent lookups compiled.
  EXPECT_EQ(compiled, 1u);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 3u);
}

TEST(ProgramCache, UnknownDeviceIsAnErrorAndNotCached) {
  ProgramCache cache(&DeviceRegistry::Default());
  Compiled c = Compile("length(key) = 3");
  auto r = cache.GetOrLoad(c.Key("fpga"), c.schema, c.conjuncts);
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(CompileAndLoad, KernelRunsInKernelOrSaysWhyNot) {
  DeviceRegistry& registry = DeviceRegistry::Default();
  Compiled c = Compile("u32le(value, 0) < 100");
  auto r = CompileAndLoad(registry, "kernel", c.schema, c.conjuncts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  if (registry.kernel().Available().ok()) {
    EXPECT_EQ((*r)->device, &registry.kernel());
    EXPECT_FALSE((*r)->fallback.fell_back()) << (*r)->fallback.detail;
    EXPECT_TRUE((*r)->bpf.has_value());
    EXPECT_GT((*r)->program->stats().verified_insns, 0u);
  } else {
    EXPECT_EQ((*r)->device, &registry.host());
    EXPECT_TRUE((*r)->fallback.fell_back());
  }
  EXPECT_GE((*r)->total_ms, (*r)->load_ms);
}

}  // namespace
}  // namespace pushdown::exec
