#include "bench/pushdown_bench/baselines.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "rocksdb/comparator.h"
#include "rocksdb/table.h"
#include "rocksdb/table_properties.h"

namespace pushdown::bench {

namespace {

constexpr size_t kReadahead = 2 << 20;

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  return Status::IOError(what + ": " + s.ToString());
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Runs fn(i) for i in [0, n) on n threads (inline when n == 1) and returns the
// first error.
template <typename Fn>
Status ParallelFor(size_t n, Fn fn) {
  std::vector<Status> st(n);
  if (n == 1) {
    st[0] = fn(0);
  } else {
    std::vector<std::thread> ts;
    ts.reserve(n);
    for (size_t i = 0; i < n; ++i) ts.emplace_back([&, i] { st[i] = fn(i); });
    for (auto& t : ts) t.join();
  }
  for (auto& s : st) PD_RETURN_IF_ERROR(s);
  return Status::OK();
}

}  // namespace

const char* ReadModeName(ReadMode m) { return m == ReadMode::kMmap ? "mmap" : "readahead"; }

SortedRunCheck CheckSortedRun(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  SortedRunCheck c;
  uint64_t mem = 0, imm = 0;
  if (!db->GetIntProperty(cf, "rocksdb.num-entries-active-mem-table", &mem) ||
      !db->GetIntProperty(cf, "rocksdb.num-entries-imm-mem-tables", &imm)) {
    c.reason = "memtable entry counts unavailable";
    return c;
  }
  if (mem + imm != 0) {
    c.reason = "memtable holds " + std::to_string(mem + imm) + " entries";
    return c;
  }
  const rocksdb::Comparator* cmp = cf->GetComparator();
  if (cmp != rocksdb::BytewiseComparator()) {
    c.reason = std::string("comparator ") + cmp->Name() + " is not bytewise";
    return c;
  }
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(cf, &meta);
  if (meta.blob_file_count != 0) {
    c.reason = "blob files";
    return c;
  }
  const rocksdb::LevelMetaData* run = nullptr;
  int levels_with_files = 0;
  for (const auto& l : meta.levels) {
    if (l.files.empty()) continue;
    ++levels_with_files;
    run = &l;
  }
  if (levels_with_files == 0) {
    c.reason = "no files";
    return c;
  }
  if (levels_with_files > 1) {
    c.reason = "files in " + std::to_string(levels_with_files) + " levels";
    return c;
  }
  if (run->level == 0 && run->files.size() > 1) {
    c.reason = std::to_string(run->files.size()) + " L0 files";
    return c;
  }
  rocksdb::TablePropertiesCollection props;
  rocksdb::Status ps = db->GetPropertiesOfAllTables(cf, &props);
  if (!ps.ok()) {
    c.reason = "table properties: " + ps.ToString();
    return c;
  }
  for (const auto& [name, p] : props) {
    if (p->num_range_deletions != 0) {
      c.reason = name + " holds range deletions";
      return c;
    }
  }
  std::vector<LiveFile> files;
  for (const auto& f : run->files) {
    LiveFile lf;
    lf.path = f.directory + "/" + f.relative_filename;
    lf.smallest = f.smallestkey;
    lf.largest = f.largestkey;
    lf.size = f.size;
    files.push_back(std::move(lf));
  }
  std::sort(files.begin(), files.end(),
            [](const LiveFile& a, const LiveFile& b) { return a.smallest < b.smallest; });
  for (size_t i = 1; i < files.size(); ++i) {
    // Bytewise comparator: std::string's operator< is the same order.
    if (!(files[i - 1].largest < files[i].smallest)) {
      c.reason = "files " + files[i - 1].path + " and " + files[i].path + " share user keys";
      return c;
    }
  }
  c.files = std::move(files);
  return c;
}

std::vector<std::pair<size_t, size_t>> GroupBySize(const std::vector<uint64_t>& sizes, int n) {
  std::vector<std::pair<size_t, size_t>> groups;
  if (sizes.empty() || n < 1) return groups;
  uint64_t total = 0;
  for (uint64_t s : sizes) total += s;
  size_t begin = 0;
  uint64_t cum = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    cum += sizes[i];
    const size_t k = groups.size() + 1;  // the group being filled
    // Close the group once it reaches its share of the bytes (the last group
    // takes the rest).
    if (k < static_cast<size_t>(n) && cum * static_cast<uint64_t>(n) >= total * k) {
      groups.emplace_back(begin, i + 1);
      begin = i + 1;
    }
  }
  if (begin < sizes.size()) groups.emplace_back(begin, sizes.size());
  return groups;
}

std::vector<std::string> SplitKeysAtFiles(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, int n) {
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(cf, &meta);
  std::vector<std::pair<std::string, uint64_t>> files;  // smallest key, size
  for (const auto& l : meta.levels) {
    for (const auto& f : l.files) files.emplace_back(f.smallestkey, f.size);
  }
  std::sort(files.begin(), files.end());
  std::vector<uint64_t> sizes;
  for (const auto& f : files) sizes.push_back(f.second);
  std::vector<std::string> splits;
  for (const auto& g : GroupBySize(sizes, n)) {
    if (g.first == 0) continue;
    const std::string& k = files[g.first].first;
    // Strictly increasing cuts (files of different levels may start alike).
    if (splits.empty() || splits.back() < k) splits.push_back(k);
  }
  if (!files.empty() && !splits.empty() && splits.front() <= files.front().first) {
    splits.erase(splits.begin());
  }
  return splits;
}

