#include "pushdown/sst/properties.h"

#include <vector>

#include "util/coding.h"

namespace pushdown::exec {
namespace {

struct IntProperty {
  const char* name;
  uint64_t TableProperties::*field;
};

const IntProperty kIntProperties[] = {
    {"rocksdb.data.size", &TableProperties::data_size},
    {"rocksdb.index.size", &TableProperties::index_size},
    {"rocksdb.index.partitions", &TableProperties::index_partitions},
    {"rocksdb.top-level.index.size", &TableProperties::top_level_index_size},
    {"rocksdb.index.key.is.user.key", &TableProperties::index_key_is_user_key},
    {"rocksdb.index.value.is.delta.encoded", &TableProperties::index_value_is_delta_encoded},
    {"rocksdb.filter.size", &TableProperties::filter_size},
    {"rocksdb.raw.key.size", &TableProperties::raw_key_size},
    {"rocksdb.raw.value.size", &TableProperties::raw_value_size},
    {"rocksdb.num.data.blocks", &TableProperties::num_data_blocks},
    {"rocksdb.num.entries", &TableProperties::num_entries},
    {"rocksdb.deleted.keys", &TableProperties::num_deletions},
    {"rocksdb.merge.operands", &TableProperties::num_merge_operands},
    {"rocksdb.num.range-deletions", &TableProperties::num_range_deletions},
    {"rocksdb.format.version", &TableProperties::format_version},
    {"rocksdb.fixed.key.length", &TableProperties::fixed_key_len},
    {"rocksdb.column.family.id", &TableProperties::column_family_id},
    {"rocksdb.creation.time", &TableProperties::creation_time},
    {"rocksdb.oldest.key.time", &TableProperties::oldest_key_time},
    {"rocksdb.file.creation.time", &TableProperties::file_creation_time},
    {"rocksdb.original.file.number", &TableProperties::original_file_number},
};

struct StringProperty {
  const char* name;
  std::string TableProperties::*field;
};

const StringProperty kStringProperties[] = {
    {"rocksdb.column.family.name", &TableProperties::column_family_name},
    {"rocksdb.comparator", &TableProperties::comparator},
    {"rocksdb.merge.operator", &TableProperties::merge_operator},
    {"rocksdb.prefix.extractor.name", &TableProperties::prefix_extractor},
    {"rocksdb.filter.policy", &TableProperties::filter_policy},
    {"rocksdb.compression", &TableProperties::compression},
    {"rocksdb.compression_options", &TableProperties::compression_options},
    {"rocksdb.property.collectors", &TableProperties::property_collectors},
    {"rocksdb.creating.db.identity", &TableProperties::db_id},
    {"rocksdb.creating.session.identity", &TableProperties::db_session_id},
};

}  // namespace

Status ParsePropertiesBlock(std::string_view block, BlockContext ctx, TableProperties* props) {
  std::vector<RawEntry> entries;
  PD_RETURN_IF_ERROR(DecodeKeyValueBlock(block, "properties", ctx, &entries));
  TableProperties p;
  auto bad = [&](const std::string& name) {
    return Status::Corruption(std::string(ctx.file_name) + ": bad property " + name +
                              " in properties block at offset " + std::to_string(ctx.block_offset));
  };
  for (const RawEntry& e : entries) {
    p.raw[e.key] = std::string(e.value);
    bool known = false;
    for (const IntProperty& ip : kIntProperties) {
      if (e.key == ip.name) {
        std::string_view v = e.value;
        if (!GetVarint64(&v, &(p.*ip.field)) || !v.empty()) return bad(e.key);
        known = true;
        break;
      }
    }
    if (known) continue;
    for (const StringProperty& sp : kStringProperties) {
      if (e.key == sp.name) {
        p.*sp.field = std::string(e.value);
        known = true;
        break;
      }
    }
    if (known) continue;
    if (e.key == "rocksdb.block.based.table.index.type") {
      if (e.value.size() != 4) return bad(e.key);
      p.index_type = DecodeFixed32(e.value.data());
    } else if (e.key == "rocksdb.external_sst_file.version") {
      if (e.value.size() != 4) return bad(e.key);
      p.external_sst_file_version = DecodeFixed32(e.value.data());
    } else if (e.key == "rocksdb.external_sst_file.global_seqno") {
      if (e.value.size() != 8) return bad(e.key);
      p.external_sst_file_global_seqno = DecodeFixed64(e.value.data());
      p.global_seqno_offset_in_block = static_cast<size_t>(e.value.data() - block.data());
    }
  }
  *props = std::move(p);
  return Status::OK();
}

}  // namespace pushdown::exec
