#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/row_codec.h"
#include "engine/api/internal.h"

namespace pushdown::engine {

Table::Table(PushdownDB* db, std::string name, bpfgen::Schema schema,
             rocksdb::ColumnFamilyHandle* cf)
    : db_(db),
      name_(std::move(name)),
      schema_(std::move(schema)),
      layout_(bpfgen::RowLayout::Compute(schema_)),
      cf_(cf) {}

Result<std::string> Table::EncodeKey(const std::vector<Datum>& key) const {
  if (key.size() != schema_.key_columns.size()) {
    return Status::InvalidArgument("table '" + name_ + "' has " +
                                   std::to_string(schema_.key_columns.size()) +
                                   " key columns, got " + std::to_string(key.size()) + " values");
  }
  for (size_t k = 0; k < key.size(); ++k) {
    PD_RETURN_IF_ERROR(bpfgen::ValidateDatum(schema_.columns[schema_.key_columns[k]], key[k])
                           .WithContext("key column " + std::to_string(k)));
  }
  return bpfgen::EncodeKeyColumns(schema_, key);
}

Status Table::EncodeRow(const std::vector<Datum>& row, std::string* key, std::string* value) const {
  PD_RETURN_IF_ERROR(bpfgen::EncodeRow(schema_, layout_, row, value));  // validates the row
  *key = bpfgen::EncodeKey(schema_, row);
  return Status::OK();
}

Result<std::vector<Datum>> Table::DecodeRow(std::string_view value) const {
  std::vector<Datum> row;
  PD_RETURN_IF_ERROR(bpfgen::DecodeRow(schema_, layout_, value, &row));
  return row;
}

Status Table::Put(const std::vector<Datum>& row) {
  std::string key, value;
  PD_RETURN_IF_ERROR(EncodeRow(row, &key, &value));
  return FromRocks(db_->db()->Put(rocksdb::WriteOptions(), cf_, key, value));
}

Status Table::Delete(const std::vector<Datum>& key) {
  PD_ASSIGN_OR_RETURN(std::string k, EncodeKey(key));
  return FromRocks(db_->db()->Delete(rocksdb::WriteOptions(), cf_, k));
}

Status Table::Write(TableWriteBatch& batch) {
  return FromRocks(db_->db()->Write(rocksdb::WriteOptions(), batch.batch()));
}

Result<std::vector<Datum>> Table::Get(const std::vector<Datum>& key,
                                      const rocksdb::Snapshot* snapshot) {
  PD_ASSIGN_OR_RETURN(std::string k, EncodeKey(key));
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db_->db()->Get(ro, cf_, k, &value);
  if (s.IsNotFound()) return Status::NotFound("no such row in table '" + name_ + "'");
  PD_RETURN_IF_ERROR(FromRocks(s));
  return DecodeRow(value);
}

Status TableWriteBatch::Put(const Table& table, const std::vector<Datum>& row) {
  std::string key, value;
  PD_RETURN_IF_ERROR(table.EncodeRow(row, &key, &value));
  return FromRocks(batch_.Put(table.column_family(), key, value));
}

Status TableWriteBatch::Delete(const Table& table, const std::vector<Datum>& key) {
  PD_ASSIGN_OR_RETURN(std::string k, table.EncodeKey(key));
  return FromRocks(batch_.Delete(table.column_family(), k));
}

}  // namespace pushdown::engine
