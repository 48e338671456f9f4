// ReadAsync / Poll / AbortIO through io_uring.
//
// An AsyncRead is the io_handle RocksDB holds between ReadAsync and Poll (or
// AbortIO). Requests are submitted to the calling thread's async ring, a ring
// shared (shared_ptr) by the handles submitted on it, so it outlives its
// thread while reads are pending, and guarded by its mutex, so any thread may
// poll it. Completions reaped while polling one handle finish other handles of
// the same ring, but a handle's callback runs only in Poll of that handle, on
// the polling thread (never concurrently with its owner).
#pragma once

#include <functional>
#include <memory>

#include "engine/plugin/io_stats.h"
#include "engine/plugin/uring_read.h"
#include "rocksdb/file_system.h"

namespace pushdown::engine {

using AsyncCallback = std::function<void(const rocksdb::FSReadRequest&, void*)>;

// Submits req as an io_uring read on the calling thread's async ring.
// On OK, *io_handle owns the read and *del_fn releases it (RocksDB calls it
// after Poll or AbortIO). NotSupported where io_uring is unavailable or the
// submission failed: nothing was submitted, and the caller must serve req
// another way.
// REQUIRES: req.scratch[0..req.len) stays valid until Poll/AbortIO/del_fn.
rocksdb::IOStatus SubmitAsyncRead(const ReadTarget& target, uint32_t ring_entries,
                                  const rocksdb::FSReadRequest& req, AsyncCallback cb, void* cb_arg,
                                  std::shared_ptr<IoStats> stats, void** io_handle,
                                  rocksdb::IOHandleDeleter* del_fn);

// True if handle was created by SubmitAsyncRead.
bool IsPushdownAsyncHandle(void* handle);

// Waits until the read completes (resubmitting short reads) and runs its
// callback once. REQUIRES: IsPushdownAsyncHandle(handle).
void PollAsyncRead(void* handle);

// Cancels the read if it is still in flight and waits until the kernel no
// longer writes its buffer. If the callback has not run yet, it runs once, now,
// with IOStatus::Aborted and an empty result, and never again.
// Why, although FileSystem::AbortIO's comment says the callback should not run:
// RocksDB 7.8's RandomAccessFileReader::ReadAsync allocates a ReadAsyncInfo
// that only its callback frees, so an abort without callback leaks it on every
// async iterator destroyed with a prefetch in flight (LeakSanitizer found it).
// Its user callback, FilePrefetchBuffer::PrefetchAsyncCallback, ignores
// non-OK results, so the aborted buffer is not used.
// REQUIRES: IsPushdownAsyncHandle(handle).
void AbortAsyncRead(void* handle);

}  // namespace pushdown::engine
