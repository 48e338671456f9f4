#include "engine/api/memtable_view.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "pushdown/scan/range_tombstones.h"
#include "rocksdb/comparator.h"
#include "rocksdb/metadata.h"
#include "rocksdb/options.h"
#include "rocksdb/transaction_log.h"
#include "rocksdb/write_batch.h"

namespace pushdown::engine {

namespace {

namespace vt = exec::value_type;

// One captured entry; the views point into a held WriteBatch.
struct Item {
  std::string_view key;
  std::string_view value;
  uint64_t seq = 0;
  uint8_t type = vt::kValue;
};

// The capture's stream: one entry per user key, internal-key order.
class CapturedStream final : public exec::EntryStream {
 public:
  CapturedStream(std::vector<std::unique_ptr<rocksdb::WriteBatch>> batches, std::vector<Item> items)
      : batches_(std::move(batches)), items_(std::move(items)) {}

  void SeekToFirst() override {
    pos_ = 0;
    Load();
  }
  bool Valid() const override { return pos_ < items_.size(); }
  const exec::FilteredEntry& entry() const override { return current_; }
  void Next() override {
    ++pos_;
    Load();
  }
  Status status() const override { return Status::OK(); }
  std::string_view name() const override { return "memtable"; }

 private:
  void Load() {
    if (pos_ >= items_.size()) return;
    const Item& it = items_[pos_];
    current_.user_key = it.key;
    current_.seq = it.seq;
    current_.type = it.type;
    current_.cls = it.type == vt::kValue ? exec::EntryClass::kMatched : exec::EntryClass::kNotValue;
    current_.value = it.type == vt::kValue ? it.value : std::string_view();
  }

  std::vector<std::unique_ptr<rocksdb::WriteBatch>> batches_;  // own the bytes of items_
  std::vector<Item> items_;
  size_t pos_ = 0;
  exec::FilteredEntry current_;
};

std::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// Walks one WriteBatch, assigning each sequence-consuming record its sequence
// number (batch sequence + index: one per record, as the memtable inserter
// does without seq_per_batch), and keeps the column family's entries at or
// below the snapshot. Records RocksDB only writes in modes the capture
// rejects (2PC markers, no-ops) stop the walk with an error.
class Collector final : public rocksdb::WriteBatch::Handler {
 public:
  // `count_through`: entries of the family at or below it are counted.
  Collector(uint32_t cf_id, uint64_t snapshot, uint64_t count_through)
      : cf_id_(cf_id), snapshot_(snapshot), count_through_(count_through) {}

  void Begin(uint64_t batch_seq) {
    seq_ = batch_seq;
    index_ = 0;
    kept_in_batch_ = 0;
  }
  uint64_t records() const { return index_; }
  size_t kept_in_batch() const { return kept_in_batch_; }
  std::vector<Item>& items() { return items_; }
  std::vector<exec::RangeTombstone>& tombstones() { return tombstones_; }
  uint64_t tombstone_bytes() const { return tombstone_bytes_; }
  uint64_t counted() const { return counted_; }
  const std::string& unsupported() const { return unsupported_; }

  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return Add(cf, key, value, vt::kValue);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return Add(cf, key, {}, vt::kDeletion);
  }
  rocksdb::Status SingleDeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return Add(cf, key, {}, vt::kSingleDeletion);
  }
  // A range deletion [begin, end) of the family at or below the snapshot is
  // kept as a tombstone with its real sequence number (copied: the batch
  // need not be held for it). Counted like every entry: the memtables count
  // their range deletions in rocksdb.num-entries-*.
  rocksdb::Status DeleteRangeCF(uint32_t cf, const rocksdb::Slice& begin,
                                const rocksdb::Slice& end) override {
    const uint64_t seq = seq_ + index_++;
    if (cf != cf_id_) return rocksdb::Status::OK();
    if (seq <= count_through_) ++counted_;
    if (seq > snapshot_) return rocksdb::Status::OK();
    tombstones_.push_back({begin.ToString(), end.ToString(), seq});
    tombstone_bytes_ += begin.size() + end.size();
    return rocksdb::Status::OK();
  }
  rocksdb::Status MergeCF(uint32_t cf, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Unsupported(cf, "a merge operand");
  }
  rocksdb::Status PutEntityCF(uint32_t cf, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Unsupported(cf, "a wide-column entity");
  }
  rocksdb::Status PutBlobIndexCF(uint32_t cf, const rocksdb::Slice&,
                                 const rocksdb::Slice&) override {
    return Unsupported(cf, "a blob index");
  }
  void LogData(const rocksdb::Slice&) override {}  // consumes no sequence number
  rocksdb::Status MarkBeginPrepare(bool) override { return Marker("begin-prepare"); }
  rocksdb::Status MarkEndPrepare(const rocksdb::Slice&) override { return Marker("end-prepare"); }
  rocksdb::Status MarkNoop(bool) override { return Marker("no-op"); }
  rocksdb::Status MarkRollback(const rocksdb::Slice&) override { return Marker("rollback"); }
  rocksdb::Status MarkCommit(const rocksdb::Slice&) override { return Marker("commit"); }
  rocksdb::Status MarkCommitWithTimestamp(const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Marker("commit");
  }

