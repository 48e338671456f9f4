#include "engine/plugin/pushdown_fs.h"

#include <fcntl.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "engine/plugin/async_read.h"
#include "engine/plugin/sst_files.h"
#include "rocksdb/utilities/options_type.h"

namespace pushdown::engine {
namespace {

// The `device` option's names: exactly exec::DeviceRequestName of each value,
// so that serialization (ToString) prints the name ParseDeviceRequest reads.
const std::unordered_map<std::string, exec::DeviceRequest> kDeviceRequestMap = [] {
  std::unordered_map<std::string, exec::DeviceRequest> m;
  for (exec::DeviceRequest d : {exec::DeviceRequest::kAuto, exec::DeviceRequest::kKernel,
                                exec::DeviceRequest::kHost, exec::DeviceRequest::kIterator}) {
    m.emplace(std::string(exec::DeviceRequestName(d)), d);
  }
  return m;
}();

const std::unordered_map<std::string, rocksdb::OptionTypeInfo> kPushdownFsTypeInfo = {
    {"device", rocksdb::OptionTypeInfo::Enum<exec::DeviceRequest>(
                   offsetof(PushdownFsOptions, device), &kDeviceRequestMap)},
    {"io_uring",
     {offsetof(PushdownFsOptions, io_uring), rocksdb::OptionType::kBoolean,
      rocksdb::OptionVerificationType::kNormal, rocksdb::OptionTypeFlags::kNone}},
    {"queue_depth",
     {offsetof(PushdownFsOptions, queue_depth), rocksdb::OptionType::kUInt32T,
      rocksdb::OptionVerificationType::kNormal, rocksdb::OptionTypeFlags::kNone}},
    {"program_cache_entries",
     {offsetof(PushdownFsOptions, program_cache_entries), rocksdb::OptionType::kUInt64T,
      rocksdb::OptionVerificationType::kNormal, rocksdb::OptionTypeFlags::kNone}},
    {"program_cache_bytes",
     {offsetof(PushdownFsOptions, program_cache_bytes), rocksdb::OptionType::kUInt64T,
      rocksdb::OptionVerificationType::kNormal, rocksdb::OptionTypeFlags::kNone}},
};

}  // namespace

PushdownFileSystem::PushdownFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target)
    : FileSystemWrapper(target),
      stats_(std::make_shared<IoStats>()),
      registry_(std::make_shared<SstRegistry>()) {
  RegisterOptions(&options_, &kPushdownFsTypeInfo);
}

PushdownFileSystem::~PushdownFileSystem() {
  // PUSHDOWN_FS_STATS=1 prints the read-path counters when the file system is
  // destroyed: how a stock tool run (db_bench, ldb) shows it used the plugin.
  const char* env = std::getenv("PUSHDOWN_FS_STATS");
  if (env != nullptr && env[0] != '\0' && env[0] != '0') {
    std::fprintf(stderr, "%s\n", FormatStats(stats()).c_str());
  }
}

rocksdb::Status PushdownFileSystem::PrepareOptions(const rocksdb::ConfigOptions& config_options) {
  if (options_.queue_depth == 0 || options_.queue_depth > PushdownFsOptions::kMaxQueueDepth) {
    return rocksdb::Status::InvalidArgument("pushdown: queue_depth must be in [1, " +
                                            std::to_string(PushdownFsOptions::kMaxQueueDepth) +
                                            "], got " + std::to_string(options_.queue_depth));
  }
  return FileSystemWrapper::PrepareOptions(config_options);
}

rocksdb::IOStatus PushdownFileSystem::NewRandomAccessFile(
    const std::string& fname, const rocksdb::FileOptions& file_opts,
    std::unique_ptr<rocksdb::FSRandomAccessFile>* result, rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewRandomAccessFile(fname, file_opts, result, dbg);
  if (!s.ok() || !IsSstFile(fname)) {
    return s;
  }
  uint64_t size = 0;
  target()->GetFileSize(fname, file_opts.io_options, &size, dbg).PermitUncheckedError();
  registry_->OnOpenedForRead(fname, size);
  IoStats::Add(stats_->sst_opens, 1);

  // mmap reads are served from memory by the wrapped file; io_uring adds nothing.
  bool use_uring = options_.io_uring && !file_opts.use_mmap_reads;
  UniqueFd fd;
  if (use_uring) {
    int flags = O_RDONLY | O_CLOEXEC | ((*result)->use_direct_io() ? O_DIRECT : 0);
    fd = UniqueFd(::open(fname.c_str(), flags));
    use_uring = fd.get() >= 0;  // cannot open it ourselves: plain pass-through reads
  }
  UringFileConfig config;
  config.use_io_uring = use_uring;
  config.queue_depth = options_.queue_depth;
  *result = std::make_unique<UringRandomAccessFile>(std::move(*result), fname, std::move(fd),
                                                    config, stats_, registry_);
  return s;
}

rocksdb::IOStatus PushdownFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& file_opts,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewWritableFile(fname, file_opts, result, dbg);
  if (s.ok() && IsSstFile(fname)) {
    registry_->OnCreated(fname);
    *result = std::make_unique<SstWritableFile>(std::move(*result), fname, registry_);
  }
  return s;
}

rocksdb::IOStatus PushdownFileSystem::DeleteFile(const std::string& fname,
                                                 const rocksdb::IOOptions& options,
                                                 rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok() && IsSstFile(fname)) {
    registry_->OnDeleted(fname);
  }
  return s;
}

rocksdb::IOStatus PushdownFileSystem::RenameFile(const std::string& src, const std::string& dst,
                                                 const rocksdb::IOOptions& options,
                                                 rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->RenameFile(src, dst, options, dbg);
  if (s.ok() && (IsSstFile(src) || IsSstFile(dst))) {
    registry_->OnRenamed(src, dst);
  }
  return s;
}

rocksdb::IOStatus PushdownFileSystem::Poll(std::vector<void*>& io_handles, size_t min_completions) {
  std::vector<void*> others;
  for (void* handle : io_handles) {
    if (IsPushdownAsyncHandle(handle)) {
      PollAsyncRead(handle);
    } else if (handle != nullptr) {
      others.push_back(handle);
    }
  }
  if (others.empty()) {
    return rocksdb::IOStatus::OK();
  }
  return target()->Poll(others, min_completions);
}

rocksdb::IOStatus PushdownFileSystem::AbortIO(std::vector<void*>& io_handles) {
  std::vector<void*> others;
  for (void* handle : io_handles) {
    if (IsPushdownAsyncHandle(handle)) {
      AbortAsyncRead(handle);
    } else if (handle != nullptr) {
      others.push_back(handle);
    }
  }
  if (others.empty()) {
    return rocksdb::IOStatus::OK();
  }
  return target()->AbortIO(others);
}

}  // namespace pushdown::engine
