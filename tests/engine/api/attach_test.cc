// AttachedDB over a DB written with stock RocksDB (rocksdb::DB::Open, not
// PushdownDB): three column families (bytewise raw, a uint64add merge
// operator, ReverseBytewiseComparator), data in a deep level, in L0 and in the
// memtable, overwrites that flip the predicate, deletes, single deletes and
// range deletions. Every scan (each family, each device, with and without
// bounds, latest state and an older snapshot) equals DB::NewIterator with the
// same bounds followed by the reference evaluator; Explain reports the path,
// device and reason the scan ran with; no file in the DB directory changes.
#include "engine/api/attach.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "engine/api/pushdown_db.h"
#include "engine/plugin/pushdown_fs.h"
#include "pushdown/device/fallback.h"
#include "rocksdb/comparator.h"
#include "rocksdb/convenience.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/slice_transform.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

using ::pushdown::testing::TempDir;

constexpr char kPlain[] = "plain";
constexpr char kCounters[] = "counters";
constexpr char kReverse[] = "reverse";

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return buf;
}

// 4-byte big-endian n, then filler: predicates look at u32be(value, 0).
std::string Value(uint32_t n, size_t filler = 20) {
  std::string v(4, '\0');
  for (int b = 0; b < 4; ++b) v[b] = static_cast<char>(n >> (24 - 8 * b));
  v.append(filler, static_cast<char>('a' + n % 26));
  return v;
}

std::string Fixed64(uint64_t n) {
  std::string v(8, '\0');
  for (int b = 0; b < 8; ++b) v[b] = static_cast<char>(n >> (8 * b));
  return v;
}

// name -> (size, contents) of every file in the directory. The info LOG is
// buffered: RocksDB's own earlier lines (a flush's) are flushed out first.
std::map<std::string, std::string> Fingerprint(rocksdb::DB* db, const std::string& dir) {
  if (db->GetDBOptions().info_log) db->GetDBOptions().info_log->Flush();
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out[e.path().filename().string()] = ss.str();
  }
  return out;
}

void ExpectSameFiles(const std::map<std::string, std::string>& before,
                     const std::map<std::string, std::string>& after) {
  std::vector<std::string> b, a;
  for (const auto& [n, c] : before) b.push_back(n);
  for (const auto& [n, c] : after) a.push_back(n);
  ASSERT_EQ(b, a) << "file names changed";
  for (const auto& [n, c] : before) {
    EXPECT_EQ(c.size(), after.at(n).size()) << n << " size changed";
    EXPECT_TRUE(c == after.at(n)) << n << " contents changed"
                                  << (after.at(n).size() > c.size() &&
                                              after.at(n).compare(0, c.size(), c) == 0
                                          ? ", appended: " + after.at(n).substr(c.size(), 400)
                                          : std::string());
  }
}

struct StockDb {
  std::string path;
  std::unique_ptr<rocksdb::DB> db;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> cfs;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  // Snapshots held while building (so that a bottommost compaction keeps a
  // range deletion); released at Close.
  std::vector<const rocksdb::Snapshot*> pins;

  ~StockDb() { Close(); }
  void Close() {
    for (const rocksdb::Snapshot* p : pins) db->ReleaseSnapshot(p);
    pins.clear();
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    handles.clear();
    cfs.clear();
    if (db) db->Close().PermitUncheckedError();
    db.reset();
  }
};

std::vector<rocksdb::ColumnFamilyDescriptor> Descriptors() {
  rocksdb::ColumnFamilyOptions base;
  base.disable_auto_compactions = true;
  base.num_levels = 4;
  base.write_buffer_size = 64 << 20;
  rocksdb::ColumnFamilyOptions counters = base;
  std::shared_ptr<rocksdb::MergeOperator> add;
  EXPECT_TRUE(
      rocksdb::MergeOperator::CreateFromString(rocksdb::ConfigOptions(), "uint64add", &add).ok());
  counters.merge_operator = add;
  rocksdb::ColumnFamilyOptions reverse = base;
  reverse.comparator = rocksdb::ReverseBytewiseComparator();
  return {{rocksdb::kDefaultColumnFamilyName, base},
          {kPlain, base},
          {kCounters, counters},
          {kReverse, reverse}};
}

