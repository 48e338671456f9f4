// The program cache's bounds: LRU eviction by entries and by bytes, pinning
// of programs in use, per-program local memory sized to a scan's batch, and
// 1,000 distinct predicates in one process under a documented RSS bound.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/schema.h"
#include "pushdown/device/program_cache.h"

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

// The i-th of many distinct predicates.
std::string Nth(int i) {
  return "u64be(key, 0) % 1000 = " + std::to_string(i) + " AND length(value) > 3";
}

Result<ProgramLookup> Lookup(ProgramCache& cache, const Compiled& c, const std::string& device) {
  return cache.GetOrLoad(c.Key(device), c.schema, c.conjuncts);
}

// Resident set size of this process, from /proc/self/statm (pages).
size_t RssBytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  int n = fscanf(f, "%lu %lu", &size, &resident);
  fclose(f);
  return n == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

TEST(ProgramCacheBound, EvictsLeastRecentlyUsedBeyondMaxEntries) {
  ProgramCache cache(&DeviceRegistry::Default(), ProgramCacheOptions{3, size_t{1} << 40});
  std::vector<Compiled> c;
  for (int i = 0; i < 4; ++i) c.push_back(Compile(Nth(i)));
  for (int i = 0; i < 3; ++i) {
    auto r = Lookup(cache, c[i], "host");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->cached);
  }
  // Touch 0: 1 is now the least recently used.
  auto again = Lookup(cache, c[0], "host");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->cached);
  again->program.reset();
  auto fourth = Lookup(cache, c[3], "host");
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_TRUE(Lookup(cache, c[0], "host")->cached);
  EXPECT_TRUE(Lookup(cache, c[2], "host")->cached);
  EXPECT_TRUE(Lookup(cache, c[3], "host")->cached);
  auto one = Lookup(cache, c[1], "host");  // evicted: compiled again
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->cached);
  EXPECT_EQ(cache.size(), 3u);
}

TEST(ProgramCacheBound, ProgramsInUseArePinned) {
  ProgramCache cache(&DeviceRegistry::Default(), ProgramCacheOptions{2, size_t{1} << 40});
  Compiled a = Compile(Nth(0)), b = Compile(Nth(1)), c = Compile(Nth(2)), d = Compile(Nth(3));
  auto held_a = Lookup(cache, a, "host");
  auto held_b = Lookup(cache, b, "host");
  ASSERT_TRUE(held_a.ok() && held_b.ok());
  // Both cached programs are held: the new one cannot make room, so it is
  // handed out uncached and nothing in use is evicted or destroyed.
  auto loose = Lookup(cache, c, "host");
  ASSERT_TRUE(loose.ok()) << loose.status().ToString();
  EXPECT_FALSE(loose->cached);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.evictions(), 0u);
  EXPECT_TRUE(Lookup(cache, a, "host")->cached);
  EXPECT_TRUE(Lookup(cache, b, "host")->cached);
  std::weak_ptr<DeviceProgram> weak_c = loose->program;
  loose->program.reset();
  EXPECT_TRUE(weak_c.expired()) << "an uncached program lives only as long as its holder";

  // Let go of a (touched before b, so the older): it becomes evictable and d
  // replaces it.
  std::weak_ptr<DeviceProgram> weak_a = held_a->program;
  held_a->program.reset();
  auto dd = Lookup(cache, d, "host");
  ASSERT_TRUE(dd.ok());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_TRUE(weak_a.expired());
  // b is still held and still the same program.
  auto b_again = Lookup(cache, b, "host");
  EXPECT_TRUE(b_again->cached);
  EXPECT_EQ(b_again->program.get(), held_b->program.get());
}

