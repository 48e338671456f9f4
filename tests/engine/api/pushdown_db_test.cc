// engine/api integration tests: exactness of Scan on the host and iterator
// paths over random LSM shapes (tables and raw mode), concurrent writers and
// compactions, fallback reasons, catalog durability, read-only open, errors,
// aggregates.
#include <atomic>
#include <thread>

#include "api_test_util.h"
#include "rocksdb/merge_operator.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine::testing {
namespace {

using ::pushdown::testing::TempDir;

std::unique_ptr<PushdownDB> OpenOrDie(const std::string& path, const DbOptions& o) {
  auto db = PushdownDB::Open(path, o);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(PushdownDbTest, TableScanMatchesIteratorOnRandomLsmShapes) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TempDir dir("pd_api");
    auto db = OpenOrDie(dir.path(), SmallDbOptions(seed));
    ASSERT_NE(db, nullptr);
    ItemsShape shape;
    ItemsShapeBuild(db.get(), seed, &shape);
    if (HasFatalFailure()) return;
    std::mt19937_64 rng(seed * 7919);
    ExpectSameOnDevices(db.get(), shape, "", {"host"});
    ExpectSameOnDevices(db.get(), shape, "l_quantity < 24", {"host"});
    for (int i = 0; i < 12; ++i) {
      ExpectSameOnDevices(db.get(), shape, RandomItemPredicate(rng), {"host"});
    }
    db->db()->ReleaseSnapshot(shape.snapshot);
    db->db()->ReleaseSnapshot(shape.old_snapshot);
  }
}

TEST(PushdownDbTest, ScanWithoutSnapshotFlushesAndMatches) {
  TempDir dir("pd_api");
  auto db = OpenOrDie(dir.path(), SmallDbOptions(5));
  ASSERT_NE(db, nullptr);
  ItemsShape shape;
  ItemsShapeBuild(db.get(), 5, &shape);
  if (HasFatalFailure()) return;
  db->db()->ReleaseSnapshot(shape.snapshot);
  db->db()->ReleaseSnapshot(shape.old_snapshot);
  ScanOptions o;
  o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
  o.device = exec::DeviceRequest::kIterator;
  auto expected = Collect(db.get(), "items", "l_discount > 0.05", o);
  ASSERT_TRUE(expected.ok());
  o.device = exec::DeviceRequest::kHost;
  auto actual = Collect(db.get(), "items", "l_discount > 0.05", o);
  ASSERT_TRUE(actual.ok()) << actual.status().ToString();
  EXPECT_TRUE(actual->info.flushed);
  EXPECT_GT(actual->info.files, 0u);
  EXPECT_EQ(actual->info.path, "pushdown");
  EXPECT_TRUE(SameRows(*expected, *actual));
  EXPECT_GT(actual->stats.blocks_read, 0u);
  EXPECT_EQ(actual->stats.rows_matched, actual->rows.size());
  for (bool uring : {false, true}) {
    for (bool verify : {false, true}) {
      o.use_io_uring = uring;
      o.verify_checksums = verify;
      auto again = Collect(db.get(), "items", "l_discount > 0.05", o);
      ASSERT_TRUE(again.ok()) << again.status().ToString();
      EXPECT_EQ(again->info.path, "pushdown");
      EXPECT_TRUE(SameRows(*expected, *again)) << "io_uring " << uring << " verify " << verify;
    }
  }
  // O_DIRECT: pushdown where the file system takes it, else the iterator path
  // with the reason; the rows are the same either way.
  o.use_direct_io = true;
  auto direct = Collect(db.get(), "items", "l_discount > 0.05", o);
  ASSERT_TRUE(direct.ok()) << direct.status().ToString();
  EXPECT_TRUE(direct->info.path == "pushdown" || !direct->info.fallback_reason.empty());
  EXPECT_TRUE(SameRows(*expected, *direct)) << direct->info.fallback_reason;
  std::printf("O_DIRECT scan: path %s %s\n", direct->info.path.c_str(),
              direct->info.fallback_reason.c_str());
}

