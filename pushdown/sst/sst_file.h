// SstFile: opens a RocksDB block-based table (format_version 0..5) with our
// own reader and gives access to its data blocks, uncompressed and verified.
//
//   PD_ASSIGN_OR_RETURN(auto sst, SstFile::Open(path, {}));
//   for (size_t i = 0; i < sst->num_data_blocks(); ++i) {
//     PD_ASSIGN_OR_RETURN(BlockContents b, sst->ReadDataBlock(i));
//     DataBlockIter it(b.data, sst->block_context(i), sst->info().global_seqno);
//     ...
//   }
//
// Every malformation is Status::Corruption naming the file and byte offset;
// features the pushdown path cannot handle exactly are listed in
// info().unsupported (the engine falls back to a RocksDB iterator then).
// Thread safety: after Open, all const methods may be called concurrently
// (reads are pread; decompression contexts are per thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pushdown/sst/block.h"
#include "pushdown/sst/compression.h"
#include "pushdown/sst/format.h"
#include "pushdown/sst/properties.h"
#include "pushdown/sst/range_del.h"
#include "util/status.h"

namespace pushdown::exec {

struct SstOpenOptions {
  // Verify checksums of the footer-referenced blocks (metaindex, properties,
  // index, compression dictionary) at open.
  bool verify_checksums = true;
  // A block (stored or uncompressed) larger than this is Corruption.
  size_t max_block_size = 256u << 20;
  // Read every data block at open and list entry types the pushdown path does
  // not handle (merge, blob index, deletion with timestamp, wide columns).
  bool scan_entry_types = false;
  // The file's largest seqno as the DB's metadata knows it (optional). For an
  // ingested file whose global seqno was not written into the file, this is
  // the global seqno (RocksDB's rule).
  std::optional<uint64_t> largest_seqno;
};

struct TableInfo {
  std::string path;
  std::string file_name;  // basename, used in messages
  uint64_t file_size = 0;
  Footer footer;
  ChecksumType checksum = ChecksumType::kCrc32c;
  uint32_t format_version = 0;
  IndexType index_type = IndexType::kBinarySearch;
  bool index_key_is_user_key = false;
  bool index_value_is_delta_encoded = false;
  size_t num_index_partitions = 0;  // two-level index only
  size_t num_data_blocks = 0;
  // Ingested file: every key's sequence number is this (keys store 0).
  std::optional<uint64_t> global_seqno;
  TableProperties properties;
  BlockHandle properties_handle;
  // The 8-byte global seqno field lies outside checksum protection (RocksDB
  // rewrites it in place at ingestion); pass SstOpenOptions::largest_seqno to
  // have it checked against the DB's metadata.
  std::optional<uint64_t> global_seqno_file_offset;
  std::vector<std::string> metaindex_keys;
  bool has_range_del_block = false;
  BlockHandle range_del_handle;  // valid when has_range_del_block
  bool has_compression_dict = false;
  bool has_filter = false;
  // [data_begin, data_end): from the first data block to the end of the last
  // one's trailer (empty when there are no data blocks).
  uint64_t data_begin = 0;
  uint64_t data_end = 0;
  // Why the pushdown path must fall back for this file; empty = supported.
  std::vector<std::string> unsupported;

  bool supported() const { return unsupported.empty(); }
};

// Data blocks [begin, end) of one file (begin == end: none).
struct BlockRange {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end > begin ? end - begin : 0; }
  bool empty() const { return end <= begin; }
};

// An uncompressed block.
struct BlockContents {
  std::string data;
  BlockHandle handle;
  uint8_t compression = 0;  // as stored
};

class SstFile {
 public:
  static Result<std::unique_ptr<SstFile>> Open(const std::string& path,
                                               const SstOpenOptions& options = {});
  // Opens a file image held in memory (tests, fuzzing); `name` is used in
  // messages.
  static Result<std::unique_ptr<SstFile>> OpenFromMemory(std::string name, std::string contents,
                                                         const SstOpenOptions& options = {});
  ~SstFile();
  SstFile(const SstFile&) = delete;
  SstFile& operator=(const SstFile&) = delete;

  const TableInfo& info() const { return info_; }
  size_t num_data_blocks() const { return data_blocks_.size(); }
  // REQUIRES: i < num_data_blocks()
  BlockHandle data_block_handle(size_t i) const { return data_blocks_[i]; }
  const std::vector<BlockHandle>& data_block_handles() const { return data_blocks_; }
  // The index separator key of data block i: >= every key in block i and <
  // every key in block i + 1. A user key when info().index_key_is_user_key,
  // else an internal key. REQUIRES: i < num_data_blocks()
  const std::string& data_block_index_key(size_t i) const { return index_keys_[i]; }
  // The user-key part of data_block_index_key(i).
  std::string_view data_block_index_user_key(size_t i) const;
  // The data blocks that can hold a user key in [*lower, *upper) (bytewise;
  // an unset bound is unbounded), found by binary search over the index
  // separators (loaded at Open; for a two-level index, the separators of
  // every partition). Block i holds user keys in [sep(i-1), sep(i)]
  // (sep(-1) = -inf): separators are internal keys when the index's keys are
  // not user keys, so one user key can span two blocks. Hence:
  //   begin = the first block with sep(i) >= *lower;
  //   end   = one past the first block with sep(i) >= *upper (every later
  //           block holds only user keys >= sep(i) >= *upper), and with index
  //           type 3 also no later than the first block whose first key is
  //           >= *upper.
  // *lower >= *upper (an empty range): no block.
  // The blocks in range may still hold keys outside it (the first and the
  // last one); the caller cuts them. A file whose comparator is not bytewise
  // gets every block (its keys are not ordered bytewise).
  BlockRange DataBlocksInRange(std::optional<std::string_view> lower,
                               std::optional<std::string_view> upper) const;
  // Index type 3 only (else empty): the first internal key of block i.
  const std::string& data_block_first_key(size_t i) const {
    static const std::string kEmpty;
    return first_keys_.empty() ? kEmpty : first_keys_[i];
  }
  // Error context for DataBlockIter over data block i.
  BlockContext block_context(size_t i) const {
    return BlockContext{info_.file_name, data_blocks_[i].offset, bytewise_};
  }

