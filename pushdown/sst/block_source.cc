#include "pushdown/sst/block_source.h"

#include <fcntl.h>
#include <liburing.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace pushdown::exec {
namespace {

constexpr size_t kDirectAlign = 4096;

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<char, FreeDeleter>;

// A descriptor the source reads with: its own (O_DIRECT is a property of the
// open file, so O_DIRECT reads need one) or borrowed from the SstFile, which
// outlives the source. Only an owned one is closed.
class OwnedFd {
 public:
  static OwnedFd Own(int fd) { return OwnedFd(fd, true); }
  static OwnedFd Borrow(int fd) { return OwnedFd(fd, false); }
  OwnedFd(OwnedFd&& o) noexcept : fd_(o.fd_), owned_(o.owned_) { o.fd_ = -1; }
  OwnedFd& operator=(OwnedFd&& o) noexcept {
    std::swap(fd_, o.fd_);
    std::swap(owned_, o.owned_);
    return *this;
  }
  OwnedFd(const OwnedFd&) = delete;
  ~OwnedFd() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  OwnedFd(int fd, bool owned) : fd_(fd), owned_(owned) {}
  int fd_;
  bool owned_;
};

// Descriptors for `files`: the SstFiles' own for buffered reads (no new
// descriptor), new O_DIRECT ones otherwise.
Result<std::vector<OwnedFd>> OpenFds(const std::vector<const SstFile*>& files, bool o_direct) {
  std::vector<OwnedFd> fds;
  for (const SstFile* f : files) {
    if (!o_direct) {
      fds.push_back(OwnedFd::Borrow(f->fd()));
      continue;
    }
    int fd = ::open(f->info().path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
    if (fd < 0) {
      if (errno == EINVAL) {
        return Status::NotSupported("O_DIRECT rejected by the filesystem of " + f->info().path);
      }
      if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) {
        return Status::ResourceExhausted("open " + f->info().path + ": " + strerror(errno));
      }
      return Status::FromErrno("open " + f->info().path, errno);
    }
    fds.push_back(OwnedFd::Own(fd));
  }
  return fds;
}

// One large read: [offset, offset + length) of a file, holding data blocks
// [first_block, end_block). `needed` bytes from offset must arrive.
struct PlannedRead {
  uint32_t file = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t needed = 0;
  size_t first_block = 0;
  size_t end_block = 0;
  bool oversized = false;  // one block larger than a buffer: own heap read
};

uint64_t AlignDown(uint64_t v, uint64_t a) { return v & ~(a - 1); }
uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

// Synchronous pread of exactly `n` bytes, tolerating EOF only past `needed`.
Status PreadFully(int fd, char* buf, uint64_t n, uint64_t needed, uint64_t offset,
                  const std::string& name, uint64_t* got) {
  uint64_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("pread " + name, errno);
    }
    if (r == 0) break;
    done += static_cast<uint64_t>(r);
  }
  if (done < needed) {
    return Status::Corruption(name + ": unexpected end of file at offset " +
                              std::to_string(offset + done));
  }
  *got = done;
  return Status::OK();
}

class SourceBase : public BlockSource {
 public:
  SourceBase(std::vector<const SstFile*> files, const BlockSourceOptions& options,
             std::vector<OwnedFd> fds, std::vector<PlannedRead> plan, size_t buffer_size)
      : files_(std::move(files)),
        options_(options),
        fds_(std::move(fds)),
        plan_(std::move(plan)),
        buffer_size_(buffer_size) {}

  Status AllocateBuffers() {
    const size_t n = options_.queue_depth + 1;
    for (size_t i = 0; i < n; ++i) {
      void* p = nullptr;
      if (posix_memalign(&p, kDirectAlign, buffer_size_) != 0) {
        return Status::ResourceExhausted("cannot allocate read buffers");
      }
      buffers_.emplace_back(static_cast<char*>(p));
    }
    return Status::OK();
  }

