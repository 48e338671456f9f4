#include "engine/api/zone_map_collector.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <vector>

#include "bpfgen/eval/zone_eval.h"
#include "bpfgen/schema/row_codec.h"
#include "bpfgen/schema/row_layout.h"
#include "pushdown/scan/zone_map.h"

namespace pushdown::engine {
namespace {

class ZoneMapCollector : public rocksdb::TablePropertiesCollector {
 public:
  // enabled == false: collects and writes nothing (RocksDB 7.8 wraps every
  // collector a factory returns and cannot take a null one).
  // With `field` (raw mode): records that field of every key or value as
  // column 0 instead of the schema's columns.
  ZoneMapCollector(std::shared_ptr<const bpfgen::Schema> schema, bool enabled,
                   std::optional<bpfgen::RawField> field = std::nullopt)
      : schema_(std::move(schema)),
        layout_(schema_->raw ? bpfgen::RowLayout() : bpfgen::RowLayout::Compute(*schema_)),
        failed_(!enabled) {
    if (field) {
      zm_.raw_field = field;
      zm_.columns = {0};
      zm_.types = {static_cast<uint8_t>(bpfgen::TypeId::kInt64)};
      zm_.scales = {0};
      StartBlock();
      return;
    }
    for (size_t c = 0; c < schema_->columns.size(); ++c) {
      const bpfgen::Type& t = schema_->columns[c].type;
      if (!bpfgen::ZoneMappable(t)) continue;
      zm_.columns.push_back(static_cast<int>(c));
      zm_.types.push_back(static_cast<uint8_t>(t.id));
      zm_.scales.push_back(t.id == bpfgen::TypeId::kDecimal ? t.scale : 0);
    }
    StartBlock();
  }

  rocksdb::Status AddUserKey(const rocksdb::Slice& key, const rocksdb::Slice& value,
                             rocksdb::EntryType type, rocksdb::SequenceNumber /*seq*/,
                             uint64_t /*file_size*/) override {
    std::lock_guard<std::mutex> lock(mu_);  // BlockAdd may come from another thread
    if (type == rocksdb::kEntryRangeDeletion) return rocksdb::Status::OK();
    ++pending_entries_;
    if (type != rocksdb::kEntryPut || failed_) return rocksdb::Status::OK();
    bpfgen::ZoneStats& b = current_;
    ++b.rows;
    if (zm_.raw_field) {
      const bpfgen::RawField& f = *zm_.raw_field;
      std::optional<int64_t> v = f.Read(
          f.source == bpfgen::RawField::Source::kKey ? key.ToStringView() : value.ToStringView());
      bpfgen::ColumnZone& z = b.columns[0];
      if (!v) {
        ++z.null_count;
      } else {
        z.min = z.value_count == 0 ? *v : std::min(z.min, *v);
        z.max = z.value_count == 0 ? *v : std::max(z.max, *v);
        ++z.value_count;
      }
      return rocksdb::Status::OK();
    }
    bpfgen::Datum d;
    for (int c : zm_.columns) {
      if (!bpfgen::DecodeColumn(*schema_, layout_, value.ToStringView(), c, &d).ok()) {
        failed_ = true;  // not a row of the schema: no zone map for this file
        return rocksdb::Status::OK();
      }
      bpfgen::ColumnZone& z = b.columns[c];
      if (d.is_null()) {
        ++z.null_count;
        continue;
      }
      z.min = z.value_count == 0 ? d.i : std::min(z.min, d.i);
      z.max = z.value_count == 0 ? d.i : std::max(z.max, d.i);
      ++z.value_count;
    }
    return rocksdb::Status::OK();
  }

  void BlockAdd(uint64_t, uint64_t, uint64_t) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_entries_ == 0) return;  // an index block written in Finish
    zm_.blocks.push_back(std::move(current_));
    StartBlock();
  }

