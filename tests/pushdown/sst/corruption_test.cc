// Malformed files: every single-byte flip inside a data block is caught by
// the checksum; flips anywhere in a file give an error or the exact original
// entries; truncations and garbage footers are Corruption. Never a crash,
// never a wrong entry.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pushdown/sst/sst_file.h"
#include "tests/pushdown/sst/test_util.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;
using pt::Checksum;
using pt::Compression;
using pt::DumpedEntry;
using pt::SstSpec;
using pt::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string MakeFile(const TempDir& dir, const SstSpec& spec, int n) {
  const std::string path = dir.File("f.sst");
  EXPECT_TRUE(pt::WriteSstWithWriter(path, spec, testing::MakeOps(n, 40)).ok());
  return ReadFile(path);
}

// Opens an image and decodes everything; the status of the first failure.
Result<std::vector<DumpedEntry>> DecodeImage(std::string image, bool verify = true) {
  SstOpenOptions o;
  o.verify_checksums = verify;
  PD_ASSIGN_OR_RETURN(auto sst, SstFile::OpenFromMemory("img.sst", std::move(image), o));
  std::vector<DumpedEntry> out;
  PD_RETURN_IF_ERROR(sst->ForEachEntry(
      [&](const ParsedInternalKey& k, std::string_view v) {
        out.push_back(DumpedEntry{std::string(k.user_key), k.sequence, k.type, std::string(v)});
        return true;
      },
      verify));
  return out;
}

TEST(CorruptionTest, EveryByteFlipInDataBlocksIsDetected) {
  for (Checksum c : {Checksum::kCrc32c, Checksum::kXxHash, Checksum::kXxHash64, Checksum::kXxh3}) {
    for (Compression z : {Compression::kNone, Compression::kSnappy, Compression::kZstd}) {
      SstSpec spec;
      spec.checksum = c;
      spec.compression = z;
      spec.block_size = 1024;
      SCOPED_TRACE(std::string(pt::ChecksumName(c)) + " " + pt::CompressionName(z));
      TempDir dir;
      const std::string image = MakeFile(dir, spec, 200);
      auto sst = SstFile::OpenFromMemory("f.sst", image);
      ASSERT_TRUE(sst.ok()) << sst.status().ToString();
      const size_t n = (*sst)->num_data_blocks();
      ASSERT_GE(n, 3u);
      for (size_t b : {size_t{0}, n / 2, n - 1}) {
        const BlockHandle h = (*sst)->data_block_handle(b);
        std::string raw = image.substr(h.offset, h.size + kBlockTrailerSize);
        std::string scratch;
        std::string_view contents;
        ASSERT_TRUE((*sst)->DecodeBlock(h, raw, true, &scratch, &contents).ok());
        int detected = 0;
        for (size_t i = 0; i < raw.size(); ++i) {
          for (uint8_t mask : {0x01, 0x80, 0xff}) {
            raw[i] ^= static_cast<char>(mask);
            Status s = (*sst)->DecodeBlock(h, raw, true, &scratch, &contents);
            raw[i] ^= static_cast<char>(mask);
            ASSERT_TRUE(s.IsCorruption())
                << "byte " << i << " mask " << int(mask) << ": " << s.ToString();
            ++detected;
          }
        }
        EXPECT_EQ(detected, static_cast<int>(raw.size()) * 3);
        // The message names the file and the block offset.
        raw[0] ^= 1;
        Status s = (*sst)->DecodeBlock(h, raw, true, &scratch, &contents);
        EXPECT_NE(
            s.message().find("f.sst: bad block checksum at offset " + std::to_string(h.offset)),
            std::string::npos)
            << s.message();
      }
    }
  }
}

