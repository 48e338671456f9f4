// The "Memtable cost" measurement (prints; no timed assertion): TPC-H
// lineitem in a stock-RocksDB DB, 90% of the rows compacted into SST files and
// every tenth row (10%) only in the memtable, then TPC-H Q6 through
// CaptureMemtable + the ScanExecutor on the host device; then the same scan
// after a flush of those rows. Both scans must return the same rows (and the
// memtable one the iterator's count). Scale: PD_MEMTABLE_BENCH_SCALE (0.01 in
// ctest; bench/results/memtable.md was measured at 0.1).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"
#include "engine/api/internal.h"
#include "engine/api/memtable_view.h"
#include "engine/tpch/lineitem_gen.h"
#include "pushdown/device/program_cache.h"
#include "pushdown/scan/scan_executor.h"
#include "rocksdb/db.h"
#include "rocksdb/metadata.h"
#include "rocksdb/write_batch.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

constexpr char kQ6[] =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
    "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24";

double Scale() {
  const char* s = std::getenv("PD_MEMTABLE_BENCH_SCALE");
  return s != nullptr ? std::atof(s) : 0.01;
}

// Thread CPU time: the machine is shared, so wall time is noisy.
double CpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<exec::ScanFile> FilesOf(rocksdb::DB* db) {
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(&meta);
  return ScanFilesOf(meta);
}

struct ScanRun {
  double total_ms = 0;
  double capture_ms = 0;
  double cpu_ms = 0;
  double capture_cpu_ms = 0;
  uint64_t rows = 0;
  uint64_t memtable_entries = 0;
  std::string fallback;
  std::vector<std::string> keys;
};

