// Scan(): request preparation, the plan (pushdown/plan/planner.h), the
// pushdown path (pinned SST files + device program + ScanExecutor) and the
// iterator path (RocksDB iterator through the application's own handle + the
// reference Evaluator), and Explain (the same OpenScan, without reading rows).
//
// Pinning (SST_FORMAT.md "Pinning"): snapshot -> [opt-in flush] -> memtable
// capture (memtable_view.h; before the file list, so a racing flush yields
// entries in both, never in neither) -> plan -> pin the files (PinFiles: an iterator holding the
// listed version) -> GetColumnFamilyMetaData -> scan -> unpin when the cursor is destroyed. Nothing
// here writes to the DB unless ScanOptions::flush_memtable asks for it.
#include <algorithm>
#include <cstdio>
#include <thread>
#include <utility>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/key_ranges.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/schema/row_codec.h"
#include "engine/api/internal.h"
#include "engine/api/memtable_view.h"
#include "pushdown/plan/planner.h"
#include "pushdown/scan/host_timer.h"
#include "pushdown/scan/parallel_scan.h"
#include "pushdown/scan/scan_executor.h"
#include "rocksdb/comparator.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/metadata.h"
#include "util/hex.h"

namespace pushdown::engine {

namespace {

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

// Owns (or borrows) the scan's snapshot.
struct SnapshotHolder {
  rocksdb::DB* db = nullptr;
  const rocksdb::Snapshot* snapshot = nullptr;
  bool owned = false;
  ~SnapshotHolder() {
    if (owned && snapshot != nullptr) db->ReleaseSnapshot(snapshot);
  }
};

// Keeps the scanned files on disk while alive. Preferably an iterator that
// pins the column family's super version (and with it the version whose
// files the scan reads): no state of the DB changes, nothing is logged. When
// the super version keeps changing under us, obsolete-file deletion is
// disabled instead (nested: RocksDB counts; this writes a line to the DB's
// info LOG).
struct FilePin {
  std::unique_ptr<rocksdb::Iterator> pin;
  rocksdb::DB* deletions_disabled = nullptr;
  ~FilePin() {
    pin.reset();
    if (deletions_disabled != nullptr) {
      deletions_disabled->EnableFileDeletions(/*force=*/false).PermitUncheckedError();
    }
  }
};

// Pins the files of `cf` and lists them in *meta (the same version).
Result<std::unique_ptr<FilePin>> PinFiles(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                          bool read_only, rocksdb::ColumnFamilyMetaData* meta) {
  auto pin = std::make_unique<FilePin>();
  for (int attempt = 0; attempt < 4; ++attempt) {
    uint64_t before = 0, after = 0;
    if (!db->GetIntProperty(cf, rocksdb::DB::Properties::kCurrentSuperVersionNumber, &before)) {
      break;
    }
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    pin->pin.reset(db->NewIterator(ro, cf));
    *meta = rocksdb::ColumnFamilyMetaData();
    db->GetColumnFamilyMetaData(cf, meta);
    if (db->GetIntProperty(cf, rocksdb::DB::Properties::kCurrentSuperVersionNumber, &after) &&
        before == after) {
      return pin;  // the iterator's super version is the listed one
    }
    pin->pin.reset();
  }
  // A read-only DB deletes no files: the listing alone is stable.
  if (!read_only) {
    PD_RETURN_IF_ERROR(FromRocks(db->DisableFileDeletions(), "disable file deletions"));
    pin->deletions_disabled = db;
  }
  *meta = rocksdb::ColumnFamilyMetaData();
  db->GetColumnFamilyMetaData(cf, meta);
  return pin;
}

uint64_t MemtableEntries(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  uint64_t active = 0, imm = 0;
  db->GetIntProperty(cf, "rocksdb.num-entries-active-mem-table", &active);
  db->GetIntProperty(cf, "rocksdb.num-entries-imm-mem-tables", &imm);
  return active + imm;
}

// What the planner needs to know about the column family (its own options,
// through the application's handle).
plan::ColumnFamilyFacts FactsOf(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, bool read_only) {
  plan::ColumnFamilyFacts f;
  const rocksdb::ColumnFamilyOptions o = db->GetOptions(cf);
  if (o.merge_operator != nullptr) f.merge_operator = o.merge_operator->Name();
  const rocksdb::Comparator* cmp = o.comparator;
  if (cmp != nullptr) {
    f.comparator = cmp->Name();
    f.timestamp_size = cmp->timestamp_size();
    f.bytewise_comparator = cmp == rocksdb::BytewiseComparator() ||
                            std::string_view(cmp->Name()) == "leveldb.BytewiseComparator";
  }
  f.blob_files = o.enable_blob_files;
  f.read_only = read_only;
  f.memtable_entries = MemtableEntries(db, cf);
  return f;
}

// ScanOptions' bounds and prefix as one range. Bytewise: prefix = [prefix,
// successor) intersected with the bounds, and with the hull of the key ranges
// derived from the predicate (bpfgen/lang/key_ranges.h: a superset of the
// matching keys, so intersecting with it changes what is read, never what
// matches; the conjuncts stay in the predicate). The derivation reads keys as
// the memcomparable encoding of the key columns (bpfgen/schema/key_codec.h),
// which is what a table's key is. Other comparators: the bounds are the
// comparator's (RocksDB applies them), the prefix is a key filter, and nothing
// is derived (the derived ranges are bytewise).
KeyBounds EffectiveBounds(const ScanOptions& o, bool bytewise, const bpfgen::Predicate& predicate,
                          const bpfgen::Schema& schema, std::vector<std::string>* derived_from) {
  KeyBounds b;
  b.lower = o.lower_bound;
  b.upper = o.upper_bound;
  if (!bytewise) {
    b.prefix = o.prefix;
    return b;
  }
  auto narrow = [&b](const std::string& lower, const std::optional<std::string>& upper) {
    if (!b.lower || *b.lower < lower) b.lower = lower;
    if (upper && (!b.upper || *upper < *b.upper)) b.upper = upper;
  };
  if (o.prefix.has_value()) narrow(*o.prefix, bpfgen::KeyPrefixSuccessor(*o.prefix));
  const bpfgen::KeyRanges derived = bpfgen::DeriveKeyRanges(predicate, schema);
  if (!derived.unbounded) {
    *derived_from = derived.used;
    if (std::optional<bpfgen::KeyRange> hull = derived.Hull()) {
      narrow(hull->start, hull->limit);
      // Several ranges (at most bpfgen::kMaxDerivedRanges, so the seeks are
      // bounded): the executor seeks the index to each one instead of
      // reading the whole hull.
      if (derived.ranges.size() >= 2) {
        for (const bpfgen::KeyRange& r : derived.ranges) b.ranges.emplace_back(r.start, r.limit);
      }
    } else {
      narrow("", std::string());  // no key can match: the empty range [x, "")
    }
  }
  return b;
}

// The explain line's pin detail: " (instance reused from bpffs, not
// verified)", " (verified, pinned in bpffs)", " (not pinned: <why>)", or "".
static std::string PinText(const ScanInfo& info) {
  if (info.program_pin == "reused") return " (instance reused from bpffs, not verified)";
  if (info.program_pin == "created") return " (verified, pinned in bpffs)";
  if (!info.program_pin.empty()) return " (not pinned: " + info.pin_note + ")";
  return "";
}

void FillInfoFromPlan(const plan::Plan& p, const bpfgen::Schema& schema, ScanInfo* info) {
  info->path = p.pushdown() ? "pushdown" : "iterator";
  info->device = p.device;
  info->fallback_reason = p.fallback_reason;
  info->pushed.clear();
  info->residual.clear();
  for (const bpfgen::Expr* e : p.device_conjuncts) {
    info->pushed.push_back(bpfgen::ToString(*e, schema));
  }
  for (const auto& r : p.residual) {
    info->residual.push_back({bpfgen::ToString(*r.conjunct, schema), r.reason});
  }
  info->pushdown_kind = bpfgen::PushdownKindName(p.pushdown_kind);
  info->host_decode = p.host_decode;
  info->placement = plan::PlacementName(p.placement);
  info->placement_decision = plan::PlacementDecisionName(p.placement_decision);
  info->cost_estimated = p.cost.has_value();
  info->cost_pushdown_ms = p.cost ? p.cost->pushdown_ms : 0;
  info->cost_iterator_ms = p.cost ? p.cost->iterator_ms : 0;
  info->cost_text = p.cost ? p.cost->ToString() : "";
  info->program_cached = p.program_cached;
  info->compile_ms = p.compile_ms;
  info->program_pinned = false;
  info->program_pin.clear();
  info->pin_note.clear();
  if (p.program != nullptr && !p.program_cached && p.program->program != nullptr &&
      p.program->bpf.has_value()) {
    const exec::LoadStats& st = p.program->program->stats();
    info->program_pinned = p.program->from_pin;
    info->program_pin = exec::PinStateName(st.pin);
    info->pin_note = st.pin_note;
  }
}

// ---------------------------------------------------------------------------
// The iterator path: DB::NewIterator through the application's handle (its own
// comparator, merge operator, blob files, ...), bounds as ReadOptions.

class IteratorCursor : public ScanCursorImpl {
 public:
  IteratorCursor(AttachedDB::Impl& impl, std::shared_ptr<ScanRequest> req,
                 const ScanOptions& options, const KeyBounds& bounds, bool want_value,
                 std::shared_ptr<SnapshotHolder> snapshot, ScanInfo info,
                 std::vector<std::string> names, std::vector<bpfgen::Type> types)
      : req_(std::move(req)),
        snapshot_(std::move(snapshot)),
        bounds_(bounds),
        eval_(*req_->schema),
        layout_(req_->schema->raw ? bpfgen::RowLayout()
                                  : bpfgen::RowLayout::Compute(*req_->schema)),
        want_value_(want_value),
        limit_(options.limit),
        batch_rows_(options.batch_rows == 0 ? exec::kDefaultBatchRows : options.batch_rows),
        info_(std::move(info)),
        names_(std::move(names)),
        types_(std::move(types)) {
    info_.path = "iterator";
    info_.device = "iterator";
    info_.files = 0;
    info_.memtable_entries_merged = 0;
    info_.per_file.clear();
    rocksdb::ReadOptions ro;
    // A secondary instance (DB::OpenAsSecondary, how the CLI opens a DB)
    // rejects every iterator with ReadOptions::snapshot ("snapshot not
    // supported in secondary mode"). A read-only DB (secondary or
    // OpenForReadOnly) changes only when the application catches up, which it
    // must not do while a scan is open: its latest state is the snapshot's.
    ro.snapshot = impl.options.read_only ? nullptr : snapshot_->snapshot;
    ro.verify_checksums = options.verify_checksums;
    if (bounds_.lower) {
      lower_ = *bounds_.lower;
      ro.iterate_lower_bound = &lower_;
    }
    if (bounds_.upper) {
      upper_ = *bounds_.upper;
      ro.iterate_upper_bound = &upper_;
    }
    it_.reset(impl.db->NewIterator(ro, req_->cf));
    if (bounds_.lower) {
      it_->Seek(lower_);
    } else {
      it_->SeekToFirst();
    }
  }

