#include "pushdown/scan/split_stats.h"

#include <algorithm>
#include <map>
#include <string>

namespace pushdown::exec {

namespace {

// The union of `spans` (any order, may overlap), ascending and disjoint.
std::vector<BlockSpan> Union(std::vector<BlockSpan> spans) {
  std::sort(spans.begin(), spans.end(),
            [](const BlockSpan& a, const BlockSpan& b) { return a.begin < b.begin; });
  std::vector<BlockSpan> out;
  for (const BlockSpan& s : spans) {
    if (s.end <= s.begin) continue;
    if (!out.empty() && s.begin <= out.back().end) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

uint64_t Count(const std::vector<BlockSpan>& spans) {
  uint64_t n = 0;
  for (const BlockSpan& s : spans) n += s.end > s.begin ? s.end - s.begin : 0;
  return n;
}

// The blocks of `runs` a worker read: all but the last `unread` ones.
std::vector<BlockSpan> ReadPrefix(std::vector<BlockSpan> runs, uint64_t unread) {
  while (unread > 0 && !runs.empty()) {
    BlockSpan& last = runs.back();
    const uint64_t n = last.end > last.begin ? last.end - last.begin : 0;
    if (n <= unread) {
      unread -= n;
      runs.pop_back();
    } else {
      last.end -= unread;
      unread = 0;
    }
  }
  return runs;
}

struct FileAcc {
  FileScanStats merged;
  std::vector<BlockSpan> in_range, runs, read;
  uint64_t reads = 0;  // the workers' reads of its blocks, summed
  bool have_tombstones = false;
};

}  // namespace

ScanStats MergeSplitStats(const std::vector<const ScanStats*>& parts) {
  ScanStats out;
  for (const ScanStats* p : parts) out.Add(*p);
  std::vector<FileAcc> files;
  std::map<std::string, size_t> index;  // file name -> files[i]
  uint64_t file_tombstones = 0, memtable_tombstones = 0;
  for (const ScanStats* p : parts) {
    uint64_t own_file_tombstones = 0;
    for (const FileScanStats& f : p->per_file) {
      auto [it, fresh] = index.emplace(f.file, files.size());
      if (fresh) {
        files.emplace_back();
        files.back().merged.file = f.file;
        files.back().merged.level = f.level;
      }
      FileAcc& a = files[it->second];
      if (!f.opened) continue;
      own_file_tombstones += f.range_tombstones;
      if (!a.merged.opened) {  // the first worker that opened it describes it
        a.merged.opened = true;
        a.merged.blocks = f.blocks;
        a.merged.zone_map = f.zone_map;
        a.merged.range_tombstones = f.range_tombstones;
        file_tombstones += f.range_tombstones;
      }
      a.in_range.insert(a.in_range.end(), f.in_range.begin(), f.in_range.end());
      a.runs.insert(a.runs.end(), f.runs.begin(), f.runs.end());
      const std::vector<BlockSpan> read = ReadPrefix(f.runs, f.unread);
      a.reads += Count(read);
      a.read.insert(a.read.end(), read.begin(), read.end());
    }
    memtable_tombstones = std::max(memtable_tombstones, p->range_tombstones - own_file_tombstones);
  }
  out.files = out.files_skipped = out.files_skipped_by_zone_map = 0;
  out.blocks_skipped = out.blocks_skipped_by_range = out.blocks_skipped_by_zone_map = 0;
  out.range_tombstones = file_tombstones + memtable_tombstones;
  uint64_t reads = 0, unique_reads = 0;
  out.per_file.clear();
  for (FileAcc& a : files) {
    FileScanStats& m = a.merged;
    if (!m.opened) {
      m.skipped_whole = true;
      ++out.files_skipped;
      out.per_file.push_back(std::move(m));
      continue;
    }
    m.in_range = Union(std::move(a.in_range));
    m.runs = Union(std::move(a.runs));
    const uint64_t in_range = Count(m.in_range), to_read = Count(m.runs);
    const uint64_t read = Count(Union(std::move(a.read)));
    m.skipped_by_range = m.blocks - std::min(m.blocks, in_range);
    m.skipped_by_zone_map = in_range - std::min(in_range, to_read);
    m.skipped_whole = to_read == 0;
    m.unread = to_read - std::min(to_read, read);
    ++out.files;
    out.files_skipped_by_zone_map += in_range > 0 && to_read == 0;
    out.blocks_skipped += m.blocks - std::min(m.blocks, read);
    out.blocks_skipped_by_range += m.skipped_by_range;
    out.blocks_skipped_by_zone_map += m.skipped_by_zone_map;
    reads += a.reads;
    unique_reads += read;
    out.per_file.push_back(std::move(m));
  }
  const uint64_t twice = reads - std::min(reads, unique_reads);
  out.blocks_read_twice = twice;
  out.blocks_read -= std::min(out.blocks_read, twice);
  return out;
}

}  // namespace pushdown::exec
