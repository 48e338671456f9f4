// The torture test's DB builder and checker (see torture_test.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bpfgen/schema/schema.h"
#include "pushdown/scan/key_range.h"
#include "pushdown/scan/scan_executor.h"
#include "rocksdb/db.h"
#include "tests/support/sst_builder.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec::testing_support {

inline constexpr int kNumSeeds = 200;
inline constexpr int kSeedsPerShard = 25;

// Values are u64be(n) followed by 0..40 filler bytes, or (rarely) shorter
// than 8 bytes, where u64be(value, 0) is NULL and the predicate is not TRUE.
// The predicate: n % 2 = 0 (device part) AND n % 3 <> 0 (residual part).
inline constexpr const char* kDevicePredicate = "u64be(value, 0) % 2 = 0";
inline constexpr const char* kResidualPredicate = "u64be(value, 0) % 3 <> 0";
bool DevicePart(std::string_view value);
bool ResidualPart(std::string_view value);
// Zone-map runs (ZoneMapPath, torture_zone.cc) add a conjunct the zone maps
// can decide -- every DB records u64be(value, 0) per block (a raw zone map,
// engine/api's RawZoneMapCollectorFactory) -- to the residual.
inline constexpr const char* kZonePredicate = "u64be(value, 0) BETWEEN 0 AND 15";
bool ZonePart(std::string_view value);
// Both parts as host functions.
ScanFilters FunctionFilters();

// What the generated cases covered (accumulated over a process), so a test can
// check it is not vacuous.
struct Coverage {
  uint64_t cases = 0;
  uint64_t files = 0;
  uint64_t multi_level_cases = 0;         // files in >= 2 levels besides L0
  uint64_t level_stream_cases = 0;        // a level >= 1 read as one LevelStream
  uint64_t bottommost_multi_version = 0;  // bottommost files with largest_seqno > 0
  uint64_t zeroed_bottommost = 0;         // bottommost files with largest_seqno == 0
  uint64_t scans = 0;
  uint64_t rows = 0;
  uint64_t blocks_read = 0;
  uint64_t bytes_to_host = 0;
  // Key bounds (random ranges: empty, equal to keys, between keys, outside
  // the data, prefixes).
  uint64_t bounded_scans = 0;
  uint64_t bounded_rows = 0;                // rows of bounded scans
  uint64_t bounded_cut_scans = 0;           // bounded scans with fewer rows than unbounded
  uint64_t files_skipped = 0;               // stats.files_skipped of bounded scans
  uint64_t blocks_skipped_by_range = 0;     // stats.blocks_skipped_by_range of bounded scans
  uint64_t blocks_skipped_by_zone_map = 0;  // stats.blocks_skipped_by_zone_map of every scan
  // Range deletions (DeleteRange ops) written, and stats.keys_hidden_by_range_deletion.
  uint64_t range_deletions = 0;
  uint64_t keys_hidden_by_range_deletion = 0;
  std::string ToString() const;
};
Coverage& GlobalCoverage();
// Expects every kind of case above to have occurred at least once.
void ExpectNotVacuous(const Coverage& c);

// Opens an executor for a plan that has files, snapshot, schema and limit set.
using OpenFn = std::function<Result<std::unique_ptr<ScanExecutor>>(ScanPlan& plan)>;

class TortureCase {
 public:
  explicit TortureCase(int seed);
  ~TortureCase();

  // Writes the DB (gtest assertions on failure).
  void Build();
  // For every held snapshot and the latest sequence number: executor rows ==
  // iterator + predicate; also a run with a limit, and one with random key
  // bounds (iterator with iterate_lower_bound / iterate_upper_bound), whose
  // blocks read are at most the blocks the files' indexes allow.
  void CheckAllSnapshots(const OpenFn& open);

  std::string Describe() const;

  // Zone-map mode (torture_zone.cc): Expected() also requires kZonePredicate,
  // as the scans of ZoneMapPath do.
  void set_zone_conjunct(bool on) { zone_conjunct_ = on; }
  // Runs every snapshot's unbounded scan through `open` and counts the scans
  // whose rows differ from the iterator's (no assertion): the negative
  // control of the naive zone-map rule.
  int CountWrongScans(const OpenFn& open);
  // For checks of other scan drivers (parallel_scan_test.cc): the live files
  // after Build, the held snapshots (the latest is nullptr), the DB, and the
  // iterator + predicate rows in `range` at a snapshot.
  const std::vector<ScanFile>& files() const { return files_; }
  const std::vector<const rocksdb::Snapshot*>& snapshots() const { return snapshots_; }
  rocksdb::DB* db() const { return db_->db(); }
  const bpfgen::Schema& schema() const { return schema_; }
  std::vector<std::pair<std::string, std::string>> ExpectedRows(const rocksdb::Snapshot* snap,
                                                                const KeyRange& range = {}) {
    return Expected(snap, range);
  }
  KeyRange RandomKeyRange() { return RandomRange(); }

 private:
  std::vector<ScanFile> Files();
  std::vector<std::pair<std::string, std::string>> Expected(const rocksdb::Snapshot* snap,
                                                            const KeyRange& range = {});
  // A random key range over the case's keys.
  KeyRange RandomRange();
  // The data blocks of the scan's files the index cannot rule out for `range`
  // (a linear walk of each opened file's index, independent of the executor's
  // seek): what a bounded scan may read at most.
  uint64_t IndexBlocksInRange(const KeyRange& range, uint64_t snapshot);
  void Op();

  int seed_;
  std::mt19937_64 rng_;
  pushdown::testing::DbSpec spec_;
  std::unique_ptr<pushdown::testing::TempDir> dir_;  // when /dev/shm is missing
  std::string shm_dir_;
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<pushdown::testing::TestDb> db_;
  std::vector<std::string> keys_;
  std::vector<bool> sd_present_;  // single-delete keys: currently put once
  std::vector<const rocksdb::Snapshot*> snapshots_;
  std::vector<ScanFile> files_;  // the live files after the final flush
  bpfgen::Schema schema_;
  int flushes_ = 0;
  int compactions_ = 0;
  bool zone_conjunct_ = false;
};

}  // namespace pushdown::exec::testing_support
