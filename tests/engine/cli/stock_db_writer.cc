// stock_db_writer: writes RocksDB databases with stock RocksDB only (no
// pushdown code), for the CLI tests that compare `pushdown scan` with `ldb`.
//
//   stock_db_writer three-cf DIR
//     Column families "default" (bytewise, raw), "counters" (merge operator
//     uint64add, 8-byte little-endian counters) and "reverse"
//     (rocksdb.ReverseBytewiseComparator), each with data in the bottom level,
//     in L0 and only in the memtable (WAL), with overwrites, deletes, single
//     deletes and range deletions in each place (the bottom level keeps its
//     range deletion: a snapshot is held through that compaction). Exits 0 when the DB is
//     closed (the memtable part stays in the WAL: no flush at close).
//
//   stock_db_writer live DIR [MAX_KEYS [PAUSE_US]]
//     Writes keys u64be(0), u64be(1), ... in order, one Put per key (value
//     "v<i>" padded to 48 bytes), with a small write buffer so that flushes
//     and compactions run while readers scan. Writes "DIR.ready" once 1000
//     keys are written; pauses PAUSE_US microseconds (default 0) after every
//     100 keys; stops after MAX_KEYS keys (default: no limit) or at
//     SIGTERM/SIGINT, then closes the DB and exits 0.
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "rocksdb/comparator.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

