// DeviceFileStream (through ScanExecutor) on real RocksDB files with the
// hand-written test program (tests/pushdown/device/test_filter.h) on the host
// device, against a RocksDB iterator + the same predicate:
//  - ingested files with a global seqno whose seq-0 Values cross as user keys
//    only (kUserKeyOnly) and must still get the file's global seqno;
//  - a tiny layout that forces every staging path at once: batches cut by
//    max_blocks / block_capacity (pending_), runs that stop with output full
//    (re-run through BlockStager), blocks larger than max_block_size (filtered
//    on the host), level streams, and a limit (blocks_skipped accounting);
//  - a layout whose staging area can never hold a block: host-filtered, no hang.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "pushdown/device/host_device.h"
#include "pushdown/scan/scan_executor.h"
#include "pushdown/sst/sst_file.h"
#include "tests/pushdown/device/test_filter.h"
#include "tests/pushdown/scan/scan_files.h"
#include "tests/support/sst_builder.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;
namespace abi = bpfgen::abi;
using KV = std::pair<std::string, std::string>;

// The device predicate: the value's first byte is even.
bool Match(std::string_view v) { return !v.empty() && (static_cast<uint8_t>(v[0]) & 1) == 0; }

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

std::string Value(std::mt19937_64& rng, size_t size) {
  std::string v(size, 'x');
  for (char& c : v) c = static_cast<char>('a' + rng() % 26);
  v[0] = static_cast<char>('0' + rng() % 10);
  return v;
}

struct Db : RawScanDb {
  explicit Db(pt::DbSpec spec = {}) : RawScanDb("pd_device_stream", std::move(spec)) {}

  std::vector<KV> Expected(const rocksdb::Snapshot* snapshot) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(ro));
    std::vector<KV> out;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (Match(it->value().ToStringView())) {
        out.emplace_back(it->key().ToString(), it->value().ToString());
      }
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }

  // Data blocks of the files visible at `snapshot`.
  size_t VisibleDataBlocks(uint64_t snapshot) {
    size_t n = 0;
    auto live = db->LiveFiles();
    EXPECT_TRUE(live.ok());
    for (const auto& f : *live) {
      if (f.smallest_seqno > snapshot) continue;
      SstOpenOptions options;
      options.largest_seqno = f.largest_seqno;
      auto sst = SstFile::Open(f.path, options);
      EXPECT_TRUE(sst.ok()) << sst.status().ToString();
      if (sst.ok()) n += (*sst)->num_data_blocks();
    }
    return n;
  }
};

ScanFilters HostFilters() {
  ScanFilters f;
  f.device = [](std::string_view, std::string_view v) -> Result<bool> { return Match(v); };
  return f;
}

struct Scanned {
  Status status;
  std::vector<KV> rows;
  ScanStats stats;
};

Scanned Scan(const ScanPlan& plan) {
  Scanned out;
  auto scan = ScanExecutor::Open(plan, HostFilters());
  if (!scan.ok()) {
    out.status = scan.status();
    return out;
  }
  Row row;
  for (;;) {
    out.status = (*scan)->Next(&row);
    if (!out.status.ok() || !(*scan)->Valid()) break;
    out.rows.emplace_back(row.key, row.value);
  }
  out.stats = (*scan)->stats();
  return out;
}

std::unique_ptr<LoadedProgram> LoadTestProgram(HostDevice& device,
                                               const abi::ProgramLayout& layout) {
  ProgramImage image;
  image.native = std::make_shared<testing::TestNativeProgram>(layout, Match);
  auto loaded = device.Load(image);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return loaded.ok() ? std::move(loaded).value() : nullptr;
}

::testing::AssertionResult SameRows(const std::vector<KV>& expected, const std::vector<KV>& got) {
  if (expected.size() != got.size()) {
    return ::testing::AssertionFailure() << got.size() << " rows, expected " << expected.size();
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] != got[i]) {
      return ::testing::AssertionFailure()
             << "row " << i << ": " << got[i].first << ", expected " << expected[i].first;
    }
  }
  return ::testing::AssertionSuccess();
}

