// The zone-map property codec (pushdown/scan/zone_map.h): v2 round trips
// (block-level columns exactly, file-level ones as the zone the file summary
// proves of every block), v1 is still read, the summary-only decode agrees
// with the full one, the writer's column rule, and malformed bytes (every
// truncation, random flips, random strings) are Corruption naming the file,
// never a crash or a map that contradicts itself.
#include "pushdown/scan/zone_map.h"

#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <string>
#include <vector>

namespace pushdown::exec {
namespace {

using bpfgen::ColumnZone;
using bpfgen::ZoneStats;

constexpr size_t kSchemaColumns = 6;

// How a random column's blocks are distributed.
enum class Shape { kFollowsKey, kRandom, kConstant, kExtremes, kAllNull, kSparseNulls };

class MapGen {
 public:
  explicit MapGen(uint32_t seed) : rng_(seed) {}
  uint64_t Pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  int64_t Int(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

  ZoneMap Map() {
    ZoneMap zm;
    for (int c = 0; c < static_cast<int>(kSchemaColumns); ++c) {
      if (Pick(3) == 0) continue;
      zm.columns.push_back(c);
      zm.types.push_back(static_cast<uint8_t>(bpfgen::TypeId::kInt64));
      zm.scales.push_back(0);
    }
    const size_t nblocks = Pick(5) == 0 ? Pick(3) : 1 + Pick(200);
    zm.blocks.resize(nblocks);
    for (ZoneStats& b : zm.blocks) {
      b.rows = Pick(8) == 0 ? 0 : 1 + Pick(40);
      b.columns.resize(kSchemaColumns);
    }
    for (int c : zm.columns) {
      const Shape shape = static_cast<Shape>(Pick(6));
      int64_t at = Int(-1000000, 1000000);
      for (ZoneStats& b : zm.blocks) {
        ColumnZone& z = b.columns[c];
        z.known = true;
        uint64_t nulls = 0;
        if (shape == Shape::kAllNull) nulls = b.rows;
        if (shape == Shape::kSparseNulls && b.rows > 0 && Pick(10) == 0) nulls = 1 + Pick(b.rows);
        if (shape == Shape::kRandom && b.rows > 0 && Pick(4) == 0) nulls = Pick(b.rows + 1);
        z.null_count = nulls;
        z.value_count = b.rows - nulls;
        if (z.value_count == 0) continue;
        switch (shape) {
          case Shape::kFollowsKey:
          case Shape::kSparseNulls:
            at += Int(0, 50);
            z.min = at;
            at += Int(0, 50);
            z.max = at;
            break;
          case Shape::kConstant:
            z.min = z.max = 42;
            break;
          case Shape::kExtremes:
            z.min = Pick(2) ? INT64_MIN : Int(-5, 5);
            z.max = Pick(2) ? INT64_MAX : z.min + Int(0, 5);
            if (z.max < z.min) z.max = z.min;
            break;
          default: {
            const int64_t a = Int(-100000, 100000), b2 = Int(-100000, 100000);
            z.min = std::min(a, b2);
            z.max = std::max(a, b2);
            break;
          }
        }
      }
    }
    zm.num_blocks = zm.blocks.size();
    return zm;
  }

 private:
  std::mt19937_64 rng_;
};

// What a block's zone of a file-level column must read as (zone_map.h).
ColumnZone Inherited(const ColumnZone& file, uint64_t rows) {
  ColumnZone z;
  if (file.value_count == 0) {
    z.known = true;
    z.null_count = rows;
  } else if (file.null_count == 0) {
    z = {true, 0, rows, file.min, file.max};
  }
  return z;
}

void ExpectSameZone(const ColumnZone& got, const ColumnZone& want, const std::string& where) {
  EXPECT_EQ(got.known, want.known) << where;
  if (!got.known || !want.known) return;
  EXPECT_EQ(got.null_count, want.null_count) << where;
  EXPECT_EQ(got.value_count, want.value_count) << where;
  if (want.value_count == 0) return;
  EXPECT_EQ(got.min, want.min) << where;
  EXPECT_EQ(got.max, want.max) << where;
}

// A decoded map that contradicts itself would make skipping unsound.
void ExpectConsistent(const ZoneMap& zm) {
  ASSERT_EQ(zm.blocks.size(), zm.num_blocks);
  uint64_t rows = 0;
  for (const ZoneStats& b : zm.blocks) rows += b.rows;
  EXPECT_EQ(rows, zm.file.rows);
  for (int c : zm.columns) {
    const ColumnZone& f = zm.file.columns[c];
    ASSERT_TRUE(f.known);
    EXPECT_EQ(f.null_count + f.value_count, zm.file.rows);
    for (const ZoneStats& b : zm.blocks) {
      const ColumnZone& z = b.columns[c];
      if (!z.known) continue;
      EXPECT_EQ(z.null_count + z.value_count, b.rows);
      if (z.value_count == 0) continue;
      EXPECT_LE(z.min, z.max);
      EXPECT_GE(z.min, f.min);
      EXPECT_LE(z.max, f.max);
    }
  }
}

TEST(ZoneMapCodecTest, V2RoundTripsBlockLevelColumnsAndInheritsTheOthers) {
  MapGen gen(1);
  int dropped = 0, kept = 0;
  for (int iter = 0; iter < 400; ++iter) {
    ZoneMap zm = gen.Map();
    // Half the maps with the writer's rule, half with a random choice.
    if (iter % 2 == 0) {
      zm.block_level = ChooseBlockLevel(zm);
    } else {
      for (size_t i = 0; i < zm.columns.size(); ++i) zm.block_level.push_back(gen.Pick(2));
    }
    const std::string bytes = EncodeZoneMap(zm);
    auto back = DecodeZoneMap(bytes, kSchemaColumns, "f");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ExpectConsistent(*back);
    const ZoneStats file = zm.FileSummary();
    EXPECT_EQ(back->file.rows, file.rows);
    ASSERT_EQ(back->blocks.size(), zm.blocks.size());
    for (size_t i = 0; i < zm.columns.size(); ++i) {
      const int c = zm.columns[i];
      ExpectSameZone(back->file.columns[c], file.columns[c], "file col " + std::to_string(c));
      EXPECT_EQ(back->BlockLevel(c), zm.block_level[i] != 0);
      (zm.block_level[i] ? kept : dropped)++;
      for (size_t b = 0; b < zm.blocks.size(); ++b) {
        const std::string where = "block " + std::to_string(b) + " col " + std::to_string(c);
        const ColumnZone want = zm.block_level[i] ? zm.blocks[b].columns[c]
                                                  : Inherited(file.columns[c], zm.blocks[b].rows);
        ExpectSameZone(back->blocks[b].columns[c], want, where);
        EXPECT_EQ(back->blocks[b].rows, zm.blocks[b].rows) << where;
      }
    }
    // The summary-only decode says the same of the file.
    auto summary = DecodeZoneMapSummary(bytes, kSchemaColumns, "f");
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_TRUE(summary->blocks.empty());
    EXPECT_EQ(summary->num_blocks, zm.blocks.size());
    EXPECT_EQ(summary->block_level, back->block_level);
    EXPECT_EQ(summary->file.rows, back->file.rows);
    for (int c : zm.columns) ExpectSameZone(summary->file.columns[c], back->file.columns[c], "s");
  }
  EXPECT_GT(dropped, 100);
  EXPECT_GT(kept, 100);
}

TEST(ZoneMapCodecTest, V1IsStillReadWithEveryColumnAtBlockLevel) {
  MapGen gen(2);
  for (int iter = 0; iter < 200; ++iter) {
    const ZoneMap zm = gen.Map();
    const std::string bytes = EncodeZoneMapV1(zm);
    ASSERT_EQ(bytes[0], 1);
    auto back = DecodeZoneMap(bytes, kSchemaColumns, "f");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ExpectConsistent(*back);
    for (int c : zm.columns) {
      EXPECT_TRUE(back->BlockLevel(c));
      for (size_t b = 0; b < zm.blocks.size(); ++b) {
        ExpectSameZone(back->blocks[b].columns[c], zm.blocks[b].columns[c], "v1");
      }
    }
    // v1 has no stored summary: the summary decode is the full one.
    auto summary = DecodeZoneMapSummary(bytes, kSchemaColumns, "f");
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->blocks.size(), zm.blocks.size());
  }
}

TEST(ZoneMapCodecTest, RawMapsOfBothVersionsDecode) {
  ZoneMap zm;
  zm.raw_field = bpfgen::RawField{bpfgen::RawField::Source::kKey, 3, 4, true, true};
  zm.columns = {0};
  zm.types = {static_cast<uint8_t>(bpfgen::TypeId::kInt64)};
  zm.scales = {0};
  for (int b = 0; b < 50; ++b) {
    ZoneStats s;
    s.rows = 10;
    s.columns = {ColumnZone{true, 0, 10, 100 * b, 100 * b + 99}};
    zm.blocks.push_back(s);
  }
  zm.block_level = ChooseBlockLevel(zm);
  ASSERT_EQ(zm.block_level, std::vector<uint8_t>{1});
  for (const std::string& bytes : {EncodeRawZoneMap(zm), EncodeRawZoneMapV1(zm)}) {
    auto back = DecodeRawZoneMap(bytes, "f");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->raw_field->ToString(), "i32be(key, 3)");
    ASSERT_EQ(back->blocks.size(), 50u);
    EXPECT_EQ(back->blocks[7].columns[0].min, 700);
    EXPECT_EQ(back->blocks[7].columns[0].max, 799);
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_TRUE(DecodeRawZoneMap(bytes.substr(0, n), "f").status().IsCorruption()) << n;
    }
  }
  // A raw header of one version over a map of the other is refused.
  std::string mixed = EncodeRawZoneMap(zm);
  mixed[0] = 1;
  EXPECT_TRUE(DecodeRawZoneMap(mixed, "f").status().IsCorruption());
}