void MergeInto(BaselineResult* into, const BaselineResult& p) {
  into->rows += p.rows;
  into->matched += p.matched;
  into->matched_bytes += p.matched_bytes;
  into->bytes_to_host += p.bytes_to_host;
  into->key_sum += p.key_sum;
  into->kv_sum += p.kv_sum;
  into->count += p.count;
  into->revenue += p.revenue;
  into->q1.Merge(p.q1);
}

// A read-only instance of the DB: every column family open, handles released
// before the DB.
struct ExpertBaselines::Instance {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::ColumnFamilyHandle* cf = nullptr;

  ~Instance() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  }

  static Result<std::unique_ptr<Instance>> Open(const std::string& path, const std::string& cf_name,
                                                ReadMode mode) {
    rocksdb::Options o;
    o.allow_mmap_reads = mode == ReadMode::kMmap;
    rocksdb::BlockBasedTableOptions t;
    t.no_block_cache = true;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    std::vector<std::string> names;
    PD_RETURN_IF_ERROR(FromRocks(rocksdb::DB::ListColumnFamilies(o, path, &names),
                                 "list column families of " + path));
    std::vector<rocksdb::ColumnFamilyDescriptor> ds;
    for (const auto& n : names) ds.emplace_back(n, rocksdb::ColumnFamilyOptions(o));
    auto inst = std::make_unique<Instance>();
    rocksdb::DB* raw = nullptr;
    PD_RETURN_IF_ERROR(FromRocks(rocksdb::DB::OpenForReadOnly(o, path, ds, &inst->handles, &raw),
                                 "open read-only " + path));
    inst->db.reset(raw);
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == cf_name) inst->cf = inst->handles[i];
    }
    if (inst->cf == nullptr) return Status::NotFound("no column family '" + cf_name + "'");
    return inst;
  }
};

ExpertBaselines::~ExpertBaselines() {
  readers_.clear();  // before the instance (independent, but keep teardown ordered)
}

rocksdb::ReadOptions ExpertBaselines::ReadOpts() const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.verify_checksums = true;
  if (mode_ == ReadMode::kReadahead) ro.readahead_size = kReadahead;
  return ro;
}

Result<BaselineResult> ExpertBaselines::RunIterator(Instance* inst,
                                                    const std::vector<std::string>& splits,
                                                    const HandFilter& filter, bool hash_values) {
  const size_t n = splits.size() + 1;
  std::vector<BaselineResult> parts(n);
  const rocksdb::ReadOptions base = ReadOpts();
  PD_RETURN_IF_ERROR(ParallelFor(n, [&](size_t i) -> Status {
    rocksdb::ReadOptions ro = base;
    rocksdb::Slice lower, upper;
    if (i > 0) {
      lower = splits[i - 1];
      ro.iterate_lower_bound = &lower;
    }
    if (i + 1 < n) {
      upper = splits[i];
      ro.iterate_upper_bound = &upper;
    }
    std::unique_ptr<rocksdb::Iterator> it(inst->db->NewIterator(ro, inst->cf));
    if (i > 0)
      it->Seek(lower);
    else
      it->SeekToFirst();
    return Accumulate(it.get(), filter, hash_values, &parts[i]);
  }));
  BaselineResult r;
  for (const auto& p : parts) MergeInto(&r, p);
  return r;
}

Result<BaselineResult> ExpertBaselines::RunSstReaders(
    const std::vector<std::pair<size_t, size_t>>& groups, const HandFilter& filter,
    bool hash_values) {
  std::vector<BaselineResult> parts(groups.size());
  const rocksdb::ReadOptions ro = ReadOpts();
  PD_RETURN_IF_ERROR(ParallelFor(groups.size(), [&](size_t g) -> Status {
    for (size_t f = groups[g].first; f < groups[g].second; ++f) {
      std::unique_ptr<rocksdb::Iterator> it(readers_[f]->NewIterator(ro));
      it->SeekToFirst();
      PD_RETURN_IF_ERROR(Accumulate(it.get(), filter, hash_values, &parts[g]));
    }
    return Status::OK();
  }));
  BaselineResult r;
  for (const auto& p : parts) MergeInto(&r, p);
  return r;
}

