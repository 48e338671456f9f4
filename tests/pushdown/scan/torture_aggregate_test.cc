// Aggregation on the device (ScanPlan::device_aggregation) over the torture
// cases: overwrites that flip the predicate, deletes, single deletes, range
// deletions, held snapshots, several levels, random key bounds, one worker
// and a split into two. For every snapshot, the device's partials merged with
// the host's aggregate of the rows the scan returned must equal the aggregate
// of the RocksDB iterator's rows + the predicate, on the host JIT device and
// (where BPF loads) the kernel device, with the default and tiny local
// memories (re-runs, blocks filtered on the host).
#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "pushdown/scan/parallel_scan.h"
#include "tests/pushdown/scan/scan_files.h"
#include "tests/pushdown/scan/torture_paths.h"

namespace pushdown::exec {
namespace {

using namespace testing_support;  // NOLINT

constexpr int kAggSeeds = 40;
constexpr int kAggSeedsPerShard = 20;

// count(*), count(e), sum(e), min(e), max(e), sum(e * 3) of e = u64be(value, 0)
// (NULL for values shorter than 8 bytes; * 3 overflows to NULL for big n).
struct Aggregates {
  std::vector<bpfgen::ExprPtr> exprs;
  std::vector<bpfgen::AggregateItem> items;
};

const Aggregates& Items() {
  static const Aggregates* a = [] {
    auto* out = new Aggregates();
    const bpfgen::Schema raw = bpfgen::Schema::Raw();
    auto e = bpfgen::CompileExpression("u64be(value, 0)", raw);
    auto e3 = bpfgen::CompileExpression("u64be(value, 0) * 3", raw);
    EXPECT_TRUE(e.ok() && e3.ok());
    out->exprs.push_back(std::move(e).value());
    out->exprs.push_back(std::move(e3).value());
    const bpfgen::Expr* x = out->exprs[0].get();
    out->items = {{bpfgen::AggregateOp::kCountStar, nullptr},
                  {bpfgen::AggregateOp::kCount, x},
                  {bpfgen::AggregateOp::kSum, x},
                  {bpfgen::AggregateOp::kMin, x},
                  {bpfgen::AggregateOp::kMax, x},
                  {bpfgen::AggregateOp::kSum, out->exprs[1].get()}};
    return out;
  }();
  return *a;
}

using Totals = std::vector<DeviceAggregation::Partial>;

void Fold(const bpfgen::Evaluator& ev, std::string_view key, std::string_view value, Totals* t) {
  const auto& items = Items().items;
  for (size_t i = 0; i < items.size(); ++i) {
    DeviceAggregation::Partial& p = (*t)[i];
    if (items[i].op == bpfgen::AggregateOp::kCountStar) {
      ++p.count;
      continue;
    }
    Result<bpfgen::Datum> v = ev.EvalValue(*items[i].arg, key, value);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    if (v->null) continue;
    ++p.count;
    if (items[i].op == bpfgen::AggregateOp::kSum) p.sum += v->i;
    if (items[i].op == bpfgen::AggregateOp::kMin) p.best = std::min(p.best.value_or(v->i), v->i);
    if (items[i].op == bpfgen::AggregateOp::kMax) p.best = std::max(p.best.value_or(v->i), v->i);
  }
}

void Merge(const Totals& from, Totals* into) {
  const auto& items = Items().items;
  for (size_t i = 0; i < items.size(); ++i) {
    (*into)[i].count += from[i].count;
    (*into)[i].sum += from[i].sum;
    if (!from[i].best) continue;
    auto& b = (*into)[i].best;
    if (!b) {
      b = from[i].best;
    } else {
      b = items[i].op == bpfgen::AggregateOp::kMin ? std::min(*b, *from[i].best)
                                                   : std::max(*b, *from[i].best);
    }
  }
}

bool Same(const Totals& a, const Totals& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].count != b[i].count || a[i].sum != b[i].sum || a[i].best != b[i].best) return false;
  }
  return true;
}

