// ScanExecutor on real RocksDB files: what it refuses, what it skips, what it
// counts, and how device block errors surface.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bpfgen/codegen/program_abi.h"
#include "pushdown/device/device.h"
#include "pushdown/scan/scan_executor.h"
#include "tests/pushdown/scan/scan_files.h"
#include "tests/support/sst_builder.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;
namespace abi = bpfgen::abi;

struct Db : RawScanDb {
  explicit Db(pt::DbSpec spec = {}) : RawScanDb("pd_scan_exec", std::move(spec)) {}
};

// Runs a scan to the end; returns its status.
Status Drain(ScanExecutor* scan, std::vector<std::string>* keys = nullptr) {
  Row row;
  for (;;) {
    PD_RETURN_IF_ERROR(scan->Next(&row));
    if (!scan->Valid()) return Status::OK();
    if (keys) keys->push_back(row.key);
  }
}

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

// A file's range deletions are read from its range-deletion block and hide
// the older entries they cover (in that file and in older ones), not newer ones.
TEST(ScanExecutorTest, RangeDeletionsAreApplied) {
  Db d;
  ASSERT_TRUE(d.db->Put("a", "1").ok());
  ASSERT_TRUE(d.db->Put("b", "1").ok());
  ASSERT_TRUE(d.db->Put("c", "1").ok());
  ASSERT_TRUE(d.db->Flush().ok());  // older file: a, b, c
  ASSERT_TRUE(d.db->DeleteRange("a", "c").ok());
  ASSERT_TRUE(d.db->Put("b", "2").ok());  // newer than the tombstone: stays
  ASSERT_TRUE(d.db->Flush().ok());        // newer file: [a, c) and b
  auto scan = ScanExecutor::Open(d.Plan());
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  std::vector<std::string> keys;
  ASSERT_TRUE(Drain(scan->get(), &keys).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ((*scan)->stats().range_tombstones, 1u);
  EXPECT_EQ((*scan)->stats().range_tombstone_fragments, 1u);
  EXPECT_EQ((*scan)->stats().keys_hidden_by_range_deletion, 1u);  // a
}

// Tombstones that compaction outputs cut through (each output stores the
// tombstone and ends at the cut; the executor clips every copy to its file's
// key range, as RocksDB truncates them on read) hide exactly what the
// iterator hides: the older versions in the bottom level, not the newer puts.
// Then the leftmost output is compacted to the bottom (RocksDB takes the
// outputs that share boundary keys along), still exact.
TEST(ScanExecutorTest, TombstonesCutByCompactionOutputsAreExact) {
  pt::DbSpec spec;
  spec.sst.block_size = 256;
  Db d(spec);
  rocksdb::DB* db = d.db->db();
  const std::string v(100, 'v');
  auto level_files = [&](int level) {
    std::vector<pt::LiveSstFile> out;
    auto files = d.db->LiveFiles();
    EXPECT_TRUE(files.ok());
    for (const auto& f : *files) {
      if (f.level == level) out.push_back(f);
    }
    std::sort(out.begin(), out.end(), [](const pt::LiveSstFile& a, const pt::LiveSstFile& b) {
      return a.smallest_user_key < b.smallest_user_key;
    });
    return out;
  };
  auto names = [](const std::vector<pt::LiveSstFile>& files) {
    std::vector<std::string> n;
    for (const auto& f : files) n.push_back(f.name);
    return n;
  };
  auto check = [&](uint64_t min_tombstones) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    std::vector<std::string> want;
    for (it->SeekToFirst(); it->Valid(); it->Next()) want.push_back(it->key().ToString());
    ASSERT_TRUE(it->status().ok());
    ASSERT_EQ(want.size(), 200u);  // the newer puts, every third key
    auto scan = ScanExecutor::Open(d.Plan());
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    std::vector<std::string> keys;
    ASSERT_TRUE(Drain(scan->get(), &keys).ok());
    EXPECT_EQ(keys, want);
    EXPECT_GE((*scan)->stats().range_tombstones, min_tombstones);
  };
  // The bottom level holds every key, so the L0 -> L1 compaction below is
  // not bottommost and keeps the tombstone.
  for (int i = 0; i < 600; ++i) ASSERT_TRUE(d.db->Put(Key(i), v).ok());
  ASSERT_TRUE(d.db->Flush().ok());
  ASSERT_TRUE(db->CompactFiles(rocksdb::CompactionOptions(), names(level_files(0)), 6).ok());
  ASSERT_TRUE(d.db->DeleteRange(Key(0), Key(600)).ok());
  for (int i = 0; i < 600; i += 3) ASSERT_TRUE(d.db->Put(Key(i), v + "new").ok());
  ASSERT_TRUE(d.db->Flush().ok());
  rocksdb::CompactionOptions small_outputs;
  small_outputs.output_file_size_limit = 2048;  // cuts the tombstone
  ASSERT_TRUE(db->CompactFiles(small_outputs, names(level_files(0)), 1).ok());
  const std::vector<pt::LiveSstFile> l1 = level_files(1);
  ASSERT_GE(l1.size(), 3u) << "the compaction did not cut the tombstone";
  ASSERT_NO_FATAL_FAILURE(check(l1.size()));  // one copy per output
  ASSERT_TRUE(db->CompactFiles(rocksdb::CompactionOptions(), {l1[0].name}, 6).ok());
  ASSERT_NO_FATAL_FAILURE(check(0));
}