  Status Next(SourceBlock* block, bool* done) override {
    *done = false;
    if (cur_ >= 0 && static_cast<size_t>(cur_) >= plan_.size()) {
      *done = true;
      return Status::OK();
    }
    while (cur_ < 0 || next_block_ >= plan_[cur_].end_block) {
      if (cur_ >= 0) Release(static_cast<size_t>(cur_));
      ++cur_;
      if (static_cast<size_t>(cur_) >= plan_.size()) {
        *done = true;
        return Status::OK();
      }
      const PlannedRead& r = plan_[cur_];
      if (r.oversized) {
        if (oversized_capacity_ < r.length) {
          void* p = nullptr;
          if (posix_memalign(&p, kDirectAlign, r.length) != 0) {
            return Status::ResourceExhausted("cannot allocate buffer for an oversized block");
          }
          oversized_.reset(static_cast<char*>(p));
          oversized_capacity_ = r.length;
        }
        uint64_t got;
        PD_RETURN_IF_ERROR(PreadFully(fds_[r.file].get(), oversized_.get(), r.length, r.needed,
                                      r.offset, files_[r.file]->info().file_name, &got));
        cur_data_ = oversized_.get();
        ++stats_.reads;
        stats_.bytes_read += got;
      } else {
        PD_RETURN_IF_ERROR(Acquire(static_cast<size_t>(cur_), &cur_data_));
      }
      next_block_ = r.first_block;
    }
    const PlannedRead& r = plan_[cur_];
    const SstFile* file = files_[r.file];
    const BlockHandle h = file->data_block_handle(next_block_);
    block->file_index = r.file;
    block->block_index = next_block_;
    block->handle = h;
    block->raw = std::string_view(cur_data_ + (h.offset - r.offset), h.size + kBlockTrailerSize);
    block->contents = {};
    block->compressed = false;
    ++next_block_;
    ++stats_.blocks;
    if (options_.decode && !options_.decompress) {
      PD_RETURN_IF_ERROR(file->VerifyBlock(h, block->raw, options_.verify_checksums));
      if (static_cast<uint8_t>(block->raw[h.size]) ==
          static_cast<uint8_t>(CompressionType::kNone)) {
        block->contents = block->raw.substr(0, h.size);
      } else {
        block->compressed = true;
      }
    } else if (options_.decode) {
      PD_RETURN_IF_ERROR(
          file->DecodeBlock(h, block->raw, options_.verify_checksums, &scratch_, &block->contents));
    }
    return Status::OK();
  }

 protected:
  // Makes read k's bytes available at *data. REQUIRES: reads < k released.
  virtual Status Acquire(size_t k, const char** data) = 0;
  virtual void Release(size_t k) = 0;
  char* BufferFor(size_t k) { return buffers_[k % buffers_.size()].get(); }

  std::vector<const SstFile*> files_;
  BlockSourceOptions options_;
  std::vector<OwnedFd> fds_;
  std::vector<PlannedRead> plan_;
  size_t buffer_size_;
  std::vector<AlignedBuffer> buffers_;

 private:
  long cur_ = -1;  // read being consumed
  size_t next_block_ = 0;
  const char* cur_data_ = nullptr;
  AlignedBuffer oversized_;  // aligned: O_DIRECT reads land here too
  size_t oversized_capacity_ = 0;
  std::string scratch_;
};

class PreadSource final : public SourceBase {
 public:
  using BlockSource::SetReason;
  using SourceBase::SourceBase;
  const char* backend() const override { return "pread"; }

 protected:
  Status Acquire(size_t k, const char** data) override {
    const PlannedRead& r = plan_[k];
    char* buf = BufferFor(k);
    uint64_t got;
    PD_RETURN_IF_ERROR(PreadFully(fds_[r.file].get(), buf, r.length, r.needed, r.offset,
                                  files_[r.file]->info().file_name, &got));
    ++stats_.reads;
    stats_.bytes_read += got;
    *data = buf;
    return Status::OK();
  }
  void Release(size_t) override {}
};

// Warm files, zero-copy: the span of the file the plan reads is mapped once
// (read-only, shared with the page cache) and each block's raw bytes are a
// view into the mapping, so nothing copies them into a buffer; checksums are
// verified where the bytes lie. Each planned read's pages are populated in
// one call before its blocks are walked (MADV_POPULATE_READ; where the
// kernel lacks it, the walk's page faults populate them). Oversized blocks
// go through SourceBase's pread like the other backends. Contract of the
// mapping: the file is immutable while the source lives (a live SST file);
// one truncated under the scan faults (SIGBUS), as RocksDB's mmap reads do.
class MmapSource final : public SourceBase {
 public:
  using SourceBase::SourceBase;
  const char* backend() const override { return "mmap"; }

  ~MmapSource() override {
    if (map_ != nullptr) ::munmap(map_, map_size_);
  }

