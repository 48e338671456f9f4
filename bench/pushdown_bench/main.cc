// pushdown_bench: a db_bench-compatible driver (same flag names and defaults,
// same output line) for pushdown scans. Every pushdown benchmark also runs, in
// the same process, interleaved with it:
//   - the bench's plain baseline ("baseline": a RocksDB iterator on the
//     benchmark's own DB instance, its block cache, at the same snapshot, plus
//     a hand-written C++ filter, hand_filter.h), and
//   - the expert baselines (baselines.h: tuned DB iterator and SstFileReader,
//     at 1 thread and at --threads), with the same filter,
// checks that every one returns the same rows (and Q6 aggregates) as the
// pushdown side, and reports medians over --repeats, the best baseline at the
// pushdown side's thread count and at all cores (best_baseline*, speedup_vs_best*),
// and the pushdown side's first run (program compile + load included) apart
// from its cached runs.
//
// db_bench's --threads N runs N readers of the same benchmark: in every timed
// round the pushdown side runs N scans at once (one per reader thread; its
// pushdown_s is then the round's wall time, in which every reader completed a
// scan). The all-core baselines run at --baseline_threads. What an operation
// is for --reads, --duration, --histogram and the interval/report flags:
// db_bench_flags.h.
#include <gflags/gflags.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/pushdown_bench/baselines.h"
#include "bench/pushdown_bench/db_bench_data.h"
#include "bench/pushdown_bench/db_bench_flags.h"
#include "bench/pushdown_bench/events_data.h"
#include "bench/pushdown_bench/hand_filter.h"
#include "bench/pushdown_bench/op_stats.h"
#include "bench/pushdown_bench/report.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/tpch.h"
#include "engine/api/pushdown_db.h"
#include "engine/api/query.h"
#include "engine/tpch/lineitem_gen.h"
#include "engine/tpch/lineitem_loader.h"
#include "rocksdb/cache.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"

// db_bench's flags (names and defaults).
DEFINE_string(db, "", "database directory (default /tmp/rocksdbtest-<uid>/dbbench, as db_bench)");
DEFINE_int64(num, 1000000, "number of key/values to write (fillseq, fillrandom)");
DEFINE_int32(key_size, 16, "size of each key");
DEFINE_int32(value_size, 100, "size of each value");
DEFINE_string(compression_type, "snappy", "block compression: none|snappy|lz4|zstd|zlib");
DEFINE_double(compression_ratio, 0.5, "values compress to this fraction of their size");
DEFINE_int32(block_size, 4096, "block size of the block-based table");
DEFINE_int64(cache_size, 8 << 20, "block cache bytes (negative: no block cache)");
DEFINE_bool(use_existing_db, false, "do not destroy the DB first");
DEFINE_int64(target_file_size_base, 64 << 20, "target SST file size (as db_bench)");
DEFINE_string(benchmarks, "fillseq,filterscan",
              "comma list of: fillseq, fillrandom, compact, loadtpch, filterscan, tpch_q6, "
              "tpch_q6_sql, tpch_q1, selectivity_sweep, loadevents, events_sweep");
DEFINE_int32(threads, 1,
             "reader threads of a scan benchmark, as db_bench: each runs the benchmark's scan "
             "concurrently in every timed round (writes use one thread)");
DEFINE_int32(baseline_threads, 0,
             "threads of the all-core baselines (0: the number of cores); the 1-thread "
             "baselines always run too");
DEFINE_int64(seed, 0, "seed of the random generators (0: fixed default 301, as db_bench's values)");
DEFINE_bool(statistics, false, "collect RocksDB statistics and print them at the end");
DEFINE_string(fs_uri, "",
              "pushdown://opt=v&opt=v: options of the pushdown FileSystem (the DB always opens "
              "through it)");
DEFINE_bool(use_direct_reads, false,
            "O_DIRECT reads: RocksDB's use_direct_reads for the baseline and "
            "ScanOptions::use_direct_io on the pushdown fast path");
// Pushdown flags.
DEFINE_string(pushdown, "auto",
              "where the predicate runs: off (the API's iterator path) | host | kernel | auto");
DEFINE_string(placement, "pushdown",
              "ScanOptions::placement of the pushdown side: pushdown (measure the pushdown "
              "path) | auto (the planner's cost-based choice) | iterator");
DEFINE_string(predicate, "TRUE", "filterscan predicate (needs a hand-written twin, hand_filter.h)");
DEFINE_string(scan_api, "batch",
              "how filterscan/selectivity_sweep read the pushdown side's rows: batch "
              "(ScanCursor::NextBatch: key/value slices, columns decoded on demand) or row "
              "(Next(): every column decoded into a Datum vector per row)");
DEFINE_string(table, "", "table to scan (empty: raw mode over the default column family)");
DEFINE_double(tpch_scale, 0.1, "TPC-H scale factor for loadtpch and the lineitem sweep bounds");
DEFINE_int32(repeats, 5, "timed runs per path; medians are reported");
DEFINE_string(report, "", "append one CSV row per measurement to this file");
DEFINE_int32(batch_blocks, 16, "ScanOptions::batch_blocks");
DEFINE_bool(use_io_uring, true, "ScanOptions::use_io_uring");
DEFINE_bool(pushdown_read_into_device_memory, false,
            "ScanOptions::read_into_device_memory: uncompressed files' blocks are read straight "
            "into the device program's local memory (no staging copy)");
DEFINE_bool(pushdown_mmap_reads, false,
            "ScanOptions::use_mmap_reads: the pushdown fast path walks warm files' blocks in a "
            "mapping of the file instead of reading them into buffers");
DEFINE_bool(zone_maps, true, "ScanOptions::use_zone_maps (skip blocks by their zone maps)");
DEFINE_int32(scan_workers, 1,
             "ScanOptions::workers of the pushdown scans and aggregates: key ranges scanned by "
             "that many threads (0 = one per core); speedup_vs_best compares with the best "
             "baseline at the thread count actually used (pushdown_threads)");
DEFINE_bool(expert_baselines, true,
            "also run the expert baselines (tuned DB iterator, SstFileReader; baselines.h)");
DEFINE_string(expert_reads, "auto",
              "expert baselines' reads: auto (measure mmap and 2 MiB readahead, keep the "
              "faster) | mmap | readahead");