// Opens (creating) the DB with the application's own options. `env` null =
// the default Env.
void OpenStock(const std::string& path, rocksdb::Env* env, StockDb* out) {
  rocksdb::DBOptions o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.stats_dump_period_sec = 0;
  o.stats_persist_period_sec = 0;
  if (env != nullptr) o.env = env;
  rocksdb::DB* raw = nullptr;
  const auto descriptors = Descriptors();
  ASSERT_TRUE(rocksdb::DB::Open(o, path, descriptors, &out->handles, &raw).ok());
  out->path = path;
  out->db.reset(raw);
  for (size_t i = 0; i < descriptors.size(); ++i) out->cfs[descriptors[i].name] = out->handles[i];
}

void Flush(StockDb& s, const char* cf) {
  rocksdb::Status st = s.db->Flush(rocksdb::FlushOptions(), s.cfs[cf]);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

void CompactToBottom(StockDb& s, const char* cf) {
  rocksdb::CompactRangeOptions c;
  c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  c.change_level = true;
  c.target_level = 3;
  ASSERT_TRUE(s.db->CompactRange(c, s.cfs[cf], nullptr, nullptr).ok());
}

constexpr int kKeys = 1500;

// Keys single-deleted in L0: written exactly once before (the deep level), and
// neither deleted nor overwritten anywhere (SingleDelete's contract).
bool SingleDeleted(int i) {
  return i % 19 == 2 && i % 17 != 1 && i % 3 != 0 && i % 5 != 0 && i % 23 != 4;
}

// The plain family: deep level, L0, memtable, each with overwrites, deletes,
// single deletes and range deletions (one of them overlapping another place's,
// some with newer puts inside them). Returns a snapshot taken between L0 and
// the memtable writes.
const rocksdb::Snapshot* BuildPlain(StockDb& s) {
  rocksdb::DB* db = s.db.get();
  auto* cf = s.cfs[kPlain];
  std::mt19937_64 rng(7);
  rocksdb::WriteOptions wo;
  for (int i = 0; i < kKeys; ++i) EXPECT_TRUE(db->Put(wo, cf, Key(i), Value(i)).ok());
  // Deep level: a range deletion that the bottommost compaction keeps (a
  // snapshot older than it is held), and puts newer than it inside it.
  s.pins.push_back(db->GetSnapshot());
  EXPECT_TRUE(db->DeleteRange(wo, cf, Key(1000), Key(1030)).ok());
  for (int i = 1010; i < 1015; ++i) EXPECT_TRUE(db->Put(wo, cf, Key(i), Value(i + 2)).ok());
  Flush(s, kPlain);
  CompactToBottom(s, kPlain);
  // L0: overwrites that flip parity, deletes, single deletes of once-written
  // keys, a range deletion (a newer put inside it) and one overlapping the
  // deep level's.
  for (int i = 0; i < kKeys; i += 3) EXPECT_TRUE(db->Put(wo, cf, Key(i), Value(i + 1)).ok());
  for (int i = 1; i < kKeys; i += 17) EXPECT_TRUE(db->Delete(wo, cf, Key(i)).ok());
  for (int i = 0; i < kKeys; ++i) {
    if (SingleDeleted(i)) EXPECT_TRUE(db->SingleDelete(wo, cf, Key(i)).ok());
  }
  for (int i = kKeys; i < kKeys + 200; ++i) EXPECT_TRUE(db->Put(wo, cf, Key(i), Value(i)).ok());
  EXPECT_TRUE(db->DeleteRange(wo, cf, Key(350), Key(380)).ok());
  EXPECT_TRUE(db->DeleteRange(wo, cf, Key(1020), Key(1045)).ok());
  EXPECT_TRUE(db->Put(wo, cf, Key(360), Value(360)).ok());
  Flush(s, kPlain);
  const rocksdb::Snapshot* old = db->GetSnapshot();
  // Memtable: overwrites (flip again), deletes, single deletes, new keys,
  // range deletions over SST data and over memtable data (newer puts inside).
  for (int i = 0; i < kKeys; i += 5) {
    EXPECT_TRUE(db->Put(wo, cf, Key(i), Value(static_cast<uint32_t>(rng()))).ok());
  }
  for (int i = 4; i < kKeys; i += 23) EXPECT_TRUE(db->Delete(wo, cf, Key(i)).ok());
  for (int i = kKeys + 1; i < kKeys + 200; i += 7) {
    EXPECT_TRUE(db->SingleDelete(wo, cf, Key(i)).ok());
  }
  for (int i = kKeys + 200; i < kKeys + 260; ++i) {
    EXPECT_TRUE(db->Put(wo, cf, Key(i), Value(i)).ok());
  }
  EXPECT_TRUE(db->DeleteRange(wo, cf, Key(500), Key(530)).ok());
  EXPECT_TRUE(db->DeleteRange(wo, cf, Key(kKeys + 210), Key(kKeys + 220)).ok());
  EXPECT_TRUE(db->Put(wo, cf, Key(510), Value(510)).ok());
  return old;
}

// The merge-operator and reverse-comparator families: data in every place,
// range deletions included.
void BuildOthers(StockDb& s) {
  rocksdb::DB* db = s.db.get();
  rocksdb::WriteOptions wo;
  auto* ctr = s.cfs[kCounters];
  auto* rev = s.cfs[kReverse];
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 600; ++i) {
      EXPECT_TRUE(db->Merge(wo, ctr, Key(i), Fixed64(i + round)).ok());
      EXPECT_TRUE(db->Put(wo, rev, Key(i), Value(i + round)).ok());
    }
    for (int i = round; i < 600; i += 31) {
      EXPECT_TRUE(db->Delete(wo, ctr, Key(i)).ok());
      EXPECT_TRUE(db->Delete(wo, rev, Key(i)).ok());
    }
    // [begin, end) in each family's own order.
    EXPECT_TRUE(db->DeleteRange(wo, ctr, Key(100 + round * 50), Key(110 + round * 50)).ok());
    EXPECT_TRUE(db->DeleteRange(wo, rev, Key(210 + round * 50), Key(200 + round * 50)).ok());
    if (round == 0) {
      Flush(s, kCounters);
      Flush(s, kReverse);
      CompactToBottom(s, kCounters);
      CompactToBottom(s, kReverse);
    } else if (round == 1) {
      Flush(s, kCounters);
      Flush(s, kReverse);
    }
  }
}

