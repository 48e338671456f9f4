// Shared helpers for the pushdown/sst tests.
#pragma once

#include <string>
#include <vector>

#include "pushdown/sst/sst_file.h"
#include "tests/support/sst_builder.h"

namespace pushdown::exec::testing {

using pushdown::testing::DumpedEntry;

// Decodes every entry of `path` with our reader (checksums verified).
inline Result<std::vector<DumpedEntry>> ReadAllEntries(const std::string& path,
                                                       const SstOpenOptions& o = {}) {
  PD_ASSIGN_OR_RETURN(auto sst, SstFile::Open(path, o));
  std::vector<DumpedEntry> out;
  PD_RETURN_IF_ERROR(sst->ForEachEntry([&](const ParsedInternalKey& k, std::string_view v) {
    out.push_back(DumpedEntry{std::string(k.user_key), k.sequence, k.type, std::string(v)});
    return true;
  }));
  return out;
}

// Keys "key%08d" with values of a few lengths (some compressible).
inline std::vector<pushdown::testing::KeyValueOp> MakeOps(int n, int value_len = 100,
                                                          bool with_deletes = true) {
  std::vector<pushdown::testing::KeyValueOp> ops;
  for (int i = 0; i < n; ++i) {
    char key[32];
    snprintf(key, sizeof(key), "key%08d", i);
    pushdown::testing::KeyValueOp op;
    op.key = key;
    if (with_deletes && i % 7 == 3) {
      op.kind = pushdown::testing::EntryKind::kDelete;
    } else {
      op.value =
          std::string(static_cast<size_t>(value_len + i % 13), static_cast<char>('a' + i % 26));
      op.value += std::to_string(i * 7919);
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

}  // namespace pushdown::exec::testing