DEFINE_bool(drop_caches, false,
            "sync and drop the page cache (/proc/sys/vm/drop_caches, root) before every timed run");

namespace pushdown::bench {
namespace {

namespace tpch = engine::tpch;
using engine::AggregateResult;
using engine::PushdownDB;
using engine::RowBatch;
using engine::ScanOptions;
using engine::ScanTarget;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "pushdown_bench: %s\n", what.c_str());
  std::fflush(stdout);
  std::exit(1);
}

template <typename T>
T Check(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(*r);
}
void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}
void Check(const rocksdb::Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
uint64_t Micros(Clock::time_point a, Clock::time_point b) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(b - a).count());
}
double ProcessCpu() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

bool g_cold = false;  // drop_caches works here

// REQUIRES: root. Returns false (once warned) where it is not allowed.
bool DropCaches() {
  ::sync();
  FILE* f = std::fopen("/proc/sys/vm/drop_caches", "w");
  if (f == nullptr || std::fputs("3", f) < 0 || std::fclose(f) != 0) {
    static bool warned = false;
    if (!warned) std::fprintf(stderr, "pushdown_bench: cannot drop the page cache (not root?)\n");
    warned = true;
    return false;
  }
  return true;
}
void BeforeTimedRun() {
  if (FLAGS_drop_caches) g_cold = DropCaches();
}

bool ParseCompression(const std::string& name, rocksdb::CompressionType* out) {
  if (name == "none")
    *out = rocksdb::kNoCompression;
  else if (name == "snappy")
    *out = rocksdb::kSnappyCompression;
  else if (name == "lz4")
    *out = rocksdb::kLZ4Compression;
  else if (name == "zstd")
    *out = rocksdb::kZSTD;
  else if (name == "zlib")
    *out = rocksdb::kZlibCompression;
  else
    return false;
  return true;
}

std::string DeviceFlag() { return FLAGS_pushdown == "off" ? "iterator" : FLAGS_pushdown; }

class Bench {
 public:
  Bench() : report_(FLAGS_report) {
    ops_options_.histogram = FLAGS_histogram;
    ops_options_.stats_interval_seconds = FLAGS_stats_interval_seconds;
    if (const int64_t interval = ReportIntervalSeconds(); interval > 0) {
      qps_reporter_ = Check(QpsReporter::Start(FLAGS_report_file, interval), "--report_file");
      ops_options_.reporter = qps_reporter_.get();
    }
  }

  void Open() {
    if (FLAGS_db.empty()) FLAGS_db = "/tmp/rocksdbtest-" + std::to_string(::geteuid()) + "/dbbench";
    namespace fs = std::filesystem;
    if (!FLAGS_use_existing_db && fs::exists(FLAGS_db)) {
      if (!fs::exists(fs::path(FLAGS_db) / "CURRENT") && !fs::is_empty(FLAGS_db)) {
        Die("--db=" + FLAGS_db + " exists and is not a RocksDB directory; not destroying it");
      }
      fs::remove_all(FLAGS_db);
    }
    const fs::path parent = fs::path(FLAGS_db).parent_path();  // empty for a relative name
    if (!parent.empty()) fs::create_directories(parent);
    rocksdb::CompressionType compression;
    if (!ParseCompression(FLAGS_compression_type, &compression)) {
      Die("unknown --compression_type=" + FLAGS_compression_type);
    }
    if (FLAGS_statistics) statistics_ = rocksdb::CreateDBStatistics();
    if (FLAGS_cache_size >= 0) cache_ = rocksdb::NewLRUCache(static_cast<size_t>(FLAGS_cache_size));
    engine::DbOptions o;
    o.device = exec::ParseDeviceRequest(DeviceFlag());
    if (!FLAGS_fs_uri.empty()) {
      const std::string prefix = "pushdown://";
      if (FLAGS_fs_uri.rfind(prefix, 0) != 0) Die("--fs_uri must start with pushdown://");
      o.fs_options = FLAGS_fs_uri.substr(prefix.size());
      for (char& c : o.fs_options) {
        if (c == '&') c = ';';
      }
    }
    o.customize = [this, compression](rocksdb::Options* opt) {
      if (!FLAGS_options_file.empty()) {  // the file replaces the option flags (db_bench)
        Check(LoadOptionsFile(FLAGS_options_file, opt), "--options_file");
        if (statistics_) opt->statistics = statistics_;
        return;
      }
      Check(ApplyDbBenchOptionFlags(opt), "options");
      opt->compression = compression;
      opt->bottommost_compression = compression;
      opt->target_file_size_base = static_cast<uint64_t>(FLAGS_target_file_size_base);
      opt->use_direct_reads = FLAGS_use_direct_reads;
      if (statistics_) opt->statistics = statistics_;
      rocksdb::BlockBasedTableOptions t;
      t.block_size = static_cast<size_t>(FLAGS_block_size);
      if (cache_)
        t.block_cache = cache_;
      else
        t.no_block_cache = true;
      ApplyBloomBits(&t);
      opt->table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    };
    db_ = Check(PushdownDB::Open(FLAGS_db, o), "open " + FLAGS_db);
  }

  void Run(const std::string& name) {
    if (name == "fillseq")
      Fill(name, false);
    else if (name == "fillrandom")
      Fill(name, true);
    else if (name == "compact")
      Compact();
    else if (name == "loadtpch")
      LoadTpch();
    else if (name == "filterscan")
      FilterScan();
    else if (name == "tpch_q6")
      TpchQ6();
    else if (name == "tpch_q1")
      TpchSql(name, kQ1Predicate, kQ1Sql);
    else if (name == "tpch_q6_sql")
      TpchSql(name, kQ6Predicate, kQ6Sql);
    else if (name == "selectivity_sweep")
      Sweep();
    else if (name == "loadevents")
      LoadEventsTable();
    else if (name == "events_sweep")
      EventsSweep();
    else
      Die("unknown benchmark '" + name + "'");
  }

  void Finish() {
    if (statistics_) {
      std::printf("STATISTICS:\n%s\n", statistics_->ToString().c_str());
      std::string stats;
      if (db_->db()->GetProperty("rocksdb.stats", &stats)) std::printf("%s\n", stats.c_str());
    }
  }

 private:
  uint64_t Seed() const { return FLAGS_seed == 0 ? 301 : static_cast<uint64_t>(FLAGS_seed); }