TEST(PushdownDbTest, ProjectionAndLimit) {
  TempDir dir("pd_api");
  auto db = OpenOrDie(dir.path(), SmallDbOptions(2));
  ASSERT_NE(db, nullptr);
  ItemsShape shape;
  ItemsShapeBuild(db.get(), 2, &shape);
  if (HasFatalFailure()) return;
  for (const char* dev : {"iterator", "host"}) {
    ScanOptions o;
    o.snapshot = shape.snapshot;
    o.device = exec::ParseDeviceRequest(dev);
    auto all = Collect(db.get(), "items", "l_returnflag = 'R'", o);
    ASSERT_TRUE(all.ok());
    o.columns = {"L_COMMENT", "l_orderkey"};
    o.limit = 5;
    auto cursor = db->Scan("items", "l_returnflag = 'R'", o);
    ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
    EXPECT_EQ((*cursor)->column_names(), (std::vector<std::string>{"l_comment", "l_orderkey"}));
    size_t n = 0;
    for (;;) {
      ASSERT_TRUE((*cursor)->Next().ok());
      if (!(*cursor)->Valid()) break;
      ASSERT_LT(n, all->rows.size());
      EXPECT_EQ((*cursor)->key(), all->rows[n].first);
      EXPECT_EQ((*cursor)->row()[0], all->rows[n].second[7]);
      EXPECT_EQ((*cursor)->row()[1], all->rows[n].second[0]);
      ++n;
    }
    EXPECT_EQ(n, std::min<size_t>(5, all->rows.size())) << dev;
  }
  db->db()->ReleaseSnapshot(shape.snapshot);
  db->db()->ReleaseSnapshot(shape.old_snapshot);
}

TEST(PushdownDbTest, RawModeDbBenchKeysMatchIterator) {
  TempDir dir("pd_api");
  auto db = OpenOrDie(dir.path(), SmallDbOptions(3));
  ASSERT_NE(db, nullptr);
  rocksdb::DB* rdb = db->db();
  std::mt19937_64 rng(42);
  auto value = [&] {
    std::string v(100, '\0');
    for (auto& c : v) c = char(rng());
    return v;
  };
  const uint64_t kKeys = 20000;
  for (uint64_t k = 0; k < kKeys; ++k) ASSERT_TRUE(rdb->Put({}, DbBenchKey(k), value()).ok());
  ASSERT_TRUE(rdb->Flush({}).ok());
  ASSERT_TRUE(rdb->CompactRange({}, nullptr, nullptr).ok());
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(rdb->Put({}, DbBenchKey(rng() % kKeys), value()).ok());
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(rdb->Delete({}, DbBenchKey(rng() % kKeys)).ok());
  ASSERT_TRUE(rdb->Flush({}).ok());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(rdb->Put({}, DbBenchKey(rng() % kKeys), value()).ok());
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(rdb->Delete({}, DbBenchKey(rng() % kKeys)).ok());
  const rocksdb::Snapshot* snap = rdb->GetSnapshot();
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(rdb->Put({}, DbBenchKey(rng() % kKeys), value()).ok());
  for (const char* where : {"u64be(key, 0) % 100 < 2", "u32be(value, 0) % 10 = 3",
                            "u64be(key, 0) % 100 < 2 AND length(value) = 100", ""}) {
    ScanOptions o;
    o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
    o.snapshot = snap;
    o.device = exec::DeviceRequest::kIterator;
    auto expected = Collect(db.get(), ScanTarget::Raw(), where, o);
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    o.device = exec::DeviceRequest::kHost;
    auto actual = Collect(db.get(), ScanTarget::Raw("default"), where, o);
    ASSERT_TRUE(actual.ok()) << actual.status().ToString();
    EXPECT_EQ(actual->info.path, "pushdown");
    EXPECT_TRUE(SameRows(*expected, *actual)) << where;
    ASSERT_FALSE(actual->rows.empty());
    EXPECT_EQ(actual->rows[0].second.size(), 2u);  // key, value
    EXPECT_EQ(actual->rows[0].second[0].s, actual->rows[0].first);
  }
  rdb->ReleaseSnapshot(snap);
}

