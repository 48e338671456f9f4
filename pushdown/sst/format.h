// On-disk constants and small records of RocksDB's block-based table format
// (RocksDB 7.8; see /work/shared/SST_FORMAT.md). No RocksDB headers here: this
// is our own reading of the documented format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace pushdown::exec {

inline constexpr uint64_t kBlockBasedTableMagic = 0x88e241b785f4cff7ull;
inline constexpr uint64_t kLegacyBlockBasedTableMagic = 0xdb4775248b80fb57ull;
inline constexpr size_t kBlockTrailerSize = 5;   // [compression u8][checksum u32]
inline constexpr size_t kFooterSize = 53;        // format_version >= 1
inline constexpr size_t kLegacyFooterSize = 48;  // format_version 0
inline constexpr size_t kMaxBlockHandleEncodedLength = 20;
inline constexpr uint32_t kMaxSupportedFormatVersion = 5;

enum class ChecksumType : uint8_t {
  kNone = 0,
  kCrc32c = 1,
  kXxHash = 2,
  kXxHash64 = 3,
  kXxh3 = 4,
};
const char* ChecksumTypeName(ChecksumType t);

// The compression type byte of a block trailer.
enum class CompressionType : uint8_t {
  kNone = 0x0,
  kSnappy = 0x1,
  kZlib = 0x2,
  kBZip2 = 0x3,
  kLz4 = 0x4,
  kLz4hc = 0x5,
  kXpress = 0x6,
  kZstd = 0x7,
  kZstdNotFinal = 0x40,
};
const char* CompressionTypeName(uint8_t t);

// Value types of internal keys (db/dbformat.h).
enum class ValueType : uint8_t {
  kDeletion = 0x0,
  kValue = 0x1,
  kMerge = 0x2,
  kSingleDeletion = 0x7,
  kRangeDeletion = 0xF,
  kBlobIndex = 0x11,
  kDeletionWithTimestamp = 0x14,
  kWideColumnEntity = 0x16,
};
// True for the types that may appear in a data block.
bool IsDataBlockValueType(uint8_t t);
const char* ValueTypeName(uint8_t t);

// Index types (property rocksdb.block.based.table.index.type).
enum class IndexType : uint32_t {
  kBinarySearch = 0,
  kHashSearch = 1,
  kTwoLevelIndexSearch = 2,
  kBinarySearchWithFirstKey = 3,
};

// Offset and size of a block; size excludes the 5-byte trailer.
struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t end_with_trailer() const { return offset + size + kBlockTrailerSize; }
  friend bool operator==(const BlockHandle&, const BlockHandle&) = default;
};

// Returns the byte after the handle, or nullptr when malformed/truncated.
const char* DecodeBlockHandle(const char* p, const char* limit, BlockHandle* h);
void EncodeBlockHandle(const BlockHandle& h, std::string* dst);

struct Footer {
  bool legacy = false;  // 48-byte footer, legacy magic, format_version 0
  ChecksumType checksum = ChecksumType::kCrc32c;
  uint32_t format_version = 0;
  BlockHandle metaindex;
  BlockHandle index;
  uint32_t encoded_size = 0;  // 48 or 53
};

// Decodes the footer from `tail`, the last min(file_size, 53) bytes of a file
// of `file_size` bytes. Errors name `file_name` and the footer's offset.
Status DecodeFooter(std::string_view tail, uint64_t file_size, const std::string& file_name,
                    Footer* footer);

}  // namespace pushdown::exec