TEST(ScanExecutorTest, MergeOperandsAreNotSupported) {
  pt::DbSpec spec;
  spec.merge_operator = "stringappend";
  Db d(spec);
  // No base value: the flush keeps the operand (a Put base would be merged).
  ASSERT_TRUE(d.db->Merge("a", "2").ok());
  ASSERT_TRUE(d.db->Flush().ok());
  auto scan = ScanExecutor::Open(d.Plan());
  Status s = scan.ok() ? Drain(scan->get()) : scan.status();
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
}

TEST(ScanExecutorTest, LimitLeavesBlocksUnreadAndInvisibleFilesUnopened) {
  Db d;
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(d.db->Put(Key(i), std::string(50, 'v')).ok());
  ASSERT_TRUE(d.db->Flush().ok());
  ScanPlan plan = d.Plan();
  ASSERT_EQ(plan.files.size(), 1u);
  // A file whose every entry is newer than the snapshot is never opened (this
  // one does not even exist).
  plan.files.push_back(
      {d.dir.File("missing.sst"), 0, false, plan.snapshot + 1, plan.snapshot + 5, false, "", ""});
  plan.limit = 3;
  auto scan = ScanExecutor::Open(plan);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  std::vector<std::string> keys;
  ASSERT_TRUE(Drain(scan->get(), &keys).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{Key(0), Key(1), Key(2)}));
  const ScanStats& st = (*scan)->stats();
  EXPECT_EQ(st.files, 1u);
  EXPECT_EQ(st.rows_matched, 3u);
  EXPECT_GE(st.blocks_read, 1u);
  EXPECT_GT(st.blocks_skipped, 0u);
  EXPECT_GT(st.bytes_read, 0u);
  EXPECT_GE(st.entries_scanned, 3u);
}

TEST(ScanExecutorTest, SnapshotHidesNewerWrites) {
  Db d;
  ASSERT_TRUE(d.db->Put("a", "old").ok());
  const rocksdb::Snapshot* snap = d.db->db()->GetSnapshot();
  ASSERT_TRUE(d.db->Put("a", "new").ok());
  ASSERT_TRUE(d.db->Delete("a").ok());
  ASSERT_TRUE(d.db->Put("b", "new").ok());
  ASSERT_TRUE(d.db->Flush().ok());
  ScanPlan plan = d.Plan();
  plan.snapshot = snap->GetSequenceNumber();
  auto scan = ScanExecutor::Open(plan);
  ASSERT_TRUE(scan.ok());
  Row row;
  ASSERT_TRUE((*scan)->Next(&row).ok());
  ASSERT_TRUE((*scan)->Valid());
  EXPECT_EQ(row.key, "a");
  EXPECT_EQ(row.value, "old");
  ASSERT_TRUE((*scan)->Next(&row).ok());
  EXPECT_FALSE((*scan)->Valid());
  d.db->db()->ReleaseSnapshot(snap);
}

// A program that rejects every block as malformed at entry offset 7.
class RejectingProgram final : public LoadedProgram {
 public:
  static abi::ProgramLayout Layout() {
    abi::ProgramLayout l;
    l.desc_offset = 0;
    l.max_blocks = 4;
    l.block_offset = 4096;
    l.block_capacity = 1 << 20;
    l.max_block_size = 1 << 20;
    l.out_offset = l.block_offset + l.block_capacity;
    l.out_capacity = 16;
    l.key_arena_offset = l.out_offset + 16 * sizeof(abi::OutRecord);
    l.key_arena_size = 4096;
    l.max_key_size = 512;
    l.private_offset = l.key_arena_offset + l.key_arena_size;
    l.mem_size = l.private_offset;
    return l;
  }
  RejectingProgram() : LoadedProgram("fake", Layout()), memory_(Layout().mem_size) {}

 protected:
  uint8_t* memory() override { return memory_.data(); }
  Status Run(abi::RunContext* ctx) override {
    auto* descs = reinterpret_cast<abi::BlockDesc*>(memory_.data() + layout().desc_offset);
    for (uint32_t i = 0; i < ctx->num_blocks; ++i) {
      descs[i].status = abi::kBlockMalformed;
      descs[i].error_offset = 7;
      descs[i].out_begin = descs[i].out_end = 0;
    }
    ctx->blocks_done = ctx->num_blocks;
    ctx->out_count = 0;
    return Status::OK();
  }

 private:
  std::vector<uint8_t> memory_;
};

class FakeDevice final : public Device {
 public:
  const DeviceCaps& caps() const override { return caps_; }
  Status Available() const override { return Status::OK(); }
  Result<std::unique_ptr<LoadedProgram>> Load(const ProgramImage&, Fallback*) override {
    return Status::NotSupported("fake");
  }

 private:
  DeviceCaps caps_;
};

TEST(ScanExecutorTest, DeviceBlockErrorIsCorruptionNamingFileAndOffset) {
  Db d;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(d.db->Put(Key(i), "v").ok());
  ASSERT_TRUE(d.db->Flush().ok());
  FakeDevice device;
  RejectingProgram program;
  ScanPlan plan = d.Plan();
  plan.device = &device;
  plan.program = &program;
  auto scan = ScanExecutor::Open(plan);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  Status s = Drain(scan->get());
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(".sst: malformed data block at offset 0"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("entry at block offset 7"), std::string::npos) << s.message();
}

TEST(ScanExecutorTest, PlanNeedsSchemaAndDevicePairs) {
  ScanPlan plan;
  EXPECT_TRUE(ScanExecutor::Open(plan).status().IsInvalidArgument());
  bpfgen::Schema raw = bpfgen::Schema::Raw();
  plan.schema = &raw;
  FakeDevice device;
  plan.device = &device;
  EXPECT_TRUE(ScanExecutor::Open(plan).status().IsInvalidArgument());
}

}  // namespace
}  // namespace pushdown::exec
