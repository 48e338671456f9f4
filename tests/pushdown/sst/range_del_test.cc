// SstFile::ReadRangeTombstones on files RocksDB wrote: the tombstones as
// stored (start, end, sequence number), and corruption of the range-deletion
// block reported as Corruption naming the file and the block's offset.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "pushdown/sst/sst_file.h"
#include "tests/support/sst_builder.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;

struct OneFileDb {
  pt::TempDir dir;
  std::string path;  // the one live SST file
  uint64_t put_seq = 0, del1_seq = 0, del2_seq = 0;
};

// Put a, DeleteRange [b, d), Put e, DeleteRange [c, x) (overlapping), flush.
void MakeFile(OneFileDb* f, pt::Checksum checksum) {
  pt::DbSpec spec;
  spec.sst.checksum = checksum;
  auto db = pt::TestDb::Open(f->dir.File("db"), spec);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)->Put("a", "1").ok());
  ASSERT_TRUE((*db)->DeleteRange("b", "d").ok());
  f->del1_seq = (*db)->db()->GetLatestSequenceNumber();
  ASSERT_TRUE((*db)->Put("e", "2").ok());
  ASSERT_TRUE((*db)->DeleteRange("c", "x").ok());
  f->del2_seq = (*db)->db()->GetLatestSequenceNumber();
  ASSERT_TRUE((*db)->Flush().ok());
  auto live = (*db)->LiveFiles();
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  f->path = (*live)[0].path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(RangeDelTest, FileWithRangeDeletionsIsSupportedAndReadsItsTombstones) {
  OneFileDb f;
  ASSERT_NO_FATAL_FAILURE(MakeFile(&f, pt::Checksum::kXxh3));
  auto sst = SstFile::Open(f.path);
  ASSERT_TRUE(sst.ok()) << sst.status().ToString();
  EXPECT_TRUE((*sst)->info().supported());
  EXPECT_TRUE((*sst)->info().has_range_del_block);
  std::vector<RangeTombstone> ts;
  ASSERT_TRUE((*sst)->ReadRangeTombstones(&ts).ok());
  // RocksDB 7.8's flush writes the tombstones fragmented (without snapshots,
  // only the newest per fragment): [b, c)@1, [c, d)@2, [d, x)@2. Whatever the
  // fragmentation, the count matches the property and the coverage is that
  // of the two DeleteRange calls.
  EXPECT_EQ(ts.size(), (*sst)->info().properties.num_range_deletions);
  ASSERT_GE(ts.size(), 2u);
  for (const RangeTombstone& t : ts) {
    EXPECT_LT(t.start, t.end);
    EXPECT_TRUE(t.seq == f.del1_seq || t.seq == f.del2_seq) << t.seq;
  }
  for (char c = 'a'; c <= 'z'; ++c) {
    const std::string key(1, c);
    uint64_t got = 0;
    for (const RangeTombstone& t : ts) {
      if (t.start <= key && key < t.end) got = std::max(got, t.seq);
    }
    const uint64_t want = key >= "c" && key < "x" ? f.del2_seq : key == "b" ? f.del1_seq : 0;
    EXPECT_EQ(got, want) << key;
  }
}

TEST(RangeDelTest, FileWithoutRangeDeletionsHasNone) {
  pt::TempDir dir;
  auto db = pt::TestDb::Open(dir.File("db"), {});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Put("a", "1").ok());
  ASSERT_TRUE((*db)->Flush().ok());
  auto live = (*db)->LiveFiles();
  ASSERT_TRUE(live.ok() && live->size() == 1u);
  auto sst = SstFile::Open((*live)[0].path);
  ASSERT_TRUE(sst.ok());
  std::vector<RangeTombstone> ts = {{"x", "y", 1}};
  ASSERT_TRUE((*sst)->ReadRangeTombstones(&ts).ok());
  EXPECT_TRUE(ts.empty());
}

// Every byte flip inside the range-deletion block (payload and trailer) is
// Corruption naming the file and the block's offset; the file itself still
// opens (the block is read by the scan, not at open).
TEST(RangeDelTest, CorruptRangeDeletionBlockIsCorruptionWithFileAndOffset) {
  for (pt::Checksum checksum : {pt::Checksum::kCrc32c, pt::Checksum::kXxh3}) {
    SCOPED_TRACE(pt::ChecksumName(checksum));
    OneFileDb f;
    ASSERT_NO_FATAL_FAILURE(MakeFile(&f, checksum));
    const std::string image = ReadAll(f.path);
    auto clean = SstFile::OpenFromMemory("000009.sst", image);
    ASSERT_TRUE(clean.ok());
    const BlockHandle h = (*clean)->info().range_del_handle;
    ASSERT_GT(h.size, 0u);
    const std::string where = "at offset " + std::to_string(h.offset);
    int flips = 0;
    for (uint64_t i = h.offset; i < h.offset + h.size + 5; ++i) {
      std::string img = image;
      img[i] ^= 0x20;
      auto sst = SstFile::OpenFromMemory("000009.sst", img);
      ASSERT_TRUE(sst.ok()) << "byte " << i << ": " << sst.status().ToString();
      std::vector<RangeTombstone> ts;
      Status s = (*sst)->ReadRangeTombstones(&ts);
      ASSERT_TRUE(s.IsCorruption()) << "byte " << i << ": " << s.ToString();
      EXPECT_NE(s.message().find("000009.sst"), std::string::npos) << s.ToString();
      EXPECT_NE(s.message().find(where), std::string::npos) << s.ToString();
      ++flips;
    }
    EXPECT_GT(flips, 10);
  }
}

// Without checksum verification a corrupt block never crashes: an error, or
// tombstones (possibly altered) that are well-formed strings.
TEST(RangeDelTest, FlipsWithoutChecksumsNeverCrash) {
  OneFileDb f;
  ASSERT_NO_FATAL_FAILURE(MakeFile(&f, pt::Checksum::kCrc32c));
  const std::string image = ReadAll(f.path);
  auto clean = SstFile::OpenFromMemory("f.sst", image);
  ASSERT_TRUE(clean.ok());
  const BlockHandle h = (*clean)->info().range_del_handle;
  SstOpenOptions o;
  o.verify_checksums = false;
  int errors = 0;
  for (uint64_t i = h.offset; i < h.offset + h.size; ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string img = image;
      img[i] ^= static_cast<char>(mask);
      auto sst = SstFile::OpenFromMemory("f.sst", img, o);
      if (!sst.ok()) continue;
      std::vector<RangeTombstone> ts;
      Status s = (*sst)->ReadRangeTombstones(&ts);
      if (!s.ok()) {
        ++errors;
        EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      }
    }
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace pushdown::exec
