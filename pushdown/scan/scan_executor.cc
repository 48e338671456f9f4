#include "pushdown/scan/scan_executor.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "bpfgen/eval/evaluator.h"
#include "pushdown/scan/device_aggregation.h"
#include "pushdown/scan/device_stream.h"
#include "pushdown/scan/host_stream.h"
#include "pushdown/scan/host_timer.h"
#include "pushdown/scan/level_stream.h"
#include "pushdown/scan/memtable_stream.h"
#include "pushdown/scan/shadow_policy.h"
#include "pushdown/scan/zone_map.h"
#include "pushdown/scan/zone_skip.h"
#include "pushdown/sst/sst_file.h"

namespace pushdown::exec {

namespace {

size_t BlocksRemaining(const EntryStream* s) {
  if (auto* h = dynamic_cast<const HostFileStream*>(s)) return h->blocks_remaining();
  if (auto* d = dynamic_cast<const DeviceFileStream*>(s)) return d->blocks_remaining();
  if (auto* l = dynamic_cast<const LevelStream*>(s)) {
    size_t n = 0;
    for (const auto& f : l->files()) n += BlocksRemaining(f.get());
    return n;
  }
  return 0;
}

struct FileStream {
  const ScanFile* file;
  std::unique_ptr<EntryStream> stream;
};

// Groups the files of each level >= 1 into one LevelStream when every range
// is known and the ranges are disjoint; otherwise (level 0, unknown or
// overlapping ranges) each file stays its own stream. `in` is newest first
// (level ascending); so is the result.
std::vector<std::unique_ptr<EntryStream>> GroupLevels(std::vector<FileStream> in) {
  std::vector<std::unique_ptr<EntryStream>> out;
  size_t i = 0;
  while (i < in.size()) {
    size_t j = i + 1;
    while (j < in.size() && in[j].file->level == in[i].file->level) ++j;
    bool concat = in[i].file->level >= 1 && j - i >= 2;
    for (size_t k = i; concat && k < j; ++k) concat = in[k].file->has_key_range;
    if (concat) {
      std::sort(in.begin() + i, in.begin() + j, [](const FileStream& a, const FileStream& b) {
        return a.file->smallest_user_key < b.file->smallest_user_key;
      });
      for (size_t k = i + 1; concat && k < j; ++k) {
        concat = in[k - 1].file->largest_user_key < in[k].file->smallest_user_key;
      }
    }
    if (concat) {
      std::vector<std::unique_ptr<EntryStream>> files;
      for (size_t k = i; k < j; ++k) files.push_back(std::move(in[k].stream));
      out.push_back(std::make_unique<LevelStream>(std::move(files),
                                                  "level " + std::to_string(in[i].file->level)));
    } else {
      for (size_t k = i; k < j; ++k) out.push_back(std::move(in[k].stream));
    }
    i = j;
  }
  return out;
}

// False when the scan need not open `f` (ScanStats::files_skipped): the range
// is empty, or f's known key range lies outside it. REQUIRES: the files'
// comparator is bytewise (ScanPlan::bytewise_comparator).
bool FileInRange(const ScanFile& f, const KeyRange& range) {
  if (range.empty()) return false;
  return !f.has_key_range || !range.Excludes(f.smallest_user_key, f.largest_user_key);
}

// True if some file older than files[i] (a deeper level; for level 0, an L0
// file after it in the newest-first order) may hold a key of files[i]'s range.
bool OlderFileOverlaps(const std::vector<const ScanFile*>& files, size_t i) {
  const ScanFile& f = *files[i];
  for (size_t j = 0; j < files.size(); ++j) {
    const ScanFile& g = *files[j];
    const bool older = g.level > f.level || (g.level == 0 && f.level == 0 && j > i);
    if (!older) continue;
    if (!f.has_key_range || !g.has_key_range) return true;
    if (!(g.largest_user_key < f.smallest_user_key || f.largest_user_key < g.smallest_user_key)) {
      return true;
    }
  }
  return false;
}

// The schema columns an expression reads.
void ColumnsRead(const bpfgen::Expr& e, std::vector<int>* out) {
  if (e.kind == bpfgen::ExprKind::kColumn) out->push_back(e.column);
  for (const bpfgen::ExprPtr& c : e.children) ColumnsRead(*c, out);
}

// True if a conjunct reads a column whose per-block zones the map stores
// (raw mode: the map's one field is read through calls, so its level alone).
bool ReadsBlockLevelColumn(const std::vector<const bpfgen::Expr*>& conjuncts, const ZoneMap& zm,
                           bool raw) {
  if (raw) return zm.BlockLevel(0);
  std::vector<int> read;
  for (const bpfgen::Expr* c : conjuncts) ColumnsRead(*c, &read);
  for (int c : read) {
    if (zm.BlockLevel(c)) return true;
  }
  return false;
}

// The blocks of `in` (sorted, disjoint runs) to read: all of them, less the
// ones the file's zone map proves useless where skipping them is exact
// (zone_skip.h). Fills *always (per file block, 1 = every row matches) when
// the map is used, and file->zone_map / skipped_by_zone_map.
std::vector<BlockRange> ZoneMapRuns(const ScanPlan& plan, const ScanFile& f, const SstFile& sst,
                                    std::vector<BlockRange> in, bool older_overlap,
                                    std::vector<uint8_t>* always, FileScanStats* file,
                                    ScanStats* stats) {
  if (plan.zone_maps == ScanPlan::ZoneMapUse::kOff) {
    file->zone_map = "off";
    return in;
  }
  if (in.empty()) return in;
  const TableProperties& props = sst.info().properties;
  // A table's files carry kZoneMapProperty (v2) or, written before it,
  // kZoneMapPropertyV1; a raw family's (with a raw collector) the raw ones.
  const bool raw = plan.schema->raw;
  auto it = props.raw.find(raw ? kRawZoneMapProperty : kZoneMapProperty);
  if (it == props.raw.end()) it = props.raw.find(raw ? kRawZoneMapPropertyV1 : kZoneMapPropertyV1);
  if (it == props.raw.end()) {  // written without the collector: read as before
    file->zone_map = "none";
    return in;
  }
  // The summary first (v2 stores it ahead of the blocks): when no block-level
  // zone can matter, the blocks part is never decoded. The file's own block
  // count bounds what is decoded.
  const uint64_t nblocks = sst.num_data_blocks();
  const std::string& name = sst.info().file_name;
  Result<ZoneMap> zm =
      raw ? DecodeRawZoneMap(it->second, name, nblocks)
          : DecodeZoneMapSummary(it->second, plan.schema->columns.size(), name, nblocks);
  // A zone map is an optimisation: one that cannot be used leaves the file
  // read as if it had none (never a wrong row, never a failed scan).
  if (!zm.ok()) {
    file->zone_map = "unusable: " + zm.status().message();
    return in;
  }
  if (std::string why = ZoneMapMismatch(*zm, *plan.schema, nblocks); !why.empty()) {
    file->zone_map = "unusable: " + why;
    return in;
  }
  std::vector<const bpfgen::Expr*> conjuncts = plan.device_conjuncts;
  conjuncts.insert(conjuncts.end(), plan.residual_conjuncts.begin(), plan.residual_conjuncts.end());
  // THE EXACTNESS RULE (zone_skip.h): a "never" block is left unread only if
  // nothing older than it can be revealed -- no older file overlaps this one
  // and no user key spans two of its blocks. Otherwise its newer versions and
  // tombstones must still reach the merge (cockroachdb/cockroach#28358).
  const bool user_key_index = props.index_key_is_user_key != 0;
  const bool single_version = f.largest_seqno == 0;
  const bool skip_ok = plan.zone_maps == ScanPlan::ZoneMapUse::kNaiveForTests ||
                       ZoneSkipIsExact(older_overlap, user_key_index, single_version);
  if (!skip_ok) {
    file->zone_map = older_overlap ? "not exact: an older file overlaps"
                                   : "not exact: a user key spans two blocks";
  } else {
    file->zone_map = "used";
  }
  if (raw) file->zone_map += ", field " + zm->raw_field->ToString();
  const bpfgen::RawField* field = raw ? &*zm->raw_field : nullptr;
  // Every block's rows are rows of the file, so the file summary's verdict
  // holds for every block when it is "never" or "always". When it is "maybe"
  // and the predicate reads no column with block-level zones, every block's
  // zone is the file's (inherited, zone_map.h) or less known: each non-empty
  // block is "maybe" too, and no block is decoded, evaluated or even visited
  // (Q6 over dbgen-ordered lineitem, whose columns are all file level but
  // the key).
  const bpfgen::ZoneVerdict file_verdict =
      bpfgen::EvaluateZone(conjuncts, *plan.schema, zm->file, field);
  const bool per_block =
      file_verdict == bpfgen::ZoneVerdict::kMaybe && ReadsBlockLevelColumn(conjuncts, *zm, raw);
  if (!per_block) {
    if (file_verdict == bpfgen::ZoneVerdict::kNever && skip_ok) {
      for (const BlockRange& r : in) {
        const uint64_t n = r.end - r.begin;
        stats->blocks_skipped_by_zone_map += n;
        stats->blocks_skipped += n;
        file->skipped_by_zone_map += n;
      }
      ++stats->files_skipped_by_zone_map;
      return {};
    }
    if (file_verdict == bpfgen::ZoneVerdict::kAlways) always->assign(nblocks, 1);
    return in;
  }
  always->assign(nblocks, 0);
  if (zm->blocks.size() != nblocks) {  // the summary only: decode the blocks
    Result<ZoneMap> full = DecodeZoneMap(it->second, plan.schema->columns.size(), name, nblocks);
    if (!full.ok()) {
      file->zone_map = "unusable: " + full.status().message();
      always->clear();
      return in;
    }
    *zm = std::move(*full);
  }
  std::vector<BlockRange> runs;
  for (const BlockRange& r : in) {
    for (size_t b = r.begin; b < r.end; ++b) {
      const bpfgen::ZoneVerdict v =
          bpfgen::EvaluateZone(conjuncts, *plan.schema, zm->blocks[b], field);
      if (v == bpfgen::ZoneVerdict::kNever && skip_ok) {
        ++stats->blocks_skipped_by_zone_map;
        ++stats->blocks_skipped;
        ++file->skipped_by_zone_map;
        continue;
      }
      if (v == bpfgen::ZoneVerdict::kAlways) (*always)[b] = 1;
      if (!runs.empty() && runs.back().end == b) {
        runs.back().end = b + 1;
      } else {
        runs.push_back({b, b + 1});
      }
    }
  }
  if (runs.empty()) ++stats->files_skipped_by_zone_map;
  return runs;
}

// The data blocks of `sst` that can hold a key of `range` and, when
// `key_ranges` is not empty, of one of them (each intersected with `range`):
// sorted, disjoint, adjacent runs merged.
std::vector<BlockRange> BlocksInRanges(const ScanFile& f, const SstFile& sst, const KeyRange& range,
                                       const std::vector<KeyRange>& key_ranges) {
  std::vector<BlockRange> out;
  auto add = [&](const KeyRange& r) {
    if (!FileInRange(f, r)) return;
    std::optional<std::string_view> lower, upper;
    if (r.lower) lower = *r.lower;
    if (r.upper) upper = *r.upper;
    const BlockRange b = sst.DataBlocksInRange(lower, upper);
    if (b.empty()) return;
    // Ranges are sorted and disjoint, so the blocks come in order; two ranges
    // may share a block (and adjacent blocks make one run).
    if (!out.empty() && b.begin <= out.back().end) {
      out.back().end = std::max(out.back().end, b.end);
    } else {
      out.push_back(b);
    }
  };
  if (key_ranges.empty()) {
    add(range);
  } else {
    for (const KeyRange& r : key_ranges) add(Intersect(range, r));
  }
  return out;
}

// True if the file's known key range overlaps the scan's range and, when
// given, one of its key ranges.
bool FileInRanges(const ScanFile& f, const KeyRange& range, const std::vector<KeyRange>& ranges) {
  if (!FileInRange(f, range)) return false;
  if (ranges.empty()) return true;
  for (const KeyRange& r : ranges) {
    if (FileInRange(f, Intersect(range, r))) return true;
  }
  return false;
}

std::string BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string::npos ? path : path.substr(slash + 1));
}