  void Fill(const std::string& name, bool random) {
    ValueGenerator gen(FLAGS_compression_ratio, Seed());
    std::mt19937_64 rng(Seed());
    const uint64_t num = static_cast<uint64_t>(FLAGS_num);
    rocksdb::WriteOptions wo;
    rocksdb::DB* db = db_->db();
    BenchOps ops(1, ops_options_);
    // As db_bench: --duration bounds fillrandom, not fillseq.
    Duration duration(random ? FLAGS_duration : 0, static_cast<int64_t>(num),
                      FLAGS_ops_between_duration_checks);
    const auto t0 = Clock::now();
    uint64_t done = 0;
    for (; !duration.Done(1); ++done) {
      const uint64_t k = random ? rng() % num : done;
      const std::string key = DbBenchKey(k, FLAGS_key_size);
      const std::string_view v = gen.Generate(static_cast<size_t>(FLAGS_value_size));
      const auto p0 = FLAGS_histogram ? Clock::now() : Clock::time_point();
      Check(db->Put(wo, key, rocksdb::Slice(v.data(), v.size())), name);
      ops.thread(0)->FinishedOps(1, FLAGS_histogram ? Micros(p0, Clock::now()) : 0);
    }
    const double s = Seconds(t0, Clock::now());
    ops.AddSeconds(s);
    PrintDbBenchLine(name, s, done, done * static_cast<uint64_t>(FLAGS_key_size + FLAGS_value_size),
                     "");
    if (FLAGS_histogram) {
      std::printf("Microseconds per write:\n%s\n", ops.thread(0)->histogram().ToString().c_str());
    }
  }

  void CompactCf(rocksdb::ColumnFamilyHandle* cf) {
    Check(db_->db()->Flush(rocksdb::FlushOptions(), cf), "flush");
    rocksdb::CompactRangeOptions cro;
    cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    Check(db_->db()->CompactRange(cro, cf, nullptr, nullptr), "compact");
  }

  void Compact() {
    const auto t0 = Clock::now();
    CompactCf(Cf());
    PrintDbBenchLine("compact", Seconds(t0, Clock::now()), 1, 0, "");
  }

  void LoadTpch() {
    engine::Table* table =
        Check(db_->CreateTable("lineitem", bpfgen::kLineitemDdl), "create lineitem");
    tpch::LoadOptions lo;
    lo.scale = FLAGS_tpch_scale;
    if (FLAGS_seed != 0) lo.seed = static_cast<uint64_t>(FLAGS_seed);
    const auto t0 = Clock::now();
    tpch::LoadSummary sum = Check(tpch::LoadLineitem(table, lo), "load lineitem");
    const auto t1 = Clock::now();
    CompactCf(table->column_family());
    const auto t2 = Clock::now();
    uint64_t sst_bytes = 0;
    rocksdb::ColumnFamilyMetaData meta;
    db_->db()->GetColumnFamilyMetaData(table->column_family(), &meta);
    sst_bytes = meta.size;
    std::printf(
        "# loadtpch: scale=%g rows=%lu orders=%lu load_s=%.3f compact_s=%.3f sst_bytes=%lu "
        "files=%zu compression=%s\n",
        FLAGS_tpch_scale, sum.rows, sum.orders, Seconds(t0, t1), Seconds(t1, t2), sst_bytes,
        static_cast<size_t>(meta.file_count), FLAGS_compression_type.c_str());
    const ZoneMapSize z = Check(ZoneMapSizeOf(db_->db(), table->column_family()), "zone maps");
    std::printf(
        "# loadtpch: data_blocks=%lu data_bytes=%lu zone_map_bytes=%lu "
        "zone_map_bytes/data_bytes=%.5f zone_map_block_level_columns=%s\n",
        z.data_blocks, z.data_bytes, z.zone_map_bytes,
        z.data_bytes ? static_cast<double>(z.zone_map_bytes) / static_cast<double>(z.data_bytes)
                     : 0.0,
        z.block_level_columns.c_str());
    PrintDbBenchLine("loadtpch", Seconds(t0, t2), sum.rows, 0, "");
  }

  // The time-ordered events table (events_data.h), --num rows.
  void LoadEventsTable() {
    const EventsLoad l = Check(LoadEvents(db_.get(), static_cast<uint64_t>(FLAGS_num)), "events");
    std::printf(
        "# loadevents: rows=%lu load_s=%.3f files=%lu data_blocks=%lu data_bytes=%lu "
        "sst_bytes=%lu zone_map_bytes=%lu zone_map_bytes/data_bytes=%.5f "
        "zone_map_block_level_columns=%s\n",
        l.rows, l.seconds, l.files, l.data_blocks, l.data_bytes, l.sst_bytes, l.zone_map_bytes,
        l.data_bytes ? static_cast<double>(l.zone_map_bytes) / static_cast<double>(l.data_bytes)
                     : 0.0,
        l.block_level_columns.c_str());
    PrintDbBenchLine("loadevents", l.seconds, l.rows, 0, "");
  }

  // Ranges selecting 0.1%, 1% and 10% of the events on the key (ts) and on a
  // column that follows it (ingest_ts). REQUIRES: --table=events.
  void EventsSweep() {
    if (FLAGS_table != "events") Die("events_sweep needs --table=events");
    for (const char* col : {"ts", "ingest_ts"}) {
      for (double f : {0.001, 0.01, 0.1}) {
        char name[64];
        std::snprintf(name, sizeof(name), "events_%s_%g", col, f * 100);
        ScanBench(name, EventsRange(col, static_cast<uint64_t>(FLAGS_num), f), f);
      }
    }
  }

  rocksdb::ColumnFamilyHandle* Cf() {
    if (FLAGS_table.empty()) return db_->db()->DefaultColumnFamily();
    return Check(db_->OpenTable(FLAGS_table), "open table " + FLAGS_table)->column_family();
  }

  ScanTarget Target() {
    return FLAGS_table.empty() ? ScanTarget::Raw() : ScanTarget::Table(FLAGS_table);
  }

  const bpfgen::RowLayout* Layout(engine::Table* table) {
    if (table == nullptr) return nullptr;
    layout_ = bpfgen::RowLayout::Compute(table->schema());
    return &layout_;
  }