struct Rows {
  std::vector<std::pair<std::string, std::string>> rows;  // key, value
  ScanInfo info;
  uint64_t range_tombstones = 0;  // the scan's stats
  uint64_t keys_hidden_by_range_deletion = 0;
};

// DB::NewIterator with the same snapshot and bounds, then the evaluator.
Rows Reference(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string& where,
               const ScanOptions& so, bool bytewise) {
  const bpfgen::Schema raw = bpfgen::Schema::Raw();
  auto pred = bpfgen::CompilePredicate(where.empty() ? "TRUE" : where, raw);
  EXPECT_TRUE(pred.ok());
  bpfgen::Evaluator eval(raw);
  std::optional<std::string> lower = so.lower_bound, upper = so.upper_bound;
  if (so.prefix && bytewise) {
    if (!lower || *lower < *so.prefix) lower = *so.prefix;
    std::string succ = *so.prefix;
    while (!succ.empty() && static_cast<unsigned char>(succ.back()) == 0xff) succ.pop_back();
    if (!succ.empty()) {
      succ.back() = static_cast<char>(static_cast<unsigned char>(succ.back()) + 1);
      if (!upper || succ < *upper) upper = succ;
    }
  }
  rocksdb::Slice lo, up;
  rocksdb::ReadOptions ro;
  ro.snapshot = so.snapshot;
  if (lower) {
    lo = *lower;
    ro.iterate_lower_bound = &lo;
  }
  if (upper) {
    up = *upper;
    ro.iterate_upper_bound = &up;
  }
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  Rows out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string k = it->key().ToString(), v = it->value().ToString();
    if (so.prefix && !bytewise && k.rfind(*so.prefix, 0) != 0) continue;
    auto m = eval.Matches(*pred, k, v);
    EXPECT_TRUE(m.ok());
    if (m.ok() && *m) out.rows.emplace_back(k, v);
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

Result<Rows> ScanRaw(AttachedDB& pd, rocksdb::ColumnFamilyHandle* cf, const std::string& where,
                     const ScanOptions& so) {
  PD_ASSIGN_OR_RETURN(auto cur, pd.Scan(cf, RowSpec::Raw(), where, so));
  Rows out;
  for (;;) {
    PD_RETURN_IF_ERROR(cur->Next());
    if (!cur->Valid()) break;
    out.rows.emplace_back(std::string(cur->key()), cur->row()[1].s);
    if (cur->row()[0].s != cur->key()) return Status::Internal("key column != key()");
  }
  out.info = cur->info();
  out.range_tombstones = cur->stats().range_tombstones;
  out.keys_hidden_by_range_deletion = cur->stats().keys_hidden_by_range_deletion;
  return out;
}

std::vector<exec::DeviceRequest> Devices() {
  std::vector<exec::DeviceRequest> d = {exec::DeviceRequest::kAuto, exec::DeviceRequest::kHost,
                                        exec::DeviceRequest::kIterator};
  if (exec::DeviceRegistry::Default().kernel().Available().ok()) {
    d.push_back(exec::DeviceRequest::kKernel);
  }
  return d;
}

struct Bounds {
  std::optional<std::string> lower, upper, prefix;
};

std::vector<Bounds> BoundsCases(bool reverse) {
  if (reverse) {  // the comparator's order: "lower" is the bytewise-larger key
    return {{},
            {Key(900), Key(300), {}},
            {Key(500), {}, {}},
            {{}, Key(250), {}},
            {{}, {}, std::string("k0004")}};
  }
  return {{},
          {Key(300), Key(900), {}},
          {Key(1400), {}, {}},
          {{}, Key(40), {}},
          {{}, {}, std::string("k0012")},
          {Key(1205), {}, std::string("k0012")},
          {Key(700), Key(700), {}},
          {std::string("k"), std::string("l"), {}}};
}

const char* kWheres[] = {"u32be(value, 0) % 2 = 0", "",
                         "length(value) > 4 AND u32be(value, 0) % 3 = 1"};

// Scans every case and checks it against the reference; returns the infos of
// the unbounded scans per device (for path expectations).
void CheckFamily(AttachedDB& pd, rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, bool reverse,
                 const std::vector<const rocksdb::Snapshot*>& snapshots,
                 std::map<exec::DeviceRequest, ScanInfo>* infos,
                 uint64_t* keys_hidden_by_range_deletion = nullptr) {
  for (const rocksdb::Snapshot* snap : snapshots) {
    for (const Bounds& b : BoundsCases(reverse)) {
      for (const char* where : kWheres) {
        for (exec::DeviceRequest dev : Devices()) {
          ScanOptions so;
          so.snapshot = snap;
          so.device = dev;
          so.lower_bound = b.lower;
          so.upper_bound = b.upper;
          so.prefix = b.prefix;
          const std::string what = cf->GetName() + " " + std::string(DeviceRequestName(dev)) +
                                   " where '" + where + "' lower " + b.lower.value_or("-") +
                                   " upper " + b.upper.value_or("-") + " prefix " +
                                   b.prefix.value_or("-") + (snap ? " old snapshot" : " latest");
          auto got = ScanRaw(pd, cf, where, so);
          ASSERT_TRUE(got.ok()) << what << ": " << got.status().ToString();
          const Rows want = Reference(db, cf, where, so, !reverse);
          EXPECT_EQ(got->rows.size(), want.rows.size()) << what;
          EXPECT_TRUE(got->rows == want.rows) << what;
          if (keys_hidden_by_range_deletion != nullptr) {
            *keys_hidden_by_range_deletion += got->keys_hidden_by_range_deletion;
          }
          // Explain reports what the scan ran.
          auto ex = pd.Explain(cf, RowSpec::Raw(), where, so);
          ASSERT_TRUE(ex.ok()) << what << ": " << ex.status().ToString();
          EXPECT_EQ(ex->info.path, got->info.path) << what;
          EXPECT_EQ(ex->info.device, got->info.device) << what;
          EXPECT_EQ(ex->info.fallback_reason, got->info.fallback_reason) << what;
          EXPECT_EQ(ex->info.io, got->info.io) << what;
          if (snap == nullptr && !b.lower && !b.upper && !b.prefix && where[0] != '\0') {
            (*infos)[dev] = got->info;
          }
        }
      }
    }
  }
}

TEST(AttachTest, StockDbEveryFamilyEveryDeviceMatchesIteratorAndWritesNothing) {
  TempDir dir("pd_attach");
  StockDb s;
  OpenStock(dir.path() + "/db", nullptr, &s);
  ASSERT_NE(s.db, nullptr);
  const rocksdb::Snapshot* old = BuildPlain(s);
  BuildOthers(s);
  if (HasFatalFailure()) return;
  const auto before = Fingerprint(s.db.get(), s.path);

  auto pd = AttachedDB::Attach(s.db.get());
  ASSERT_TRUE(pd.ok()) << pd.status().ToString();
  EXPECT_EQ((*pd)->io(), "direct");
  EXPECT_EQ((*pd)->default_device(), exec::DeviceRequest::kAuto);

  std::map<exec::DeviceRequest, ScanInfo> plain, counters, reverse;
  uint64_t hidden = 0;
  CheckFamily(**pd, s.db.get(), s.cfs[kPlain], false, {nullptr, old}, &plain, &hidden);
  // The range deletions of every place were applied on the pushdown path.
  EXPECT_GT(hidden, 0u);
  CheckFamily(**pd, s.db.get(), s.cfs[kCounters], false, {nullptr}, &counters);
  CheckFamily(**pd, s.db.get(), s.cfs[kReverse], true, {nullptr}, &reverse);
  if (HasFatalFailure()) return;

  for (auto& [dev, info] : counters) {
    EXPECT_EQ(info.path, "iterator");
    if (dev != exec::DeviceRequest::kIterator) {
      // The memtable capture refuses merge operands (memtable_view.h).
      EXPECT_NE(info.fallback_reason.find("merge"), std::string::npos) << info.fallback_reason;
    }
  }
  for (auto& [dev, info] : reverse) {
    EXPECT_EQ(info.path, "iterator");
    if (dev != exec::DeviceRequest::kIterator) {
      EXPECT_NE(info.fallback_reason.find("non-bytewise comparator"), std::string::npos)
          << info.fallback_reason;
    }
  }
  for (auto& [dev, info] : plain) {
    EXPECT_EQ(info.io, "direct");
    EXPECT_GT(info.memtable_entries, 0u);
    if (dev == exec::DeviceRequest::kIterator) {
      EXPECT_EQ(info.path, "iterator");
      continue;
    }
    // The memtable's entries are merged with the SST streams (memtable_view.h).
    EXPECT_EQ(info.path, "pushdown") << info.fallback_reason;
    EXPECT_GT(info.memtable_entries_merged, 0u);
    if (dev != exec::DeviceRequest::kAuto) EXPECT_EQ(info.device, DeviceRequestName(dev));
  }
  ExpectSameFiles(before, Fingerprint(s.db.get(), s.path));

  // The application flushes: the plain family's data is all in SST files now
  // (deep level + two L0 files); every device takes the pushdown path.
  s.db->ReleaseSnapshot(old);
  Flush(s, kPlain);
  const auto flushed = Fingerprint(s.db.get(), s.path);
  std::map<exec::DeviceRequest, ScanInfo> plain2;
  CheckFamily(**pd, s.db.get(), s.cfs[kPlain], false, {nullptr}, &plain2);
  for (auto& [dev, info] : plain2) {
    if (dev == exec::DeviceRequest::kIterator) continue;
    EXPECT_EQ(info.path, "pushdown") << DeviceRequestName(dev) << ": " << info.fallback_reason;
    EXPECT_EQ(info.device,
              dev == exec::DeviceRequest::kAuto ? info.device : DeviceRequestName(dev));
    EXPECT_GE(info.files, 3u);
  }
  ExpectSameFiles(flushed, Fingerprint(s.db.get(), s.path));

  // More range deletions in the plain family (memtable, then an L0 file):
  // still the pushdown path, rows still exact.
  rocksdb::WriteOptions wo;
  ASSERT_TRUE(s.db->DeleteRange(wo, s.cfs[kPlain], Key(400), Key(450)).ok());
  Flush(s, kPlain);
  ASSERT_TRUE(s.db->DeleteRange(wo, s.cfs[kPlain], Key(600), Key(640)).ok());
  const auto ranged = Fingerprint(s.db.get(), s.path);
  std::map<exec::DeviceRequest, ScanInfo> plain3;
  CheckFamily(**pd, s.db.get(), s.cfs[kPlain], false, {nullptr}, &plain3);
  for (auto& [dev, info] : plain3) {
    if (dev == exec::DeviceRequest::kIterator) continue;
    EXPECT_EQ(info.path, "pushdown") << info.fallback_reason;
    EXPECT_GT(info.memtable_entries, 0u);  // the range deletion
  }
  ExpectSameFiles(ranged, Fingerprint(s.db.get(), s.path));
  Flush(s, kPlain);
  std::map<exec::DeviceRequest, ScanInfo> plain4;
  const auto ranged2 = Fingerprint(s.db.get(), s.path);
  CheckFamily(**pd, s.db.get(), s.cfs[kPlain], false, {nullptr}, &plain4);
  for (auto& [dev, info] : plain4) {
    if (dev == exec::DeviceRequest::kIterator) continue;
    EXPECT_EQ(info.path, "pushdown") << info.fallback_reason;
  }
  ExpectSameFiles(ranged2, Fingerprint(s.db.get(), s.path));
}

TEST(AttachTest, StrictDeviceFailsInsteadOfFallingBack) {
  TempDir dir("pd_attach");
  StockDb s;
  OpenStock(dir.path() + "/db", nullptr, &s);
  ASSERT_NE(s.db, nullptr);
  BuildOthers(s);
  auto pd = AttachedDB::Attach(s.db.get());
  ASSERT_TRUE(pd.ok());
  ScanOptions so;
  so.strict_device = true;
  so.device = exec::DeviceRequest::kHost;
  auto r = (*pd)->Scan(s.cfs[kCounters], RowSpec::Raw(), "", so);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("merge"), std::string::npos) << r.status().message();
  EXPECT_FALSE((*pd)->Explain(s.cfs[kCounters], RowSpec::Raw(), "", so).ok());
  so.device = exec::DeviceRequest::kIterator;  // the iterator is always itself
  EXPECT_TRUE((*pd)->Scan(s.cfs[kCounters], RowSpec::Raw(), "", so).ok());
  // A DB without memtable data and a host request runs on the pushdown path;
  // nothing is pushed (TRUE), so no program runs: device "none", accepted
  // under strict_device.
  Flush(s, kCounters);
  ASSERT_TRUE(s.db->Put({}, s.cfs[kPlain], Key(1), Value(2)).ok());
  Flush(s, kPlain);
  so.device = exec::DeviceRequest::kHost;
  auto ok = (*pd)->Scan(s.cfs[kPlain], RowSpec::Raw(), "", so);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)->info().path, "pushdown");
  EXPECT_TRUE((*ok)->info().host_decode);
  EXPECT_EQ((*ok)->info().device, "none");
  // Kernel requested where BPF is unavailable: an error, not the host.
  if (!exec::DeviceRegistry::Default().kernel().Available().ok()) {
    so.device = exec::DeviceRequest::kKernel;
    auto k = (*pd)->Scan(s.cfs[kPlain], RowSpec::Raw(), "", so);
    EXPECT_TRUE(k.status().IsUnavailable()) << k.status().ToString();
  }
}