// Bottom level: seq-0 Values (user keys only). Two ingested files overlapping
// it and each other get global seqnos G1 < G2; their entries are stored with
// sequence 0 -- Values cross as user keys only, deletions as internal keys
// with seq 0 -- and must all be read as G1 / G2, or an ingested overwrite
// would lose to the bottom version (or a tombstone stop hiding it).
void IngestedFilesCase(bool write_global_seqno) {
  SCOPED_TRACE(write_global_seqno ? "global seqno written" : "global seqno in the manifest");
  Db d;
  ASSERT_NE(d.db, nullptr);
  std::mt19937_64 rng(write_global_seqno ? 7 : 8);
  const int kKeys = 600;
  for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(d.db->Put(Key(i), Value(rng, 20)).ok());
  ASSERT_TRUE(d.db->Flush().ok());
  ASSERT_TRUE(d.db->CompactAll().ok());

  auto ingest = [&](const std::string& name, int every_put, int every_delete) {
    std::vector<pt::KeyValueOp> ops;
    for (int i = 0; i < kKeys; ++i) {
      if (i % every_delete == 0) {
        ops.push_back({Key(i), "", pt::EntryKind::kDelete});
      } else if (i % every_put == 0) {
        ops.push_back({Key(i), Value(rng, 20), pt::EntryKind::kPut});
      }
    }
    const std::string path = d.dir.path() + "/" + name;
    ASSERT_TRUE(pt::WriteSstWithWriter(path, pt::SstSpec{}, ops).ok());
    ASSERT_TRUE(d.db->Ingest(path, write_global_seqno).ok());
  };
  ingest("a.sst", 3, 7);
  const rocksdb::Snapshot* between = d.db->db()->GetSnapshot();
  ingest("b.sst", 2, 11);

  auto live = d.db->LiveFiles();
  ASSERT_TRUE(live.ok());
  int ingested = 0;
  for (const auto& f : *live) {
    if (f.smallest_seqno > 0 && f.smallest_seqno == f.largest_seqno) ++ingested;
  }
  ASSERT_EQ(ingested, 2) << "both ingested files carry one global seqno";

  HostDevice device;
  auto program = LoadTestProgram(device, testing::SmallLayout(4, 1 << 16, 1 << 14, 1024, 1 << 16));
  ASSERT_NE(program, nullptr);
  for (const rocksdb::Snapshot* snap : {static_cast<const rocksdb::Snapshot*>(nullptr), between}) {
    SCOPED_TRACE(snap ? "at the snapshot between the ingestions" : "at the latest sequence");
    const uint64_t seq = snap ? snap->GetSequenceNumber() : d.db->db()->GetLatestSequenceNumber();
    const std::vector<KV> expected = d.Expected(snap);
    ASSERT_FALSE(expected.empty());
    ScanStats host_stats;
    for (bool on_device : {false, true}) {
      ScanPlan plan = d.Plan(seq);
      if (on_device) {
        plan.device = &device;
        plan.program = program.get();
      }
      Scanned got = Scan(plan);
      ASSERT_TRUE(got.status.ok()) << got.status.ToString();
      EXPECT_TRUE(SameRows(expected, got.rows)) << (on_device ? "device" : "host");
      if (!on_device) {
        host_stats = got.stats;
        continue;
      }
      // Both paths count what the device sends (user keys only for the
      // ingested files' seq-0 Values too) and walk the same entries.
      EXPECT_EQ(got.stats.bytes_to_host, host_stats.bytes_to_host);
      EXPECT_EQ(got.stats.entries_scanned, host_stats.entries_scanned);
    }
  }
  d.db->db()->ReleaseSnapshot(between);
}

TEST(DeviceStreamTest, IngestedFilesWithGlobalSeqnoWritten) { IngestedFilesCase(true); }
TEST(DeviceStreamTest, IngestedFilesWithGlobalSeqnoInManifest) { IngestedFilesCase(false); }