  Status Next() override {
    PD_RETURN_IF_ERROR(UseMode(ReadMode::kRows));
    if (!status_.ok()) return status_;
    valid_ = false;
    if (done_) return Status::OK();
    Status s;
    {
      exec::HostTimer timer(&stats_, sampler_.Weight());
      s = Advance();
    }
    if (!s.ok()) status_ = s;
    return s;
  }
  Status NextBatch(RowBatch* batch) override {
    PD_RETURN_IF_ERROR(UseMode(ReadMode::kBatches));
    PrepareBatch(*req_, batch);
    valid_ = false;
    if (!status_.ok()) return status_;
    if (done_) return Status::OK();
    Status s;
    {
      exec::HostTimer timer(&stats_);
      s = FillBatch(batch);
    }
    if (!s.ok()) {
      status_ = s;
      // The rows before the error first; the error with the next call.
      if (!batch->empty()) return Status::OK();
    }
    return s;
  }
  bool Valid() const override { return valid_; }
  const std::vector<std::string>& column_names() const override { return names_; }
  const std::vector<bpfgen::Type>& column_types() const override { return types_; }
  const std::vector<Datum>& row() const override { return row_; }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  const ScanInfo& info() const override { return info_; }
  const exec::ScanStats& stats() const override { return stats_; }