std::vector<BlockSpan> Spans(const std::vector<BlockRange>& runs) {
  std::vector<BlockSpan> out;
  for (const BlockRange& r : runs) {
    if (!r.empty()) out.push_back({r.begin, r.end});
  }
  return out;
}

// Records in per_file (FileScanStats::unread) the blocks each file stream
// under s has left unread.
void NoteUnread(const EntryStream* s, std::vector<FileScanStats>* per_file) {
  if (auto* l = dynamic_cast<const LevelStream*>(s)) {
    for (const auto& f : l->files()) NoteUnread(f.get(), per_file);
    return;
  }
  size_t remaining = 0;
  if (auto* h = dynamic_cast<const HostFileStream*>(s)) {
    remaining = h->blocks_remaining();
  } else if (auto* d = dynamic_cast<const DeviceFileStream*>(s)) {
    remaining = d->blocks_remaining();
  } else {
    return;
  }
  const std::string name = BaseName(s->name());
  for (FileScanStats& f : *per_file) {
    if (f.opened && f.file == name) f.unread = remaining;
  }
}

// Clips t to `range` (an unset bound is unbounded); false if nothing is left.
bool ClipToRange(const KeyRange& range, RangeTombstone* t) {
  if (range.lower && t->start < *range.lower) t->start = *range.lower;
  if (range.upper && t->end > *range.upper) t->end = *range.upper;
  return t->start < t->end;
}

