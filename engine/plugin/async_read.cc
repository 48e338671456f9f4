#include "engine/plugin/async_read.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_set>

namespace pushdown::engine {
namespace {

// user_data of SQEs whose completions carry no handle (cancels, neutralized SQEs).
constexpr uint64_t kIgnoreTag = 0;

class AsyncRing {
 public:
  explicit AsyncRing(std::unique_ptr<IoUring> ring) : ring_(std::move(ring)) {}

  std::mutex mu;
  io_uring* get() { return ring_->get(); }  // REQUIRES: mu held
  uint32_t entries() const { return ring_->entries(); }

 private:
  std::unique_ptr<IoUring> ring_;
};

struct AsyncRead {
  std::shared_ptr<AsyncRing> ring;
  std::shared_ptr<IoStats> stats;
  ReadTarget target;
  ReadOp op;              // guarded by ring->mu
  bool aborting = false;  // guarded by ring->mu; a cancel targets this handle
  rocksdb::FSReadRequest req;
  AsyncCallback cb;
  void* cb_arg = nullptr;
  bool callback_done = false;  // touched only by the thread polling/aborting this handle
};

// Handles alive (submitted, not yet deleted). Poll/AbortIO receive handles of
// any file system; membership here, not a tag inside the pointee, decides.
std::mutex g_live_mu;
std::unordered_set<const void*>* g_live = new std::unordered_set<const void*>();  // leaked

void AddLive(const void* h) {
  std::lock_guard<std::mutex> lock(g_live_mu);
  g_live->insert(h);
}

void RemoveLive(const void* h) {
  std::lock_guard<std::mutex> lock(g_live_mu);
  g_live->erase(h);
}

std::shared_ptr<AsyncRing> ThreadAsyncRing(uint32_t entries) {
  thread_local std::shared_ptr<AsyncRing> ring;
  if (ring != nullptr && ring->entries() >= entries) {
    return ring;
  }
  if (IoUringDisabled()) {
    return nullptr;
  }
  auto created = IoUring::Create(entries);
  if (!created.ok()) {
    DisableIoUring(created.status().message());
    return nullptr;
  }
  // A smaller previous ring stays alive while its handles hold it.
  ring = std::make_shared<AsyncRing>(std::move(created).value());
  return ring;
}

// Queues h's remainder. REQUIRES: ring->mu held.
bool QueueLocked(AsyncRing& ring, AsyncRead* h) {
  uint64_t tag = reinterpret_cast<uintptr_t>(h);
  if (PrepRemainder(ring.get(), h->target, h->op, tag)) {
    return true;
  }
  io_uring_submit(ring.get());  // make room, then retry once
  return PrepRemainder(ring.get(), h->target, h->op, tag);
}

// Submits what is queued and reaps at least one completion, finishing (or
// re-queuing) the handles they belong to. REQUIRES: ring->mu held.
void ReapLocked(AsyncRing& ring) {
  io_uring* r = ring.get();
  io_uring_cqe* cqe = nullptr;
  while (io_uring_peek_cqe(r, &cqe) != 0) {
    int rc = io_uring_submit_and_wait(r, 1);
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
      // Handles in flight may still be written into: no safe way to go on.
      std::fprintf(stderr, "pushdown: io_uring_submit_and_wait failed in poll: %s\n",
                   std::strerror(-rc));
      std::abort();
    }
  }
  unsigned head;
  unsigned seen = 0;
  io_uring_for_each_cqe(r, head, cqe) {
    ++seen;
    uint64_t tag = io_uring_cqe_get_data64(cqe);
    if (tag == kIgnoreTag) {
      continue;
    }
    auto* h = reinterpret_cast<AsyncRead*>(static_cast<uintptr_t>(tag));
    // A cancel meant for an earlier handle at the same address: read again.
    bool stray_cancel = cqe->res == -ECANCELED && !h->aborting;
    if (stray_cancel || ApplyCompletion(h->target, cqe->res, &h->op)) {
      IoStats::Add(h->stats->uring_resubmits, 1);
      IoStats::Add(h->stats->uring_reads, 1);
      if (!QueueLocked(ring, h)) {
        h->op.err = EAGAIN;
        h->op.finished = true;
      }
    }
  }
  io_uring_cq_advance(r, seen);
}

void WaitLocked(AsyncRead* h) {
  while (!h->op.finished) {
    ReapLocked(*h->ring);
  }
}

void CancelAndWait(AsyncRead* h) {
  std::lock_guard<std::mutex> lock(h->ring->mu);
  if (h->op.finished) {
    return;
  }
  io_uring* r = h->ring->get();
  io_uring_sqe* sqe = io_uring_get_sqe(r);
  if (sqe == nullptr) {
    io_uring_submit(r);
    sqe = io_uring_get_sqe(r);
  }
  if (sqe != nullptr) {
    h->aborting = true;
    io_uring_prep_cancel64(sqe, reinterpret_cast<uintptr_t>(h), 0);
    io_uring_sqe_set_data64(sqe, kIgnoreTag);
  }
  // Whether or not the cancel wins, the read's own completion arrives.
  WaitLocked(h);
}

void DeleteAsyncRead(void* p) {
  auto* h = static_cast<AsyncRead*>(p);
  if (h == nullptr) {
    return;
  }
  CancelAndWait(h);  // a no-op after Poll/AbortIO, the contract's normal case
  RemoveLive(h);
  delete h;
}

rocksdb::FSReadRequest CompletedRequest(const AsyncRead& h) {
  rocksdb::FSReadRequest out = h.req;
  out.result = rocksdb::Slice(h.req.scratch, h.op.done);
  if (h.op.err != 0) {
    out.status =
        rocksdb::IOStatus::IOError("async read offset " + std::to_string(h.req.offset) + " len " +
                                   std::to_string(h.req.len) + ": " + std::strerror(h.op.err));
  } else {
    out.status = rocksdb::IOStatus::OK();
  }
  return out;
}

}  // namespace

