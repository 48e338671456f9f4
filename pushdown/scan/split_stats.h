// The stats of a split scan (parallel_scan.h), merged from its workers' so
// that they equal the unsplit scan's.
//
// Why not a sum (ScanStats::Add): a file that k workers open is counted k
// times, each worker counts the blocks outside its own range as skipped by
// range, and a boundary block is read by both neighbours. So the sum's
// blocks_read + blocks_skipped exceeds the files' blocks. Each worker's
// FileScanStats carries its block sets (in_range, runs, unread); merged per
// file they are the unsplit scan's sets: the workers' ranges are contiguous,
// so the union of their index seeks is the whole range's.
#pragma once

#include <vector>

#include "pushdown/scan/scan_stats.h"

namespace pushdown::exec {

// The merged stats of the workers' stats `parts` (in range order):
//   - per_file: one entry per file (first appearance order), its blocks, in
//     range and to read being the union of the workers'; skipped_by_range =
//     blocks outside every worker's seek, skipped_by_zone_map = in some
//     worker's seek but read by none; opened if any worker opened it.
//   - files, files_skipped, files_skipped_by_zone_map, blocks_skipped,
//     blocks_skipped_by_range, blocks_skipped_by_zone_map: from per_file, as
//     the unsplit scan counts them.
//   - blocks_read: each block read once however many workers read it;
//     blocks_read_twice: the other reads (boundary blocks).
//   - range_tombstones: each file's once, plus the memtable's once.
//   - the rest summed (work done: bytes_read, entries_scanned and the device
//     time include the boundary blocks' second reads; range_tombstone_fragments
//     count a fragment cut by a boundary once per side).
// Exact once every worker is done (Finish set the unread blocks); while the
// scan runs, blocks a worker has still to read count as read.
ScanStats MergeSplitStats(const std::vector<const ScanStats*>& parts);

}  // namespace pushdown::exec
