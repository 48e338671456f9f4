// db_bench's flags that pushdown_bench takes beyond the data-shape ones in
// main.cc, with RocksDB 7.8 db_bench's names, defaults and meaning
// (tools/db_bench_tool.cc), and the Options they set.
//
// Operations, as pushdown_bench counts them (--reads, --duration, --histogram,
// --stats_interval_seconds, --report_file):
//   - fillseq / fillrandom: one Put (db_bench's write); --num of them, and
//     --duration bounds fillrandom (not fillseq, as db_bench);
//   - filterscan / selectivity_sweep / tpch_q6: one pushdown scan (or Q6
//     aggregate) of the whole benchmark ("read"). They run in rounds
//     interleaved with the baselines; in a round each of the --threads readers
//     does one scan concurrently. Rounds: --repeats, or --reads when >= 0 (scans
//     per reader, as db_bench's reads per thread), or until --duration seconds
//     passed when > 0 (db_bench: --duration overrides --reads); at least one.
#pragma once

#include <gflags/gflags.h>

#include <cstdint>
#include <string>

#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "util/status.h"

DECLARE_string(options_file);
DECLARE_bool(histogram);
DECLARE_int32(duration);
DECLARE_int64(reads);
DECLARE_int64(stats_interval_seconds);
DECLARE_string(report_file);
DECLARE_int64(report_interval_seconds);
DECLARE_int64(write_buffer_size);
DECLARE_int32(bloom_bits);
DECLARE_int32(max_background_jobs);
DECLARE_int32(num_levels);
DECLARE_int32(compaction_style);
DECLARE_int32(ops_between_duration_checks);

namespace pushdown::bench {

// --options_file: *opt becomes the file's DBOptions and its "default" column
// family's options (db_bench's InitializeOptionsFromFile: the file replaces the
// option flags). create_if_missing and create_missing_column_families survive.
[[nodiscard]] Status LoadOptionsFile(const std::string& path, rocksdb::Options* opt);

// --write_buffer_size, --max_background_jobs, --num_levels, --compaction_style.
[[nodiscard]] Status ApplyDbBenchOptionFlags(rocksdb::Options* opt);

// --bloom_bits: < 0 the table default (no filter), 0 none, else a full Bloom
// filter of that many bits per key (db_bench's NewBloomFilterPolicy).
void ApplyBloomBits(rocksdb::BlockBasedTableOptions* t);

// Whether --report_file writes the CSV, and at which interval (seconds):
// --report_interval_seconds when > 0 (db_bench); else, when --report_file is
// given explicitly, --stats_interval_seconds when > 0, else 1. 0: no CSV.
int64_t ReportIntervalSeconds();

// The round budget of a scan benchmark (see the header comment).
int64_t ScanRounds(int repeats);

}  // namespace pushdown::bench