 private:
  // Moves the iterator to the next matching row (true; *k and *v are its
  // key and value until the iterator moves) or to the end (false, done_).
  Result<bool> Step(std::string_view* k, std::string_view* v) {
    if (stats_.rows_matched >= limit_) {
      done_ = true;
      return false;
    }
    if (started_) it_->Next();
    started_ = true;
    for (; it_->Valid(); it_->Next()) {
      ++stats_.entries_scanned;
      *k = it_->key().ToStringView();
      if (bounds_.prefix && k->substr(0, bounds_.prefix->size()) != *bounds_.prefix) continue;
      *v = it_->value().ToStringView();
      PD_ASSIGN_OR_RETURN(bool match, eval_.Matches(req_->predicate, *k, *v));
      if (!match) continue;
      return true;
    }
    PD_RETURN_IF_ERROR(FromRocks(it_->status(), "iterator"));
    done_ = true;
    return false;
  }

  Status Advance() {
    std::string_view k, v;
    PD_ASSIGN_OR_RETURN(bool found, Step(&k, &v));
    if (!found) return Status::OK();
    key_.assign(k);
    if (want_value_) {
      value_.assign(v);
    } else {
      PD_RETURN_IF_ERROR(Project(k, v));
    }
    ++stats_.rows_matched;
    stats_.bytes_to_host += k.size() + v.size();
    valid_ = true;
    return Status::OK();
  }

  // Appends matching rows until the batch is full or the scan is done. Each
  // value is checked well-formed first (as Project's DecodeRow does).
  Status FillBatch(RowBatch* batch) {
    const RowBatchLayout& layout = *batch->layout();
    while (!done_ && batch->size() < batch_rows_ && batch->bytes() < exec::kMaxBatchBytes) {
      std::string_view k, v;
      PD_ASSIGN_OR_RETURN(bool found, Step(&k, &v));
      if (!found) break;
      PD_RETURN_IF_ERROR(layout.Validate(v));
      batch->Append(k, v);
      ++stats_.rows_matched;
      stats_.bytes_to_host += k.size() + v.size();
    }
    return Status::OK();
  }

  Status Project(std::string_view k, std::string_view v) {
    row_.clear();
    if (req_->schema->raw) {
      for (int c : req_->columns) row_.push_back(Datum::String(c == 0 ? k : v));
      return Status::OK();
    }
    PD_RETURN_IF_ERROR(bpfgen::DecodeRow(*req_->schema, layout_, v, &decoded_));
    for (int c : req_->columns) row_.push_back(decoded_[c]);
    return Status::OK();
  }

  std::shared_ptr<ScanRequest> req_;
  std::shared_ptr<SnapshotHolder> snapshot_;
  KeyBounds bounds_;
  rocksdb::Slice lower_, upper_;  // point into bounds_ (ReadOptions keeps pointers)
  std::unique_ptr<rocksdb::Iterator> it_;
  bpfgen::Evaluator eval_;
  bpfgen::RowLayout layout_;
  bool want_value_;
  uint64_t limit_;
  size_t batch_rows_;
  ScanInfo info_;
  std::vector<std::string> names_;
  std::vector<bpfgen::Type> types_;
  exec::ScanStats stats_;
  exec::CallSampler sampler_;  // which Next calls are timed
  Status status_;
  bool started_ = false, valid_ = false, done_ = false;
  std::string key_, value_;
  std::vector<Datum> row_, decoded_;
};

// ---------------------------------------------------------------------------
// The pushdown path.

class PushdownCursor : public ScanCursorImpl {
 public:
  PushdownCursor(AttachedDB::Impl& impl, std::shared_ptr<ScanRequest> req,
                 const ScanOptions& options, const KeyBounds& bounds, bool want_value,
                 std::shared_ptr<SnapshotHolder> snapshot, ScanInfo info,
                 std::vector<std::string> names, std::vector<bpfgen::Type> types)
      : impl_(impl),
        req_(std::move(req)),
        options_(options),
        bounds_(bounds),
        want_value_(want_value),
        snapshot_(std::move(snapshot)),
        info_(std::move(info)),
        names_(std::move(names)),
        types_(std::move(types)) {
    info_.path = "pushdown";
  }

  ~PushdownCursor() override {
    executor_.reset();  // before the files are unpinned
    parallel_.reset();  // stops and joins the workers, before their programs go
    extra_leases_.clear();
    pin_.reset();
  }

  // The executor aggregates exact blocks on the device into `sink`.
  void set_device_aggregation(std::shared_ptr<exec::DeviceAggregation> sink) {
    device_aggregation_ = std::move(sink);
  }

  void set_memtable(std::shared_ptr<exec::EntryStream> stream, uint64_t entries,
                    std::vector<exec::RangeTombstone> tombstones) {
    memtable_ = std::move(stream);
    info_.memtable_entries_merged = entries;
    memtable_tombstones_ = std::move(tombstones);
  }

