// CaptureMemtable on stock-RocksDB databases (rocksdb::DB::Open, the
// application's own options): the captured memtable stream + the SST files
// through the ScanExecutor equal DB::NewIterator + the reference evaluator, at
// the latest state and at an older snapshot, with data in a deep level, L0,
// immutable and active memtables; nothing in the DB directory changes; where
// the WAL cannot prove exactness the capture gives a fallback reason.
#include "engine/api/memtable_view.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/schema.h"
#include "engine/api/internal.h"
#include "pushdown/scan/scan_executor.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/metadata.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_writer.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

namespace pt = pushdown::testing;

using Rows = std::vector<std::pair<std::string, std::string>>;

// The predicate: the first conjunct is the "device" one (host-evaluated by
// the host path and by MemtableStream), the second the residual.
constexpr char kWhere[] = "value >= 'v5' AND key <> 'k00013'";

rocksdb::Options StockOptions() {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 64 << 10;  // several memtables from a few thousand writes
  o.max_write_buffer_number = 8;
  o.disable_auto_compactions = true;
  o.num_levels = 7;
  return o;
}

struct StockDb {
  pt::TempDir dir{"pd_memtable_view"};
  std::string path = dir.path() + "/db";
  std::unique_ptr<rocksdb::DB> db;
  bool paused = false;

  explicit StockDb(rocksdb::Options options = StockOptions()) {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db.reset(raw);
  }
  ~StockDb() {
    if (paused) db->ContinueBackgroundWork().PermitUncheckedError();
  }
  rocksdb::ColumnFamilyHandle* cf() { return db->DefaultColumnFamily(); }
  void Pause() {
    ASSERT_TRUE(db->PauseBackgroundWork().ok());
    paused = true;
  }
  void Flush() { ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok()); }
  void CompactToDeepLevel() {
    rocksdb::CompactRangeOptions c;
    c.change_level = true;
    c.target_level = 6;
    ASSERT_TRUE(db->CompactRange(c, nullptr, nullptr).ok());
  }
  uint64_t IntProperty(const std::string& name) {
    uint64_t v = 0;
    EXPECT_TRUE(db->GetIntProperty(cf(), name, &v)) << name;
    return v;
  }
};

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%05d", i);
  return buf;
}

// Every file of the directory (recursively): name -> size + contents.
std::map<std::string, std::string> DirState(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out[e.path().string()] = std::to_string(e.file_size()) + ":" + ss.str();
  }
  return out;
}

// The reference: DB::NewIterator at the snapshot + the reference evaluator.
Rows Reference(rocksdb::DB* db, const rocksdb::Snapshot* snap, const bpfgen::Predicate& pred,
               const bpfgen::Schema& schema, rocksdb::ColumnFamilyHandle* cf = nullptr) {
  bpfgen::Evaluator eval(schema);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(ro, cf != nullptr ? cf : db->DefaultColumnFamily()));
  Rows rows;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto m = eval.Matches(pred, it->key().ToString(), it->value().ToString());
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (m.ok() && *m) rows.emplace_back(it->key().ToString(), it->value().ToString());
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return rows;
}

// The column family's files as the engine plans them (engine/api/scan.cc).
std::vector<exec::ScanFile> FilesOf(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(cf, &meta);
  return ScanFilesOf(meta);
}

struct PushdownResult {
  std::string fallback;  // non-empty: the capture refused
  Rows rows;
  exec::ScanStats stats;
  MemtableCapture capture_info;  // counts only (stream moved out)
};

