// ProgramPool with a bounded ProgramCache: a lease pins its program (the cache
// does not evict it), and the pool keeps no program alive once the cache has
// evicted it and its leases are returned.
#include "engine/api/program_pool.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/schema.h"

namespace pushdown::engine {
namespace {

namespace bg = bpfgen;

struct Compiled {
  bg::Schema schema = bg::Schema::Raw();
  bg::Predicate predicate;
  std::vector<const bg::Expr*> conjuncts;
  exec::ProgramKey Key() const {
    return exec::ProgramKey{bg::ToString(predicate, schema), schema.ToDdl(), "host"};
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

TEST(ProgramPool, LeasePinsAndEvictedProgramsAreReleased) {
  exec::ProgramCache cache(&exec::DeviceRegistry::Default(),
                           exec::ProgramCacheOptions{1, 1u << 30});
  ProgramPool pool;
  Compiled a = Compile("length(key) = 1"), b = Compile("length(key) = 2");

  auto la = cache.GetOrLoad(a.Key(), a.schema, a.conjuncts);
  ASSERT_TRUE(la.ok()) << la.status().ToString();
  std::weak_ptr<exec::DeviceProgram> weak_a = la->program;
  auto lease = pool.Acquire(la->program);
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  // A second, concurrent lease: an extra instance.
  auto second = pool.Acquire(la->program);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->loaded(), lease->loaded());
  EXPECT_EQ(pool.extra_loads(), 1u);
  la->program.reset();

  // a is leased: b cannot evict it, and is used uncached.
  auto lb = cache.GetOrLoad(b.Key(), b.schema, b.conjuncts);
  ASSERT_TRUE(lb.ok());
  EXPECT_FALSE(lb->cached);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.evictions(), 0u);
  EXPECT_TRUE(cache.GetOrLoad(a.Key(), a.schema, a.conjuncts)->cached);
  EXPECT_FALSE(weak_a.expired());
  lb->program.reset();

  // Leases returned: a can be evicted; it is destroyed with its extra
  // instance, and the pool forgets it.
  *lease = ProgramLease();
  *second = ProgramLease();
  EXPECT_EQ(pool.entries(), 1u);  // still cached: its idle extra stays for reuse
  auto lb2 = cache.GetOrLoad(b.Key(), b.schema, b.conjuncts);
  ASSERT_TRUE(lb2.ok());
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_TRUE(weak_a.expired());
  auto lease_b = pool.Acquire(lb2->program);  // prunes the dead entry first
  ASSERT_TRUE(lease_b.ok());
  EXPECT_EQ(pool.entries(), 1u);
}

}  // namespace
}  // namespace pushdown::engine
