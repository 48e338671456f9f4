#include "tests/pushdown/scan/torture_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "bpfgen/eval/evaluator.h"
#include "engine/api/zone_map_collector.h"
#include "pushdown/scan/row_batch.h"
#include "pushdown/sst/sst_file.h"
#include "rocksdb/options.h"
#include "tests/pushdown/scan/scan_files.h"
#include "tests/pushdown/scan/torture_paths.h"

namespace pushdown::exec::testing_support {

namespace pt = pushdown::testing;

namespace {

bool ValueNumber(std::string_view v, uint64_t* n) {
  if (v.size() < 8) return false;
  uint64_t x = 0;
  for (int i = 0; i < 8; ++i) x = (x << 8) | static_cast<uint8_t>(v[i]);
  *n = x;
  return true;
}

// SQL semantics of INT64 % on the u64 bit pattern (values >= 2^63 negative;
// the remainder takes the dividend's sign, as in C).
int64_t SignedMod(uint64_t n, int64_t m) { return static_cast<int64_t>(n) % m; }

}  // namespace

Coverage& GlobalCoverage() {
  static Coverage coverage;
  return coverage;
}

bool DevicePart(std::string_view value) {
  uint64_t n;
  return ValueNumber(value, &n) && SignedMod(n, 2) == 0;
}
bool ResidualPart(std::string_view value) {
  uint64_t n;
  return ValueNumber(value, &n) && SignedMod(n, 3) != 0;
}
bool ZonePart(std::string_view value) {
  uint64_t n;
  return ValueNumber(value, &n) && static_cast<int64_t>(n) >= 0 && static_cast<int64_t>(n) <= 15;
}

ScanFilters FunctionFilters() {
  ScanFilters f;
  f.device = [](std::string_view, std::string_view v) -> Result<bool> { return DevicePart(v); };
  f.residual = [](std::string_view, std::string_view v) -> Result<bool> { return ResidualPart(v); };
  return f;
}

TortureCase::TortureCase(int seed) : seed_(seed), rng_(static_cast<uint64_t>(seed) * 7919 + 17) {
  schema_ = bpfgen::Schema::Raw();
  auto pick = [&](int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); };
  spec_.universal_compaction = pick(2) == 1;
  spec_.sst.block_restart_interval = pick(2) ? 16 : 1;
  const pt::Compression comps[] = {pt::Compression::kNone, pt::Compression::kSnappy,
                                   pt::Compression::kLz4, pt::Compression::kZstd};
  spec_.sst.compression = comps[pick(4)];
  if (!pt::CompressionSupported(spec_.sst.compression))
    spec_.sst.compression = pt::Compression::kNone;
  const pt::Checksum sums[] = {pt::Checksum::kCrc32c, pt::Checksum::kXxHash,
                               pt::Checksum::kXxHash64, pt::Checksum::kXxh3};
  spec_.sst.checksum = sums[pick(4)];
  spec_.sst.block_size = 256u << pick(4);  // small blocks: many per file
  spec_.disable_auto_compactions = true;
  // Odd seeds: small compaction outputs, so levels >= 1 hold several files
  // (read as one LevelStream each, see Files()).
  if (seed_ % 2 == 1) {
    spec_.customize = [](rocksdb::Options* o) { o->target_file_size_base = 2048; };
  }
  write_options_.disableWAL = true;  // every scan follows a flush
  // Zone maps of u64be(value, 0) in every file (ZoneMapPath decides by them).
  spec_.customize = [inner = std::move(spec_.customize)](rocksdb::Options* o) {
    if (inner) inner(o);
    o->table_properties_collector_factories.push_back(
        std::make_shared<engine::RawZoneMapCollectorFactory>(bpfgen::RawField{}, o));
  };
}

TortureCase::~TortureCase() {
  if (db_) {
    for (const rocksdb::Snapshot* s : snapshots_) db_->db()->ReleaseSnapshot(s);
  }
  db_.reset();
  if (!shm_dir_.empty()) pt::RemoveRecursively(shm_dir_);
}

