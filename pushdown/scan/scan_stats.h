// What one scan did, for benchmarks and the engine's scan statistics.
#pragma once

#include <cstdint>

namespace pushdown::exec {

struct ScanStats {
  uint64_t files = 0;           // files read (a file invisible at the snapshot is skipped)
  uint64_t blocks_read = 0;     // data blocks read from storage
  uint64_t blocks_skipped = 0;  // data blocks never read (invisible files, limit reached)
  uint64_t bytes_read = 0;      // stored bytes of those blocks, trailers included
  // What a real device would transfer to the host: per OutRecord 16 bytes plus
  // its internal key, plus the value of every kMatched record. Host path:
  // what the host filter hands the merge, counted the same way.
  uint64_t bytes_to_host = 0;
  uint64_t entries_scanned = 0;  // entries walked in data blocks
  uint64_t rows_matched = 0;     // rows returned
  uint64_t device_ns = 0;        // in Device::Execute (staging + runs + readback)
  uint64_t host_ns = 0;          // everything else in the scan (reads, merge, residual)
};

}  // namespace pushdown::exec