std::string Show(const Totals& t) {
  std::string s;
  for (const auto& p : t) {
    s += "{" + std::to_string(p.count) + ", " + std::to_string(static_cast<int64_t>(p.sum)) + ", " +
         (p.best ? std::to_string(*p.best) : "none") + "} ";
  }
  return s;
}

struct AggCoverage {
  uint64_t scans = 0;
  uint64_t blocks_aggregated = 0;
  uint64_t rows_aggregated = 0;
  uint64_t mixed_scans = 0;    // some blocks aggregated on the device, some rows through the merge
  uint64_t refused_scans = 0;  // blocks read, none aggregated
  uint64_t split_scans = 0;
  uint64_t sent_back = 0;  // blocks the device returned (kBlockNeedsRecords), run as records
};

std::unique_ptr<DeviceProgram> LoadAggregating(const std::string& device,
                                               const bpfgen::CompileOptions* options,
                                               std::string* skip) {
  const CompiledPredicate* p = Predicates();
  if (p == nullptr) return nullptr;
  std::vector<const bpfgen::Expr*> conjuncts;
  for (const auto& c : p->device.conjuncts) conjuncts.push_back(c.get());
  auto loaded = CompileAndLoad(DeviceRegistry::Default(), device, p->schema, conjuncts, options,
                               Items().items);
  if (!loaded.ok()) {
    ADD_FAILURE() << "compile and load on " << device << ": " << loaded.status().ToString();
    return nullptr;
  }
  if ((*loaded)->fallback.fell_back()) {
    const Fallback& f = (*loaded)->fallback;
    if (f.reason == Fallback::Reason::kNoBpfPrivilege ||
        f.reason == Fallback::Reason::kDeviceUnavailable) {
      *skip = device + " device unavailable: " + f.detail;
    } else {
      ADD_FAILURE() << device << " fell back: " << FallbackReasonName(f.reason) << ": " << f.detail;
    }
    return nullptr;
  }
  EXPECT_EQ((*loaded)->program->layout().num_aggregates, Items().items.size());
  return std::move(*loaded);
}