  ScanOptions MakeScanOptions(const rocksdb::Snapshot* snap) {
    ScanOptions so;
    so.device = exec::ParseDeviceRequest(DeviceFlag());
    const std::optional<plan::Placement> placement = plan::ParsePlacement(FLAGS_placement);
    if (!placement) Die("unknown --placement=" + FLAGS_placement);
    so.placement = *placement;
    so.flush_memtable = true;  // the default before the attach API (scans flushed)
    so.snapshot = snap;
    so.batch_blocks = static_cast<uint32_t>(FLAGS_batch_blocks);
    so.use_direct_io = FLAGS_use_direct_reads;
    so.use_io_uring = FLAGS_use_io_uring;
    so.use_mmap_reads = FLAGS_pushdown_mmap_reads;
    so.read_into_device_memory = FLAGS_pushdown_read_into_device_memory;
    so.use_zone_maps = FLAGS_zone_maps;
    so.workers = static_cast<uint32_t>(std::max(0, FLAGS_scan_workers));
    return so;
  }

  static void PrintInfo(const std::string& bench, const engine::ScanInfo& info) {
    std::string pushed, residual;
    for (const auto& p : info.pushed) pushed += (pushed.empty() ? "" : " AND ") + p;
    for (const auto& r : info.residual)
      residual += (residual.empty() ? "" : "; ") + r.conjunct + " (" + r.reason + ")";
    std::printf(
        "# %s: path=%s device=%s kind=%s pushed=[%s] residual=[%s] fallback=[%s] "
        "compile_ms=%.1f files=%lu scan_api=%s\n",
        bench.c_str(), info.path.c_str(), info.device.c_str(), info.pushdown_kind.c_str(),
        pushed.c_str(), residual.c_str(), info.fallback_reason.c_str(), info.compile_ms, info.files,
        FLAGS_scan_api.c_str());
  }

  // One pushdown scan, timed: count + key checksum (and full row checksum
  // when `hash_values`, untimed verification pass).
  struct PushdownRun {
    double seconds = 0, cpu = 0;
    uint64_t matched = 0, key_sum = 0, kv_sum = 0;
    engine::ScanInfo info;
    exec::ScanStats stats;
  };
  PushdownRun RunPushdown(const ScanTarget& target, const std::string& predicate,
                          const rocksdb::Snapshot* snap, engine::Table* table, bool hash_values) {
    PushdownRun r;
    const ScanOptions so = MakeScanOptions(snap);
    const double c0 = ProcessCpu();
    const auto t0 = Clock::now();
    auto cur = Check(db_->Scan(target, predicate, so), "pushdown scan");
    if (FLAGS_scan_api == "batch") {
      // The rows' stored bytes: the key checksum (and the row checksum over
      // key and stored value, as the baselines compute it) without decoding
      // a column.
      RowBatch batch;
      for (;;) {
        Check(cur->NextBatch(&batch), "pushdown scan");
        if (batch.empty()) break;
        r.matched += batch.size();
        for (size_t i = 0; i < batch.size(); ++i) {
          r.key_sum += KeyHash(batch.key(i));
          if (hash_values) r.kv_sum += RowHash(batch.key(i), batch.value(i));
        }
      }
      r.seconds = Seconds(t0, Clock::now());
      r.cpu = ProcessCpu() - c0;
      r.info = cur->info();
      r.stats = cur->stats();
      return r;
    }
    std::string k, v;
    for (;;) {
      Check(cur->Next(), "pushdown scan");
      if (!cur->Valid()) break;
      ++r.matched;
      r.key_sum += KeyHash(cur->key());
      if (hash_values) {
        if (table == nullptr) {
          r.kv_sum += RowHash(cur->row()[0].s, cur->row()[1].s);
        } else {
          Check(table->EncodeRow(cur->row(), &k, &v), "re-encode row");
          r.kv_sum += RowHash(cur->key(), v);
        }
      }
    }
    r.seconds = Seconds(t0, Clock::now());
    r.cpu = ProcessCpu() - c0;
    r.info = cur->info();
    r.stats = cur->stats();
    return r;
  }

  struct BaselineRun {
    double seconds = 0, cpu = 0;
    BaselineResult r;
  };
  BaselineRun RunBaselineTimed(rocksdb::ColumnFamilyHandle* cf, const rocksdb::Snapshot* snap,
                               const HandFilter& filter, bool hash_values) {
    BaselineRun b;
    const double c0 = ProcessCpu();
    const auto t0 = Clock::now();
    b.r = Check(RunBaseline(db_->db(), cf, snap, filter, hash_values), "baseline");
    b.seconds = Seconds(t0, Clock::now());
    b.cpu = ProcessCpu() - c0;
    return b;
  }

  Measurement Base(const std::string& bench, const std::string& predicate, double target_sel) {
    Measurement m;
    m.benchmark = bench;
    m.predicate = predicate;
    m.compression = FLAGS_compression_type;
    m.target_selectivity = target_sel;
    m.direct_io = FLAGS_use_direct_reads;
    return m;
  }

  // The expert baselines of column family `cf_name`, opened once per process
  // (nullptr with --noexpert_baselines).
  ExpertBaselines* Experts(const std::string& cf_name, const HandFilter& probe) {
    if (!FLAGS_expert_baselines) return nullptr;
    std::unique_ptr<ExpertBaselines>& e = experts_[cf_name];
    if (!e) {
      e = Check(ExpertBaselines::Open(FLAGS_db, cf_name, FLAGS_expert_reads, FLAGS_baseline_threads,
                                      probe),
                "expert baselines");
      std::printf("# expert baselines (%s, shared librocksdb as the pushdown side): %s\n",
                  cf_name.c_str(), e->Describe().c_str());
    }
    return e.get();
  }

  // Same rows (count, key checksum, Q6 aggregates; row checksum when `full`).
  static bool SameRows(const BaselineResult& a, const BaselineResult& b, bool full) {
    return a.matched == b.matched && a.key_sum == b.key_sum && a.count == b.count &&
           a.revenue == b.revenue && a.q1 == b.q1 &&
           (!full || (a.kv_sum == b.kv_sum && a.rows == b.rows));
  }

