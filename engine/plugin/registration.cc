#include "engine/plugin/registration.h"

#include <memory>
#include <mutex>

#include "engine/plugin/pushdown_fs.h"
#include "engine/plugin/pushdown_fs_options.h"
#include "rocksdb/convenience.h"

namespace pushdown::engine {
namespace {

// Factory for both "pushdown" and "pushdown://opts". Fills guard (RocksDB owns
// the object through it) and returns the raw pointer, or nullptr + errmsg.
rocksdb::FileSystem* CreatePushdownFileSystem(const std::string& uri,
                                              std::unique_ptr<rocksdb::FileSystem>* guard,
                                              std::string* errmsg) {
  auto pairs = ParsePushdownUri(uri);
  if (!pairs.ok()) {
    *errmsg = pairs.status().message();
    return nullptr;
  }
  auto fs = std::make_unique<PushdownFileSystem>(rocksdb::FileSystem::Default());
  rocksdb::ConfigOptions config;
  config.ignore_unknown_options = false;
  config.invoke_prepare_options = true;
  // Always run PrepareOptions (validation), also when the URI has no options.
  rocksdb::Status s = pairs->empty() ? fs->PrepareOptions(config)
                                     : fs->ConfigureFromString(config, ToOptionsString(*pairs));
  if (!s.ok()) {
    *errmsg = "pushdown: bad uri '" + uri + "': " + s.ToString();
    return nullptr;
  }
  guard->reset(fs.release());
  return guard->get();
}

}  // namespace

int RegisterPushdownPlugin(rocksdb::ObjectLibrary& library) {
  static std::mutex mu;  // serializes the check-then-add below
  std::lock_guard<std::mutex> lock(mu);
  // Idempotent by content (not by library address, which can be reused).
  if (library.FindFactory<rocksdb::FileSystem>(std::string(kPushdownId)) == nullptr) {
    library.AddFactory<rocksdb::FileSystem>(
        rocksdb::ObjectLibrary::PatternEntry(std::string(kPushdownId), /*optional=*/false)
            .AddSeparator("://", /*at_least_one=*/false),
        CreatePushdownFileSystem);
    library.AddFactory<rocksdb::FileSystem>(std::string(kPushdownId), CreatePushdownFileSystem);
    // The id that ToString() serializes (Customizable::GetId() = Name()).
    // Without it CreateFromString(ToString()) found no factory and, with
    // ConfigOptions::ignore_unsupported_options (true by default), returned OK
    // with a null FileSystem.
    library.AddFactory<rocksdb::FileSystem>(std::string(kPushdownClassName),
                                            CreatePushdownFileSystem);
  }
  return static_cast<int>(library.GetFactoryCount(rocksdb::FileSystem::Type()));
}

}  // namespace pushdown::engine

extern "C" int register_PushdownObjects(rocksdb::ObjectLibrary& library,
                                        const std::string& /*arg*/) {
  return pushdown::engine::RegisterPushdownPlugin(library);
}