// One scan of `files` at `snap` (null: latest) in `range`, on one worker or
// two (`second` non-null: its instance for worker 1), against the iterator.
void CheckScan(rocksdb::DB* db, const std::vector<ScanFile>& files, const rocksdb::Snapshot* snap,
               const KeyRange& range, DeviceProgram* program, DeviceProgram* second,
               std::mt19937_64& rng, AggCoverage* cov) {
  const CompiledPredicate* p = Predicates();
  ASSERT_NE(p, nullptr);
  const bpfgen::Evaluator ev(p->schema);
  const uint64_t seq = snap ? snap->GetSequenceNumber() : db->GetLatestSequenceNumber();
  SCOPED_TRACE("snapshot " + std::to_string(seq) + " range [" + range.lower.value_or("-inf") +
               ", " + range.upper.value_or("+inf") + ")");
  // The oracle: iterator + the device predicate (no residual: aggregation
  // on the device needs the whole predicate there).
  Totals want(Items().items.size());
  {
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view k(it->key().data(), it->key().size());
      const std::string_view v(it->value().data(), it->value().size());
      if (!range.Contains(k)) continue;
      Result<bool> m = ev.Matches(p->device, k, v);
      ASSERT_TRUE(m.ok());
      if (*m) ASSERT_NO_FATAL_FAILURE(Fold(ev, k, v, &want));
    }
    ASSERT_TRUE(it->status().ok());
  }
  ScanPlan plan;
  plan.files = files;
  plan.snapshot = seq;
  plan.schema = &p->schema;
  plan.lower_bound = range.lower;
  plan.upper_bound = range.upper;
  plan.bytewise_comparator = rng() % 4 != 0;
  plan.batch_blocks = 1 + static_cast<uint32_t>(rng() % 8);
  for (const auto& conj : p->device.conjuncts) plan.device_conjuncts.push_back(conj.get());
  plan.device = program->device;
  plan.program = program->program.get();
  std::vector<bpfgen::AggregateOp> ops;
  for (const auto& item : Items().items) ops.push_back(item.op);
  auto sink = std::make_shared<DeviceAggregation>(std::move(ops));
  plan.device_aggregation = sink;
  Totals got(Items().items.size());
  ScanStats stats;
  uint64_t rows = 0;
  if (second == nullptr) {
    auto scan = ScanExecutor::Open(plan);
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    Row row;
    for (;;) {
      Status s = (*scan)->Next(&row);
      ASSERT_TRUE(s.ok()) << s.ToString();
      if (!(*scan)->Valid()) break;
      ++rows;
      ASSERT_NO_FATAL_FAILURE(Fold(ev, row.key, row.value, &got));
    }
    stats = (*scan)->stats();
  } else {
    auto plans = SplitPlan(plan, 2, 0);
    ASSERT_TRUE(plans.ok()) << plans.status().ToString();
    if (plans->size() == 2 && (*plans)[1].program != nullptr) {
      (*plans)[1].device = second->device;
      (*plans)[1].program = second->program.get();
      ++cov->split_scans;
    } else {
      plans->resize(1);
    }
    auto scan = ParallelScan::Open(std::move(plans).value());
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    // Per worker: the sink runs on the workers' threads.
    std::vector<Totals> per_worker(2, Totals(Items().items.size()));
    std::vector<uint64_t> worker_rows(2, 0);
    Status s = (*scan)->RunUnordered([&](size_t w, const Row& row) -> Status {
      ++worker_rows[w];
      Fold(ev, row.key, row.value, &per_worker[w]);
      return Status::OK();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    for (const Totals& t : per_worker) Merge(t, &got);
    rows = worker_rows[0] + worker_rows[1];
    stats = (*scan)->stats();
  }
  Merge(sink->partials(), &got);
  EXPECT_TRUE(Same(got, want)) << "got " << Show(got) << "\nwant " << Show(want);
  EXPECT_EQ(sink->rows() + rows, want[0].count);
  EXPECT_EQ(stats.rows_aggregated_on_device, sink->rows());
  ++cov->scans;
  cov->blocks_aggregated += stats.blocks_aggregated_on_device;
  cov->rows_aggregated += stats.rows_aggregated_on_device;
  if (stats.blocks_aggregated_on_device > 0 && rows > 0) ++cov->mixed_scans;
  if (stats.blocks_read > 0 && stats.blocks_aggregated_on_device == 0) ++cov->refused_scans;
  cov->sent_back += stats.blocks_aggregate_sent_back;
}

// Every snapshot of `c`, unbounded and with random bounds.
void CheckCase(TortureCase& c, DeviceProgram* program, DeviceProgram* second, std::mt19937_64& rng,
               AggCoverage* cov) {
  SCOPED_TRACE(c.Describe());
  std::vector<const rocksdb::Snapshot*> snaps = c.snapshots();
  snaps.push_back(nullptr);
  for (const rocksdb::Snapshot* snap : snaps) {
    ASSERT_NO_FATAL_FAILURE(
        CheckScan(c.db(), c.files(), snap, KeyRange{}, program, second, rng, cov));
    ASSERT_NO_FATAL_FAILURE(
        CheckScan(c.db(), c.files(), snap, c.RandomKeyRange(), program, second, rng, cov));
  }
}

// `aggregated`: the shapes must have had blocks aggregated on the device,
// scans mixing them with rows, and blocks the device sent back; else scans
// whose blocks were all refused.
void ExpectCoverage(const AggCoverage& cov, bool split, bool aggregated) {
  std::printf(
      "aggregate coverage: scans %llu blocks aggregated %llu rows aggregated %llu "
      "mixed %llu refused %llu split %llu sent back %llu\n",
      (unsigned long long)cov.scans, (unsigned long long)cov.blocks_aggregated,
      (unsigned long long)cov.rows_aggregated, (unsigned long long)cov.mixed_scans,
      (unsigned long long)cov.refused_scans, (unsigned long long)cov.split_scans,
      (unsigned long long)cov.sent_back);
  if (aggregated) {
    EXPECT_GT(cov.blocks_aggregated, 0u);
    EXPECT_GT(cov.mixed_scans, 0u);
    EXPECT_GT(cov.sent_back, 0u);
  } else {
    EXPECT_GT(cov.refused_scans, 0u);
  }
  if (split) EXPECT_GT(cov.split_scans, 0u);
}

class TortureAggregate : public ::testing::TestWithParam<int> {};

void RunShard(const std::string& device, int first) {
  std::string skip;
  const bpfgen::CompileOptions tiny = TinyCompileOptions();
  std::vector<std::unique_ptr<DeviceProgram>> programs;
  for (const bpfgen::CompileOptions* o :
       {static_cast<const bpfgen::CompileOptions*>(nullptr), &tiny,
        static_cast<const bpfgen::CompileOptions*>(nullptr)}) {
    programs.push_back(LoadAggregating(device, o, &skip));
    if (programs.back() == nullptr) {
      if (!skip.empty()) GTEST_SKIP() << skip;
      FAIL() << "no program";
    }
  }
  AggCoverage cov;
  std::mt19937_64 rng(first);
  for (int seed = first; seed < first + kAggSeedsPerShard; ++seed) {
    TortureCase c(seed);
    ASSERT_NO_FATAL_FAILURE(c.Build());
    {
      SCOPED_TRACE("default memory");
      ASSERT_NO_FATAL_FAILURE(CheckCase(c, programs[0].get(), nullptr, rng, &cov));
    }
    {
      SCOPED_TRACE("tiny memory");
      ASSERT_NO_FATAL_FAILURE(CheckCase(c, programs[1].get(), nullptr, rng, &cov));
    }
    {
      SCOPED_TRACE("two workers");
      ASSERT_NO_FATAL_FAILURE(CheckCase(c, programs[0].get(), programs[2].get(), rng, &cov));
    }
  }
  // The random shapes put every key in several files (or under a range
  // deletion): the rule refuses most of their blocks, which is what these
  // cases check exactly; CompactedBaseAggregate covers aggregated blocks.
  ExpectCoverage(cov, true, /*aggregated=*/false);
}

TEST_P(TortureAggregate, HostDeviceEqualsIterator) { RunShard("host", GetParam()); }

TEST_P(TortureAggregate, KernelDeviceEqualsIterator) { RunShard("kernel", GetParam()); }

// A compacted base (bottommost, sequence numbers zeroed: aggregated on the
// device) under random writes confined to a few key regions -- overwrites
// that flip the predicate, deletes, range deletions, held snapshots -- each
// round flushed to a newer file: blocks that no newer file, no tombstone and
// no bound touches are aggregated on the device, the rest come back as rows.
std::string BaseKey(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return buf;
}

std::string RandomValue(std::mt19937_64& rng) {
  const int r = static_cast<int>(rng() % 20);
  if (r == 0) return "short";  // u64be(value, 0) is NULL
  const uint64_t n = r == 1 ? (rng() | (uint64_t{1} << 62)) : rng() % 1000;  // * 3 overflows
  std::string v(8, '\0');
  for (int b = 0; b < 8; ++b) v[b] = static_cast<char>(n >> (56 - 8 * b));
  return v + std::string(rng() % 24, 'x');
}

void RunCompactedBase(const std::string& device) {
  std::string skip;
  const bpfgen::CompileOptions tiny = TinyCompileOptions();
  std::unique_ptr<DeviceProgram> one = LoadAggregating(device, nullptr, &skip);
  if (one == nullptr && !skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(one, nullptr);
  std::unique_ptr<DeviceProgram> two = LoadAggregating(device, nullptr, &skip);
  std::unique_ptr<DeviceProgram> small = LoadAggregating(device, &tiny, &skip);
  ASSERT_TRUE(two != nullptr && small != nullptr);
  AggCoverage cov;
  constexpr int kKeys = 3000;
  for (int seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    ::pushdown::testing::DbSpec spec;
    spec.sst.block_size = 256 << (rng() % 3);
    RawScanDb d("pd_agg_base", spec);
    ASSERT_NE(d.db, nullptr);
    for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(d.db->Put(BaseKey(i), RandomValue(rng)).ok());
    ASSERT_TRUE(d.db->Flush().ok());
    // Seeds 1, 3, 5: compacted (sequence numbers zeroed). Seeds 2, 4, 6: the
    // flushed file as it is: its blocks qualify by range but hold newer
    // sequence numbers, so the device sends them back as records.
    if (seed % 2 == 1) ASSERT_TRUE(d.db->CompactAll().ok());
    std::vector<const rocksdb::Snapshot*> snaps;
    const int rounds = 1 + static_cast<int>(rng() % 3);
    for (int round = 0; round < rounds; ++round) {
      const int begin = static_cast<int>(rng() % kKeys), len = 20 + static_cast<int>(rng() % 200);
      for (int op = 0; op < 60; ++op) {
        const std::string k = BaseKey(begin + static_cast<int>(rng() % len));
        const int what = static_cast<int>(rng() % 10);
        if (what == 0) {
          ASSERT_TRUE(d.db->Delete(k).ok());
        } else if (what == 1) {
          const int from = begin + static_cast<int>(rng() % len);
          ASSERT_TRUE(d.db->DeleteRange(BaseKey(from), BaseKey(from + 1 + rng() % 8)).ok());
        } else {
          ASSERT_TRUE(d.db->Put(k, RandomValue(rng)).ok());
        }
        if (rng() % 40 == 0) snaps.push_back(d.db->db()->GetSnapshot());
      }
      ASSERT_TRUE(d.db->Flush().ok());
    }
    auto live = d.db->LiveFiles();
    ASSERT_TRUE(live.ok());
    const std::vector<ScanFile> files = ScanFilesOf(*live);
    std::vector<const rocksdb::Snapshot*> all = snaps;
    all.push_back(nullptr);
    for (const rocksdb::Snapshot* snap : all) {
      KeyRange range;
      const int lo = static_cast<int>(rng() % kKeys);
      range.lower = BaseKey(lo);
      range.upper = BaseKey(lo + static_cast<int>(rng() % kKeys));
      for (const KeyRange& r : {KeyRange{}, range}) {
        ASSERT_NO_FATAL_FAILURE(
            CheckScan(d.db->db(), files, snap, r, one.get(), nullptr, rng, &cov));
        ASSERT_NO_FATAL_FAILURE(
            CheckScan(d.db->db(), files, snap, r, one.get(), two.get(), rng, &cov));
        ASSERT_NO_FATAL_FAILURE(
            CheckScan(d.db->db(), files, snap, r, small.get(), nullptr, rng, &cov));
      }
    }
    for (const rocksdb::Snapshot* snap : snaps) d.db->db()->ReleaseSnapshot(snap);
  }
  ExpectCoverage(cov, true, /*aggregated=*/true);
}

TEST(CompactedBaseAggregate, HostDeviceEqualsIterator) { RunCompactedBase("host"); }

TEST(CompactedBaseAggregate, KernelDeviceEqualsIterator) { RunCompactedBase("kernel"); }

INSTANTIATE_TEST_SUITE_P(Seeds, TortureAggregate,
                         ::testing::Range(1, 1 + kAggSeeds, kAggSeedsPerShard));

}  // namespace
}  // namespace pushdown::exec
