// The properties block (metaindex key "rocksdb.properties"): name -> value,
// integers as varint64 except where RocksDB stores fixed-width values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "pushdown/sst/block.h"
#include "util/status.h"

namespace pushdown::exec {

struct TableProperties {
  // Every property as stored (values raw bytes).
  std::map<std::string, std::string> raw;

  uint64_t data_size = 0;
  uint64_t index_size = 0;
  uint64_t index_partitions = 0;
  uint64_t top_level_index_size = 0;
  uint64_t index_key_is_user_key = 0;
  uint64_t index_value_is_delta_encoded = 0;
  uint64_t filter_size = 0;
  uint64_t raw_key_size = 0;
  uint64_t raw_value_size = 0;
  uint64_t num_data_blocks = 0;
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;       // rocksdb.deleted.keys
  uint64_t num_merge_operands = 0;  // rocksdb.merge.operands
  uint64_t num_range_deletions = 0;
  uint64_t format_version = 0;  // rocksdb.format.version (plain table only)
  uint64_t fixed_key_len = 0;
  uint64_t column_family_id = 0;
  uint64_t creation_time = 0;
  uint64_t oldest_key_time = 0;
  uint64_t file_creation_time = 0;
  uint64_t original_file_number = 0;
  std::string column_family_name;
  std::string comparator;
  std::string merge_operator;
  std::string prefix_extractor;
  std::string filter_policy;
  std::string compression;
  std::string compression_options;
  std::string property_collectors;
  std::string db_id;
  std::string db_session_id;
  // rocksdb.block.based.table.index.type (fixed32); nullopt when absent.
  std::optional<uint32_t> index_type;
  // rocksdb.external_sst_file.version (fixed32) and global_seqno (fixed64).
  std::optional<uint32_t> external_sst_file_version;
  std::optional<uint64_t> external_sst_file_global_seqno;
  // Offset of the global seqno value within the properties block (RocksDB
  // rewrites it in place at ingestion, so the block checksum is computed with
  // those 8 bytes zeroed).
  std::optional<size_t> global_seqno_offset_in_block;

  bool Has(std::string_view name) const { return raw.count(std::string(name)) > 0; }
};

// Parses an uncompressed properties block. Known integer properties that fail
// to decode are Corruption.
Status ParsePropertiesBlock(std::string_view block, BlockContext ctx, TableProperties* props);

}  // namespace pushdown::exec
