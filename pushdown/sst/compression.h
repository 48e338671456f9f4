// Block decompression (none/snappy/zlib/lz4/lz4hc/zstd), chosen per block by
// the trailer's compression type byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
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

// In-place decompression (into memory the caller owns, e.g. a device's local
// memory), in two steps: the size the payload declares (its size prefix, or
// snappy's header), then the payload decompressed into exactly that many
// bytes. DecompressedSize: NotSupported for a type that declares no size
// (zlib before format_version 2, bzip2, xpress: use DecompressBlock), and the
// same Corruption as DecompressBlock for a bad or over-limit declaration.
// DecompressBlockInto: InvalidArgument when out.size() is not the declared
// size; otherwise exactly DecompressBlock's result and errors, written to out
// (out's contents are unspecified after an error).
Result<size_t> DecompressedSize(uint8_t type, std::string_view payload,
                                const DecompressOptions& options);
Status DecompressBlockInto(uint8_t type, std::string_view payload, const DecompressOptions& options,
                           std::span<char> out);

}  // namespace pushdown::exec
