#include "engine/plugin/sst_files.h"

#include <unistd.h>

#include <cstring>
#include <vector>

#include "engine/plugin/async_read.h"
#include "engine/plugin/uring.h"

namespace pushdown::engine {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = other.release();
  }
  return *this;
}

namespace {

ReadTarget MakeTarget(const rocksdb::FSRandomAccessFile& base, int fd) {
  ReadTarget target;
  target.fd = fd;
  target.direct = base.use_direct_io();
  target.alignment = base.GetRequiredBufferAlignment();
  if (target.alignment == 0) {
    target.alignment = 1;
  }
  return target;
}

rocksdb::IOStatus ReadError(const std::string& path, const ReadOp& op) {
  return rocksdb::IOStatus::IOError("While reading " + path + " offset " +
                                    std::to_string(op.offset) + " len " + std::to_string(op.len) +
                                    ": " + std::strerror(op.err));
}

}  // namespace

UringRandomAccessFile::UringRandomAccessFile(std::unique_ptr<rocksdb::FSRandomAccessFile> base,
                                             std::string path, UniqueFd fd, UringFileConfig config,
                                             std::shared_ptr<IoStats> stats,
                                             std::shared_ptr<SstRegistry> registry)
    : FSRandomAccessFileOwnerWrapper(std::move(base)),
      path_(std::move(path)),
      fd_(std::move(fd)),
      config_(config),
      target_(MakeTarget(*target(), fd_.get())),
      stats_(std::move(stats)),
      registry_(std::move(registry)) {}

UringRandomAccessFile::~UringRandomAccessFile() { registry_->OnReaderClosed(path_); }

void UringRandomAccessFile::ReadRemainderWithBase(ReadOp* op, const rocksdb::IOOptions& options,
                                                  rocksdb::IODebugContext* dbg,
                                                  rocksdb::IOStatus* status) {
  rocksdb::Slice got;
  char* dst = op->buf + op->done;
  *status = target()->Read(op->offset + op->done, op->len - op->done, options, &got, dst, dbg);
  if (status->ok()) {
    if (got.size() > 0 && got.data() != dst) {
      std::memmove(dst, got.data(), got.size());
    }
    op->done += got.size();
  }
  op->finished = true;
}

rocksdb::IOStatus UringRandomAccessFile::MultiRead(rocksdb::FSReadRequest* reqs, size_t num_reqs,
                                                   const rocksdb::IOOptions& options,
                                                   rocksdb::IODebugContext* dbg) {
  IoUring* ring = config_.use_io_uring ? ThreadSyncRing(config_.queue_depth) : nullptr;
  if (ring == nullptr || num_reqs == 0) {
    IoStats::Add(stats_->fallback_reads, num_reqs);
    return target()->MultiRead(reqs, num_reqs, options, dbg);
  }
  IoStats::Add(stats_->multiread_calls, 1);
  IoStats::Add(stats_->multiread_requests, num_reqs);

  std::vector<ReadOp> ops(num_reqs);
  for (size_t i = 0; i < num_reqs; ++i) {
    ops[i].offset = reqs[i].offset;
    ops[i].len = reqs[i].scratch == nullptr ? 0 : reqs[i].len;
    ops[i].buf = reqs[i].scratch;
  }
  Status ring_status =
      UringReadAll(ring, target_, ops.data(), num_reqs, config_.queue_depth, stats_.get());
  if (!ring_status.ok()) {
    ResetThreadSyncRing();
  }
  for (size_t i = 0; i < num_reqs; ++i) {
    rocksdb::FSReadRequest& req = reqs[i];
    ReadOp& op = ops[i];
    if (req.scratch == nullptr) {
      req.result = rocksdb::Slice();
      req.status = rocksdb::IOStatus::InvalidArgument("multiread request without scratch");
      continue;
    }
    if (!op.finished) {  // only after a ring failure
      IoStats::Add(stats_->fallback_reads, 1);
      ReadRemainderWithBase(&op, options, dbg, &req.status);
      req.result = rocksdb::Slice(req.scratch, op.done);
      continue;
    }
    if (op.err != 0) {
      req.result = rocksdb::Slice(req.scratch, 0);
      req.status = ReadError(path_, op);
    } else {
      req.result = rocksdb::Slice(req.scratch, op.done);
      req.status = rocksdb::IOStatus::OK();
    }
  }
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus UringRandomAccessFile::ReadAsync(
    rocksdb::FSReadRequest& req, const rocksdb::IOOptions& opts,
    std::function<void(const rocksdb::FSReadRequest&, void*)> cb, void* cb_arg, void** io_handle,
    rocksdb::IOHandleDeleter* del_fn, rocksdb::IODebugContext* dbg) {
  if (config_.use_io_uring) {
    rocksdb::IOStatus s =
        SubmitAsyncRead(target_, config_.queue_depth, req, cb, cb_arg, stats_, io_handle, del_fn);
    if (!s.IsNotSupported()) {
      return s;
    }
  }
  IoStats::Add(stats_->fallback_reads, 1);
  return target()->ReadAsync(req, opts, std::move(cb), cb_arg, io_handle, del_fn, dbg);
}

SstWritableFile::SstWritableFile(std::unique_ptr<rocksdb::FSWritableFile> base, std::string path,
                                 std::shared_ptr<SstRegistry> registry)
    : FSWritableFileOwnerWrapper(std::move(base)),
      path_(std::move(path)),
      registry_(std::move(registry)) {}

SstWritableFile::~SstWritableFile() { ReportClosed(); }

void SstWritableFile::ReportClosed() {
  if (reported_) {
    return;
  }
  reported_ = true;
  registry_->OnWriterClosed(path_, target()->GetFileSize(rocksdb::IOOptions(), nullptr));
}

rocksdb::IOStatus SstWritableFile::Close(const rocksdb::IOOptions& options,
                                         rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->Close(options, dbg);
  ReportClosed();
  return s;
}

}  // namespace pushdown::engine
