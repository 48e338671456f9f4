// Ingested files (global seqno) through the generated programs on the kernel
// and host devices: their entries are stored with sequence 0, so every Value
// crosses as its user key only (ABI v2, kUserKeyOnly) and the stream must give
// it the file's global seqno; tombstones cross as internal keys with seq 0.
// Compared with a RocksDB iterator + the same predicate, at the latest
// sequence and at a snapshot that hides the second ingestion, with the
// generator's default layout and the torture tests' tiny one (re-runs,
// host-filtered blocks).
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "pushdown/scan/scan_executor.h"
#include "tests/pushdown/scan/scan_files.h"
#include "tests/pushdown/scan/torture_paths.h"
#include "tests/pushdown/scan/torture_support.h"
#include "tests/support/sst_builder.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;
namespace ts = testing_support;
using KV = std::pair<std::string, std::string>;

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

// u64be(n) + filler: the torture predicate reads the first 8 bytes.
std::string Value(std::mt19937_64& rng) {
  const uint64_t n = rng() % 1000;
  std::string v;
  for (int i = 7; i >= 0; --i) v.push_back(static_cast<char>(n >> (8 * i)));
  v.append(rng() % 40, 'f');
  return v;
}

class IngestBpfTest : public ::testing::TestWithParam<std::tuple<std::string, bool, bool>> {};

TEST_P(IngestBpfTest, IngestedFilesMatchTheIterator) {
  const auto& [device_name, write_global_seqno, tiny] = GetParam();
  pt::TempDir dir("pd_ingest_bpf");
  auto opened = pt::TestDb::Open(dir.path() + "/db", pt::DbSpec{});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  pt::TestDb& db = **opened;
  std::mt19937_64 rng(write_global_seqno ? 11 : 12);
  const int kKeys = 3000;
  for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(db.Put(Key(i), Value(rng)).ok());
  ASSERT_TRUE(db.Flush().ok());
  ASSERT_TRUE(db.CompactAll().ok());  // bottom level: seq 0

  auto ingest = [&](const std::string& name, int every_put, int every_delete) {
    std::vector<pt::KeyValueOp> ops;
    for (int i = 0; i < kKeys; ++i) {
      if (i % every_delete == 0) {
        ops.push_back({Key(i), "", pt::EntryKind::kDelete});
      } else if (i % every_put == 0) {
        ops.push_back({Key(i), Value(rng), pt::EntryKind::kPut});
      }
    }
    const std::string path = dir.path() + "/" + name;
    ASSERT_TRUE(pt::WriteSstWithWriter(path, pt::SstSpec{}, ops).ok());
    ASSERT_TRUE(db.Ingest(path, write_global_seqno).ok());
  };
  ingest("a.sst", 2, 7);
  const rocksdb::Snapshot* between = db.db()->GetSnapshot();
  ingest("b.sst", 3, 11);

  std::string skip;
  bpfgen::CompileOptions options = ts::TinyCompileOptions();
  auto program = ts::LoadOn(device_name, tiny ? &options : nullptr, &skip);
  if (program == nullptr) {
    db.db()->ReleaseSnapshot(between);
    if (!skip.empty()) GTEST_SKIP() << skip;
    FAIL() << "no program";
  }

  auto live = db.LiveFiles();
  ASSERT_TRUE(live.ok());
  int ingested = 0;
  for (const auto& f : *live) {
    if (f.smallest_seqno > 0 && f.smallest_seqno == f.largest_seqno) ++ingested;
  }
  ASSERT_EQ(ingested, 2);

  for (const rocksdb::Snapshot* snap : {static_cast<const rocksdb::Snapshot*>(nullptr), between}) {
    SCOPED_TRACE(snap ? "at the snapshot between the ingestions" : "at the latest sequence");
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(ro));
    std::vector<KV> expected;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view v = it->value().ToStringView();
      if (ts::DevicePart(v) && ts::ResidualPart(v)) {
        expected.emplace_back(it->key().ToString(), it->value().ToString());
      }
    }
    ASSERT_TRUE(it->status().ok());
    ASSERT_FALSE(expected.empty());

    ScanPlan plan;
    plan.files = ScanFilesOf(*live);
    plan.snapshot = snap ? snap->GetSequenceNumber() : db.db()->GetLatestSequenceNumber();
    plan.batch_blocks = 5;
    auto scan = ts::DevicePath(program.get())(plan);
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    std::vector<KV> got;
    Row row;
    for (;;) {
      Status s = (*scan)->Next(&row);
      ASSERT_TRUE(s.ok()) << s.ToString();
      if (!(*scan)->Valid()) break;
      got.emplace_back(row.key, row.value);
    }
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i], expected[i]) << "row " << i;
    }
    EXPECT_EQ((*scan)->stats().rows_matched, expected.size());
  }
  db.db()->ReleaseSnapshot(between);
}

INSTANTIATE_TEST_SUITE_P(Devices, IngestBpfTest,
                         ::testing::Combine(::testing::Values("kernel", "host"), ::testing::Bool(),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return std::get<0>(info.param) +
                                  (std::get<1>(info.param) ? "_written" : "_manifest") +
                                  (std::get<2>(info.param) ? "_tiny" : "_default");
                         });

}  // namespace
}  // namespace pushdown::exec
