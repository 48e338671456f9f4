// Decoding of uncompressed blocks: the generic entry/restart layout, data
// blocks (internal keys) and index blocks (block handles).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pushdown/sst/format.h"
#include "util/status.h"

namespace pushdown::exec {

// An internal key: user_key || fixed64 LE (sequence << 8 | type).
struct ParsedInternalKey {
  std::string_view user_key;
  uint64_t sequence = 0;
  uint8_t type = 0;
};

// Corruption when ikey is shorter than 8 bytes. Does not check the type.
Status ParseInternalKey(std::string_view ikey, ParsedInternalKey* out);
void AppendInternalKey(std::string_view user_key, uint64_t sequence, uint8_t type,
                       std::string* dst);

// Where a block's parts are. Offsets are relative to the block start.
struct BlockLayout {
  uint32_t entries_end = 0;  // == restarts offset
  uint32_t num_restarts = 0;
  bool has_hash_index = false;  // data-block hash index present (ignored)
};

// Splits an uncompressed block into entries and restart array.
// Errors are short ("bad restart array"); callers add file/offset context.
Status DecodeBlockLayout(std::string_view block, BlockLayout* layout);

// Context for error messages: "<file>: <what> in <kind> block at offset N".
struct BlockContext {
  std::string_view file_name;
  uint64_t block_offset = 0;
  // Check bytewise internal-key order (off for files with another comparator).
  bool check_key_order = true;
};

// Walks every entry of an uncompressed data block, in order:
//   DataBlockIter it(block, ctx);
//   for (it.SeekToFirst(); it.Valid(); it.Next()) use(it.parsed(), it.value());
//   PD_RETURN_IF_ERROR(it.status());
// Malformed input (bad lengths, shared prefix longer than the previous key,
// bad restart array, short internal keys, types that cannot appear in a data
// block, keys out of order) ends the walk with status() == Corruption; no
// entry after the first malformation is ever yielded.
// With a global seqno (ingested file), every key must carry sequence 0 and is
// returned with `global_seqno` instead.
// REQUIRES: `block` outlives the iterator.
class DataBlockIter {
 public:
  DataBlockIter(std::string_view block, BlockContext ctx = {},
                std::optional<uint64_t> global_seqno = std::nullopt);

  void SeekToFirst();
  void Next();
  bool Valid() const { return valid_; }
  const Status& status() const { return status_; }

  // REQUIRES: Valid(). Views stay valid until the next Next()/SeekToFirst().
  // The internal key (with the global seqno applied, if any).
  std::string_view key() const { return key_; }
  const ParsedInternalKey& parsed() const { return parsed_; }
  std::string_view value() const { return value_; }
  // Offset of the current entry within the block.
  uint32_t entry_offset() const { return entry_offset_; }

 private:
  void ParseCurrent();
  void Fail(const std::string& what);

  std::string_view block_;
  BlockContext ctx_;
  std::optional<uint64_t> global_seqno_;
  BlockLayout layout_;
  uint32_t next_offset_ = 0;  // offset of the entry after the current one
  uint32_t entry_offset_ = 0;
  uint32_t next_restart_ = 0;  // index of the next restart point to reach
  bool valid_ = false;
  Status status_;
  std::string key_buf_;         // current raw key
  std::string global_key_buf_;  // current key with the global seqno
  std::string prev_key_;        // previous internal key (for the order check)
  std::string_view key_;
  std::string_view value_;
  ParsedInternalKey parsed_;
};

// One entry of an index block.
struct IndexEntry {
  std::string key;  // user key or internal key (see TableInfo)
  BlockHandle handle;
  std::string first_internal_key;  // index type 3 only
};

struct IndexBlockFormat {
  bool value_delta_encoded = false;  // rocksdb.index.value.is.delta.encoded
  bool has_first_key = false;        // index type 3
};

// Decodes all entries of an uncompressed index block.
Status DecodeIndexBlock(std::string_view block, const IndexBlockFormat& format, BlockContext ctx,
                        std::vector<IndexEntry>* entries);

// Decodes a block of (key, value) entries with a value length (metaindex,
// properties, range-del). Keys are fully materialized.
struct RawEntry {
  std::string key;
  std::string_view value;  // points into the block
};
Status DecodeKeyValueBlock(std::string_view block, std::string_view kind, BlockContext ctx,
                           std::vector<RawEntry>* entries);

}  // namespace pushdown::exec
