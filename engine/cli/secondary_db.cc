#include "engine/cli/secondary_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "rocksdb/convenience.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/options_util.h"

namespace pushdown::engine {
namespace {

// True if another process holds the DB's LOCK file: RocksDB's primary takes
// a whole-file fcntl write lock on DIR/LOCK (PosixEnv::LockFile, F_SETLK) for
// as long as it has the DB open. F_GETLK reports that lock to any process;
// it needs only a read-only descriptor and takes no lock itself. A missing
// or unreadable LOCK file: not held (a DB nobody opened since, or one we
// cannot tell about; the WAL capture's own checks still apply).
bool LockHeldByAnotherProcess(const std::string& dir) {
  const int fd = ::open((dir + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;
  const bool held = ::fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

// Discards RocksDB's info log: nothing creates a LOG file anywhere.
class NullLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

bool HasCurrentFile(const std::string& dir) {
  struct stat st;
  return ::stat((dir + "/CURRENT").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A fresh private directory for the secondary instance's state.
Result<std::string> MakeSecondaryDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = (tmp != nullptr && tmp[0] != '\0') ? tmp : "/tmp";
  std::string templ = base + "/pushdown-secondary-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    return Status::IOError("cannot create a secondary directory under " + base + ": " +
                           std::strerror(errno));
  }
  return templ;
}

// What the primary's MANIFEST looks like from outside: CURRENT's contents and
// the size of the MANIFEST it names. Appended to (or replaced) whenever the
// primary installs a new version (a flush, a compaction, a column family).
std::string ManifestState(const std::string& dir) {
  std::string current;
  if (FILE* f = std::fopen((dir + "/CURRENT").c_str(), "rb")) {
    char buf[256];
    size_t n = std::fread(buf, 1, sizeof(buf), f);
    current.assign(buf, n);
    std::fclose(f);
  }
  std::string name = current;
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  struct stat st;
  const long long size =
      (!name.empty() && ::stat((dir + "/" + name).c_str(), &st) == 0) ? st.st_size : -1;
  return current + "#" + std::to_string(size);
}

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return Status::OK();
  return Status::IOError(context + ": " + s.ToString());
}

}  // namespace

Result<std::unique_ptr<SecondaryDb>> SecondaryDb::Open(const std::string& dir) {
  if (!HasCurrentFile(dir)) return Status::IOError("no database at " + dir);
  std::unique_ptr<SecondaryDb> out(new SecondaryDb());

  // As `ldb --try_load_options`: a default ConfigOptions creates the built-in
  // comparators and merge operators by name (Comparator/MergeOperator
  // ::CreateFromString register RocksDB's built-ins on first use).
  rocksdb::ConfigOptions config;
  config.env = rocksdb::Env::Default();
  config.ignore_unknown_options = false;
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  rocksdb::Status s = rocksdb::LoadLatestOptions(config, dir, &db_options, &cfs);
  if (s.IsNotFound()) {
    // No OPTIONS file (a DB from before RocksDB 4.x, or one whose OPTIONS
    // files were removed): every column family with default options.
    std::vector<std::string> names;
    s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
    if (!s.ok()) return FromRocks(s, "cannot list the column families of " + dir);
    db_options = rocksdb::DBOptions();
    cfs.clear();
    for (const std::string& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  } else if (!s.ok()) {
    return FromRocks(s, "cannot load the OPTIONS file of " + dir);
  }

  db_options.create_if_missing = false;
  db_options.create_missing_column_families = false;
  db_options.error_if_exists = false;
  db_options.info_log = std::make_shared<NullLogger>();
  // RocksDB 7.8 opens the table files at DB open on max_file_opening_threads
  // (16) new threads, and std::terminate()s (SIGABRT) when one cannot be
  // created -- e.g. under `ulimit -v` 256-384 MiB, where 16 thread stacks of
  // 8 MiB do not fit (VersionBuilder::Rep::LoadTableHandlers). One opening
  // thread is the open's own: no thread is created, the open either works
  // or fails with a Status.
  db_options.max_file_opening_threads = 1;
  db_options.max_open_files = -1;  // required by OpenAsSecondary
  // Nothing of the secondary's is persisted, statistics dumps included.
  db_options.stats_dump_period_sec = 0;
  db_options.stats_persist_period_sec = 0;
  db_options.persist_stats_to_disk = false;

  PD_ASSIGN_OR_RETURN(out->secondary_path_, MakeSecondaryDir());
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenAsSecondary(db_options, dir, out->secondary_path_, cfs, &out->handles_,
                                   &raw);
  if (!s.ok()) return FromRocks(s, "cannot open " + dir);
  out->db_.reset(raw);
  out->dir_ = dir;
  for (const auto& cf : cfs) out->names_.push_back(cf.name);
  out->writer_holds_lock_ = LockHeldByAnotherProcess(dir);
  PD_RETURN_IF_ERROR(out->CatchUp());
  return out;
}

Status SecondaryDb::CatchUp() {
  // A secondary reads the MANIFEST, then the WALs it names. If the primary
  // flushed in between (new MANIFEST edit, then the flushed WAL deleted), the
  // secondary would see the later WALs without the flushed one: a gap. So a
  // catch-up counts only if the MANIFEST did not change while it ran; then the
  // state it read is a state the primary had. Another catch-up applies the
  // edits that raced, so this settles unless the primary installs versions
  // without pause.
  for (int attempt = 1; attempt <= kMaxCatchUpAttempts; ++attempt) {
    const std::string before = ManifestState(dir_);
    rocksdb::Status s = db_->TryCatchUpWithPrimary();
    if (!s.ok()) return FromRocks(s, "cannot catch up with the primary of " + dir_);
    if (ManifestState(dir_) == before) return Status::OK();
    ::usleep(static_cast<useconds_t>(attempt) * 1000);
  }
  return Status::Unavailable("the primary of " + dir_ + " changed its MANIFEST during each of " +
                             std::to_string(kMaxCatchUpAttempts) +
                             " catch-ups: no consistent state to read; try again");
}

SecondaryDb::~SecondaryDb() {
  if (db_ != nullptr) {
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
    db_.reset();
  }
  if (!secondary_path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_path_, ec);
  }
}

Result<rocksdb::ColumnFamilyHandle*> SecondaryDb::ColumnFamily(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return handles_[i];
  }
  std::string list;
  for (const std::string& n : names_) list += (list.empty() ? "" : ", ") + n;
  return Status::NotFound("no column family '" + std::string(name) + "' (column families: " + list +
                          ")");
}

}  // namespace pushdown::engine