// What the engine does: capture the memtables, THEN list the files, then scan.
PushdownResult PushdownScan(rocksdb::DB* db, const rocksdb::Snapshot* snap,
                            const bpfgen::Predicate& pred, const bpfgen::Schema& schema,
                            rocksdb::ColumnFamilyHandle* cf = nullptr) {
  if (cf == nullptr) cf = db->DefaultColumnFamily();
  PushdownResult out;
  auto cap = CaptureMemtable(db, cf, snap);
  EXPECT_TRUE(cap.ok()) << cap.status().ToString();
  if (!cap.ok()) return out;
  if (!cap->fallback_reason.empty()) {
    out.fallback = cap->fallback_reason;
    EXPECT_EQ(cap->stream, nullptr);
    return out;
  }
  exec::ScanPlan plan;
  plan.memtable = std::move(cap->stream);
  plan.memtable_tombstones = cap->range_tombstones;
  out.capture_info = std::move(*cap);
  plan.files = FilesOf(db, cf);
  plan.snapshot = snap->GetSequenceNumber();
  plan.schema = &schema;
  plan.device_conjuncts = {pred.conjuncts[0].get()};
  for (size_t i = 1; i < pred.conjuncts.size(); ++i) {
    plan.residual_conjuncts.push_back(pred.conjuncts[i].get());
  }
  plan.projection = exec::Projection::All();
  auto scan = exec::ScanExecutor::Open(plan);
  EXPECT_TRUE(scan.ok()) << scan.status().ToString();
  if (!scan.ok()) return out;
  exec::Row row;
  for (;;) {
    Status s = (*scan)->Next(&row);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || !(*scan)->Valid()) break;
    out.rows.emplace_back(row.key, row.value);
  }
  out.stats = (*scan)->stats();
  return out;
}

class MemtableViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = bpfgen::CompilePredicate(kWhere, schema_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    pred_ = std::move(*p);
    ASSERT_EQ(pred_.conjuncts.size(), 2u);
  }
  bpfgen::Schema schema_ = bpfgen::Schema::Raw();
  bpfgen::Predicate pred_;
};

// A random value: 'v' + a digit (the predicate's first conjunct flips on it)
// + padding of random length.
std::string Value(std::mt19937_64& rng) {
  return "v" + std::to_string(rng() % 10) + std::string(rng() % 120, char('a' + rng() % 26));
}

// Random puts, deletes, range deletions over a few "k" keys (never over the
// single-delete keys) and (on keys put exactly once) single deletes.
// `single` tracks the single-delete keys: 0 = never written, 1 = put once,
// 2 = single-deleted.
void RandomOps(rocksdb::DB* db, std::mt19937_64& rng, int n, int keys, std::vector<int>* single,
               rocksdb::ColumnFamilyHandle* cf = nullptr) {
  if (cf == nullptr) cf = db->DefaultColumnFamily();
  rocksdb::WriteOptions wo;
  for (int i = 0; i < n; ++i) {
    const int k = int(rng() % keys);
    const int op = int(rng() % 10);
    if (op < 7) {
      ASSERT_TRUE(db->Put(wo, cf, Key(k), Value(rng)).ok());
    } else if (op < 9) {
      if (rng() % 8 == 0) {
        ASSERT_TRUE(db->DeleteRange(wo, cf, Key(k), Key(k + 1 + int(rng() % 20))).ok());
      } else {
        ASSERT_TRUE(db->Delete(wo, cf, Key(k)).ok());
      }
    } else {
      // Single-delete keys live in their own range "s..." (put once, then
      // single-deleted at most once: RocksDB's contract).
      const int s = int(rng() % single->size());
      const std::string key = "s" + Key(s);
      if ((*single)[s] == 0) {
        ASSERT_TRUE(db->Put(wo, cf, key, Value(rng)).ok());
        (*single)[s] = 1;
      } else if ((*single)[s] == 1) {
        ASSERT_TRUE(db->SingleDelete(wo, cf, key).ok());
        (*single)[s] = 2;
      }
    }
  }
}

