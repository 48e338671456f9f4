// The zero-copy read paths through the generated programs on the kernel and
// host devices, against a RocksDB iterator + the same predicate, on an LSM
// of a bottom level under L0 overwrites and deletes (shadows), uncompressed
// and lz4, with the generator's default layout and the torture tests' tiny
// one (re-runs, blocks larger than local memory filtered on the host):
//  - "io_uring": large reads into buffers, then staged (lz4: decompressed
//    straight into local memory);
//  - "mmap": blocks walked and checksummed in a mapping of the file;
//  - "in place": uncompressed blocks read with one pread per batch straight
//    into the program's local memory (for the kernel device: the BPF map's
//    mmapped pages), checksummed there.
// Each path must return the iterator's rows and count what it did.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <tuple>
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

// u64be(n) + filler (the torture predicate reads the first 8 bytes); every
// 50th value is large enough that its block exceeds the tiny layout.
std::string Value(std::mt19937_64& rng, int i) {
  const uint64_t n = rng() % 1000;
  std::string v;
  for (int b = 7; b >= 0; --b) v.push_back(static_cast<char>(n >> (8 * b)));
  const size_t filler = i % 50 == 0 ? 9000 : rng() % 60;
  for (size_t k = 0; k < filler; ++k) v.push_back(static_cast<char>('a' + (rng() % 4)));
  return v;
}

using Param = std::tuple<std::string, pt::Compression, bool>;
class ZeroCopyBpfTest : public ::testing::TestWithParam<Param> {};

TEST_P(ZeroCopyBpfTest, EveryReadPathMatchesTheIterator) {
  const auto& [device_name, compression, tiny] = GetParam();
  if (!pt::CompressionSupported(compression)) GTEST_SKIP() << "compression not built in";
  pt::TempDir dir("pd_zero_copy_bpf");
  pt::DbSpec spec;
  spec.sst.compression = compression;
  auto opened = pt::TestDb::Open(dir.path() + "/db", spec);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  pt::TestDb& db = **opened;
  std::mt19937_64 rng(compression == pt::Compression::kNone ? 21 : 22);
  const int kKeys = 6000;
  for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(db.Put(Key(i), Value(rng, i)).ok());
  ASSERT_TRUE(db.Flush().ok());
  ASSERT_TRUE(db.CompactAll().ok());
  for (int n = 0; n < 800; ++n) {
    const int k = static_cast<int>(rng() % kKeys);
    ASSERT_TRUE(db.Put(Key(k), Value(rng, k + 1)).ok());
  }
  for (int n = 0; n < 200; ++n) ASSERT_TRUE(db.Delete(Key(static_cast<int>(rng() % kKeys))).ok());
  ASSERT_TRUE(db.Flush().ok());

  std::string skip;
  bpfgen::CompileOptions options = ts::TinyCompileOptions();
  auto program = ts::LoadOn(device_name, tiny ? &options : nullptr, &skip);
  if (program == nullptr) {
    if (!skip.empty()) GTEST_SKIP() << skip;
    FAIL() << "no program";
  }
  auto live = db.LiveFiles();
  ASSERT_TRUE(live.ok());

  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(rocksdb::ReadOptions()));
  std::vector<KV> expected;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view v = it->value().ToStringView();
    if (ts::DevicePart(v) && ts::ResidualPart(v)) {
      expected.emplace_back(it->key().ToString(), it->value().ToString());
    }
  }
  ASSERT_TRUE(it->status().ok());
  ASSERT_FALSE(expected.empty());

  for (const char* reads : {"io_uring", "mmap", "in place"}) {
    SCOPED_TRACE(reads);
    ScanPlan plan;
    plan.files = ScanFilesOf(*live);
    plan.snapshot = db.db()->GetLatestSequenceNumber();
    plan.batch_blocks = 7;
    plan.block_source = BlockSourceOptions{};
    plan.block_source->use_mmap = std::string_view(reads) == "mmap";
    plan.block_source->read_into_device_memory = std::string_view(reads) == "in place";
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
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], expected[i]) << "row " << i;
    const ScanStats& st = (*scan)->stats();
    EXPECT_EQ(st.io_fallback_reason, "");
    EXPECT_GT(st.blocks_read, 0u);
    const uint64_t zero_copy = st.blocks_read_in_place + st.blocks_decompressed_in_place;
    if (compression == pt::Compression::kNone) {
      EXPECT_EQ(st.blocks_decompressed_in_place, 0u);
      if (std::string_view(reads) == "in place") {
        // A tiny program takes blocks of at most 1 KiB (TinyCompileOptions):
        // this DB's ~4 KiB blocks are all oversized, read and filtered the
        // usual way on the host, so none is read in place.
        if (!tiny) EXPECT_GT(st.blocks_read_in_place, st.blocks_read / 2);
        EXPECT_LE(st.blocks_read_in_place, st.blocks_read);
      } else {
        EXPECT_EQ(st.blocks_read_in_place, 0u);
      }
    } else {
      // lz4 files are never read in place (their blocks must be
      // decompressed): decompressed straight into local memory instead.
      EXPECT_EQ(st.blocks_read_in_place, 0u);
      EXPECT_GT(zero_copy, 0u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, ZeroCopyBpfTest,
                         ::testing::Combine(::testing::Values("kernel", "host"),
                                            ::testing::Values(pt::Compression::kNone,
                                                              pt::Compression::kLz4),
                                            ::testing::Bool()),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           return std::get<0>(info.param) + "_" +
                                  pt::CompressionName(std::get<1>(info.param)) +
                                  (std::get<2>(info.param) ? "_tiny" : "_default");
                         });

}  // namespace
}  // namespace pushdown::exec
