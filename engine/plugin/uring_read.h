// Positional reads through an io_uring with pread's semantics.
//
// RocksDB-agnostic core of MultiRead/ReadAsync: a ReadOp is one positional
// read into a caller buffer. An op finishes when it has all `len` bytes, hits
// end of file (a read returns 0, or with O_DIRECT a read that is not a whole
// number of `alignment` units), or fails with an errno other than
// EINTR/EAGAIN (those, and short reads, are resubmitted for the remainder),
// exactly as PosixRandomAccessFile::Read's pread loop behaves.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>

#include "engine/plugin/io_stats.h"
#include "engine/plugin/uring.h"
#include "util/status.h"

namespace pushdown::engine {

struct ReadOp {
  uint64_t offset = 0;
  size_t len = 0;
  char* buf = nullptr;  // REQUIRES: buf[0..len) writable until the op finishes
  // Outputs.
  size_t done = 0;  // bytes in buf[0..done)
  int err = 0;      // errno of the failure, 0 if none
  bool finished = false;
};

// How the file was opened: O_DIRECT reads need aligned offsets/lengths/buffers
// (RocksDB aligns them for files whose use_direct_io() is true).
struct ReadTarget {
  int fd = -1;
  bool direct = false;
  size_t alignment = 4096;  // only meaningful when direct
};

// Prepares an SQE reading op's remainder (offset+done, len-done) tagged with
// user_data. Returns false when the submission queue is full.
bool PrepRemainder(io_uring* ring, const ReadTarget& target, const ReadOp& op, uint64_t user_data);

// Applies one completion result (cqe->res) to op. Returns true when the
// remainder must be resubmitted; otherwise op->finished is set.
bool ApplyCompletion(const ReadTarget& target, int res, ReadOp* op);

// Runs every op to completion with at most `depth` reads in flight, waiting
// for all of them. Ops with len == 0 finish immediately.
// Returns non-OK only when the ring itself failed (io_uring_enter error): the
// ops not `finished` were not read, nothing is in flight any more, and the
// caller must discard the ring (ResetThreadSyncRing) and read them otherwise.
Status UringReadAll(IoUring* ring, const ReadTarget& target, ReadOp* ops, size_t n, uint32_t depth,
                    IoStats* stats);

}  // namespace pushdown::engine
