// The plugin's `device=` option is the default device of scans on a DB opened
// with the pushdown FileSystem: AttachedDB::Attach(db) without a device reads
// PushdownFileSystem::options().device; AttachOptions::device and
// ScanOptions::device take precedence; a DB opened without the plugin
// defaults to auto.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "engine/api/attach.h"
#include "engine/api/internal.h"
#include "engine/plugin/pushdown_fs.h"
#include "plugin_test_util.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"

namespace pushdown::engine {
namespace {

using exec::DeviceRequest;
using testing::CreatePushdownFs;
using testing::TempDir;

// A DB with a few rows flushed to an SST file, opened with `fs_uri` ("" = the
// default file system).
class PluginDb {
 public:
  PluginDb(const std::string& dir, const std::string& fs_uri) {
    rocksdb::Options options;
    options.create_if_missing = true;
    if (!fs_uri.empty()) {
      status_ = CreatePushdownFs(fs_uri, &fs_);
      if (!status_.ok()) return;
      env_ = rocksdb::NewCompositeEnv(fs_);
      options.env = env_.get();
    }
    rocksdb::DB* raw = nullptr;
    status_ = rocksdb::DB::Open(options, dir, &raw);
    if (!status_.ok()) return;
    db_.reset(raw);
    for (int i = 0; i < 100 && status_.ok(); ++i) {
      status_ = db_->Put(rocksdb::WriteOptions(), "key" + std::to_string(1000 + i),
                         "value" + std::to_string(i));
    }
    if (status_.ok()) status_ = db_->Flush(rocksdb::FlushOptions());
  }
  const rocksdb::Status& status() const { return status_; }
  rocksdb::DB* db() const { return db_.get(); }

 private:
  rocksdb::Status status_;
  std::shared_ptr<rocksdb::FileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;  // outlives db_ (declared before it)
  std::unique_ptr<rocksdb::DB> db_;
};

// The ScanInfo of a raw scan that matches every row, with `so`.
ScanInfo ScanInfoOf(AttachedDB& pd, const ScanOptions& so, uint64_t* rows) {
  auto cur = pd.Scan(pd.db()->DefaultColumnFamily(), RowSpec::Raw(), "length(key) > 0", so);
  EXPECT_TRUE(cur.ok()) << cur.status().ToString();
  if (!cur.ok()) return {};
  *rows = 0;
  for (;;) {
    Status s = (*cur)->Next();
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || !(*cur)->Valid()) break;
    ++*rows;
  }
  return (*cur)->info();
}

TEST(PluginDeviceDefaultTest, DeviceOptionIsTheDefaultDeviceOfScans) {
  for (DeviceRequest d : {DeviceRequest::kIterator, DeviceRequest::kHost, DeviceRequest::kAuto}) {
    const std::string name(exec::DeviceRequestName(d));
    SCOPED_TRACE(name);
    TempDir dir;
    PluginDb db(dir.path() + "/db", "id=pushdown;device=" + name);
    ASSERT_TRUE(db.status().ok()) << db.status().ToString();
    auto pd = AttachedDB::Attach(db.db());
    ASSERT_TRUE(pd.ok()) << pd.status().ToString();
    EXPECT_EQ((*pd)->default_device(), d);
    EXPECT_EQ((*pd)->io(), "plugin");
    uint64_t rows = 0;
    ScanInfo info = ScanInfoOf(**pd, ScanOptions(), &rows);
    EXPECT_EQ(rows, 100u);
    EXPECT_EQ(info.requested_device, name);
    if (d == DeviceRequest::kIterator) EXPECT_EQ(info.path, "iterator");
    if (d == DeviceRequest::kHost) {
      EXPECT_EQ(info.path, "pushdown") << info.fallback_reason;
      EXPECT_EQ(info.device, "host") << info.fallback_reason;
    }
  }
}

TEST(PluginDeviceDefaultTest, AttachAndScanOptionsTakePrecedence) {
  TempDir dir;
  PluginDb db(dir.path() + "/db", "pushdown://device=iterator");
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  AttachOptions ao;
  ao.device = DeviceRequest::kHost;
  auto pd = AttachedDB::Attach(db.db(), ao);
  ASSERT_TRUE(pd.ok()) << pd.status().ToString();
  EXPECT_EQ((*pd)->default_device(), DeviceRequest::kHost);
  uint64_t rows = 0;
  EXPECT_EQ(ScanInfoOf(**pd, ScanOptions(), &rows).requested_device, "host");
  ScanOptions so;
  so.device = DeviceRequest::kIterator;
  ScanInfo info = ScanInfoOf(**pd, so, &rows);
  EXPECT_EQ(info.requested_device, "iterator");
  EXPECT_EQ(info.path, "iterator");
  EXPECT_EQ(rows, 100u);
}

TEST(PluginDeviceDefaultTest, WithoutThePluginTheDefaultIsAuto) {
  TempDir dir;
  PluginDb db(dir.path() + "/db", "");
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  auto pd = AttachedDB::Attach(db.db());
  ASSERT_TRUE(pd.ok()) << pd.status().ToString();
  EXPECT_EQ((*pd)->default_device(), DeviceRequest::kAuto);
  EXPECT_EQ((*pd)->io(), "direct");
  uint64_t rows = 0;
  EXPECT_EQ(ScanInfoOf(**pd, ScanOptions(), &rows).requested_device, "auto");
  EXPECT_EQ(rows, 100u);
}

}  // namespace
}  // namespace pushdown::engine

