// CaptureMemtable: the part of a scan's input that is still in a column
// family's memtables, captured at the scan's snapshot WITHOUT WRITING ANYTHING
// (no flush, no new file: the DB directory is left as it is).
//
// Mechanism (why this one). RocksDB 7.8's public API has no memtable iterator
// that shows tombstones or sequence numbers: a kMemtableTier iterator hides
// deletions, and Get(kMemtableTier) is not memtable-only (DBImpl::GetImpl
// falls through to Version::Get). The one public source of the memtables'
// entries with real sequence numbers, deletions included, is the live WAL
// (DB::GetUpdatesSince), so the capture reads the WAL and takes, for every
// user key of the column family, the NEWEST WAL entry at or below the snapshot
// (value, deletion or single deletion) with its real sequence number, and
// every range deletion (DeleteRange) of the family at or below the snapshot
// with its real sequence number (MemtableCapture::range_tombstones).
//
// Why that is exact. Let W be the WAL batches read, from the first one
// (sequence F) to the last (T). The capture requires:
//   (1) W is contiguous: each batch starts right after the previous one ends,
//       so every sequence number in [F, T] is a WAL'd write. (A write with
//       WriteOptions::disableWAL, an ingested file or a lost record inside W
//       leaves a hole, which fails the check.)
//   (2) T >= snapshot: every write in [F, snapshot] is in W.
//   (3) W reaches back over every memtable entry (F <= E, the memtables'
//       oldest sequence number). Proof by counting: read X =
//       GetLatestSequenceNumber(), then N = rocksdb.num-entries-active-mem-table
//       + rocksdb.num-entries-imm-mem-tables, then X again (retried while it
//       moves). Require N <= the number of W entries of the column family at
//       or below X. (An entry inserted but not yet published when N is read
//       makes N larger: a spurious failure, retried by a fresh capture up to
//       three times, never a pass that should have failed.) If F > E, W holds no
//       flushed entry of the family (flushed ones are older than E), so it
//       counts only memtable entries in [F, X], fewer than N: the check fails.
//       (This is what catches WAL-less writes at the memtables' start, which
//       (1) cannot see, and ingested files' sequence numbers below F.)
// Then, for a user key k with an entry in W, any write to k at or below the
// snapshot that is newer than k's newest W entry would itself be a write in
// [F, snapshot], hence in W: so k's newest W entry IS k's newest version at
// the snapshot, whether it is still in a memtable or already flushed (a
// flushed duplicate has the same value, or -- after a bottommost compaction
// zeroed its sequence number -- a smaller sequence number, and loses the
// merge; it never wins over a newer W entry). Keys without a W entry have no
// write in [F, snapshot] and none in the memtables, so the SST files alone
// decide them. This is why the capture does NOT mix sources, e.g. values from
// the memtable iterator with tombstones from the WAL: a WAL tombstone of an
// already flushed write may be older than a newer flushed put whose sequence
// number compaction zeroed, and applying it would hide the key. The
// newest-W-entry rule never does that.
// Range deletions in W are exact for the same reason: a W tombstone [a, b)
// at t hides a key k in [a, b) iff k's newest version at the snapshot is
// older than t. If k has a write newer than t (and <= snapshot), that write
// is in [F, snapshot], so in W, and it is k's captured entry with its real
// sequence number (> t): not hidden, and it outranks every file version of k
// (a zeroed sequence number included). Otherwise k is deleted at the
// snapshot, which is what applying the tombstone says. W tombstones are
// applied whole (a memtable's are never truncated; a flushed copy in W is
// logically the same deletion as the memtable's was).
//
// Cross-check (defence in depth): every value a memtable-only iterator
// (ReadOptions::read_tier = kMemtableTier, at the snapshot; it applies the
// memtables' range deletions) shows equals its key's captured newest entry,
// and no captured range deletion hides it.
//
// Where W starts: at the batch holding the family's newest SST sequence
// number + 1 (older batches are flushed; skipping them only saves reading).
// Correctness does not rest on that choice: condition (3) rejects a start past
// a memtable entry.
//
// Fallback (MemtableCapture::fallback_reason non-empty; the planner takes the
// iterator path) wherever exactness cannot be established: recycled WAL files
// (recycle_log_file_num > 0), two_write_queues, unordered_write, allow_2pc,
// manual_wal_flush, inplace_update_support, a non-bytewise comparator or user
// timestamps, a failed check above (a hole: disableWAL writes, ingestion;
// concurrent writes while counting), a WAL file deleted or unreadable while
// read (a racing flush may delete it) or failing its checksum, a merge,
// wide-column or blob entry of the column family at or below the snapshot in
// the WAL (not supported on this path), or a WAL beyond the bounds below. Read-only instances work
// (their WAL is not written); on a secondary instance the cross-check reads at the latest sequence,
// which must equal the snapshot's.
//
// Writes: none by the capture. RocksDB's GetUpdatesSince itself adds a line
// to the DB's info LOG (unless options.db_log_dir puts it elsewhere) on a WAL
// gap -- a fallback -- and, when the DB archives WAL files (WAL_ttl_seconds /
// WAL_size_limit_MB) and the archive is not empty, on every call.
//
// Memory: the capture holds the WAL batches that carry an entry of the column
// family at or below the snapshot (at most CaptureOptions::max_held_bytes of
// batch data, range deletions' copied keys included) plus one 48-byte index
// entry per such entry; it reads at most
// CaptureOptions::max_read_bytes of WAL batches in all. Beyond either bound:
// fallback. The stream keeps that memory until it is destroyed (the scan's
// end).
//
// Order: call it BEFORE reading the column family's file list
// (GetColumnFamilyMetaData): an entry moved to an SST file by a flush racing
// with the scan is then seen in both (same key, same sequence number: the
// merge keeps one), never in neither.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pushdown/scan/entry_stream.h"
#include "pushdown/sst/range_del.h"
#include "rocksdb/db.h"
#include "util/status.h"