  // Maps the plan's span; a non-OK status means "use another backend".
  Status Init() {
    if (plan_.empty()) return Status::OK();
    const uint32_t file = plan_.front().file;
    for (const PlannedRead& r : plan_) {
      if (r.file != file) return Status::InvalidArgument("mmap source reads one file");
    }
    const long page = ::sysconf(_SC_PAGESIZE);
    map_offset_ = AlignDown(plan_.front().offset, static_cast<uint64_t>(page));
    const uint64_t end = plan_.back().offset + plan_.back().needed;
    map_size_ = static_cast<size_t>(end - map_offset_);
    void* p = ::mmap(nullptr, map_size_, PROT_READ, MAP_SHARED, fds_[file].get(),
                     static_cast<off_t>(map_offset_));
    if (p == MAP_FAILED) {
      map_ = nullptr;
      return Status::FromErrno("mmap " + files_[file]->info().file_name, errno);
    }
    map_ = static_cast<char*>(p);
    ::madvise(map_, map_size_, MADV_SEQUENTIAL);
    return Status::OK();
  }

 protected:
  Status Acquire(size_t k, const char** data) override {
    const PlannedRead& r = plan_[k];
    char* at = map_ + (r.offset - map_offset_);
    if (populate_) {
      const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
      const uintptr_t begin = reinterpret_cast<uintptr_t>(at) & ~(page - 1);
      const uintptr_t end = reinterpret_cast<uintptr_t>(at) + r.needed;
      if (::madvise(reinterpret_cast<void*>(begin), end - begin, kPopulateRead) != 0) {
        populate_ = false;  // EINVAL before Linux 5.14: page faults populate instead
      }
    }
    ++stats_.reads;
    stats_.bytes_read += r.needed;
    *data = at;
    return Status::OK();
  }
  void Release(size_t) override {}

 private:
  static constexpr int kPopulateRead = 22;  // MADV_POPULATE_READ (Linux 5.14)
  char* map_ = nullptr;
  size_t map_size_ = 0;
  uint64_t map_offset_ = 0;
  bool populate_ = true;
};

class UringSource final : public SourceBase {
 public:
  using SourceBase::SourceBase;
  const char* backend() const override { return "io_uring"; }

  ~UringSource() override {
    if (!ring_ok_) return;
    // Drain reads still in flight before the buffers go away.
    while (inflight_ > 0) {
      io_uring_cqe* cqe = nullptr;
      if (io_uring_wait_cqe(&ring_, &cqe) != 0) break;
      io_uring_cqe_seen(&ring_, cqe);
      --inflight_;
    }
    io_uring_queue_exit(&ring_);
  }

  // Sets up the ring and registrations; a non-OK status means "use pread".
  Status Init() {
    int rc = io_uring_queue_init(options_.queue_depth + 1, &ring_, 0);
    if (rc < 0) return Status::Unavailable(std::string("io_uring_queue_init: ") + strerror(-rc));
    ring_ok_ = true;
    std::vector<int> fds;
    for (const auto& fd : fds_) fds.push_back(fd.get());
    rc = io_uring_register_files(&ring_, fds.data(), static_cast<unsigned>(fds.size()));
    if (rc < 0) {
      backend_reason_ += std::string("io_uring_register_files: ") + strerror(-rc) + "; ";
    } else {
      fixed_files_ = true;
      // The registered table holds its own reference to each file: our
      // O_DIRECT descriptors can go, so a file costs its SstFile's descriptor
      // and this ring's, no more. The rare synchronous reads (short-read
      // completion, oversized blocks) then use the SstFile's buffered one.
      for (size_t i = 0; i < fds_.size(); ++i) fds_[i] = OwnedFd::Borrow(files_[i]->fd());
    }
    std::vector<iovec> iov;
    for (auto& b : buffers_) iov.push_back(iovec{b.get(), buffer_size_});
    rc = io_uring_register_buffers(&ring_, iov.data(), static_cast<unsigned>(iov.size()));
    if (rc < 0) {
      backend_reason_ += std::string("io_uring_register_buffers: ") + strerror(-rc) + "; ";
    } else {
      fixed_buffers_ = true;
    }
    results_.assign(plan_.size(), kPending);
    for (size_t k = 0; k < plan_.size() && k < options_.queue_depth; ++k) {
      PD_RETURN_IF_ERROR(Submit(k));
    }
    return Status::OK();
  }