Result<std::unique_ptr<ExpertBaselines>> ExpertBaselines::Open(const std::string& db_path,
                                                               const std::string& cf_name,
                                                               const std::string& reads,
                                                               int threads,
                                                               const HandFilter& probe) {
  if (reads != "auto" && reads != "mmap" && reads != "readahead") {
    return Status::InvalidArgument("reads must be auto|mmap|readahead, not '" + reads + "'");
  }
  if (threads < 1) threads = 1;
  std::unique_ptr<ExpertBaselines> b(new ExpertBaselines());
  if (reads == "auto") {
    // Both read modes, 1 thread, two alternating rounds; the faster minimum wins.
    PD_ASSIGN_OR_RETURN(auto mm, Instance::Open(db_path, cf_name, ReadMode::kMmap));
    PD_ASSIGN_OR_RETURN(auto ra, Instance::Open(db_path, cf_name, ReadMode::kReadahead));
    double best[2] = {1e300, 1e300};
    uint64_t matched[2] = {0, 0};
    for (int round = 0; round < 2; ++round) {
      for (int m = 0; m < 2; ++m) {
        b->mode_ = m == 0 ? ReadMode::kMmap : ReadMode::kReadahead;
        const auto t0 = std::chrono::steady_clock::now();
        PD_ASSIGN_OR_RETURN(BaselineResult r,
                            b->RunIterator(m == 0 ? mm.get() : ra.get(), {}, probe, false));
        best[m] = std::min(best[m], Seconds(t0));
        matched[m] = r.matched;
      }
    }
    if (matched[0] != matched[1]) {
      return Status::Internal(
          "mmap and readahead iterators disagree: " + std::to_string(matched[0]) + " vs " +
          std::to_string(matched[1]) + " rows");
    }
    b->mode_ = best[0] <= best[1] ? ReadMode::kMmap : ReadMode::kReadahead;
    char buf[160];
    std::snprintf(buf, sizeof(buf),
                  "measured, 1-thread iterator, best of 2: mmap %.4f s, "
                  "readahead %.4f s",
                  best[0], best[1]);
    b->choice_ = buf;
    b->inst_ = b->mode_ == ReadMode::kMmap ? std::move(mm) : std::move(ra);
  } else {
    b->mode_ = reads == "mmap" ? ReadMode::kMmap : ReadMode::kReadahead;
    b->choice_ = "as requested";
    PD_ASSIGN_OR_RETURN(b->inst_, Instance::Open(db_path, cf_name, b->mode_));
  }
  rocksdb::DB* db = b->inst_->db.get();
  rocksdb::ColumnFamilyHandle* cf = b->inst_->cf;
  b->splits_n_ = SplitKeysAtFiles(db, cf, threads);

  SortedRunCheck run = CheckSortedRun(db, cf);
  b->sst_skip_ = run.reason;
  if (run.reason.empty()) {
    // Readers opened once, untimed: the DB iterator's table readers are in the
    // table cache too.
    rocksdb::Options o;
    o.allow_mmap_reads = b->mode_ == ReadMode::kMmap;
    rocksdb::BlockBasedTableOptions t;
    t.no_block_cache = true;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    std::vector<uint64_t> sizes;
    for (const auto& f : run.files) {
      auto r = std::make_unique<rocksdb::SstFileReader>(o);
      PD_RETURN_IF_ERROR(FromRocks(r->Open(f.path), "SstFileReader::Open " + f.path));
      b->readers_.push_back(std::move(r));
      sizes.push_back(f.size);
    }
    b->groups_1_ = GroupBySize(sizes, 1);
    b->groups_n_ = GroupBySize(sizes, threads);
  }
  auto add = [&](BaselineSpec::Kind kind, int t, int parts) {
    BaselineSpec s;
    s.kind = kind;
    s.threads = t;
    s.partitions = parts;
    s.name =
        std::string(kind == BaselineSpec::Kind::kExpertIterator ? "expert_iter_" : "sst_reader_") +
        std::to_string(t) + "t";
    b->specs_.push_back(std::move(s));
  };
  add(BaselineSpec::Kind::kExpertIterator, 1, 1);
  if (threads > 1) {
    add(BaselineSpec::Kind::kExpertIterator, threads, static_cast<int>(b->splits_n_.size() + 1));
  }
  if (b->sst_skip_.empty()) {
    add(BaselineSpec::Kind::kSstFileReader, 1, 1);
    if (threads > 1) {
      add(BaselineSpec::Kind::kSstFileReader, threads, static_cast<int>(b->groups_n_.size()));
    }
  }
  return b;
}

std::string ExpertBaselines::Describe() const {
  std::string s = std::string("reads=") + ReadModeName(mode_) + " (" + choice_ + ")" +
                  " fill_cache=0 block_cache=none verify_checksums=1";
  if (mode_ == ReadMode::kReadahead) s += " readahead_size=2MiB";
  for (const auto& sp : specs_) {
    s += " " + sp.name + ":partitions=" + std::to_string(sp.partitions);
  }
  if (!sst_skip_.empty()) s += " sst_reader=skipped(" + sst_skip_ + ")";
  return s;
}

Result<BaselineResult> ExpertBaselines::Run(size_t i, const HandFilter& filter, bool hash_values) {
  if (i >= specs_.size()) return Status::InvalidArgument("no baseline " + std::to_string(i));
  const BaselineSpec& s = specs_[i];
  if (s.kind == BaselineSpec::Kind::kExpertIterator) {
    return RunIterator(inst_.get(), s.threads == 1 ? splits_1_ : splits_n_, filter, hash_values);
  }
  return RunSstReaders(s.threads == 1 ? groups_1_ : groups_n_, filter, hash_values);
}

}  // namespace pushdown::bench
