// BlockSource yields exactly the blocks SstFile::ReadDataBlock reads, in
// order, via io_uring and via pread, with and without O_DIRECT.
#include "pushdown/sst/block_source.h"

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "tests/pushdown/sst/test_util.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;
using pt::Compression;
using pt::SstSpec;
using pt::TempDir;

class BlockSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int n = 0;
    for (Compression z :
         {Compression::kNone, Compression::kSnappy, Compression::kZstd, Compression::kLz4}) {
      SstSpec spec;
      spec.compression = z;
      spec.block_size = 4096;
      const std::string path = dir_.File("f" + std::to_string(n++) + ".sst");
      ASSERT_TRUE(pt::WriteSstWithWriter(path, spec, testing::MakeOps(4000, 80)).ok());
      paths_.push_back(path);
    }
    // Blocks larger than a read buffer (values of 100 KiB).
    std::vector<pt::KeyValueOp> big;
    for (int i = 0; i < 8; ++i) {
      big.push_back(
          {"big" + std::to_string(i), std::string(100 << 10, static_cast<char>('a' + i))});
    }
    const std::string path = dir_.File("big.sst");
    ASSERT_TRUE(pt::WriteSstWithWriter(path, SstSpec{}, big).ok());
    paths_.push_back(path);
    for (const auto& p : paths_) {
      auto f = SstFile::Open(p);
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      files_.push_back(std::move(*f));
    }
  }

  std::vector<const SstFile*> Files() const {
    std::vector<const SstFile*> out;
    for (const auto& f : files_) out.push_back(f.get());
    return out;
  }

  // Reads every block through a source and compares with ReadDataBlock.
  void ExpectSameBlocks(const BlockSourceOptions& o) {
    auto src = BlockSource::Open(Files(), o);
    if (o.o_direct && src.status().IsNotSupported()) {
      GTEST_SKIP() << src.status().ToString();
    }
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    size_t fi = 0, bi = 0, total = 0;
    while (fi < files_.size() && files_[fi]->num_data_blocks() == 0) ++fi;
    SourceBlock b;
    bool done = false;
    while (true) {
      Status s = (*src)->Next(&b, &done);
      ASSERT_TRUE(s.ok()) << s.ToString();
      if (done) break;
      ASSERT_LT(fi, files_.size());
      ASSERT_EQ(b.file_index, fi);
      ASSERT_EQ(b.block_index, bi);
      auto expected = files_[fi]->ReadDataBlock(bi);
      ASSERT_TRUE(expected.ok());
      ASSERT_EQ(b.handle, expected->handle);
      ASSERT_EQ(b.raw.size(), b.handle.size + kBlockTrailerSize);
      ASSERT_TRUE(b.contents == expected->data) << "file " << fi << " block " << bi;
      ++total;
      if (++bi == files_[fi]->num_data_blocks()) {
        bi = 0;
        ++fi;
      }
    }
    size_t expected_total = 0;
    for (const auto& f : files_) expected_total += f->num_data_blocks();
    EXPECT_EQ(total, expected_total);
    EXPECT_EQ((*src)->stats().blocks, expected_total);
    EXPECT_GT((*src)->stats().reads, files_.size());
    // Done stays done.
    ASSERT_TRUE((*src)->Next(&b, &done).ok());
    EXPECT_TRUE(done);
  }

  TempDir dir_;
  std::vector<std::string> paths_;
  std::vector<std::unique_ptr<SstFile>> files_;
};

TEST_F(BlockSourceTest, IoUringMatchesReadDataBlock) {
  for (bool async : {true, false}) {
    for (unsigned qd : {1u, 2u, 4u, 8u}) {
      SCOPED_TRACE("queue_depth " + std::to_string(qd) + (async ? " async" : " inline"));
      BlockSourceOptions o;
      o.read_size = 64 << 10;
      o.queue_depth = qd;
      o.async_buffered_reads = async;
      ExpectSameBlocks(o);
    }
  }
}

TEST_F(BlockSourceTest, IoUringBackendIsIoUringWithRegistrations) {
  auto src = BlockSource::Open(Files(), {});
  ASSERT_TRUE(src.ok());
  // The kernel here has io_uring; where it does not, the reason says why.
  if (std::string((*src)->backend()) == "pread") {
    GTEST_SKIP() << "io_uring unavailable: " << (*src)->backend_reason();
  }
  EXPECT_STREQ((*src)->backend(), "io_uring");
  EXPECT_EQ((*src)->backend_reason(), "");
}

