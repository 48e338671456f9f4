// Device throughput: time per entry and bytes per second of the kernel (eBPF) and host
// (native JIT) devices over staged RocksDB data blocks, by block size and
// blocks per batch, for TPC-H Q6 over lineitem rows and for a raw-mode
// predicate over db_bench-like entries; and the fixed cost of one batch.
//
//   build/bin/device_bench --benchmark_min_time=0.2s
//
// Blocks are built in memory in RocksDB's data block format (restart
// interval 16, internal keys with 8-byte trailers); a pool of distinct blocks
// is cycled so the working set is realistic (not one hot block).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/date.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"
#include "pushdown/device/program_cache.h"
#include "util/coding.h"

namespace pushdown::exec {
namespace {

namespace bg = bpfgen;

constexpr char kQ6[] =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
    "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24";
// ~25% of db_bench-like entries (16-byte keys, 100-byte random values).
constexpr char kRaw[] = "u32le(value, 0) < 1073741824";

class BlockBuilder {
 public:
  void Add(std::string_view key, std::string_view value) {
    size_t shared = 0;
    if (count_ % 16 == 0) {
      restarts_.push_back(static_cast<uint32_t>(buf_.size()));
    } else {
      while (shared < last_.size() && shared < key.size() && last_[shared] == key[shared]) ++shared;
    }
    PutVarint32(&buf_, static_cast<uint32_t>(shared));
    PutVarint32(&buf_, static_cast<uint32_t>(key.size() - shared));
    PutVarint32(&buf_, static_cast<uint32_t>(value.size()));
    buf_.append(key.substr(shared));
    buf_.append(value);
    last_.assign(key);
    ++count_;
  }
  size_t SizeWith(size_t key, size_t value) const {
    return buf_.size() + 3 + key + value + 4 * (restarts_.size() + 1) + 4;
  }
  std::string Finish() {
    std::string out = buf_;
    if (restarts_.empty()) restarts_.push_back(0);
    for (uint32_t r : restarts_) PutFixed32(&out, r);
    PutFixed32(&out, static_cast<uint32_t>(restarts_.size()));
    *this = BlockBuilder();
    return out;
  }
  int count() const { return count_; }

 private:
  int count_ = 0;
  std::string buf_, last_;
  std::vector<uint32_t> restarts_;
};

std::string BigEndianKey(uint64_t a, uint32_t b) {
  std::string k;
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>(a >> (8 * i)));
  for (int i = 3; i >= 0; --i) k.push_back(static_cast<char>(b >> (8 * i)));
  return k;
}

std::string LineitemRow(const bg::Schema& schema, const bg::RowLayout& layout, uint64_t order,
                        int line, std::mt19937_64& rng) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
  };
  int64_t ship = bg::DaysFromCivil(1992, 1, 1) + pick(0, 2525);
  static const char* kModes[] = {"AIR", "MAIL", "SHIP", "TRUCK", "RAIL", "FOB", "REG AIR"};
  std::vector<bg::Datum> row = {
      bg::Datum::Int(static_cast<int64_t>(order)),
      bg::Datum::Int(line),
      bg::Datum::Int(pick(1, 200000)),
      bg::Datum::Int(pick(1, 10000)),
      bg::Datum::Int(pick(1, 50) * 100),
      bg::Datum::Int(pick(90000, 10494950)),
      bg::Datum::Int(pick(0, 10)),
      bg::Datum::Int(pick(0, 8)),
      bg::Datum::String(rng() % 2 ? "R" : "N"),
      bg::Datum::String(rng() % 2 ? "O" : "F"),
      bg::Datum::Int(ship),
      bg::Datum::Int(ship + pick(-30, 60)),
      bg::Datum::Int(ship + pick(1, 30)),
      bg::Datum::String("DELIVER IN PERSON"),
      bg::Datum::String(kModes[rng() % 7]),
      bg::Datum::String(std::string(static_cast<size_t>(pick(10, 43)), 'c')),
  };
  std::string value;
  Status s = bg::EncodeRow(schema, layout, row, &value);
  if (!s.ok()) {
    fprintf(stderr, "EncodeRow: %s\n", s.ToString().c_str());
    abort();
  }
  return value;
}

struct Workload {
  bg::Schema schema;
  bg::Predicate predicate;
  std::vector<std::string> blocks;  // pool, each <= block_size
  std::vector<uint32_t> entries;    // per block
};

// Builds a pool of `count` blocks of at most `block_size` bytes.
Workload MakeWorkload(bool raw, size_t block_size, size_t count) {
  Workload w;
  auto schema = raw ? Result<bg::Schema>(bg::Schema::Raw()) : bg::ParseSchema(bg::kLineitemDdl);
  if (!schema.ok()) abort();
  w.schema = std::move(schema).value();
  auto predicate = bg::CompilePredicate(raw ? kRaw : kQ6, w.schema);
  if (!predicate.ok()) {
    fprintf(stderr, "predicate: %s\n", predicate.status().ToString().c_str());
    abort();
  }
  w.predicate = std::move(predicate).value();
  bg::RowLayout layout;
  if (!raw) layout = bg::RowLayout::Compute(w.schema);
  std::mt19937_64 rng(42);
  BlockBuilder builder;
  uint64_t n = 0;
  while (w.blocks.size() < count) {
    std::string key, value;
    if (raw) {
      key = BigEndianKey(n, 0) + "pad0pad0";
      value.resize(100);
      for (auto& c : value) c = static_cast<char>(rng());
    } else {
      key = BigEndianKey(n / 7 + 1, static_cast<uint32_t>(n % 7 + 1));
      value = LineitemRow(w.schema, layout, n / 7 + 1, static_cast<int>(n % 7 + 1), rng);
    }
    PutFixed64(&key, ((n + 1) << 8) | 1);  // seq, kTypeValue
    if (builder.count() > 0 && builder.SizeWith(key.size(), value.size()) > block_size) {
      w.entries.push_back(static_cast<uint32_t>(builder.count()));
      w.blocks.push_back(builder.Finish());
    }
    builder.Add(key, value);
    ++n;
  }
  return w;
}