// Writers, flushes and compactions run while scans run; every scan must equal
// the iterator at its own snapshot.
TEST(PushdownDbTest, ConcurrentWritersCompactionsAndScansSeeTheirSnapshot) {
  TempDir dir("pd_api");
  DbOptions opts = SmallDbOptions(4);
  auto inner = opts.customize;
  opts.customize = [inner](rocksdb::Options* o) {
    inner(o);
    o->disable_auto_compactions = false;
    o->write_buffer_size = 256 << 10;
    o->level0_file_num_compaction_trigger = 2;
  };
  auto db = OpenOrDie(dir.path(), opts);
  ASSERT_NE(db, nullptr);
  auto t = db->CreateTable("items", kItemsDdl);
  ASSERT_TRUE(t.ok());
  Table* table = *t;
  {
    std::mt19937_64 rng(9);
    for (int64_t o = 0; o < 500; ++o) ASSERT_TRUE(table->Put(RandomItem(rng, o, 1)).ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> writes{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(100 + w);
      while (!stop.load()) {
        TableWriteBatch batch;
        for (int i = 0; i < 20; ++i) {
          const int64_t o = int64_t(rng() % 500);
          if (rng() % 5 == 0) {
            EXPECT_TRUE(batch.Delete(*table, {Datum::Int(o), Datum::Int(1)}).ok());
          } else {
            EXPECT_TRUE(batch.Put(*table, RandomItem(rng, o, 1)).ok());
          }
        }
        EXPECT_TRUE(table->Write(batch).ok());
        writes += 20;
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load()) {
      db->db()->Flush({}, table->column_family()).PermitUncheckedError();
      db->db()->CompactRange({}, table->column_family(), nullptr, nullptr).PermitUncheckedError();
    }
  });
  std::atomic<int> compared{0};
  std::vector<std::thread> scanners;
  for (int s = 0; s < 2; ++s) {
    scanners.emplace_back([&, s] {
      std::mt19937_64 rng(200 + s);
      for (int i = 0; i < 12; ++i) {
        const std::string where = RandomItemPredicate(rng);
        const rocksdb::Snapshot* snap = db->db()->GetSnapshot();
        ScanOptions o;
        o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
        o.snapshot = snap;
        o.device = exec::DeviceRequest::kHost;
        auto actual = Collect(db.get(), "items", where, o);
        o.device = exec::DeviceRequest::kIterator;
        auto expected = Collect(db.get(), "items", where, o);
        db->db()->ReleaseSnapshot(snap);
        EXPECT_TRUE(actual.ok()) << actual.status().ToString();
        EXPECT_TRUE(expected.ok()) << expected.status().ToString();
        if (!actual.ok() || !expected.ok()) return;
        EXPECT_EQ(actual->info.path, "pushdown") << actual->info.fallback_reason;
        EXPECT_TRUE(SameRows(*expected, *actual)) << where;
        ++compared;
      }
    });
  }
  for (auto& th : scanners) th.join();
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(compared.load(), 24);
  EXPECT_GT(writes.load(), 0u);
}

class AppendOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    *new_value = existing ? existing->ToString() + value.ToString() : value.ToString();
    return true;
  }
  const char* Name() const override { return "AppendOperator"; }
};

