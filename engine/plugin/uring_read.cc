#include "engine/plugin/uring_read.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace pushdown::engine {
namespace {

// One SQE reads at most this much; longer ops continue as "short reads".
constexpr size_t kMaxReadPerSqe = size_t{1} << 30;

}  // namespace

bool PrepRemainder(io_uring* ring, const ReadTarget& target, const ReadOp& op, uint64_t user_data) {
  io_uring_sqe* sqe = io_uring_get_sqe(ring);
  if (sqe == nullptr) {
    return false;
  }
  size_t remaining = std::min(op.len - op.done, kMaxReadPerSqe);
  io_uring_prep_read(sqe, target.fd, op.buf + op.done, static_cast<unsigned>(remaining),
                     op.offset + op.done);
  io_uring_sqe_set_data64(sqe, user_data);
  return true;
}

bool ApplyCompletion(const ReadTarget& target, int res, ReadOp* op) {
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) {
      return true;
    }
    op->err = -res;
    op->finished = true;
    return false;
  }
  if (res == 0) {  // end of file
    op->finished = true;
    return false;
  }
  op->done += static_cast<size_t>(res);
  if (op->done >= op->len) {
    op->finished = true;
    return false;
  }
  if (target.direct && static_cast<size_t>(res) % target.alignment != 0) {
    // A direct read that does not fill its sectors only happens at end of file.
    op->finished = true;
    return false;
  }
  return true;
}

Status UringReadAll(IoUring* ring, const ReadTarget& target, ReadOp* ops, size_t n, uint32_t depth,
                    IoStats* stats) {
  io_uring* r = ring->get();
  depth = std::max<uint32_t>(1, std::min(depth, ring->entries()));
  std::vector<size_t> resubmit;  // ops whose remainder must be queued again
  size_t next = 0;               // first op never queued
  size_t in_flight = 0;          // queued and not yet reaped
  uint64_t reads = 0, resubmits = 0, submit_calls = 0;

  auto flush_stats = [&] {
    if (stats != nullptr) {
      IoStats::Add(stats->uring_reads, reads);
      IoStats::Add(stats->uring_resubmits, resubmits);
      IoStats::Add(stats->uring_submit_calls, submit_calls);
    }
  };

  while (true) {
    // Queue as much as the depth allows: resubmissions first.
    while (in_flight < depth) {
      size_t idx;
      if (!resubmit.empty()) {
        idx = resubmit.back();
      } else {
        while (next < n && ops[next].len == 0) {
          ops[next++].finished = true;
        }
        if (next >= n) {
          break;
        }
        idx = next;
      }
      if (!PrepRemainder(r, target, ops[idx], idx)) {
        break;  // submission queue full: submit what is queued first
      }
      if (!resubmit.empty()) {
        resubmit.pop_back();
      } else {
        ++next;
      }
      ++in_flight;
      ++reads;
    }
    if (in_flight == 0) {
      break;
    }

    // Nothing left to queue: every read in flight must complete before we
    // return, so wait for all of them in one call.
    bool all_queued = resubmit.empty() && next >= n;
    unsigned wait_nr = all_queued ? static_cast<unsigned>(in_flight) : 1;
    ++submit_calls;
    int rc = io_uring_submit_and_wait(r, wait_nr);
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
      // The ring failed. SQEs the kernel has not consumed die with the ring;
      // the consumed ones must complete before their buffers are released.
      size_t unsubmitted = io_uring_sq_ready(r);
      size_t pending = in_flight >= unsubmitted ? in_flight - unsubmitted : 0;
      while (pending > 0) {
        io_uring_cqe* cqe = nullptr;
        int wrc = io_uring_wait_cqe(r, &cqe);
        if (wrc == -EINTR) {
          continue;
        }
        if (wrc < 0) {
          // Reads into caller buffers may still land: no safe way to return.
          std::fprintf(stderr, "pushdown: io_uring_wait_cqe failed while draining: %s\n",
                       std::strerror(-wrc));
          std::abort();
        }
        size_t idx = static_cast<size_t>(io_uring_cqe_get_data64(cqe));
        int res = cqe->res;
        io_uring_cqe_seen(r, cqe);
        if (idx < n && ApplyCompletion(target, res, &ops[idx])) {
          // Leave it unfinished: the caller reads the remainder otherwise.
        }
        --pending;
      }
      flush_stats();
      return Status::IOError(std::string("io_uring_submit_and_wait: ") + std::strerror(-rc));
    }

    // Reap everything that completed.
    io_uring_cqe* cqe = nullptr;
    unsigned head;
    unsigned seen = 0;
    io_uring_for_each_cqe(r, head, cqe) {
      size_t idx = static_cast<size_t>(io_uring_cqe_get_data64(cqe));
      ++seen;
      --in_flight;
      if (ApplyCompletion(target, cqe->res, &ops[idx])) {
        resubmit.push_back(idx);
        ++resubmits;
      }
    }
    io_uring_cq_advance(r, seen);
  }
  flush_stats();
  return Status::OK();
}

}  // namespace pushdown::engine