TEST_F(MemtableViewTest, RandomizedDeepL0AndMemtablesEqualIterator) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    StockDb d;
    std::vector<int> single(200, 0);
    const int keys = 1500;
    // Deep level, then L0.
    RandomOps(d.db.get(), rng, 1500, keys, &single);
    d.Flush();
    d.CompactToDeepLevel();
    RandomOps(d.db.get(), rng, 600, keys, &single);
    d.Flush();
    RandomOps(d.db.get(), rng, 300, keys, &single);
    d.Flush();
    // The memtables: flushes paused, so full memtables stay immutable.
    d.Pause();
    RandomOps(d.db.get(), rng, 700, keys, &single);
    const rocksdb::Snapshot* older = d.db->GetSnapshot();
    RandomOps(d.db.get(), rng, 1200, keys, &single);
    const rocksdb::Snapshot* latest = d.db->GetSnapshot();
    EXPECT_GT(d.IntProperty(rocksdb::DB::Properties::kNumImmutableMemTable), 0u);
    EXPECT_GT(d.IntProperty(rocksdb::DB::Properties::kNumEntriesActiveMemTable), 0u);

    const auto before = DirState(d.path);
    for (const rocksdb::Snapshot* snap : {older, latest}) {
      PushdownResult got = PushdownScan(d.db.get(), snap, pred_, schema_);
      ASSERT_EQ(got.fallback, "");
      EXPECT_GT(got.capture_info.entries, 0u);
      EXPECT_EQ(got.stats.memtable_entries, got.capture_info.entries);
      EXPECT_EQ(got.stats.memtable_bytes, got.capture_info.bytes);
      EXPECT_GT(got.stats.memtable_values_matched, 0u);
      // Range deletions in the memtables and in the files were applied.
      EXPECT_FALSE(got.capture_info.range_tombstones.empty());
      EXPECT_GT(got.stats.range_tombstones, got.capture_info.range_tombstones.size());
      EXPECT_GT(got.stats.keys_hidden_by_range_deletion, 0u);
      Rows want = Reference(d.db.get(), snap, pred_, schema_);
      EXPECT_FALSE(want.empty());
      EXPECT_EQ(got.rows, want);
    }
    EXPECT_EQ(DirState(d.path), before) << "the scan changed the DB directory";
    d.db->ReleaseSnapshot(older);
    d.db->ReleaseSnapshot(latest);
  }
}

// Two column families share the WAL: flushing one keeps the WAL alive for
// the other, so the capture reads batches of the other family and batches of
// its own family that are already flushed (and, after a bottommost
// compaction, stored with sequence number 0): still exact.
TEST_F(MemtableViewTest, ColumnFamiliesSharingTheWal) {
  StockDb d;
  rocksdb::ColumnFamilyHandle* raw_b = nullptr;
  ASSERT_TRUE(d.db->CreateColumnFamily(StockOptions(), "b", &raw_b).ok());
  std::unique_ptr<rocksdb::ColumnFamilyHandle> b(raw_b);
  rocksdb::ColumnFamilyHandle* a = d.cf();
  std::mt19937_64 rng(11);
  std::vector<int> single_a(100, 0), single_b(100, 0);
  RandomOps(d.db.get(), rng, 800, 500, &single_a, a);
  RandomOps(d.db.get(), rng, 300, 500, &single_b, b.get());
  ASSERT_TRUE(d.db->Flush(rocksdb::FlushOptions(), a).ok());
  rocksdb::CompactRangeOptions c;
  c.change_level = true;
  c.target_level = 6;
  ASSERT_TRUE(d.db->CompactRange(c, a, nullptr, nullptr).ok());
  RandomOps(d.db.get(), rng, 400, 500, &single_a, a);
  RandomOps(d.db.get(), rng, 300, 500, &single_b, b.get());
  const rocksdb::Snapshot* older = d.db->GetSnapshot();
  RandomOps(d.db.get(), rng, 400, 500, &single_a, a);
  const rocksdb::Snapshot* latest = d.db->GetSnapshot();
  for (rocksdb::ColumnFamilyHandle* cf : {a, b.get()}) {
    for (const rocksdb::Snapshot* snap : {older, latest}) {
      SCOPED_TRACE(cf->GetName() + (snap == older ? " older" : " latest"));
      PushdownResult got = PushdownScan(d.db.get(), snap, pred_, schema_, cf);
      ASSERT_EQ(got.fallback, "");
      EXPECT_GT(got.capture_info.entries, 0u);
      Rows want = Reference(d.db.get(), snap, pred_, schema_, cf);
      EXPECT_FALSE(want.empty());
      EXPECT_EQ(got.rows, want);
    }
  }
  d.db->ReleaseSnapshot(older);
  d.db->ReleaseSnapshot(latest);
  ASSERT_TRUE(d.db->DestroyColumnFamilyHandle(b.release()).ok());
}

