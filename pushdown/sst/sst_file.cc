#include "pushdown/sst/sst_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pushdown/sst/checksum.h"
#include "pushdown/sst/compression.h"
#include "util/coding.h"

namespace pushdown::exec {

// Random-access bytes: a file (pread) or an in-memory image.
class SstFile::Source {
 public:
  virtual ~Source() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly out.size() bytes at offset into out. REQUIRES: offset +
  // out.size() <= size().
  virtual Status ReadInto(uint64_t offset, std::span<char> out) const = 0;
  Status Read(uint64_t offset, size_t n, std::string* out) const {
    out->resize(n);
    return ReadInto(offset, std::span<char>(out->data(), n));
  }
  virtual int fd() const { return -1; }
  virtual std::string_view image() const { return {}; }
  std::string path;
  std::string name;
};

namespace {

class FdSource final : public SstFile::Source {
 public:
  FdSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FdSource() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  int fd() const override { return fd_; }
  Status ReadInto(uint64_t offset, std::span<char> out) const override {
    const size_t n = out.size();
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("pread " + path, errno);
      }
      if (r == 0) {
        return Status::Corruption(name + ": unexpected end of file at offset " +
                                  std::to_string(offset + done));
      }
      done += static_cast<size_t>(r);
    }
    return Status::OK();
  }

 private:
  int fd_;
  uint64_t size_;
};

class MemorySource final : public SstFile::Source {
 public:
  explicit MemorySource(std::string data) : data_(std::move(data)) {}
  uint64_t size() const override { return data_.size(); }
  std::string_view image() const override { return data_; }
  Status ReadInto(uint64_t offset, std::span<char> out) const override {
    if (!out.empty()) std::memcpy(out.data(), data_.data() + offset, out.size());
    return Status::OK();
  }

 private:
  std::string data_;
};

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

SstFile::~SstFile() = default;

int SstFile::fd() const { return src_->fd(); }
std::string_view SstFile::memory_image() const { return src_->image(); }

Result<std::unique_ptr<SstFile>> SstFile::Open(const std::string& path,
                                               const SstOpenOptions& options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    // Out of descriptors or memory is the process's state, not the file's:
    // ResourceExhausted, so a caller can take another path (the engine takes
    // the RocksDB iterator, whose table cache has the file open already).
    if (err == EMFILE || err == ENFILE || err == ENOMEM) {
      return Status::ResourceExhausted("open " + path + ": " + std::strerror(err));
    }
    return Status::FromErrno("open " + path, err);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno("fstat " + path, err);
  }
  auto src = std::make_unique<FdSource>(fd, static_cast<uint64_t>(st.st_size));
  src->path = path;
  src->name = Basename(path);
  return OpenImpl(std::move(src), options);
}

Result<std::unique_ptr<SstFile>> SstFile::OpenFromMemory(std::string name, std::string contents,
                                                         const SstOpenOptions& options) {
  auto src = std::make_unique<MemorySource>(std::move(contents));
  src->path = name;
  src->name = Basename(name);
  return OpenImpl(std::move(src), options);
}

Result<std::unique_ptr<SstFile>> SstFile::OpenImpl(std::unique_ptr<Source> src,
                                                   const SstOpenOptions& options) {
  std::unique_ptr<SstFile> f(new SstFile());
  f->info_.path = src->path;
  f->info_.file_name = src->name;
  f->info_.file_size = src->size();
  f->src_ = std::move(src);
  f->options_ = options;
  PD_RETURN_IF_ERROR(f->Load());
  return f;
}

Status SstFile::Corrupt(std::string_view what, uint64_t offset) const {
  return Status::Corruption(info_.file_name + ": " + std::string(what) + " at offset " +
                            std::to_string(offset));
}

Status SstFile::ReadRaw(const BlockHandle& h, std::string* raw) const {
  const uint64_t limit = info_.file_size;
  if (h.size > options_.max_block_size || h.offset > limit ||
      h.size + kBlockTrailerSize > limit - h.offset) {
    return Status::Corruption(info_.file_name + ": bad block handle at offset " +
                              std::to_string(h.offset) + " (block size " + std::to_string(h.size) +
                              ", file size " + std::to_string(limit) + ")");
  }
  return src_->Read(h.offset, h.size + kBlockTrailerSize, raw);
}

