// The time-ordered `events` table of the skipping benchmarks (issue 14): one
// event per 10 ms, keyed by its timestamp, with an ingestion time that
// follows the key (ts + 0..1,999 ms), as in an append-only log. Loaded
// through the engine's import (SstFileWriter + one IngestExternalFile), so its
// files carry zone maps.
#pragma once

#include <cstdint>
#include <string>

#include "engine/api/pushdown_db.h"
#include "rocksdb/db.h"
#include "util/status.h"

namespace pushdown::bench {

inline constexpr char kEventsDdl[] =
    "ts INT64 KEY, ingest_ts INT64 NOT NULL, sensor INT32 NOT NULL, reading DECIMAL(10,2), "
    "note VARCHAR(12)";
inline constexpr int64_t kEventsBaseTs = 1700000000000;  // ms

struct EventsLoad {
  uint64_t rows = 0;
  double seconds = 0;
  uint64_t sst_bytes = 0, data_bytes = 0, zone_map_bytes = 0;  // zone-map property bytes
  uint64_t data_blocks = 0, files = 0;
  std::string block_level_columns;  // ZoneMapSize::block_level_columns
};

// The zone-map property bytes, data bytes and data blocks of a column
// family's live files (rocksdb table properties).
struct ZoneMapSize {
  uint64_t files = 0, data_blocks = 0, data_bytes = 0, zone_map_bytes = 0;
  // Per file with a zone map, the schema column indices with per-block zones
  // (exec::ChooseBlockLevel), e.g. "0,1;0,1,3" for two files.
  std::string block_level_columns;
};
Result<ZoneMapSize> ZoneMapSizeOf(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf);

// Creates table `events` in `db` and imports `num` rows.
Result<EventsLoad> LoadEvents(engine::PushdownDB* db, uint64_t num);

// `col >= A AND col < B` selecting `fraction` of `num` rows, starting at 40%
// of the time line (col: "ts" or "ingest_ts").
std::string EventsRange(const std::string& col, uint64_t num, double fraction);

}  // namespace pushdown::bench