TEST(AttachTest, PluginFileSystemIsDetectedAndItsDeviceIsTheDefault) {
  TempDir dir("pd_attach");
  // As an application configures the plugin (PushdownDB::Open does the same).
  auto pfs = std::make_shared<PushdownFileSystem>();
  rocksdb::ConfigOptions cfg;
  ASSERT_TRUE(pfs->ConfigureFromString(cfg, "device=host").ok());
  ASSERT_TRUE(pfs->PrepareOptions(cfg).ok());
  std::shared_ptr<rocksdb::FileSystem> fs = pfs;
  ASSERT_NE(fs, nullptr);
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  StockDb s;
  OpenStock(dir.path() + "/db", env.get(), &s);
  ASSERT_NE(s.db, nullptr);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(s.db->Put({}, s.cfs[kPlain], Key(i), Value(i)).ok());
  Flush(s, kPlain);
  auto pd = AttachedDB::Attach(s.db.get());
  ASSERT_TRUE(pd.ok());
  EXPECT_EQ((*pd)->io(), "plugin");
  EXPECT_EQ((*pd)->default_device(), exec::DeviceRequest::kHost);
  auto r = ScanRaw(**pd, s.cfs[kPlain], "u32be(value, 0) < 50", ScanOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows.size(), 50u);
  EXPECT_EQ(r->info.io, "plugin");
  EXPECT_EQ(r->info.requested_device, "host");
  EXPECT_EQ(r->info.path, "pushdown") << r->info.fallback_reason;
  auto ex = (*pd)->Explain(s.cfs[kPlain], RowSpec::Raw(), "", ScanOptions());
  ASSERT_TRUE(ex.ok());
  EXPECT_NE(ex->text.find("io:        plugin"), std::string::npos) << ex->text;
  // AttachOptions::device overrides the plugin's.
  AttachOptions ao;
  ao.device = exec::DeviceRequest::kIterator;
  auto pd2 = AttachedDB::Attach(s.db.get(), ao);
  ASSERT_TRUE(pd2.ok());
  auto r2 = ScanRaw(**pd2, s.cfs[kPlain], "", ScanOptions());
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->info.path, "iterator");
  s.Close();
}