  // Untimed: every expert baseline once with full row checksums against `want`
  // (the plain baseline's pass, which the pushdown side reproduced).
  static void VerifyExperts(const std::string& bench, ExpertBaselines* ex, const HandFilter& filter,
                            const BaselineResult& want) {
    if (ex == nullptr) return;
    for (size_t i = 0; i < ex->specs().size(); ++i) {
      const std::string& name = ex->specs()[i].name;
      const BaselineResult r = Check(ex->Run(i, filter, true), bench + " " + name);
      if (!SameRows(r, want, true)) {
        Die(bench + ": MISMATCH " + name + " vs the pushdown side: entries " +
            std::to_string(r.rows) + " vs " + std::to_string(want.rows) + ", rows " +
            std::to_string(r.matched) + " vs " + std::to_string(want.matched) + ", key checksum " +
            std::to_string(r.key_sum) + " vs " + std::to_string(want.key_sum) + ", row checksum " +
            std::to_string(r.kv_sum) + " vs " + std::to_string(want.kv_sum));
      }
    }
  }

  struct Timed {
    std::vector<Measurement> base, push;           // plain baseline, pushdown (cached)
    std::vector<std::vector<Measurement>> expert;  // parallel to ExpertBaselines::specs()
  };
  // --repeats rounds of one timed run per path (plain baseline, every expert
  // baseline, pushdown), in an order rotating by round. Each baseline run is
  // checked against `want`; `pushdown` runs, checks and fills the pushdown
  // side's Measurement.
  Timed TimedRuns(const Measurement& proto, rocksdb::ColumnFamilyHandle* cf,
                  const rocksdb::Snapshot* snap, const HandFilter& filter, ExpertBaselines* ex,
                  const BaselineResult& want, uint64_t bytes_read,
                  const std::function<void(Measurement*)>& pushdown) {
    Timed t;
    // Rounds (db_bench_flags.h): --repeats, --reads or --duration; at least one.
    Duration rounds(FLAGS_duration, ScanRounds(FLAGS_repeats));
    const size_t nex = ex ? ex->specs().size() : 0;
    t.expert.resize(nex);
    const size_t paths = nex + 2;  // 0: plain baseline, 1..nex: experts, nex + 1: pushdown
    for (int rep = 0; !rounds.Done(1) || rep == 0; ++rep) {
      for (size_t j = 0; j < paths; ++j) {
        const size_t path = (j + static_cast<size_t>(rep)) % paths;
        BeforeTimedRun();
        Measurement m = proto;
        m.repeat = rep;
        m.cold = FLAGS_drop_caches && g_cold;
        if (path == paths - 1) {
          RunReaders(pushdown, &m);
          m.path = "pushdown";
          t.push.push_back(m);
          report_.Add(m);
          continue;
        }
        const BaselineSpec* spec = path == 0 ? nullptr : &ex->specs()[path - 1];
        const double c0 = ProcessCpu();
        const auto t0 = Clock::now();
        const BaselineResult r =
            spec == nullptr ? Check(RunBaseline(db_->db(), cf, snap, filter, false), "baseline")
                            : Check(ex->Run(path - 1, filter, false), spec->name);
        m.seconds = Seconds(t0, Clock::now());
        m.host_cpu_s = m.proc_cpu_s = ProcessCpu() - c0;
        m.path = spec == nullptr ? "baseline" : spec->name;
        if (!SameRows(r, want, false)) {
          Die(proto.benchmark + ": MISMATCH " + m.path + " in repeat " + std::to_string(rep) +
              ": " + std::to_string(r.matched) + " rows vs " + std::to_string(want.matched));
        }
        m.device = spec != nullptr && spec->kind == BaselineSpec::Kind::kSstFileReader
                       ? "sst_reader"
                       : "iterator";
        m.threads = spec == nullptr ? 1 : spec->threads;
        m.matched = r.matched;
        m.bytes_read = bytes_read;  // the same SST data blocks
        m.bytes_to_host = r.bytes_to_host;
        (spec == nullptr ? t.base : t.expert[path - 1]).push_back(m);
        report_.Add(m);
      }
    }
    return t;
  }

  // The --threads readers of one timed round, each running `pushdown` once, at
  // once; *m is reader 0's measurement, its seconds the round's wall time. Every
  // scan is an operation of ops_ (histogram, interval lines, report file).
  // REQUIRES: BeginOps() (ops_ set).
  void RunReaders(const std::function<void(Measurement*)>& pushdown, Measurement* m) {
    const int n = ops_->threads();
    std::vector<Measurement> each(static_cast<size_t>(n), *m);
    auto reader = [&](int i) {
      Measurement* mine = &each[static_cast<size_t>(i)];
      pushdown(mine);
      ops_->thread(i)->FinishedOps(1, static_cast<uint64_t>(mine->seconds * 1e6));
    };
    const auto t0 = Clock::now();
    if (n == 1) {
      reader(0);
    } else {
      std::vector<std::thread> threads;
      for (int i = 0; i < n; ++i) threads.emplace_back(reader, i);
      for (auto& th : threads) th.join();
    }
    const double wall = Seconds(t0, Clock::now());
    ops_->AddSeconds(wall);
    *m = each[0];
    if (n > 1) m->seconds = wall;
  }
  void BeginOps() { ops_ = std::make_unique<BenchOps>(FLAGS_threads, ops_options_); }
  void EndOps(const std::string& bench) {
    ops_->Report(bench, "read", "pushdown scans of the timed rounds, all readers");
    ops_.reset();
  }

  // The pushdown side's first run (program compile + load included), as a CSV row.
  void ReportFirstRun(Measurement m, double seconds, double cpu) {
    m.path = "pushdown_first";
    m.seconds = seconds;
    m.proc_cpu_s = cpu;
    report_.Add(m);
  }

