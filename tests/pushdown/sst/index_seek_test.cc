// SstFile::DataBlocksInRange (the index seek of key-range scans) on real
// RocksDB files of every index type, with user-key and internal-key index
// separators: for random bounds the range is exactly the blocks a linear walk
// of the index allows (block i holds user keys in [sep(i-1), sep(i)]; with
// first keys, >= first(i)), and it holds every block that has a key inside
// the bounds (checked against the blocks' decoded entries).
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "pushdown/sst/sst_file.h"
#include "tests/support/sst_builder.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;

struct BlockKeys {
  std::string first, last;  // user keys
};

std::vector<BlockKeys> DecodeBlocks(const SstFile& f) {
  std::vector<BlockKeys> out;
  for (size_t i = 0; i < f.num_data_blocks(); ++i) {
    auto b = f.ReadDataBlock(i);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    if (!b.ok()) return out;
    DataBlockIter it(b->data, f.block_context(i), f.info().global_seqno);
    BlockKeys k;
    bool first = true;
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      if (first) k.first = std::string(it.parsed().user_key);
      first = false;
      k.last = std::string(it.parsed().user_key);
    }
    EXPECT_TRUE(it.status().ok()) << it.status().ToString();
    out.push_back(k);
  }
  return out;
}

std::string UserPart(const std::string& k, bool is_user_key) {
  return is_user_key ? k : k.substr(0, k.size() - 8);
}

// The linear walk: the blocks the index alone cannot rule out.
BlockRange WalkIndex(const SstFile& f, const std::optional<std::string>& lo,
                     const std::optional<std::string>& hi) {
  const bool user = f.info().index_key_is_user_key;
  size_t begin = f.num_data_blocks(), end = 0;
  for (size_t i = 0; i < f.num_data_blocks(); ++i) {
    const std::string sep = UserPart(f.data_block_index_key(i), user);
    bool may_hold = !lo || sep >= *lo;
    if (hi && i > 0 && UserPart(f.data_block_index_key(i - 1), user) >= *hi) may_hold = false;
    const std::string& first = f.data_block_first_key(i);
    if (hi && !first.empty() && UserPart(first, false) >= *hi) may_hold = false;
    if (may_hold) {
      begin = std::min(begin, i);
      end = i + 1;
    }
  }
  if (begin > end) begin = end = 0;
  return {begin, end};
}

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%05d", i);
  return buf;
}

std::optional<std::string> RandomBound(std::mt19937* rng, int num_keys) {
  switch ((*rng)() % 6) {
    case 0:
      return std::nullopt;
    case 1:  // between keys
      return Key(static_cast<int>((*rng)() % (num_keys + 2)) - 1) + "5";
    case 2:  // outside the data
      return (*rng)() % 2 ? std::string("a") : std::string("z");
    default:  // equal to a key
      return Key(static_cast<int>((*rng)() % num_keys));
  }
}