TEST(AttachTest, SchemaPerCallAndBadInput) {
  TempDir dir("pd_attach");
  StockDb s;
  OpenStock(dir.path() + "/db", nullptr, &s);
  ASSERT_NE(s.db, nullptr);
  auto pd = AttachedDB::Attach(s.db.get());
  ASSERT_TRUE(pd.ok());
  EXPECT_TRUE((*pd)->Scan(nullptr, RowSpec::Raw(), "", {}).status().IsInvalidArgument());
  auto bad = (*pd)->Scan(s.cfs[kPlain], RowSpec::Ddl("a INT64 KEY, b ???"), "", {});
  EXPECT_TRUE(bad.status().IsInvalidArgument()) << bad.status().ToString();
  auto bad_pred = (*pd)->Scan(s.cfs[kPlain], RowSpec::Raw(), "value < < 3", {});
  EXPECT_TRUE(bad_pred.status().IsInvalidArgument());
  EXPECT_TRUE((*pd)->TableRows("t").status().IsInvalidArgument());  // no catalog
  EXPECT_TRUE(AttachedDB::Attach(nullptr).status().IsInvalidArgument());
  auto agg = (*pd)->Aggregate(s.cfs[kPlain], RowSpec::Raw(), "", "count(*)", {});
  ASSERT_TRUE(agg.ok()) << agg.status().ToString();
  EXPECT_EQ(agg->values[0].i, 0);
}

