// Scan(): request preparation, the pushdown path (pinned SST files + device
// program + ScanExecutor) and the iterator path (RocksDB iterator + the
// reference Evaluator), and Explain().
//
// Pinning (SST_FORMAT.md "Pinning"): snapshot -> flush the column family's
// memtable (so no data at or below the snapshot is left in memory; the scan
// executor requires it) -> DisableFileDeletions -> GetColumnFamilyMetaData ->
// scan -> EnableFileDeletions(force=false) when the cursor is destroyed.
#include <utility>

#include "bpfgen/eval/evaluator.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/row_codec.h"
#include "engine/api/internal.h"
#include "pushdown/scan/host_timer.h"
#include "pushdown/scan/scan_executor.h"
#include "rocksdb/comparator.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/metadata.h"

namespace pushdown::engine {

namespace {

const bpfgen::Schema& RawSchema() {
  static const bpfgen::Schema* raw = new bpfgen::Schema(bpfgen::Schema::Raw());
  return *raw;
}

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

// Keeps obsolete-file deletion disabled while alive (nested: RocksDB counts).
struct FileDeletionGuard {
  rocksdb::DB* db = nullptr;
  ~FileDeletionGuard() {
    if (db != nullptr) db->EnableFileDeletions(/*force=*/false).PermitUncheckedError();
  }
};

// Why the column family's configuration rules the pushdown path out ("" = ok).
std::string ColumnFamilyFallbackReason(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  rocksdb::Options o = db->GetOptions(cf);
  if (o.merge_operator != nullptr) {
    return std::string("merge operator on column family (") + o.merge_operator->Name() + ")";
  }
  if (o.comparator != nullptr && o.comparator != rocksdb::BytewiseComparator()) {
    if (o.comparator->timestamp_size() > 0) return "user-defined timestamps on column family";
    return std::string("non-bytewise comparator ") + o.comparator->Name();
  }
  if (o.enable_blob_files) return "blob files enabled on column family";
  return "";
}

uint64_t MemtableEntries(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  uint64_t active = 0, imm = 0;
  db->GetIntProperty(cf, "rocksdb.num-entries-active-mem-table", &active);
  db->GetIntProperty(cf, "rocksdb.num-entries-imm-mem-tables", &imm);
  return active + imm;
}

std::string JoinConjuncts(const std::vector<const bpfgen::Expr*>& conjuncts,
                          const bpfgen::Schema& schema) {
  std::string out;
  for (const bpfgen::Expr* e : conjuncts) {
    if (!out.empty()) out += " AND ";
    out += bpfgen::ToString(*e, schema);
  }
  return out.empty() ? "TRUE" : out;
}

// The device side of a scan: the split and the (cached) program.
struct DevicePlan {
  std::vector<const bpfgen::Expr*> device;
  std::vector<const bpfgen::Expr*> residual;
  std::shared_ptr<exec::DeviceProgram> program;  // null: host reference filter
};

Status PlanDevice(PushdownDB::Impl& impl, const ScanRequest& req, ScanInfo* info,
                  DevicePlan* plan) {
  PD_ASSIGN_OR_RETURN(
      exec::DeviceChoice choice,
      exec::ChooseDevice(exec::DeviceRegistry::Default(), exec::DeviceRequestName(req.device)));
  const exec::DeviceCaps& caps = choice.device->caps();
  bpfgen::SplitResult split = bpfgen::SplitPredicate(req.predicate, *req.schema, caps.split_caps);
  plan->device = split.device;
  for (const auto& r : split.residual) {
    plan->residual.push_back(r.conjunct);
    info->residual.push_back({bpfgen::ToString(*r.conjunct, *req.schema), r.reason});
  }
  for (const bpfgen::Expr* e : split.device) {
    info->pushed.push_back(bpfgen::ToString(*e, *req.schema));
  }
  info->pushdown_kind = bpfgen::PushdownKindName(split.kind);

  exec::ProgramKey key{JoinConjuncts(plan->device, *req.schema), req.schema->ToDdl(), caps.name};
  const uint64_t misses = impl.cache.misses();
  auto program = impl.cache.GetOrLoad(key, *req.schema, plan->device);
  if (!program.ok()) {
    // The host's own failure: run the device conjuncts with the reference filter.
    info->device = "host";
    info->fallback_reason = "program load failed: " + program.status().message();
    return Status::OK();
  }
  plan->program = std::move(program).value();
  info->program_cached = impl.cache.misses() == misses;
  info->compile_ms = info->program_cached ? 0 : plan->program->total_ms;
  info->device = plan->program->device->caps().name;
  const exec::Fallback& fb =
      choice.fallback.fell_back() ? choice.fallback : plan->program->fallback;
  if (fb.fell_back()) {
    info->fallback_reason = std::string(exec::FallbackReasonName(fb.reason));
    if (!fb.detail.empty()) info->fallback_reason += ": " + fb.detail;
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------
// The iterator path.

class IteratorCursor : public ScanCursorImpl {
 public:
  IteratorCursor(PushdownDB::Impl& impl, std::shared_ptr<ScanRequest> req,
                 const ScanOptions& options, bool want_value,
                 std::shared_ptr<SnapshotHolder> snapshot, ScanInfo info,
                 std::vector<std::string> names, std::vector<bpfgen::Type> types)
      : req_(std::move(req)),
        snapshot_(std::move(snapshot)),
        eval_(*req_->schema),
        layout_(req_->schema->raw ? bpfgen::RowLayout()
                                  : bpfgen::RowLayout::Compute(*req_->schema)),
        want_value_(want_value),
        limit_(options.limit),
        info_(std::move(info)),
        names_(std::move(names)),
        types_(std::move(types)) {
    info_.path = "iterator";
    info_.device = "iterator";
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_->snapshot;
    ro.verify_checksums = options.verify_checksums;
    it_.reset(impl.db->NewIterator(ro, req_->cf));
    it_->SeekToFirst();
  }

  Status Next() override {
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
  bool Valid() const override { return valid_; }
  const std::vector<std::string>& column_names() const override { return names_; }
  const std::vector<bpfgen::Type>& column_types() const override { return types_; }
  const std::vector<Datum>& row() const override { return row_; }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  const ScanInfo& info() const override { return info_; }
  const exec::ScanStats& stats() const override { return stats_; }

 private:
  Status Advance() {
    if (stats_.rows_matched >= limit_) {
      done_ = true;
      return Status::OK();
    }
    if (started_) it_->Next();
    started_ = true;
    for (; it_->Valid(); it_->Next()) {
      ++stats_.entries_scanned;
      const std::string_view k = it_->key().ToStringView();
      const std::string_view v = it_->value().ToStringView();
      PD_ASSIGN_OR_RETURN(bool match, eval_.Matches(req_->predicate, k, v));
      if (!match) continue;
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
    PD_RETURN_IF_ERROR(FromRocks(it_->status(), "iterator"));
    done_ = true;
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
  std::unique_ptr<rocksdb::Iterator> it_;
  bpfgen::Evaluator eval_;
  bpfgen::RowLayout layout_;
  bool want_value_;
  uint64_t limit_;
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
  PushdownCursor(PushdownDB::Impl& impl, std::shared_ptr<ScanRequest> req,
                 const ScanOptions& options, bool want_value,
                 std::shared_ptr<SnapshotHolder> snapshot, ScanInfo info,
                 std::vector<std::string> names, std::vector<bpfgen::Type> types)
      : impl_(impl),
        req_(std::move(req)),
        options_(options),
        want_value_(want_value),
        snapshot_(std::move(snapshot)),
        info_(std::move(info)),
        names_(std::move(names)),
        types_(std::move(types)) {
    info_.path = "pushdown";
  }

  ~PushdownCursor() override {
    executor_.reset();  // before file deletions are re-enabled
    deletions_.reset();
  }

  // Pins the files and opens the executor. A NotSupported from the executor
  // (a file the pushdown path cannot read) is returned for the caller to fall
  // back.
  Status Open(DevicePlan plan, const rocksdb::ColumnFamilyMetaData& meta,
              std::unique_ptr<FileDeletionGuard> deletions) {
    deletions_ = std::move(deletions);
    plan_ = std::move(plan);
    exec::ScanPlan sp;
    int last_level = -1;
    size_t l0_files = 0;
    for (const auto& level : meta.levels) {
      if (!level.files.empty()) last_level = level.level;
      if (level.level == 0) l0_files = level.files.size();
    }
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
        sp.files.push_back(std::move(sf));
      }
    }
    info_.files = sp.files.size();
    sp.snapshot = snapshot_->snapshot->GetSequenceNumber();
    sp.schema = req_->schema;
    sp.device_conjuncts = plan_.device;
    sp.residual_conjuncts = plan_.residual;
    sp.projection =
        want_value_ ? exec::Projection::All() : exec::Projection::Columns(req_->columns);
    sp.limit = options_.limit;
    sp.batch_blocks = options_.batch_blocks == 0 ? 16 : options_.batch_blocks;
    if (options_.use_io_uring || options_.use_direct_io) {
      // Large sequential reads through pushdown/sst BlockSource: one per file,
      // (queue_depth + 1) x read_size bytes of buffers each; the merge keeps
      // every file open at once, so many files get smaller buffers (64 MiB total).
      exec::BlockSourceOptions bs;
      bs.use_io_uring = options_.use_io_uring;
      bs.o_direct = options_.use_direct_io;
      bs.verify_checksums = options_.verify_checksums;
      if (sp.files.size() * (bs.queue_depth + 1) * bs.read_size > (64u << 20)) {
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
        info_.device = "host";
        info_.fallback_reason = "program instance load failed: " + lease.status().message();
      }
    }
    PD_ASSIGN_OR_RETURN(executor_, exec::ScanExecutor::Open(sp));
    return Status::OK();
  }

  Status Next() override {
    if (fallback_ != nullptr) return fallback_->Next();
    valid_ = false;
    Status s = executor_->Next(&row_);
    if (s.IsNotSupported() && executor_->stats().rows_matched == 0 && !valid_) {
      // An entry type the merge does not handle: nothing was returned yet, so
      // the iterator path can take over exactly.
      SwitchToIterator(s.message());
      return fallback_->Next();
    }
    PD_RETURN_IF_ERROR(s);
    valid_ = executor_->Valid();
    return Status::OK();
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
    return fallback_ ? fallback_->stats() : executor_->stats();
  }

 private:
  void SwitchToIterator(const std::string& reason) {
    executor_.reset();
    deletions_.reset();
    ScanInfo info = info_;
    info.fallback_reason = reason;
    fallback_ = std::make_unique<IteratorCursor>(impl_, req_, options_, want_value_, snapshot_,
                                                 std::move(info), names_, types_);
  }

  PushdownDB::Impl& impl_;
  std::shared_ptr<ScanRequest> req_;
  ScanOptions options_;
  bool want_value_;
  std::shared_ptr<SnapshotHolder> snapshot_;
  ScanInfo info_;
  std::vector<std::string> names_;
  std::vector<bpfgen::Type> types_;
  DevicePlan plan_;
  ProgramLease lease_;
  std::unique_ptr<FileDeletionGuard> deletions_;
  std::unique_ptr<exec::ScanExecutor> executor_;
  std::unique_ptr<IteratorCursor> fallback_;
  exec::Row row_;
  bool valid_ = false;
};

void OutputColumns(const ScanRequest& req, std::vector<std::string>* names,
                   std::vector<bpfgen::Type>* types) {
  for (int c : req.columns) {
    names->push_back(req.schema->columns[c].name);
    types->push_back(req.schema->columns[c].type);
  }
}

}  // namespace

Result<ScanRequest> PrepareScan(PushdownDB::Impl& impl, const ScanTarget& target,
                                std::string_view where, const ScanOptions& options) {
  ScanRequest req;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    if (target.raw()) {
      auto it = impl.cfs.find(target.name);
      if (it == impl.cfs.end()) return Status::NotFound("no column family '" + target.name + "'");
      if (impl.tables.count(target.name)) {
        // Raw scans of a table's column family are allowed: key/value bytes.
      }
      req.cf = it->second;
      req.schema = &RawSchema();
    } else {
      auto it = impl.tables.find(target.name);
      if (it == impl.tables.end()) return Status::NotFound("no table '" + target.name + "'");
      req.cf = it->second->column_family();
      req.schema = &it->second->schema();
    }
  }
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
  req.device = options.device.value_or(impl.options.device.value_or(exec::DeviceRequest::kAuto));
  return req;
}

Result<std::unique_ptr<ScanCursorImpl>> OpenScan(PushdownDB::Impl& impl, ScanRequest request,
                                                 const ScanOptions& options, bool want_value) {
  rocksdb::DB* db = impl.db.get();
  auto req = std::make_shared<ScanRequest>(std::move(request));
  ScanInfo info;
  info.requested_device = exec::DeviceRequestName(req->device);
  info.predicate = bpfgen::ToString(req->predicate, *req->schema);
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

  auto iterator_path = [&](std::string reason) -> Result<std::unique_ptr<ScanCursorImpl>> {
    info.fallback_reason = std::move(reason);
    info.pushed.clear();
    info.residual.clear();
    info.pushdown_kind = "NONE";
    return std::unique_ptr<ScanCursorImpl>(new IteratorCursor(
        impl, req, options, want_value, snapshot, std::move(info), names, types));
  };
  if (req->device == exec::DeviceRequest::kIterator) return iterator_path("");
  std::string why = ColumnFamilyFallbackReason(db, req->cf);
  if (!why.empty()) return iterator_path(why);

  if (MemtableEntries(db, req->cf) > 0) {
    if (impl.options.read_only) return iterator_path("read-only DB with unflushed data");
    if (!options.flush_memtable) return iterator_path("unflushed data and flush_memtable=false");
    rocksdb::FlushOptions fo;
    fo.wait = true;
    fo.allow_write_stall = true;
    PD_RETURN_IF_ERROR(FromRocks(db->Flush(fo, req->cf), "flush before scan"));
    info.flushed = true;
  }

  DevicePlan plan;
  PD_RETURN_IF_ERROR(PlanDevice(impl, *req, &info, &plan));

  // A read-only DB deletes no files: nothing to disable.
  auto deletions = std::make_unique<FileDeletionGuard>();
  if (!impl.options.read_only) {
    PD_RETURN_IF_ERROR(FromRocks(db->DisableFileDeletions(), "disable file deletions"));
    deletions->db = db;
  }
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(req->cf, &meta);

  auto cursor = std::make_unique<PushdownCursor>(impl, req, options, want_value, snapshot, info,
                                                 names, types);
  Status s = cursor->Open(std::move(plan), meta, std::move(deletions));
  if (s.IsNotSupported()) {
    cursor.reset();
    return iterator_path(s.message());
  }
  PD_RETURN_IF_ERROR(s);
  return std::unique_ptr<ScanCursorImpl>(std::move(cursor));
}

Result<std::unique_ptr<ScanCursor>> PushdownDB::Scan(const ScanTarget& target,
                                                     std::string_view where,
                                                     const ScanOptions& options) {
  PD_ASSIGN_OR_RETURN(ScanRequest req, PrepareScan(*impl_, target, where, options));
  PD_ASSIGN_OR_RETURN(std::unique_ptr<ScanCursorImpl> cursor,
                      OpenScan(*impl_, std::move(req), options, /*want_value=*/false));
  return std::unique_ptr<ScanCursor>(std::move(cursor));
}

Result<ExplainResult> PushdownDB::Explain(const ScanTarget& target, std::string_view where,
                                          const ScanOptions& options) {
  PD_ASSIGN_OR_RETURN(ScanRequest req, PrepareScan(*impl_, target, where, options));
  ExplainResult out;
  ScanInfo& info = out.info;
  info.requested_device = exec::DeviceRequestName(req.device);
  info.predicate = bpfgen::ToString(req.predicate, *req.schema);
  out.schema = req.schema->ToDdl();
  rocksdb::DB* db = impl_->db.get();
  std::string why =
      req.device == exec::DeviceRequest::kIterator ? "" : ColumnFamilyFallbackReason(db, req.cf);
  if (req.device == exec::DeviceRequest::kIterator || !why.empty()) {
    info.path = "iterator";
    info.device = "iterator";
    info.fallback_reason = why;
    info.pushdown_kind = "NONE";
  } else {
    info.path = "pushdown";
    DevicePlan plan;
    PD_RETURN_IF_ERROR(PlanDevice(*impl_, req, &info, &plan));
    if (impl_->options.read_only && MemtableEntries(db, req.cf) > 0) {
      info.path = "iterator";
      info.device = "iterator";
      info.fallback_reason = "read-only DB with unflushed data";
    }
  }
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(req.cf, &meta);
  info.files = meta.file_count;

  std::string& t = out.text;
  t += "target:    " + std::string(target.raw() ? "raw column family " : "table ") + target.name +
       "\n";
  t += "schema:    " + out.schema + "\n";
  t += "predicate: " + info.predicate + "\n";
  t += "path:      " + info.path + " (requested device " + info.requested_device + ")\n";
  t += "device:    " + info.device + "\n";
  if (!info.fallback_reason.empty()) t += "fallback:  " + info.fallback_reason + "\n";
  if (info.path == "pushdown") {
    t += "pushdown:  " + info.pushdown_kind + "\n";
    for (const auto& p : info.pushed) t += "  device:   " + p + "\n";
    for (const auto& r : info.residual)
      t += "  residual: " + r.conjunct + "  -- " + r.reason + "\n";
    char buf[64];
    snprintf(buf, sizeof(buf), "%.2f", info.compile_ms);
    t += std::string("program:   ") + (info.program_cached ? "cached" : "compiled") +
         ", compile+load " + buf + " ms\n";
  }
  t += "files:     " + std::to_string(meta.file_count) + " SST files, " +
       std::to_string(meta.size) + " bytes\n";
  uint64_t mem = MemtableEntries(db, req.cf);
  if (mem > 0) {
    t += "memtable:  " + std::to_string(mem) + " entries" +
         (impl_->options.read_only ? "" : " (flushed by Scan)") + "\n";
  }
  return out;
}

}  // namespace pushdown::engine