  // Reads data block i (one pread), verifies its checksum (unless told not
  // to) and decompresses it.
  Result<BlockContents> ReadDataBlock(size_t i, bool verify_checksum = true) const;

  // Verifies and decompresses a block whose stored bytes plus 5-byte trailer
  // (`raw`, raw.size() == handle.size + 5) were read elsewhere (BlockSource).
  // *contents points into `raw` (uncompressed block) or into *scratch.
  Status DecodeBlock(const BlockHandle& handle, std::string_view raw, bool verify_checksum,
                     std::string* scratch, std::string_view* contents) const;
  // Reads exactly out.size() bytes at `offset` into memory the caller owns
  // (a device's local memory): one pread, or a copy from an in-memory image.
  // Corruption naming the file when the range passes its end.
  Status ReadBytes(uint64_t offset, std::span<char> out) const;
  // DecodeBlock's first half: raw's size and (unless told not to) checksum.
  Status VerifyBlock(const BlockHandle& handle, std::string_view raw, bool verify_checksum) const;
  // In-place decoding, for a caller that puts the contents in memory of its
  // own (a device's local memory) instead of *scratch. REQUIRES: VerifyBlock
  // passed. DecodedBlockSize: the contents' size (the stored size for an
  // uncompressed block, else the size the compressed payload declares);
  // NotSupported for a compression that declares none (zlib before
  // format_version 2: use DecodeBlock). DecodeBlockInto: the contents into
  // `out`, whose size must be DecodedBlockSize (else InvalidArgument); a bad
  // payload is Corruption naming the file and the block's offset, exactly as
  // DecodeBlock's.
  Result<size_t> DecodedBlockSize(const BlockHandle& handle, std::string_view raw) const;
  Status DecodeBlockInto(const BlockHandle& handle, std::string_view raw,
                         std::span<char> out) const;

  // Reads, verifies and decodes every entry of every data block, calling
  // fn(parsed_key, value) in file order; fn returns false to stop.
  template <typename Fn>
  Status ForEachEntry(Fn&& fn, bool verify_checksum = true) const {
    for (size_t i = 0; i < num_data_blocks(); ++i) {
      PD_ASSIGN_OR_RETURN(BlockContents b, ReadDataBlock(i, verify_checksum));
      DataBlockIter it(b.data, block_context(i), info_.global_seqno);
      for (it.SeekToFirst(); it.Valid(); it.Next()) {
        if (!fn(it.parsed(), it.value())) return Status::OK();
      }
      PD_RETURN_IF_ERROR(it.status());
    }
    return Status::OK();
  }

  // The file's range tombstones (its range-deletion block, see range_del.h),
  // in stored order, with the global seqno applied for an ingested file. None
  // when the file has no such block. Reads and verifies the block on every
  // call (the scan calls it once per file). Corruption naming the file and
  // the block's offset for a bad checksum, a malformed block, an entry that
  // is not a range deletion, or a count that differs from the
  // rocksdb.num.range-deletions property.
  Status ReadRangeTombstones(std::vector<RangeTombstone>* out) const;

  // The open file descriptor (-1 for an in-memory file).
  int fd() const;
  // The in-memory image (empty for a file on disk).
  std::string_view memory_image() const;

  class Source;  // random-access bytes (file or memory); defined in the .cc

 private:
  SstFile() = default;
  static Result<std::unique_ptr<SstFile>> OpenImpl(std::unique_ptr<Source> src,
                                                   const SstOpenOptions& options);
  Status Load();
  Status ReadRaw(const BlockHandle& h, std::string* raw) const;
  // Reads + verifies + decompresses a non-data block.
  Status ReadMetaBlock(const BlockHandle& h, std::string_view kind, bool verify,
                       std::string* contents) const;
  Status LoadIndex();
  // Index separators ascending by user key (bytewise files), first keys too.
  Status CheckIndexOrder() const;
  Status LoadProperties(const BlockHandle& h);
  Status DetectFeatures();
  Status Corrupt(std::string_view what, uint64_t offset) const;
  std::string BlockWhere(const BlockHandle& h) const;
  DecompressOptions decompress_options() const;
  Status DecompressError(const BlockHandle& h, const Status& s) const;

  std::unique_ptr<Source> src_;
  SstOpenOptions options_;
  TableInfo info_;
  std::string compression_dict_;
  std::vector<BlockHandle> data_blocks_;
  std::vector<std::string> index_keys_;
  std::vector<std::string> first_keys_;  // index type 3 only
  bool bytewise_ = true;                 // comparator is leveldb.BytewiseComparator
};

}  // namespace pushdown::exec
