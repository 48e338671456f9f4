// Unit tests of the building blocks: crc32c, block checksums, decompression
// of malformed input, block layout, handles, footers.
#include <gtest/gtest.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

#include "pushdown/sst/block.h"
#include "pushdown/sst/checksum.h"
#include "pushdown/sst/compression.h"
#include "pushdown/sst/format.h"
#include "util/coding.h"

namespace pushdown::exec {
namespace {

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789", 9), 0xe3069283u);
  EXPECT_EQ(Crc32c("", 0), 0u);
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8a9136aau);
  std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(ones.data(), ones.size()), 0x62a8ab43u);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::mt19937 rng(1);
  std::string data(1000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t split : {0u, 1u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
    EXPECT_EQ(Crc32cExtend(Crc32c(data.data(), split), data.data() + split, data.size() - split),
              Crc32c(data.data(), data.size()));
  }
}

TEST(Crc32cTest, PortablePathEqualsDispatched) {
  std::mt19937 rng(2);
  for (size_t len : {0u, 1u, 7u, 8u, 15u, 64u, 1000u, 4099u}) {
    std::string data(len, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    EXPECT_EQ(Crc32cExtendPortable(0, data.data(), len), Crc32c(data.data(), len)) << len;
    EXPECT_EQ(Crc32cExtendPortable(0x1234, data.data(), len),
              Crc32cExtend(0x1234, data.data(), len));
  }
  EXPECT_EQ(Crc32cExtendPortable(0, "123456789", 9), 0xe3069283u);
}

TEST(BlockChecksumTest, TypeByteIsCovered) {
  const std::string payload = "some block payload";
  for (ChecksumType t : {ChecksumType::kCrc32c, ChecksumType::kXxHash, ChecksumType::kXxHash64,
                         ChecksumType::kXxh3}) {
    EXPECT_NE(ComputeBlockChecksum(t, payload.data(), payload.size(), 0),
              ComputeBlockChecksum(t, payload.data(), payload.size(), 1))
        << ChecksumTypeName(t);
  }
  // crc32c is masked crc over payload + type byte.
  std::string with_type = payload + '\x01';
  EXPECT_EQ(ComputeBlockChecksum(ChecksumType::kCrc32c, payload.data(), payload.size(), 1),
            MaskCrc32c(Crc32c(with_type.data(), with_type.size())));
}

TEST(DecompressTest, RoundTripsAndRejectsGarbage) {
  std::string input;
  for (int i = 0; i < 200; ++i) input += "value" + std::to_string(i % 17);
  DecompressOptions o;
  std::string out;
  // snappy (raw, self-sized)
  size_t max = snappy_max_compressed_length(input.size());
  std::string snap(max, '\0');
  ASSERT_EQ(snappy_compress(input.data(), input.size(), snap.data(), &max), SNAPPY_OK);
  snap.resize(max);
  ASSERT_TRUE(DecompressBlock(1, snap, o, &out).ok());
  EXPECT_EQ(out, input);
  // zstd, size-prefixed (format_version >= 2)
  std::string z(ZSTD_compressBound(input.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), input.data(), input.size(), 3));
  std::string framed;
  PutVarint32(&framed, static_cast<uint32_t>(input.size()));
  framed += z;
  ASSERT_TRUE(DecompressBlock(7, framed, o, &out).ok());
  EXPECT_EQ(out, input);
  // Wrong declared size, truncation, garbage, oversize claims: Corruption.
  std::string wrong;
  PutVarint32(&wrong, static_cast<uint32_t>(input.size() + 1));
  wrong += z;
  EXPECT_TRUE(DecompressBlock(7, wrong, o, &out).IsCorruption());
  EXPECT_TRUE(DecompressBlock(7, framed.substr(0, framed.size() / 2), o, &out).IsCorruption());
  EXPECT_TRUE(DecompressBlock(1, snap.substr(0, snap.size() / 2), o, &out).IsCorruption());
  for (uint8_t t : {2, 4, 5, 7}) {
    EXPECT_TRUE(DecompressBlock(t, "\xff\xff\xff\xff\x0f garbage", o, &out).IsCorruption())
        << int(t);
    EXPECT_TRUE(DecompressBlock(t, "", o, &out).IsCorruption()) << int(t);
  }
  EXPECT_TRUE(DecompressBlock(3, "x", o, &out).IsNotSupported());  // bzip2
  EXPECT_TRUE(DecompressBlock(0x33, "x", o, &out).IsCorruption());
}

