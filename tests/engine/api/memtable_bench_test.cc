// The "Memtable cost" measurement (prints; no timed assertion): TPC-H
// lineitem in two stock-RocksDB DBs with the same rows, 90% of them compacted
// into SST files and every tenth row (10%) only in the memtable of one DB and
// flushed to an L0 file in the other; TPC-H Q6 through CaptureMemtable + the
// ScanExecutor on the host device, alternating between the two DBs
// (interleaved pairs). Both scans must return the same rows (and the memtable
// one the iterator's count). Scale: PD_MEMTABLE_BENCH_SCALE (0.01 in ctest;
// bench/pushdown_bench/analysis.md was measured at 0.1).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
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

// Writes the bench's DB at `path`: 90% of the rows compacted into SST files,
// every tenth row (`late`) then written and left in the memtable; flushed to
// an L0 file too when `flush`.
void WriteDb(const std::string& path, const bpfgen::Schema& schema, const bpfgen::RowLayout& layout,
             double scale, bool flush, std::unique_ptr<rocksdb::DB>* db, uint64_t* rows,
             uint64_t* late_rows) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 512 << 20;  // the 10% stays in one memtable
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, path, &raw).ok());
  db->reset(raw);
  tpch::LineitemGenerator gen(scale);
  std::vector<bpfgen::Datum> row;
  std::vector<std::pair<std::string, std::string>> late;
  rocksdb::WriteBatch batch;
  uint64_t n = 0;
  while (gen.Next(&row)) {
    std::string key = bpfgen::EncodeKey(schema, row);
    std::string value;
    ASSERT_TRUE(bpfgen::EncodeRow(schema, layout, row, &value).ok());
    if (n++ % 10 == 9) {
      late.emplace_back(std::move(key), std::move(value));
      continue;
    }
    ASSERT_TRUE(batch.Put(key, value).ok());
    if (batch.Count() == 1000) {
      ASSERT_TRUE((*db)->Write(rocksdb::WriteOptions(), &batch).ok());
      batch.Clear();
    }
  }
  ASSERT_TRUE((*db)->Write(rocksdb::WriteOptions(), &batch).ok());
  batch.Clear();
  ASSERT_TRUE((*db)->Flush(rocksdb::FlushOptions()).ok());
  // Rewritten into the last level with sequence numbers zeroed: otherwise
  // RocksDB compacts the moved files again (to zero them) in the background
  // once a snapshot is released, i.e. during the timed scans.
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  ASSERT_TRUE((*db)->CompactRange(cro, nullptr, nullptr).ok());
  for (const auto& [k, v] : late) {
    ASSERT_TRUE(batch.Put(k, v).ok());
    if (batch.Count() == 1000) {
      ASSERT_TRUE((*db)->Write(rocksdb::WriteOptions(), &batch).ok());
      batch.Clear();
    }
  }
  ASSERT_TRUE((*db)->Write(rocksdb::WriteOptions(), &batch).ok());
  if (flush) {
    ASSERT_TRUE((*db)->Flush(rocksdb::FlushOptions()).ok());
  }
  // No background work left that could run during the timed scans.
  for (int i = 0; i < 600; ++i) {
    uint64_t running = 0;
    uint64_t pending = 0;
    ASSERT_TRUE((*db)->GetIntProperty("rocksdb.num-running-compactions", &running));
    ASSERT_TRUE((*db)->GetIntProperty("rocksdb.compaction-pending", &pending));
    if (running == 0 && pending == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  *rows = n;
  *late_rows = late.size();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TEST(MemtableBench, TenPercentInTheMemtableVersusFlushed) {
  const double scale = Scale();
  auto schema = bpfgen::ParseSchema(bpfgen::kLineitemDdl);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const bpfgen::RowLayout layout = bpfgen::RowLayout::Compute(*schema);
  auto pred = bpfgen::CompilePredicate(kQ6, *schema);
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  bpfgen::SplitResult split = bpfgen::SplitPredicate(*pred, *schema, bpfgen::TargetCaps::Host());
  // The engine's local-memory sizes (its program cache compiles with these).
  const bpfgen::CompileOptions compile_options =
      exec::ScanCompileOptions(exec::DeviceRegistry::Default().host().caps().compile_options);
  auto program = exec::CompileAndLoad(exec::DeviceRegistry::Default(), "host", *schema,
                                      split.device, &compile_options);
  ASSERT_TRUE(program.ok()) << program.status().ToString();

  // Two DBs with the same rows: `mem_db` with the 10% only in the memtable,
  // `flushed_db` with them flushed to an L0 file. The timed scans alternate
  // between them (interleaved pairs), so machine noise hits both alike.
  pushdown::testing::TempDir dir("pd_memtable_bench");
  std::unique_ptr<rocksdb::DB> mem_db;
  std::unique_ptr<rocksdb::DB> flushed_db;
  uint64_t n = 0;
  uint64_t late = 0;
  uint64_t n2 = 0;
  uint64_t late2 = 0;
  ASSERT_NO_FATAL_FAILURE(
      WriteDb(dir.path() + "/mem", *schema, layout, scale, false, &mem_db, &n, &late));
  ASSERT_NO_FATAL_FAILURE(
      WriteDb(dir.path() + "/flushed", *schema, layout, scale, true, &flushed_db, &n2, &late2));
  ASSERT_EQ(n, n2);
  // (A marker for `callgrind_control -i on`: the scans start here.)
  std::printf("both DBs written\n");
  std::fflush(stdout);

  std::vector<const bpfgen::Expr*> residual;
  for (const auto& r : split.residual) residual.push_back(r.conjunct);
  auto scan_once = [&](rocksdb::DB* db, bool keep_keys) {
    ScanRun run;
    const rocksdb::Snapshot* snap = db->GetSnapshot();
    const double t0 = NowMs();
    const double c0 = CpuMs();
    auto cap = CaptureMemtable(db, db->DefaultColumnFamily(), snap);
    EXPECT_TRUE(cap.ok());
    run.capture_ms = NowMs() - t0;
    run.capture_cpu_ms = CpuMs() - c0;
    run.fallback = cap->fallback_reason;
    exec::ScanPlan plan;
    plan.memtable = std::move(cap->stream);
    plan.memtable_tombstones = cap->range_tombstones;
    plan.files = FilesOf(db);
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
  // PD_MEMTABLE_BENCH_RUNS: timed pairs (7; fewer under callgrind).
  const char* runs_env = std::getenv("PD_MEMTABLE_BENCH_RUNS");
  const int kRuns = std::max(1, runs_env != nullptr ? std::atoi(runs_env) : 7);

  // Warm-up of both + the row sets, which must be equal and the iterator's.
  ScanRun mem_keys = scan_once(mem_db.get(), true);
  ASSERT_EQ(mem_keys.fallback, "");
  ASSERT_EQ(mem_keys.memtable_entries, late);
  ScanRun flushed_keys = scan_once(flushed_db.get(), true);
  EXPECT_EQ(flushed_keys.memtable_entries, 0u);
  EXPECT_EQ(flushed_keys.keys, mem_keys.keys);
  {
    bpfgen::Evaluator eval(*schema);
    std::unique_ptr<rocksdb::Iterator> it(mem_db->NewIterator(rocksdb::ReadOptions()));
    uint64_t want = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto m = eval.Matches(*pred, it->key().ToString(), it->value().ToString());
      ASSERT_TRUE(m.ok());
      want += *m ? 1 : 0;
    }
    EXPECT_EQ(mem_keys.rows, want);
  }

  // Interleaved pairs; the order within a pair alternates.
  std::vector<ScanRun> mem;
  std::vector<ScanRun> flushed;
  std::vector<double> wall_ratio;
  std::vector<double> cpu_ratio;
  for (int i = 0; i < kRuns; ++i) {
    if (i % 2 == 0) {
      mem.push_back(scan_once(mem_db.get(), false));
      flushed.push_back(scan_once(flushed_db.get(), false));
    } else {
      flushed.push_back(scan_once(flushed_db.get(), false));
      mem.push_back(scan_once(mem_db.get(), false));
    }
    wall_ratio.push_back(mem.back().total_ms / flushed.back().total_ms);
    cpu_ratio.push_back(mem.back().cpu_ms / flushed.back().cpu_ms);
    std::printf("pair %d: memtable %.2f / %.2f ms, flushed %.2f / %.2f ms, ratio %.3fx / %.3fx\n",
                i + 1, mem.back().total_ms, mem.back().cpu_ms, flushed.back().total_ms,
                flushed.back().cpu_ms, wall_ratio.back(), cpu_ratio.back());
  }

  // The capture alone, with and without the memtable-iterator cross-check.
  double capture_cpu[2] = {0, 0};
  for (int check = 0; check < 2; ++check) {
    CaptureOptions co;
    co.cross_check_memtable_iterator = check == 1;
    std::vector<double> v;
    for (int i = 0; i < kRuns; ++i) {
      const rocksdb::Snapshot* snap = mem_db->GetSnapshot();
      const double c0 = CpuMs();
      auto cap = CaptureMemtable(mem_db.get(), mem_db->DefaultColumnFamily(), snap, co);
      v.push_back(CpuMs() - c0);
      EXPECT_TRUE(cap.ok() && cap->fallback_reason.empty());
      mem_db->ReleaseSnapshot(snap);
    }
    capture_cpu[check] = Median(v);
  }
  std::printf(
      "capture alone (thread CPU): %.2f ms without the iterator cross-check, %.2f ms with\n",
      capture_cpu[0], capture_cpu[1]);

  auto field = [](const std::vector<ScanRun>& runs, double ScanRun::*f) {
    std::vector<double> v;
    for (const ScanRun& r : runs) v.push_back(r.*f);
    return Median(v);
  };
  std::printf(
      "memtable cost (SF %.3g, %llu rows, %llu in the memtable, Q6 %llu rows, host device, "
      "median of %d interleaved pairs; wall / thread CPU):\n"
      "  10%% in the memtable: %8.2f / %8.2f ms (capture %.2f / %.2f ms)\n"
      "  after a flush:       %8.2f / %8.2f ms\n"
      "  ratio of medians:    %8.3fx / %7.3fx\n"
      "  per-pair ratio:      median %.3fx (%.3f..%.3f) / median %.3fx (%.3f..%.3f)\n",
      scale, static_cast<unsigned long long>(n), static_cast<unsigned long long>(late),
      static_cast<unsigned long long>(mem_keys.rows), kRuns, field(mem, &ScanRun::total_ms),
      field(mem, &ScanRun::cpu_ms), field(mem, &ScanRun::capture_ms),
      field(mem, &ScanRun::capture_cpu_ms), field(flushed, &ScanRun::total_ms),
      field(flushed, &ScanRun::cpu_ms),
      field(mem, &ScanRun::total_ms) / field(flushed, &ScanRun::total_ms),
      field(mem, &ScanRun::cpu_ms) / field(flushed, &ScanRun::cpu_ms), Median(wall_ratio),
      *std::min_element(wall_ratio.begin(), wall_ratio.end()),
      *std::max_element(wall_ratio.begin(), wall_ratio.end()), Median(cpu_ratio),
      *std::min_element(cpu_ratio.begin(), cpu_ratio.end()),
      *std::max_element(cpu_ratio.begin(), cpu_ratio.end()));
}

}  // namespace
}  // namespace pushdown::engine