  // Pins the files and opens the executor. A NotSupported from the executor
  // (a file the pushdown path cannot read) is returned for the caller to fall
  // back. With strict_device, an instance that cannot be loaded is an error.
  Status Open(plan::Plan plan, const rocksdb::ColumnFamilyMetaData& meta,
              std::unique_ptr<FilePin> pin) {
    pin_ = std::move(pin);
    plan_ = std::move(plan);
    residual_ = plan_.residual_conjuncts();
    exec::ScanPlan sp;
    sp.files = ScanFilesOf(meta);
    info_.files = sp.files.size();
    sp.snapshot = snapshot_->snapshot->GetSequenceNumber();
    sp.schema = req_->schema.get();
    sp.device_conjuncts = plan_.device_conjuncts;
    sp.residual_conjuncts = residual_;
    sp.projection =
        want_value_ ? exec::Projection::All() : exec::Projection::Columns(req_->columns);
    // Key bounds (bytewise): the executor opens no file outside them, seeks
    // the index to the first block that can hold the lower bound, reads no
    // block past the upper bound and cuts entries outside (exact).
    sp.lower_bound = bounds_.lower;
    sp.upper_bound = bounds_.upper;
    for (const auto& [start, limit] : bounds_.ranges) sp.key_ranges.push_back({start, limit});
    if (!options_.use_zone_maps) sp.zone_maps = exec::ScanPlan::ZoneMapUse::kOff;
    // The planner sends only bytewise families down the pushdown path
    // (plan::ColumnFamilyReadable): file key ranges compare bytewise.
    sp.bytewise_comparator = true;
    sp.limit = options_.limit;
    sp.memtable = memtable_;
    sp.memtable_tombstones = memtable_tombstones_;
    sp.device_aggregation = device_aggregation_;
    sp.batch_blocks = options_.batch_blocks == 0 ? 16 : options_.batch_blocks;
    const size_t workers = WorkersFor(meta);
    // Explicit workers split as asked; the default leaves small ranges whole.
    const uint64_t min_part_bytes =
        options_.workers.value_or(impl_.options.scan_workers) == 0 ? kAutoWorkerBytes : 0;
    if (options_.use_io_uring || options_.use_direct_io) {
      // Large sequential reads through pushdown/sst BlockSource: one per file
      // and worker, (queue_depth + 1) x read_size bytes of buffers each; the
      // merge keeps every file open at once, so many files (or workers) get
      // smaller buffers (64 MiB total).
      exec::BlockSourceOptions bs;
      bs.use_io_uring = options_.use_io_uring;
      bs.o_direct = options_.use_direct_io;
      bs.use_mmap = options_.use_mmap_reads;
      bs.read_into_device_memory = options_.read_into_device_memory;
      bs.verify_checksums = options_.verify_checksums;
      if (workers * sp.files.size() * (bs.queue_depth + 1) * bs.read_size > (64u << 20)) {
        bs.read_size = 256u << 10;
        bs.queue_depth = 2;
      }
      sp.block_source = bs;
    }
    if (plan_.program != nullptr) {
      auto lease = impl_.pool.Acquire(plan_.program);
      if (lease.ok()) {
        lease_ = std::move(lease).value();
        sp.device = lease_.device();
        sp.program = lease_.loaded();
      } else {
        if (options_.strict_device) {
          return Status::Unavailable("strict device: program instance load failed on " +
                                     plan_.device + ": " + lease.status().message());
        }
        info_.device = "host";
        info_.fallback_reason = "program instance load failed: " + lease.status().message();
      }
    }
    // One program instance per further worker (ProgramPool: idle extras, else
    // a load of the cached image); as many workers as instances were had.
    size_t instances = workers;
    std::string instance_failure;
    if (sp.program != nullptr) {
      for (instances = 1; instances < workers; ++instances) {
        auto extra = impl_.pool.Acquire(plan_.program);
        if (!extra.ok()) {
          instance_failure = extra.status().message();
          break;
        }
        extra_leases_.push_back(std::move(extra).value());
      }
    }
    PD_ASSIGN_OR_RETURN(std::vector<exec::ScanPlan> plans,
                        exec::SplitPlan(std::move(sp), instances, min_part_bytes));
    info_.workers = plans.size();
    if (plans.size() < instances) {
      info_.workers_reason = "asked for " + std::to_string(workers) +
                             ": the key range holds data for " + std::to_string(plans.size());
    } else if (instances < workers) {
      info_.workers_reason = "asked for " + std::to_string(workers) + ": program instance " +
                             std::to_string(instances + 1) + " failed to load: " + instance_failure;
    }
    if (plans.size() == 1) {
      extra_leases_.clear();
      PD_ASSIGN_OR_RETURN(executor_, exec::ScanExecutor::Open(plans[0]));
      // What the executor planned per file (Explain shows it; no data block
      // has been read yet).
      info_.per_file = executor_->stats().per_file;
      return Status::OK();
    }
    for (size_t i = 1; i < plans.size(); ++i) {
      if (plans[i].program == nullptr) continue;  // the host path
      plans[i].device = extra_leases_[i - 1].device();
      plans[i].program = extra_leases_[i - 1].loaded();
    }
    extra_leases_.resize(plans.size() - 1);
    PD_ASSIGN_OR_RETURN(parallel_, exec::ParallelScan::Open(std::move(plans)));
    // The workers' plans merged per file (split_stats.h), as the unsplit scan's.
    info_.per_file = parallel_->stats().per_file;
    return Status::OK();
  }

  Status Next() override {
    PD_RETURN_IF_ERROR(UseMode(ReadMode::kRows));
    if (fallback_ != nullptr) return fallback_->Next();
    valid_ = false;
    if (done_) return Status::OK();
    Status s = parallel_ ? parallel_->Next(&row_) : executor_->Next(&row_);
    if (s.IsNotSupported() && returned_ == 0) {
      // An entry type the merge does not handle: nothing was returned yet, so
      // the iterator path can take over exactly.
      PD_RETURN_IF_ERROR(SwitchToIterator(s.message()));
      return fallback_->Next();
    }
    PD_RETURN_IF_ERROR(s);
    if (!(parallel_ ? parallel_->Valid() : executor_->Valid())) {
      done_ = true;
      NoteIoFallback();
      return Status::OK();
    }
    ++returned_;
    valid_ = true;
    if (!parallel_) NoteIoFallback();  // a parallel scan's counters are summed under a lock
    return Status::OK();
  }