 private:
  rocksdb::Status Add(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice& value,
                      uint8_t type) {
    const uint64_t seq = seq_ + index_++;
    if (cf != cf_id_) return rocksdb::Status::OK();
    if (seq <= count_through_) ++counted_;
    if (seq > snapshot_) return rocksdb::Status::OK();
    items_.push_back({View(key), View(value), seq, type});
    ++kept_in_batch_;
    return rocksdb::Status::OK();
  }
  rocksdb::Status Unsupported(uint32_t cf, const char* what) {
    const uint64_t seq = seq_ + index_++;
    if (cf != cf_id_) return rocksdb::Status::OK();
    if (seq <= count_through_) ++counted_;  // the memtables count it too
    // Invisible at the snapshot: it changes nothing here.
    if (seq > snapshot_) return rocksdb::Status::OK();
    unsupported_ = std::string("the WAL holds ") + what + " of the column family at sequence " +
                   std::to_string(seq) + " (not supported with memtable data)";
    return rocksdb::Status::NotSupported(unsupported_);
  }
  rocksdb::Status Marker(const char* what) {
    unsupported_ = std::string("the WAL holds a ") + what + " marker";
    return rocksdb::Status::NotSupported(unsupported_);
  }

  const uint32_t cf_id_;
  const uint64_t snapshot_;
  const uint64_t count_through_;
  uint64_t seq_ = 0;
  uint64_t index_ = 0;
  size_t kept_in_batch_ = 0;
  uint64_t counted_ = 0;
  std::vector<Item> items_;
  std::vector<exec::RangeTombstone> tombstones_;
  uint64_t tombstone_bytes_ = 0;
  std::string unsupported_;
};

MemtableCapture Fallback(std::string why) {
  MemtableCapture c;
  c.fallback_reason = "memtable data: " + std::move(why);
  return c;
}

// The DB-wide settings under which the WAL is not a complete, contiguous
// record of the memtables' writes ("" = none).
std::string OptionsFallback(const rocksdb::DBOptions& o) {
  if (o.recycle_log_file_num > 0) return "recycled WAL files (recycle_log_file_num > 0)";
  if (o.two_write_queues) return "two_write_queues";
  if (o.unordered_write) return "unordered_write";
  if (o.allow_2pc) return "allow_2pc";
  if (o.manual_wal_flush) return "manual_wal_flush (the WAL tail may be in memory)";
  return "";
}

}  // namespace