Status SstFile::ReadBytes(uint64_t offset, std::span<char> out) const {
  const uint64_t limit = info_.file_size;
  if (offset > limit || out.size() > limit - offset) {
    return Status::Corruption(info_.file_name + ": read of " + std::to_string(out.size()) +
                              " bytes at offset " + std::to_string(offset) + " passes the end (" +
                              std::to_string(limit) + " bytes)");
  }
  return src_->ReadInto(offset, out);
}

std::string SstFile::BlockWhere(const BlockHandle& h) const {
  return " at offset " + std::to_string(h.offset) + " (block size " + std::to_string(h.size) + ")";
}

DecompressOptions SstFile::decompress_options() const {
  DecompressOptions d;
  d.format_version = info_.format_version;
  d.dictionary = compression_dict_;
  d.max_output = options_.max_block_size;
  return d;
}

Status SstFile::DecompressError(const BlockHandle& h, const Status& s) const {
  std::string msg = info_.file_name + ": " + s.message() + " in block" + BlockWhere(h);
  return s.IsNotSupported() ? Status::NotSupported(msg) : Status::Corruption(msg);
}

Status SstFile::VerifyBlock(const BlockHandle& h, std::string_view raw,
                            bool verify_checksum) const {
  if (raw.size() != h.size + kBlockTrailerSize) {
    return Status::Corruption(info_.file_name + ": short block read" + BlockWhere(h));
  }
  const uint8_t type = static_cast<uint8_t>(raw[h.size]);
  if (verify_checksum && info_.checksum != ChecksumType::kNone) {
    const uint32_t stored = DecodeFixed32(raw.data() + h.size + 1);
    const uint32_t actual = ComputeBlockChecksum(info_.checksum, raw.data(), h.size, type);
    if (stored != actual) {
      return Status::Corruption(info_.file_name + ": bad block checksum" + BlockWhere(h));
    }
  }
  return Status::OK();
}

Status SstFile::DecodeBlock(const BlockHandle& h, std::string_view raw, bool verify_checksum,
                            std::string* scratch, std::string_view* contents) const {
  PD_RETURN_IF_ERROR(VerifyBlock(h, raw, verify_checksum));
  const uint8_t type = static_cast<uint8_t>(raw[h.size]);
  if (type == static_cast<uint8_t>(CompressionType::kNone)) {
    *contents = raw.substr(0, h.size);
    return Status::OK();
  }
  Status s = DecompressBlock(type, raw.substr(0, h.size), decompress_options(), scratch);
  if (!s.ok()) return DecompressError(h, s);
  *contents = *scratch;
  return Status::OK();
}

Result<size_t> SstFile::DecodedBlockSize(const BlockHandle& h, std::string_view raw) const {
  if (raw.size() != h.size + kBlockTrailerSize) {
    return Status::Corruption(info_.file_name + ": short block read" + BlockWhere(h));
  }
  Result<size_t> n = DecompressedSize(static_cast<uint8_t>(raw[h.size]), raw.substr(0, h.size),
                                      decompress_options());
  if (!n.ok()) return DecompressError(h, n.status());
  return n;
}

Status SstFile::DecodeBlockInto(const BlockHandle& h, std::string_view raw,
                                std::span<char> out) const {
  if (raw.size() != h.size + kBlockTrailerSize) {
    return Status::Corruption(info_.file_name + ": short block read" + BlockWhere(h));
  }
  Status s = DecompressBlockInto(static_cast<uint8_t>(raw[h.size]), raw.substr(0, h.size),
                                 decompress_options(), out);
  if (s.IsInvalidArgument()) return s;  // the caller's size, not the file's bytes
  if (!s.ok()) return DecompressError(h, s);
  return Status::OK();
}

Result<BlockContents> SstFile::ReadDataBlock(size_t i, bool verify_checksum) const {
  if (i >= data_blocks_.size()) {
    return Status::InvalidArgument("data block index out of range");
  }
  BlockContents b;
  b.handle = data_blocks_[i];
  std::string raw;
  PD_RETURN_IF_ERROR(ReadRaw(b.handle, &raw));
  b.compression = static_cast<uint8_t>(raw[b.handle.size]);
  std::string_view contents;
  PD_RETURN_IF_ERROR(DecodeBlock(b.handle, raw, verify_checksum, &b.data, &contents));
  if (contents.data() == raw.data()) {
    raw.resize(b.handle.size);
    b.data = std::move(raw);
  }
  return b;
}

