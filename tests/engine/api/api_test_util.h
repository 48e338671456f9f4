// Helpers for the engine/api tests: a lineitem-like table, random rows and
// predicates, LSM shapes, and scan collection / comparison.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bpfgen/schema/date.h"
#include "engine/api/pushdown_db.h"
#include "pushdown/device/fallback.h"

namespace pushdown::engine::testing {

// Lineitem-like: fixed and variable columns, a nullable DOUBLE (host-only
// arithmetic) and a nullable VARCHAR.
inline constexpr char kItemsDdl[] =
    "l_orderkey INT64 KEY, l_linenumber INT32 KEY, l_quantity DECIMAL(15,2) NOT NULL, "
    "l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, "
    "l_shipdate DATE NOT NULL, l_returnflag CHAR(1) NOT NULL, l_comment VARCHAR(44), "
    "l_weight DOUBLE";

inline bool KernelAvailable() { return exec::DeviceRegistry::Default().kernel().Available().ok(); }

inline std::vector<Datum> RandomItem(std::mt19937_64& rng, int64_t orderkey, int32_t line) {
  static const char* kFlags = "ANR";
  static const char* kWords[] = {"quick", "slow", "blue", "final", "pending", "regular", "ironic"};
  std::vector<Datum> row;
  row.push_back(Datum::Int(orderkey));
  row.push_back(Datum::Int(line));
  row.push_back(Datum::Int(int64_t(rng() % 50 + 1) * 100));  // 1.00 .. 50.00
  row.push_back(Datum::Int(int64_t(rng() % 10000000)));      // 0.00 .. 99999.99
  row.push_back(Datum::Int(int64_t(rng() % 11)));            // 0.00 .. 0.10
  row.push_back(Datum::Int(bpfgen::DaysFromCivil(1992, 1, 1) + int64_t(rng() % 2500)));
  row.push_back(Datum::String(std::string(1, kFlags[rng() % 3])));
  if (rng() % 5 == 0) {
    row.push_back(Datum::Null());
  } else {
    std::string c = kWords[rng() % 7];
    c += " ";
    c += kWords[rng() % 7];
    row.push_back(Datum::String(c));
  }
  if (rng() % 4 == 0) {
    row.push_back(Datum::Null());
  } else {
    row.push_back(Datum::Double(double(rng() % 100000) / 100.0));
  }
  return row;
}

inline std::string RandomItemPredicate(std::mt19937_64& rng) {
  auto num = [&](int lo, int hi) { return std::to_string(lo + int(rng() % (hi - lo + 1))); };
  const std::vector<std::string> atoms = {
      "l_quantity < " + num(1, 50),
      "l_discount BETWEEN 0.0" + num(0, 5) + " AND 0.0" + num(5, 9),
      "l_shipdate >= DATE '199" + num(2, 8) + "-0" + num(1, 9) + "-01'",
      "l_extendedprice * l_discount > " + num(0, 5000),
      "l_returnflag = 'R'",
      "l_returnflag IN ('A', 'N')",
      "l_comment LIKE '%" + std::string(rng() % 2 ? "blue" : "final") + "%'",
      "l_comment IS NULL",
      "l_weight > " + num(0, 900),  // DOUBLE: host-only on the kernel device
      "l_orderkey % 7 = " + num(0, 6),
      "NOT (l_linenumber = " + num(1, 7) + ")",
  };
  std::string p;
  const int n = 1 + int(rng() % 3);
  for (int i = 0; i < n; ++i) {
    if (i > 0) p += rng() % 4 == 0 ? " OR " : " AND ";
    p += atoms[rng() % atoms.size()];
  }
  return p;
}

struct ScanOut {
  std::vector<std::pair<std::string, std::vector<Datum>>> rows;
  ScanInfo info;
  exec::ScanStats stats;
};

inline Result<ScanOut> Collect(PushdownDB* db, const ScanTarget& target, std::string_view where,
                               const ScanOptions& options) {
  PD_ASSIGN_OR_RETURN(auto cursor, db->Scan(target, where, options));
  ScanOut out;
  for (;;) {
    PD_RETURN_IF_ERROR(cursor->Next());
    if (!cursor->Valid()) break;
    out.rows.emplace_back(std::string(cursor->key()), cursor->row());
  }
  out.info = cursor->info();
  out.stats = cursor->stats();
  return out;
}

inline std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

inline ::testing::AssertionResult SameRows(const ScanOut& expected, const ScanOut& actual) {
  if (expected.rows.size() != actual.rows.size()) {
    return ::testing::AssertionFailure()
           << "row count " << actual.rows.size() << " (path " << actual.info.path << "/"
           << actual.info.device << "), expected " << expected.rows.size();
  }
  for (size_t i = 0; i < expected.rows.size(); ++i) {
    if (expected.rows[i].first != actual.rows[i].first) {
      return ::testing::AssertionFailure() << "row " << i << ": key " << Hex(actual.rows[i].first)
                                           << ", expected " << Hex(expected.rows[i].first);
    }
    if (!(expected.rows[i].second == actual.rows[i].second)) {
      return ::testing::AssertionFailure()
             << "row " << i << " (key " << Hex(expected.rows[i].first) << "): values differ";
    }
  }
  return ::testing::AssertionSuccess();
}

// db_bench keys: the low 8 bytes of the integer big-endian, padded with '0'
// to key_size (16).
inline std::string DbBenchKey(uint64_t k) {
  std::string key(16, '0');
  for (int i = 0; i < 8; ++i) key[i] = char(k >> (56 - 8 * i));
  return key;
}

}  // namespace pushdown::engine::testing