std::string U64Be(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

std::string U64Le(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) {
    s[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

int Die(const std::string& what, const rocksdb::Status& s) {
  std::fprintf(stderr, "stock_db_writer: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

#define CHECK_OK(what, expr)              \
  do {                                    \
    rocksdb::Status s_ = (expr);          \
    if (!s_.ok()) return Die((what), s_); \
  } while (0)

// Keys "k" + u64be(i) for the raw and reverse families; a value whose first
// byte cycles so that predicates on it flip with overwrites.
std::string Key(uint64_t i) { return "k" + U64Be(i); }
std::string Value(uint64_t i, int version) {
  return std::string(1, static_cast<char>('a' + (i + version) % 7)) + "-v" +
         std::to_string(version) + "-" + std::to_string(i);
}

int ThreeCf(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.write_buffer_size = 4 << 20;
  options.disable_auto_compactions = true;  // the test controls the levels
  rocksdb::ColumnFamilyOptions raw_opts(options);
  rocksdb::ColumnFamilyOptions counters_opts(options);
  std::shared_ptr<rocksdb::MergeOperator> uint64add;
  rocksdb::ConfigOptions config;
  CHECK_OK("uint64add", rocksdb::MergeOperator::CreateFromString(config, "uint64add", &uint64add));
  if (uint64add == nullptr) return Die("uint64add", rocksdb::Status::NotFound("no uint64add"));
  counters_opts.merge_operator = uint64add;
  rocksdb::ColumnFamilyOptions reverse_opts(options);
  reverse_opts.comparator = rocksdb::ReverseBytewiseComparator();
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, raw_opts},
      {"counters", counters_opts},
      {"reverse", reverse_opts},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> h;
  rocksdb::DB* raw = nullptr;
  CHECK_OK("open", rocksdb::DB::Open(rocksdb::DBOptions(options), dir, cfs, &h, &raw));
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  rocksdb::ColumnFamilyHandle* bytewise = h[0];
  rocksdb::ColumnFamilyHandle* counters = h[1];
  rocksdb::ColumnFamilyHandle* reverse = h[2];
  const uint64_t n = 3000;

  std::vector<const rocksdb::Snapshot*> pins;  // released after the bottommost compaction
  // Phase 0 -> bottom level; phase 1 -> L0; phase 2 -> memtable only.
  for (int phase = 0; phase < 3; ++phase) {
    for (rocksdb::ColumnFamilyHandle* cf : {bytewise, reverse}) {
      for (uint64_t i = 0; i < n; ++i) {
        if (phase == 0 || i % (3 + phase) == 0) {  // later phases overwrite some keys
          CHECK_OK("put", db->Put(wo, cf, Key(i), Value(i, phase)));
        }
      }
      for (uint64_t i = phase; i < n; i += 17) CHECK_OK("delete", db->Delete(wo, cf, Key(i)));
      // SingleDelete of keys written exactly once since their last delete:
      // fresh keys put in this phase, then single-deleted.
      for (uint64_t i = 0; i < 40; ++i) {
        const std::string k = "s" + U64Be(phase * 1000 + i);
        CHECK_OK("put", db->Put(wo, cf, k, Value(i, phase)));
        if (i % 3 != 0) CHECK_OK("single delete", db->SingleDelete(wo, cf, k));
      }
      // A range deletion over 50 keys ([begin, end) in the family's order).
      // In phase 0 a snapshot older than it is held through the bottommost
      // compaction, which therefore keeps it in the bottom level.
      std::string b = Key(200 + phase * 600), e = Key(250 + phase * 600);
      if (cf == reverse) std::swap(b, e);
      if (phase == 0) pins.push_back(db->GetSnapshot());
      CHECK_OK("delete range", db->DeleteRange(wo, cf, b, e));
    }
    for (uint64_t i = 0; i < 500; ++i) {
      const std::string k = "c" + U64Be(i);
      if (phase == 0 || i % 4 == 0) CHECK_OK("put", db->Put(wo, counters, k, U64Le(i * 10)));
      CHECK_OK("merge", db->Merge(wo, counters, k, U64Le(phase + 1)));
      if (i % 29 == static_cast<uint64_t>(phase)) CHECK_OK("delete", db->Delete(wo, counters, k));
    }
    if (phase < 2) {
      for (auto* cf : h) CHECK_OK("flush", db->Flush(rocksdb::FlushOptions(), cf));
    }
    if (phase == 0) {
      rocksdb::CompactRangeOptions cro;
      cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
      for (auto* cf : h) CHECK_OK("compact", db->CompactRange(cro, cf, nullptr, nullptr));
      for (const rocksdb::Snapshot* p : pins) db->ReleaseSnapshot(p);
      pins.clear();
    }
  }
  for (auto* cf : h) CHECK_OK("destroy handle", db->DestroyColumnFamilyHandle(cf));
  CHECK_OK("close", db->Close());
  return 0;
}

int Live(const std::string& dir, uint64_t max_keys, unsigned pause_us) {
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 10;  // frequent flushes
  options.level0_file_num_compaction_trigger = 2;
  options.max_bytes_for_level_base = 256 << 10;
  options.target_file_size_base = 64 << 10;
  rocksdb::DB* raw = nullptr;
  CHECK_OK("open", rocksdb::DB::Open(options, dir, &raw));
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  for (uint64_t i = 0; !g_stop && i < max_keys; ++i) {
    std::string v = "v" + std::to_string(i);
    v.resize(48, '.');
    CHECK_OK("put", db->Put(wo, U64Be(i), v));
    if (i == 999) {
      std::ofstream(dir + ".ready") << "1000\n";
    }
    if (pause_us > 0 && i % 100 == 99) ::usleep(pause_us);
  }
  CHECK_OK("close", db->Close());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "three-cf") == 0) return ThreeCf(argv[2]);
  if (argc >= 3 && argc <= 5 && std::strcmp(argv[1], "live") == 0) {
    const uint64_t max_keys = argc >= 4 ? std::strtoull(argv[3], nullptr, 10) : UINT64_MAX;
    const unsigned pause_us = argc >= 5 ? static_cast<unsigned>(std::atoi(argv[4])) : 0;
    return Live(argv[2], max_keys, pause_us);
  }
  std::fprintf(stderr, "usage: stock_db_writer three-cf DIR | live DIR [MAX_KEYS [PAUSE_US]]\n");
  return 2;
}