// A bottom level of several files (read as one LevelStream) holding blocks
// larger than the program accepts, under an L0 file of overwrites and
// deletes (shadows emitted). The layout: 4 blocks or 16 KiB per run, 150
// records per run (~80 entries a block), blocks up to 5000 bytes.
// Parameter: the files' compression (lz4 blocks are decompressed straight
// into local memory, DeviceFileStream::RunBatch).
class SmallLayoutTest : public ::testing::TestWithParam<pt::Compression> {
 protected:
  void SetUp() override {
    if (!pt::CompressionSupported(GetParam())) GTEST_SKIP() << "compression not built in";
    pt::DbSpec spec;
    spec.sst.compression = GetParam();
    spec.customize = [](rocksdb::Options* o) {
      o->target_file_size_base = 64 << 10;
      o->level0_file_num_compaction_trigger = 100;
    };
    d_ = std::make_unique<Db>(spec);
    ASSERT_NE(d_->db, nullptr);
    std::mt19937_64 rng(42);
    const int kKeys = 4000;
    for (int i = 0; i < kKeys; ++i) {
      ASSERT_TRUE(d_->db->Put(Key(i), Value(rng, i % 97 == 0 ? 6000 : 30)).ok());
    }
    ASSERT_TRUE(d_->db->Flush().ok());
    ASSERT_TRUE(d_->db->CompactAll().ok());
    for (int n = 0; n < 600; ++n) ASSERT_TRUE(d_->db->Put(Key(rng() % kKeys), Value(rng, 30)).ok());
    for (int n = 0; n < 150; ++n) ASSERT_TRUE(d_->db->Delete(Key(rng() % kKeys)).ok());
    ASSERT_TRUE(d_->db->Flush().ok());
    auto live = d_->db->LiveFiles();
    ASSERT_TRUE(live.ok());
    int bottom = 0;
    for (const auto& f : *live) bottom += f.level > 0;
    ASSERT_GE(bottom, 2) << "the bottom level should be several files (a level stream)";
    program_ = LoadTestProgram(device_, testing::SmallLayout(4, 16 << 10, 5000, 150, 4096));
    ASSERT_NE(program_, nullptr);
    // Blocks stored compressed that the program accepts (<= 5000 bytes
    // uncompressed): the ones a block source hands over compressed, for the
    // stream to decompress into local memory.
    for (const auto& f : *live) {
      SstOpenOptions options;
      options.largest_seqno = f.largest_seqno;
      auto sst = SstFile::Open(f.path, options);
      ASSERT_TRUE(sst.ok()) << sst.status().ToString();
      for (size_t i = 0; i < (*sst)->num_data_blocks(); ++i) {
        auto b = (*sst)->ReadDataBlock(i);
        ASSERT_TRUE(b.ok()) << b.status().ToString();
        compressed_ += b->compression != 0 && b->data.size() <= 5000;
        fitting_ += b->data.size() <= 5000;
      }
    }
    if (GetParam() != pt::Compression::kNone) {
      ASSERT_GT(compressed_, 0u) << "the test needs compressed blocks";
    }
  }

  ScanPlan DevicePlan(uint32_t batch_blocks) {
    ScanPlan plan = d_->Plan(d_->db->db()->GetLatestSequenceNumber());
    plan.device = &device_;
    plan.program = program_.get();
    plan.batch_blocks = batch_blocks;
    return plan;
  }

  std::unique_ptr<Db> d_;
  HostDevice device_;
  std::unique_ptr<LoadedProgram> program_;
  uint64_t compressed_ = 0;
  uint64_t fitting_ = 0;  // blocks of at most 5000 bytes (the program's max_block_size)
};

