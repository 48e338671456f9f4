// Counters of the plugin's read paths, shared by the file system and the files
// it opened (files hold a shared_ptr: they may outlive the file system).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace pushdown::engine {

// A plain snapshot of IoStats.
struct IoStatsSnapshot {
  uint64_t sst_opens = 0;           // *.sst files opened for random reads
  uint64_t multiread_calls = 0;     // MultiRead calls on wrapped *.sst files
  uint64_t multiread_requests = 0;  // FSReadRequests in those calls
  uint64_t uring_reads = 0;         // read SQEs submitted (incl. resubmissions)
  uint64_t uring_resubmits = 0;     // SQEs re-queued after a short read or EINTR/EAGAIN
  uint64_t uring_submit_calls = 0;  // io_uring_submit[_and_wait] calls (<= 1 syscall each)
  uint64_t async_reads = 0;         // ReadAsync calls served by io_uring
  uint64_t polls = 0;               // handles completed through Poll
  uint64_t aborts = 0;              // handles aborted through AbortIO
  uint64_t fallback_reads = 0;      // requests served by the wrapped file instead
};

// "pushdown fs stats: multiread_calls=3 multiread_requests=12 ...".
std::string FormatStats(const IoStatsSnapshot& s);

struct IoStats {
  std::atomic<uint64_t> sst_opens{0};
  std::atomic<uint64_t> multiread_calls{0};
  std::atomic<uint64_t> multiread_requests{0};
  std::atomic<uint64_t> uring_reads{0};
  std::atomic<uint64_t> uring_resubmits{0};
  std::atomic<uint64_t> uring_submit_calls{0};
  std::atomic<uint64_t> async_reads{0};
  std::atomic<uint64_t> polls{0};
  std::atomic<uint64_t> aborts{0};
  std::atomic<uint64_t> fallback_reads{0};

  static void Add(std::atomic<uint64_t>& counter, uint64_t n) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }

  IoStatsSnapshot Snapshot() const {
    IoStatsSnapshot s;
    s.sst_opens = sst_opens.load(std::memory_order_relaxed);
    s.multiread_calls = multiread_calls.load(std::memory_order_relaxed);
    s.multiread_requests = multiread_requests.load(std::memory_order_relaxed);
    s.uring_reads = uring_reads.load(std::memory_order_relaxed);
    s.uring_resubmits = uring_resubmits.load(std::memory_order_relaxed);
    s.uring_submit_calls = uring_submit_calls.load(std::memory_order_relaxed);
    s.async_reads = async_reads.load(std::memory_order_relaxed);
    s.polls = polls.load(std::memory_order_relaxed);
    s.aborts = aborts.load(std::memory_order_relaxed);
    s.fallback_reads = fallback_reads.load(std::memory_order_relaxed);
    return s;
  }
};

}  // namespace pushdown::engine