// Payloads of every compression that declares its size, for `input`:
// {type, payload, format_version}.
struct Compressed {
  uint8_t type;
  std::string payload;
  uint32_t format_version;
};
std::vector<Compressed> CompressAll(const std::string& input) {
  std::vector<Compressed> out;
  size_t max = snappy_max_compressed_length(input.size());
  std::string snap(max, '\0');
  EXPECT_EQ(snappy_compress(input.data(), input.size(), snap.data(), &max), SNAPPY_OK);
  snap.resize(max);
  out.push_back({1, snap, 5});
  std::string z(ZSTD_compressBound(input.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), input.data(), input.size(), 3));
  std::string framed;
  PutVarint32(&framed, static_cast<uint32_t>(input.size()));
  out.push_back({7, framed + z, 5});
  std::string l(LZ4_compressBound(static_cast<int>(input.size())), '\0');
  l.resize(LZ4_compress_default(input.data(), l.data(), static_cast<int>(input.size()),
                                static_cast<int>(l.size())));
  out.push_back({4, framed + l, 5});  // lz4, size-prefixed
  std::string legacy(8, '\0');        // lz4, format_version 1: fixed32 size + 4 bytes
  EncodeFixed32(legacy.data(), static_cast<uint32_t>(input.size()));
  out.push_back({4, legacy + l, 1});
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string d(deflateBound(&zs, input.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(d.data());
  zs.avail_out = static_cast<uInt>(d.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  d.resize(zs.total_out);
  deflateEnd(&zs);
  out.push_back({2, framed + d, 5});  // zlib, size-prefixed
  out.push_back({0, input, 5});       // stored
  return out;
}

// In place (DecompressedSize + DecompressBlockInto into memory the caller
// owns) equals the reference DecompressBlock for every sized compression,
// random inputs; wrong sizes and damaged payloads are rejected the same way.
TEST(DecompressTest, InPlaceEqualsReferenceDecompression) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; ++round) {
    std::string input;
    const size_t n = rng() % 20000;
    for (size_t i = 0; i < n; ++i) {
      input.push_back(rng() % 3 == 0 ? static_cast<char>(rng()) : static_cast<char>('a' + i % 7));
    }
    for (const Compressed& c : CompressAll(input)) {
      SCOPED_TRACE("type " + std::to_string(c.type) + " fv " + std::to_string(c.format_version) +
                   " size " + std::to_string(n));
      DecompressOptions o;
      o.format_version = c.format_version;
      std::string reference;
      ASSERT_TRUE(DecompressBlock(c.type, c.payload, o, &reference).ok());
      ASSERT_EQ(reference, input);
      Result<size_t> size = DecompressedSize(c.type, c.payload, o);
      ASSERT_TRUE(size.ok()) << size.status().ToString();
      ASSERT_EQ(*size, input.size());
      // Into a larger region at an odd offset, as into local memory: the
      // bytes around the output stay untouched.
      std::string region(*size + 64, '\x5a');
      ASSERT_TRUE(
          DecompressBlockInto(c.type, c.payload, o, std::span<char>(region.data() + 31, *size))
              .ok());
      EXPECT_EQ(region.substr(31, *size), reference);
      EXPECT_EQ(region.substr(0, 31), std::string(31, '\x5a'));
      EXPECT_EQ(region.substr(31 + *size), std::string(33, '\x5a'));
      // A region of the wrong size: the caller's mistake, not the file's.
      EXPECT_TRUE(
          DecompressBlockInto(c.type, c.payload, o, std::span<char>(region.data(), *size + 1))
              .IsInvalidArgument());
      if (c.type == 0 || input.size() < 16) continue;
      // Damage: a truncated payload is Corruption in place exactly as in the reference.
      const std::string cut = c.payload.substr(0, c.payload.size() - 9);
      std::string ref_out;
      const Status ref = DecompressBlock(c.type, cut, o, &ref_out);
      Result<size_t> cut_size = DecompressedSize(c.type, cut, o);
      if (!cut_size.ok()) {
        EXPECT_TRUE(ref.IsCorruption()) << ref.ToString();
        EXPECT_EQ(cut_size.status().code(), ref.code());
        continue;
      }
      std::string out(*cut_size, '\0');
      const Status in_place = DecompressBlockInto(c.type, cut, o, std::span<char>(out));
      EXPECT_TRUE(in_place.IsCorruption()) << in_place.ToString();
      EXPECT_EQ(in_place.code(), ref.code()) << ref.ToString();
    }
  }
}