TEST_P(SmallLayoutTest, EveryStagingPathMatchesTheIterator) {
  const std::vector<KV> expected = d_->Expected(nullptr);
  const size_t blocks = d_->VisibleDataBlocks(d_->db->db()->GetLatestSequenceNumber());
  const Scanned host = Scan(d_->Plan(d_->db->db()->GetLatestSequenceNumber()));
  ASSERT_TRUE(host.status.ok()) << host.status.ToString();
  EXPECT_TRUE(SameRows(expected, host.rows)) << "host path";
  for (uint32_t batch_blocks : {1u, 3u, 6u, 64u}) {
    SCOPED_TRACE("batch_blocks " + std::to_string(batch_blocks));
    for (const char* reads : {"pread", "io_uring", "mmap", "in place"}) {
      SCOPED_TRACE(reads);
      ScanPlan plan = DevicePlan(batch_blocks);
      if (std::string_view(reads) != "pread") plan.block_source = BlockSourceOptions{};
      if (std::string_view(reads) == "mmap") plan.block_source->use_mmap = true;
      const bool in_place = std::string_view(reads) == "in place";
      if (in_place) plan.block_source->read_into_device_memory = true;
      Scanned got = Scan(plan);
      ASSERT_TRUE(got.status.ok()) << got.status.ToString();
      EXPECT_TRUE(SameRows(expected, got.rows));
      EXPECT_EQ(got.stats.blocks_read, blocks);
      EXPECT_EQ(got.stats.blocks_skipped, 0u);
      // Re-run blocks are counted once; host-filtered ones as the device would send them.
      EXPECT_EQ(got.stats.entries_scanned, host.stats.entries_scanned);
      EXPECT_EQ(got.stats.bytes_to_host, host.stats.bytes_to_host);
      EXPECT_EQ(got.stats.io_fallback_reason, "");
      // Through a block source every compressed block that fits the program
      // is decompressed in local memory; none otherwise (pread per block
      // hands over decompressed blocks).
      // Uncompressed files read in place: every block the program accepts
      // was read straight into local memory; none otherwise.
      const bool read_in_place = in_place && GetParam() == pt::Compression::kNone;
      EXPECT_EQ(got.stats.blocks_read_in_place, read_in_place ? fitting_ : 0u);
      EXPECT_EQ(got.stats.blocks_decompressed_in_place,
                plan.block_source && !read_in_place ? compressed_ : 0u);
    }
  }
}

TEST_P(SmallLayoutTest, LimitCountsEveryBlockReadOrSkipped) {
  const std::vector<KV> expected = d_->Expected(nullptr);
  const size_t blocks = d_->VisibleDataBlocks(d_->db->db()->GetLatestSequenceNumber());
  for (uint64_t limit : {uint64_t{1}, uint64_t{100}, uint64_t{expected.size() - 1}}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    ScanPlan plan = DevicePlan(6);
    plan.limit = limit;
    Scanned got = Scan(plan);
    ASSERT_TRUE(got.status.ok()) << got.status.ToString();
    std::vector<KV> prefix(expected.begin(), expected.begin() + limit);
    EXPECT_TRUE(SameRows(prefix, got.rows));
    EXPECT_EQ(got.stats.blocks_read + got.stats.blocks_skipped, blocks);
    if (limit == 1) {
      EXPECT_GT(got.stats.blocks_skipped, 0u);
    }
  }
}

// A block exactly at the program's max_block_size runs on the device, in
// place; one byte over goes to the host. Both equal the iterator. The
// layout's limit is set to the file's largest block.
TEST_P(SmallLayoutTest, BlockAtTheLocalMemoryLimitRunsInPlaceOneByteMoreOnTheHost) {
  const std::vector<KV> expected = d_->Expected(nullptr);
  uint32_t largest = 0;
  uint64_t at_largest = 0;
  auto live = d_->db->LiveFiles();
  ASSERT_TRUE(live.ok());
  for (const auto& f : *live) {
    SstOpenOptions options;
    options.largest_seqno = f.largest_seqno;
    auto sst = SstFile::Open(f.path, options);
    ASSERT_TRUE(sst.ok());
    for (size_t i = 0; i < (*sst)->num_data_blocks(); ++i) {
      auto b = (*sst)->ReadDataBlock(i);
      ASSERT_TRUE(b.ok());
      const uint32_t size = static_cast<uint32_t>(b->data.size());
      if (size > largest) at_largest = 0;
      largest = std::max(largest, size);
      at_largest += size == largest;
    }
  }
  for (uint32_t limit : {largest, largest - 1}) {
    SCOPED_TRACE("max_block_size " + std::to_string(limit) + ", largest block " +
                 std::to_string(largest));
    HostDevice device;
    auto program =
        LoadTestProgram(device, testing::SmallLayout(4, 4 * largest + 64, limit, 4000, 64 << 10));
    ASSERT_NE(program, nullptr);
    for (bool in_place : {false, true}) {
      ScanPlan plan = d_->Plan(d_->db->db()->GetLatestSequenceNumber());
      plan.device = &device;
      plan.program = program.get();
      plan.batch_blocks = 4;
      plan.block_source = BlockSourceOptions{};
      plan.block_source->read_into_device_memory = in_place;
      Scanned got = Scan(plan);
      ASSERT_TRUE(got.status.ok()) << got.status.ToString();
      EXPECT_TRUE(SameRows(expected, got.rows)) << "in place " << in_place;
      const uint64_t on_device =
          got.stats.blocks_read_in_place + got.stats.blocks_decompressed_in_place;
      if (in_place && GetParam() == pt::Compression::kNone) {
        // Every block fits at the limit; the largest ones go to the host one byte below it.
        const size_t all = d_->VisibleDataBlocks(d_->db->db()->GetLatestSequenceNumber());
        EXPECT_EQ(got.stats.blocks_read_in_place, limit == largest ? all : all - at_largest);
      } else if (!in_place && GetParam() == pt::Compression::kNone) {
        EXPECT_EQ(on_device, 0u);
      }
    }
  }
}

