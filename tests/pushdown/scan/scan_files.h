// The ScanFiles of a test DB's live SST files, as the engine plans them
// (engine/api/scan.cc): the deepest non-zero level is bottommost, and each
// file carries its user-key range unless `with_key_ranges` is false (then
// every file is its own merge stream, no LevelStream).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bpfgen/schema/schema.h"
#include "pushdown/scan/scan_executor.h"
#include "tests/support/sst_builder.h"
#include "tests/support/temp_dir.h"

namespace pushdown::exec {

inline std::vector<ScanFile> ScanFilesOf(const std::vector<::pushdown::testing::LiveSstFile>& live,
                                         bool with_key_ranges = true) {
  int deepest = 0;
  for (const auto& f : live) deepest = std::max(deepest, f.level);
  std::vector<ScanFile> files;
  for (const auto& f : live) {
    ScanFile s;
    s.path = f.path;
    s.level = f.level;
    s.bottommost = f.level == deepest && deepest > 0;
    s.smallest_seqno = f.smallest_seqno;
    s.largest_seqno = f.largest_seqno;
    if (with_key_ranges) {
      s.has_key_range = true;
      s.smallest_user_key = f.smallest_user_key;
      s.largest_user_key = f.largest_user_key;
    }
    files.push_back(std::move(s));
  }
  return files;
}

// A RocksDB in a fresh temp dir with the raw schema (key, value), and the
// scan plan of its live files.
struct RawScanDb {
  ::pushdown::testing::TempDir dir;
  std::unique_ptr<::pushdown::testing::TestDb> db;
  bpfgen::Schema schema = bpfgen::Schema::Raw();

  explicit RawScanDb(const std::string& dir_prefix, ::pushdown::testing::DbSpec spec = {})
      : dir(dir_prefix) {
    auto opened = ::pushdown::testing::TestDb::Open(dir.path() + "/db", spec);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) db = std::move(*opened);
  }

  // At `snapshot`, or at the latest sequence number.
  ScanPlan Plan(std::optional<uint64_t> snapshot = std::nullopt) {
    ScanPlan plan;
    plan.schema = &schema;
    auto live = db->LiveFiles();
    EXPECT_TRUE(live.ok());
    if (live.ok()) plan.files = ScanFilesOf(*live);
    plan.snapshot = snapshot ? *snapshot : db->db()->GetLatestSequenceNumber();
    plan.bytewise_comparator =
        db->options().comparator->Name() == std::string_view("leveldb.BytewiseComparator");
    return plan;
  }
};

}  // namespace pushdown::exec
