// Unit tests: the SST registry.
#include "engine/plugin/sst_registry.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace pushdown::engine {
namespace {

TEST(SstRegistry, IsSstFile) {
  EXPECT_TRUE(IsSstFile("/db/000012.sst"));
  EXPECT_FALSE(IsSstFile("/db/000012.log"));
  EXPECT_FALSE(IsSstFile("/db/MANIFEST-000005"));
  EXPECT_FALSE(IsSstFile(".sst"));
  EXPECT_EQ(NormalizePath("/db//x///000012.sst"), "/db/x/000012.sst");
}

TEST(SstRegistry, WriterLifecycle) {
  SstRegistry registry;
  registry.OnCreated("/db/000012.sst");
  auto info = registry.Find("/db/000012.sst");
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->complete);
  EXPECT_EQ(info->open_writers, 1u);
  registry.OnWriterClosed("/db//000012.sst", 4096);
  info = registry.Find("/db/000012.sst");
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->complete);
  EXPECT_EQ(info->size, 4096u);
  EXPECT_EQ(info->open_writers, 0u);
}

TEST(SstRegistry, ReadersRenameDelete) {
  SstRegistry registry;
  registry.OnOpenedForRead("/db/000007.sst", 100);
  registry.OnOpenedForRead("/db/000007.sst", 100);
  registry.OnOpenedForRead("/db/000003.sst", 50);
  EXPECT_EQ(registry.size(), 2u);
  EXPECT_EQ(registry.Find("/db/000007.sst")->open_readers, 2u);
  registry.OnReaderClosed("/db/000007.sst");
  EXPECT_EQ(registry.Find("/db/000007.sst")->open_readers, 1u);

  auto list = registry.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].path, "/db/000003.sst");  // sorted by path
  EXPECT_EQ(list[1].path, "/db/000007.sst");

  registry.OnRenamed("/db/000003.sst", "/db/000009.sst");
  EXPECT_FALSE(registry.Find("/db/000003.sst").has_value());
  ASSERT_TRUE(registry.Find("/db/000009.sst").has_value());
  EXPECT_EQ(registry.Find("/db/000009.sst")->size, 50u);

  registry.OnDeleted("/db/000007.sst");
  EXPECT_FALSE(registry.Find("/db/000007.sst").has_value());
  EXPECT_EQ(registry.size(), 1u);
  registry.OnReaderClosed("/db/unknown.sst");  // unknown: ignored
  EXPECT_EQ(registry.size(), 1u);
}

TEST(SstRegistry, ConcurrentUpdates) {
  SstRegistry registry;
  constexpr int kThreads = 4;
  constexpr int kFiles = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      for (int i = 0; i < kFiles; ++i) {
        std::string path = "/db/" + std::to_string(t) + "_" + std::to_string(i) + ".sst";
        registry.OnCreated(path);
        registry.OnWriterClosed(path, i);
        registry.OnOpenedForRead(path, i);
        if (i % 2 == 0) {
          registry.OnDeleted(path);
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(registry.size(), static_cast<size_t>(kThreads * kFiles / 2));
  for (const SstFileInfo& info : registry.List()) {
    EXPECT_TRUE(info.complete);
    EXPECT_EQ(info.open_readers, 1u);
  }
}

}  // namespace
}  // namespace pushdown::engine