std::vector<const bg::Expr*> Conjuncts(const bg::Predicate& p) {
  std::vector<const bg::Expr*> out;
  for (const auto& c : p.conjuncts) out.push_back(c.get());
  return out;
}

// Args: device (0 kernel, 1 host), raw (0 Q6 lineitem, 1 raw), block KiB, blocks per batch.
void BM_Device(benchmark::State& state) {
  const char* device = state.range(0) == 0 ? "kernel" : "host";
  const bool raw = state.range(1) != 0;
  const size_t block_size = static_cast<size_t>(state.range(2)) << 10;
  const size_t per_batch = static_cast<size_t>(state.range(3));
  const size_t pool = std::max<size_t>(per_batch, (16u << 20) / block_size);  // ~16 MiB of blocks
  Workload w = MakeWorkload(raw, block_size, std::min<size_t>(pool, 1024));
  auto loaded = CompileAndLoad(DeviceRegistry::Default(), device, w.schema, Conjuncts(w.predicate));
  if (!loaded.ok()) {
    state.SkipWithError(loaded.status().ToString().c_str());
    return;
  }
  if ((*loaded)->fallback.fell_back()) {
    std::string why = std::string("fell back: ") + FallbackReasonName((*loaded)->fallback.reason) +
                      ": " + (*loaded)->fallback.detail;
    state.SkipWithError(why.c_str());
    return;
  }
  DeviceProgram& prog = **loaded;
  std::vector<BlockInput> batch(per_batch);
  size_t next = 0;
  uint64_t entries = 0, bytes = 0, matched = 0;
  for (auto _ : state) {
    for (auto& b : batch) {
      b.contents = w.blocks[next];
      b.flags = 0;
      bytes += w.blocks[next].size();
      entries += w.entries[next];
      next = next + 1 == w.blocks.size() ? 0 : next + 1;
    }
    auto result = prog.device->Execute(*prog.program, batch);
    if (!result.ok() || result->context().blocks_done != per_batch) {
      state.SkipWithError(result.ok() ? "output full" : result.status().ToString().c_str());
      return;
    }
    matched += result->context().matched;
    benchmark::DoNotOptimize(result->context().out_count);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  // Seconds of CPU time per entry (printed with an SI prefix: "2.5n" = 2.5 ns).
  // CPU time includes the kernel's (BPF_PROG_TEST_RUN runs in this thread).
  state.counters["per_entry"] = benchmark::Counter(
      static_cast<double>(entries), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["entries_per_block"] =
      static_cast<double>(entries) / static_cast<double>(state.iterations() * per_batch);
  state.counters["selectivity"] = entries ? static_cast<double>(matched) / entries : 0;
}

// The fixed cost of one batch: one block with no entries (Q6 program).
void BM_FixedCost(benchmark::State& state) {
  const char* device = state.range(0) == 0 ? "kernel" : "host";
  Workload w = MakeWorkload(false, 4096, 1);
  auto loaded = CompileAndLoad(DeviceRegistry::Default(), device, w.schema, Conjuncts(w.predicate));
  if (!loaded.ok() || (*loaded)->fallback.fell_back()) {
    state.SkipWithError(loaded.ok() ? (*loaded)->fallback.detail.c_str()
                                    : loaded.status().ToString().c_str());
    return;
  }
  std::string empty;
  PutFixed32(&empty, 0);
  PutFixed32(&empty, 1);
  std::vector<BlockInput> batch = {{empty, 0}};
  for (auto _ : state) {
    auto result = (*loaded)->device->Execute(*(*loaded)->program, batch);
    if (!result.ok()) {
      state.SkipWithError(result.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(result->context().entries);
  }
}

void DeviceArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"kernel0_host1", "raw", "block_kib", "blocks_per_batch"});
  for (int device : {0, 1})
    for (int raw : {0, 1})
      for (int kib : {4, 16, 64})
        for (int per_batch : {1, 16, 64}) {
          // A batch must fit the default staging capacity (CompileOptions::
          // block_capacity, 2 MiB): 64 x 64 KiB runs as 32 x 64 KiB.
          if (kib * per_batch > 2048) per_batch = 2048 / kib;
          b->Args({device, raw, kib, per_batch});
        }
}

BENCHMARK(BM_Device)->Apply(DeviceArgs);
BENCHMARK(BM_FixedCost)->ArgName("kernel0_host1")->Arg(0)->Arg(1);

}  // namespace
}  // namespace pushdown::exec

BENCHMARK_MAIN();