std::string Coverage::ToString() const {
  return std::to_string(cases) + " cases, " + std::to_string(files) + " files, " +
         std::to_string(multi_level_cases) + " multi-level, " + std::to_string(level_stream_cases) +
         " with a level stream, " + std::to_string(bottommost_multi_version) +
         " multi-version bottommost files, " + std::to_string(zeroed_bottommost) +
         " zeroed bottommost files, " + std::to_string(scans) + " scans, " + std::to_string(rows) +
         " rows, " + std::to_string(blocks_read) + " blocks read, " +
         std::to_string(bytes_to_host) + " bytes to host, " + std::to_string(bounded_scans) +
         " bounded scans (" + std::to_string(bounded_rows) + " rows, " +
         std::to_string(bounded_cut_scans) + " cut, " + std::to_string(files_skipped) +
         " files and " + std::to_string(blocks_skipped_by_range) + " blocks skipped by range), " +
         std::to_string(blocks_skipped_by_zone_map) + " blocks skipped by zone map, " +

         std::to_string(range_deletions) + " range deletions written, " +
         std::to_string(keys_hidden_by_range_deletion) + " keys hidden by them";
}

void ExpectNotVacuous(const Coverage& c) {
  EXPECT_GT(c.rows, 0u) << c.ToString();
  EXPECT_GT(c.blocks_read, 0u) << c.ToString();
  EXPECT_GT(c.multi_level_cases, 0u) << c.ToString();
  EXPECT_GT(c.level_stream_cases, 0u) << c.ToString();
  EXPECT_GT(c.bottommost_multi_version, 0u) << c.ToString();
  EXPECT_GT(c.zeroed_bottommost, 0u) << c.ToString();
  EXPECT_GT(c.bounded_rows, 0u) << c.ToString();
  EXPECT_GT(c.bounded_cut_scans, 0u) << c.ToString();
  EXPECT_GT(c.files_skipped, 0u) << c.ToString();
  EXPECT_GT(c.blocks_skipped_by_range, 0u) << c.ToString();
  EXPECT_GT(c.range_deletions, 0u) << c.ToString();
  EXPECT_GT(c.keys_hidden_by_range_deletion, 0u) << c.ToString();
}

std::string TortureCase::Describe() const {
  return "seed " + std::to_string(seed_) +
         (spec_.universal_compaction ? " universal" : " leveled") + " restart " +
         std::to_string(spec_.sst.block_restart_interval) + " " +
         pt::CompressionName(spec_.sst.compression) + " " + pt::ChecksumName(spec_.sst.checksum) +
         " block " + std::to_string(spec_.sst.block_size) + ", " + std::to_string(flushes_) +
         " flushes, " + std::to_string(compactions_) + " compactions, " +
         std::to_string(snapshots_.size()) + " snapshots";
}

void TortureCase::Op() {
  auto pick = [&](uint64_t n) { return rng_() % n; };
  rocksdb::DB* db = db_->db();
  const size_t k = pick(keys_.size());
  const std::string& key = keys_[k];
  const bool sd_key = k % 4 == 0;  // single-delete keys: put once, then single delete
  const uint64_t r = pick(100);
  // Range deletions (odd seeds: their files carry key ranges, which a scan
  // needs to clip each file's tombstones; without them such a file is
  // NotSupported): [a, b) over a few keys, start < end.
  if (seed_ % 2 == 1 && pick(40) == 0) {
    std::string a = key, b = keys_[pick(keys_.size())];
    if (b < a) std::swap(a, b);
    if (a == b) b += '\x01';
    ASSERT_TRUE(db->DeleteRange(write_options_, db->DefaultColumnFamily(), a, b).ok());
    ++GlobalCoverage().range_deletions;
    return;
  }
  if (sd_key) {
    if (sd_present_[k]) {
      if (r < 50) {
        ASSERT_TRUE(db->SingleDelete(write_options_, key).ok());
        sd_present_[k] = false;
      }
      return;
    }
  } else if (r >= 70) {
    ASSERT_TRUE(db->Delete(write_options_, key).ok());
    return;
  }
  std::string value;
  if (pick(20) == 0) {
    value.assign(pick(8), 'x');  // too short: u64be(value, 0) is NULL
  } else {
    uint64_t n = pick(4) == 0 ? rng_() : pick(60);
    for (int i = 7; i >= 0; --i) value.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    value.append(pick(41), static_cast<char>('a' + pick(26)));
  }
  ASSERT_TRUE(db->Put(write_options_, key, value).ok());
  if (sd_key) sd_present_[k] = true;
}

