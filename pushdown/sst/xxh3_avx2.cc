// XXH3 compiled for AVX2 (this file only is built with -mavx2; see
// CMakeLists.txt). Debian's libxxhash is built for SSE2 (~22 GB/s here); the
// AVX2 kernel of the same header runs ~3x faster. Everything from xxhash.h is
// static inline here (XXH_INLINE_ALL), so no AVX2 code can be shared with, or
// picked by the linker for, other files. Call only when the CPU has AVX2.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstddef>
#include <cstdint>

namespace pushdown::exec {

uint64_t Xxh3Avx2(const void* data, size_t n) { return XXH3_64bits(data, n); }

}  // namespace pushdown::exec