  rocksdb::Status Finish(rocksdb::UserCollectedProperties* properties) override {
    std::lock_guard<std::mutex> lock(mu_);
    // Entries after the last BlockAdd mean the builder did not tell us where
    // a block ended: write nothing rather than a wrong map.
    if (failed_ || pending_entries_ > 0) return rocksdb::Status::OK();
    // Every block is known now: keep per-block zones only for the columns
    // whose blocks can decide more than the file summary (zone_map.h).
    zm_.block_level = exec::ChooseBlockLevel(zm_);
    if (zm_.raw_field) {
      properties->emplace(exec::kRawZoneMapProperty, exec::EncodeRawZoneMap(zm_));
    } else {
      properties->emplace(exec::kZoneMapProperty, exec::EncodeZoneMap(zm_));
    }
    return rocksdb::Status::OK();
  }

  rocksdb::UserCollectedProperties GetReadableProperties() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return {{"pushdown.zonemap.blocks", std::to_string(zm_.blocks.size())}};
  }
  const char* Name() const override { return "pushdown.ZoneMapCollector"; }

 private:
  void StartBlock() {
    current_ = bpfgen::ZoneStats();
    current_.columns.resize(std::max<size_t>(schema_->columns.size(), 1));
    for (int c : zm_.columns) current_.columns[c].known = true;
    pending_entries_ = 0;
  }

  std::shared_ptr<const bpfgen::Schema> schema_;
  bpfgen::RowLayout layout_;
  mutable std::mutex mu_;
  exec::ZoneMap zm_;              // guarded by mu_
  bpfgen::ZoneStats current_;     // guarded by mu_: the block being filled
  uint64_t pending_entries_ = 0;  // guarded by mu_: entries since the last BlockAdd
  bool failed_ = false;           // guarded by mu_
};

}  // namespace

ZoneMapCollectorFactory::ZoneMapCollectorFactory(bpfgen::Schema schema,
                                                 const rocksdb::ColumnFamilyOptions* cf_options)
    : schema_(std::make_shared<const bpfgen::Schema>(std::move(schema))) {
  if (schema_->raw) enabled_ = false;
  if (cf_options != nullptr && (cf_options->compression_opts.parallel_threads > 1 ||
                                cf_options->bottommost_compression_opts.parallel_threads > 1)) {
    enabled_ = false;
  }
}

rocksdb::TablePropertiesCollector* ZoneMapCollectorFactory::CreateTablePropertiesCollector(
    rocksdb::TablePropertiesCollectorFactory::Context /*context*/) {
  return new ZoneMapCollector(schema_, enabled_);
}

RawZoneMapCollectorFactory::RawZoneMapCollectorFactory(
    bpfgen::RawField field, const rocksdb::ColumnFamilyOptions* cf_options)
    : field_(field), schema_(std::make_shared<const bpfgen::Schema>(bpfgen::Schema::Raw())) {
  if (!field_.Invalid().empty()) enabled_ = false;
  if (cf_options != nullptr && (cf_options->compression_opts.parallel_threads > 1 ||
                                cf_options->bottommost_compression_opts.parallel_threads > 1)) {
    enabled_ = false;
  }
}

rocksdb::TablePropertiesCollector* RawZoneMapCollectorFactory::CreateTablePropertiesCollector(
    rocksdb::TablePropertiesCollectorFactory::Context /*context*/) {
  return new ZoneMapCollector(schema_, enabled_, field_);
}

void TableZoneMapFactory::Register(uint32_t column_family_id, const bpfgen::Schema& schema) {
  std::lock_guard<std::mutex> lock(mu_);
  schemas_[column_family_id] = std::make_shared<const bpfgen::Schema>(schema);
}

void TableZoneMapFactory::Unregister(uint32_t column_family_id) {
  std::lock_guard<std::mutex> lock(mu_);
  schemas_.erase(column_family_id);
}

rocksdb::TablePropertiesCollector* TableZoneMapFactory::CreateTablePropertiesCollector(
    rocksdb::TablePropertiesCollectorFactory::Context context) {
  std::shared_ptr<const bpfgen::Schema> schema;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = schemas_.find(context.column_family_id);
    if (it != schemas_.end()) schema = it->second;
  }
  if (schema == nullptr) {  // not a table: a collector that writes nothing
    static const auto* raw = new std::shared_ptr<const bpfgen::Schema>(
        std::make_shared<const bpfgen::Schema>(bpfgen::Schema::Raw()));
    return new ZoneMapCollector(*raw, /*enabled=*/false);
  }
  return new ZoneMapCollector(std::move(schema), /*enabled=*/true);
}

}  // namespace pushdown::engine