TEST(PushdownDbTest, MergeOperatorColumnFamilyFallsBackToIterator) {
  TempDir dir("pd_api");
  DbOptions opts;
  opts.customize = [](rocksdb::Options* o) {
    o->merge_operator = std::make_shared<AppendOperator>();
  };
  auto db = OpenOrDie(dir.path(), opts);
  ASSERT_NE(db, nullptr);
  rocksdb::DB* rdb = db->db();
  for (uint64_t k = 0; k < 300; ++k) ASSERT_TRUE(rdb->Put({}, DbBenchKey(k), "a").ok());
  ASSERT_TRUE(rdb->Flush({}).ok());
  for (uint64_t k = 0; k < 300; k += 3) ASSERT_TRUE(rdb->Merge({}, DbBenchKey(k), "bc").ok());
  ASSERT_TRUE(rdb->Flush({}).ok());
  ScanOptions o;
  o.device = exec::DeviceRequest::kHost;
  auto actual = Collect(db.get(), ScanTarget::Raw(), "length(value) = 3", o);
  ASSERT_TRUE(actual.ok()) << actual.status().ToString();
  EXPECT_EQ(actual->info.path, "iterator");
  // The family's own merge operator (OPTIONS file) serves the iterator path;
  // the file holding the operands is what rules the pushdown path out.
  EXPECT_NE(actual->info.fallback_reason.find("merge operands"), std::string::npos)
      << actual->info.fallback_reason;
  EXPECT_EQ(actual->rows.size(), 100u);
  auto explain = db->Explain(ScanTarget::Raw(), "length(value) = 3", o);
  ASSERT_TRUE(explain.ok());
  EXPECT_EQ(explain->info.path, "iterator");
  EXPECT_NE(explain->text.find("merge operands"), std::string::npos) << explain->text;
}

// Range deletions are applied on the pushdown path (in the flushed file's
// range-deletion block here) with the iterator's result.
TEST(PushdownDbTest, RangeDeletionIsAppliedOnThePushdownPath) {
  TempDir dir("pd_api");
  auto db = OpenOrDie(dir.path(), DbOptions());
  ASSERT_NE(db, nullptr);
  rocksdb::DB* rdb = db->db();
  for (uint64_t k = 0; k < 1000; ++k) ASSERT_TRUE(rdb->Put({}, DbBenchKey(k), "v").ok());
  ASSERT_TRUE(rdb->Flush({}).ok());
  ASSERT_TRUE(
      rdb->DeleteRange({}, rdb->DefaultColumnFamily(), DbBenchKey(100), DbBenchKey(300)).ok());
  ScanOptions o;
  o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
  o.device = exec::DeviceRequest::kHost;
  auto actual = Collect(db.get(), ScanTarget::Raw(), "u64be(key, 0) % 10 = 0", o);
  ASSERT_TRUE(actual.ok()) << actual.status().ToString();
  EXPECT_EQ(actual->info.path, "pushdown") << actual->info.fallback_reason;
  EXPECT_EQ(actual->info.fallback_reason, "");
  EXPECT_EQ(actual->rows.size(), 80u);  // 100 multiples of 10, minus 20 in [100, 300)
  o.device = exec::DeviceRequest::kIterator;
  auto expected = Collect(db.get(), ScanTarget::Raw(), "u64be(key, 0) % 10 = 0", o);
  ASSERT_TRUE(expected.ok());
  EXPECT_TRUE(SameRows(*expected, *actual));
}

// While a cursor is open its files stay on disk; once it is destroyed,
// obsolete files are deleted again (EnableFileDeletions(force=false) balanced).
TEST(PushdownDbTest, OpenCursorPinsFilesAndReleasesThem) {
  TempDir dir("pd_api");
  DbOptions opts;
  opts.fs_options = "io_uring=false;queue_depth=8";
  auto db = OpenOrDie(dir.path(), opts);
  ASSERT_NE(db, nullptr);
  rocksdb::DB* rdb = db->db();
  for (int round = 0; round < 3; ++round) {
    for (uint64_t k = 0; k < 2000; ++k)
      ASSERT_TRUE(rdb->Put({}, DbBenchKey(k), "v" + std::to_string(round)).ok());
    ASSERT_TRUE(rdb->Flush({}).ok());
  }
  auto count_ssts = [&] {
    std::vector<std::string> children;
    EXPECT_TRUE(rocksdb::Env::Default()->GetChildren(dir.path(), &children).ok());
    size_t n = 0;
    for (const auto& c : children) n += c.size() > 4 && c.substr(c.size() - 4) == ".sst";
    return n;
  };
  ScanOptions o;
  o.device = exec::DeviceRequest::kHost;
  auto cursor = db->Scan(ScanTarget::Raw(), "u64be(key, 0) < 10", o);
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  EXPECT_EQ((*cursor)->info().files, 3u);
  ASSERT_TRUE(rdb->CompactRange({}, nullptr, nullptr).ok());
  EXPECT_GE(count_ssts(), 4u);  // 3 pinned inputs + the compaction output
  size_t rows = 0;
  for (;;) {
    ASSERT_TRUE((*cursor)->Next().ok());
    if (!(*cursor)->Valid()) break;
    EXPECT_EQ((*cursor)->row()[1].s, "v2");
    ++rows;
  }
  EXPECT_EQ(rows, 10u);
  cursor->reset();
  // A later compaction's cleanup now deletes the obsolete inputs.
  ASSERT_TRUE(rdb->Put({}, DbBenchKey(1), "x").ok());
  ASSERT_TRUE(rdb->Flush({}).ok());
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(rdb->CompactRange(cro, nullptr, nullptr).ok());
  EXPECT_EQ(count_ssts(), 1u);
}