TEST(ZoneMapCodecTest, TheWriterKeepsOnlyColumnsNarrowerThanTheFile) {
  ZoneMap zm;
  // 0 follows the key, 1 is uniformly random, 2 is constant, 3 all NULL,
  // 4 random with NULLs in a few blocks only (IS NULL decides the rest).
  zm.columns = {0, 1, 2, 3, 4};
  zm.types.assign(5, static_cast<uint8_t>(bpfgen::TypeId::kInt64));
  zm.scales.assign(5, 0);
  std::mt19937 rng(3);
  for (int b = 0; b < 100; ++b) {
    ZoneStats s;
    s.rows = 25;
    s.columns.resize(5);
    s.columns[0] = {true, 0, 25, 1000 * b, 1000 * b + 990};
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int r = 0; r < 25; ++r) {
      const int64_t v = static_cast<int64_t>(rng() % 200000);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    s.columns[1] = {true, 0, 25, lo, hi};
    s.columns[2] = {true, 0, 25, 7, 7};
    s.columns[3] = {true, 25, 0, 0, 0};
    s.columns[4] = {true, b % 10 == 0 ? 3u : 0u, b % 10 == 0 ? 22u : 25u, lo, hi};
    zm.blocks.push_back(s);
  }
  EXPECT_EQ(ChooseBlockLevel(zm), (std::vector<uint8_t>{1, 0, 0, 0, 1}));
  // Dropping the random column makes the map much smaller than v1.
  zm.block_level = ChooseBlockLevel(zm);
  const size_t v2 = EncodeZoneMap(zm).size(), v1 = EncodeZoneMapV1(zm).size();
  EXPECT_LT(v2 * 3, v1) << v2 << " vs " << v1;
  // Even with every column at block level, bit packing is no larger than v1.
  zm.block_level.clear();
  EXPECT_LE(EncodeZoneMap(zm).size(), v1);
}