TEST(MemtableBench, TenPercentInTheMemtableVersusFlushed) {
  const double scale = Scale();
  auto schema = bpfgen::ParseSchema(bpfgen::kLineitemDdl);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const bpfgen::RowLayout layout = bpfgen::RowLayout::Compute(*schema);
  auto pred = bpfgen::CompilePredicate(kQ6, *schema);
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  bpfgen::SplitResult split = bpfgen::SplitPredicate(*pred, *schema, bpfgen::TargetCaps::Host());
  auto program =
      exec::CompileAndLoad(exec::DeviceRegistry::Default(), "host", *schema, split.device);
  ASSERT_TRUE(program.ok()) << program.status().ToString();

  pushdown::testing::TempDir dir("pd_memtable_bench");
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 512 << 20;  // the 10% stays in one memtable
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir.path() + "/db", &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);

  // 90% of the rows into SST files (flushed, compacted); every tenth row kept
  // back (encoded) for the memtable.
  tpch::LineitemGenerator gen(scale);
  std::vector<bpfgen::Datum> row;
  std::vector<std::pair<std::string, std::string>> late;
  rocksdb::WriteBatch batch;
  uint64_t n = 0;
  while (gen.Next(&row)) {
    std::string key = bpfgen::EncodeKey(*schema, row);
    std::string value;
    ASSERT_TRUE(bpfgen::EncodeRow(*schema, layout, row, &value).ok());
    if (n++ % 10 == 9) {
      late.emplace_back(std::move(key), std::move(value));
      continue;
    }
    ASSERT_TRUE(batch.Put(key, value).ok());
    if (batch.Count() == 1000) {
      ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
      batch.Clear();
    }
  }
  ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  batch.Clear();
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  ASSERT_TRUE(db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
  for (const auto& [k, v] : late) {
    ASSERT_TRUE(batch.Put(k, v).ok());
    if (batch.Count() == 1000) {
      ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
      batch.Clear();
    }
  }
  ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());

  std::vector<const bpfgen::Expr*> residual;
  for (const auto& r : split.residual) residual.push_back(r.conjunct);
  auto scan_once = [&](bool keep_keys) {
    ScanRun run;
    const rocksdb::Snapshot* snap = db->GetSnapshot();
    const double t0 = NowMs();
    const double c0 = CpuMs();
    auto cap = CaptureMemtable(db.get(), db->DefaultColumnFamily(), snap);
    EXPECT_TRUE(cap.ok());
    run.capture_ms = NowMs() - t0;
    run.capture_cpu_ms = CpuMs() - c0;
    run.fallback = cap->fallback_reason;
    exec::ScanPlan plan;
    plan.memtable = std::move(cap->stream);
    plan.memtable_tombstones = cap->range_tombstones;
    plan.files = FilesOf(db.get());
    plan.snapshot = snap->GetSequenceNumber();
    plan.schema = &*schema;
    plan.device_conjuncts = split.device;
    plan.residual_conjuncts = residual;
    plan.projection = exec::Projection::Columns({0, 1});
    plan.device = (*program)->device;
    plan.program = (*program)->program.get();
    auto scan = exec::ScanExecutor::Open(plan);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    exec::Row r;
    for (;;) {
      Status s = (*scan)->Next(&r);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || !(*scan)->Valid()) break;
      ++run.rows;
      if (keep_keys) run.keys.push_back(r.key);
    }
    run.total_ms = NowMs() - t0;
    run.cpu_ms = CpuMs() - c0;
    run.memtable_entries = (*scan)->stats().memtable_entries;
    db->ReleaseSnapshot(snap);
    return run;
  };
  auto median = [&](std::vector<ScanRun>* runs, double ScanRun::*field) {
    std::vector<double> v;
    for (const ScanRun& r : *runs) v.push_back(r.*field);
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  // PD_MEMTABLE_BENCH_RUNS: timed scans per state (7; fewer under callgrind).
  const char* runs_env = std::getenv("PD_MEMTABLE_BENCH_RUNS");
  const int kRuns = std::max(1, runs_env != nullptr ? std::atoi(runs_env) : 7);

  ScanRun mem_keys = scan_once(true);  // warm-up + the row set
  ASSERT_EQ(mem_keys.fallback, "");
  ASSERT_EQ(mem_keys.memtable_entries, late.size());
  std::vector<ScanRun> mem;
  for (int i = 0; i < kRuns; ++i) mem.push_back(scan_once(false));
  // The iterator's count at the same state.
  {
    bpfgen::Evaluator eval(*schema);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    uint64_t want = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto m = eval.Matches(*pred, it->key().ToString(), it->value().ToString());
      ASSERT_TRUE(m.ok());
      want += *m ? 1 : 0;
    }
    EXPECT_EQ(mem_keys.rows, want);
  }

  // The capture alone, with and without the memtable-iterator cross-check.
  double capture_cpu[2] = {0, 0};
  for (int check = 0; check < 2; ++check) {
    CaptureOptions co;
    co.cross_check_memtable_iterator = check == 1;
    std::vector<double> v;
    for (int i = 0; i < kRuns; ++i) {
      const rocksdb::Snapshot* snap = db->GetSnapshot();
      const double c0 = CpuMs();
      auto cap = CaptureMemtable(db.get(), db->DefaultColumnFamily(), snap, co);
      v.push_back(CpuMs() - c0);
      EXPECT_TRUE(cap.ok() && cap->fallback_reason.empty());
      db->ReleaseSnapshot(snap);
    }
    std::sort(v.begin(), v.end());
    capture_cpu[check] = v[v.size() / 2];
  }
  std::printf(
      "capture alone (thread CPU): %.2f ms without the iterator cross-check, %.2f ms with\n",
      capture_cpu[0], capture_cpu[1]);

  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  ScanRun flushed_keys = scan_once(true);
  EXPECT_EQ(flushed_keys.memtable_entries, 0u);
  EXPECT_EQ(flushed_keys.keys, mem_keys.keys);
  std::vector<ScanRun> flushed;
  for (int i = 0; i < kRuns; ++i) flushed.push_back(scan_once(false));

  const double m = median(&mem, &ScanRun::total_ms);
  const double f = median(&flushed, &ScanRun::total_ms);
  const double mc = median(&mem, &ScanRun::cpu_ms);
  const double fc = median(&flushed, &ScanRun::cpu_ms);
  std::printf(
      "memtable cost (SF %.3g, %llu rows, %zu in the memtable, Q6 %llu rows, host device, "
      "median of %d; wall / thread CPU):\n"
      "  10%% in the memtable: %8.2f / %8.2f ms (capture %.2f / %.2f ms)\n"
      "  after a flush:       %8.2f / %8.2f ms\n"
      "  ratio:               %8.3fx / %7.3fx\n",
      scale, static_cast<unsigned long long>(n), late.size(),
      static_cast<unsigned long long>(mem_keys.rows), kRuns, m, mc,
      median(&mem, &ScanRun::capture_ms), median(&mem, &ScanRun::capture_cpu_ms), f, fc, m / f,
      mc / fc);
}

}  // namespace
}  // namespace pushdown::engine