 protected:
  Status Acquire(size_t k, const char** data) override {
    // Keep queue_depth reads in flight while the consumer holds read k.
    const size_t ahead = k + options_.queue_depth;
    if (ahead < plan_.size() && submitted_ <= ahead) PD_RETURN_IF_ERROR(Submit(ahead));
    if (submitted_ <= k) PD_RETURN_IF_ERROR(Submit(k));
    while (results_[k] == kPending) {
      io_uring_cqe* cqe = nullptr;
      int rc = io_uring_wait_cqe(&ring_, &cqe);
      if (rc == -EINTR) continue;
      if (rc < 0) return Status::FromErrno("io_uring_wait_cqe", -rc);
      results_[cqe->user_data] = cqe->res;
      io_uring_cqe_seen(&ring_, cqe);
      --inflight_;
    }
    const PlannedRead& r = plan_[k];
    char* buf = BufferFor(k);
    const int64_t res = results_[k];
    ++stats_.reads;
    if (res < 0 && res != -EAGAIN && res != -EINTR) {
      return Status::FromErrno("io_uring read " + files_[r.file]->info().file_name,
                               static_cast<int>(-res));
    }
    uint64_t got = res < 0 ? 0 : static_cast<uint64_t>(res);
    if (got < r.needed) {
      // Short read (EOF race, signal): complete synchronously.
      ++stats_.fallback_preads;
      uint64_t more = 0;
      PD_RETURN_IF_ERROR(PreadFully(fds_[r.file].get(), buf + got, r.length - got, r.needed - got,
                                    r.offset + got, files_[r.file]->info().file_name, &more));
      got += more;
    }
    stats_.bytes_read += got;
    *data = buf;
    return Status::OK();
  }
  void Release(size_t) override {}

 private:
  static constexpr int64_t kPending = INT64_MIN;

  Status Submit(size_t k) {
    const PlannedRead& r = plan_[k];
    submitted_ = k + 1;
    if (r.oversized) {
      results_[k] = 0;  // read separately by the consumer
      return Status::OK();
    }
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) return Status::Internal("io_uring submission queue full");
    const int fd = fixed_files_ ? static_cast<int>(r.file) : fds_[r.file].get();
    char* buf = BufferFor(k);
    if (fixed_buffers_) {
      io_uring_prep_read_fixed(sqe, fd, buf, static_cast<unsigned>(r.length), r.offset,
                               static_cast<int>(k % buffers_.size()));
    } else {
      io_uring_prep_read(sqe, fd, buf, static_cast<unsigned>(r.length), r.offset);
    }
    if (fixed_files_) sqe->flags |= IOSQE_FIXED_FILE;
    if (options_.async_buffered_reads && !options_.o_direct) sqe->flags |= IOSQE_ASYNC;
    io_uring_sqe_set_data64(sqe, k);
    int rc = io_uring_submit(&ring_);
    if (rc < 0) return Status::FromErrno("io_uring_submit", -rc);
    ++inflight_;
    return Status::OK();
  }

  io_uring ring_{};
  bool ring_ok_ = false;
  bool fixed_files_ = false;
  bool fixed_buffers_ = false;
  size_t submitted_ = 0;  // reads [0, submitted_) have been submitted
  size_t inflight_ = 0;
  std::vector<int64_t> results_;
};

}  // namespace

BlockSource::~BlockSource() = default;

Result<std::unique_ptr<BlockSource>> BlockSource::Open(std::vector<const SstFile*> files,
                                                       const BlockSourceOptions& options) {
  std::vector<BlockRange> ranges;
  for (const SstFile* f : files) ranges.push_back({0, f->num_data_blocks()});
  return Open(std::move(files), options, std::move(ranges));
}