Status SstFile::ReadMetaBlock(const BlockHandle& h, std::string_view kind, bool verify,
                              std::string* contents) const {
  std::string raw;
  PD_RETURN_IF_ERROR(ReadRaw(h, &raw));
  std::string scratch;
  std::string_view view;
  Status s = DecodeBlock(h, raw, verify, &scratch, &view);
  if (!s.ok()) return s.WithContext(std::string(kind) + " block");
  if (view.data() == raw.data()) {
    raw.resize(h.size);
    *contents = std::move(raw);
  } else {
    *contents = std::move(scratch);
  }
  return Status::OK();
}

Status SstFile::Load() {
  const uint64_t size = info_.file_size;
  const size_t tail_len = static_cast<size_t>(std::min<uint64_t>(size, kFooterSize));
  if (tail_len < kLegacyFooterSize) {
    return Corrupt("file too short for a footer (" + std::to_string(size) + " bytes)", 0);
  }
  std::string tail;
  PD_RETURN_IF_ERROR(src_->Read(size - tail_len, tail_len, &tail));
  {
    const uint64_t magic = DecodeFixed64(tail.data() + tail.size() - 8);
    if (magic == 0x8242229663bf9564ull || magic == 0x4f3418eb7a8f13b8ull) {
      return Status::NotSupported(info_.file_name + ": plain table format not supported");
    }
    if (magic == 0x926789d0c5f17873ull) {
      return Status::NotSupported(info_.file_name + ": cuckoo table format not supported");
    }
  }
  PD_RETURN_IF_ERROR(DecodeFooter(tail, size, info_.file_name, &info_.footer));
  info_.checksum = info_.footer.checksum;
  info_.format_version = info_.footer.format_version;
  const bool verify = options_.verify_checksums;

  // Metaindex.
  std::string metaindex;
  PD_RETURN_IF_ERROR(ReadMetaBlock(info_.footer.metaindex, "metaindex", verify, &metaindex));
  std::vector<RawEntry> meta;
  PD_RETURN_IF_ERROR(DecodeKeyValueBlock(
      metaindex, "metaindex", BlockContext{info_.file_name, info_.footer.metaindex.offset}, &meta));
  BlockHandle props_handle, dict_handle;
  bool have_props = false;
  for (const RawEntry& e : meta) {
    info_.metaindex_keys.push_back(e.key);
    BlockHandle h;
    const char* end = DecodeBlockHandle(e.value.data(), e.value.data() + e.value.size(), &h);
    if (end == nullptr) {
      return Corrupt("bad block handle for " + e.key + " in metaindex block",
                     info_.footer.metaindex.offset);
    }
    if (e.key == "rocksdb.properties" || e.key == "rocksdb.stats") {
      props_handle = h;
      have_props = true;
    } else if (e.key == "rocksdb.range_del") {
      info_.has_range_del_block = true;
      info_.range_del_handle = h;
    } else if (e.key == "rocksdb.compression_dict") {
      info_.has_compression_dict = true;
      dict_handle = h;
    } else if (StartsWith(e.key, "fullfilter.") || StartsWith(e.key, "filter.") ||
               StartsWith(e.key, "partitionedfilter.")) {
      info_.has_filter = true;
    }
  }
  if (!have_props)
    return Corrupt("no properties block in metaindex", info_.footer.metaindex.offset);
  PD_RETURN_IF_ERROR(LoadProperties(props_handle));
  if (info_.has_compression_dict) {
    PD_RETURN_IF_ERROR(
        ReadMetaBlock(dict_handle, "compression dictionary", verify, &compression_dict_));
  }
  PD_RETURN_IF_ERROR(LoadIndex());
  return DetectFeatures();
}

