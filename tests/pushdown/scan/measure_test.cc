// Not a test: a measurement, run by hand (disabled in CI):
//   build-scan/tests/pushdown_scan_torture_bpf_test
//     --gtest_also_run_disabled_tests --gtest_filter='*Measure*'
// Scans one compacted DB (PD_MEASURE_KEYS keys, default 200000; 16-byte keys,
// 100-byte values) with a 1%-selective predicate on every path and prints
// ScanStats and wall time. The only assertion: every path returns the same rows.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "pushdown/device/program_cache.h"
#include "pushdown/scan/scan_executor.h"
#include "tests/support/sst_builder.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TEST(ScanMeasure, DISABLED_MeasureScan) {
  const char* env = std::getenv("PD_MEASURE_KEYS");
  const int n = env ? std::atoi(env) : 200000;
  char tmpl[] = "/dev/shm/pd_measure.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    pt::DbSpec spec;
    spec.sst.block_size = 4096;
    auto db = pt::TestDb::Open(dir + "/db", spec);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;
    for (int i = 0; i < n; ++i) {
      char key[17];
      std::snprintf(key, sizeof(key), "%016d", i);
      const uint64_t x = (uint64_t{static_cast<uint32_t>(i)} * 7919) % 1000003;
      std::string value;
      for (int b = 7; b >= 0; --b) value.push_back(static_cast<char>((x >> (8 * b)) & 0xff));
      value.append(92, 'v');
      ASSERT_TRUE((*db)->db()->Put(wo, key, value).ok());
    }
    ASSERT_TRUE((*db)->Flush().ok());
    ASSERT_TRUE((*db)->CompactAll().ok());
    auto live = (*db)->LiveFiles();
    ASSERT_TRUE(live.ok());

    bpfgen::Schema schema = bpfgen::Schema::Raw();
    auto pred = bpfgen::CompilePredicate("u64be(value, 0) % 100 = 0", schema);
    ASSERT_TRUE(pred.ok()) << pred.status().ToString();
    std::vector<const bpfgen::Expr*> conjuncts;
    for (const auto& c : pred->conjuncts) conjuncts.push_back(c.get());

    ScanPlan base;
    base.schema = &schema;
    base.device_conjuncts = conjuncts;
    base.snapshot = (*db)->db()->GetLatestSequenceNumber();
    uint64_t file_bytes = 0;
    for (const auto& f : *live) {
      base.files.push_back({f.path, f.level, true, f.smallest_seqno, f.largest_seqno});
      file_bytes += f.size;
    }

    // Baseline: RocksDB iterator + the reference evaluator.
    bpfgen::Evaluator eval(schema);
    double best = 1e18;
    uint64_t expected = 0;
    for (int rep = 0; rep < 3; ++rep) {
      const double t0 = NowMs();
      std::unique_ptr<rocksdb::Iterator> it((*db)->db()->NewIterator(rocksdb::ReadOptions()));
      uint64_t rows = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto m = eval.Matches(conjuncts, {it->key().data(), it->key().size()},
                              {it->value().data(), it->value().size()});
        if (m.ok() && *m) ++rows;
      }
      best = std::min(best, NowMs() - t0);
      expected = rows;
    }
    std::printf("%d keys, %zu files, %llu file bytes\n", n, base.files.size(),
                static_cast<unsigned long long>(file_bytes));
    std::printf("%-22s rows %7llu  best of 3: %8.1f ms\n", "iterator+evaluator",
                static_cast<unsigned long long>(expected), best);

    struct Path {
      const char* name;
      const char* device;  // nullptr: host reference path
    };
    for (const Path& path :
         {Path{"host path (evaluator)", nullptr}, Path{"host device (JIT)", "host"},
          Path{"kernel device (BPF)", "kernel"}}) {
      std::unique_ptr<DeviceProgram> program;
      ScanPlan plan = base;
      if (path.device != nullptr) {
        auto loaded = CompileAndLoad(DeviceRegistry::Default(), path.device, schema, conjuncts);
        ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
        if ((*loaded)->fallback.fell_back()) {
          std::printf("%-22s skipped: %s\n", path.name, (*loaded)->fallback.detail.c_str());
          continue;
        }
        program = std::move(*loaded);
        plan.device = program->device;
        plan.program = program->program.get();
      }
      for (int variant = 0; variant < 3; ++variant) {
        const uint32_t batch = variant == 1 ? 64u : 16u;
        plan.batch_blocks = batch;
        plan.block_source.reset();
        if (variant == 2) plan.block_source = BlockSourceOptions{};  // io_uring, 1 MiB reads

        double best_ms = 1e18;
        ScanStats st;
        for (int rep = 0; rep < 3; ++rep) {
          const double t0 = NowMs();
          auto scan = ScanExecutor::Open(plan);
          ASSERT_TRUE(scan.ok()) << scan.status().ToString();
          Row row;
          for (;;) {
            ASSERT_TRUE((*scan)->Next(&row).ok());
            if (!(*scan)->Valid()) break;
          }
          const double ms = NowMs() - t0;
          if (ms < best_ms) {
            best_ms = ms;
            st = (*scan)->stats();
          }
        }
        EXPECT_EQ(st.rows_matched, expected) << path.name;
        std::printf(
            "%-22s batch %2u %-8s rows %7llu  best of 3: %8.1f ms  blocks %llu  bytes_read %llu  "
            "bytes_to_host %llu (%.1f%%)  entries %llu  device %.1f ms  host %.1f ms\n",
            path.name, batch, plan.block_source ? "io_uring" : "pread",
            static_cast<unsigned long long>(st.rows_matched), best_ms,
            static_cast<unsigned long long>(st.blocks_read),
            static_cast<unsigned long long>(st.bytes_read),
            static_cast<unsigned long long>(st.bytes_to_host),
            100.0 * static_cast<double>(st.bytes_to_host) / static_cast<double>(st.bytes_read),
            static_cast<unsigned long long>(st.entries_scanned), st.device_ns / 1e6,
            st.host_ns / 1e6);
        if (path.device == nullptr && variant == 0) variant = 1;  // host path: pread + io_uring
      }
    }
  }
  pt::RemoveRecursively(dir);
}

}  // namespace
}  // namespace pushdown::exec