// The user key of the file's last data entry (nullopt: no data entry).
Result<std::optional<std::string>> LastDataUserKey(const SstFile& sst) {
  for (size_t b = sst.num_data_blocks(); b-- > 0;) {
    PD_ASSIGN_OR_RETURN(BlockContents block, sst.ReadDataBlock(b));
    DataBlockIter it(block.data, sst.block_context(b), sst.info().global_seqno);
    std::optional<std::string> last;
    for (it.SeekToFirst(); it.Valid(); it.Next()) last.emplace(it.parsed().user_key);
    PD_RETURN_IF_ERROR(it.status());
    if (last) return last;
  }
  return std::optional<std::string>();
}

// Appends f's range tombstones at or below the snapshot, clipped to f's key
// range [smallest, largest] and to the scan's bounds, to *out.
//
// Why clip (RocksDB's truncation, at user-key level). A compaction output
// file that cuts through a tombstone stores the tombstone whole and sets its
// own boundaries at the cut (CompactionOutputs::AddRangeDels); readers
// truncate each file's tombstones to its boundaries (TruncatedRangeDelIterator),
// because the part beyond them may be stale: the keys there may since have
// been compacted to the bottom with their sequence numbers zeroed, and a
// stale tombstone would hide them. A flush, or a compaction that cuts
// nothing, extends the boundaries over every tombstone, so there clipping
// changes nothing. Files' key ranges overlap exactly where the LSM's order
// holds: a file above another that shares a user key with it holds only
// newer versions of that key, tombstones included; within its range a file's
// tombstone is never stale. At the two boundary user keys:
//   - start < smallest (cut below): RocksDB covers, at user key smallest,
//     every version at or below the file's smallest internal key's sequence
//     number (the newest version of that key in the file, or the tombstone's
//     own sequence number). Versions in files below are older, versions in
//     files above are newer than the tombstone: clipping to start = smallest
//     (inclusive) hides exactly what RocksDB hides.
//   - end > largest (cut above): RocksDB covers user key largest only where
//     the file's largest internal key is a real entry (not the cut's sentinel
//     largest@kMaxSequenceNumber), i.e. where the file holds an entry at user
//     key largest, and then for the versions at or above the file's oldest
//     version there -- the file's own versions at that key; older versions
//     elsewhere are covered by the next file's copy of the tombstone. So:
//     clip to end = largest (exclusive), and when the file's last data entry
//     has user key largest, add the one-key tombstone [largest, largest\0)
//     at the same sequence number. (Versions of that key in files below are
//     older than the file's and logically deleted by the tombstone; no file
//     below holds a zeroed one newer than it, since the file overlaps them.)
//   - a file without a known key range: NotSupported (cannot be clipped).
// Files the scan does not open need no tombstones read: a file invisible at
// the snapshot has every sequence number, its tombstones' included, above it;
// a file outside the bounds has its clipped tombstones outside them too.
Status CollectFileTombstones(const ScanPlan& plan, const ScanFile& f, const SstFile& sst,
                             const KeyRange& range, std::vector<RangeTombstone>* out,
                             ScanStats* stats) {
  if (!sst.info().has_range_del_block) return Status::OK();
  std::vector<RangeTombstone> file_tombstones;
  PD_RETURN_IF_ERROR(sst.ReadRangeTombstones(&file_tombstones));
  if (file_tombstones.empty()) return Status::OK();
  if (!f.has_key_range) {
    return Status::NotSupported(sst.info().file_name +
                                ": range deletions in a file whose key range is not known");
  }
  std::optional<std::optional<std::string>> last_key;  // read once, when needed
  for (RangeTombstone& t : file_tombstones) {
    if (t.seq > plan.snapshot || t.start >= t.end) continue;  // invisible, or covers nothing
    ++stats->range_tombstones;
    if (t.start < f.smallest_user_key) t.start = f.smallest_user_key;
    if (t.end > f.largest_user_key) {
      t.end = f.largest_user_key;
      if (!last_key) {
        PD_ASSIGN_OR_RETURN(std::optional<std::string> k, LastDataUserKey(sst));
        last_key = std::move(k);
      }
      if (*last_key && **last_key == f.largest_user_key) {
        RangeTombstone at_largest{f.largest_user_key, f.largest_user_key + '\0', t.seq};
        if (ClipToRange(range, &at_largest)) out->push_back(std::move(at_largest));
      }
    }
    if (ClipToRange(range, &t)) out->push_back(std::move(t));
  }
  return Status::OK();
}

