// Helpers shared by the plugin tests.
#pragma once

#include <memory>
#include <string>

#include "engine/plugin/pushdown_fs.h"
#include "engine/plugin/registration.h"
#include "rocksdb/convenience.h"
#include "rocksdb/file_system.h"
#include "temp_dir.h"

namespace pushdown::engine::testing {

// Registers the plugin (idempotent) and creates a file system from `value`
// ("id=pushdown;..." or "pushdown://..."). *fs is reset first: given an
// existing object, CreateFromString reconfigures it instead of creating anew.
inline rocksdb::Status CreatePushdownFs(const std::string& value,
                                        std::shared_ptr<rocksdb::FileSystem>* fs) {
  RegisterPushdownPlugin(*rocksdb::ObjectLibrary::Default());
  fs->reset();
  rocksdb::ConfigOptions config;
  config.ignore_unknown_options = false;
  return rocksdb::FileSystem::CreateFromString(config, value, fs);
}

inline PushdownFileSystem* AsPushdown(const std::shared_ptr<rocksdb::FileSystem>& fs) {
  return fs == nullptr ? nullptr : fs->CheckedCast<PushdownFileSystem>();
}

}  // namespace pushdown::engine::testing