Result<std::unique_ptr<BlockSource>> BlockSource::Open(std::vector<const SstFile*> files,
                                                       const BlockSourceOptions& options,
                                                       std::vector<BlockRange> ranges) {
  if (ranges.size() != files.size()) {
    return Status::InvalidArgument("block source needs one block range per file");
  }
  for (size_t k = 0; k < files.size(); ++k) {
    if (ranges[k].begin > ranges[k].end || ranges[k].end > files[k]->num_data_blocks()) {
      return Status::InvalidArgument("block range past the data blocks of " +
                                     files[k]->info().path);
    }
  }
  if (options.queue_depth == 0 || options.queue_depth > 256) {
    return Status::InvalidArgument("queue_depth must be in 1..256");
  }
  if (options.read_size < 4096 || options.read_size > (1u << 30)) {
    return Status::InvalidArgument("read_size must be in 4 KiB..1 GiB");
  }
  const uint64_t align = options.o_direct ? kDirectAlign : 1;
  const size_t buffer_size =
      AlignUp(options.read_size, kDirectAlign) + (options.o_direct ? kDirectAlign : 0);

  for (const SstFile* f : files) {
    if (f->info().path.empty() || f->fd() < 0) {
      return Status::InvalidArgument("block source needs files opened from a path");
    }
  }
  PD_ASSIGN_OR_RETURN(std::vector<OwnedFd> fds, OpenFds(files, options.o_direct));
  if (options.o_direct && !fds.empty()) {
    void* p = nullptr;
    if (posix_memalign(&p, kDirectAlign, kDirectAlign) != 0) {
      return Status::ResourceExhausted("cannot allocate probe buffer");
    }
    AlignedBuffer probe(static_cast<char*>(p));
    if (::pread(fds[0].get(), probe.get(), kDirectAlign, 0) < 0 && errno == EINVAL) {
      return Status::NotSupported("O_DIRECT reads rejected by the filesystem of " +
                                  files[0]->info().path);
    }
  }

  // Plan: group consecutive blocks of a file into reads of <= buffer_size.
  std::vector<PlannedRead> plan;
  for (uint32_t fi = 0; fi < files.size(); ++fi) {
    const SstFile* f = files[fi];
    const auto& blocks = f->data_block_handles();
    const size_t end_block = ranges[fi].end;
    size_t i = ranges[fi].begin;
    while (i < end_block) {
      PlannedRead r;
      r.file = fi;
      r.first_block = i;
      r.offset = AlignDown(blocks[i].offset, align);
      uint64_t end = blocks[i].end_with_trailer();
      if (end > f->info().file_size) return Status::Internal("block past end of file");
      if (AlignUp(end - r.offset, align) > buffer_size) {
        r.oversized = true;
        r.needed = end - r.offset;
        r.length = AlignUp(r.needed, align);
        r.end_block = ++i;
        plan.push_back(r);
        continue;
      }
      ++i;
      while (i < end_block &&
             AlignUp(blocks[i].end_with_trailer() - r.offset, align) <= buffer_size) {
        end = blocks[i].end_with_trailer();
        ++i;
      }
      r.end_block = i;
      r.needed = end - r.offset;
      r.length = AlignUp(r.needed, align);
      plan.push_back(r);
    }
  }

  std::string reason;
  if (options.use_mmap && !options.o_direct && files.size() == 1) {
    auto m = std::make_unique<MmapSource>(files, options, std::move(fds), plan, buffer_size);
    Status s = m->Init();
    if (s.ok()) return std::unique_ptr<BlockSource>(std::move(m));
    reason = "mmap: " + s.message() + "; ";
    m.reset();
    PD_ASSIGN_OR_RETURN(fds, OpenFds(files, options.o_direct));
  } else if (options.use_mmap && !options.o_direct) {
    reason = "mmap: a source over " + std::to_string(files.size()) + " files (one file only); ";
  }
  if (options.use_io_uring) {
    auto u = std::make_unique<UringSource>(files, options, std::move(fds), plan, buffer_size);
    PD_RETURN_IF_ERROR(u->AllocateBuffers());
    Status s = u->Init();
    if (s.ok()) {
      // Why mmap was not taken, before the ring's own notes.
      u->SetReason(reason + u->backend_reason());
      return std::unique_ptr<BlockSource>(std::move(u));
    }
    reason += s.message();
    u.reset();  // its ring and buffers go before the pread source's are made
    // Reopen descriptors: the failed source owned them.
    PD_ASSIGN_OR_RETURN(fds, OpenFds(files, options.o_direct));
  } else {
    reason += "io_uring disabled by options";
  }
  auto p = std::make_unique<PreadSource>(std::move(files), options, std::move(fds), std::move(plan),
                                         buffer_size);
  PD_RETURN_IF_ERROR(p->AllocateBuffers());
  p->SetReason(reason);
  return std::unique_ptr<BlockSource>(std::move(p));
}

}  // namespace pushdown::exec
