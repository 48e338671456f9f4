// SecondaryDb, the CLI's way to open a database: a stock-RocksDB DB with a
// merge operator and a reverse comparator opens with its OPTIONS file, every
// column family reads as RocksDB's own iterator does, and the DB directory is
// not changed at all (names, sizes, contents).
#include "engine/cli/secondary_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "dir_snapshot.h"
#include "rocksdb/db.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {
namespace {

using ::pushdown::testing::DiffSnapshots;
using ::pushdown::testing::SnapshotDir;
using ::pushdown::testing::TempDir;
using ::testing::HasSubstr;

int RunWriter(const std::string& mode, const std::string& dir) {
  const std::string cmd = "'" PD_BINARY_DIR "/tests/stock_db_writer' " + mode + " '" + dir + "'";
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

uint64_t DecodeLe(const rocksdb::Slice& s) {
  uint64_t v = 0;
  for (size_t i = s.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

class SecondaryDbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("pd_secondary_db");
    writer_status_ = RunWriter("three-cf", Db());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(writer_status_, 0); }
  static std::string Db() { return dir_->path() + "/db"; }

  static inline TempDir* dir_ = nullptr;
  static inline int writer_status_ = -1;
};

TEST_F(SecondaryDbTest, OpensEveryColumnFamilyWithItsOwnOptionsAndWritesNothing) {
  const auto before = SnapshotDir(Db());
  std::string secondary;
  {
    auto db = SecondaryDb::Open(Db());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    secondary = (*db)->secondary_path();
    EXPECT_TRUE(std::filesystem::is_directory(secondary));
    EXPECT_EQ(secondary.rfind(std::filesystem::temp_directory_path().string(), 0), 0u) << secondary;
    EXPECT_THAT((*db)->column_family_names(),
                ::testing::ElementsAre("default", "counters", "reverse"));

    // reverse: the comparator came from the OPTIONS file (keys descend).
    auto reverse = (*db)->ColumnFamily("reverse");
    ASSERT_TRUE(reverse.ok());
    EXPECT_STREQ((*reverse)->GetComparator()->Name(), "rocksdb.ReverseBytewiseComparator");
    std::unique_ptr<rocksdb::Iterator> it(
        (*db)->db()->NewIterator(rocksdb::ReadOptions(), *reverse));
    std::string prev;
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) {
      if (n > 0) {
        EXPECT_LT(it->key().ToString(), prev);
      }
      prev = it->key().ToString();
    }
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    EXPECT_GT(n, 1000u);

    // counters: uint64add merged (memtable merges on top of L0 and L6 bases).
    auto counters = (*db)->ColumnFamily("counters");
    ASSERT_TRUE(counters.ok());
    it.reset((*db)->db()->NewIterator(rocksdb::ReadOptions(), *counters));
    n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) ASSERT_EQ(it->value().size(), 8u);
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    EXPECT_GT(n, 400u);
    // "c" + u64be(1): phase 0 put 10 + merge 1 (L6); phase 1 merge 2, then
    // deleted (1 % 29 == phase 1) (L0); phase 2 merge 3 on nothing (memtable).
    std::string v;
    ASSERT_TRUE(
        (*db)
            ->db()
            ->Get(rocksdb::ReadOptions(), *counters, std::string("c\0\0\0\0\0\0\0\x01", 9), &v)
            .ok());
    EXPECT_EQ(DecodeLe(v), 3u);

    EXPECT_TRUE((*db)->ColumnFamily("nope").status().IsNotFound());
    EXPECT_THAT((*db)->ColumnFamily("nope").status().message(),
                HasSubstr("default, counters, reverse"));
  }
  EXPECT_FALSE(std::filesystem::exists(secondary)) << secondary;
  const auto after = SnapshotDir(Db());
  EXPECT_TRUE(after == before) << DiffSnapshots(before, after);
}

TEST_F(SecondaryDbTest, ReadsADbThatAnotherInstanceHasOpenForWriting) {
  TempDir dir("pd_secondary_live");
  const std::string path = dir.path() + "/db";
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
  std::unique_ptr<rocksdb::DB> primary(raw);
  ASSERT_TRUE(primary->Put(rocksdb::WriteOptions(), "a", "1").ok());
  auto db = SecondaryDb::Open(path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::string v;
  ASSERT_TRUE((*db)->db()->Get(rocksdb::ReadOptions(), "a", &v).ok());
  EXPECT_EQ(v, "1");
  ASSERT_TRUE(primary->Put(rocksdb::WriteOptions(), "b", "2").ok());
  EXPECT_TRUE((*db)->db()->Get(rocksdb::ReadOptions(), "b", &v).IsNotFound());
  ASSERT_TRUE((*db)->CatchUp().ok());
  ASSERT_TRUE((*db)->db()->Get(rocksdb::ReadOptions(), "b", &v).ok());
  EXPECT_EQ(v, "2");
}

TEST_F(SecondaryDbTest, ADbWithoutOptionsFileOpensWithDefaults) {
  TempDir dir("pd_secondary_noopt");
  const std::string path = dir.path() + "/db";
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "a", "1").ok());
  }
  for (const auto& e : std::filesystem::directory_iterator(path)) {
    if (e.path().filename().string().rfind("OPTIONS-", 0) == 0) std::filesystem::remove(e.path());
  }
  auto db = SecondaryDb::Open(path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::string v;
  ASSERT_TRUE((*db)->db()->Get(rocksdb::ReadOptions(), "a", &v).ok());
  EXPECT_EQ(v, "1");
}

TEST_F(SecondaryDbTest, NoDatabaseIsAnIoErrorAndCreatesNothing) {
  TempDir dir("pd_secondary_missing");
  auto db = SecondaryDb::Open(dir.path() + "/none");
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsIOError()) << db.status().ToString();
  EXPECT_THAT(db.status().message(), HasSubstr("no database at"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/none"));
}

}  // namespace
}  // namespace pushdown::engine
