#include "pushdown/sst/format.h"

#include "util/coding.h"

namespace pushdown::exec {

const char* ChecksumTypeName(ChecksumType t) {
  switch (t) {
    case ChecksumType::kNone:
      return "none";
    case ChecksumType::kCrc32c:
      return "crc32c";
    case ChecksumType::kXxHash:
      return "xxhash";
    case ChecksumType::kXxHash64:
      return "xxhash64";
    case ChecksumType::kXxh3:
      return "xxh3";
  }
  return "unknown";
}

const char* CompressionTypeName(uint8_t t) {
  switch (static_cast<CompressionType>(t)) {
    case CompressionType::kNone:
      return "none";
    case CompressionType::kSnappy:
      return "snappy";
    case CompressionType::kZlib:
      return "zlib";
    case CompressionType::kBZip2:
      return "bzip2";
    case CompressionType::kLz4:
      return "lz4";
    case CompressionType::kLz4hc:
      return "lz4hc";
    case CompressionType::kXpress:
      return "xpress";
    case CompressionType::kZstd:
      return "zstd";
    case CompressionType::kZstdNotFinal:
      return "zstd-not-final";
  }
  return "unknown";
}

bool IsDataBlockValueType(uint8_t t) {
  switch (static_cast<ValueType>(t)) {
    case ValueType::kDeletion:
    case ValueType::kValue:
    case ValueType::kMerge:
    case ValueType::kSingleDeletion:
    case ValueType::kBlobIndex:
    case ValueType::kDeletionWithTimestamp:
    case ValueType::kWideColumnEntity:
      return true;
    default:
      return false;
  }
}

const char* ValueTypeName(uint8_t t) {
  switch (static_cast<ValueType>(t)) {
    case ValueType::kDeletion:
      return "deletion";
    case ValueType::kValue:
      return "value";
    case ValueType::kMerge:
      return "merge";
    case ValueType::kSingleDeletion:
      return "single-deletion";
    case ValueType::kRangeDeletion:
      return "range-deletion";
    case ValueType::kBlobIndex:
      return "blob-index";
    case ValueType::kDeletionWithTimestamp:
      return "deletion-with-timestamp";
    case ValueType::kWideColumnEntity:
      return "wide-column-entity";
  }
  return "unknown";
}

const char* DecodeBlockHandle(const char* p, const char* limit, BlockHandle* h) {
  p = GetVarint64Ptr(p, limit, &h->offset);
  if (p == nullptr) return nullptr;
  return GetVarint64Ptr(p, limit, &h->size);
}

void EncodeBlockHandle(const BlockHandle& h, std::string* dst) {
  PutVarint64(dst, h.offset);
  PutVarint64(dst, h.size);
}

Status DecodeFooter(std::string_view tail, uint64_t file_size, const std::string& file_name,
                    Footer* footer) {
  auto corrupt = [&](const char* what, uint64_t at) {
    return Status::Corruption(file_name + ": " + what + " at offset " + std::to_string(at) +
                              " (file size " + std::to_string(file_size) + ")");
  };
  if (tail.size() < kLegacyFooterSize || file_size < tail.size()) {
    return corrupt("file too short for a footer", 0);
  }
  const uint64_t magic = DecodeFixed64(tail.data() + tail.size() - 8);
  Footer f;
  const char* handles;
  if (magic == kLegacyBlockBasedTableMagic) {
    f.legacy = true;
    f.encoded_size = kLegacyFooterSize;
    f.format_version = 0;
    f.checksum = ChecksumType::kCrc32c;
    handles = tail.data() + tail.size() - kLegacyFooterSize;
  } else if (magic == kBlockBasedTableMagic) {
    if (tail.size() < kFooterSize) return corrupt("file too short for a footer", 0);
    f.encoded_size = kFooterSize;
    const char* base = tail.data() + tail.size() - kFooterSize;
    const uint64_t footer_offset = file_size - kFooterSize;
    const uint8_t checksum = static_cast<uint8_t>(base[0]);
    if (checksum > static_cast<uint8_t>(ChecksumType::kXxh3)) {
      return corrupt("unknown checksum type in footer", footer_offset);
    }
    f.checksum = static_cast<ChecksumType>(checksum);
    f.format_version = DecodeFixed32(base + 41);
    if (f.format_version < 1 || f.format_version > kMaxSupportedFormatVersion) {
      return Status::NotSupported(file_name + ": unsupported format_version " +
                                  std::to_string(f.format_version));
    }
    handles = base + 1;
  } else {
    return corrupt("bad table magic number", file_size - 8);
  }
  const uint64_t footer_offset = file_size - f.encoded_size;
  const char* limit = handles + 2 * kMaxBlockHandleEncodedLength;
  const char* p = DecodeBlockHandle(handles, limit, &f.metaindex);
  if (p == nullptr || DecodeBlockHandle(p, limit, &f.index) == nullptr) {
    return corrupt("bad block handle in footer", footer_offset);
  }
  for (const BlockHandle* h : {&f.metaindex, &f.index}) {
    if (h->offset > footer_offset || h->size > footer_offset ||
        h->end_with_trailer() > footer_offset) {
      return corrupt("footer block handle past end of file", footer_offset);
    }
  }
  *footer = f;
  return Status::OK();
}

}  // namespace pushdown::exec
