// The ScanFiles of a test DB's live SST files, as the engine plans them
// (engine/api/scan.cc): the deepest non-zero level is bottommost, and each
// file carries its user-key range unless `with_key_ranges` is false (then
// every file is its own merge stream, no LevelStream).
#pragma once

#include <algorithm>
#include <vector>

#include "pushdown/scan/scan_executor.h"
#include "tests/support/sst_builder.h"

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

}  // namespace pushdown::exec