  void PrintResult(const std::string& bench, const Timed& t, const ExpertBaselines* ex,
                   double first_s) {
    std::vector<double> bs, ps, cpu, bytes, tohost;
    for (const auto& m : t.base) bs.push_back(m.seconds);
    for (const auto& m : t.push) {
      ps.push_back(m.seconds);
      cpu.push_back(m.host_cpu_s);
      bytes.push_back(static_cast<double>(m.bytes_read));
      tohost.push_back(static_cast<double>(m.bytes_to_host));
    }
    const Summary b = Summarize(bs), p = Summarize(ps), c = Summarize(cpu);
    const Measurement& last = t.push.back();
    const uint64_t bytes_read = static_cast<uint64_t>(Summarize(bytes).median);
    const uint64_t to_host = static_cast<uint64_t>(Summarize(tohost).median);
    std::printf(
        "# %s: repeats=%zu baseline_s median=%.4f min=%.4f max=%.4f | pushdown_s "
        "median=%.4f min=%.4f max=%.4f | matched_bytes=%lu bytes_to_host/matched_bytes=%.3f "
        "cold=%d direct_io=%d\n",
        bench.c_str(), t.push.size(), b.median, b.min, b.max, p.median, p.min, p.max,
        last.matched_bytes,
        last.matched_bytes ? static_cast<double>(to_host) / static_cast<double>(last.matched_bytes)
                           : 0.0,
        last.cold ? 1 : 0, last.direct_io ? 1 : 0);
    std::vector<BaselineTime> times = {{kPlainBaselineName, 1, b.median}};
    std::string listing = std::string(kPlainBaselineName) + "=" + FormatSeconds(b.median);
    for (size_t i = 0; i < t.expert.size(); ++i) {
      std::vector<double> v;
      for (const auto& m : t.expert[i]) v.push_back(m.seconds);
      const Summary s = Summarize(v);
      times.push_back({ex->specs()[i].name, ex->specs()[i].threads, s.median});
      listing += " " + ex->specs()[i].name + "=" + FormatSeconds(s.median) + " (" +
                 FormatSeconds(s.min) + ".." + FormatSeconds(s.max) + ")";
    }
    if (ex != nullptr && !ex->sst_reader_skipped().empty()) {
      listing += " sst_reader=skipped(" + ex->sst_reader_skipped() + ")";
    }
    if (ex == nullptr) listing += " expert=off(--noexpert_baselines)";
    std::printf("# %s: baselines median_s: %s\n", bench.c_str(), listing.c_str());
    // The workers the pushdown scan ran on (ScanInfo::workers; --scan_workers).
    const int pushdown_threads = std::max(1, last.threads);
    const BestBaselines best = PickBest(times, pushdown_threads);
    char tail[1024];
    std::snprintf(tail, sizeof(tail),
                  " rows=%lu matched=%lu bytes_read=%lu bytes_to_host=%lu host_cpu_s=%.4f "
                  "baseline_s=%.4f pushdown_s=%.4f speedup_vs_iterator=%.2f device=%s "
                  "pushdown_threads=%d pushdown_cold_compile_s=%.4f pushdown_cached_s=%.4f "
                  "best_baseline=%s best_baseline_s=%.4f speedup_vs_best=%.2f "
                  "speedup_vs_best_cold_compile=%.2f best_baseline_allcores=%s "
                  "best_baseline_allcores_s=%.4f speedup_vs_best_allcores=%.2f threads=%d",
                  last.rows, last.matched, bytes_read, to_host, c.median, b.median, p.median,
                  p.median > 0 ? b.median / p.median : 0.0, last.device.c_str(), pushdown_threads,
                  first_s, p.median, best.same.name.c_str(), best.same.seconds,
                  Ratio(best.same.seconds, p.median), Ratio(best.same.seconds, first_s),
                  best.allcores.name.c_str(), best.allcores.seconds,
                  Ratio(best.allcores.seconds, p.median), FLAGS_baseline_threads);
    PrintDbBenchLine(bench, p.median, last.rows, bytes_read, tail);
  }

  static void FillFromScan(Measurement* m, const PushdownRun& p) {
    m->device = p.info.device;
    m->seconds = p.seconds;
    m->matched = p.matched;
    m->bytes_read = p.stats.bytes_read;
    m->bytes_to_host = p.stats.bytes_to_host;
    m->host_cpu_s = static_cast<double>(p.stats.host_ns) * 1e-9;
    m->proc_cpu_s = p.cpu;
    m->device_s = static_cast<double>(p.stats.device_ns) * 1e-9;
    m->threads = static_cast<int>(p.info.workers);
  }

  // filterscan / selectivity_sweep: Scan() vs the baselines.
  void ScanBench(const std::string& bench, const std::string& predicate, double target_sel) {
    engine::Table* table = nullptr;
    if (!FLAGS_table.empty())
      table = Check(db_->OpenTable(FLAGS_table), "open table " + FLAGS_table);
    const HandFilter filter = Check(HandFilter::Parse(predicate, Layout(table)), bench);
    rocksdb::ColumnFamilyHandle* cf = Cf();
    Check(db_->db()->Flush(rocksdb::FlushOptions(), cf), "flush");
    const rocksdb::Snapshot* snap = db_->db()->GetSnapshot();
    const ScanTarget target = Target();
    // Untimed: the plain baseline with full rows (the reference; warms the page cache).
    const BaselineRun vb = RunBaselineTimed(cf, snap, filter, true);
    // Timed: the pushdown side's first run, which compiles and loads its program.
    const PushdownRun first = RunPushdown(target, predicate, snap, table, false);
    if (first.matched != vb.r.matched || first.key_sum != vb.r.key_sum)
      Die(bench + ": MISMATCH pushdown (first run) vs iterator baseline");
    PrintInfo(bench, first.info);
    std::printf(
        "# %s: blocks_read=%lu blocks_skipped=%lu blocks_skipped_by_range=%lu "
        "blocks_skipped_by_zone_map=%lu files_skipped=%lu\n",
        bench.c_str(), first.stats.blocks_read, first.stats.blocks_skipped,
        first.stats.blocks_skipped_by_range, first.stats.blocks_skipped_by_zone_map,
        first.stats.files_skipped);
    // Untimed: full rows of the pushdown side.
    const PushdownRun vp = RunPushdown(target, predicate, snap, table, true);
    if (vb.r.matched != vp.matched || vb.r.key_sum != vp.key_sum || vb.r.kv_sum != vp.kv_sum) {
      Die(bench + ": MISMATCH pushdown vs iterator baseline for '" + predicate + "': rows " +
          std::to_string(vp.matched) + " vs " + std::to_string(vb.r.matched) + ", key checksum " +
          std::to_string(vp.key_sum) + " vs " + std::to_string(vb.r.key_sum) + ", row checksum " +
          std::to_string(vp.kv_sum) + " vs " + std::to_string(vb.r.kv_sum));
    }
    ExpertBaselines* ex = Experts(cf->GetName(), filter);
    VerifyExperts(bench, ex, filter, vb.r);
    Measurement proto = Base(bench, predicate, target_sel);
    proto.rows = vb.r.rows;
    proto.matched_bytes = vb.r.matched_bytes;
    {
      Measurement m = proto;
      FillFromScan(&m, first);
      ReportFirstRun(m, first.seconds, first.cpu);
    }
    BeginOps();
    const Timed t =
        TimedRuns(proto, cf, snap, filter, ex, vb.r, vp.stats.bytes_read, [&](Measurement* m) {
          const PushdownRun p = RunPushdown(target, predicate, snap, table, false);
          if (p.matched != vb.r.matched || p.key_sum != vb.r.key_sum) {
            Die(bench + ": MISMATCH pushdown vs iterator baseline in repeat " +
                std::to_string(m->repeat));
          }
          FillFromScan(m, p);
        });
    db_->db()->ReleaseSnapshot(snap);
    PrintResult(bench, t, ex, first.seconds);
    EndOps(bench);
  }