// With every entry in the memtables (nothing flushed yet, as after stock
// db_bench fillrandom) and without pausing anything.
TEST_F(MemtableViewTest, AllDataInTheWal) {
  std::mt19937_64 rng(7);
  rocksdb::Options o = StockOptions();
  o.write_buffer_size = 64 << 20;
  StockDb d(o);
  std::vector<int> single(50, 0);
  RandomOps(d.db.get(), rng, 3000, 800, &single);
  const rocksdb::Snapshot* snap = d.db->GetSnapshot();
  PushdownResult got = PushdownScan(d.db.get(), snap, pred_, schema_);
  ASSERT_EQ(got.fallback, "");
  EXPECT_EQ(got.stats.files, 0u);
  EXPECT_EQ(got.rows, Reference(d.db.get(), snap, pred_, schema_));
  d.db->ReleaseSnapshot(snap);
}

TEST_F(MemtableViewTest, EmptyMemtablesNeedNoWal) {
  StockDb d;
  ASSERT_TRUE(d.db->Put({}, "a", "v7").ok());
  d.Flush();
  const rocksdb::Snapshot* snap = d.db->GetSnapshot();
  auto cap = CaptureMemtable(d.db.get(), d.cf(), snap);
  ASSERT_TRUE(cap.ok());
  EXPECT_EQ(cap->fallback_reason, "");
  EXPECT_EQ(cap->stream, nullptr);
  EXPECT_EQ(cap->wal_batches, 0u);
  d.db->ReleaseSnapshot(snap);
}

TEST_F(MemtableViewTest, NullArgumentsAreErrors) {
  StockDb d;
  EXPECT_FALSE(CaptureMemtable(d.db.get(), d.cf(), nullptr).ok());
  EXPECT_FALSE(CaptureMemtable(nullptr, nullptr, nullptr).ok());
}