TEST_F(BlockSourceTest, PreadMatchesReadDataBlock) {
  BlockSourceOptions o;
  o.use_io_uring = false;
  o.read_size = 64 << 10;
  ExpectSameBlocks(o);
  auto src = BlockSource::Open(Files(), o);
  ASSERT_TRUE(src.ok());
  EXPECT_STREQ((*src)->backend(), "pread");
  EXPECT_NE((*src)->backend_reason(), "");
}

TEST_F(BlockSourceTest, DirectIoMatchesReadDataBlock) {
  for (bool uring : {true, false}) {
    SCOPED_TRACE(uring ? "io_uring" : "pread");
    BlockSourceOptions o;
    o.o_direct = true;
    o.use_io_uring = uring;
    o.read_size = 64 << 10;
    ExpectSameBlocks(o);
  }
}

TEST_F(BlockSourceTest, RawOnlyWithoutDecode) {
  BlockSourceOptions o;
  o.decode = false;
  auto src = BlockSource::Open(Files(), o);
  ASSERT_TRUE(src.ok());
  SourceBlock b;
  bool done = false;
  size_t n = 0;
  while (true) {
    ASSERT_TRUE((*src)->Next(&b, &done).ok());
    if (done) break;
    EXPECT_TRUE(b.contents.empty());
    std::string scratch;
    std::string_view contents;
    ASSERT_TRUE(files_[b.file_index]->DecodeBlock(b.handle, b.raw, true, &scratch, &contents).ok());
    ++n;
  }
  EXPECT_GT(n, 0u);
}

// The mmap backend (one file per source): blocks where they lie in the
// mapping, the same bytes as ReadDataBlock, the oversized blocks of big.sst
// (larger than read_size) included; raw views point into the mapping, so
// nothing was copied into a buffer.
TEST_F(BlockSourceTest, MmapMatchesReadDataBlockOneFilePerSource) {
  for (size_t fi = 0; fi < files_.size(); ++fi) {
    SCOPED_TRACE(paths_[fi]);
    BlockSourceOptions o;
    o.use_mmap = true;
    o.read_size = 64 << 10;
    auto src = BlockSource::Open({files_[fi].get()}, o);
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    EXPECT_STREQ((*src)->backend(), "mmap");
    EXPECT_EQ((*src)->backend_reason(), "");
    SourceBlock b;
    bool done = false;
    size_t n = 0;
    const char* previous_end = nullptr;
    while (true) {
      ASSERT_TRUE((*src)->Next(&b, &done).ok());
      if (done) break;
      ASSERT_EQ(b.block_index, n);
      auto expected = files_[fi]->ReadDataBlock(n);
      ASSERT_TRUE(expected.ok());
      ASSERT_TRUE(b.contents == expected->data) << "block " << n;
      // Consecutive blocks lie back to back, as in the file (not in buffers).
      if (previous_end != nullptr && b.handle.size < o.read_size) {
        EXPECT_EQ(b.raw.data(), previous_end) << "block " << n;
      }
      previous_end = b.raw.data() + b.raw.size();
      ++n;
    }
    EXPECT_EQ(n, files_[fi]->num_data_blocks());
    EXPECT_EQ((*src)->stats().blocks, n);
  }
}

// mmap is for buffered reads of one file: several files or O_DIRECT read
// with io_uring (cold reads), and a source over several files says why.
TEST_F(BlockSourceTest, MmapOnlyForOneFileWithoutDirectIo) {
  BlockSourceOptions o;
  o.use_mmap = true;
  auto several = BlockSource::Open(Files(), o);
  ASSERT_TRUE(several.ok());
  EXPECT_STRNE((*several)->backend(), "mmap");
  EXPECT_NE((*several)->backend_reason().find("mmap"), std::string::npos)
      << (*several)->backend_reason();
  o.o_direct = true;
  auto direct = BlockSource::Open({files_[0].get()}, o);
  if (direct.status().IsNotSupported()) GTEST_SKIP() << direct.status().ToString();
  ASSERT_TRUE(direct.ok());
  EXPECT_STRNE((*direct)->backend(), "mmap");
}

