// Block decompression (none/snappy/zlib/lz4/lz4hc/zstd), chosen per block by
// the trailer's compression type byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace pushdown::exec {

struct DecompressOptions {
  uint32_t format_version = 5;     // >= 2: zlib/lz4/lz4hc/zstd size-prefixed
  std::string_view dictionary;     // rocksdb.compression_dict block, if any
  size_t max_output = 256u << 20;  // larger claimed sizes are corruption
};

// Decompresses `payload` of compression `type` into *out (replacing it).
// Errors: Corruption (malformed payload), NotSupported (bzip2/xpress or an
// unknown type). Messages are short and carry no file context; callers add it.
Status DecompressBlock(uint8_t type, std::string_view payload, const DecompressOptions& options,
                       std::string* out);

}  // namespace pushdown::exec