namespace {

// One capture attempt. *retry is set when it fell back for a reason a
// concurrent writer can cause (an entry inserted but not yet published while
// counting).
MemtableCapture CaptureOnce(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                            const rocksdb::Snapshot* snapshot, const CaptureOptions& options,
                            bool* retry) {
  *retry = false;
  const uint64_t snap = snapshot->GetSequenceNumber();

  // X, then the memtables' entry count N, then X again (see the header,
  // condition (3)). Every entry at or below X was inserted before X was read;
  // an X that moved means concurrent inserts may be in N but not below X, so
  // read again (a few times, then give up: a fallback, not a wrong row).
  // Active first, then immutable: an entry moved from the active memtable to
  // the immutable list in between is counted twice (a spurious fallback at
  // worst), never zero times.
  uint64_t count_through = 0;
  uint64_t mem_entries = 0;
  for (int attempt = 0;; ++attempt) {
    count_through = db->GetLatestSequenceNumber();
    uint64_t active = 0;
    uint64_t imm = 0;
    if (!db->GetIntProperty(cf, rocksdb::DB::Properties::kNumEntriesActiveMemTable, &active) ||
        !db->GetIntProperty(cf, rocksdb::DB::Properties::kNumEntriesImmMemTables, &imm)) {
      return Fallback("memtable entry counts unavailable");
    }
    mem_entries = active + imm;
    if (db->GetLatestSequenceNumber() == count_through) break;
    if (attempt == 4) return Fallback("concurrent writes while counting the memtables' entries");
  }
  // Nothing in any memtable: every entry at or below the snapshot (all were
  // inserted before it was taken) is in an SST file.
  if (mem_entries == 0 || snap == 0) return MemtableCapture{};

  if (std::string why = OptionsFallback(db->GetDBOptions()); !why.empty()) return Fallback(why);
  // In-place updates overwrite memtable values under older snapshots too
  // (RocksDB's own reads are not snapshot-consistent then).
  if (db->GetOptions(cf).inplace_update_support) return Fallback("inplace_update_support");
  const rocksdb::Comparator* cmp = cf->GetComparator();
  if (cmp == nullptr || cmp != rocksdb::BytewiseComparator() || cmp->timestamp_size() != 0) {
    return Fallback("the column family's comparator is not the bytewise one");
  }

  // Where to start reading: just past the newest sequence number in the
  // family's SST files, L (older batches are flushed; skipping them only
  // saves reading). Correctness does not depend on this choice: a start past
  // a memtable entry fails condition (3). Zeroed sequence numbers make L
  // smaller, ingested files larger; both are harmless.
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(cf, &meta);
  uint64_t newest_file_seq = 0;
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) newest_file_seq = std::max(newest_file_seq, f.largest_seqno);
  }
  const uint64_t start = std::min(newest_file_seq + 1, snap);
  // How far to read: through the snapshot and through X.
  const uint64_t read_through = std::max(snap, count_through);

  std::unique_ptr<rocksdb::TransactionLogIterator> wal;
  rocksdb::TransactionLogIterator::ReadOptions wal_options(/*verify_checksums=*/true);
  if (rocksdb::Status s = db->GetUpdatesSince(start, &wal, wal_options); !s.ok()) {
    return Fallback("cannot read the WAL from sequence " + std::to_string(start) + ": " +
                    s.ToString());
  }

  Collector collector(cf->GetID(), snap, count_through);
  std::vector<std::unique_ptr<rocksdb::WriteBatch>> held;
  uint64_t read_bytes = 0;
  uint64_t held_bytes = 0;
  uint64_t batches = 0;
  uint64_t next_seq = 0;  // the sequence the next batch must start at
  for (; wal->Valid(); wal->Next()) {
    rocksdb::BatchResult batch = wal->GetBatch();
    if (batch.writeBatchPtr == nullptr) return Fallback("the WAL iterator returned no batch");
    const uint64_t seq = batch.sequence;
    if (batches > 0 && seq != next_seq) {
      return Fallback("gap in the WAL's sequence numbers: expected " + std::to_string(next_seq) +
                      ", found " + std::to_string(seq) +
                      " (writes without the WAL, or an ingested file)");
    }
    ++batches;
    rocksdb::WriteBatch* wb = batch.writeBatchPtr.get();
    read_bytes += wb->GetDataSize();
    if (read_bytes > options.max_read_bytes) {
      return Fallback("the WAL to read exceeds " + std::to_string(options.max_read_bytes) +
                      " bytes");
    }
    collector.Begin(seq);
    rocksdb::Status s = wb->Iterate(&collector);
    if (!collector.unsupported().empty()) return Fallback(collector.unsupported());
    if (!s.ok()) return Fallback("cannot decode a WAL batch: " + s.ToString());
    if (collector.records() != wb->Count()) {
      return Fallback("a WAL batch's record count does not match its header");
    }
    next_seq = seq + wb->Count();
    if (collector.kept_in_batch() > 0) held_bytes += wb->GetDataSize();
    // Range deletions are copied: their bytes count against the same bound.
    if (held_bytes + collector.tombstone_bytes() > options.max_held_bytes) {
      return Fallback("the memtable data to hold exceeds " +
                      std::to_string(options.max_held_bytes) + " bytes of WAL batches");
    }
    if (collector.kept_in_batch() > 0) held.push_back(std::move(batch.writeBatchPtr));
    if (next_seq > read_through) break;
  }
  if (rocksdb::Status s = wal->status(); !s.ok() && !s.IsTryAgain()) {
    // E.g. a WAL file deleted after a racing flush, or a corrupt record.
    return Fallback("reading the WAL failed: " + s.ToString());
  }
  if (batches == 0 || next_seq <= snap) {
    return Fallback("the WAL ends at sequence " + std::to_string(batches == 0 ? 0 : next_seq - 1) +
                    ", before the snapshot " + std::to_string(snap) + " (writes without the WAL)");
  }
  if (collector.counted() < mem_entries) {
    *retry = db->GetLatestSequenceNumber() > count_through;
    return Fallback("the memtables hold " + std::to_string(mem_entries) +
                    " entries but the WAL read shows only " + std::to_string(collector.counted()) +
                    " of the column family up to sequence " + std::to_string(count_through) +
                    " (writes without the WAL, or WAL files already gone)");
  }

  // Newest entry per user key: sort by (key asc, seq desc), keep the first.
  // (Keys written in order -- loads, appends -- are sorted already.)
  std::vector<Item> items = std::move(collector.items());
  const auto internal_order = [](const Item& a, const Item& b) {
    if (a.key != b.key) return a.key < b.key;
    return a.seq > b.seq;
  };
  if (!std::is_sorted(items.begin(), items.end(), internal_order)) {
    std::sort(items.begin(), items.end(), internal_order);
  }
  items.erase(std::unique(items.begin(), items.end(),
                          [](const Item& a, const Item& b) { return a.key == b.key; }),
              items.end());

  // The captured range deletions, fragmented for the snapshot: the
  // cross-check below asks them, and the scan gets them unfragmented (the
  // executor fragments them with the files').
  std::vector<exec::RangeTombstone> tombstones = std::move(collector.tombstones());
  const exec::FragmentedTombstones fragments(tombstones, snap);

  // Cross-check against the memtables themselves: every value a memtable-only
  // iterator shows at the snapshot must be its key's captured newest entry,
  // and no captured range deletion may hide it (the iterator applies the
  // memtables' range deletions; a flushed one covers only flushed, older
  // entries, since a column family's memtables are flushed oldest first).
  if (options.cross_check_memtable_iterator) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    ro.read_tier = rocksdb::kMemtableTier;
    ro.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
    if (it->status().IsNotSupported() && db->GetLatestSequenceNumber() == snap) {
      // A secondary instance takes no snapshot in its iterators: one without
      // a snapshot reads at the latest sequence number, which is the
      // snapshot's when it is the same before and after the iterator is made.
      ro.snapshot = nullptr;
      it.reset(db->NewIterator(ro, cf));
      if (db->GetLatestSequenceNumber() != snap) {
        return Fallback("the instance caught up with its primary during the capture");
      }
    }
    size_t pos = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = View(it->key());
      while (pos < items.size() && items[pos].key < key) ++pos;
      if (pos == items.size() || items[pos].key != key || items[pos].type != vt::kValue ||
          items[pos].value != View(it->value())) {
        return Fallback(
            "the memtables hold a value the WAL does not show (a write without the "
            "WAL?)");
      }
      if (fragments.Covers(key, items[pos].seq)) {
        return Fallback("the memtables show a value that a range deletion in the WAL hides");
      }
    }
    if (!it->status().ok()) {
      return Fallback("the memtable-only iterator failed: " + it->status().ToString());
    }
  }

  MemtableCapture out;
  out.wal_batches = batches;
  out.entries = items.size();
  for (const Item& i : items) out.bytes += i.key.size() + i.value.size();
  out.range_tombstones = std::move(tombstones);
  if (!items.empty()) {
    out.stream = std::make_unique<CapturedStream>(std::move(held), std::move(items));
  }
  return out;
}

}  // namespace

Result<MemtableCapture> CaptureMemtable(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                        const rocksdb::Snapshot* snapshot,
                                        const CaptureOptions& options) {
  if (db == nullptr || cf == nullptr || snapshot == nullptr) {
    return Status::InvalidArgument("CaptureMemtable needs a DB, a column family and a snapshot");
  }
  // Under a concurrent writer the count can catch an entry inserted but not
  // yet published; a fresh attempt usually does not. Three attempts at most.
  bool retry = false;
  MemtableCapture c;
  for (int attempt = 0; attempt < 3; ++attempt) {
    c = CaptureOnce(db, cf, snapshot, options, &retry);
    if (!retry) break;
  }
  return c;
}

}  // namespace pushdown::engine
