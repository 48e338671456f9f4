// Block checksums of the block-based table format.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pushdown/sst/format.h"

namespace pushdown::exec {

// CRC-32C (Castagnoli) of data, extending `init` (0 for a fresh crc).
// Uses SSE4.2 when the CPU has it, else a slicing table.
uint32_t Crc32cExtend(uint32_t init, const char* data, size_t n);
inline uint32_t Crc32c(const char* data, size_t n) { return Crc32cExtend(0, data, n); }
// The table-driven path alone (what CPUs without SSE4.2 run); for tests.
uint32_t Crc32cExtendPortable(uint32_t init, const char* data, size_t n);

// RocksDB/LevelDB crc masking.
inline uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

// The stored checksum of a block: computed over `payload` (n bytes as stored,
// i.e. compressed) followed by the compression type byte.
// REQUIRES: type != ChecksumType::kNone.
uint32_t ComputeBlockChecksum(ChecksumType type, const char* payload, size_t n,
                              uint8_t compression_type);

}  // namespace pushdown::exec
