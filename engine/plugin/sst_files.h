// File wrappers the pushdown file system hands out for *.sst files.
#pragma once

#include <memory>
#include <string>

#include "engine/plugin/io_stats.h"
#include "engine/plugin/sst_registry.h"
#include "engine/plugin/uring_read.h"
#include "rocksdb/file_system.h"

namespace pushdown::engine {

// Owns a descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

struct UringFileConfig {
  bool use_io_uring = true;  // false: MultiRead/ReadAsync go to the wrapped file
  uint32_t queue_depth = 64;
};

// A random-access *.sst file whose MultiRead and ReadAsync go through io_uring
// on its own descriptor `fd` (opened with the wrapped file's flags, so
// O_DIRECT alignment rules are the same); Read and everything else go to the
// wrapped file. Where io_uring is unavailable it reads through the wrapped
// file (IoStats::fallback_reads counts those requests).
class UringRandomAccessFile : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  UringRandomAccessFile(std::unique_ptr<rocksdb::FSRandomAccessFile> base, std::string path,
                        UniqueFd fd, UringFileConfig config, std::shared_ptr<IoStats> stats,
                        std::shared_ptr<SstRegistry> registry);
  ~UringRandomAccessFile() override;

  rocksdb::IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t num_reqs,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;

  rocksdb::IOStatus ReadAsync(rocksdb::FSReadRequest& req, const rocksdb::IOOptions& opts,
                              std::function<void(const rocksdb::FSReadRequest&, void*)> cb,
                              void* cb_arg, void** io_handle, rocksdb::IOHandleDeleter* del_fn,
                              rocksdb::IODebugContext* dbg) override;

 private:
  // Reads op's remainder with the wrapped file's Read (the fallback path).
  void ReadRemainderWithBase(ReadOp* op, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg, rocksdb::IOStatus* status);

  const std::string path_;
  const UniqueFd fd_;
  const UringFileConfig config_;
  const ReadTarget target_;
  const std::shared_ptr<IoStats> stats_;
  const std::shared_ptr<SstRegistry> registry_;
};

// A writable *.sst file that reports its final size to the registry.
class SstWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  SstWritableFile(std::unique_ptr<rocksdb::FSWritableFile> base, std::string path,
                  std::shared_ptr<SstRegistry> registry);
  ~SstWritableFile() override;

  rocksdb::IOStatus Close(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;

 private:
  void ReportClosed();

  const std::string path_;
  const std::shared_ptr<SstRegistry> registry_;
  bool reported_ = false;
};

}  // namespace pushdown::engine