  Status NextBatch(RowBatch* batch) override {
    PD_RETURN_IF_ERROR(UseMode(ReadMode::kBatches));
    if (fallback_ != nullptr) return fallback_->NextBatch(batch);
    valid_ = false;
    PrepareBatch(*req_, batch);
    if (done_) return Status::OK();
    const size_t rows = options_.batch_rows == 0 ? exec::kDefaultBatchRows : options_.batch_rows;
    Status s = parallel_ ? parallel_->NextBatch(batch, rows) : executor_->NextBatch(batch, rows);
    if (s.IsNotSupported() && returned_ == 0) {
      // As in Next(): nothing was returned yet; the iterator path takes over.
      PD_RETURN_IF_ERROR(SwitchToIterator(s.message()));
      return fallback_->NextBatch(batch);
    }
    PD_RETURN_IF_ERROR(s);
    if (batch->empty()) {
      done_ = true;
      NoteIoFallback();
      return Status::OK();
    }
    returned_ += batch->size();
    if (!parallel_) NoteIoFallback();
    return Status::OK();
  }

  size_t workers() const override { return parallel_ ? parallel_->workers() : 1; }

  Status ForEachRow(const RowSink& sink, const std::function<void()>& restart) override {
    if (!parallel_ || fallback_ != nullptr) return ScanCursorImpl::ForEachRow(sink, restart);
    Status s = parallel_->RunUnordered(
        [&sink](size_t worker, const exec::Row& row) { return sink(worker, row.key, row.value); });
    if (s.IsNotSupported()) {
      // As in Next(): a file the merge cannot read; the iterator path starts over.
      restart();
      PD_RETURN_IF_ERROR(SwitchToIterator(s.message()));
      return ScanCursorImpl::ForEachRow(sink, restart);
    }
    done_ = true;
    NoteIoFallback();
    return s;
  }
  bool Valid() const override { return fallback_ ? fallback_->Valid() : valid_; }
  const std::vector<std::string>& column_names() const override { return names_; }
  const std::vector<bpfgen::Type>& column_types() const override { return types_; }
  const std::vector<Datum>& row() const override {
    return fallback_ ? fallback_->row() : row_.columns;
  }
  std::string_view key() const override { return fallback_ ? fallback_->key() : row_.key; }
  std::string_view value() const override { return fallback_ ? fallback_->value() : row_.value; }
  const ScanInfo& info() const override { return fallback_ ? fallback_->info() : info_; }
  const exec::ScanStats& stats() const override {
    if (fallback_) return fallback_->stats();
    if (parallel_) {
      parallel_stats_ = parallel_->stats();
      return parallel_stats_;
    }
    return executor_->stats();
  }

 private:
  // The number of workers to ask SplitPlan for (ScanOptions::workers).
  size_t WorkersFor(const rocksdb::ColumnFamilyMetaData& meta) const {
    const uint32_t want = options_.workers.value_or(impl_.options.scan_workers);
    if (want != 0) return std::min(want, kMaxScanWorkers);
    const uint64_t cores = std::max(1u, std::thread::hardware_concurrency());
    const uint64_t by_size = std::max<uint64_t>(1, meta.size / kAutoWorkerBytes);
    return static_cast<size_t>(std::min<uint64_t>({cores, by_size, kMaxScanWorkers}));
  }

  void NoteIoFallback() {
    const std::string io_reason = stats().io_fallback_reason;
    if (info_.fallback_reason.empty() && !io_reason.empty()) info_.fallback_reason = io_reason;
  }

  Status SwitchToIterator(const std::string& reason) {
    // The iterator path returns every row: what the device aggregated is
    // forgotten (its rows come again).
    if (device_aggregation_) device_aggregation_->Reset();
    executor_.reset();
    parallel_.reset();
    extra_leases_.clear();
    pin_.reset();
    lease_ = ProgramLease();
    PD_RETURN_IF_ERROR(plan::FallBackToIterator(&plan_, plan::IteratorReason::kFile, reason,
                                                options_.strict_device));
    ScanInfo info = info_;
    FillInfoFromPlan(plan_, *req_->schema, &info);
    if (!info.aggregation.empty()) info.aggregation = "host: the iterator path returns every row";
    fallback_ = std::make_unique<IteratorCursor>(impl_, req_, options_, bounds_, want_value_,
                                                 snapshot_, std::move(info), names_, types_);
    return Status::OK();
  }