// decompress = false: every block verified, compressed ones left in raw for
// the caller, who decodes them in place (DecodedBlockSize + DecodeBlockInto)
// into the same bytes as ReadDataBlock. Every backend.
TEST_F(BlockSourceTest, VerifiedCompressedBlocksLeftForInPlaceDecoding) {
  for (const char* backend : {"pread", "io_uring", "mmap"}) {
    SCOPED_TRACE(backend);
    size_t compressed = 0;
    for (size_t fi = 0; fi < files_.size(); ++fi) {
      BlockSourceOptions o;
      o.decompress = false;
      o.use_io_uring = std::string_view(backend) == "io_uring";
      o.use_mmap = std::string_view(backend) == "mmap";
      auto src = BlockSource::Open({files_[fi].get()}, o);
      ASSERT_TRUE(src.ok());
      ASSERT_STREQ((*src)->backend(), backend);
      SourceBlock b;
      bool done = false;
      while (true) {
        ASSERT_TRUE((*src)->Next(&b, &done).ok());
        if (done) break;
        auto expected = files_[fi]->ReadDataBlock(b.block_index);
        ASSERT_TRUE(expected.ok());
        ASSERT_EQ(b.compressed, expected->compression != 0);
        if (!b.compressed) {
          ASSERT_TRUE(b.contents == expected->data);
          continue;
        }
        ++compressed;
        EXPECT_TRUE(b.contents.empty());
        auto size = files_[fi]->DecodedBlockSize(b.handle, b.raw);
        ASSERT_TRUE(size.ok()) << size.status().ToString();
        ASSERT_EQ(*size, expected->data.size());
        std::string out(*size, '\0');
        ASSERT_TRUE(files_[fi]->DecodeBlockInto(b.handle, b.raw, std::span<char>(out)).ok());
        ASSERT_EQ(out, expected->data);
      }
    }
    EXPECT_GT(compressed, 0u);
  }
}

TEST_F(BlockSourceTest, CorruptBlockOnDiskIsCorruption) {
  const BlockHandle h = files_[1]->data_block_handle(3);
  {
    std::fstream f(paths_[1], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(h.offset + 10));
    char c;
    f.read(&c, 1);
    c ^= 0x40;
    f.seekp(static_cast<std::streamoff>(h.offset + 10));
    f.write(&c, 1);
  }
  // Every backend, also with compressed blocks left to the caller: the
  // checksum is verified before anything reads the block (where it lies,
  // for mmap).
  for (int mode = 0; mode < 6; ++mode) {
    const bool uring = mode % 3 == 0, mmap = mode % 3 == 2;
    SCOPED_TRACE("mode " + std::to_string(mode));
    BlockSourceOptions o;
    o.use_io_uring = uring;
    o.use_mmap = mmap;
    o.decompress = mode < 3;
    auto src = mmap ? BlockSource::Open({files_[1].get()}, o) : BlockSource::Open(Files(), o);
    ASSERT_TRUE(src.ok());
    if (mmap) {
      ASSERT_STREQ((*src)->backend(), "mmap");
    }
    SourceBlock b;
    bool done = false;
    Status s;
    while (s.ok() && !done) s = (*src)->Next(&b, &done);
    ASSERT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find("f1.sst: bad block checksum at offset " + std::to_string(h.offset)),
              std::string::npos)
        << s.message();
  }
}

TEST_F(BlockSourceTest, EarlyDestructionWithReadsInFlight) {
  BlockSourceOptions o;
  o.read_size = 16 << 10;
  o.queue_depth = 8;
  auto src = BlockSource::Open(Files(), o);
  ASSERT_TRUE(src.ok());
  SourceBlock b;
  bool done = false;
  ASSERT_TRUE((*src)->Next(&b, &done).ok());
  src->reset();  // must drain in-flight reads before freeing buffers
}

size_t OpenFds() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

// A source adds no descriptor per file beyond the SstFile's own: buffered
// reads use the SstFile's descriptor, O_DIRECT ones are registered with the
// ring and closed. One ring per source: with the SstFile's, 2 per file for a
// source over one file (as the scan opens them), fewer for several files.
TEST_F(BlockSourceTest, AtMostOneDescriptorPerSourceBeyondTheSstFiles) {
  for (bool direct : {false, true}) {
    BlockSourceOptions o;
    o.o_direct = direct;
    const size_t before = OpenFds();
    auto src = BlockSource::Open(Files(), o);
    if (direct && src.status().IsNotSupported()) continue;  // tmpfs: no O_DIRECT
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    const size_t during = OpenFds();
    if (std::string((*src)->backend()) == "io_uring") {
      EXPECT_EQ(during, before + 1) << "direct " << direct << ": the ring only";
    } else {
      EXPECT_LE(during, before + (direct ? files_.size() : 0)) << "direct " << direct;
    }
    SourceBlock b;
    bool done = false;
    while (true) {
      ASSERT_TRUE((*src)->Next(&b, &done).ok());
      if (done) break;
    }
    src->reset();
    EXPECT_EQ(OpenFds(), before);
  }
}