namespace pushdown::engine {
namespace {

// The plugin's program_cache_entries / program_cache_bytes bound the program
// cache of scans on its DB (AttachOptions::program_cache, when set, wins),
// and they round-trip through ToString.
TEST(PluginDeviceDefaultTest, ProgramCacheLimitsComeFromThePluginOptions) {
  TempDir dir;
  PluginDb db(dir.path() + "/db", "id=pushdown;device=host;program_cache_entries=2");
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  auto pd = AttachedDB::Attach(db.db());
  ASSERT_TRUE(pd.ok()) << pd.status().ToString();
  for (int i = 0; i < 5; ++i) {
    const std::string where = "length(key) > " + std::to_string(i);
    auto cur = (*pd)->Scan(db.db()->DefaultColumnFamily(), RowSpec::Raw(), where);
    ASSERT_TRUE(cur.ok()) << cur.status().ToString();
    for (;;) {
      ASSERT_TRUE((*cur)->Next().ok());
      if (!(*cur)->Valid()) break;
    }
  }
  EXPECT_EQ((*pd)->program_cache_misses(), 5u);
  EXPECT_LE((*pd)->impl().cache.size(), 2u);

  AttachOptions ao;
  ao.program_cache.max_entries = 4;
  auto pd4 = AttachedDB::Attach(db.db(), ao);
  ASSERT_TRUE(pd4.ok());
  for (int i = 0; i < 5; ++i) {
    auto cur = (*pd4)->Scan(db.db()->DefaultColumnFamily(), RowSpec::Raw(),
                            "length(key) > " + std::to_string(i));
    ASSERT_TRUE(cur.ok());
    for (;;) {
      ASSERT_TRUE((*cur)->Next().ok());
      if (!(*cur)->Valid()) break;
    }
  }
  EXPECT_EQ((*pd4)->impl().cache.size(), 4u);

  std::shared_ptr<rocksdb::FileSystem> fs;
  ASSERT_TRUE(testing::CreatePushdownFs("id=pushdown;program_cache_bytes=12345", &fs).ok());
  rocksdb::ConfigOptions cfg;
  const std::string text = fs->ToString(cfg);
  EXPECT_NE(text.find("program_cache_bytes=12345"), std::string::npos) << text;
}

}  // namespace
}  // namespace pushdown::engine
