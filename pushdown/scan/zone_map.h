// Zone maps: per data block (and per file) summaries of fixed-width columns,
// written by engine/api's ZoneMapCollectorFactory as the user table property
// kZoneMapProperty and read back here. RocksDB-agnostic: bytes in, summaries
// out.
//
// Encoding v1 (all integers varint64 unless said; zigzag for signed values):
//   u8 version = 1
//   varint ncols, then per recorded column: varint schema column index, u8 TypeId,
//     u8 DECIMAL scale (0 for other types)
//   varint nblocks, then per block:
//     varint rows                      (Value entries of the block)
//     per recorded column:
//       varint null_count              (value_count = rows - null_count)
//       if value_count > 0:
//         zigzag (min - previous block's min of this column, 0 at first)
//         varint (max - min)           (as uint64: max >= min)
// The per-file summary is the merge of the blocks (not stored).
// Delta-coding the minimum keeps columns that follow the key (timestamps,
// order keys) to one or two bytes per block.
//
// A block's summary covers its Value entries only; deletions and other
// entries are not rows (they still count as entries of the block for the
// block boundaries, see the collector).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/eval/zone_eval.h"
#include "bpfgen/schema/schema.h"
#include "util/status.h"

namespace pushdown::exec {

inline constexpr char kZoneMapProperty[] = "pushdown.zonemap.v1";
// Raw mode (no schema): one byte field of the key or the value
// (bpfgen::RawField), summarised per block. Encoding:
//   u8 version = 1, u8 source (0 key, 1 value), varint offset, u8 width,
//   u8 flags (bit 0 big endian, bit 1 signed), then the v1 encoding above
//   of one recorded column, index 0, type INT64: the field's value per Value
//   entry (NULL where the bytes are too short).
inline constexpr char kRawZoneMapProperty[] = "pushdown.zonemap.raw.v1";

struct ZoneMap {
  std::vector<int> columns;  // schema column indices recorded, ascending
  // The type of each recorded column (validation): TypeId and DECIMAL scale.
  std::vector<uint8_t> types;
  std::vector<uint8_t> scales;
  // Per data block in file order. ZoneStats::columns is indexed by schema
  // column (entries not recorded have known = false).
  std::vector<bpfgen::ZoneStats> blocks;
  // Raw zone maps: the field that ZoneStats::columns[0] summarises.
  std::optional<bpfgen::RawField> raw_field;

  // The summary over every block.
  bpfgen::ZoneStats FileSummary() const;
};

std::string EncodeZoneMap(const ZoneMap& zm);
// REQUIRES: zm.raw_field, columns == {0}.
std::string EncodeRawZoneMap(const ZoneMap& zm);
// Corruption for malformed bytes or an invalid field.
Result<ZoneMap> DecodeRawZoneMap(std::string_view bytes, std::string_view name);

// Corruption for malformed bytes (truncated, trailing bytes, a column index
// of `max_columns` or more, max < min overflow). `name` names the file.
Result<ZoneMap> DecodeZoneMap(std::string_view bytes, size_t max_columns, std::string_view name);

// Whether a decoded zone map can be used for a scan of `schema` over a file
// with `num_data_blocks` data blocks: every recorded column exists with the
// recorded type and is zone-mappable (raw mode: it is a raw zone map), and
// the block count matches. "" = ok,
// else why not (the file is then read as if it had no zone map).
std::string ZoneMapMismatch(const ZoneMap& zm, const bpfgen::Schema& schema,
                            uint64_t num_data_blocks);

}  // namespace pushdown::exec
