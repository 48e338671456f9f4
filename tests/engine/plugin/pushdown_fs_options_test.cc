// Unit tests: option parsing, CreateFromString, URI form, registration.
#include "engine/plugin/pushdown_fs_options.h"

#include <gtest/gtest.h>

#include "engine/plugin/pushdown_fs.h"
#include "engine/plugin/registration.h"
#include "plugin_test_util.h"
#include "rocksdb/utilities/object_registry.h"

namespace pushdown::engine {
namespace {

using testing::AsPushdown;
using testing::CreatePushdownFs;

TEST(ParsePushdownUri, EmptyAndBareId) {
  auto bare = ParsePushdownUri("pushdown");
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->empty());
  auto empty = ParsePushdownUri("pushdown://");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParsePushdownUri, SemicolonAndAmpersandSeparators) {
  auto pairs = ParsePushdownUri("pushdown://device=kernel&io_uring=false;queue_depth=8;");
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  ASSERT_EQ(pairs->size(), 3u);
  EXPECT_EQ((*pairs)[0], std::make_pair(std::string("device"), std::string("kernel")));
  EXPECT_EQ((*pairs)[1], std::make_pair(std::string("io_uring"), std::string("false")));
  EXPECT_EQ((*pairs)[2], std::make_pair(std::string("queue_depth"), std::string("8")));
  EXPECT_EQ(ToOptionsString(*pairs), "device=kernel;io_uring=false;queue_depth=8");
}

TEST(ParsePushdownUri, RejectsMalformed) {
  EXPECT_TRUE(ParsePushdownUri("pushdown://device").status().IsInvalidArgument());
  EXPECT_TRUE(ParsePushdownUri("pushdown://=kernel").status().IsInvalidArgument());
  EXPECT_TRUE(ParsePushdownUri("posix://").status().IsInvalidArgument());
}

TEST(CreateFromString, IdWithOptions) {
  std::shared_ptr<rocksdb::FileSystem> fs;
  rocksdb::Status s =
      CreatePushdownFs("id=pushdown;device=kernel;io_uring=false;queue_depth=16", &fs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  PushdownFileSystem* pd = AsPushdown(fs);
  ASSERT_NE(pd, nullptr);
  EXPECT_EQ(pd->options().device, exec::DeviceRequest::kKernel);
  EXPECT_FALSE(pd->options().io_uring);
  EXPECT_EQ(pd->options().queue_depth, 16u);
  EXPECT_STREQ(fs->Name(), "PushdownFileSystem");
  EXPECT_TRUE(fs->IsInstanceOf("pushdown"));
}

TEST(CreateFromString, Defaults) {
  std::shared_ptr<rocksdb::FileSystem> fs;
  ASSERT_TRUE(CreatePushdownFs("id=pushdown", &fs).ok());
  PushdownFileSystem* pd = AsPushdown(fs);
  ASSERT_NE(pd, nullptr);
  EXPECT_EQ(pd->options().device, exec::DeviceRequest::kAuto);
  EXPECT_TRUE(pd->options().io_uring);
  EXPECT_EQ(pd->options().queue_depth, 64u);
}

TEST(CreateFromString, EveryDeviceName) {
  for (exec::DeviceRequest kind : {exec::DeviceRequest::kAuto, exec::DeviceRequest::kKernel,
                                   exec::DeviceRequest::kHost, exec::DeviceRequest::kIterator}) {
    std::shared_ptr<rocksdb::FileSystem> fs;
    std::string value =
        std::string("id=pushdown;device=") + std::string(exec::DeviceRequestName(kind));
    ASSERT_TRUE(CreatePushdownFs(value, &fs).ok()) << value;
    EXPECT_EQ(AsPushdown(fs)->options().device, kind) << value;
  }
}

TEST(CreateFromString, BadOptionValueIsAnError) {
  std::shared_ptr<rocksdb::FileSystem> fs;
  EXPECT_FALSE(CreatePushdownFs("id=pushdown;device=gpu", &fs).ok());
  EXPECT_FALSE(CreatePushdownFs("id=pushdown;io_uring=maybe", &fs).ok());
  EXPECT_FALSE(CreatePushdownFs("id=pushdown;queue_depth=0", &fs).ok());
  EXPECT_FALSE(CreatePushdownFs("id=pushdown;queue_depth=100000", &fs).ok());
}

// What ToString() prints, fed back to CreateFromString, creates an equal file
// system (issue 10: it used to return OK with a null FileSystem, because the
// serialized id is the class name "PushdownFileSystem", which no factory
// matched, and ConfigOptions::ignore_unsupported_options is true by default).
TEST(CreateFromString, ToStringRoundTrips) {
  for (const char* value :
       {"id=pushdown", "id=pushdown;device=kernel;io_uring=false;queue_depth=7",
        "pushdown://device=iterator&queue_depth=4096", "pushdown://device=host"}) {
    std::shared_ptr<rocksdb::FileSystem> fs;
    ASSERT_TRUE(CreatePushdownFs(value, &fs).ok()) << value;
    PushdownFileSystem* pd = AsPushdown(fs);
    ASSERT_NE(pd, nullptr) << value;
    for (bool default_config : {true, false}) {
      rocksdb::ConfigOptions config;  // ignore_unsupported_options = true, as RocksDB uses it
      if (!default_config) config.ignore_unknown_options = false;
      const std::string text = fs->ToString(config);
      SCOPED_TRACE(std::string(value) + " -> " + text);
      EXPECT_NE(text.find("device=" + std::string(exec::DeviceRequestName(pd->options().device))),
                std::string::npos);
      std::shared_ptr<rocksdb::FileSystem> again;
      rocksdb::Status s = rocksdb::FileSystem::CreateFromString(config, text, &again);
      ASSERT_TRUE(s.ok()) << s.ToString();
      PushdownFileSystem* pd2 = AsPushdown(again);
      ASSERT_NE(pd2, nullptr);
      EXPECT_NE(pd2, pd);
      EXPECT_EQ(pd2->options().device, pd->options().device);
      EXPECT_EQ(pd2->options().io_uring, pd->options().io_uring);
      EXPECT_EQ(pd2->options().queue_depth, pd->options().queue_depth);
      EXPECT_EQ(again->ToString(config), text);
      std::string mismatch;
      EXPECT_TRUE(fs->AreEquivalent(config, again.get(), &mismatch)) << mismatch;
    }
  }
}

// The serialized id is accepted by itself too, and a plain round trip through
// the object registry creates the file system (not a null one).
TEST(CreateFromString, ClassNameIsAnId) {
  std::shared_ptr<rocksdb::FileSystem> fs;
  ASSERT_TRUE(CreatePushdownFs("id=PushdownFileSystem;device=host", &fs).ok());
  ASSERT_NE(AsPushdown(fs), nullptr);
  EXPECT_EQ(AsPushdown(fs)->options().device, exec::DeviceRequest::kHost);
  ASSERT_TRUE(CreatePushdownFs("PushdownFileSystem", &fs).ok());
  ASSERT_NE(AsPushdown(fs), nullptr);
}

TEST(CreateFromString, UnknownOptionIsAnError) {
  std::shared_ptr<rocksdb::FileSystem> fs;
  EXPECT_FALSE(CreatePushdownFs("id=pushdown;no_such_option=1", &fs).ok());
}

TEST(CreateFromString, UriForms) {
  std::shared_ptr<rocksdb::FileSystem> fs;
  ASSERT_TRUE(CreatePushdownFs("pushdown://", &fs).ok());
  ASSERT_NE(AsPushdown(fs), nullptr);
  EXPECT_EQ(AsPushdown(fs)->options().device, exec::DeviceRequest::kAuto);

  ASSERT_TRUE(CreatePushdownFs("pushdown://device=host", &fs).ok());
  EXPECT_EQ(AsPushdown(fs)->options().device, exec::DeviceRequest::kHost);

  rocksdb::Status s =
      CreatePushdownFs("pushdown://device=iterator&io_uring=false;queue_depth=4", &fs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(AsPushdown(fs)->options().device, exec::DeviceRequest::kIterator);
  EXPECT_FALSE(AsPushdown(fs)->options().io_uring);
  EXPECT_EQ(AsPushdown(fs)->options().queue_depth, 4u);
}

TEST(CreateFromString, BadUriIsAnError) {
  std::shared_ptr<rocksdb::FileSystem> fs;
  EXPECT_FALSE(CreatePushdownFs("pushdown://device=gpu", &fs).ok());
  EXPECT_FALSE(CreatePushdownFs("pushdown://bogus=1", &fs).ok());
  EXPECT_FALSE(CreatePushdownFs("pushdown://device", &fs).ok());
  EXPECT_FALSE(CreatePushdownFs("pushdown://queue_depth=0", &fs).ok());
}

TEST(Registration, FactoriesFoundAndIdempotent) {
  auto library = std::make_shared<rocksdb::ObjectLibrary>("pd_test");
  EXPECT_EQ(library->FindFactory<rocksdb::FileSystem>("pushdown"), nullptr);
  int first = register_PushdownObjects(*library, "");
  EXPECT_EQ(first, 3);
  EXPECT_EQ(RegisterPushdownPlugin(*library), 3);  // second call adds nothing
  EXPECT_NE(library->FindFactory<rocksdb::FileSystem>("pushdown"), nullptr);
  EXPECT_NE(library->FindFactory<rocksdb::FileSystem>("pushdown://"), nullptr);
  EXPECT_NE(library->FindFactory<rocksdb::FileSystem>("pushdown://device=kernel"), nullptr);
  EXPECT_NE(library->FindFactory<rocksdb::FileSystem>("PushdownFileSystem"), nullptr);
  EXPECT_EQ(library->FindFactory<rocksdb::FileSystem>("pushdownx"), nullptr);
  EXPECT_EQ(library->FindFactory<rocksdb::FileSystem>("posix://"), nullptr);
}

TEST(Registration, FactoryFillsGuard) {
  auto library = std::make_shared<rocksdb::ObjectLibrary>("pd_test_guard");
  RegisterPushdownPlugin(*library);
  auto factory = library->FindFactory<rocksdb::FileSystem>("pushdown://device=host");
  ASSERT_NE(factory, nullptr);
  std::unique_ptr<rocksdb::FileSystem> guard;
  std::string errmsg;
  rocksdb::FileSystem* fs = factory("pushdown://device=host", &guard, &errmsg);
  ASSERT_NE(fs, nullptr) << errmsg;
  EXPECT_EQ(fs, guard.get());

  std::unique_ptr<rocksdb::FileSystem> bad_guard;
  EXPECT_EQ(factory("pushdown://device=gpu", &bad_guard, &errmsg), nullptr);
  EXPECT_EQ(bad_guard, nullptr);
  EXPECT_NE(errmsg.find("device"), std::string::npos) << errmsg;
}

TEST(Registration, ThroughObjectRegistryAddLibrary) {
  auto registry = rocksdb::ObjectRegistry::NewInstance();
  registry->AddLibrary("pushdown", register_PushdownObjects, "");
  std::unique_ptr<rocksdb::FileSystem> guard;
  rocksdb::Status s = registry->NewUniqueObject<rocksdb::FileSystem>("pushdown://", &guard);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_STREQ(guard->Name(), "PushdownFileSystem");
}

}  // namespace
}  // namespace pushdown::engine