TEST(ZoneMapCodecTest, EveryTruncationAndTrailingByteIsCorruptionNamingTheFile) {
  MapGen gen(4);
  for (int iter = 0; iter < 40; ++iter) {
    ZoneMap zm = gen.Map();
    zm.block_level = ChooseBlockLevel(zm);
    const std::string bytes = EncodeZoneMap(zm);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      auto r = DecodeZoneMap(bytes.substr(0, cut), kSchemaColumns, "000123.sst");
      ASSERT_TRUE(r.status().IsCorruption()) << cut << " of " << bytes.size();
      EXPECT_NE(r.status().message().find("000123.sst"), std::string::npos);
    }
    EXPECT_TRUE(DecodeZoneMap(bytes + "x", kSchemaColumns, "f").status().IsCorruption());
    if (!zm.columns.empty()) {  // a column index past the schema
      EXPECT_TRUE(DecodeZoneMap(bytes, zm.columns.back(), "f").status().IsCorruption());
    }
    if (zm.blocks.size() > 0) {  // more blocks than the file has
      EXPECT_TRUE(
          DecodeZoneMap(bytes, kSchemaColumns, "f", zm.blocks.size() - 1).status().IsCorruption());
    }
  }
}

TEST(ZoneMapCodecTest, RandomCorruptionsNeverCrashNorDecodeToAnInconsistentMap) {
  MapGen gen(5);
  std::mt19937 rng(6);
  int refused = 0, accepted = 0;
  for (int iter = 0; iter < 300; ++iter) {
    ZoneMap zm = gen.Map();
    zm.block_level = ChooseBlockLevel(zm);
    std::string bytes = iter % 3 == 0 ? EncodeZoneMapV1(zm) : EncodeZoneMap(zm);
    if (bytes.size() < 2) continue;
    for (int flip = 0; flip < 20; ++flip) {
      std::string bad = bytes;
      const int n = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < n; ++k) {
        bad[rng() % bad.size()] = static_cast<char>(rng());
      }
      // Bounded like a scan bounds it: by the file's block count.
      auto r = DecodeZoneMap(bad, kSchemaColumns, "f", zm.blocks.size() + 8);
      if (!r.ok()) {
        ASSERT_TRUE(r.status().IsCorruption()) << r.status().ToString();
        ++refused;
        continue;
      }
      ++accepted;
      ExpectConsistent(*r);
      auto s = DecodeZoneMapSummary(bad, kSchemaColumns, "f", zm.blocks.size() + 8);
      EXPECT_TRUE(s.ok());
    }
  }
  // Random strings, including ones that start like either version.
  for (int iter = 0; iter < 3000; ++iter) {
    std::string junk(rng() % 40, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng() % 4 == 0 ? rng() % 3 : rng());
    if (!junk.empty() && iter % 2 == 0) junk[0] = static_cast<char>(1 + iter % 4 / 2);
    auto r = DecodeZoneMap(junk, kSchemaColumns, "f", 64);
    if (r.ok()) {
      ExpectConsistent(*r);
    } else {
      EXPECT_TRUE(r.status().IsCorruption());
    }
    auto raw = DecodeRawZoneMap(junk, "f", 64);
    if (!raw.ok()) {
      EXPECT_TRUE(raw.status().IsCorruption());
    }
  }
  EXPECT_GT(refused, 1000);
  EXPECT_GT(accepted, 0);
}

TEST(ZoneMapCodecTest, AHugeBlockCountIsRefusedBeforeAllocating) {
  // v2 of 2^40 blocks of 0 rows, each packed in 0 bits: a few bytes.
  std::string bytes;
  bytes.push_back(2);
  bytes.push_back(0);                                   // no columns
  bytes += std::string("\x80\x80\x80\x80\x80\x20", 6);  // 2^40 blocks
  bytes.push_back(0);                                   // file rows
  bytes += std::string("\x01\x00\x00", 3);              // rows: bits, base 0, 0 bits
  auto r = DecodeZoneMap(bytes, kSchemaColumns, "f");
  ASSERT_TRUE(r.status().IsCorruption());
  EXPECT_NE(r.status().message().find("block count"), std::string::npos);
}

}  // namespace
}  // namespace pushdown::exec