  void FilterScan() { ScanBench("filterscan", FLAGS_predicate, -1); }

  void Sweep() {
    const double fractions[] = {0.001, 0.01, 0.1, 0.5, 1.0};
    for (double f : fractions) {
      std::string predicate;
      if (FLAGS_table.empty()) {
        predicate =
            "u64be(key, 0) % 1000 < " + std::to_string(static_cast<int>(std::lround(f * 1000)));
      } else {
        tpch::LineitemGenerator gen(FLAGS_tpch_scale);
        const auto parts = static_cast<int64_t>(gen.part_count());
        const int64_t bound =
            f >= 1.0 ? parts : static_cast<int64_t>(std::ceil(f * static_cast<double>(parts)));
        predicate = "l_partkey <= " + std::to_string(bound);
      }
      std::printf("# selectivity_sweep: target=%g predicate=%s\n", f, predicate.c_str());
      ScanBench("selectivity_sweep", predicate, f);
    }
  }

  void TpchQ6() {
    engine::Table* table =
        Check(db_->OpenTable("lineitem"), "tpch_q6 needs table lineitem (loadtpch)");
    const HandFilter filter = Check(HandFilter::Parse(kQ6Predicate, Layout(table)), "q6");
    rocksdb::ColumnFamilyHandle* cf = table->column_family();
    Check(db_->db()->Flush(rocksdb::FlushOptions(), cf), "flush");
    const rocksdb::Snapshot* snap = db_->db()->GetSnapshot();
    const ScanTarget target = ScanTarget::Table("lineitem");
    // Untimed: the plain baseline with full rows (the reference; warms the page cache).
    const BaselineRun vb = RunBaselineTimed(cf, snap, filter, true);
    auto agg_once = [&]() {
      return Check(db_->Aggregate(target, kQ6Predicate, kQ6Aggregates, MakeScanOptions(snap)),
                   "tpch_q6 aggregate");
    };
    auto check_agg = [&](const AggregateResult& a, const BaselineResult& b) {
      int64_t revenue = b.revenue;
      const int scale = a.types.size() > 1 ? a.types[1].scale : 4;
      for (int s = scale; s < 4; ++s) revenue /= 10;  // not expected: the product has scale 4
      if (a.values.size() != 2 || a.values[0].null || a.values[0].i != b.count ||
          (b.count > 0 && (a.values[1].null || a.values[1].i != revenue))) {
        Die("tpch_q6: MISMATCH of the aggregates: pushdown count=" +
            (a.values.empty() ? std::string("?") : std::to_string(a.values[0].i)) +
            " sum=" + (a.values.size() < 2 ? std::string("?") : std::to_string(a.values[1].i)) +
            " vs iterator baseline count=" + std::to_string(b.count) +
            " sum=" + std::to_string(b.revenue) + " (scale 4)");
      }
    };
    auto fill_agg = [](Measurement* m, const AggregateResult& a) {
      m->device = a.info.device;
      m->matched = a.rows;
      m->bytes_read = a.stats.bytes_read;
      m->bytes_to_host = a.stats.bytes_to_host;
      m->host_cpu_s = static_cast<double>(a.stats.host_ns) * 1e-9;
      m->device_s = static_cast<double>(a.stats.device_ns) * 1e-9;
      m->threads = static_cast<int>(a.info.workers);
    };
    // Timed: the pushdown side's first run, which compiles and loads its program.
    const double fc0 = ProcessCpu();
    const auto ft0 = Clock::now();
    const AggregateResult first = agg_once();
    const double first_s = Seconds(ft0, Clock::now());
    const double first_cpu = ProcessCpu() - fc0;
    check_agg(first, vb.r);
    PrintInfo("tpch_q6", first.info);
    // Untimed: the Q6 rows of a Scan.
    const PushdownRun vp = RunPushdown(target, kQ6Predicate, snap, table, true);
    if (vb.r.matched != vp.matched || vb.r.kv_sum != vp.kv_sum || vb.r.key_sum != vp.key_sum) {
      Die("tpch_q6: MISMATCH of the Q6 rows: pushdown " + std::to_string(vp.matched) +
          " rows vs iterator baseline " + std::to_string(vb.r.matched));
    }
    std::printf("# tpch_q6: count=%ld revenue=%ld.%04ld\n", vb.r.count, vb.r.revenue / 10000,
                vb.r.revenue % 10000);
    ExpertBaselines* ex = Experts(cf->GetName(), filter);
    VerifyExperts("tpch_q6", ex, filter, vb.r);
    Measurement proto = Base("tpch_q6", kQ6Predicate, -1);
    proto.rows = vb.r.rows;
    proto.matched_bytes = vb.r.matched_bytes;
    {
      Measurement m = proto;
      fill_agg(&m, first);
      ReportFirstRun(m, first_s, first_cpu);
    }
    BeginOps();
    const Timed t =
        TimedRuns(proto, cf, snap, filter, ex, vb.r, vp.stats.bytes_read, [&](Measurement* m) {
          const double c0 = ProcessCpu();
          const auto t0 = Clock::now();
          const AggregateResult a = agg_once();
          m->seconds = Seconds(t0, Clock::now());
          m->proc_cpu_s = ProcessCpu() - c0;
          check_agg(a, vb.r);
          fill_agg(m, a);
        });
    db_->db()->ReleaseSnapshot(snap);
    PrintResult("tpch_q6", t, ex, first_s);
    EndOps("tpch_q6");
  }