Status SstFile::LoadProperties(const BlockHandle& h) {
  // The properties block is never compressed. Its checksum may have been
  // computed before ingestion rewrote the global seqno in place: verify after
  // parsing, retrying with the seqno zeroed.
  std::string raw;
  PD_RETURN_IF_ERROR(ReadRaw(h, &raw));
  std::string scratch;
  std::string_view contents;
  PD_RETURN_IF_ERROR(DecodeBlock(h, raw, /*verify_checksum=*/false, &scratch, &contents)
                         .WithContext("properties block"));
  const BlockContext ctx{info_.file_name, h.offset};
  PD_RETURN_IF_ERROR(ParsePropertiesBlock(contents, ctx, &info_.properties));
  const uint8_t type = static_cast<uint8_t>(raw[h.size]);
  if (options_.verify_checksums && info_.checksum != ChecksumType::kNone) {
    const uint32_t stored = DecodeFixed32(raw.data() + h.size + 1);
    bool ok = ComputeBlockChecksum(info_.checksum, raw.data(), h.size, type) == stored;
    const auto& off = info_.properties.global_seqno_offset_in_block;
    if (!ok && off.has_value() && type == 0 && *off + 8 <= h.size) {
      std::string copy = raw;
      EncodeFixed64(copy.data() + *off, 0);
      ok = ComputeBlockChecksum(info_.checksum, copy.data(), h.size, type) == stored;
    }
    if (!ok) {
      return Status::Corruption(info_.file_name + ": bad block checksum at offset " +
                                std::to_string(h.offset) + " (block size " +
                                std::to_string(h.size) + ") in properties block");
    }
  }
  info_.properties_handle = h;
  if (info_.properties.global_seqno_offset_in_block.has_value()) {
    info_.global_seqno_file_offset = h.offset + *info_.properties.global_seqno_offset_in_block;
  }
  const TableProperties& p = info_.properties;
  if (p.index_type.has_value()) {
    if (*p.index_type > 3) {
      return Status::NotSupported(info_.file_name + ": unknown index type " +
                                  std::to_string(*p.index_type));
    }
    info_.index_type = static_cast<IndexType>(*p.index_type);
  }
  info_.index_key_is_user_key = p.index_key_is_user_key != 0;
  info_.index_value_is_delta_encoded = p.index_value_is_delta_encoded != 0;

  // Global seqno of an ingested file (RocksDB's GetGlobalSequenceNumber).
  if (p.external_sst_file_version.has_value() && *p.external_sst_file_version >= 2) {
    uint64_t g = p.external_sst_file_global_seqno.value_or(0);
    if (options_.largest_seqno.has_value()) {
      if (g == 0) g = *options_.largest_seqno;
      if (g != *options_.largest_seqno) {
        return Status::Corruption(info_.file_name + ": global seqno " + std::to_string(g) +
                                  " does not match largest seqno " +
                                  std::to_string(*options_.largest_seqno));
      }
    }
    if (g > (uint64_t{1} << 56) - 1) {
      return Corrupt("bad global seqno in properties block", h.offset);
    }
    if (g != 0) info_.global_seqno = g;
  }
  return Status::OK();
}

