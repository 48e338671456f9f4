// RAII owner of one io_uring, and the per-thread rings the plugin reads with.
//
// Ring model (why thread_local): the synchronous path (MultiRead) submits a
// batch and reaps every completion before it returns, so a ring never holds
// work between calls. One ring per thread then needs no lock on the hot path
// and never sees another thread's completions. The asynchronous path
// (ReadAsync/Poll) keeps requests in flight between calls; it uses a second
// per-thread ring, reference-counted by its handles (so it outlives its thread
// while reads are pending) and guarded by a mutex (so a handle may be polled
// from another thread). See async_read.h.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <string>

#include "util/status.h"

namespace pushdown::engine {

class IoUring {
 public:
  // Creates a ring with at least `entries` submission entries (rounded up to
  // a power of two by the kernel). Unavailable where the kernel or a sandbox
  // refuses io_uring (the message carries the errno text).
  static Result<std::unique_ptr<IoUring>> Create(uint32_t entries);

  ~IoUring();
  IoUring(const IoUring&) = delete;
  IoUring& operator=(const IoUring&) = delete;

  io_uring* get() { return &ring_; }
  uint32_t entries() const { return entries_; }

 private:
  IoUring() = default;

  io_uring ring_{};
  uint32_t entries_ = 0;
};

// Process-wide io_uring availability. The first failed io_uring_queue_init
// disables io_uring for the process and logs the reason once to stderr; every
// later caller falls back to the wrapped file's reads without retrying.
bool IoUringDisabled();
// The reason recorded by the first failure ("" while io_uring works).
std::string IoUringDisabledReason();
// Records a failure: disables io_uring for the process (first reason wins).
void DisableIoUring(const std::string& reason);

// The calling thread's synchronous ring with at least `entries` entries,
// created lazily (and re-created larger if needed); destroyed at thread exit.
// Returns nullptr where io_uring is unavailable.
// REQUIRES: the caller reaps every completion of what it submits before it
// returns (the ring is idle between calls).
IoUring* ThreadSyncRing(uint32_t entries);

// Destroys the calling thread's sync ring (after a read on it failed at the
// ring level); the next ThreadSyncRing call creates a new one.
void ResetThreadSyncRing();

}  // namespace pushdown::engine