// PushdownDB::Open of the stock DB opens each family with its own options
// (OPTIONS file: uint64add, ReverseBytewiseComparator): every family scans
// exactly, and the DB stays openable by the application's own DB::Open (no
// catalog column family is added without a table).
TEST(AttachTest, PushdownDbOpensAStockDbWithEachFamilysOwnOptions) {
  TempDir dir("pd_attach");
  const std::string path = dir.path() + "/db";
  std::map<std::string, Rows> want;
  {
    StockDb s;
    OpenStock(path, nullptr, &s);
    ASSERT_NE(s.db, nullptr);
    const rocksdb::Snapshot* old = BuildPlain(s);
    s.db->ReleaseSnapshot(old);
    BuildOthers(s);
    if (HasFatalFailure()) return;
    for (const char* cf : {kPlain, kCounters, kReverse}) {
      want[cf] = Reference(s.db.get(), s.cfs[cf], "", ScanOptions(), cf != kReverse);
      ASSERT_FALSE(want[cf].rows.empty()) << cf;
    }
  }
  {
    DbOptions o;
    o.create_if_missing = false;
    auto db = PushdownDB::Open(path, o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (const char* cf : {kPlain, kCounters, kReverse}) {
      for (exec::DeviceRequest dev : Devices()) {
        ScanOptions so;
        so.device = dev;
        auto cur = (*db)->Scan(ScanTarget::Raw(cf), "", so);
        ASSERT_TRUE(cur.ok()) << cf << ": " << cur.status().ToString();
        Rows got;
        for (;;) {
          Status st = (*cur)->Next();
          ASSERT_TRUE(st.ok()) << cf << " " << DeviceRequestName(dev) << ": " << st.ToString();
          if (!(*cur)->Valid()) break;
          got.rows.emplace_back(std::string((*cur)->key()), (*cur)->row()[1].s);
        }
        EXPECT_TRUE(got.rows == want[cf].rows) << cf << " " << DeviceRequestName(dev);
      }
    }
  }
  StockDb again;
  OpenStock(path, nullptr, &again);  // the application's own open still works
  ASSERT_NE(again.db, nullptr);
}

}  // namespace
}  // namespace pushdown::engine