// Flipping any byte of a whole (small) file: an error, or exactly the
// original entries (bytes no reader looks at, such as footer padding or the
// filter block, may change without effect).
TEST(CorruptionTest, AnyByteFlipGivesErrorOrOriginalEntries) {
  std::vector<SstSpec> specs;
  for (Compression z : {Compression::kNone, Compression::kLz4}) {
    for (Checksum c : {Checksum::kCrc32c, Checksum::kXxh3}) {
      SstSpec spec;
      spec.compression = z;
      spec.checksum = c;
      spec.block_size = 512;
      spec.whole_key_bloom_filter = true;
      specs.push_back(spec);
    }
  }
  SstSpec legacy;  // format_version 0: legacy footer, crc32c implied
  legacy.format_version = 0;
  legacy.checksum = Checksum::kCrc32c;
  legacy.block_size = 512;
  specs.push_back(legacy);
  SstSpec partitioned;  // two-level index, delta-encoded index values
  partitioned.index_type = pt::IndexType::kTwoLevel;
  partitioned.block_size = 256;
  partitioned.metadata_block_size = 128;
  partitioned.index_block_restart_interval = 4;
  specs.push_back(partitioned);
  SstSpec first_key = partitioned;  // index with first keys
  first_key.index_type = pt::IndexType::kBinarySearchWithFirstKey;
  first_key.compression = Compression::kSnappy;
  specs.push_back(first_key);
  for (const SstSpec& spec : specs) {
    SCOPED_TRACE(std::string(pt::ChecksumName(spec.checksum)) + " " +
                 pt::CompressionName(spec.compression) + " fv" +
                 std::to_string(spec.format_version) + " " + pt::IndexTypeName(spec.index_type));
    TempDir dir;
    const std::string image = MakeFile(dir, spec, 60);
    auto original = DecodeImage(image);
    ASSERT_TRUE(original.ok()) << original.status().ToString();
    auto sst = SstFile::OpenFromMemory("f.sst", image);
    ASSERT_TRUE(sst.ok());
    // The global seqno field is outside checksum protection by design (see
    // GlobalSeqnoFieldCheckedAgainstLargestSeqno).
    ASSERT_TRUE((*sst)->info().global_seqno_file_offset.has_value());
    const uint64_t seqno_field = *(*sst)->info().global_seqno_file_offset;
    int errors = 0;
    for (size_t i = 0; i < image.size(); ++i) {
      if (i >= seqno_field && i < seqno_field + 8) continue;
      for (uint8_t mask : {0x01, 0x10, 0xff}) {
        std::string img = image;
        img[i] ^= static_cast<char>(mask);
        auto got = DecodeImage(std::move(img));
        if (got.ok()) {
          ASSERT_TRUE(*got == *original)
              << "flip at byte " << i << " of " << image.size() << " mask " << int(mask) << ": "
              << got->size() << " entries vs " << original->size();
        } else {
          ++errors;
          ASSERT_TRUE(got.status().IsCorruption() || got.status().IsNotSupported())
              << got.status().ToString();
        }
      }
    }
    EXPECT_GT(errors, static_cast<int>(image.size()));
  }
}

TEST(CorruptionTest, GlobalSeqnoFieldCheckedAgainstLargestSeqno) {
  TempDir dir;
  const std::string image = MakeFile(dir, SstSpec{}, 20);
  auto sst = SstFile::OpenFromMemory("f.sst", image);
  ASSERT_TRUE(sst.ok());
  const uint64_t field = *(*sst)->info().global_seqno_file_offset;
  std::string img = image;
  img[field] ^= 0x07;  // global seqno 0 -> 7
  SstOpenOptions o;
  o.largest_seqno = 0;
  auto bad = SstFile::OpenFromMemory("f.sst", img, o);
  EXPECT_TRUE(bad.status().IsCorruption()) << bad.status().ToString();
  o.largest_seqno = 7;
  auto good = SstFile::OpenFromMemory("f.sst", img, o);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ((*good)->info().global_seqno.value_or(0), 7u);
}