namespace pushdown::engine {

struct CaptureOptions {
  uint64_t max_read_bytes = uint64_t{256} << 20;  // WAL batch bytes read (every column family)
  uint64_t max_held_bytes = uint64_t{64} << 20;   // WAL batch bytes kept for the stream
  // The memtable-only iterator cross-check (defence in depth: exactness rests
  // on conditions (1)-(3) alone). Costs one memtable pass.
  bool cross_check_memtable_iterator = true;
};

// The memtables' share of a scan, captured at the snapshot.
struct MemtableCapture {
  // Internal-key ordered entries (user key ascending, one entry per user key:
  // its newest version at or below the snapshot) that the merge must see in
  // addition to the SST files: values (unfiltered: cls kMatched; the executor
  // classifies them), deletions and single deletions (cls kNotValue). Null
  // when there is nothing at or below the snapshot, or with a fallback.
  std::unique_ptr<exec::EntryStream> stream;
  // The family's range deletions in the WAL at or below the snapshot (real
  // sequence numbers, unfragmented, in WAL order): the scan applies them to
  // every stream (exec::ScanPlan::memtable_tombstones). Empty with a fallback.
  // A caller that passes `stream` to a scan MUST pass these too: without them
  // keys the memtables range-deleted would reappear.
  std::vector<exec::RangeTombstone> range_tombstones;
  // Non-empty: exactness cannot be established; the planner takes the
  // iterator path with this reason. `stream` is then null.
  std::string fallback_reason;
  uint64_t entries = 0;      // entries in `stream`
  uint64_t bytes = 0;        // their key + value bytes
  uint64_t wal_batches = 0;  // WAL batches read
};

// REQUIRES: db, cf and snapshot non-null; the snapshot is held for as long as
// the stream is used. Call BEFORE reading the column family's file list.
// An error status only for a caller mistake (null argument); everything the
// DB's state can cause is a fallback_reason.
Result<MemtableCapture> CaptureMemtable(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                        const rocksdb::Snapshot* snapshot,
                                        const CaptureOptions& options = {});

}  // namespace pushdown::engine