// Opens one file's stream: the device's or the host's, over the data blocks
// that can hold keys in `range` and the plan's key ranges (the index seek)
// and that its zone map does not rule out. Its range tombstones go to
// *tombstones, whether or not any of its data blocks is read (an older file's
// entries may be covered by them).
Result<std::unique_ptr<EntryStream>> OpenFileStream(const ScanPlan& plan, const ScanFile& f,
                                                    const KeyRange& range, bool older_overlap,
                                                    const ScanFilters& filters,
                                                    std::vector<RangeTombstone>* tombstones,
                                                    ScanStats* stats) {
  std::shared_ptr<const SstFile> sst = f.opened;
  if (sst == nullptr) {
    PD_ASSIGN_OR_RETURN(sst, OpenScanFile(f));
  }
  if (!sst->info().supported()) {
    std::string why;
    for (const std::string& u : sst->info().unsupported) why += (why.empty() ? "" : ", ") + u;
    return Status::NotSupported(sst->info().file_name + ": " + why);
  }
  const uint64_t tombstones_before = stats->range_tombstones;
  PD_RETURN_IF_ERROR(CollectFileTombstones(plan, f, *sst, range, tombstones, stats));
  FileScanStats file;
  file.range_tombstones = stats->range_tombstones - tombstones_before;
  file.file = BaseName(f.path);
  file.level = f.level;
  file.opened = true;
  file.blocks = sst->num_data_blocks();
  // The file is bytewise now (supported): its known key range may rule it
  // out although the plan did not say so (ScanPlan::bytewise_comparator).
  std::vector<BlockRange> blocks = BlocksInRanges(f, *sst, range, plan.key_ranges);
  uint64_t in_range = 0;
  for (const BlockRange& b : blocks) in_range += b.size();
  const uint64_t outside = sst->num_data_blocks() - in_range;
  stats->blocks_skipped_by_range += outside;
  stats->blocks_skipped += outside;
  file.skipped_by_range = outside;
  file.in_range = Spans(blocks);
  std::vector<uint8_t> always;
  std::vector<BlockRange> runs =
      ZoneMapRuns(plan, f, *sst, std::move(blocks), older_overlap, &always, &file, stats);
  file.skipped_whole = runs.empty();
  file.runs = Spans(runs);
  stats->per_file.push_back(std::move(file));
  const bool shadows = NeedsShadows(f.bottommost, f.largest_seqno);
  if (plan.device != nullptr) {
    return std::unique_ptr<EntryStream>(std::make_unique<DeviceFileStream>(
        std::move(sst), std::move(runs), plan.block_source, plan.device, plan.program, shadows,
        plan.batch_blocks, filters.device, stats));
  }
  return std::unique_ptr<EntryStream>(
      std::make_unique<HostFileStream>(std::move(sst), std::move(runs), std::move(always),
                                       plan.block_source, filters.device, shadows, stats));
}