// With checksums off, flips must still never crash (entries may differ).
TEST(CorruptionTest, FlipsWithoutChecksumsNeverCrash) {
  SstSpec spec;
  spec.compression = Compression::kSnappy;
  spec.block_size = 512;
  TempDir dir;
  const std::string image = MakeFile(dir, spec, 60);
  size_t ok = 0;
  for (size_t i = 0; i < image.size(); ++i) {
    std::string img = image;
    img[i] ^= 0x5a;
    ok += DecodeImage(std::move(img), /*verify=*/false).ok();
  }
  EXPECT_LT(ok, image.size());
}

TEST(CorruptionTest, TruncationIsCorruption) {
  for (uint32_t fv : {0u, 5u}) {
    SstSpec spec;
    spec.format_version = fv;
    spec.checksum = Checksum::kCrc32c;
    spec.block_size = 512;
    TempDir dir;
    const std::string image = MakeFile(dir, spec, 100);
    ASSERT_TRUE(DecodeImage(image).ok());
    for (size_t len = 0; len < image.size(); ++len) {
      auto got = DecodeImage(image.substr(0, len));
      ASSERT_TRUE(got.status().IsCorruption()) << "len " << len << ": " << got.status().ToString();
    }
    // On disk too (pread path).
    for (size_t len : {size_t{0}, size_t{7}, image.size() / 2, image.size() - 1}) {
      const std::string path = dir.File("t.sst");
      std::ofstream(path, std::ios::binary | std::ios::trunc).write(image.data(), len);
      auto sst = SstFile::Open(path);
      EXPECT_TRUE(sst.status().IsCorruption()) << sst.status().ToString();
      EXPECT_NE(sst.status().message().find("t.sst"), std::string::npos);
    }
  }
}

TEST(CorruptionTest, GarbageFooterIsCorruption) {
  TempDir dir;
  const std::string image = MakeFile(dir, SstSpec{}, 50);
  {
    std::string img = image;
    for (size_t i = img.size() - 8; i < img.size(); ++i) img[i] = 'x';
    auto got = DecodeImage(img);
    EXPECT_TRUE(got.status().IsCorruption());
    EXPECT_NE(got.status().message().find("bad table magic number"), std::string::npos);
  }
  {
    std::string img = image;
    for (size_t i = img.size() - kFooterSize; i < img.size() - 12; ++i) img[i] = '\xff';
    EXPECT_TRUE(DecodeImage(img).status().IsCorruption());
  }
  {
    std::string img(4096, '\0');
    EXPECT_TRUE(DecodeImage(img).status().IsCorruption());
  }
  EXPECT_TRUE(DecodeImage("").status().IsCorruption());
  EXPECT_TRUE(SstFile::Open(dir.File("missing.sst")).status().IsIOError());
}

TEST(CorruptionTest, DataBlockIterRejectsMalformedBlocks) {
  // Hand-made blocks: empty, bad restarts, shared > previous key, short key.
  auto status_of = [](std::string block) {
    DataBlockIter it(block, BlockContext{"x.sst", 100});
    size_t n = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) ++n;
    return it.status();
  };
  EXPECT_TRUE(status_of("").IsCorruption());
  EXPECT_TRUE(status_of(std::string("\0\0\0\0", 4)).IsCorruption());  // 0 restarts
  // Empty block: restart array {0}, num_restarts 1.
  EXPECT_TRUE(status_of(std::string("\0\0\0\0\1\0\0\0", 8)).ok());
  // One entry with shared=1 at a restart point.
  std::string b(
      "\x01\x09\x00"
      "abcdefghi"
      "\0\0\0\0\1\0\0\0",
      20);
  EXPECT_TRUE(status_of(b).IsCorruption());
  // Key shorter than 8 bytes.
  std::string c(
      "\x00\x03\x00"
      "abc"
      "\0\0\0\0\1\0\0\0",
      14);
  Status s = status_of(c);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("x.sst"), std::string::npos);
  EXPECT_NE(s.message().find("offset 100"), std::string::npos);
}

}  // namespace
}  // namespace pushdown::exec