TEST(PushdownDbTest, CatalogSurvivesReopen) {
  TempDir dir("pd_api");
  std::mt19937_64 rng(1);
  {
    auto db = OpenOrDie(dir.path(), DbOptions());
    ASSERT_NE(db, nullptr);
    auto a = db->CreateTable("items", kItemsDdl);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    auto b = db->CreateTable("pairs", "k INT64 KEY, v VARCHAR(10)");
    ASSERT_TRUE(b.ok());
    for (int64_t o = 0; o < 50; ++o) ASSERT_TRUE((*a)->Put(RandomItem(rng, o, 1)).ok());
    ASSERT_TRUE((*b)->Put({Datum::Int(1), Datum::String("one")}).ok());
    auto dup = db->CreateTable("items", kItemsDdl);
    EXPECT_TRUE(dup.status().IsInvalidArgument());
    auto bad = db->CreateTable("x", "k INT64 KEY, v FLOAT");
    EXPECT_TRUE(bad.status().IsInvalidArgument());
    EXPECT_NE(bad.status().message().find("1:"), std::string::npos);
  }
  auto db = OpenOrDie(dir.path(), DbOptions());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->ListTables(), (std::vector<std::string>{"items", "pairs"}));
  auto a = db->OpenTable("items");
  ASSERT_TRUE(a.ok());
  auto expect = bpfgen::ParseSchema(kItemsDdl);
  EXPECT_EQ((*a)->schema(), *expect);
  auto rows = Collect(db.get(), "items", "", ScanOptions());
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows.size(), 50u);
  auto pair = (*db->OpenTable("pairs"))->Get({Datum::Int(1)});
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ((*pair)[1].s, "one");
  EXPECT_TRUE(db->OpenTable("nope").status().IsNotFound());
  ASSERT_TRUE(db->DropTable("pairs").ok());
  EXPECT_EQ(db->ListTables(), (std::vector<std::string>{"items"}));
}

TEST(PushdownDbTest, CatalogEntryOfAnotherFormatVersionIsRefused) {
  TempDir dir("pd_api");
  {
    auto db = OpenOrDie(dir.path(), DbOptions());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->CreateTable("items", kItemsDdl).ok());
    auto cat = db->ColumnFamily("pushdown_catalog");
    ASSERT_TRUE(cat.ok());
    ASSERT_TRUE(db->db()->Put({}, *cat, "table/items", "2\nk INT64 KEY").ok());
  }
  auto db = PushdownDB::Open(dir.path(), DbOptions());
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsNotSupported()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("format version 2"), std::string::npos);
}