  // tpch_q1, tpch_q6_sql: an SQL query through Query() (its aggregates on
  // the device where they run there: ScanInfo::aggregation) against the
  // hand-written baselines of its predicate (the same expert baselines and
  // rounds as tpch_q6); every result is checked against the plain baseline's
  // groups (Q1Mismatch) or Q6 count and revenue.
  void TpchSql(const std::string& bench, const char* predicate, const char* sql) {
    engine::Table* table =
        Check(db_->OpenTable("lineitem"), bench + " needs table lineitem (loadtpch)");
    const HandFilter filter = Check(HandFilter::Parse(predicate, Layout(table)), bench);
    rocksdb::ColumnFamilyHandle* cf = table->column_family();
    Check(db_->db()->Flush(rocksdb::FlushOptions(), cf), "flush");
    const rocksdb::Snapshot* snap = db_->db()->GetSnapshot();
    // Untimed: the plain baseline with full rows (the reference; warms the page cache).
    const BaselineRun vb = RunBaselineTimed(cf, snap, filter, true);
    struct QueryRun {
      engine::ScanInfo info;
      exec::ScanStats stats;
      std::vector<std::vector<bpfgen::Datum>> rows;
    };
    auto query_once = [&]() {
      engine::QueryOptions qo;
      qo.scan = MakeScanOptions(snap);
      std::unique_ptr<engine::QueryCursor> cur = Check(db_->Query(sql, qo), bench + " query");
      QueryRun q;
      for (;;) {
        Check(cur->Next(), bench + " query");
        if (!cur->Valid()) break;
        q.rows.push_back(cur->row());
      }
      q.info = cur->info();
      q.stats = cur->stats();
      const std::string why = filter.kind() == HandFilter::Kind::kQ1 ? Q1Mismatch(q.rows, vb.r.q1)
                              : q.rows.size() != 1 || q.rows[0].size() != 2 ||
                                      q.rows[0][0].i != vb.r.count ||
                                      (vb.r.count > 0 && q.rows[0][1].i != vb.r.revenue)
                                  ? "count or revenue"
                                  : "";
      if (!why.empty()) Die(bench + ": MISMATCH of the query vs the iterator baseline: " + why);
      return q;
    };
    auto fill = [&](Measurement* m, const QueryRun& q) {
      m->device = q.info.device;
      m->matched = vb.r.matched;  // checked equal
      m->bytes_read = q.stats.bytes_read;
      m->bytes_to_host = q.stats.bytes_to_host;
      m->host_cpu_s = static_cast<double>(q.stats.host_ns) * 1e-9;
      m->device_s = static_cast<double>(q.stats.device_ns) * 1e-9;
      m->threads = static_cast<int>(q.info.workers);
    };
    // Timed: the pushdown side's first run, which compiles and loads its program.
    const double fc0 = ProcessCpu();
    const auto ft0 = Clock::now();
    const QueryRun first = query_once();
    const double first_s = Seconds(ft0, Clock::now());
    const double first_cpu = ProcessCpu() - fc0;
    PrintInfo(bench, first.info);
    std::printf("# %s: aggregation=[%s] blocks_aggregated_on_device=%lu of %lu groups=%zu\n",
                bench.c_str(), first.info.aggregation.c_str(),
                first.stats.blocks_aggregated_on_device, first.stats.blocks_read,
                first.rows.size());
    ExpertBaselines* ex = Experts(cf->GetName(), filter);
    VerifyExperts(bench, ex, filter, vb.r);
    Measurement proto = Base(bench, predicate, -1);
    proto.rows = vb.r.rows;
    proto.matched_bytes = vb.r.matched_bytes;
    {
      Measurement m = proto;
      fill(&m, first);
      ReportFirstRun(m, first_s, first_cpu);
    }
    BeginOps();
    const Timed t =
        TimedRuns(proto, cf, snap, filter, ex, vb.r, first.stats.bytes_read, [&](Measurement* m) {
          const double c0 = ProcessCpu();
          const auto t0 = Clock::now();
          const QueryRun q = query_once();
          m->seconds = Seconds(t0, Clock::now());
          m->proc_cpu_s = ProcessCpu() - c0;
          fill(m, q);
        });
    db_->db()->ReleaseSnapshot(snap);
    PrintResult(bench, t, ex, first_s);
    EndOps(bench);
  }

  CsvReport report_;
  OpStatsOptions ops_options_;
  std::unique_ptr<QpsReporter> qps_reporter_;  // --report_file
  std::unique_ptr<BenchOps> ops_;              // of the running scan benchmark
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<PushdownDB> db_;
  std::map<std::string, std::unique_ptr<ExpertBaselines>> experts_;  // by column family
  bpfgen::RowLayout layout_;
};

}  // namespace
}  // namespace pushdown::bench

int main(int argc, char** argv) {
  gflags::SetUsageMessage("db_bench-compatible benchmarks of pushdown scans");
  // gflags' --helpshort lists the flags of <program>.cc or <program>_main.cc,
  // which main.cc is not ("No modules matched"): list those of this directory.
  std::string helpmatch = "--helpmatch=pushdown_bench/";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--helpshort" || a == "-helpshort") argv[i] = helpmatch.data();
  }
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (FLAGS_repeats < 1) FLAGS_repeats = 1;
  if (FLAGS_threads < 1) FLAGS_threads = 1;
  if (FLAGS_baseline_threads <= 0)
    FLAGS_baseline_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::string p = FLAGS_pushdown;
  if (p != "off" && p != "host" && p != "kernel" && p != "auto") {
    std::fprintf(stderr, "pushdown_bench: --pushdown must be off|host|kernel|auto\n");
    return 1;
  }
  if (FLAGS_scan_api != "batch" && FLAGS_scan_api != "row") {
    std::fprintf(stderr, "pushdown_bench: --scan_api must be batch|row\n");
    return 1;
  }
  pushdown::bench::Bench bench;
  bench.Open();
  std::stringstream list(FLAGS_benchmarks);
  std::string name;
  while (std::getline(list, name, ',')) {
    if (!name.empty()) bench.Run(name);
  }
  bench.Finish();
  return 0;
}