void TortureCase::Build() {
  // tmpfs when present: flushes fsync, and the test is about shapes, not disks.
  char tmpl[] = "/dev/shm/pd_torture.XXXXXX";
  if (mkdtemp(tmpl) != nullptr) {
    shm_dir_ = tmpl;
  } else {
    dir_ = std::make_unique<pt::TempDir>("pd_torture");
  }
  auto opened = pt::TestDb::Open((dir_ ? dir_->path() : shm_dir_) + "/db", spec_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  db_ = std::move(*opened);
  auto pick = [&](uint64_t n) { return rng_() % n; };
  const size_t num_keys = 4 + pick(300);
  for (size_t i = 0; i < num_keys; ++i) {
    // Shared prefixes of varying length exercise prefix compression.
    std::string key = "k" + std::to_string((i * 7919) % 1000);
    if (i % 3 == 0) key += "/x";
    keys_.push_back(key);
  }
  sd_present_.assign(num_keys, false);
  const int num_ops = 50 + static_cast<int>(pick(1500));
  const int flush_every = 5 + static_cast<int>(pick(80));
  rocksdb::DB* db = db_->db();
  for (int i = 0; i < num_ops; ++i) {
    ASSERT_NO_FATAL_FAILURE(Op());
    if (pick(flush_every) == 0) {
      ASSERT_TRUE(db_->Flush().ok());
      ++flushes_;
    }
    if (pick(200) == 0 && snapshots_.size() < 3) snapshots_.push_back(db->GetSnapshot());
    if (pick(400) == 0 && !snapshots_.empty()) {
      const size_t s = pick(snapshots_.size());
      db->ReleaseSnapshot(snapshots_[s]);
      snapshots_.erase(snapshots_.begin() + static_cast<long>(s));
    }
    if (pick(static_cast<uint64_t>(flush_every) * 2) != 0) continue;
    const uint64_t c = pick(10);
    if (c == 0) {
      ASSERT_TRUE(db_->CompactAll().ok());
      ++compactions_;
    } else if (c <= 3) {
      // A partial compaction of a key range.
      std::string a = keys_[pick(num_keys)], b = keys_[pick(num_keys)];
      if (b < a) std::swap(a, b);
      rocksdb::Slice sa(a), sb(b);
      rocksdb::CompactRangeOptions co;
      co.bottommost_level_compaction = pick(2) ? rocksdb::BottommostLevelCompaction::kForce
                                               : rocksdb::BottommostLevelCompaction::kSkip;
      ASSERT_TRUE(db->CompactRange(co, &sa, &sb).ok());
      ++compactions_;
    } else {
      // Push the L0 files to a random level (RocksDB adds the overlapping
      // files of the levels in between): multi-level shapes.
      rocksdb::ColumnFamilyMetaData md;
      db->GetColumnFamilyMetaData(&md);
      std::vector<std::string> inputs;
      for (const auto& f : md.levels[0].files) inputs.push_back(f.name);
      if (!inputs.empty()) {
        const int level = 1 + static_cast<int>(pick(6));
        // A rejection (level shape, universal rules) is fine: this only shapes.
        if (db->CompactFiles(rocksdb::CompactionOptions(), inputs, level).ok()) ++compactions_;
      }
    }
  }
  // Memtables hold nothing at scan time.
  ASSERT_TRUE(db_->Flush().ok());
  ++flushes_;
  files_ = Files();
}

std::vector<ScanFile> TortureCase::Files() {
  auto live = db_->LiveFiles();
  EXPECT_TRUE(live.ok()) << live.status().ToString();
  std::vector<ScanFile> files;
  if (!live.ok()) return files;
  std::vector<bool> levels(64, false);
  std::vector<int> files_in_level(64, 0);
  for (const auto& f : *live) {
    levels[f.level] = true;
    ++files_in_level[f.level];
  }
  Coverage& cov = GlobalCoverage();
  ++cov.cases;
  cov.files += live->size();
  if (std::count(levels.begin() + 1, levels.end(), true) >= 2) ++cov.multi_level_cases;
  if (seed_ % 2 == 1 &&
      std::any_of(files_in_level.begin() + 1, files_in_level.end(), [](int n) { return n >= 2; })) {
    ++cov.level_stream_cases;
  }
  // Odd seeds give key ranges: the levels >= 1 are then read as one
  // LevelStream each; even seeds keep one stream per file.
  files = ScanFilesOf(*live, /*with_key_ranges=*/seed_ % 2 == 1);
  for (const ScanFile& s : files) {
    if (s.bottommost)
      ++(s.largest_seqno == 0 ? cov.zeroed_bottommost : cov.bottommost_multi_version);
  }
  return files;
}

KeyRange TortureCase::RandomRange() {
  auto pick = [&](uint64_t n) { return rng_() % n; };
  auto bound = [&]() -> std::optional<std::string> {
    const std::string& key = keys_[pick(keys_.size())];
    switch (pick(8)) {
      case 0:
        return std::nullopt;
      case 1:
        return key + std::string(1, '\0');  // right after a key
      case 2:
        return key + "/";  // between "kN" and "kN/x"
      case 3:
        return key.substr(0, 1 + pick(key.size()));  // a prefix: before its keys
      case 4:
        return pick(2) ? std::string("a") : std::string("z");  // outside the data
      default:
        return key;  // equal to a key
    }
  };
  const uint64_t kind = pick(10);
  if (kind == 0) {  // a prefix: [p, PrefixSuccessor(p))
    const std::string& key = keys_[pick(keys_.size())];
    return PrefixRange(key.substr(0, 1 + pick(key.size())));
  }
  KeyRange r{bound(), bound()};
  if (kind == 1 && r.lower) r.upper = r.lower;  // empty
  // Mostly lower < upper (an inverted range is empty; covered by kind 1 and
  // by chance).
  if (kind >= 3 && r.lower && r.upper && *r.upper < *r.lower) std::swap(r.lower, r.upper);
  return r;
}

uint64_t TortureCase::IndexBlocksInRange(const KeyRange& range, uint64_t snapshot) {
  uint64_t n = 0;
  if (range.empty()) return 0;
  for (const ScanFile& f : files_) {
    if (f.smallest_seqno > snapshot) continue;
    if (f.has_key_range &&
        (range.BelowLower(f.largest_user_key) || range.AtOrAboveUpper(f.smallest_user_key))) {
      continue;
    }
    auto sst = SstFile::Open(f.path);
    EXPECT_TRUE(sst.ok()) << sst.status().ToString();
    if (!sst.ok()) continue;
    const SstFile& file = **sst;
    for (size_t i = 0; i < file.num_data_blocks(); ++i) {
      // Block i holds user keys in [sep(i-1), sep(i)] (and >= its first key).
      if (range.lower && file.data_block_index_user_key(i) < *range.lower) continue;
      if (range.upper && i > 0 && file.data_block_index_user_key(i - 1) >= *range.upper) continue;
      const std::string& first = file.data_block_first_key(i);
      if (range.upper && !first.empty() &&
          std::string_view(first).substr(0, first.size() - 8) >= *range.upper) {
        continue;
      }
      ++n;
    }
  }
  return n;
}

std::vector<std::pair<std::string, std::string>> TortureCase::Expected(
    const rocksdb::Snapshot* snap, const KeyRange& range) {
  // The oracle: a RocksDB iterator followed by the reference evaluator, which
  // must agree with the host functions used by the function path.
  const CompiledPredicate* p = Predicates();
  EXPECT_NE(p, nullptr);
  std::optional<bpfgen::Evaluator> eval;
  if (p != nullptr) eval.emplace(p->schema);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  rocksdb::Slice lower, upper;
  if (range.lower) {
    lower = rocksdb::Slice(*range.lower);
    ro.iterate_lower_bound = &lower;
  }
  if (range.upper) {
    upper = rocksdb::Slice(*range.upper);
    ro.iterate_upper_bound = &upper;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator(ro));
  std::vector<std::pair<std::string, std::string>> rows;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view k(it->key().data(), it->key().size());
    const std::string_view v(it->value().data(), it->value().size());
    const bool by_functions = DevicePart(v) && ResidualPart(v) && (!zone_conjunct_ || ZonePart(v));
    bool keep = by_functions;
    if (eval) {
      Result<bool> d = eval->Matches(p->device, k, v);
      Result<bool> r = eval->Matches(p->residual, k, v);
      EXPECT_TRUE(d.ok() && r.ok());
      keep = d.ok() && r.ok() && *d && *r;
      if (zone_conjunct_) {
        Result<bool> z = eval->Matches(p->zone, k, v);
        EXPECT_TRUE(z.ok());
        keep = keep && z.ok() && *z;
      }
      EXPECT_EQ(keep, by_functions) << "evaluator and host functions disagree";
    }
    if (keep) rows.emplace_back(std::string(k), std::string(v));
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return rows;
}

void TortureCase::CheckAllSnapshots(const OpenFn& open) {
  SCOPED_TRACE(Describe());
  std::vector<const rocksdb::Snapshot*> snaps = snapshots_;
  snaps.push_back(nullptr);  // latest
  const std::vector<ScanFile>& files = files_;
  for (const rocksdb::Snapshot* snap : snaps) {
    const uint64_t seq = snap ? snap->GetSequenceNumber() : db_->db()->GetLatestSequenceNumber();
    SCOPED_TRACE("snapshot " + std::to_string(seq));
    const auto unbounded = Expected(snap);
    for (int run = 0; run < 3; ++run) {
      // Runs: everything; a limit; random bounds (a limit one time in four).
      const uint64_t limit =
          run == 1 || (run == 2 && rng_() % 4 == 0) ? static_cast<uint64_t>(rng_() % 5) : kNoLimit;
      const KeyRange range = run == 2 ? RandomRange() : KeyRange{};
      SCOPED_TRACE("range [" + range.lower.value_or("-inf") + ", " + range.upper.value_or("+inf") +
                   ") limit " + std::to_string(limit));
      const auto expected = run == 2 ? Expected(snap, range) : unbounded;
      ScanPlan plan;
      plan.lower_bound = range.lower;
      plan.upper_bound = range.upper;
      // Mostly told the comparator is bytewise (files outside the bounds are
      // not opened); else they are opened and their index seek reads nothing.
      const bool bytewise = rng_() % 4 != 0;
      plan.bytewise_comparator = bytewise;
      plan.files = files;
      plan.snapshot = seq;
      plan.schema = &schema_;
      plan.limit = limit;
      plan.batch_blocks = 1 + static_cast<uint32_t>(rng_() % 8);
      if (rng_() % 2) {  // the io_uring fast path, small buffers
        BlockSourceOptions io;
        io.read_size = size_t{16} << (10 + rng_() % 4);
        io.queue_depth = 1 + static_cast<unsigned>(rng_() % 4);
        plan.block_source = io;
      }
      auto scan = open(plan);
      ASSERT_TRUE(scan.ok()) << scan.status().ToString();
      // Rows by Next, by NextBatch (random batch sizes) or both interleaved
      // (the executor allows mixing). Its own generator: the DB shapes and
      // runs above stay those of the seed.
      std::mt19937_64 api_rng(static_cast<uint64_t>(seed_) * 7919 + seq * 31 + run);
      const int api = static_cast<int>(api_rng() % 3);
      auto layout = RowBatchLayout::Make(std::make_shared<bpfgen::Schema>(schema_), {0, 1});
      ASSERT_TRUE(layout.ok()) << layout.status().ToString();
      RowBatch batch;
      batch.Reset(*layout);
      std::vector<std::pair<std::string, std::string>> got;
      Row row;
      for (;;) {
        if (api == 1 || (api == 2 && api_rng() % 2 == 0)) {
          Status s = (*scan)->NextBatch(&batch, 1 + api_rng() % 7);
          ASSERT_TRUE(s.ok()) << s.ToString();
          if (batch.empty()) break;
          for (size_t i = 0; i < batch.size(); ++i) {
            ASSERT_EQ(batch.GetString(i, 0), batch.key(i));
            ASSERT_EQ(batch.GetString(i, 1), batch.value(i));
            got.emplace_back(batch.key(i), batch.value(i));
          }
          continue;
        }
        Status s = (*scan)->Next(&row);
        ASSERT_TRUE(s.ok()) << s.ToString();
        if (!(*scan)->Valid()) break;
        got.emplace_back(row.key, row.value);
      }
      const size_t n = std::min<size_t>(expected.size(), limit);
      ASSERT_EQ(got.size(), n);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(got[i], expected[i]) << "row " << i;
      }
      const ScanStats& stats = (*scan)->stats();
      EXPECT_EQ(stats.rows_matched, n);
      Coverage& cov = GlobalCoverage();
      ++cov.scans;
      cov.rows += n;
      cov.blocks_read += stats.blocks_read;
      cov.bytes_to_host += stats.bytes_to_host;
      cov.blocks_skipped_by_zone_map += stats.blocks_skipped_by_zone_map;
      cov.keys_hidden_by_range_deletion += stats.keys_hidden_by_range_deletion;
      EXPECT_LE(stats.blocks_skipped_by_range, stats.blocks_skipped);
      if (run == 2) {
        // Only the blocks the indexes allow are read; all of them when the
        // scan ran to the end.
        const uint64_t allowed = IndexBlocksInRange(range, seq);
        EXPECT_LE(stats.blocks_read, allowed);
        if (limit == kNoLimit) {  // zone maps may leave some of them out
          EXPECT_EQ(stats.blocks_read + stats.blocks_skipped_by_zone_map, allowed);
        }
        ++cov.bounded_scans;
        cov.bounded_rows += n;
        cov.bounded_cut_scans += expected.size() < unbounded.size();
        cov.files_skipped += stats.files_skipped;
        if (!bytewise) {
          EXPECT_EQ(stats.files_skipped, 0u);
        }
        cov.blocks_skipped_by_range += stats.blocks_skipped_by_range;
      }
    }
  }
}

}  // namespace pushdown::exec::testing_support