TEST(PushdownDbTest, ReadOnlyOpen) {
  TempDir dir("pd_api");
  std::mt19937_64 rng(3);
  {
    auto db = OpenOrDie(dir.path(), DbOptions());
    ASSERT_NE(db, nullptr);
    auto t = db->CreateTable("items", kItemsDdl);
    ASSERT_TRUE(t.ok());
    for (int64_t o = 0; o < 200; ++o) ASSERT_TRUE((*t)->Put(RandomItem(rng, o, 1)).ok());
    ASSERT_TRUE(db->db()->Flush({}, (*t)->column_family()).ok());
    for (int64_t o = 100; o < 300; ++o) ASSERT_TRUE((*t)->Put(RandomItem(rng, o, 1)).ok());
    // Closed with data in the WAL only.
  }
  {
    DbOptions ro;
    ro.read_only = true;
    auto db = OpenOrDie(dir.path(), ro);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->ListTables(), (std::vector<std::string>{"items"}));
    EXPECT_TRUE(db->CreateTable("x", "k INT64 KEY").status().IsNotSupported());
    ScanOptions o;
    o.device = exec::DeviceRequest::kHost;
    auto actual = Collect(db.get(), "items", "l_quantity < 30", o);
    ASSERT_TRUE(actual.ok()) << actual.status().ToString();
    // The recovered WAL's data is merged from the memtable (memtable_view.h).
    EXPECT_EQ(actual->info.path, "pushdown") << actual->info.fallback_reason;
    EXPECT_GT(actual->info.memtable_entries_merged, 0u);
    o.device = exec::DeviceRequest::kIterator;
    auto expected = Collect(db.get(), "items", "l_quantity < 30", o);
    ASSERT_TRUE(expected.ok());
    EXPECT_TRUE(SameRows(*expected, *actual));
  }
  {
    auto db = OpenOrDie(dir.path(), DbOptions());  // read-write: flush everything
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->db()->Flush({}, (*db->OpenTable("items"))->column_family()).ok());
  }
  DbOptions ro;
  ro.read_only = true;
  auto db = OpenOrDie(dir.path(), ro);
  ASSERT_NE(db, nullptr);
  ScanOptions o;
  o.device = exec::DeviceRequest::kHost;
  auto actual = Collect(db.get(), "items", "l_quantity < 30", o);
  ASSERT_TRUE(actual.ok()) << actual.status().ToString();
  EXPECT_EQ(actual->info.path, "pushdown") << actual->info.fallback_reason;
  o.device = exec::DeviceRequest::kIterator;
  auto expected = Collect(db.get(), "items", "l_quantity < 30", o);
  ASSERT_TRUE(expected.ok());
  EXPECT_TRUE(SameRows(*expected, *actual));
  EXPECT_FALSE(actual->rows.empty());
}

TEST(PushdownDbTest, Errors) {
  TempDir dir("pd_api");
  auto db = OpenOrDie(dir.path(), DbOptions());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->CreateTable("items", kItemsDdl).ok());
  auto bad = db->Scan("items", "l_quantity < < 3", ScanOptions());
  ASSERT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_EQ(bad.status().message().rfind("1:", 0), 0u) << bad.status().message();
  EXPECT_NE(bad.status().message().find('^'), std::string::npos);
  auto unknown_col = db->Scan("items", "l_quantityy < 3", ScanOptions());
  ASSERT_TRUE(unknown_col.status().IsInvalidArgument());
  EXPECT_NE(unknown_col.status().message().find("1:1"), std::string::npos)
      << unknown_col.status().message();
  EXPECT_TRUE(db->Scan("nope", "", ScanOptions()).status().IsNotFound());
  EXPECT_TRUE(db->Scan(ScanTarget::Raw("nope"), "", ScanOptions()).status().IsNotFound());
  ScanOptions o;
  EXPECT_TRUE(ParseDevice("gpu").status().IsInvalidArgument());
  EXPECT_NE(ParseDevice("gpu").status().message().find("unknown device 'gpu'"), std::string::npos);
  EXPECT_EQ(*ParseDevice("host"), exec::DeviceRequest::kHost);
  o.columns = {"zzz"};
  EXPECT_TRUE(db->Scan("items", "", o).status().IsInvalidArgument());
  EXPECT_TRUE(
      db->Aggregate("items", "", "avg(l_quantity)", ScanOptions()).status().IsInvalidArgument());
  EXPECT_TRUE(
      db->Aggregate("items", "", "sum(l_returnflag)", ScanOptions()).status().IsInvalidArgument());
  DbOptions bad_fs;
  bad_fs.fs_options = "no_such_option=1";
  TempDir dir2("pd_api");
  EXPECT_FALSE(PushdownDB::Open(dir2.path(), bad_fs).ok());
}

