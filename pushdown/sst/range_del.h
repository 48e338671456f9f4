// Range tombstones as a file's range-deletion meta block (metaindex key
// "rocksdb.range_del") stores them: one entry per tombstone, key = internal
// key (start user key, seq, kTypeRangeDeletion 0x0F), value = end user key
// (exclusive). The block is an ordinary key/value block with restart interval
// 1, never compressed by RocksDB 7.8 (we undo compression anyway), checksummed
// like every block. Tombstones may overlap and are not fragmented in the
// file: pushdown/scan/range_tombstones.h fragments them.
#pragma once

#include <cstdint>
#include <string>

namespace pushdown::exec {

// Hides every entry (user key k, seq s) with start <= k < end (bytewise) and
// s < seq, for readers whose snapshot is >= seq.
struct RangeTombstone {
  std::string start;  // inclusive
  std::string end;    // exclusive
  uint64_t seq = 0;
};

}  // namespace pushdown::exec
