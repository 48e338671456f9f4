#include "bench/pushdown_bench/db_bench_flags.h"

#include <vector>

#include "rocksdb/convenience.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/utilities/options_util.h"

DEFINE_string(options_file, "",
              "RocksDB OPTIONS file: the DB and default column family options (tables too) come "
              "from it instead of the option flags (db_bench)");
DEFINE_bool(histogram, false,
            "print db_bench's histogram of operation timings (microseconds) per benchmark");
DEFINE_int32(duration, 0,
             "seconds a benchmark runs (fillrandom, scans; overrides --reads, as db_bench). "
             "0: --num and --reads decide");
DEFINE_int64(reads, -1,
             "scans per reader thread of a scan benchmark (-1: --repeats); an operation is one "
             "scan of the benchmark");
DEFINE_int64(stats_interval_seconds, 0,
             "print db_bench's interval line ('... thread N: (ops,total) ops and ...') on stderr "
             "every N seconds (0: never)");
DEFINE_string(report_file, "report.csv",
              "db_bench's CSV 'secs_elapsed,interval_qps' (written with --report_interval_seconds "
              "> 0, or whenever this flag is given)");
DEFINE_int64(report_interval_seconds, 0,
             "interval of --report_file rows (0: --stats_interval_seconds, else 1 s, when "
             "--report_file is given; otherwise no CSV, as db_bench)");
DEFINE_int64(write_buffer_size, rocksdb::Options().write_buffer_size,
             "bytes to buffer in a memtable before flushing (db_bench)");
DEFINE_int32(bloom_bits, -1,
             "Bloom filter bits per key. Negative: the default (none). Zero disables (db_bench)");
DEFINE_int32(max_background_jobs, rocksdb::Options().max_background_jobs,
             "maximum number of concurrent background jobs (db_bench)");
DEFINE_int32(num_levels, 7, "the total number of levels (db_bench)");
DEFINE_int32(compaction_style, static_cast<int32_t>(rocksdb::Options().compaction_style),
             "style of compaction: 0 level, 1 universal, 2 fifo, 3 none (db_bench)");
DEFINE_int32(ops_between_duration_checks, 1000,
             "check --duration every N writes (scans: every scan)");

namespace pushdown::bench {

Status LoadOptionsFile(const std::string& path, rocksdb::Options* opt) {
  rocksdb::ConfigOptions cfg;
  cfg.ignore_unknown_options = false;
  cfg.input_strings_escaped = true;
  rocksdb::DBOptions db;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  rocksdb::Status s = rocksdb::LoadOptionsFromFile(cfg, path, &db, &cfs);
  if (!s.ok()) return Status::InvalidArgument("--options_file=" + path + ": " + s.ToString());
  const rocksdb::ColumnFamilyOptions* cf = nullptr;
  for (const auto& d : cfs) {
    if (d.name == rocksdb::kDefaultColumnFamilyName) cf = &d.options;
  }
  if (cf == nullptr) {
    return Status::InvalidArgument("--options_file=" + path + ": no [CFOptions \"default\"]");
  }
  const bool create = opt->create_if_missing, create_cfs = opt->create_missing_column_families;
  *opt = rocksdb::Options(db, *cf);
  opt->create_if_missing = create;
  opt->create_missing_column_families = create_cfs;
  return Status::OK();
}

Status ApplyDbBenchOptionFlags(rocksdb::Options* opt) {
  if (FLAGS_write_buffer_size <= 0)
    return Status::InvalidArgument("--write_buffer_size must be > 0");
  if (FLAGS_num_levels < 1) return Status::InvalidArgument("--num_levels must be >= 1");
  if (FLAGS_compaction_style < rocksdb::kCompactionStyleLevel ||
      FLAGS_compaction_style > rocksdb::kCompactionStyleNone) {
    return Status::InvalidArgument(
        "--compaction_style must be 0 (level), 1 (universal), 2 (fifo) "
        "or 3 (none), got " +
        std::to_string(FLAGS_compaction_style));
  }
  opt->write_buffer_size = static_cast<size_t>(FLAGS_write_buffer_size);
  opt->max_background_jobs = FLAGS_max_background_jobs;
  opt->num_levels = FLAGS_num_levels;
  opt->compaction_style = static_cast<rocksdb::CompactionStyle>(FLAGS_compaction_style);
  return Status::OK();
}

void ApplyBloomBits(rocksdb::BlockBasedTableOptions* t) {
  if (FLAGS_bloom_bits < 0) {
    t->filter_policy = rocksdb::BlockBasedTableOptions().filter_policy;
  } else if (FLAGS_bloom_bits == 0) {
    t->filter_policy.reset();
  } else {
    t->filter_policy.reset(rocksdb::NewBloomFilterPolicy(FLAGS_bloom_bits));
  }
}

int64_t ReportIntervalSeconds() {
  if (FLAGS_report_interval_seconds > 0) return FLAGS_report_interval_seconds;
  if (gflags::GetCommandLineFlagInfoOrDie("report_file").is_default) return 0;
  return FLAGS_stats_interval_seconds > 0 ? FLAGS_stats_interval_seconds : 1;
}

int64_t ScanRounds(int repeats) { return FLAGS_reads >= 0 ? FLAGS_reads : repeats; }

}  // namespace pushdown::bench