  AttachedDB::Impl& impl_;
  std::shared_ptr<ScanRequest> req_;
  ScanOptions options_;
  KeyBounds bounds_;
  bool want_value_;
  std::shared_ptr<SnapshotHolder> snapshot_;
  ScanInfo info_;
  std::vector<std::string> names_;
  std::vector<bpfgen::Type> types_;
  plan::Plan plan_;
  std::vector<const bpfgen::Expr*> residual_;  // borrowed by the executor
  ProgramLease lease_;
  std::vector<ProgramLease> extra_leases_;  // workers 1..N-1 of a parallel scan
  std::unique_ptr<FilePin> pin_;
  std::unique_ptr<exec::ScanExecutor> executor_;  // one worker, or
  std::unique_ptr<exec::ParallelScan> parallel_;  // several
  mutable exec::ScanStats parallel_stats_;        // parallel_->stats(), for stats()
  std::unique_ptr<IteratorCursor> fallback_;
  exec::Row row_;
  std::shared_ptr<exec::EntryStream> memtable_;            // the memtable capture's stream, or null
  std::vector<exec::RangeTombstone> memtable_tombstones_;  // the capture's range deletions
  std::shared_ptr<exec::DeviceAggregation> device_aggregation_;  // or null
  bool valid_ = false, done_ = false;
  uint64_t returned_ = 0;
};

void OutputColumns(const ScanRequest& req, std::vector<std::string>* names,
                   std::vector<bpfgen::Type>* types) {
  for (int c : req.columns) {
    names->push_back(req.schema->columns[c].name);
    types->push_back(req.schema->columns[c].type);
  }
}

// The memtable's share of the scan (memtable_view.h): its entries at the
// snapshot as a stream for the merge, or the reason exactness cannot be
// established (the planner then takes the iterator path).
// REQUIRES: called before the file list is read (PinFiles).
struct Captured {
  std::shared_ptr<exec::EntryStream> stream;
  uint64_t entries = 0;
  std::vector<exec::RangeTombstone> tombstones;
};
Result<Captured> CaptureMemtableInto(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                     const rocksdb::Snapshot* snapshot,
                                     plan::ColumnFamilyFacts* facts) {
  PD_ASSIGN_OR_RETURN(MemtableCapture cap, CaptureMemtable(db, cf, snapshot));
  facts->memtable_captured = cap.fallback_reason.empty();
  facts->memtable_fallback_reason = std::move(cap.fallback_reason);
  Captured out;
  out.stream = std::shared_ptr<exec::EntryStream>(std::move(cap.stream));
  out.entries = cap.entries;
  out.tombstones = std::move(cap.range_tombstones);
  return out;
}

// What the placement estimate knows before any file is opened
// (plan::CostInputs): the SST files the key range overlaps (their metadata
// key ranges; bytewise families only, others take the iterator path anyway),
// their bytes and entries, and with bounds the share of those bytes in the
// range (RocksDB's approximate sizes over the index), which scales the
// entries. Multi-range bounds count their hull.
plan::CostInputs CostInputsOf(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, bool bytewise,
                              const KeyBounds& bounds, const bpfgen::Predicate& predicate) {
  plan::CostInputs in;
  if (!bytewise) return in;
  in.known = true;
  in.predicate_true = predicate.conjuncts.empty();
  if (bounds.lower && bounds.upper && !(*bounds.lower < *bounds.upper)) return in;  // empty range
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(cf, &meta);
  uint64_t bytes = 0, entries = 0;
  std::string largest;
  for (const auto& level : meta.levels) {
    for (const rocksdb::SstFileMetaData& f : level.files) {
      if (bounds.lower && f.largestkey < *bounds.lower) continue;
      if (bounds.upper && !(f.smallestkey < *bounds.upper)) continue;
      ++in.files;
      bytes += f.size;
      entries += f.num_entries;
      if (largest < f.largestkey) largest = f.largestkey;
    }
  }
  in.data_bytes = bytes;
  in.entries = entries;
  if (in.files > 0 && (bounds.lower || bounds.upper)) {
    const std::string start = bounds.lower.value_or("");
    const std::string limit = bounds.upper.value_or(largest + '\0');
    rocksdb::Range range(start, limit);
    rocksdb::SizeApproximationOptions o;
    o.include_memtables = false;
    o.include_files = true;
    uint64_t in_range = 0;
    if (db->GetApproximateSizes(o, cf, &range, 1, &in_range).ok() && in_range < bytes) {
      in.entries =
          static_cast<uint64_t>(static_cast<double>(entries) * static_cast<double>(in_range) /
                                static_cast<double>(bytes));
      in.data_bytes = in_range;
    }
  }
  return in;
}

enum class OpenMode { kScan, kExplain };

// ScanInfo::aggregation of a scan asked to aggregate (`device_requested`: it
// has a sink and no row limit).
std::string AggregationWhere(const plan::Plan& p, const DeviceAggregateRequest& a,
                             bool device_requested) {
  if (a.sink == nullptr) return "host: " + a.host_reason;
  if (!device_requested) return "host: a row limit (rows in key order)";
  if (!p.pushdown()) return "host: the iterator path returns every row";
  if (p.device_aggregates) return "device";
  if (!p.residual.empty()) return "host: residual conjuncts need the rows on the host";
  return "host: " +
         (p.fallback_reason.empty() ? std::string("no device program") : p.fallback_reason);
}

Result<std::unique_ptr<ScanCursorImpl>> OpenScanImpl(
    AttachedDB::Impl& impl, std::shared_ptr<ScanRequest> req, const ScanOptions& options,
    bool want_value, OpenMode mode, const DeviceAggregateRequest* aggregates = nullptr) {
  rocksdb::DB* db = impl.db;
  const bool read_only = impl.options.read_only;
  ScanInfo info;
  info.requested_device = exec::DeviceRequestName(req->device);
  info.predicate = bpfgen::ToString(req->predicate, *req->schema);
  info.io = impl.io;
  std::vector<std::string> names;
  std::vector<bpfgen::Type> types;
  OutputColumns(*req, &names, &types);

  auto snapshot = std::make_shared<SnapshotHolder>();
  snapshot->db = db;
  if (options.snapshot != nullptr) {
    snapshot->snapshot = options.snapshot;
  } else {
    snapshot->snapshot = db->GetSnapshot();
    snapshot->owned = true;
  }
  info.snapshot_seqno = snapshot->snapshot->GetSequenceNumber();

  plan::PlanRequest pr;
  pr.schema = req->schema.get();
  pr.predicate = &req->predicate;
  pr.device = req->device;
  pr.strict_device = options.strict_device;
  pr.cf = FactsOf(db, req->cf, read_only);
  pr.placement = options.placement;
  info.memtable_entries = pr.cf.memtable_entries;
  // Rows in key order up to a limit cannot be aggregated by blocks.
  const bool device_aggregates = aggregates != nullptr && aggregates->sink != nullptr &&
                                 want_value && options.limit == kNoRowLimit;
  if (device_aggregates) {
    pr.aggregates = aggregates->items;
    pr.aggregates_key = aggregates->key;
  }

  const KeyBounds bounds = EffectiveBounds(options, pr.cf.bytewise_comparator, req->predicate,
                                           *req->schema, &info.key_range_conjuncts);
  info.has_lower_bound = bounds.lower.has_value();
  info.has_upper_bound = bounds.upper.has_value();
  info.lower_bound = bounds.lower.value_or("");
  info.upper_bound = bounds.upper.value_or("");
  if (req->device != exec::DeviceRequest::kIterator) {
    pr.cost = CostInputsOf(db, req->cf, pr.cf.bytewise_comparator, bounds, req->predicate);
  }

  // The opt-in write. Explain does not write: it plans as if the flush ran.
  if (options.flush_memtable && pr.cf.memtable_entries > 0 && !read_only &&
      req->device != exec::DeviceRequest::kIterator &&
      options.placement != plan::Placement::kIterator) {
    if (mode == OpenMode::kScan) {
      rocksdb::FlushOptions fo;
      fo.wait = true;
      fo.allow_write_stall = true;
      PD_RETURN_IF_ERROR(FromRocks(db->Flush(fo, req->cf), "flush before scan"));
      info.flushed = true;
    }
    // Everything at or below the snapshot was in the memtables when the
    // flush started, so it is in SST files now; what the memtables hold is
    // newer than the snapshot (concurrent writers). Explain plans the same.
    pr.cf.memtable_entries = 0;
  }
  Captured captured;
  if (pr.cf.memtable_entries > 0 && plan::ColumnFamilyReadable(pr)) {
    if (!impl.options.memtable_capture_off_reason.empty()) {
      pr.cf.memtable_captured = false;
      pr.cf.memtable_fallback_reason = impl.options.memtable_capture_off_reason;
    } else {
      PD_ASSIGN_OR_RETURN(captured, CaptureMemtableInto(db, req->cf, snapshot->snapshot, &pr.cf));
    }
  }

  PD_ASSIGN_OR_RETURN(plan::Plan p, plan::MakePlan(pr, &impl.cache));
  FillInfoFromPlan(p, *req->schema, &info);
  if (aggregates != nullptr) info.aggregation = AggregationWhere(p, *aggregates, device_aggregates);

  auto iterator_cursor = [&]() -> std::unique_ptr<ScanCursorImpl> {
    return std::unique_ptr<ScanCursorImpl>(new IteratorCursor(
        impl, req, options, bounds, want_value, snapshot, std::move(info), names, types));
  };
  if (!p.pushdown()) return iterator_cursor();

  rocksdb::ColumnFamilyMetaData meta;
  PD_ASSIGN_OR_RETURN(std::unique_ptr<FilePin> pin, PinFiles(db, req->cf, read_only, &meta));

  auto cursor = std::make_unique<PushdownCursor>(impl, req, options, bounds, want_value, snapshot,
                                                 info, names, types);
  cursor->set_memtable(std::move(captured.stream), captured.entries,
                       std::move(captured.tombstones));
  if (device_aggregates && p.device_aggregates) cursor->set_device_aggregation(aggregates->sink);
  plan::Plan keep = p;  // the cursor takes p; on a file fallback `keep` is moved to the iterator
  Status s = cursor->Open(std::move(p), meta, std::move(pin));
  if (s.IsNotSupported() || s.IsResourceExhausted()) {  // e.g. out of fds: RocksDB has them open
    cursor.reset();
    PD_RETURN_IF_ERROR(plan::FallBackToIterator(&keep, plan::IteratorReason::kFile, s.message(),
                                                options.strict_device));
    FillInfoFromPlan(keep, *req->schema, &info);
    if (aggregates != nullptr) {
      info.aggregation = AggregationWhere(keep, *aggregates, device_aggregates);
    }
    return iterator_cursor();
  }
  PD_RETURN_IF_ERROR(s);
  return std::unique_ptr<ScanCursorImpl>(std::move(cursor));
}

}  // namespace

Status ScanCursorImpl::ForEachRow(const RowSink& sink, const std::function<void()>& restart) {
  (void)restart;  // rows come through Next(), which restarts on its own before returning any
  for (;;) {
    PD_RETURN_IF_ERROR(Next());
    if (!Valid()) return Status::OK();
    PD_RETURN_IF_ERROR(sink(0, key(), value()));
  }
}

std::vector<exec::ScanFile> ScanFilesOf(const rocksdb::ColumnFamilyMetaData& meta) {
  int last_level = -1;
  size_t l0_files = 0;
  for (const auto& level : meta.levels) {
    if (!level.files.empty()) last_level = level.level;
    if (level.level == 0) l0_files = level.files.size();
  }
  std::vector<exec::ScanFile> files;
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) {
      exec::ScanFile sf;
      sf.path = f.directory + "/" + f.relative_filename;
      sf.level = level.level;
      sf.bottommost = level.level == last_level && (level.level > 0 || l0_files == 1);
      sf.smallest_seqno = f.smallest_seqno;
      sf.largest_seqno = f.largest_seqno;
      sf.has_key_range = true;
      sf.smallest_user_key = f.smallestkey;
      sf.largest_user_key = f.largestkey;
      files.push_back(std::move(sf));
    }
  }
  return files;
}

