// What one scan did, for benchmarks and the engine's scan statistics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pushdown::exec {

struct ScanStats {
  uint64_t files = 0;           // files read (a file invisible at the snapshot is skipped)
  uint64_t blocks_read = 0;     // data blocks read from storage
  uint64_t blocks_skipped = 0;  // data blocks of opened files never read (limit reached); files
                                // invisible at the snapshot are not opened, so not counted
  uint64_t bytes_read = 0;      // stored bytes of those blocks, trailers included
  // What a real device would transfer to the host, DeliveredBytes() per
  // emitted entry. Host path: what the host filter hands the merge, counted
  // the same way.
  uint64_t bytes_to_host = 0;
  uint64_t entries_scanned = 0;  // entries walked in data blocks
  uint64_t rows_matched = 0;     // rows returned
  uint64_t device_ns = 0;        // in device runs and reading back their records
  uint64_t host_ns = 0;          // everything else in the scan (reads, merge, residual); sampled
                                 // past the first 4096 rows (ScanExecutor::Next), so an estimate
  // Why block reads did not go through io_uring although the scan asked for it
  // (the first file's reason, e.g. "pread: io_uring_queue_init: Operation not
  // permitted", or the per-block pread after read buffers could not be
  // allocated). Empty when they did, or when io_uring was not asked for.
  std::string io_fallback_reason;
};

// The bytes one emitted entry costs to deliver (bpfgen/codegen/program_abi.h):
// its OutRecord, its key -- the user key alone when the stored trailer is
// (sequence 0, kTypeValue), else the internal key -- and a kMatched value.
inline constexpr size_t kOutRecordBytes = 12;  // sizeof(bpfgen::abi::OutRecord), asserted
inline uint64_t DeliveredBytes(size_t user_key_size, bool seq0_value, size_t value_size) {
  return kOutRecordBytes + user_key_size + (seq0_value ? 0 : 8) + value_size;
}

}  // namespace pushdown::exec