TEST(ProgramCacheBound, BytesLimitHolds) {
  Compiled first = Compile(Nth(0));
  size_t one = 0;
  {
    ProgramCache probe(&DeviceRegistry::Default());
    auto r = Lookup(probe, first, "host");
    ASSERT_TRUE(r.ok());
    one = ProgramFootprint(*r->program);
    EXPECT_EQ(probe.bytes(), one);
  }
  ASSERT_GT(one, 0u);
  // Room for two and a half programs' bytes: never more than two held.
  ProgramCache cache(&DeviceRegistry::Default(), ProgramCacheOptions{1000, one * 5 / 2});
  for (int i = 0; i < 6; ++i) {
    Compiled c = Compile(Nth(i));
    auto r = Lookup(cache, c, "host");
    ASSERT_TRUE(r.ok());
    EXPECT_LE(cache.bytes(), cache.options().max_bytes);
    EXPECT_LE(cache.size(), 2u);
  }
  EXPECT_EQ(cache.evictions(), 4u);
  // A program larger than max_bytes is never cached.
  ProgramCache tiny(&DeviceRegistry::Default(), ProgramCacheOptions{10, one / 2});
  auto r = Lookup(tiny, first, "host");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->cached);
  EXPECT_EQ(tiny.size(), 0u);
  EXPECT_EQ(tiny.bytes(), 0u);
  // max_entries 0 caches nothing.
  ProgramCache none(&DeviceRegistry::Default(), ProgramCacheOptions{0, size_t{1} << 30});
  ASSERT_TRUE(Lookup(none, first, "host").ok());
  EXPECT_FALSE(Lookup(none, first, "host")->cached);
  EXPECT_EQ(none.size(), 0u);
}

TEST(ProgramCacheBound, LocalMemorySizedToTheScanBatch) {
  DeviceRegistry& registry = DeviceRegistry::Default();
  Compiled c = Compile(Nth(0));
  ProgramCache cache(&registry);
  for (const char* device : {"host", "auto"}) {
    auto r = Lookup(cache, c, device);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const bg::abi::ProgramLayout& l = r->program->program->layout();
    // A scan stages kScanBatchBlocks blocks; the staging area holds that many
    // blocks of kScanBlockBudget bytes, and a single block up to all of it.
    EXPECT_GE(l.max_blocks, kScanBatchBlocks) << device;
    EXPECT_GE(l.block_capacity, uint64_t{kScanBatchBlocks} * kScanBlockBudget) << device;
    EXPECT_EQ(l.max_block_size, l.block_capacity) << device;
    // ... and is no longer the fixed 4 MiB (+ pad) of the default options.
    EXPECT_LE(l.mem_size, (1u << 20) + 64) << device << " " << r->program->device->caps().name;
  }
}

// 1,000 distinct predicates, default limits, device auto (the kernel where it
// is usable, else the host). Documented bound (engine/api/README.md): the
// cache holds at most max_entries programs and max_bytes of them, and the
// process's RSS grows by at most 320 MiB over the 1,000 compiles (unbounded,
// ~2-4 MiB per program, it would grow by 2-4 GB); past the first few hundred
// compiles it stops growing beyond allocator slack (64 MiB).
TEST(ProgramCacheBound, ThousandPredicatesStayUnderTheRssBound) {
  ProgramCache cache(&DeviceRegistry::Default());
  const ProgramCacheOptions& limits = cache.options();
  const size_t start = RssBytes();
  ASSERT_GT(start, 0u);
  size_t at_half = 0;
  constexpr int kPredicates = 1000;
  for (int i = 0; i < kPredicates; ++i) {
    Compiled c = Compile(Nth(i));
    auto r = Lookup(cache, c, "auto");
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
    ASSERT_FALSE(r->cached) << i;
    ASSERT_LE(cache.size(), limits.max_entries);
    ASSERT_LE(cache.bytes(), limits.max_bytes);
    if (i == kPredicates / 2) at_half = RssBytes();
  }
  const size_t end = RssBytes();
  EXPECT_EQ(cache.size(), std::min<size_t>(limits.max_entries, kPredicates));
  EXPECT_EQ(cache.misses(), static_cast<uint64_t>(kPredicates));
  EXPECT_EQ(cache.evictions(), kPredicates - cache.size());
  const double mib = 1.0 / (1 << 20);
  std::printf(
      "RSS: start %.1f MiB, after %d %.1f MiB, after %d %.1f MiB; cache %zu programs, "
      "%.1f MiB\n",
      start * mib, kPredicates / 2, at_half * mib, kPredicates, end * mib, cache.size(),
      cache.bytes() * mib);
  EXPECT_LE(end, start + (size_t{320} << 20));
  EXPECT_LE(end, at_half + (size_t{64} << 20));
}

}  // namespace
}  // namespace pushdown::exec
