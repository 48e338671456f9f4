// Feature detection: files the pushdown path cannot read exactly list why.
#include <gtest/gtest.h>

#include "pushdown/sst/sst_file.h"
#include "rocksdb/comparator.h"
#include "rocksdb/convenience.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/wide_columns.h"
#include "tests/pushdown/sst/test_util.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {
namespace {

namespace pt = pushdown::testing;
using pt::TempDir;

bool HasReason(const TableInfo& info, std::string_view needle) {
  for (const auto& r : info.unsupported) {
    if (r.find(needle) != std::string::npos) return true;
  }
  return false;
}

// Builds a DB with `spec`, runs `fill`, flushes, opens the single live file.
std::unique_ptr<SstFile> OneFile(const TempDir& dir, pt::DbSpec spec,
                                 const std::function<void(pt::TestDb*)>& fill,
                                 SstOpenOptions o = {}) {
  auto db = pt::TestDb::Open(dir.File("db"), spec);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return nullptr;
  fill(db->get());
  EXPECT_TRUE((*db)->Flush().ok());
  auto files = (*db)->LiveFiles();
  EXPECT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 1u);
  if (!files.ok() || files->size() != 1) return nullptr;
  auto sst = SstFile::Open((*files)[0].path, o);
  EXPECT_TRUE(sst.ok()) << sst.status().ToString();
  return sst.ok() ? std::move(*sst) : nullptr;
}

TEST(FeaturesTest, PlainFileIsSupported) {
  TempDir dir;
  SstOpenOptions o;
  o.scan_entry_types = true;
  auto sst = OneFile(
      dir, {},
      [](pt::TestDb* db) {
        for (int i = 0; i < 100; ++i) ASSERT_TRUE(db->Put("k" + std::to_string(i), "v").ok());
        ASSERT_TRUE(db->Delete("k5").ok());
      },
      o);
  ASSERT_NE(sst, nullptr);
  EXPECT_TRUE(sst->info().supported()) << sst->info().unsupported.front();
}

TEST(FeaturesTest, MergeOperands) {
  TempDir dir;
  pt::DbSpec spec;
  spec.merge_operator = "stringappend";
  auto sst = OneFile(dir, spec, [](pt::TestDb* db) {
    ASSERT_TRUE(db->Put("a", "1").ok());
    ASSERT_TRUE(db->Merge("b", "2").ok());
  });
  ASSERT_NE(sst, nullptr);
  EXPECT_TRUE(HasReason(sst->info(), "merge operands")) << sst->info().unsupported.size();
  EXPECT_EQ(sst->info().properties.num_merge_operands, 1u);
}

// Range deletions are read by the scan (range_del_test.cc): not a reason.
TEST(FeaturesTest, RangeDeletionsAreSupported) {
  TempDir dir;
  auto sst = OneFile(dir, {}, [](pt::TestDb* db) {
    ASSERT_TRUE(db->Put("a", "1").ok());
    ASSERT_TRUE(db->DeleteRange("b", "d").ok());
  });
  ASSERT_NE(sst, nullptr);
  EXPECT_TRUE(sst->info().supported()) << sst->info().unsupported.size();
  EXPECT_TRUE(sst->info().has_range_del_block);
  EXPECT_EQ(sst->info().properties.num_range_deletions, 1u);
}

TEST(FeaturesTest, NonBytewiseComparator) {
  TempDir dir;
  pt::DbSpec spec;
  spec.customize = [](rocksdb::Options* o) {
    o->comparator = rocksdb::ReverseBytewiseComparator();
  };
  SstOpenOptions o;
  o.scan_entry_types = true;  // reverse order must not read as corruption
  auto sst = OneFile(
      dir, spec,
      [](pt::TestDb* db) {
        for (int i = 0; i < 100; ++i) ASSERT_TRUE(db->Put("k" + std::to_string(i), "v").ok());
      },
      o);
  ASSERT_NE(sst, nullptr);
  EXPECT_TRUE(HasReason(sst->info(), "non-bytewise comparator rocksdb.ReverseBytewiseComparator"));
}

// A bytewise comparator whose name says it carries u64 timestamps.
class FakeTimestampComparator : public rocksdb::Comparator {
 public:
  const char* Name() const override { return "leveldb.BytewiseComparator.u64ts"; }
  int Compare(const rocksdb::Slice& a, const rocksdb::Slice& b) const override {
    return a.compare(b);
  }
  void FindShortestSeparator(std::string*, const rocksdb::Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}
};

TEST(FeaturesTest, UserDefinedTimestampComparatorName) {
  TempDir dir;
  static FakeTimestampComparator cmp;
  pt::DbSpec spec;
  spec.customize = [](rocksdb::Options* o) { o->comparator = &cmp; };
  auto sst = OneFile(dir, spec, [](pt::TestDb* db) { ASSERT_TRUE(db->Put("a", "1").ok()); });
  ASSERT_NE(sst, nullptr);
  EXPECT_TRUE(HasReason(sst->info(), "user-defined timestamps"));
}

TEST(FeaturesTest, BlobIndexEntries) {
  TempDir dir;
  pt::DbSpec spec;
  spec.customize = [](rocksdb::Options* o) {
    o->enable_blob_files = true;
    o->min_blob_size = 0;
  };
  SstOpenOptions o;
  o.scan_entry_types = true;
  auto sst = OneFile(
      dir, spec,
      [](pt::TestDb* db) {
        for (int i = 0; i < 10; ++i)
          ASSERT_TRUE(db->Put("k" + std::to_string(i), std::string(100, 'v')).ok());
      },
      o);
  ASSERT_NE(sst, nullptr);
  EXPECT_TRUE(HasReason(sst->info(), "blob index entries"));
  int blob = 0;
  ASSERT_TRUE(sst->ForEachEntry([&](const ParsedInternalKey& k, std::string_view) {
                   blob += k.type == static_cast<uint8_t>(ValueType::kBlobIndex);
                   return true;
                 })
                  .ok());
  EXPECT_EQ(blob, 10);
}

TEST(FeaturesTest, WideColumnEntities) {
  TempDir dir;
  SstOpenOptions o;
  o.scan_entry_types = true;
  auto sst = OneFile(
      dir, {},
      [](pt::TestDb* db) {
        rocksdb::WideColumns cols{{"c1", "x"}, {"c2", "y"}};
        ASSERT_TRUE(
            db->db()
                ->PutEntity(rocksdb::WriteOptions(), db->db()->DefaultColumnFamily(), "row", cols)
                .ok());
      },
      o);
  ASSERT_NE(sst, nullptr);
  EXPECT_TRUE(HasReason(sst->info(), "wide-column entities"));
}

TEST(FeaturesTest, WriterMergeEntriesDetectedByScan) {
  TempDir dir;
  rocksdb::Options options;
  ASSERT_TRUE(rocksdb::MergeOperator::CreateFromString(rocksdb::ConfigOptions(), "stringappend",
                                                       &options.merge_operator)
                  .ok());
  const std::string path = dir.File("m.sst");
  ASSERT_TRUE(
      pt::WriteSstWithWriter(path, options,
                             {{"a", "1", pt::EntryKind::kPut}, {"b", "2", pt::EntryKind::kMerge}})
          .ok());
  auto sst = SstFile::Open(path);
  ASSERT_TRUE(sst.ok());
  EXPECT_TRUE(HasReason((*sst)->info(), "merge operands"));
}

}  // namespace
}  // namespace pushdown::exec
