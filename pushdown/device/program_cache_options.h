// The limits of a ProgramCache (pushdown/device/program_cache.h). Kept in a
// header of its own, with no dependencies, because the installed embedding
// header (engine/api/pushdown_db.h) carries it in DbOptions.
#pragma once

#include <cstddef>

namespace pushdown::exec {

// A program counts ProgramFootprint() bytes (program_cache.h): its local memory,
// its code (BPF object + JIT image, or an estimate of the host JIT's) and a
// fixed per-program overhead. When a new program would exceed either limit,
// the least recently used programs that no scan holds are evicted first; a
// program a scan holds (leased) is never evicted. If the limits still cannot be
// met (every cached program is in use), the new program is handed to its
// caller uncached and destroyed when that caller lets go.
//
// Defaults: 64 programs, 256 MiB. A typical scan program costs about 1 MiB of
// local memory (exec::ScanCompileOptions) plus its code, so the entry limit is
// usually the one that binds.
struct ProgramCacheOptions {
  size_t max_entries = 64;  // 0: cache nothing (every lookup compiles)
  size_t max_bytes = size_t{256} << 20;
};

}  // namespace pushdown::exec