Result<ScanRequest> PrepareScan(const AttachedDB::Impl& impl, rocksdb::ColumnFamilyHandle* cf,
                                const RowSpec& rows, std::string_view where,
                                const ScanOptions& options) {
  if (cf == nullptr) return Status::InvalidArgument("null column family handle");
  ScanRequest req;
  req.cf = cf;
  PD_ASSIGN_OR_RETURN(req.schema, rows.Resolve());
  PD_ASSIGN_OR_RETURN(req.predicate,
                      bpfgen::CompilePredicate(IsBlank(where) ? "TRUE" : where, *req.schema));
  if (options.columns.empty()) {
    for (size_t c = 0; c < req.schema->columns.size(); ++c) req.columns.push_back(int(c));
  } else {
    for (const std::string& name : options.columns) {
      const int c = req.schema->FindColumn(name);
      if (c < 0) return Status::InvalidArgument("unknown column '" + name + "' in the column list");
      req.columns.push_back(c);
    }
  }
  req.device = options.device.value_or(impl.default_device);
  PD_ASSIGN_OR_RETURN(req.batch_layout, exec::RowBatchLayout::Make(req.schema, req.columns));
  req.target = (req.schema->raw ? "raw column family " : "column family ") + cf->GetName();
  return req;
}

Result<std::unique_ptr<ScanCursorImpl>> OpenScan(AttachedDB::Impl& impl, ScanRequest request,
                                                 const ScanOptions& options, bool want_value,
                                                 const DeviceAggregateRequest* aggregates) {
  return OpenScanImpl(impl, std::make_shared<ScanRequest>(std::move(request)), options, want_value,
                      OpenMode::kScan, aggregates);
}