Status SstFile::LoadIndex() {
  const bool verify = options_.verify_checksums;
  std::string index;
  PD_RETURN_IF_ERROR(ReadMetaBlock(info_.footer.index, "index", verify, &index));
  IndexBlockFormat fmt;
  fmt.value_delta_encoded = info_.index_value_is_delta_encoded;
  fmt.has_first_key = info_.index_type == IndexType::kBinarySearchWithFirstKey;
  std::vector<IndexEntry> entries;
  if (info_.index_type == IndexType::kTwoLevelIndexSearch) {
    std::vector<IndexEntry> top;
    PD_RETURN_IF_ERROR(DecodeIndexBlock(
        index, fmt, BlockContext{info_.file_name, info_.footer.index.offset}, &top));
    info_.num_index_partitions = top.size();
    std::string partition;
    std::vector<IndexEntry> part_entries;
    for (const IndexEntry& t : top) {
      PD_RETURN_IF_ERROR(ReadMetaBlock(t.handle, "index partition", verify, &partition));
      PD_RETURN_IF_ERROR(DecodeIndexBlock(
          partition, fmt, BlockContext{info_.file_name, t.handle.offset}, &part_entries));
      for (auto& e : part_entries) entries.push_back(std::move(e));
    }
  } else {
    PD_RETURN_IF_ERROR(DecodeIndexBlock(
        index, fmt, BlockContext{info_.file_name, info_.footer.index.offset}, &entries));
  }
  // Data blocks are ascending and disjoint, inside the file before the footer.
  const uint64_t limit = info_.file_size - info_.footer.encoded_size;
  uint64_t prev_end = 0;
  data_blocks_.reserve(entries.size());
  for (const IndexEntry& e : entries) {
    const BlockHandle& h = e.handle;
    if (h.offset < prev_end || h.size > options_.max_block_size || h.offset > limit ||
        h.size + kBlockTrailerSize > limit - h.offset) {
      return Corrupt("bad data block handle (offset " + std::to_string(h.offset) + ", size " +
                         std::to_string(h.size) + ") in index block",
                     info_.footer.index.offset);
    }
    prev_end = h.end_with_trailer();
    data_blocks_.push_back(h);
  }
  index_keys_.reserve(entries.size());
  for (IndexEntry& e : entries) {
    index_keys_.push_back(std::move(e.key));
    if (fmt.has_first_key) first_keys_.push_back(std::move(e.first_internal_key));
  }
  const uint64_t expected = info_.properties.num_data_blocks;
  if (info_.properties.Has("rocksdb.num.data.blocks") && expected != data_blocks_.size()) {
    return Corrupt("index lists " + std::to_string(data_blocks_.size()) +
                       " data blocks, properties say " + std::to_string(expected),
                   info_.footer.index.offset);
  }
  PD_RETURN_IF_ERROR(CheckIndexOrder());
  info_.num_data_blocks = data_blocks_.size();
  if (!data_blocks_.empty()) {
    info_.data_begin = data_blocks_.front().offset;
    info_.data_end = data_blocks_.back().end_with_trailer();
  }
  return Status::OK();
}

Status SstFile::CheckIndexOrder() const {
  const uint64_t at = info_.footer.index.offset;
  if (!info_.index_key_is_user_key) {
    for (const std::string& k : index_keys_) {
      if (k.size() < 8) return Corrupt("short internal key in index block", at);
    }
  }
  for (const std::string& k : first_keys_) {
    if (k.size() < 8) return Corrupt("short first key in index block", at);
  }
  // Only files whose keys are ordered bytewise: DataBlocksInRange relies on it.
  if (info_.properties.comparator != "leveldb.BytewiseComparator") return Status::OK();
  auto user = [&](const std::string& k) {
    return info_.index_key_is_user_key ? std::string_view(k)
                                       : std::string_view(k).substr(0, k.size() - 8);
  };
  for (size_t i = 1; i < index_keys_.size(); ++i) {
    if (user(index_keys_[i]) < user(index_keys_[i - 1])) {
      return Corrupt("index keys out of order at data block " + std::to_string(i), at);
    }
  }
  for (size_t i = 1; i < first_keys_.size(); ++i) {
    // First keys are always internal keys.
    if (std::string_view(first_keys_[i]).substr(0, first_keys_[i].size() - 8) <
        std::string_view(first_keys_[i - 1]).substr(0, first_keys_[i - 1].size() - 8)) {
      return Corrupt("index first keys out of order at data block " + std::to_string(i), at);
    }
  }
  return Status::OK();
}

std::string_view SstFile::data_block_index_user_key(size_t i) const {
  std::string_view k = index_keys_[i];
  return info_.index_key_is_user_key ? k : k.substr(0, k.size() - 8);
}