rocksdb::IOStatus SubmitAsyncRead(const ReadTarget& target, uint32_t ring_entries,
                                  const rocksdb::FSReadRequest& req, AsyncCallback cb, void* cb_arg,
                                  std::shared_ptr<IoStats> stats, void** io_handle,
                                  rocksdb::IOHandleDeleter* del_fn) {
  if (io_handle == nullptr || del_fn == nullptr || req.scratch == nullptr) {
    return rocksdb::IOStatus::NotSupported("async read without handle or scratch");
  }
  std::shared_ptr<AsyncRing> ring = ThreadAsyncRing(ring_entries);
  if (ring == nullptr) {
    return rocksdb::IOStatus::NotSupported("io_uring unavailable");
  }
  auto h = std::make_unique<AsyncRead>();
  h->ring = ring;
  h->stats = std::move(stats);
  h->target = target;
  h->op.offset = req.offset;
  h->op.len = req.len;
  h->op.buf = req.scratch;
  h->req.offset = req.offset;
  h->req.len = req.len;
  h->req.scratch = req.scratch;
  h->cb = std::move(cb);
  h->cb_arg = cb_arg;
  if (req.len == 0) {
    h->op.finished = true;
  } else {
    std::lock_guard<std::mutex> lock(ring->mu);
    if (!QueueLocked(*ring, h.get())) {
      return rocksdb::IOStatus::NotSupported("io_uring submission queue full");
    }
    int rc = io_uring_submit(ring->get());
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
      // Not consumed by the kernel (it returned an error): the queued SQE
      // cannot be taken back, so turn it into a harmless no-op.
      io_uring_sqe* sqe =
          &ring->get()->sq.sqes[(ring->get()->sq.sqe_tail - 1) & ring->get()->sq.ring_mask];
      io_uring_prep_nop(sqe);
      io_uring_sqe_set_data64(sqe, kIgnoreTag);
      return rocksdb::IOStatus::NotSupported(std::string("io_uring_submit: ") + std::strerror(-rc));
    }
    // EINTR/EAGAIN/EBUSY: the SQE stays queued; Poll submits it.
  }
  IoStats::Add(h->stats->async_reads, 1);
  IoStats::Add(h->stats->uring_reads, 1);
  IoStats::Add(h->stats->uring_submit_calls, 1);
  AddLive(h.get());
  *io_handle = h.release();
  *del_fn = DeleteAsyncRead;
  return rocksdb::IOStatus::OK();
}

bool IsPushdownAsyncHandle(void* handle) {
  if (handle == nullptr) {
    return false;
  }
  std::lock_guard<std::mutex> lock(g_live_mu);
  return g_live->count(handle) != 0;
}

void PollAsyncRead(void* handle) {
  auto* h = static_cast<AsyncRead*>(handle);
  {
    std::lock_guard<std::mutex> lock(h->ring->mu);
    WaitLocked(h);
  }
  if (!h->callback_done) {
    h->callback_done = true;
    IoStats::Add(h->stats->polls, 1);
    rocksdb::FSReadRequest done = CompletedRequest(*h);
    h->cb(done, h->cb_arg);
  }
}

void AbortAsyncRead(void* handle) {
  auto* h = static_cast<AsyncRead*>(handle);
  CancelAndWait(h);
  if (!h->callback_done) {
    h->callback_done = true;
    IoStats::Add(h->stats->aborts, 1);
    // See async_read.h: RocksDB 7.8 frees its per-read state in the callback.
    rocksdb::FSReadRequest aborted = h->req;
    aborted.result = rocksdb::Slice(h->req.scratch, 0);
    aborted.status = rocksdb::IOStatus::Aborted("pushdown: read aborted");
    h->cb(aborted, h->cb_arg);
  }
}

}  // namespace pushdown::engine