namespace {

// A key bound in the explain text: 'text' when every byte is printable ASCII
// (raw keys a user typed), else 0xHEX as ldb prints keys (a table's
// memcomparable key encoding holds NUL bytes, which would cut the text).
std::string BoundText(std::string_view key) {
  const bool printable = std::all_of(key.begin(), key.end(),
                                     [](char c) { return c >= 0x20 && c < 0x7f && c != '\''; });
  if (printable) return "'" + std::string(key) + "'";
  return "0x" + HexEncode(key, HexCase::kUpper);
}

// Explain's "blocks:" section: what the scan reads of each file, and why it
// skips the rest (key ranges through the index, zone maps, whole files).
void AppendSkipping(const ScanInfo& info, std::string* t) {
  if (info.path != "pushdown") return;
  uint64_t blocks = 0, by_range = 0, by_zone = 0, whole = 0;
  for (const exec::FileScanStats& f : info.per_file) {
    blocks += f.blocks;
    by_range += f.skipped_by_range;
    by_zone += f.skipped_by_zone_map;
    whole += f.skipped_whole;
  }
  *t += "blocks:    " + std::to_string(blocks - by_range - by_zone) + " of " +
        std::to_string(blocks) + " data blocks to read (" + std::to_string(by_range) +
        " skipped by key range, " + std::to_string(by_zone) + " by zone map); " +
        std::to_string(whole) + " of " + std::to_string(info.per_file.size()) +
        " files skipped whole\n";
  for (const exec::FileScanStats& f : info.per_file) {
    *t += "  " + f.file + " L" + std::to_string(f.level) + ": ";
    if (!f.opened) {
      *t += "skipped whole (outside the key range, not opened)\n";
      continue;
    }
    *t += std::to_string(f.blocks) + " blocks, " + std::to_string(f.skipped_by_range) +
          " skipped by key range, " + std::to_string(f.skipped_by_zone_map) + " by zone map";
    if (f.skipped_whole) *t += ", skipped whole";
    *t += " (zone map: " + f.zone_map + ")\n";
  }
}

}  // namespace

Result<ExplainResult> ExplainScan(AttachedDB::Impl& impl, ScanRequest request,
                                  const ScanOptions& options) {
  auto req = std::make_shared<ScanRequest>(std::move(request));
  PD_ASSIGN_OR_RETURN(std::unique_ptr<ScanCursorImpl> cursor,
                      OpenScanImpl(impl, req, options, /*want_value=*/false, OpenMode::kExplain));
  ExplainResult out;
  out.info = cursor->info();
  ScanInfo& info = out.info;
  out.schema = req->schema->ToDdl();
  rocksdb::ColumnFamilyMetaData meta;
  impl.db->GetColumnFamilyMetaData(req->cf, &meta);
  if (info.path != "pushdown") info.files = meta.file_count;

  std::string& t = out.text;
  t += "target:    " + req->target + "\n";
  t += "schema:    " + out.schema + "\n";
  t += "predicate: " + info.predicate + "\n";
  t += "path:      " + info.path + " (requested device " + info.requested_device + ")\n";
  t += "device:    " + info.device;
  if (info.host_decode) t += " (nothing to push down: blocks decoded on the host into the merge)";
  t += "\n";
  if (!info.fallback_reason.empty()) t += "fallback:  " + info.fallback_reason + "\n";
  t += "placement: " + info.placement;
  if (!info.placement_decision.empty()) {
    t += " -> " + info.path + " (" + info.placement_decision + ")";
  }
  t += "\n";
  if (info.cost_estimated) t += "  estimate: " + info.cost_text + "\n";
  t += "io:        " + info.io + "\n";
  if (info.has_lower_bound || info.has_upper_bound) {
    t += "bounds:    [" + (info.has_lower_bound ? BoundText(info.lower_bound) : "-inf") + ", " +
         (info.has_upper_bound ? BoundText(info.upper_bound) : "+inf") + ")\n";
  }
  for (const std::string& c : info.key_range_conjuncts) t += "  key range from: " + c + "\n";
  if (info.path == "pushdown") {
    t += "pushdown:  " + info.pushdown_kind + "\n";
    for (const auto& p : info.pushed) t += "  device:   " + p + "\n";
    for (const auto& r : info.residual)
      t += "  residual: " + r.conjunct + "  -- " + r.reason + "\n";
    char buf[64];
    snprintf(buf, sizeof(buf), "%.2f", info.compile_ms);
    if (info.host_decode) {
      t += "program:   none (no device conjunct, no device aggregate)\n";
    } else {
      t += std::string("program:   ") +
           (info.program_cached   ? "cached"
            : info.program_pinned ? "pinned"
                                  : "compiled") +
           ", compile+load " + buf + " ms" + PinText(info) + "\n";
    }
  }
  t += "files:     " + std::to_string(meta.file_count) + " SST files, " +
       std::to_string(meta.size) + " bytes";
  if (info.path == "pushdown" && info.files != meta.file_count) {
    t += " (" + std::to_string(info.files) + " within the bounds)";
  }
  t += "\n";
  if (info.path == "pushdown") {
    t += "workers:   " + std::to_string(info.workers);
    if (!info.workers_reason.empty()) t += " (" + info.workers_reason + ")";
    t += "\n";
  }
  AppendSkipping(info, &t);
  if (info.memtable_entries > 0) {
    t += "memtable:  " + std::to_string(info.memtable_entries) + " entries";
    if (options.flush_memtable && !impl.options.read_only)
      t += " (flushed by Scan: flush_memtable)";
    t += "\n";
  }
  return out;
}

}  // namespace pushdown::engine