// Writes without the WAL, wherever they are, give a fallback reason, never a
// capture that misses them.
TEST_F(MemtableViewTest, WritesWithoutTheWalFallBack) {
  rocksdb::WriteOptions no_wal;
  no_wal.disableWAL = true;
  struct Case {
    const char* name;
    std::function<void(StockDb&)> write;
  };
  const std::vector<Case> cases = {
      {"tail put",
       [&](StockDb& d) {
         ASSERT_TRUE(d.db->Put({}, "a", "v1").ok());
         ASSERT_TRUE(d.db->Put(no_wal, "b", "v9").ok());
       }},
      {"middle delete",
       [&](StockDb& d) {
         ASSERT_TRUE(d.db->Put({}, "a", "v9").ok());
         ASSERT_TRUE(d.db->Put({}, "a2", "v9").ok());
         d.Flush();
         ASSERT_TRUE(d.db->Put({}, "b", "v9").ok());
         ASSERT_TRUE(d.db->Delete(no_wal, "a").ok());
         ASSERT_TRUE(d.db->Put({}, "c", "v9").ok());
       }},
      {"first entry after a flush is a WAL-less delete",
       [&](StockDb& d) {
         ASSERT_TRUE(d.db->Put({}, "a", "v9").ok());
         ASSERT_TRUE(d.db->Put({}, "a2", "v9").ok());
         d.Flush();
         ASSERT_TRUE(d.db->Delete(no_wal, "a").ok());
         ASSERT_TRUE(d.db->Put({}, "c", "v9").ok());
       }},
      {"first entry of a fresh DB is a WAL-less single delete",
       [&](StockDb& d) {
         ASSERT_TRUE(d.db->SingleDelete(no_wal, "a").ok());
         ASSERT_TRUE(d.db->Put({}, "c", "v9").ok());
       }},
      {"only WAL-less writes", [&](StockDb& d) { ASSERT_TRUE(d.db->Put(no_wal, "a", "v9").ok()); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    StockDb d;
    c.write(d);
    const rocksdb::Snapshot* snap = d.db->GetSnapshot();
    PushdownResult got = PushdownScan(d.db.get(), snap, pred_, schema_);
    EXPECT_NE(got.fallback, "");
    std::printf("%s: %s\n", c.name, got.fallback.c_str());
    d.db->ReleaseSnapshot(snap);
  }
}

// A range deletion in the memtables is captured with its sequence number and
// hides the flushed keys it covers (not the newer put inside it).
TEST_F(MemtableViewTest, MemtableRangeDeletionIsCapturedAndApplied) {
  StockDb d;
  ASSERT_TRUE(d.db->Put({}, "a", "v9").ok());
  ASSERT_TRUE(d.db->Put({}, "b", "v9").ok());
  ASSERT_TRUE(d.db->Put({}, "c", "v9").ok());
  d.Flush();
  ASSERT_TRUE(d.db->DeleteRange({}, d.cf(), "a", "c").ok());
  const uint64_t del_seq = d.db->GetLatestSequenceNumber();
  ASSERT_TRUE(d.db->Put({}, "b", "v8").ok());
  const rocksdb::Snapshot* snap = d.db->GetSnapshot();
  PushdownResult got = PushdownScan(d.db.get(), snap, pred_, schema_);
  ASSERT_EQ(got.fallback, "");
  ASSERT_EQ(got.capture_info.range_tombstones.size(), 1u);
  EXPECT_EQ(got.capture_info.range_tombstones[0].start, "a");
  EXPECT_EQ(got.capture_info.range_tombstones[0].end, "c");
  EXPECT_EQ(got.capture_info.range_tombstones[0].seq, del_seq);
  EXPECT_EQ(got.rows, (Rows{{"b", "v8"}, {"c", "v9"}}));
  EXPECT_EQ(got.rows, Reference(d.db.get(), snap, pred_, schema_));
  EXPECT_EQ(got.stats.keys_hidden_by_range_deletion, 1u);  // a
  d.db->ReleaseSnapshot(snap);
}

// Only range deletions in the memtables (no other entry): no stream, the
// tombstones alone; still applied.
TEST_F(MemtableViewTest, MemtableHoldingOnlyARangeDeletion) {
  StockDb d;
  ASSERT_TRUE(d.db->Put({}, "a", "v9").ok());
  ASSERT_TRUE(d.db->Put({}, "b", "v9").ok());
  d.Flush();
  ASSERT_TRUE(d.db->DeleteRange({}, d.cf(), "b", "z").ok());
  const rocksdb::Snapshot* snap = d.db->GetSnapshot();
  PushdownResult got = PushdownScan(d.db.get(), snap, pred_, schema_);
  ASSERT_EQ(got.fallback, "");
  EXPECT_EQ(got.capture_info.range_tombstones.size(), 1u);
  EXPECT_EQ(got.rows, (Rows{{"a", "v9"}}));
  EXPECT_EQ(got.rows, Reference(d.db.get(), snap, pred_, schema_));
  d.db->ReleaseSnapshot(snap);
}

// A range deletion above the snapshot changes nothing at it: no fallback.
TEST_F(MemtableViewTest, RangeDeletionAboveTheSnapshotIsInvisible) {
  StockDb d;
  ASSERT_TRUE(d.db->Put({}, "a", "v9").ok());
  ASSERT_TRUE(d.db->Put({}, "b", "v9").ok());
  d.Flush();
  ASSERT_TRUE(d.db->Put({}, "c", "v9").ok());
  const rocksdb::Snapshot* snap = d.db->GetSnapshot();
  ASSERT_TRUE(d.db->DeleteRange({}, d.cf(), "a", "z").ok());
  PushdownResult got = PushdownScan(d.db.get(), snap, pred_, schema_);
  EXPECT_EQ(got.fallback, "");
  EXPECT_EQ(got.rows, (Rows{{"a", "v9"}, {"b", "v9"}, {"c", "v9"}}));
  EXPECT_EQ(got.rows, Reference(d.db.get(), snap, pred_, schema_));
  d.db->ReleaseSnapshot(snap);
}

TEST_F(MemtableViewTest, MergeOperandInTheMemtablesFallsBack) {
  rocksdb::Options o = StockOptions();
  ASSERT_TRUE(rocksdb::MergeOperator::CreateFromString(rocksdb::ConfigOptions(), "stringappend",
                                                       &o.merge_operator)
                  .ok());
  StockDb d(o);
  ASSERT_TRUE(d.db->Put({}, "a", "v9").ok());
  ASSERT_TRUE(d.db->Merge({}, "a", "x").ok());
  const rocksdb::Snapshot* snap = d.db->GetSnapshot();
  auto cap = CaptureMemtable(d.db.get(), d.cf(), snap);
  ASSERT_TRUE(cap.ok());
  EXPECT_NE(cap->fallback_reason.find("merge"), std::string::npos) << cap->fallback_reason;
  d.db->ReleaseSnapshot(snap);
}

// inplace_update_support: RocksDB gives no snapshots, so no capture either
// (CaptureMemtable also refuses the mode itself).
TEST_F(MemtableViewTest, InplaceUpdatesGiveNoSnapshot) {
  rocksdb::Options o = StockOptions();
  o.inplace_update_support = true;
  o.allow_concurrent_memtable_write = false;  // RocksDB requires it with in-place updates
  StockDb d(o);
  ASSERT_TRUE(d.db->Put({}, "a", "v9").ok());
  EXPECT_EQ(d.db->GetSnapshot(), nullptr);
  EXPECT_FALSE(CaptureMemtable(d.db.get(), d.cf(), nullptr).ok());
}

TEST_F(MemtableViewTest, UnsupportedWriteModesFallBack) {
  std::vector<std::pair<const char*, std::function<void(rocksdb::Options*)>>> modes = {
      {"recycle_log_file_num",
       [](rocksdb::Options* o) {
         o->recycle_log_file_num = 2;
         // RocksDB turns recycling off under every other recovery mode.
         o->wal_recovery_mode = rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords;
       }},
      {"two_write_queues", [](rocksdb::Options* o) { o->two_write_queues = true; }},
      {"unordered_write", [](rocksdb::Options* o) { o->unordered_write = true; }},
      {"manual_wal_flush", [](rocksdb::Options* o) { o->manual_wal_flush = true; }},

  };
  for (auto& [name, set] : modes) {
    SCOPED_TRACE(name);
    rocksdb::Options o = StockOptions();
    set(&o);
    StockDb d(o);
    ASSERT_TRUE(d.db->Put({}, "a", "v9").ok());
    const rocksdb::Snapshot* snap = d.db->GetSnapshot();
    auto cap = CaptureMemtable(d.db.get(), d.cf(), snap);
    ASSERT_TRUE(cap.ok());
    EXPECT_NE(cap->fallback_reason.find(name), std::string::npos) << cap->fallback_reason;
    d.db->ReleaseSnapshot(snap);
  }
}

// An ingested file consumes a sequence number without a WAL record: the
// capture must not miss the memtable entries around it.
TEST_F(MemtableViewTest, IngestedFileIsNeverAWrongRow) {
  StockDb d;
  ASSERT_TRUE(d.db->Put({}, "a", "v1").ok());
  ASSERT_TRUE(d.db->Put({}, "m", "v9").ok());
  d.Flush();
  ASSERT_TRUE(d.db->Put({}, "b", "v9").ok());  // memtable, older than the ingestion
  ASSERT_TRUE(d.db->Delete({}, "a").ok());
  // Overlaps the flushed file (so it gets a global sequence number), not the
  // memtable keys.
  std::string sst = d.dir.File("ingest.sst");
  rocksdb::SstFileWriter w(rocksdb::EnvOptions(), StockOptions());
  ASSERT_TRUE(w.Open(sst).ok());
  ASSERT_TRUE(w.Put("m", "v8").ok());
  ASSERT_TRUE(w.Put("n", "v8").ok());
  ASSERT_TRUE(w.Finish().ok());
  ASSERT_TRUE(d.db->IngestExternalFile({sst}, rocksdb::IngestExternalFileOptions()).ok());
  ASSERT_TRUE(d.db->Put({}, "c", "v9").ok());
  const rocksdb::Snapshot* snap = d.db->GetSnapshot();
  PushdownResult got = PushdownScan(d.db.get(), snap, pred_, schema_);
  std::printf("ingested: %s\n", got.fallback.empty() ? "pushdown" : got.fallback.c_str());
  if (got.fallback.empty()) {
    EXPECT_EQ(got.rows, Reference(d.db.get(), snap, pred_, schema_));
  }
  d.db->ReleaseSnapshot(snap);
}

// A WAL beyond the bound: a fallback, not unbounded memory.
TEST_F(MemtableViewTest, BoundsGiveAFallback) {
  StockDb d;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(d.db->Put({}, Key(i), std::string(100, 'v')).ok());
  const rocksdb::Snapshot* snap = d.db->GetSnapshot();
  CaptureOptions small;
  small.max_held_bytes = 1000;
  auto cap = CaptureMemtable(d.db.get(), d.cf(), snap, small);
  ASSERT_TRUE(cap.ok());
  EXPECT_NE(cap->fallback_reason.find("exceeds"), std::string::npos) << cap->fallback_reason;
  small = {};
  small.max_read_bytes = 1000;
  cap = CaptureMemtable(d.db.get(), d.cf(), snap, small);
  ASSERT_TRUE(cap.ok());
  EXPECT_NE(cap->fallback_reason.find("exceeds"), std::string::npos) << cap->fallback_reason;
  cap = CaptureMemtable(d.db.get(), d.cf(), snap);
  ASSERT_TRUE(cap.ok());
  EXPECT_EQ(cap->fallback_reason, "");
  EXPECT_EQ(cap->entries, 100u);
  d.db->ReleaseSnapshot(snap);
}

// A writer thread (puts, deletes, flushes, compactions) runs while scans
// capture + list + read: every pushdown result equals the iterator at the
// same snapshot; a fallback is allowed, a wrong row is not.
TEST_F(MemtableViewTest, ConcurrentWriterAndFlushesNeverAWrongRow) {
  rocksdb::Options o = StockOptions();
  o.disable_auto_compactions = false;
  o.level0_file_num_compaction_trigger = 2;
  StockDb d(o);
  std::atomic<bool> stop{false};
  std::atomic<int> batches{0};
  std::thread writer([&] {
    std::mt19937_64 rng(99);
    std::vector<int> single(1 << 20, 0);  // never exhausted in this test
    int n = 0;
    while (!stop.load()) {
      RandomOps(d.db.get(), rng, 50, 2000, &single);
      ++batches;
      if (++n % 10 == 0) {
        ASSERT_TRUE(d.db->Flush(rocksdb::FlushOptions()).ok());
      }
    }
  });
  int pushdown = 0;
  int fallback = 0;
  uint64_t memtable_entries = 0;
  std::map<std::string, int> reasons;
  while (batches.load() < 5) std::this_thread::yield();
  for (int round = 0; round < 150; ++round) {
    const rocksdb::Snapshot* snap = d.db->GetSnapshot();
    auto cap = CaptureMemtable(d.db.get(), d.cf(), snap);
    ASSERT_TRUE(cap.ok());
    if (!cap->fallback_reason.empty()) {
      ++fallback;
      ++reasons[cap->fallback_reason.substr(0, 40)];
      if (fallback < 6) std::printf("%s\n", cap->fallback_reason.c_str());
      d.db->ReleaseSnapshot(snap);
      continue;
    }
    // What the engine does next: keep the files, then list them.
    ASSERT_TRUE(d.db->DisableFileDeletions().ok());
    exec::ScanPlan plan;
    memtable_entries += cap->entries;
    plan.memtable = std::move(cap->stream);
    plan.memtable_tombstones = cap->range_tombstones;
    plan.files = FilesOf(d.db.get(), d.cf());
    plan.snapshot = snap->GetSequenceNumber();
    plan.schema = &schema_;
    plan.device_conjuncts = {pred_.conjuncts[0].get()};
    plan.residual_conjuncts = {pred_.conjuncts[1].get()};
    auto scan = exec::ScanExecutor::Open(plan);
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    Rows rows;
    exec::Row row;
    for (;;) {
      ASSERT_TRUE((*scan)->Next(&row).ok());
      if (!(*scan)->Valid()) break;
      rows.emplace_back(row.key, row.value);
    }
    scan->reset();
    ASSERT_TRUE(d.db->EnableFileDeletions(/*force=*/false).ok());
    ASSERT_EQ(rows, Reference(d.db.get(), snap, pred_, schema_)) << "round " << round;
    ++pushdown;
    d.db->ReleaseSnapshot(snap);
  }
  stop = true;
  writer.join();
  std::printf("concurrent: %d pushdown scans (%llu memtable entries in all), %d fallbacks\n",
              pushdown, static_cast<unsigned long long>(memtable_entries), fallback);
  for (const auto& [why, n] : reasons) std::printf("  %3d x %s...\n", n, why.c_str());
  // The writer really raced with the captures.
  EXPECT_GT(memtable_entries, 0u);
  EXPECT_GT(pushdown, 0);
}

}  // namespace
}  // namespace pushdown::engine