TEST(DecompressTest, InPlaceNeedsADeclaredSize) {
  DecompressOptions fv1;
  fv1.format_version = 1;
  EXPECT_TRUE(DecompressedSize(2, "xx", fv1).status().IsNotSupported());  // zlib, unsized
  EXPECT_TRUE(DecompressedSize(3, "xx", {}).status().IsNotSupported());   // bzip2
  EXPECT_TRUE(DecompressedSize(0x33, "xx", {}).status().IsCorruption());
  DecompressOptions small;
  small.max_output = 100;
  std::string over;
  PutVarint32(&over, 101);
  EXPECT_TRUE(DecompressedSize(4, over + "x", small).status().IsCorruption());
  EXPECT_TRUE(DecompressedSize(7, "\xff\xff\xff\xff\xff", {}).status().IsCorruption());
}

TEST(BlockHandleTest, EncodeDecode) {
  std::string s;
  EncodeBlockHandle(BlockHandle{123456789012ull, 4096}, &s);
  BlockHandle h;
  ASSERT_EQ(DecodeBlockHandle(s.data(), s.data() + s.size(), &h), s.data() + s.size());
  EXPECT_EQ(h, (BlockHandle{123456789012ull, 4096}));
  EXPECT_EQ(DecodeBlockHandle(s.data(), s.data() + s.size() - 1, &h), nullptr);
}

TEST(FooterTest, DecodesNewAndLegacyAndRejectsBadOnes) {
  std::string handles;
  EncodeBlockHandle(BlockHandle{100, 50}, &handles);
  EncodeBlockHandle(BlockHandle{200, 60}, &handles);
  handles.resize(40, '\0');
  std::string footer = std::string(1, '\x04') + handles;
  PutFixed32(&footer, 5);
  PutFixed64(&footer, kBlockBasedTableMagic);
  ASSERT_EQ(footer.size(), kFooterSize);
  Footer f;
  ASSERT_TRUE(DecodeFooter(footer, 1000, "x.sst", &f).ok());
  EXPECT_EQ(f.checksum, ChecksumType::kXxh3);
  EXPECT_EQ(f.format_version, 5u);
  EXPECT_EQ(f.metaindex, (BlockHandle{100, 50}));
  EXPECT_EQ(f.index, (BlockHandle{200, 60}));
  // Legacy: 40 bytes of handles + magic.
  std::string legacy = handles;
  PutFixed64(&legacy, kLegacyBlockBasedTableMagic);
  ASSERT_TRUE(DecodeFooter(legacy, 1000, "x.sst", &f).ok());
  EXPECT_TRUE(f.legacy);
  EXPECT_EQ(f.checksum, ChecksumType::kCrc32c);
  // Handles past the footer, bad checksum type, unknown format_version.
  EXPECT_TRUE(DecodeFooter(footer, 260, "x.sst", &f).IsCorruption());
  std::string bad = footer;
  bad[0] = 9;
  EXPECT_TRUE(DecodeFooter(bad, 1000, "x.sst", &f).IsCorruption());
  bad = footer;
  bad[41] = 6;
  EXPECT_TRUE(DecodeFooter(bad, 1000, "x.sst", &f).IsNotSupported());
}

TEST(InternalKeyTest, ParseAndAppend) {
  std::string k;
  AppendInternalKey("user", 12345, 1, &k);
  ParsedInternalKey p;
  ASSERT_TRUE(ParseInternalKey(k, &p).ok());
  EXPECT_EQ(p.user_key, "user");
  EXPECT_EQ(p.sequence, 12345u);
  EXPECT_EQ(p.type, 1);
  EXPECT_TRUE(ParseInternalKey("short", &p).IsCorruption());
}

