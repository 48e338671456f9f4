#include "engine/plugin/uring.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace pushdown::engine {
namespace {

std::mutex g_disable_mu;
std::atomic<bool> g_disabled{false};
std::string* g_disabled_reason = nullptr;  // guarded by g_disable_mu; leaked on purpose

}  // namespace

void DisableIoUring(const std::string& reason) {
  std::lock_guard<std::mutex> lock(g_disable_mu);
  if (g_disabled.load(std::memory_order_relaxed)) {
    return;
  }
  g_disabled_reason = new std::string(reason);
  g_disabled.store(true, std::memory_order_release);
  std::fprintf(stderr, "pushdown: io_uring unavailable (%s); reading through the wrapped file\n",
               reason.c_str());
}

Result<std::unique_ptr<IoUring>> IoUring::Create(uint32_t entries) {
  std::unique_ptr<IoUring> ring(new IoUring());
  int rc = io_uring_queue_init(entries, &ring->ring_, 0);
  if (rc < 0) {
    return Status::Unavailable(std::string("io_uring_queue_init: ") + std::strerror(-rc));
  }
  ring->entries_ = ring->ring_.sq.ring_entries;
  return ring;
}

IoUring::~IoUring() {
  if (entries_ != 0) {
    io_uring_queue_exit(&ring_);
  }
}

bool IoUringDisabled() { return g_disabled.load(std::memory_order_acquire); }

std::string IoUringDisabledReason() {
  std::lock_guard<std::mutex> lock(g_disable_mu);
  return g_disabled_reason == nullptr ? std::string() : *g_disabled_reason;
}

namespace {
thread_local std::unique_ptr<IoUring> t_sync_ring;
}  // namespace

void ResetThreadSyncRing() { t_sync_ring.reset(); }

IoUring* ThreadSyncRing(uint32_t entries) {
  std::unique_ptr<IoUring>& ring = t_sync_ring;
  if (ring != nullptr && ring->entries() >= entries) {
    return ring.get();
  }
  if (IoUringDisabled()) {
    return nullptr;
  }
  ring.reset();
  auto created = IoUring::Create(entries);
  if (!created.ok()) {
    DisableIoUring(created.status().message());
    return nullptr;
  }
  ring = std::move(created).value();
  return ring.get();
}

}  // namespace pushdown::engine