BlockRange SstFile::DataBlocksInRange(std::optional<std::string_view> lower,
                                      std::optional<std::string_view> upper) const {
  const size_t n = data_blocks_.size();
  BlockRange r{0, n};
  if (!bytewise_) return r;
  if (lower && upper && *lower >= *upper) return {0, 0};  // an empty range
  // First block i in [lo, hi) with key(i) >= bound (keys ascending).
  auto first_at_or_above = [](size_t lo, size_t hi, std::string_view bound, auto key) {
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (key(mid) < bound) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  auto sep = [this](size_t i) { return data_block_index_user_key(i); };
  if (lower) r.begin = first_at_or_above(0, n, *lower, sep);
  if (upper) {
    const size_t j = first_at_or_above(0, n, *upper, sep);
    r.end = j < n ? j + 1 : n;
    if (!first_keys_.empty()) {
      auto first = [this](size_t i) {
        std::string_view k = first_keys_[i];
        return k.substr(0, k.size() - 8);
      };
      r.end = std::min(r.end, first_at_or_above(0, n, *upper, first));
    }
  }
  if (r.end < r.begin) r.end = r.begin;
  return r;
}

Status SstFile::ReadRangeTombstones(std::vector<RangeTombstone>* out) const {
  out->clear();
  if (!info_.has_range_del_block) return Status::OK();
  const BlockHandle& h = info_.range_del_handle;
  std::string block;
  PD_RETURN_IF_ERROR(ReadMetaBlock(h, "range-deletion", options_.verify_checksums, &block));
  std::vector<RawEntry> entries;
  PD_RETURN_IF_ERROR(DecodeKeyValueBlock(block, "range-deletion",
                                         BlockContext{info_.file_name, h.offset}, &entries));
  out->reserve(entries.size());
  for (const RawEntry& e : entries) {
    if (e.key.size() < 8) return Corrupt("short internal key in range-deletion block", h.offset);
    const uint64_t packed = DecodeFixed64(e.key.data() + e.key.size() - 8);
    const uint8_t type = static_cast<uint8_t>(packed & 0xff);
    if (type != static_cast<uint8_t>(ValueType::kRangeDeletion)) {
      return Corrupt("entry of type " + std::to_string(type) + " in range-deletion block",
                     h.offset);
    }
    RangeTombstone t;
    t.start.assign(e.key.data(), e.key.size() - 8);
    t.end.assign(e.value);
    t.seq = info_.global_seqno.value_or(packed >> 8);
    out->push_back(std::move(t));
  }
  const TableProperties& p = info_.properties;
  if (p.Has("rocksdb.num.range-deletions") && p.num_range_deletions != out->size()) {
    return Corrupt("range-deletion block holds " + std::to_string(out->size()) +
                       " tombstones, properties say " + std::to_string(p.num_range_deletions),
                   h.offset);
  }
  return Status::OK();
}

Status SstFile::DetectFeatures() {
  const TableProperties& p = info_.properties;
  auto& why = info_.unsupported;
  if (p.num_merge_operands > 0) {
    why.push_back("merge operands (" + std::to_string(p.num_merge_operands) + ")");
  }
  // Range deletions are supported: the scan reads them (ReadRangeTombstones)
  // and applies them in the merge. A count without a block is a malformed
  // file, not a feature.
  if (p.num_range_deletions > 0 && !info_.has_range_del_block) {
    return Corrupt("properties count " + std::to_string(p.num_range_deletions) +
                       " range deletions but the metaindex has no range-deletion block",
                   info_.footer.metaindex.offset);
  }
  bytewise_ = p.comparator == "leveldb.BytewiseComparator";
  if (!bytewise_) {
    if (p.comparator.find("u64ts") != std::string::npos ||
        p.comparator.find("imestamp") != std::string::npos) {
      why.push_back("user-defined timestamps (comparator " + p.comparator + ")");
    } else {
      why.push_back("non-bytewise comparator " +
                    (p.comparator.empty() ? std::string("(none)") : p.comparator));
    }
  }
  if (!options_.scan_entry_types) return Status::OK();
  bool seen[256] = {};
  PD_RETURN_IF_ERROR(ForEachEntry([&](const ParsedInternalKey& k, std::string_view) {
    seen[k.type] = true;
    return true;
  }));
  if (seen[static_cast<uint8_t>(ValueType::kMerge)] && p.num_merge_operands == 0) {
    why.push_back("merge operands");
  }
  if (seen[static_cast<uint8_t>(ValueType::kBlobIndex)]) why.push_back("blob index entries");
  if (seen[static_cast<uint8_t>(ValueType::kWideColumnEntity)]) {
    why.push_back("wide-column entities");
  }
  if (seen[static_cast<uint8_t>(ValueType::kDeletionWithTimestamp)]) {
    why.push_back("deletions with timestamp");
  }
  return Status::OK();
}

}  // namespace pushdown::exec