// Builds a block the way RocksDB's BlockBuilder does (for iterator tests).
std::string BuildBlock(const std::vector<std::pair<std::string, std::string>>& kvs, int restart) {
  std::string buf, last;
  std::vector<uint32_t> restarts{0};
  int counter = 0;
  for (const auto& [k, v] : kvs) {
    size_t shared = 0;
    if (counter >= restart) {
      restarts.push_back(static_cast<uint32_t>(buf.size()));
      counter = 0;
    } else {
      while (shared < last.size() && shared < k.size() && last[shared] == k[shared]) ++shared;
    }
    PutVarint32(&buf, static_cast<uint32_t>(shared));
    PutVarint32(&buf, static_cast<uint32_t>(k.size() - shared));
    PutVarint32(&buf, static_cast<uint32_t>(v.size()));
    buf += k.substr(shared) + v;
    last = k;
    ++counter;
  }
  for (uint32_t r : restarts) PutFixed32(&buf, r);
  PutFixed32(&buf, static_cast<uint32_t>(restarts.size()));
  return buf;
}

TEST(DataBlockIterTest, WalksEntriesAndAppliesGlobalSeqno) {
  std::vector<std::pair<std::string, std::string>> kvs;
  for (int i = 0; i < 50; ++i) {
    std::string k;
    AppendInternalKey("key" + std::to_string(1000 + i), 0, 1, &k);
    kvs.emplace_back(k, "v" + std::to_string(i));
  }
  for (int restart : {1, 3, 16}) {
    const std::string block = BuildBlock(kvs, restart);
    DataBlockIter it(block, {}, 77);
    int n = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next(), ++n) {
      EXPECT_EQ(it.parsed().user_key, "key" + std::to_string(1000 + n));
      EXPECT_EQ(it.parsed().sequence, 77u);
      EXPECT_EQ(it.value(), "v" + std::to_string(n));
      ParsedInternalKey p;
      ASSERT_TRUE(ParseInternalKey(it.key(), &p).ok());
      EXPECT_EQ(p.sequence, 77u);
    }
    EXPECT_TRUE(it.status().ok()) << it.status().ToString();
    EXPECT_EQ(n, 50);
  }
}

TEST(DataBlockIterTest, RejectsOutOfOrderUnknownTypesAndNonzeroSeqWithGlobal) {
  auto run = [](const std::vector<std::pair<std::string, std::string>>& kvs,
                std::optional<uint64_t> g = std::nullopt) {
    const std::string block = BuildBlock(kvs, 16);
    DataBlockIter it(block, {}, g);
    int n = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) ++n;
    return std::make_pair(n, it.status());
  };
  auto ik = [](std::string u, uint64_t seq, uint8_t t) {
    std::string k;
    AppendInternalKey(u, seq, t, &k);
    return k;
  };
  auto [n1, s1] = run({{ik("b", 1, 1), "x"}, {ik("a", 1, 1), "y"}});
  EXPECT_EQ(n1, 1);
  EXPECT_TRUE(s1.IsCorruption());
  auto [n2, s2] = run({{ik("a", 1, 1), "x"}, {ik("a", 2, 1), "y"}});  // seq must descend
  EXPECT_TRUE(s2.IsCorruption());
  auto [n3, s3] = run({{ik("a", 1, 0x0F), "x"}});  // range deletion in a data block
  EXPECT_EQ(n3, 0);
  EXPECT_TRUE(s3.IsCorruption());
  auto [n4, s4] = run({{ik("a", 5, 1), "x"}}, 9);
  EXPECT_TRUE(s4.IsCorruption());
  auto [n5, s5] = run({{ik("a", 2, 1), "x"}, {ik("a", 1, 0), ""}, {ik("b", 9, 7), ""}});
  EXPECT_EQ(n5, 3);
  EXPECT_TRUE(s5.ok());
}

TEST(BlockLayoutTest, HashIndexFooter) {
  std::vector<std::pair<std::string, std::string>> kvs;
  std::string k;
  AppendInternalKey("a", 1, 1, &k);
  kvs.emplace_back(k, "v");
  std::string block = BuildBlock(kvs, 16);
  // Insert a 3-bucket hash index before the footer and set bit 31.
  const uint32_t n = DecodeFixed32(block.data() + block.size() - 4);
  block.resize(block.size() - 4);
  block += std::string("\x01\x02\x03", 3);
  PutFixed16(&block, 3);
  PutFixed32(&block, n | (1u << 31));
  BlockLayout l;
  ASSERT_TRUE(DecodeBlockLayout(block, &l).ok());
  EXPECT_TRUE(l.has_hash_index);
  EXPECT_EQ(l.num_restarts, 1u);
  DataBlockIter it(block);
  int count = 0;
  for (it.SeekToFirst(); it.Valid(); it.Next()) ++count;
  EXPECT_TRUE(it.status().ok());
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace pushdown::exec
