// What one scan did, for benchmarks and the engine's scan statistics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pushdown::exec {

// Data blocks [begin, end) of one file.
struct BlockSpan {
  uint64_t begin = 0;
  uint64_t end = 0;
  bool operator==(const BlockSpan& o) const { return begin == o.begin && end == o.end; }
};

// What the scan decided for one SST file of the scan (visible at the
// snapshot), in the order the files were considered (newest first). The
// counts are planned when the executor opens (Explain shows them without
// reading a data block); blocks a limit left unread are not in them.
struct FileScanStats {
  std::string file;  // file name, e.g. "000012.sst"
  int level = 0;
  bool opened = false;  // false: its key range lies outside the scan's ranges, never opened
                        // (blocks unknown, 0); counted in ScanStats::files_skipped
  uint64_t blocks = 0;  // data blocks of the file (opened files)
  uint64_t skipped_by_range = 0;     // of `blocks`: outside the key ranges (index seek)
  uint64_t skipped_by_zone_map = 0;  // of `blocks`: in range, ruled out by the zone map
  bool skipped_whole = false;        // no data block of the file is read
  // How the zone map was used: "off" (ScanPlan::zone_maps, raw mode without
  // a recorded field), "none" (the file has no zone map), "unusable: why",
  // "not exact: why" (read, but skipping would not be exact), "used".
  std::string zone_map;
  // The block sets behind those counts, so that the stats of a split scan's
  // workers (parallel_scan.h) merge into the unsplit scan's (split_stats.h)
  // instead of adding up a boundary block per worker. Not in --stats.
  std::vector<BlockSpan> in_range;  // ascending, disjoint: blocks the index seek selected
  std::vector<BlockSpan> runs;      // of those, the blocks to read (the zone map's cut made)
  uint64_t unread = 0;              // blocks at the end of `runs` never read (limit; set by Finish)
  uint64_t range_tombstones = 0;    // its range tombstones at or below the snapshot
};

struct ScanStats {
  uint64_t files = 0;           // files read (a file invisible at the snapshot is skipped)
  uint64_t blocks_read = 0;     // data blocks read from storage
  uint64_t blocks_skipped = 0;  // data blocks of opened files never read (limit reached, or
                                // outside the key bounds); files not opened (invisible at the
                                // snapshot, outside the bounds) are not counted. Once the scan
                                // is done: blocks_read + blocks_skipped = blocks of opened files
  uint64_t bytes_read = 0;      // stored bytes of those blocks, trailers included
  // What a real device would transfer to the host, DeliveredBytes() per
  // emitted entry. Host path: what the host filter hands the merge, counted
  // the same way.
  uint64_t bytes_to_host = 0;
  uint64_t entries_scanned = 0;  // entries walked in data blocks
  // Rows that satisfied the predicate: the rows returned, plus the rows the
  // device aggregated itself (rows_aggregated_on_device; they never reach the
  // merge). So rows_matched is the same on every path and device for one scan.
  uint64_t rows_matched = 0;
  uint64_t device_ns = 0;  // in device runs and reading back their records
  uint64_t host_ns = 0;    // everything else in the scan (reads, merge, residual); sampled
                           // past the first 4096 rows (ScanExecutor::Next), so an estimate
  // Key bounds (ScanPlan::lower_bound / upper_bound, key_range.h):
  uint64_t files_skipped = 0;  // files not opened: their known key range lies outside the bounds
                               // (every file when the range is empty); not in `files`. Only
                               // with ScanPlan::bytewise_comparator
  uint64_t blocks_skipped_by_range = 0;  // data blocks of opened files that the index seek left
                                         // out (cannot hold a key in the bounds); a part of
                                         // blocks_skipped
  // Zone maps (ScanPlan::zone_maps):
  uint64_t blocks_skipped_by_zone_map = 0;  // data blocks not read: the zone map proved no row
                                            // matches, and nothing older can be revealed; a
                                            // part of blocks_skipped
  uint64_t files_skipped_by_zone_map = 0;   // opened files none of whose blocks in range was read
                                            // for that reason (counted in `files`)
  uint64_t blocks_zone_always = 0;  // blocks whose rows all match by the zone map: delivered
                                    // without evaluating the predicate (host path)
  // Per file: blocks, skipped by range, skipped by zone map, skipped whole.
  std::vector<FileScanStats> per_file;
  // The memtables' share (ScanPlan::memtable; memtable_stream.h): entries the
  // merge took from it, their key + value bytes, and its values that passed
  // the device conjuncts (evaluated on the host). Not in the counts above.
  uint64_t memtable_entries = 0;
  uint64_t memtable_bytes = 0;
  uint64_t memtable_values_matched = 0;
  // Range deletions (range_tombstones.h): tombstones at or below the snapshot
  // the scan read (opened files' range-deletion blocks, ScanPlan::
  // memtable_tombstones), the disjoint fragments they made once clipped to the
  // files' key ranges and the bounds, and the user keys whose newest visible
  // version they hid (each such key is one application; its older versions
  // are hidden with it).
  uint64_t range_tombstones = 0;
  uint64_t range_tombstone_fragments = 0;
  uint64_t keys_hidden_by_range_deletion = 0;
  // Why block reads did not go through io_uring although the scan asked for it
  // (the first file's reason, e.g. "pread: io_uring_queue_init: Operation not
  // permitted", or the per-block pread after read buffers could not be
  // allocated). Empty when they did, or when io_uring was not asked for.
  std::string io_fallback_reason;
  // Aggregation on the device (ScanPlan::device_aggregation): data blocks the
  // device aggregated itself (their rows never reach the merge; counted in
  // blocks_read and entries_scanned) and the rows it folded into partials.
  // The partials' bytes are in bytes_to_host.
  uint64_t blocks_aggregated_on_device = 0;
  uint64_t rows_aggregated_on_device = 0;
  // Blocks staged for aggregation that the device sent back (an entry not
  // (sequence 0, Value): kBlockNeedsRecords) and that were run again as
  // records. Not in --stats.
  uint64_t blocks_aggregate_sent_back = 0;
  // A split scan (parallel_scan.h): reads of a block that another worker read
  // too (the boundary blocks; split_stats.h). blocks_read counts each block
  // once, as the unsplit scan does; the work done is blocks_read +
  // blocks_read_twice reads. 0 for an unsplit scan. At the end of --stats.
  uint64_t blocks_read_twice = 0;
  // Zero-copy staging (device_stream.h): compressed data blocks decompressed
  // straight into a device program's local memory, and uncompressed ones
  // read straight into it (no staging buffer, no copy). Not in --stats.
  uint64_t blocks_decompressed_in_place = 0;
  uint64_t blocks_read_in_place = 0;

