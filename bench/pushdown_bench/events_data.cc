#include "bench/pushdown_bench/events_data.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "engine/api/import.h"
#include "pushdown/scan/zone_map.h"
#include "rocksdb/db.h"

namespace pushdown::bench {
namespace {

int64_t Ts(uint64_t i) { return kEventsBaseTs + 10 * static_cast<int64_t>(i); }
int64_t IngestTs(uint64_t i) { return Ts(i) + static_cast<int64_t>((i * 7919) % 2000); }

}  // namespace

Result<ZoneMapSize> ZoneMapSizeOf(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  rocksdb::TablePropertiesCollection props;
  rocksdb::Status rs = db->GetPropertiesOfAllTables(cf, &props);
  if (!rs.ok()) return Status::IOError("table properties: " + rs.ToString());
  ZoneMapSize out;
  for (const auto& [name, p] : props) {
    ++out.files;
    out.data_bytes += p->data_size;
    out.data_blocks += p->num_data_blocks;
    // v2, or v1 in files written before it.
    const auto& user = p->user_collected_properties;
    auto it = user.find(exec::kZoneMapProperty);
    if (it == user.end()) it = user.find(exec::kZoneMapPropertyV1);
    if (it == user.end()) continue;
    out.zone_map_bytes += it->second.size();
    auto zm = exec::DecodeZoneMapSummary(it->second, 1024, name);
    if (!zm.ok()) return zm.status();
    if (!out.block_level_columns.empty()) out.block_level_columns += ";";
    std::string cols;
    for (int c : zm->columns) {
      if (!zm->BlockLevel(c)) continue;
      if (!cols.empty()) cols += ",";
      cols += std::to_string(c);
    }
    out.block_level_columns += cols.empty() ? "-" : cols;
  }
  return out;
}

Result<EventsLoad> LoadEvents(engine::PushdownDB* db, uint64_t num) {
  const auto t0 = std::chrono::steady_clock::now();
  PD_ASSIGN_OR_RETURN(engine::Table * table, db->CreateTable("events", kEventsDdl));
  std::string csv;
  csv.reserve(num * 48);
  char line[128];
  for (uint64_t i = 0; i < num; ++i) {
    const int n = std::snprintf(
        line, sizeof(line), "%lld,%lld,%llu,%llu.%02llu,n%llu\n", static_cast<long long>(Ts(i)),
        static_cast<long long>(IngestTs(i)), static_cast<unsigned long long>(i % 97),
        static_cast<unsigned long long>(i % 5000), static_cast<unsigned long long>(i % 100),
        static_cast<unsigned long long>(i % 1000));
    csv.append(line, static_cast<size_t>(n));
  }
  engine::ImportOptions io;
  io.format = engine::ImportFormat::kCsv;
  PD_ASSIGN_OR_RETURN(engine::ImportSummary sum,
                      engine::ImportText(db->db(), *table, {{"events.csv", csv}}, io));
  EventsLoad out;
  out.rows = sum.rows;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  PD_ASSIGN_OR_RETURN(ZoneMapSize z, ZoneMapSizeOf(db->db(), table->column_family()));
  out.files = z.files;
  out.data_bytes = z.data_bytes;
  out.data_blocks = z.data_blocks;
  out.zone_map_bytes = z.zone_map_bytes;
  out.block_level_columns = z.block_level_columns;
  rocksdb::ColumnFamilyMetaData meta;
  db->db()->GetColumnFamilyMetaData(table->column_family(), &meta);
  out.sst_bytes = meta.size;
  return out;
}

std::string EventsRange(const std::string& col, uint64_t num, double fraction) {
  const uint64_t first = num * 40 / 100;
  const uint64_t count = static_cast<uint64_t>(static_cast<double>(num) * fraction);
  return col + " >= " + std::to_string(Ts(first)) + " AND " + col + " < " +
         std::to_string(Ts(first + count));
}

}  // namespace pushdown::bench
