// q6_aggregate: loads N random lineitem rows through the embedding API and runs
// TPC-H Q6 as Aggregate() on the kernel, host and iterator paths (twice: the
// first run compiles the program and, without "compact", flushes the memtable).
//   q6_aggregate DB_DIR N [compact]     (DB_DIR must not exist)
#include <chrono>
#include <cstdio>
#include <random>

#include "bpfgen/schema/tpch.h"
#include "engine/api/pushdown_db.h"
using namespace pushdown::engine;
static double Ms(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count();
}
int main(int argc, char** argv) {
  const int64_t n = atoll(argv[2]);
  DbOptions o;
  o.customize = [](rocksdb::Options* x) {
    x->write_buffer_size = 64 << 20;
    x->compression = rocksdb::kLZ4Compression;
  };
  auto db = PushdownDB::Open(argv[1], o);
  if (!db.ok()) {
    fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  auto t = (*db)->CreateTable("lineitem", pushdown::bpfgen::kLineitemDdl);
  if (!t.ok()) {
    fprintf(stderr, "%s\n", t.status().ToString().c_str());
    return 1;
  }
  std::mt19937_64 rng(1);
  auto start = std::chrono::steady_clock::now();
  TableWriteBatch b;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<Datum> r = {Datum::Int(i / 4),
                            Datum::Int(i % 4 + 1),
                            Datum::Int(rng() % 200000),
                            Datum::Int(rng() % 10000),
                            Datum::Int((rng() % 50 + 1) * 100),
                            Datum::Int(rng() % 10000000),
                            Datum::Int(rng() % 11),
                            Datum::Int(rng() % 9),
                            Datum::String("N"),
                            Datum::String("O"),
                            Datum::Int(8036 + rng() % 2500),
                            Datum::Int(8036 + rng() % 2500),
                            Datum::Int(8036 + rng() % 2500),
                            Datum::String("DELIVER IN PERSON"),
                            Datum::String("TRUCK"),
                            Datum::String("carefully final deposits")};
    if (!b.Put(**t, r).ok()) return 1;
    if (b.count() >= 1000) {
      if (!(*t)->Write(b).ok()) return 1;
      b.Clear();
    }
  }
  (void)(*t)->Write(b);
  printf("load %lld rows: %.0f ms\n", (long long)n, Ms(start));
  const char* q6 =
      "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN "
      "0.05 AND 0.07 AND l_quantity < 24";
  if (argc > 3) {
    rocksdb::CompactRangeOptions c;
    c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    (*db)->db()->CompactRange(c, (*t)->column_family(), nullptr, nullptr);
    printf("compacted\n");
  }
  for (int rep = 0; rep < 2; ++rep)
    for (const char* dev : {"kernel", "host", "iterator"}) {
      ScanOptions so;
      so.device = pushdown::exec::ParseDeviceRequest(dev);
      so.flush_memtable = true;  // opt-in write: scan the loaded rows from SST files
      start = std::chrono::steady_clock::now();
      auto a = (*db)->Aggregate("lineitem", q6, "count(*), sum(l_extendedprice * l_discount)", so);
      double ms = Ms(start);
      if (!a.ok()) {
        fprintf(stderr, "%s\n", a.status().ToString().c_str());
        return 1;
      }
      printf(
          "rep %d %-8s %8.1f ms rows=%lld revenue=%lld path=%s flushed=%d compile_ms=%.1f "
          "cached=%d bytes_read=%llu bytes_to_host=%llu device_ms=%.1f\n",
          rep, dev, ms, (long long)a->values[0].i, (long long)a->values[1].i, a->info.path.c_str(),
          a->info.flushed, a->info.compile_ms, a->info.program_cached,
          (unsigned long long)a->stats.bytes_read, (unsigned long long)a->stats.bytes_to_host,
          a->stats.device_ns / 1e6);
    }
  return 0;
}