namespace pushdown::engine {
namespace {

// A read-only instance and a secondary instance of a DB whose data is only in
// the WAL (as straight after stock db_bench fillrandom): exact rows or a
// fallback reason.
TEST_F(MemtableViewTest, ReadOnlyAndSecondaryInstances) {
  pt::TempDir dir("pd_memtable_view_ro");
  const std::string path = dir.path() + "/db";
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(StockOptions(), path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::mt19937_64 rng(3);
    std::vector<int> single(20, 0);
    RandomOps(db.get(), rng, 500, 300, &single);
    // Closed without a flush: the data stays in the WAL.
  }
  for (bool secondary : {false, true}) {
    SCOPED_TRACE(secondary ? "secondary" : "read-only");
    rocksdb::DB* raw = nullptr;
    rocksdb::Options o = StockOptions();
    o.create_if_missing = false;
    rocksdb::Status s = secondary ? rocksdb::DB::OpenAsSecondary(o, path, dir.path() + "/sec", &raw)
                                  : rocksdb::DB::OpenForReadOnly(o, path, &raw);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    if (secondary) {
      ASSERT_TRUE(db->TryCatchUpWithPrimary().ok());
    }
    const rocksdb::Snapshot* snap = db->GetSnapshot();
    if (snap == nullptr) {
      std::printf("%s: no snapshots\n", secondary ? "secondary" : "read-only");
      continue;
    }
    PushdownResult got = PushdownScan(db.get(), snap, pred_, schema_);
    std::printf("%s: %s\n", secondary ? "secondary" : "read-only",
                got.fallback.empty() ? "pushdown" : got.fallback.c_str());
    if (got.fallback.empty()) {
      // The secondary's iterators ignore snapshots: read at its latest state,
      // which is the snapshot's (nothing catches up in between).
      EXPECT_EQ(got.rows, Reference(db.get(), secondary ? nullptr : snap, pred_, schema_));
    }
    db->ReleaseSnapshot(snap);
  }
}

}  // namespace
}  // namespace pushdown::engine
