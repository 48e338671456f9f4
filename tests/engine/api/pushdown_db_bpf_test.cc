// engine/api on the kernel device (needs CAP_BPF; skipped without it): the
// same exactness checks as pushdown_db_test.cc, concurrent kernel scans (one
// program instance per scan), and the kernel/host split of a DOUBLE conjunct.
#include <atomic>
#include <thread>

#include "api_test_util.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine::testing {
namespace {

using ::pushdown::testing::TempDir;

class PushdownDbBpfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = exec::DeviceRegistry::Default().kernel().Available();
    if (!s.ok()) GTEST_SKIP() << "kernel device unavailable: " << s.ToString();
  }
};

TEST_F(PushdownDbBpfTest, TableScanOnKernelMatchesIterator) {
  for (uint64_t seed = 11; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TempDir dir("pd_api_bpf");
    auto db = PushdownDB::Open(dir.path(), SmallDbOptions(seed));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ItemsShape shape;
    ItemsShapeBuild(db->get(), seed, &shape);
    if (HasFatalFailure()) return;
    std::mt19937_64 rng(seed);
    ExpectSameOnDevices(db->get(), shape, "", {"kernel", "host"});
    ExpectSameOnDevices(db->get(), shape,
                        "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND "
                        "l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24",
                        {"kernel", "host"});
    for (int i = 0; i < 10; ++i) {
      ExpectSameOnDevices(db->get(), shape, RandomItemPredicate(rng), {"kernel", "host"});
    }
    (*db)->db()->ReleaseSnapshot(shape.snapshot);
    (*db)->db()->ReleaseSnapshot(shape.old_snapshot);
  }
}

TEST_F(PushdownDbBpfTest, DoubleArithmeticStaysOnTheHost) {
  TempDir dir("pd_api_bpf");
  auto db = PushdownDB::Open(dir.path(), SmallDbOptions(1));
  ASSERT_TRUE(db.ok());
  ItemsShape shape;
  ItemsShapeBuild(db->get(), 1, &shape);
  if (HasFatalFailure()) return;
  ScanOptions o;
  o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
  o.device = exec::DeviceRequest::kKernel;
  auto e = (*db)->Explain("items", "l_quantity < 24 AND l_weight * 2 > 100", o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->info.device, "kernel");
  EXPECT_EQ(e->info.pushdown_kind, "PARTIAL");
  ASSERT_EQ(e->info.residual.size(), 1u);
  EXPECT_FALSE(e->info.residual[0].reason.empty());
  ExpectSameOnDevices(db->get(), shape, "l_quantity < 24 AND l_weight * 2 > 100", {"kernel"});
  (*db)->db()->ReleaseSnapshot(shape.snapshot);
  (*db)->db()->ReleaseSnapshot(shape.old_snapshot);
}

TEST_F(PushdownDbBpfTest, RawModeOnKernel) {
  TempDir dir("pd_api_bpf");
  auto db = PushdownDB::Open(dir.path(), SmallDbOptions(2));
  ASSERT_TRUE(db.ok());
  rocksdb::DB* rdb = (*db)->db();
  std::mt19937_64 rng(5);
  auto value = [&] {
    std::string v(100, '\0');
    for (auto& c : v) c = char(rng());
    return v;
  };
  for (uint64_t k = 0; k < 20000; ++k) ASSERT_TRUE(rdb->Put({}, DbBenchKey(k), value()).ok());
  ASSERT_TRUE(rdb->Flush({}).ok());
  ASSERT_TRUE(rdb->CompactRange({}, nullptr, nullptr).ok());
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(rdb->Put({}, DbBenchKey(rng() % 20000), value()).ok());
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(rdb->Delete({}, DbBenchKey(rng() % 20000)).ok());
  const rocksdb::Snapshot* snap = rdb->GetSnapshot();
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(rdb->Put({}, DbBenchKey(rng() % 20000), value()).ok());
  ScanOptions o;
  o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
  o.snapshot = snap;
  o.device = exec::DeviceRequest::kIterator;
  auto expected = Collect(db->get(), ScanTarget::Raw(), "u64be(key, 0) % 100 < 2", o);
  ASSERT_TRUE(expected.ok());
  o.device = exec::DeviceRequest::kKernel;
  auto actual = Collect(db->get(), ScanTarget::Raw(), "u64be(key, 0) % 100 < 2", o);
  ASSERT_TRUE(actual.ok()) << actual.status().ToString();
  EXPECT_EQ(actual->info.device, "kernel") << actual->info.fallback_reason;
  EXPECT_TRUE(SameRows(*expected, *actual));
  EXPECT_LT(actual->stats.bytes_to_host, actual->stats.bytes_read);
  rdb->ReleaseSnapshot(snap);
}

// Several kernel scans of one predicate at once: each needs its own program
// instance (a LoadedProgram runs one thread at a time).
TEST_F(PushdownDbBpfTest, ConcurrentKernelScans) {
  TempDir dir("pd_api_bpf");
  auto db = PushdownDB::Open(dir.path(), SmallDbOptions(3));
  ASSERT_TRUE(db.ok());
  ItemsShape shape;
  ItemsShapeBuild(db->get(), 3, &shape);
  if (HasFatalFailure()) return;
  const std::string where = "l_quantity < 24 AND l_returnflag = 'R'";
  ScanOptions o;
  o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
  o.snapshot = shape.snapshot;
  o.device = exec::DeviceRequest::kIterator;
  auto expected = Collect(db->get(), "items", where, o);
  ASSERT_TRUE(expected.ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        ScanOptions k = o;
        k.device = exec::DeviceRequest::kKernel;
        k.batch_blocks = 4;
        auto actual = Collect(db->get(), "items", where, k);
        EXPECT_TRUE(actual.ok()) << actual.status().ToString();
        if (!actual.ok()) return;
        EXPECT_EQ(actual->info.device, "kernel");
        EXPECT_TRUE(SameRows(*expected, *actual));
        ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 20);
  (*db)->db()->ReleaseSnapshot(shape.snapshot);
  (*db)->db()->ReleaseSnapshot(shape.old_snapshot);
}

}  // namespace
}  // namespace pushdown::engine::testing