namespace pushdown::engine::testing {

// A table in a random LSM shape: a bottom level with several versions per key
// (a snapshot held across the compaction), two L0 files, a memtable with
// overwrites, deletes and single deletes. `old_snapshot` and `snapshot` are
// held by the DB until released by the caller; writes after `snapshot` sit in
// the memtable (invisible at it).
struct ItemsShape {
  Table* table = nullptr;
  const rocksdb::Snapshot* old_snapshot = nullptr;
  const rocksdb::Snapshot* snapshot = nullptr;
};

inline DbOptions SmallDbOptions(uint64_t seed) {
  DbOptions o;
  o.customize = [seed](rocksdb::Options* opts) {
    opts->write_buffer_size = 4 << 20;
    opts->disable_auto_compactions = true;
    opts->compression = seed % 2 ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
    opts->num_levels = 4;
  };
  return o;
}

inline void ItemsShapeBuild(PushdownDB* db, uint64_t seed, ItemsShape* shape) {
  std::mt19937_64 rng(seed);
  auto t = db->CreateTable("items", kItemsDdl);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  Table* table = *t;
  shape->table = table;
  rocksdb::DB* rdb = db->db();
  auto put = [&](int64_t o, int32_t l) { ASSERT_TRUE(table->Put(RandomItem(rng, o, l)).ok()); };
  auto del = [&](int64_t o, int32_t l) {
    ASSERT_TRUE(table->Delete({Datum::Int(o), Datum::Int(l)}).ok());
  };
  const int kOrders = 600;
  // Bottom level.
  for (int64_t o = 0; o < kOrders; ++o) {
    for (int32_t l = 1; l <= 3; ++l) put(o, l);
  }
  ASSERT_TRUE(rdb->Flush(rocksdb::FlushOptions(), table->column_family()).ok());
  shape->old_snapshot = rdb->GetSnapshot();
  for (int i = 0; i < 500; ++i) put(int64_t(rng() % kOrders), int32_t(rng() % 3 + 1));
  for (int i = 0; i < 100; ++i) del(int64_t(rng() % kOrders), int32_t(rng() % 3 + 1));
  ASSERT_TRUE(rdb->Flush(rocksdb::FlushOptions(), table->column_family()).ok());
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(rdb->CompactRange(cro, table->column_family(), nullptr, nullptr).ok());
  // L0 file 1: overwrites, deletes, fresh keys written once (single-deleted later).
  for (int i = 0; i < 400; ++i) put(int64_t(rng() % kOrders), int32_t(rng() % 3 + 1));
  for (int i = 0; i < 80; ++i) del(int64_t(rng() % kOrders), int32_t(rng() % 3 + 1));
  std::vector<int64_t> fresh;
  for (int64_t o = kOrders; o < kOrders + 100; ++o) {
    put(o, 7);
    fresh.push_back(o);
  }
  ASSERT_TRUE(rdb->Flush(rocksdb::FlushOptions(), table->column_family()).ok());
  // L0 file 2.
  for (int i = 0; i < 300; ++i) put(int64_t(rng() % kOrders), int32_t(rng() % 3 + 1));
  ASSERT_TRUE(rdb->Flush(rocksdb::FlushOptions(), table->column_family()).ok());
  // Memtable: overwrites, deletes, single deletes of the once-written keys.
  for (int i = 0; i < 300; ++i) put(int64_t(rng() % kOrders), int32_t(rng() % 3 + 1));
  for (int i = 0; i < 50; ++i) del(int64_t(rng() % kOrders), int32_t(rng() % 3 + 1));
  for (size_t i = 0; i < fresh.size(); i += 2) {
    auto key = table->EncodeKey({Datum::Int(fresh[i]), Datum::Int(7)});
    ASSERT_TRUE(key.ok());
    ASSERT_TRUE(rdb->SingleDelete(rocksdb::WriteOptions(), table->column_family(), *key).ok());
  }
  shape->snapshot = rdb->GetSnapshot();
  // After the snapshot: invisible to it.
  for (int i = 0; i < 300; ++i) put(int64_t(rng() % kOrders), int32_t(rng() % 3 + 1));
  for (int i = 0; i < 50; ++i) del(int64_t(rng() % kOrders), int32_t(rng() % 3 + 1));
}

// Scans `where` at both snapshots on the iterator path and on each device and
// expects identical rows.
inline void ExpectSameOnDevices(PushdownDB* db, const ItemsShape& shape, const std::string& where,
                                const std::vector<std::string>& devices) {
  for (const rocksdb::Snapshot* snap : {shape.snapshot, shape.old_snapshot}) {
    ScanOptions o;
    o.snapshot = snap;
    o.flush_memtable = true;  // opt-in write (the scans flushed before the attach API)
    o.device = exec::DeviceRequest::kIterator;
    auto expected = Collect(db, "items", where, o);
    ASSERT_TRUE(expected.ok()) << where << ": " << expected.status().ToString();
    EXPECT_EQ(expected->info.path, "iterator");
    for (const std::string& d : devices) {
      o.device = exec::ParseDeviceRequest(d);
      auto actual = Collect(db, "items", where, o);
      ASSERT_TRUE(actual.ok()) << where << " on " << d << ": " << actual.status().ToString();
      EXPECT_EQ(actual->info.path, "pushdown") << actual->info.fallback_reason;
      // Nothing pushed (TRUE, or every conjunct residual): no program runs
      // on any device, the host decodes the blocks (device "none").
      EXPECT_EQ(actual->info.device, actual->info.host_decode ? "none" : d)
          << actual->info.fallback_reason;
      EXPECT_TRUE(SameRows(*expected, *actual)) << where << " on " << d;
    }
  }
}

}  // namespace pushdown::engine::testing
