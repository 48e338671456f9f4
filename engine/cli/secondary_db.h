// SecondaryDb: how the CLI opens an existing database, so that it opens every
// DB stock `ldb --try_load_options` opens and never writes to it.
//
//  - Options: the DB's latest OPTIONS file (rocksdb::LoadLatestOptions), with
//    the comparators and merge operators RocksDB knows by name created from
//    their names ("rocksdb.ReverseBytewiseComparator", "uint64add", "max",
//    "put", "stringappend", ...), every column family with its own options.
//    A DB without an OPTIONS file: its column families (ListColumnFamilies)
//    with default options, as ldb does. An OPTIONS file naming a comparator or
//    merge operator this process does not know is an error naming it
//    (NotSupported -> exit 1) instead of a DB opened with the wrong one.
//  - A RocksDB SECONDARY instance (DB::OpenAsSecondary, then
//    TryCatchUpWithPrimary until a catch-up ran with the MANIFEST unchanged):
//    a DB another process has open for writing is read at a consistent state
//    (its MANIFEST and WALs), never a torn one. The
//    secondary's own directory is a private temporary directory under $TMPDIR
//    (else /tmp), "pushdown-secondary-XXXXXX", removed by the destructor.
//  - The DB directory is never written: no LOG (the info log is discarded),
//    no OPTIONS file, no LOCK, no flush, no compaction.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rocksdb/db.h"
#include "util/status.h"

namespace pushdown::engine {

class SecondaryDb {
 public:
  // IOError "no database at DIR" if `dir` holds no CURRENT file; the RocksDB
  // error otherwise (e.g. a comparator the OPTIONS file names that this
  // process does not know).
  static Result<std::unique_ptr<SecondaryDb>> Open(const std::string& dir);

  // Closes the DB (column family handles first) and removes the temporary
  // secondary directory.
  ~SecondaryDb();
  SecondaryDb(const SecondaryDb&) = delete;
  SecondaryDb& operator=(const SecondaryDb&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  // The handle of column family `name`; NotFound "no column family 'x'
  // (column families: default, a, b)" if the DB has none by that name.
  Result<rocksdb::ColumnFamilyHandle*> ColumnFamily(std::string_view name) const;
  // The names of every column family, in the DB's order ("default" first).
  const std::vector<std::string>& column_family_names() const { return names_; }
  // Catches up with the primary (TryCatchUpWithPrimary) until a catch-up ran
  // while the primary's MANIFEST did not change (see secondary_db.cc: a flush
  // racing with the catch-up could leave a gap otherwise); Unavailable after
  // kMaxCatchUpAttempts racing catch-ups. Open() calls it once.
  Status CatchUp();
  static constexpr int kMaxCatchUpAttempts = 50;
  // True if, at Open, another process held the DB's LOCK (a primary that has
  // it open, and may be writing). The CLI then does not capture memtable data
  // from the live WAL (AttachOptions::memtable_capture_off_reason): RocksDB
  // 7.8's WAL iterator on a secondary instance whose sequence number lags
  // the WAL being appended asserts (TransactionLogIteratorImpl::
  // UpdateCurrentWriteBatch, `current_last_seq_ <= LastSequence()`), and
  // Debian's librocksdb keeps assertions: SIGABRT. Such scans read the
  // memtables through the secondary's iterator instead (exact).
  bool writer_holds_lock() const { return writer_holds_lock_; }
  // Where the secondary instance keeps its (empty) state; removed by ~SecondaryDb.
  const std::string& secondary_path() const { return secondary_path_; }

 private:
  SecondaryDb() = default;

  std::string dir_;             // the primary's directory
  std::string secondary_path_;  // removed by the destructor when non-empty
  bool writer_holds_lock_ = false;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; destroyed before db_
};

}  // namespace pushdown::engine
