// A C++17 program against the INSTALLED package, built by
// tests/engine/api/cxx17_consumer_test.cc twice: through find_package
// (CMakeLists.txt here) and through pkg-config. It opens its own RocksDB DB,
// writes and flushes 1,000 rows, attaches, scans with a predicate and checks
// the answer.
//   cxx17_consumer DB_DIR   -> "cxx17_consumer: OK ..." and exit 0
#if __cplusplus != 201703L
#error "this consumer must be compiled as C++17"
#endif

#include <cstdio>
#include <memory>
#include <string>

#include "engine/api/attach.h"
#include "pushdown/version.h"
#include "rocksdb/db.h"

static_assert(PUSHDOWN_VERSION_NUMBER == PUSHDOWN_VERSION_MAJOR * 10000 +
                                             PUSHDOWN_VERSION_MINOR * 100 + PUSHDOWN_VERSION_PATCH,
              "version macros");

namespace {

using pushdown::Status;
using pushdown::engine::AttachedDB;
using pushdown::engine::RowSpec;
using pushdown::engine::ScanCursor;
using pushdown::engine::ScanOptions;

Status Run(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return Status::IOError(s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (int i = 0; i < 1000; ++i) {
    s = db->Put(rocksdb::WriteOptions(), "user:" + std::to_string(1000 + i),
                i % 10 == 0 ? "vip" : "regular");
    if (!s.ok()) return Status::IOError(s.ToString());
  }
  s = db->Flush(rocksdb::FlushOptions());
  if (!s.ok()) return Status::IOError(s.ToString());

  auto attached = AttachedDB::Attach(db.get());
  if (!attached.ok()) return attached.status();
  std::unique_ptr<AttachedDB> pd = std::move(attached).value();
  ScanOptions so;
  so.lower_bound = "user:1500";  // inclusive
  so.upper_bound = "user:1600";  // exclusive
  auto scan = pd->Scan(db->DefaultColumnFamily(), RowSpec::Raw(), "value = 'vip'", so);
  if (!scan.ok()) return scan.status();
  std::unique_ptr<ScanCursor> cur = std::move(scan).value();
  int rows = 0;
  for (;;) {
    Status next = cur->Next();
    if (!next.ok()) return next;
    if (!cur->Valid()) break;
    ++rows;
  }
  // A C++17 consumer compares schemas too (operator== / != of the public headers).
  auto schema = RowSpec::Ddl("id INT64 KEY, v VARCHAR(8)").Resolve();
  auto raw_schema = RowSpec::Raw().Resolve();
  if (!schema.ok()) return schema.status();
  if (!raw_schema.ok()) return raw_schema.status();
  if (!(**schema == **schema) || !(**schema != **raw_schema)) {
    return Status::Internal("schema comparison");
  }
  std::printf("cxx17_consumer: %d rows path=%s device=%s version=%s\n", rows,
              cur->info().path.c_str(), cur->info().device.c_str(), PUSHDOWN_VERSION_STRING);
  return rows == 10 ? Status::OK() : Status::Internal("expected 10 rows");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: cxx17_consumer DB_DIR\n");
    return 2;
  }
  Status s = Run(argv[1]);
  if (!s.ok()) {
    std::fprintf(stderr, "cxx17_consumer: FAILED: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("cxx17_consumer: OK\n");
  return 0;
}