// A block damaged on disk is Corruption naming the file and the block's
// offset on every read path, the zero-copy ones included (read straight into
// local memory, walked in a mapping, decompressed in place): the checksum is
// verified before the block is walked or decompressed.
TEST_P(SmallLayoutTest, CorruptBlockIsCorruptionOnEveryZeroCopyPath) {
  auto live = d_->db->LiveFiles();
  ASSERT_TRUE(live.ok());
  const auto bottom = std::find_if(live->begin(), live->end(),
                                   [](const pt::LiveSstFile& f) { return f.level > 0; });
  ASSERT_NE(bottom, live->end());
  auto sst = SstFile::Open(bottom->path);
  ASSERT_TRUE(sst.ok());
  ASSERT_GT((*sst)->num_data_blocks(), 3u);
  const BlockHandle h = (*sst)->data_block_handle(2);
  sst->reset();
  {
    std::fstream f(bottom->path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(h.offset + 3));
    char c;
    f.read(&c, 1);
    c ^= 0x10;
    f.seekp(static_cast<std::streamoff>(h.offset + 3));
    f.write(&c, 1);
  }
  for (const char* reads : {"pread", "io_uring", "mmap", "in place"}) {
    SCOPED_TRACE(reads);
    ScanPlan plan = DevicePlan(3);
    if (std::string_view(reads) != "pread") plan.block_source = BlockSourceOptions{};
    if (std::string_view(reads) == "mmap") plan.block_source->use_mmap = true;
    if (std::string_view(reads) == "in place") plan.block_source->read_into_device_memory = true;
    Scanned got = Scan(plan);
    ASSERT_TRUE(got.status.IsCorruption()) << got.status.ToString();
    EXPECT_NE(got.status.message().find(bottom->name + ": bad block checksum at offset " +
                                        std::to_string(h.offset)),
              std::string::npos)
        << got.status.message();
  }
}

INSTANTIATE_TEST_SUITE_P(Compressions, SmallLayoutTest,
                         ::testing::Values(pt::Compression::kNone, pt::Compression::kLz4,
                                           pt::Compression::kZstd),
                         [](const ::testing::TestParamInfo<pt::Compression>& info) {
                           return std::string(pt::CompressionName(info.param));
                         });

// The test program followed by damage to its output (a buggy program).
using Damage = std::function<void(abi::RunContext*, uint8_t* mem, const abi::ProgramLayout&)>;
Damage& CurrentDamage() {
  static Damage damage;
  return damage;
}
int DamagingFilter(abi::RunContext* ctx, uint8_t* mem) {
  const int rc = testing::TestFilter(ctx, mem);
  if (CurrentDamage()) CurrentDamage()(ctx, mem, testing::State().layout);
  return rc;
}
class DamagingProgram : public bpfgen::NativeProgram {
 public:
  explicit DamagingProgram(const abi::ProgramLayout& layout) {
    testing::State().layout = layout;
    testing::State().match = Match;
  }
  abi::NativeFilterFn fn() const override { return &DamagingFilter; }
  const abi::ProgramLayout& layout() const override { return testing::State().layout; }
  double compile_ms() const override { return 0; }
};
struct DamageScope {
  explicit DamageScope(Damage d) { CurrentDamage() = std::move(d); }
  ~DamageScope() { CurrentDamage() = nullptr; }
};

