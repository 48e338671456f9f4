// Helpers shared by the plugin tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine/plugin/pushdown_fs.h"
#include "engine/plugin/registration.h"
#include "rocksdb/convenience.h"
#include "rocksdb/file_system.h"

namespace pushdown::engine::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base != nullptr ? base : "/tmp") + "/pd_plugin_XXXXXX";
    char* made = ::mkdtemp(templ.data());
    if (made != nullptr) {
      path_ = made;
    }
  }
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

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