  // Adds o's counters into this one (a parallel scan sums its workers'); the
  // first non-empty io_fallback_reason is kept. Add new counters here too.
  // Summed worker counts are counts of work: a file two workers open (and the
  // range tombstones they each read from it) and the boundary block both read
  // (parallel_scan.h) are counted once per worker. per_file is not merged:
  // MergeSplitStats (split_stats.h) merges a split scan's workers exactly.
  void Add(const ScanStats& o) {
    files += o.files;
    blocks_read += o.blocks_read;
    blocks_skipped += o.blocks_skipped;
    bytes_read += o.bytes_read;
    bytes_to_host += o.bytes_to_host;
    entries_scanned += o.entries_scanned;
    rows_matched += o.rows_matched;
    device_ns += o.device_ns;
    host_ns += o.host_ns;
    files_skipped += o.files_skipped;
    blocks_skipped_by_range += o.blocks_skipped_by_range;
    blocks_skipped_by_zone_map += o.blocks_skipped_by_zone_map;
    files_skipped_by_zone_map += o.files_skipped_by_zone_map;
    blocks_zone_always += o.blocks_zone_always;
    memtable_entries += o.memtable_entries;
    memtable_bytes += o.memtable_bytes;
    memtable_values_matched += o.memtable_values_matched;
    range_tombstones += o.range_tombstones;
    range_tombstone_fragments += o.range_tombstone_fragments;
    keys_hidden_by_range_deletion += o.keys_hidden_by_range_deletion;
    blocks_aggregated_on_device += o.blocks_aggregated_on_device;
    rows_aggregated_on_device += o.rows_aggregated_on_device;
    blocks_aggregate_sent_back += o.blocks_aggregate_sent_back;
    blocks_read_twice += o.blocks_read_twice;
    blocks_decompressed_in_place += o.blocks_decompressed_in_place;
    blocks_read_in_place += o.blocks_read_in_place;
    if (io_fallback_reason.empty()) io_fallback_reason = o.io_fallback_reason;
  }
};

// The bytes one emitted entry costs to deliver (bpfgen/codegen/program_abi.h):
// its OutRecord, its key -- the user key alone when the stored trailer is
// (sequence 0, kTypeValue), else the internal key -- and a kMatched value.
inline constexpr size_t kOutRecordBytes = 12;  // sizeof(bpfgen::abi::OutRecord), asserted
inline uint64_t DeliveredBytes(size_t user_key_size, bool seq0_value, size_t value_size) {
  return kOutRecordBytes + user_key_size + (seq0_value ? 0 : 8) + value_size;
}

}  // namespace pushdown::exec