// One L0 file of many small blocks, scanned with `damage` applied to every run.
Scanned ScanDamaged(Db& d, const abi::ProgramLayout& layout, Damage damage) {
  HostDevice device;
  ProgramImage image;
  image.native = std::make_shared<DamagingProgram>(layout);
  auto program = device.Load(image);
  EXPECT_TRUE(program.ok()) << program.status().ToString();
  if (!program.ok()) return {program.status(), {}, {}};
  DamageScope scope(std::move(damage));
  ScanPlan plan = d.Plan(d.db->db()->GetLatestSequenceNumber());
  plan.device = &device;
  plan.program = program->get();
  plan.batch_blocks = 4;
  return Scan(plan);
}

void FillSmallBlocks(Db& d) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(d.db->Put(Key(i), Value(rng, 30)).ok());
  ASSERT_TRUE(d.db->Flush().ok());
}

// A program whose second block's span starts one record late: that record
// belongs to no block. Before ValidateOutput required the spans to tile the
// records, the row was silently missing from the scan.
TEST(DeviceStreamTest, RecordOutsideEveryBlockSpanIsAnErrorNotAMissingRow) {
  Db d;
  ASSERT_NE(d.db, nullptr);
  FillSmallBlocks(d);
  Scanned got = ScanDamaged(
      d, testing::SmallLayout(4, 1 << 16, 1 << 14, 1024, 1 << 16),
      [](abi::RunContext* ctx, uint8_t* mem, const abi::ProgramLayout& l) {
        auto* descs = reinterpret_cast<abi::BlockDesc*>(mem + l.desc_offset);
        for (uint32_t i = 1; i < ctx->num_blocks; ++i) {
          if (descs[i].status == abi::kBlockOk && descs[i].out_begin < descs[i].out_end) {
            ++descs[i].out_begin;
            return;
          }
        }
      });
  ASSERT_FALSE(got.status.ok()) << "scan returned " << got.rows.size() << " rows of "
                                << d.Expected(nullptr).size();
  EXPECT_EQ(got.status.code(), Status::Code::kInternal) << got.status.ToString();
}

// Blocks a run leaves unfinished (output full) are run again. Their contents
// must come from the file, not from local memory, which the program could
// have written: here it zeroes every unfinished block after each run.
TEST(DeviceStreamTest, RerunBlocksAreReadAgainNotTakenFromLocalMemory) {
  Db d;
  ASSERT_NE(d.db, nullptr);
  FillSmallBlocks(d);
  uint64_t unfinished = 0;
  Scanned got = ScanDamaged(
      d, testing::SmallLayout(4, 1 << 16, 1 << 14, 150, 1 << 16),
      [&unfinished](abi::RunContext* ctx, uint8_t* mem, const abi::ProgramLayout& l) {
        auto* descs = reinterpret_cast<abi::BlockDesc*>(mem + l.desc_offset);
        for (uint32_t i = 0; i < ctx->num_blocks; ++i) {
          if (descs[i].status == abi::kBlockNotRun || descs[i].status == abi::kBlockOutputFull) {
            std::memset(mem + descs[i].offset, 0, descs[i].size);
            ++unfinished;
          }
        }
      });
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_GT(unfinished, 0u) << "the layout should fill the output";
  EXPECT_TRUE(SameRows(d.Expected(nullptr), got.rows));
}

