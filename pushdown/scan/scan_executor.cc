#include "pushdown/scan/scan_executor.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "bpfgen/eval/evaluator.h"
#include "pushdown/scan/device_stream.h"
#include "pushdown/scan/host_stream.h"
#include "pushdown/scan/host_timer.h"
#include "pushdown/scan/level_stream.h"
#include "pushdown/scan/shadow_policy.h"
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

// Opens one file's stream: the device's or the host's, over the data blocks
// that can hold keys in `range` (the index seek).
Result<std::unique_ptr<EntryStream>> OpenFileStream(const ScanPlan& plan, const ScanFile& f,
                                                    const KeyRange& range,
                                                    const ScanFilters& filters, ScanStats* stats) {
  SstOpenOptions options;
  if (f.largest_seqno != kMaxSequenceNumber) options.largest_seqno = f.largest_seqno;
  PD_ASSIGN_OR_RETURN(std::unique_ptr<SstFile> sst, SstFile::Open(f.path, options));
  if (!sst->info().supported()) {
    std::string why;
    for (const std::string& u : sst->info().unsupported) why += (why.empty() ? "" : ", ") + u;
    return Status::NotSupported(sst->info().file_name + ": " + why);
  }
  // The file is bytewise now (supported): its known key range may rule it
  // out although the plan did not say so (ScanPlan::bytewise_comparator).
  const BlockRange blocks =
      FileInRange(f, range) ? sst->DataBlocksInRange(range.lower, range.upper) : BlockRange{0, 0};
  const uint64_t outside = sst->num_data_blocks() - blocks.size();
  stats->blocks_skipped_by_range += outside;
  stats->blocks_skipped += outside;
  const bool shadows = NeedsShadows(f.bottommost, f.largest_seqno);
  if (plan.device != nullptr) {
    return std::unique_ptr<EntryStream>(std::make_unique<DeviceFileStream>(
        std::move(sst), blocks, plan.block_source, plan.device, plan.program, shadows,
        plan.batch_blocks, filters.device, stats));
  }
  return std::unique_ptr<EntryStream>(std::make_unique<HostFileStream>(
      std::move(sst), blocks, plan.block_source, filters.device, shadows, stats));
}

}  // namespace

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
    if (plan.bytewise_comparator && !FileInRange(f, range)) {
      ++scan->stats_.files_skipped;
      continue;
    }
    files.push_back(&f);
  }
  std::stable_sort(files.begin(), files.end(), [](const ScanFile* a, const ScanFile* b) {
    if (a->level != b->level) return a->level < b->level;
    return a->largest_seqno > b->largest_seqno;
  });

  std::vector<FileStream> file_streams;
  for (const ScanFile* f : files) {
    PD_ASSIGN_OR_RETURN(std::unique_ptr<EntryStream> stream,
                        OpenFileStream(plan, *f, range, filters, &scan->stats_));
    file_streams.push_back({f, std::move(stream)});
    ++scan->stats_.files;
  }
  scan->streams_ = GroupLevels(std::move(file_streams));
  std::vector<EntryStream*> ptrs;
  for (const auto& s : scan->streams_) ptrs.push_back(s.get());
  // The merge cuts entries outside the range (the first and last blocks of
  // each file hold some; so may any stream without block-level bounds).
  scan->cursor_ =
      std::make_unique<RowCursor>(std::move(ptrs), plan.snapshot, std::move(filters.residual),
                                  std::move(projector), plan.limit, range);
  return scan;
}

Status ScanExecutor::Next(Row* row) {
  HostTimer timer(&stats_, sampler_.Weight());
  Status s = cursor_->Next(row);
  stats_.rows_matched = cursor_->rows_returned();
  if (s.ok() && !cursor_->Valid()) Finish();
  return s;
}

bool ScanExecutor::Valid() const { return cursor_->Valid(); }

void ScanExecutor::Finish() {
  if (finished_) return;
  finished_ = true;
  for (const auto& s : streams_) stats_.blocks_skipped += BlocksRemaining(s.get());
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