TEST(PushdownDbTest, AggregatesAreExactOnEveryPath) {
  TempDir dir("pd_api");
  auto db = OpenOrDie(dir.path(), SmallDbOptions(6));
  ASSERT_NE(db, nullptr);
  ItemsShape shape;
  ItemsShapeBuild(db.get(), 6, &shape);
  if (HasFatalFailure()) return;
  const std::string where = "l_shipdate >= DATE '1994-01-01' AND l_discount BETWEEN 0.05 AND 0.07";
  ScanOptions o;
  o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
  o.snapshot = shape.snapshot;
  o.device = exec::DeviceRequest::kIterator;
  auto rows = Collect(db.get(), "items", where, o);
  ASSERT_TRUE(rows.ok());
  __int128 revenue = 0;
  int64_t min_q = INT64_MAX, max_q = INT64_MIN;
  uint64_t comments = 0;
  for (const auto& [k, r] : rows->rows) {
    revenue += __int128(r[3].i) * r[4].i;  // scale 2 x scale 2 = scale 4
    min_q = std::min(min_q, r[2].i);
    max_q = std::max(max_q, r[2].i);
    comments += r[7].null ? 0 : 1;
  }
  ASSERT_FALSE(rows->rows.empty());
  for (const char* dev : {"iterator", "host"}) {
    o.device = exec::ParseDeviceRequest(dev);
    auto agg = db->Aggregate("items", where,
                             "count(*), sum(l_extendedprice * l_discount), min(l_quantity), "
                             "MAX(l_quantity), count(l_comment)",
                             o);
    ASSERT_TRUE(agg.ok()) << agg.status().ToString();
    ASSERT_EQ(agg->values.size(), 5u);
    EXPECT_EQ(agg->values[0].i, int64_t(rows->rows.size())) << dev;
    EXPECT_EQ(agg->types[1], bpfgen::Type::Decimal(18, 4));
    EXPECT_EQ(agg->values[1].i, int64_t(revenue)) << dev;
    EXPECT_EQ(agg->values[2].i, min_q);
    EXPECT_EQ(agg->values[3].i, max_q);
    EXPECT_EQ(agg->values[4].i, int64_t(comments));
    EXPECT_EQ(agg->rows, rows->rows.size());
    EXPECT_EQ(agg->info.path, std::string(dev) == "iterator" ? "iterator" : "pushdown");
  }
  auto empty = db->Aggregate("items", "l_quantity > 1000", "count(*), sum(l_quantity)", o);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->values[0].i, 0);
  EXPECT_TRUE(empty->values[1].null);
  db->db()->ReleaseSnapshot(shape.snapshot);
  db->db()->ReleaseSnapshot(shape.old_snapshot);
}

TEST(PushdownDbTest, ExplainShowsPlanAndProgramIsCompiledOnce) {
  TempDir dir("pd_api");
  auto db = OpenOrDie(dir.path(), DbOptions());
  ASSERT_NE(db, nullptr);
  auto t = db->CreateTable("items", kItemsDdl);
  ASSERT_TRUE(t.ok());
  std::mt19937_64 rng(8);
  for (int64_t o = 0; o < 100; ++o) ASSERT_TRUE((*t)->Put(RandomItem(rng, o, 1)).ok());
  ScanOptions o;
  o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
  o.device = exec::DeviceRequest::kHost;
  auto e = db->Explain("items", "l_quantity < 24 AND l_weight * 2 > 10", o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->info.path, "pushdown");
  EXPECT_EQ(e->info.device, "host");
  EXPECT_EQ(e->info.pushed.size(), 2u);  // the host evaluates everything
  EXPECT_NE(e->text.find("memtable:"), std::string::npos) << e->text;
  const uint64_t misses = db->program_cache_misses();
  auto a = Collect(db.get(), "items", "l_quantity < 24 AND l_weight * 2 > 10", o);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->info.program_cached);
  EXPECT_EQ(db->program_cache_misses(), misses);
}

}  // namespace
}  // namespace pushdown::engine::testing
