// Integration: a RocksDB opened through the pushdown file system
// (Env = NewCompositeEnv(fs)). Every read is checked against a std::map model;
// the file system's counters show which path served it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/plugin/pushdown_fs.h"
#include "plugin_test_util.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/metadata.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"

namespace pushdown::engine {
namespace {

using testing::AsPushdown;
using testing::CreatePushdownFs;
using testing::TempDir;

struct DbParam {
  bool direct_reads;
  bool io_uring;
};

std::string ParamName(const ::testing::TestParamInfo<DbParam>& info) {
  return std::string(info.param.direct_reads ? "Direct" : "Buffered") +
         (info.param.io_uring ? "Uring" : "NoUring");
}

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%08d", i);
  return buf;
}

class PluginDbTest : public ::testing::TestWithParam<DbParam> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    std::string spec = std::string("id=pushdown;device=auto;queue_depth=32;io_uring=") +
                       (GetParam().io_uring ? "true" : "false");
    rocksdb::Status s = CreatePushdownFs(spec, &fs_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    pd_ = AsPushdown(fs_);
    ASSERT_NE(pd_, nullptr);
    env_ = rocksdb::NewCompositeEnv(fs_);

    options_.env = env_.get();
    options_.create_if_missing = true;
    options_.use_direct_reads = GetParam().direct_reads;
    options_.write_buffer_size = 256 << 10;
    rocksdb::BlockBasedTableOptions table;
    // A small cache: most block reads reach the file system. (With
    // no_block_cache RocksDB 7.8's MultiGet reads blocks one by one, never
    // through MultiRead.)
    table.block_cache = rocksdb::NewLRUCache(64 << 10);
    table.block_size = 1024;  // many blocks: a MultiGet batch spans several
    options_.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    db_path_ = dir_.path() + "/db";
    rocksdb::DB* db = nullptr;
    s = rocksdb::DB::Open(options_, db_path_, &db);
    if (!s.ok() && GetParam().direct_reads) {
      GTEST_SKIP() << "O_DIRECT not supported here: " << s.ToString();
    }
    ASSERT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
    Fill();
  }

  void TearDown() override {
    if (db_ != nullptr) {
      EXPECT_TRUE(db_->Close().ok());
      db_.reset();
    }
  }

  void Put(int i, const std::string& value) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), Key(i), value).ok());
    model_[Key(i)] = value;
  }

  // Three layers: an older flushed file, a newer flushed file that
  // overwrites/deletes part of it, and the memtable.
  void Fill() {
    std::mt19937 rng(1);
    auto value = [&rng](int i, int version) {
      std::string v = "v" + std::to_string(version) + "_" + std::to_string(i) + "_";
      v.append(80 + rng() % 60, static_cast<char>('a' + rng() % 26));
      return v;
    };
    for (int i = 0; i < kKeys; ++i) {
      Put(i, value(i, 1));
    }
    ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
    for (int i = 0; i < kKeys; i += 3) {
      Put(i, value(i, 2));
    }
    for (int i = 1; i < kKeys; i += 7) {
      ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), Key(i)).ok());
      model_.erase(Key(i));
    }
    ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
    for (int i = 0; i < kKeys; i += 11) {
      Put(i, value(i, 3));
    }
  }

  void CheckGets() {
    for (int i = 0; i < kKeys + 10; ++i) {
      std::string got;
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Key(i), &got);
      auto it = model_.find(Key(i));
      if (it == model_.end()) {
        ASSERT_TRUE(s.IsNotFound()) << Key(i) << " " << s.ToString();
      } else {
        ASSERT_TRUE(s.ok()) << Key(i) << " " << s.ToString();
        ASSERT_EQ(got, it->second) << Key(i);
      }
    }
  }

  void CheckMultiGets(uint32_t seed) {
    std::mt19937 rng(seed);
    for (int round = 0; round < 40; ++round) {
      std::vector<std::string> keys;
      for (int j = 0; j < 64; ++j) {
        keys.push_back(Key(static_cast<int>(rng() % (kKeys + 50))));
      }
      // The batched API (the vector<Slice> overload does one Get per key).
      std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
      std::vector<rocksdb::PinnableSlice> values(keys.size());
      std::vector<rocksdb::Status> statuses(keys.size());
      db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), keys.size(), slices.data(),
                    values.data(), statuses.data());
      for (size_t j = 0; j < keys.size(); ++j) {
        auto it = model_.find(keys[j]);
        if (it == model_.end()) {
          ASSERT_TRUE(statuses[j].IsNotFound()) << keys[j] << " " << statuses[j].ToString();
        } else {
          ASSERT_TRUE(statuses[j].ok()) << keys[j] << " " << statuses[j].ToString();
          ASSERT_EQ(values[j].ToString(), it->second) << keys[j];
        }
      }
    }
  }

  void CheckScan(bool async_io) {
    rocksdb::ReadOptions ro;
    ro.async_io = async_io;
    ro.readahead_size = 16 << 10;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    auto expect = model_.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
      ASSERT_NE(expect, model_.end());
      ASSERT_EQ(it->key().ToString(), expect->first);
      ASSERT_EQ(it->value().ToString(), expect->second);
    }
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    EXPECT_EQ(expect, model_.end());
  }

  static constexpr int kKeys = 6000;
  TempDir dir_;
  std::shared_ptr<rocksdb::FileSystem> fs_;
  PushdownFileSystem* pd_ = nullptr;
  std::unique_ptr<rocksdb::Env> env_;
  rocksdb::Options options_;
  std::string db_path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, std::string> model_;
};