// The user keys of the memtable stream, ascending (it is in internal-key
// order). The stream is read from its start again by the merge.
std::vector<std::string> MemtableUserKeys(EntryStream* memtable) {
  std::vector<std::string> keys;
  for (memtable->SeekToFirst(); memtable->Valid(); memtable->Next()) {
    if (keys.empty() || keys.back() != memtable->entry().user_key) {
      keys.emplace_back(memtable->entry().user_key);
    }
  }
  return keys;
}

// At most this many tombstones are compared with each block; with more, no
// block is aggregated on the device.
constexpr size_t kMaxTombstonesForDeviceAggregation = 64;

// Which data blocks of files[k] (opened as `sst`) the device may aggregate
// itself, per block index (1 = yes).
//
// THE EXACTNESS RULE. A block's rows may be folded into partials without
// passing the merge iff every entry of the block is a row of the scan's
// result, i.e. it is the newest visible version of its user key, no range
// tombstone hides it, and it lies in the scan's bounds. That holds when
//   (a) every entry of the block is a Value with sequence number 0 -- the
//       device checks this for each entry and sends the block back
//       (kBlockNeedsRecords) otherwise. Sequence 0 is visible at every
//       snapshot, and RocksDB zeroes a sequence number only for the last
//       version of a key in the bottommost level, so the block holds the
//       only version of each of its keys that any file below could hold;
//   (b) no other file of the scan (any level, newer or older) may hold a key
//       of the block's user-key range, and neither may the memtables: so
//       nothing newer hides an entry, and nothing else holds its key;
//   (c) no range tombstone of the scan (files' or memtables') overlaps that
//       range: none hides an entry;
//   (d) the range lies inside the scan's bounds (and one of its key ranges):
//       the merge would cut nothing;
//   (e) the file has no global sequence number (an ingested file's zeroes
//       stand for another number);
//   (f) no user key spans two blocks of the file (zone_skip.h's rule (2):
//       the index's separators are user keys, or the file's largest sequence
//       number is 0), so no newer version of a key of the block sits at the
//       end of the previous block of the same file.
// The block's user-key range is [sep(i-1), sep(i)] from the index
// separators (SstFile::DataBlocksInRange), with the file's smallest user key
// for block 0 (a file without a known range: no block). This is the issue's
// "every entry is seq 0 or no newer file overlaps the block's key range"
// made exact: both are required, and older files count as much as newer.
std::vector<uint8_t> AggregateOnDevice(const std::vector<const ScanFile*>& files, size_t k,
                                       const SstFile& sst, const KeyRange& range,
                                       const std::vector<KeyRange>& key_ranges,
                                       const std::vector<std::string>& memtable_keys,
                                       const std::vector<RangeTombstone>& tombstones) {
  const ScanFile& f = *files[k];
  std::vector<uint8_t> out(sst.num_data_blocks(), 0);
  const bool user_key_index = sst.info().properties.index_key_is_user_key != 0;
  if (!f.has_key_range || sst.info().global_seqno.has_value() ||
      !(user_key_index || f.largest_seqno == 0) ||
      tombstones.size() > kMaxTombstonesForDeviceAggregation) {
    return out;
  }
  for (size_t i = 0; i < sst.num_data_blocks(); ++i) {
    const std::string_view lo =
        i == 0 ? std::string_view(f.smallest_user_key) : sst.data_block_index_user_key(i - 1);
    const std::string_view hi = sst.data_block_index_user_key(i);
    if (hi < lo) continue;
    // (d): [lo, hi] inside the bounds and inside one key range.
    auto inside = [&](const KeyRange& r) {
      return (!r.lower || std::string_view(*r.lower) <= lo) &&
             (!r.upper || hi < std::string_view(*r.upper));
    };
    if (!inside(range)) continue;
    if (!key_ranges.empty() && std::none_of(key_ranges.begin(), key_ranges.end(), inside)) {
      continue;
    }
    // (b): other files, then the memtables.
    bool overlap = false;
    for (size_t j = 0; j < files.size() && !overlap; ++j) {
      if (j == k) continue;
      const ScanFile& g = *files[j];
      overlap = !g.has_key_range || !(std::string_view(g.largest_user_key) < lo ||
                                      hi < std::string_view(g.smallest_user_key));
    }
    if (overlap) continue;
    auto m = std::lower_bound(memtable_keys.begin(), memtable_keys.end(), lo,
                              [](const std::string& a, std::string_view b) { return a < b; });
    if (m != memtable_keys.end() && std::string_view(*m) <= hi) continue;
    // (c): tombstones cover [start, end).
    bool covered = false;
    for (const RangeTombstone& t : tombstones) {
      if (std::string_view(t.start) <= hi && lo < std::string_view(t.end)) covered = true;
    }
    if (covered) continue;
    out[i] = 1;
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<const SstFile>> OpenScanFile(const ScanFile& f) {
  SstOpenOptions options;
  if (f.largest_seqno != kMaxSequenceNumber) options.largest_seqno = f.largest_seqno;
  PD_ASSIGN_OR_RETURN(std::unique_ptr<SstFile> sst, SstFile::Open(f.path, options));
  return std::shared_ptr<const SstFile>(std::move(sst));
}

ScanExecutor::~ScanExecutor() = default;

Result<std::unique_ptr<ScanExecutor>> ScanExecutor::Open(const ScanPlan& plan,
                                                         ScanFilters filters) {
  if (plan.schema == nullptr) return Status::InvalidArgument("scan plan has no schema");
  if ((plan.device == nullptr) != (plan.program == nullptr)) {
    return Status::InvalidArgument(
        "scan plan needs both a device and a loaded program, or neither");
  }
  std::unique_ptr<ScanExecutor> scan(new ScanExecutor());
  HostTimer timer(&scan->stats_);
  PD_ASSIGN_OR_RETURN(Projector projector, Projector::Make(*plan.schema, plan.projection));

  const KeyRange range{plan.lower_bound, plan.upper_bound};
  std::vector<const ScanFile*> files;
  for (const ScanFile& f : plan.files) {
    if (plan.bytewise_comparator && f.has_key_range && f.largest_user_key < f.smallest_user_key) {
      return Status::InvalidArgument("scan file " + f.path + " has smallest key > largest key");
    }
    // Every entry of such a file is invisible: it neither shows nor hides.
    if (f.smallest_seqno > plan.snapshot) continue;
    // Holds no key in the range: none of its entries can show or hide one.
    if (plan.bytewise_comparator && !FileInRanges(f, range, plan.key_ranges)) {
      ++scan->stats_.files_skipped;
      FileScanStats skipped;
      skipped.file = BaseName(f.path);
      skipped.level = f.level;
      skipped.skipped_whole = true;
      scan->stats_.per_file.push_back(std::move(skipped));
      continue;
    }
    files.push_back(&f);
  }
  std::stable_sort(files.begin(), files.end(), [](const ScanFile* a, const ScanFile* b) {
    if (a->level != b->level) return a->level < b->level;
    return a->largest_seqno > b->largest_seqno;
  });

  // Zone maps decide by the plan's conjuncts: caller filters with no
  // conjuncts describing them (a plan without conjuncts but with a filter)
  // cannot be judged by a zone map, so those scans read every block.
  const bool undescribed = (filters.device && plan.device_conjuncts.empty()) ||
                           (filters.residual && plan.residual_conjuncts.empty());
  std::optional<ScanPlan> no_zone_maps;
  if (undescribed && plan.zone_maps != ScanPlan::ZoneMapUse::kOff) {
    no_zone_maps.emplace(plan);
    no_zone_maps->zone_maps = ScanPlan::ZoneMapUse::kOff;
  }
  const ScanPlan& file_plan = no_zone_maps ? *no_zone_maps : plan;
  std::vector<RangeTombstone> tombstones;
  for (const RangeTombstone& t : plan.memtable_tombstones) {
    if (t.seq > plan.snapshot || t.start >= t.end) continue;
    ++scan->stats_.range_tombstones;
    RangeTombstone c = t;
    if (ClipToRange(range, &c)) tombstones.push_back(std::move(c));
  }
  std::vector<FileStream> file_streams;
  for (size_t i = 0; i < files.size(); ++i) {
    const ScanFile* f = files[i];
    PD_ASSIGN_OR_RETURN(std::unique_ptr<EntryStream> stream,
                        OpenFileStream(file_plan, *f, range, OlderFileOverlaps(files, i), filters,
                                       &tombstones, &scan->stats_));
    file_streams.push_back({f, std::move(stream)});
    ++scan->stats_.files;
  }
  // Aggregation on the device: needs the whole scan's files, memtable keys
  // and tombstones, so it is decided once every file is open.
  if (plan.device_aggregation != nullptr && plan.device != nullptr &&
      plan.residual_conjuncts.empty() && plan.limit == kNoLimit) {
    if (plan.program->layout().num_aggregates != plan.device_aggregation->items().size() ||
        plan.program->layout().num_group_keys != plan.device_aggregation->num_group_keys()) {
      return Status::InvalidArgument("scan plan: the program has " +
                                     std::to_string(plan.program->layout().num_aggregates) +
                                     " aggregates, the device aggregation " +
                                     std::to_string(plan.device_aggregation->items().size()));
    }
    const std::vector<std::string> memtable_keys = plan.memtable != nullptr
                                                       ? MemtableUserKeys(plan.memtable.get())
                                                       : std::vector<std::string>();
    // The program's region adds up every stream's aggregated blocks: zeroed
    // now, read once when the scan is done (Finish), so that the partials
    // cross to the host once per scan.
    PD_RETURN_IF_ERROR(plan.device->ResetAggregates(*plan.program));
    scan->aggregation_device_ = plan.device;
    scan->aggregation_program_ = plan.program;
    scan->aggregation_ = plan.device_aggregation;
    for (size_t k = 0; k < file_streams.size(); ++k) {
      auto* device = dynamic_cast<DeviceFileStream*>(file_streams[k].stream.get());
      if (device == nullptr) continue;
      device->SetAggregateBlocks(AggregateOnDevice(files, k, device->file(), range, plan.key_ranges,
                                                   memtable_keys, tombstones));
    }
  }
  scan->streams_ = GroupLevels(std::move(file_streams));
  // The memtables are newer than every file: their stream goes first.
  if (plan.memtable != nullptr) {
    scan->streams_.insert(scan->streams_.begin(), std::make_unique<MemtableStream>(
                                                      plan.memtable, filters.device, &scan->stats_,
                                                      plan.device, plan.program));
  }
  scan->tombstones_ = FragmentedTombstones(std::move(tombstones), plan.snapshot);
  scan->stats_.range_tombstone_fragments = scan->tombstones_.size();
  std::vector<EntryStream*> ptrs;
  for (const auto& s : scan->streams_) ptrs.push_back(s.get());
  // The merge cuts entries outside the range (the first and last blocks of
  // each file hold some; so may any stream without block-level bounds).
  scan->cursor_ =
      std::make_unique<RowCursor>(std::move(ptrs), plan.snapshot, std::move(filters.residual),
                                  std::move(projector), plan.limit, range, &scan->tombstones_);
  return scan;
}

Status ScanExecutor::Next(Row* row) {
  HostTimer timer(&stats_, sampler_.Weight());
  Status s = cursor_->Next(row);
  CountRows();
  if (s.ok() && !cursor_->Valid()) {
    Finish();
    return aggregation_status_;
  }
  return s;
}

Status ScanExecutor::NextBatch(RowBatch* batch, size_t max_rows) {
  HostTimer timer(&stats_);  // one call per batch: timed every time
  Status s = cursor_->NextBatch(batch, max_rows);
  CountRows();
  if (s.ok() && batch->empty()) Finish();
  return s;
}

bool ScanExecutor::Valid() const { return cursor_->Valid(); }

void ScanExecutor::CountRows() {
  stats_.rows_matched = cursor_->rows_returned() + stats_.rows_aggregated_on_device;
  stats_.keys_hidden_by_range_deletion = cursor_->keys_hidden_by_range_deletion();
}

void ScanExecutor::Finish() {
  if (finished_) return;
  finished_ = true;
  for (const auto& s : streams_) {
    stats_.blocks_skipped += BlocksRemaining(s.get());
    NoteUnread(s.get(), &stats_.per_file);
  }
  if (aggregation_ != nullptr && stats_.blocks_aggregated_on_device > 0) {
    Result<AggregateState> state = aggregation_device_->ReadAggregates(*aggregation_program_);
    if (!state.ok()) {
      aggregation_status_ = state.status();
      return;
    }
    const bool grouped = aggregation_->num_group_keys() > 0;
    if ((grouped ? 0 : aggregation_->items().size()) != state->accumulators.size()) {
      aggregation_status_ = Status::Internal("device aggregates do not match the scan's");
      return;
    }
    uint64_t bytes = bpfgen::abi::kAggHeaderBytes;
    if (grouped) {
      uint64_t group_rows = 0;
      for (const AggregateGroup& g : state->groups) {
        if (g.keys.size() != aggregation_->num_group_keys() ||
            g.accumulators.size() != aggregation_->items().size()) {
          aggregation_status_ = Status::Internal("device groups do not match the scan's");
          return;
        }
        aggregation_->AddGroup(g.null_mask, g.keys, g.accumulators);
        group_rows += g.rows;
        bytes += 8 * bpfgen::abi::GroupSlotWords(aggregation_->num_group_keys(),
                                                 aggregation_->items().size());
      }
      if (group_rows != state->rows) {
        aggregation_status_ =
            Status::Internal("device groups hold " + std::to_string(group_rows) +
                             " rows, the program counted " + std::to_string(state->rows));
        return;
      }
      aggregation_->Add(state->rows, {});
    } else {
      aggregation_->Add(state->rows, state->accumulators);
      bytes += state->accumulators.size() * sizeof(bpfgen::abi::AggAccumulator);
    }
    stats_.rows_aggregated_on_device += state->rows;
    CountRows();  // the device's rows matched too
    // What crosses to the host for the aggregated blocks: the region (the
    // used group slots), once.
    stats_.bytes_to_host += bytes;
  }
}

}  // namespace pushdown::exec

namespace pushdown::exec {

Result<std::unique_ptr<ScanExecutor>> ScanExecutor::Open(const ScanPlan& plan) {
  if (plan.schema == nullptr) return Status::InvalidArgument("scan plan has no schema");
  // One evaluator, shared by both filters (immutable, so also thread-safe).
  auto eval = std::make_shared<const bpfgen::Evaluator>(*plan.schema);
  ScanFilters filters;
  if (!plan.device_conjuncts.empty()) {
    filters.device = [eval, conjuncts = plan.device_conjuncts](
                         std::string_view key, std::string_view value) -> Result<bool> {
      return eval->Matches(conjuncts, key, value);
    };
  }
  if (!plan.residual_conjuncts.empty()) {
    filters.residual = [eval, conjuncts = plan.residual_conjuncts](
                           std::string_view key, std::string_view value) -> Result<bool> {
      return eval->Matches(conjuncts, key, value);
    };
  }
  return Open(plan, std::move(filters));
}

}  // namespace pushdown::exec