// Makes io_uring_setup fail with ENOSYS in this process (seccomp filter).
bool DenyIoUringSetup() {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])),
                            filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0;
}

// Where io_uring_queue_init fails, reads fall back to pread with the reason.
TEST_F(BlockSourceTest, FallsBackToPreadWhereIoUringIsUnavailable) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        if (!DenyIoUringSetup()) _exit(3);
        auto src = BlockSource::Open(Files(), {});
        if (!src.ok()) _exit(4);
        if (std::string((*src)->backend()) != "pread") _exit(5);
        if ((*src)->backend_reason().find("io_uring_queue_init") == std::string::npos) _exit(6);
        SourceBlock b;
        bool done = false;
        size_t n = 0;
        while (true) {
          if (!(*src)->Next(&b, &done).ok()) _exit(7);
          if (done) break;
          ++n;
        }
        size_t expected = 0;
        for (const auto& f : files_) expected += f->num_data_blocks();
        _exit(n == expected ? 0 : 8);
      },
      ::testing::ExitedWithCode(0), "");
}

// With block ranges: exactly those blocks, and the reads cover only their
// region of each file (a key-range scan reads nothing past its blocks).
TEST_F(BlockSourceTest, BlockRangesReadOnlyTheirBlocksAndRegion) {
  std::vector<BlockRange> ranges;
  uint64_t region_bytes = 0;
  for (size_t k = 0; k < files_.size(); ++k) {
    const size_t n = files_[k]->num_data_blocks();
    ASSERT_GE(n, 6u);
    BlockRange r;
    switch (k % 4) {
      case 0:
        r = {3, n - 2};
        break;
      case 1:
        r = {2, 2};
        break;  // nothing
      case 2:
        r = {n - 2, n};
        break;
      default:
        r = {0, 1};
        break;
    }
    ranges.push_back(r);
    if (!r.empty()) {
      region_bytes += files_[k]->data_block_handle(r.end - 1).end_with_trailer() -
                      files_[k]->data_block_handle(r.begin).offset;
    }
  }
  for (bool uring : {true, false}) {
    SCOPED_TRACE(uring ? "io_uring" : "pread");
    BlockSourceOptions o;
    o.use_io_uring = uring;
    o.read_size = 16 << 10;
    auto src = BlockSource::Open(Files(), o, ranges);
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    std::vector<std::pair<size_t, size_t>> got, want;
    for (size_t k = 0; k < files_.size(); ++k) {
      for (size_t i = ranges[k].begin; i < ranges[k].end; ++i) want.emplace_back(k, i);
    }
    SourceBlock b;
    bool done = false;
    for (;;) {
      Status st = (*src)->Next(&b, &done);
      ASSERT_TRUE(st.ok()) << st.ToString();
      if (done) break;
      auto expected = files_[b.file_index]->ReadDataBlock(b.block_index);
      ASSERT_TRUE(expected.ok());
      ASSERT_TRUE(b.contents == expected->data);
      got.emplace_back(b.file_index, b.block_index);
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ((*src)->stats().bytes_read, region_bytes);
  }
  std::vector<BlockRange> bad(files_.size(), BlockRange{0, 1});
  bad[1] = {0, files_[1]->num_data_blocks() + 1};
  EXPECT_TRUE(BlockSource::Open(Files(), {}, bad).status().IsInvalidArgument());
  EXPECT_TRUE(BlockSource::Open(Files(), {}, {}).status().IsInvalidArgument());
}

TEST(BlockSourceOptionsTest, RejectsBadOptionsAndMemoryFiles) {
  auto mem = SstFile::OpenFromMemory("m.sst", std::string(100, 'x'));
  EXPECT_FALSE(mem.ok());
  BlockSourceOptions o;
  o.queue_depth = 0;
  EXPECT_TRUE(BlockSource::Open({}, o).status().IsInvalidArgument());
  o.queue_depth = 4;
  o.read_size = 100;
  EXPECT_TRUE(BlockSource::Open({}, o).status().IsInvalidArgument());
}

}  // namespace
}  // namespace pushdown::exec