TEST_P(PluginDbTest, GetAfterFlushAndCompaction) {
  CheckGets();
  ASSERT_TRUE(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
  CheckGets();
}

TEST_P(PluginDbTest, MultiGetGoesThroughIoUring) {
  IoStatsSnapshot before = pd_->stats();
  CheckMultiGets(5);
  IoStatsSnapshot after = pd_->stats();
  if (GetParam().io_uring) {
    EXPECT_GT(after.multiread_calls, before.multiread_calls);
    EXPECT_GT(after.multiread_requests, after.multiread_calls);  // batches, not single reads
    EXPECT_GE(after.uring_reads - before.uring_reads,
              after.multiread_requests - before.multiread_requests);
    EXPECT_EQ(after.fallback_reads, before.fallback_reads);
  } else {
    EXPECT_EQ(after.uring_reads, 0u);
    EXPECT_GT(after.fallback_reads, before.fallback_reads);
  }
  ASSERT_TRUE(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
  CheckMultiGets(6);
}

TEST_P(PluginDbTest, MultiGetFromSeveralThreads) {
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < 3; ++t) {
    threads.emplace_back([this, t] { CheckMultiGets(100 + t); });
  }
  for (auto& thread : threads) {
    thread.join();
  }
}

TEST_P(PluginDbTest, AsyncIoIteratorMatchesAndUsesReadAsync) {
  IoStatsSnapshot before = pd_->stats();
  CheckScan(/*async_io=*/true);
  IoStatsSnapshot after = pd_->stats();
  if (GetParam().io_uring) {
    EXPECT_GT(after.async_reads, before.async_reads);
    // Every handle RocksDB was given ends in Poll or AbortIO.
    EXPECT_EQ(after.polls + after.aborts - before.polls - before.aborts,
              after.async_reads - before.async_reads);
  } else {
    EXPECT_EQ(after.async_reads, 0u);
  }
  CheckScan(/*async_io=*/false);
  ASSERT_TRUE(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
  CheckScan(/*async_io=*/true);
}

TEST_P(PluginDbTest, RegistryTracksLiveSstFiles) {
  ASSERT_TRUE(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
  // Purge obsolete files now (EnableFileDeletions runs the purge inline).
  ASSERT_TRUE(db_->DisableFileDeletions().ok());
  ASSERT_TRUE(db_->EnableFileDeletions(/*force=*/true).ok());
  CheckGets();  // opens the compacted files for reading

  std::vector<rocksdb::LiveFileMetaData> live;
  db_->GetLiveFilesMetaData(&live);
  ASSERT_FALSE(live.empty());
  std::set<std::string> live_paths;
  for (const auto& meta : live) {
    std::string path = NormalizePath(meta.db_path + "/" + meta.name);
    live_paths.insert(path);
    auto info = pd_->sst_files().Find(path);
    ASSERT_TRUE(info.has_value()) << path;
    EXPECT_TRUE(info->complete) << path;
    EXPECT_EQ(info->size, meta.size) << path;
  }
  std::set<std::string> known;
  for (const SstFileInfo& info : pd_->sst_files().List()) {
    known.insert(info.path);
  }
  EXPECT_EQ(known, live_paths);  // compacted-away inputs were removed
}

INSTANTIATE_TEST_SUITE_P(Paths, PluginDbTest,
                         ::testing::Values(DbParam{false, true}, DbParam{true, true},
                                           DbParam{false, false}),
                         ParamName);

}  // namespace
}  // namespace pushdown::engine
