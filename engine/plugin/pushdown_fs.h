// PushdownFileSystem: the RocksDB FileSystem plugin "pushdown".
//
// A FileSystemWrapper (ZenFS style) over FileSystem::Default(): every call
// passes through, except the data path of the DB's *.sst files:
//  - random-access *.sst files serve MultiRead and ReadAsync through io_uring
//    (Debian's librocksdb is built without liburing; this adds it);
//  - Poll/AbortIO complete those asynchronous reads;
//  - every *.sst file opened or created is recorded in sst_files().
// Its `device` option (options().device) is the default device of pushdown
// scans on a DB opened with it (engine/api/attach.h reads it).
//
// Create it with
//   FileSystem::CreateFromString(cfg, "id=pushdown;device=auto;io_uring=true", &fs)
// or, from stock tools with the plugin loaded, --fs_uri=pushdown://device=kernel.
// ToString() serializes "id=PushdownFileSystem;device=..;io_uring=..;queue_depth=..",
// which CreateFromString accepts (the class name is registered as an id).
// Cast a FileSystem to it with fs->CheckedCast<PushdownFileSystem>() (nullptr
// if it is not one; works through wrappers that forward Inner()).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/plugin/io_stats.h"
#include "engine/plugin/pushdown_fs_options.h"
#include "engine/plugin/sst_registry.h"
#include "rocksdb/file_system.h"

namespace pushdown::engine {

class PushdownFileSystem : public rocksdb::FileSystemWrapper {
 public:
  static const char* kClassName() { return kPushdownClassName.data(); }
  const char* Name() const override { return kClassName(); }
  const char* NickName() const override { return "pushdown"; }

  explicit PushdownFileSystem(
      const std::shared_ptr<rocksdb::FileSystem>& target = rocksdb::FileSystem::Default());
  ~PushdownFileSystem() override;

  // Validates the options (queue_depth range) after they were configured.
  rocksdb::Status PrepareOptions(const rocksdb::ConfigOptions& config_options) override;

  // The configured options. options().device is the default device of scans
  // on a DB opened with this file system (the attach API reads it; see
  // PushdownFsOptions::device). Stable after PrepareOptions.
  const PushdownFsOptions& options() const { return options_; }
  IoStatsSnapshot stats() const { return stats_->Snapshot(); }
  const SstRegistry& sst_files() const { return *registry_; }

  // Seam: the device set (pushdown/device: kernel BPF, host JIT) and the scan
  // fast path will be owned here, selected by options().device, and find the
  // DB's files through sst_files().

  rocksdb::IOStatus NewRandomAccessFile(const std::string& fname,
                                        const rocksdb::FileOptions& file_opts,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& file_opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Poll(std::vector<void*>& io_handles, size_t min_completions) override;
  rocksdb::IOStatus AbortIO(std::vector<void*>& io_handles) override;

 private:
  PushdownFsOptions options_;
  std::shared_ptr<IoStats> stats_;
  std::shared_ptr<SstRegistry> registry_;
};

}  // namespace pushdown::engine