void CheckFile(const std::string& path, std::mt19937* rng, int num_keys, bool* saw_user_index,
               bool* saw_internal_index) {
  auto opened = SstFile::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const SstFile& f = **opened;
  (f.info().index_key_is_user_key ? *saw_user_index : *saw_internal_index) = true;
  const std::vector<BlockKeys> blocks = DecodeBlocks(f);
  ASSERT_EQ(blocks.size(), f.num_data_blocks());
  for (int round = 0; round < 300; ++round) {
    std::optional<std::string> lo = RandomBound(rng, num_keys);
    std::optional<std::string> hi = RandomBound(rng, num_keys);
    SCOPED_TRACE("bounds [" + lo.value_or("-inf") + ", " + hi.value_or("+inf") + ")");
    const BlockRange r = f.DataBlocksInRange(lo, hi);
    const BlockRange want = WalkIndex(f, lo, hi);
    if (want.empty()) {
      EXPECT_TRUE(r.empty());
    } else {
      EXPECT_EQ(r.begin, want.begin);
      EXPECT_EQ(r.end, want.end);
    }
    for (size_t i = 0; i < blocks.size(); ++i) {
      // Block i has a key in [lo, hi) when its key span meets the range.
      const bool overlaps = (!lo || blocks[i].last >= *lo) && (!hi || blocks[i].first < *hi) &&
                            (!lo || !hi || *lo < *hi);
      // A block with keys on both sides but none inside still "overlaps" by
      // span; that is fine: only blocks the range needs must be in it.
      if (overlaps) {
        bool has_inside = false;
        auto b = f.ReadDataBlock(i);
        ASSERT_TRUE(b.ok());
        DataBlockIter it(b->data, f.block_context(i), f.info().global_seqno);
        for (it.SeekToFirst(); it.Valid(); it.Next()) {
          const std::string_view k = it.parsed().user_key;
          if ((!lo || k >= *lo) && (!hi || k < *hi)) has_inside = true;
        }
        if (has_inside) {
          EXPECT_TRUE(i >= r.begin && i < r.end) << "block " << i << " of " << blocks.size();
        }
      }
    }
  }
}

struct Shape {
  const char* name;
  pt::IndexType index;
  size_t metadata_block_size;
};

// A DB whose file has several versions of hot keys (held by a snapshot), so
// one user key spans blocks and the index separators are internal keys; and
// an SstFileWriter file (one version per key: user-key separators).
TEST(IndexSeekTest, RangeIsTheIndexWalkAndKeepsEveryBlockWithKeysInside) {
  const Shape shapes[] = {{"binary search", pt::IndexType::kBinarySearch, 4096},
                          {"two-level", pt::IndexType::kTwoLevel, 256},
                          {"first key", pt::IndexType::kBinarySearchWithFirstKey, 4096},
                          {"hash", pt::IndexType::kHashSearch, 4096}};
  std::mt19937 rng(7);
  bool saw_user_index = false, saw_internal_index = false;
  constexpr int kKeys = 600;
  for (const Shape& shape : shapes) {
    SCOPED_TRACE(shape.name);
    pt::SstSpec sst;
    sst.block_size = 256;
    sst.index_type = shape.index;
    sst.metadata_block_size = shape.metadata_block_size;
    pt::TempDir dir("pd_index_seek");
    {
      std::vector<pt::KeyValueOp> ops;
      for (int i = 0; i < kKeys; ++i) ops.push_back({Key(i), std::string(20 + i % 30, 'v')});
      const std::string path = dir.File("writer.sst");
      ASSERT_TRUE(pt::WriteSstWithWriter(path, sst, ops).ok());
      ASSERT_NO_FATAL_FAILURE(CheckFile(path, &rng, kKeys, &saw_user_index, &saw_internal_index));
    }
    pt::DbSpec spec;
    spec.sst = sst;
    auto db = pt::TestDb::Open(dir.path() + "/db", spec);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::vector<const rocksdb::Snapshot*> snaps;
    for (int v = 0; v < 12; ++v) {
      for (int i = 0; i < kKeys; ++i) {
        if (v == 0 || i % 50 == 7) {
          ASSERT_TRUE((*db)->Put(Key(i), std::string(30, static_cast<char>('a' + v))).ok());
        }
      }
      snaps.push_back((*db)->db()->GetSnapshot());
    }
    ASSERT_TRUE((*db)->Flush().ok());
    auto live = (*db)->LiveFiles();
    ASSERT_TRUE(live.ok());
    ASSERT_FALSE(live->empty());
    for (const auto& f : *live) {
      ASSERT_NO_FATAL_FAILURE(CheckFile(f.path, &rng, kKeys, &saw_user_index, &saw_internal_index));
    }
    for (const rocksdb::Snapshot* s : snaps) (*db)->db()->ReleaseSnapshot(s);
  }
  EXPECT_TRUE(saw_user_index);
  EXPECT_TRUE(saw_internal_index);
}

}  // namespace
}  // namespace pushdown::exec