// ValidateOutput's errors do not know the file: the stream adds it.
TEST(DeviceStreamTest, InvalidProgramOutputNamesTheFile) {
  Db d;
  ASSERT_NE(d.db, nullptr);
  FillSmallBlocks(d);
  Scanned got = ScanDamaged(d, testing::SmallLayout(4, 1 << 16, 1 << 14, 1024, 1 << 16),
                            [](abi::RunContext* ctx, uint8_t* mem, const abi::ProgramLayout& l) {
                              auto* out = reinterpret_cast<abi::OutRecord*>(mem + l.out_offset);
                              if (ctx->out_count > 0) out[0].flags = 0x80;
                            });
  ASSERT_EQ(got.status.code(), Status::Code::kInternal) << got.status.ToString();
  EXPECT_NE(got.status.message().find(".sst: device run from data block at offset 0: "),
            std::string::npos)
      << got.status.message();
}

// A block with more entries than the program has OutRecords can never run.
TEST(DeviceStreamTest, BlockThatNeverFitsTheOutputNamesTheFile) {
  Db d;
  ASSERT_NE(d.db, nullptr);
  FillSmallBlocks(d);
  Scanned got = ScanDamaged(d, testing::SmallLayout(4, 1 << 16, 1 << 14, 8, 1 << 16), nullptr);
  ASSERT_EQ(got.status.code(), Status::Code::kResourceExhausted) << got.status.ToString();
  EXPECT_NE(got.status.message().find(".sst: device run from data block at offset 0: "),
            std::string::npos)
      << got.status.message();
  EXPECT_TRUE(got.rows.empty());
}

// Two files of one level >= 1 whose key ranges share a boundary user key
// (the newer file overwrites it) are not concatenated: as one LevelStream the
// older version would come first. Here two flushed files are labelled level
// 1 by the plan; the scan falls back to one stream per file and stays exact.
TEST(DeviceStreamTest, LevelFilesSharingABoundaryKeyAreMergedNotConcatenated) {
  Db d;
  ASSERT_NE(d.db, nullptr);
  std::mt19937_64 rng(9);
  for (int i = 0; i <= 100; ++i) ASSERT_TRUE(d.db->Put(Key(i), Value(rng, 12)).ok());
  ASSERT_TRUE(d.db->Flush().ok());
  for (int i = 100; i <= 200; ++i) ASSERT_TRUE(d.db->Put(Key(i), Value(rng, 12)).ok());
  ASSERT_TRUE(d.db->Flush().ok());
  HostDevice device;
  auto program = LoadTestProgram(device, testing::SmallLayout(4, 1 << 16, 1 << 14, 1024, 1 << 16));
  ASSERT_NE(program, nullptr);
  const std::vector<KV> expected = d.Expected(nullptr);
  for (bool on_device : {false, true}) {
    ScanPlan plan = d.Plan(d.db->db()->GetLatestSequenceNumber());
    ASSERT_EQ(plan.files.size(), 2u);
    for (ScanFile& f : plan.files) {
      f.level = 1;
      f.bottommost = false;
    }
    if (on_device) {
      plan.device = &device;
      plan.program = program.get();
    }
    Scanned got = Scan(plan);
    ASSERT_TRUE(got.status.ok()) << got.status.ToString();
    EXPECT_TRUE(SameRows(expected, got.rows)) << (on_device ? "device" : "host");
  }
}

// max_blocks 0: StagedBatch::Append never has room, so the first block of
// every batch became `pending_` again and the scan spun forever. Such a block
// is now filtered on the host, like one larger than max_block_size.
TEST(DeviceStreamTest, LayoutThatCanNeverStageABlockDoesNotHang) {
  Db d;
  ASSERT_NE(d.db, nullptr);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(d.db->Put(Key(i), Value(rng, 10)).ok());
  ASSERT_TRUE(d.db->Flush().ok());
  HostDevice device;
  auto program = LoadTestProgram(device, testing::SmallLayout(0, 1 << 16, 1 << 14, 1024, 1 << 16));
  ASSERT_NE(program, nullptr);
  ScanPlan plan = d.Plan(d.db->db()->GetLatestSequenceNumber());
  plan.device = &device;
  plan.program = program.get();
  Scanned got = Scan(plan);
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_TRUE(SameRows(d.Expected(nullptr), got.rows));
  EXPECT_EQ(program->runs(), 0u);
}

}  // namespace
}  // namespace pushdown::exec
