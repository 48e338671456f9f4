// Zone maps: per data block (and per file) summaries of fixed-width columns,
// written by engine/api's ZoneMapCollectorFactory as the user table property
// kZoneMapProperty and read back here. RocksDB-agnostic: bytes in, summaries
// out.
//
// Encoding v2 (kZoneMapProperty, written since v2; integers varint64 unless
// said, zigzag for signed values):
//   u8 version = 2
//   varint ncols, then per recorded column: varint schema column index
//     (ascending), u8 TypeId, u8 DECIMAL scale (0 for other types), u8 flags
//     (bit 0: the column's per-block zones are stored; other bits 0)
//   varint nblocks, varint file rows (Value entries of the file)
//   per recorded column, the file summary: varint null_count (<= file rows),
//     then if value_count = rows - null_count > 0: zigzag min, varint max - min
//   packed rows[nblocks]                  (their sum is the file rows)
//   per recorded column with flag bit 0 (block level), in column order:
//     if the file has NULLs and values of it: packed null_count[nblocks]
//       (each <= the block's rows, their sum the file's null_count)
//     for the m blocks with values (value_count > 0), when the file has values:
//       u8 min coding: 0 = zigzag(min - previous such block's min, 0 at the
//         first), 1 = min - file min
//       packed min codes[m], packed (max - min)[m]
//     every block's [min, max] lies inside the file's [min, max].
//   A packed sequence of n unsigned values is the smaller of
//     u8 0, n varints;  or  u8 1, varint base, u8 bits (0..64), then
//     ceil(n * bits / 8) bytes: value - base, least significant bit first.
// A column without block-level zones (file level only) reads, per block, as
// what the file summary proves of every block: all NULL if the file holds only
// NULLs of it; its file [min, max] with no NULL (so value_count = the block's
// rows) if the file holds no NULL of it; else unknown. Sound: each block's
// values lie in the file's interval. ChooseBlockLevel is the writer's rule.
//
// Encoding v1 (kZoneMapPropertyV1, files written before v2; still read):
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

inline constexpr char kZoneMapProperty[] = "pushdown.zonemap.v2";
inline constexpr char kZoneMapPropertyV1[] = "pushdown.zonemap.v1";
// Raw mode (no schema): one byte field of the key or the value
// (bpfgen::RawField), summarised per block. Encoding:
//   u8 version (2; 1 in kRawZoneMapPropertyV1), u8 source (0 key, 1 value),
//   varint offset, u8 width, u8 flags (bit 0 big endian, bit 1 signed), then
//   the table encoding of the same version above of one recorded column,
//   index 0, type INT64: the field's value per Value entry (NULL where the
//   bytes are too short).
inline constexpr char kRawZoneMapProperty[] = "pushdown.zonemap.raw.v2";
inline constexpr char kRawZoneMapPropertyV1[] = "pushdown.zonemap.raw.v1";

// The most data blocks a zone map may describe (decoding refuses more before
// allocating anything: a v2 map of constant blocks takes no byte per block).
// 1M blocks of 4 KiB are a 4 GiB SST file; a scan passes the file's own count.
inline constexpr uint64_t kMaxZoneMapBlocks = uint64_t{1} << 20;

struct ZoneMap {
  std::vector<int> columns;  // schema column indices recorded, ascending
  // The type of each recorded column (validation): TypeId and DECIMAL scale.
  std::vector<uint8_t> types;
  std::vector<uint8_t> scales;
  // Per recorded column: 1 if its per-block zones are stored (v1: all), 0 if
  // the file summary stands for every block (see the encoding). Empty when
  // encoding: every column at block level.
  std::vector<uint8_t> block_level;
  uint64_t num_blocks = 0;  // data blocks described (== blocks.size() when decoded)
  // The file summary: stored in v2, the merge of the blocks in v1.
  bpfgen::ZoneStats file;
  // Per data block in file order (empty after DecodeZoneMapSummary).
  // ZoneStats::columns is indexed by schema column (entries not recorded have
  // known = false).
  std::vector<bpfgen::ZoneStats> blocks;
  // Raw zone maps: the field that ZoneStats::columns[0] summarises.
  std::optional<bpfgen::RawField> raw_field;

  // The merge of `blocks` (what the file summary of these blocks is).
  bpfgen::ZoneStats FileSummary() const;
  // True if recorded column `column` (schema index) has per-block zones.
  bool BlockLevel(int column) const;
};

// The writer's rule: which recorded columns keep per-block zones in this
// file (one entry per zm.columns). A column is kept at block level only where
// its blocks can decide a predicate that its file summary cannot:
//   - its values: the blocks' [min, max] are on average at most
//     kBlockLevelMaxWidth of the file's [min, max] (so `col = v` for a v in
//     the file's range is decided "never" for about half of the blocks or
//     more); a column whose every block spans about the file's range (a
//     uniformly random column in key order: l_partkey, l_discount in dbgen
//     order) decides nothing more per block than per file;
//   - or its NULLs: the file holds NULLs and values of it, and at least a
//     quarter of the blocks are all NULL or free of NULLs (IS [NOT] NULL).
// The choice affects which blocks can be skipped, never which rows are
// returned (a file-level column reads as a superset of every block).
inline constexpr double kBlockLevelMaxWidth = 0.5;
std::vector<uint8_t> ChooseBlockLevel(const ZoneMap& zm);

// REQUIRES: zm.blocks describe every recorded column; zm.block_level empty or
// one entry per column. Writes v2; the file summary is FileSummary().
std::string EncodeZoneMap(const ZoneMap& zm);
// The v1 encoding (files written before v2; for compatibility tests).
std::string EncodeZoneMapV1(const ZoneMap& zm);
// REQUIRES: zm.raw_field, columns == {0}. v2 (EncodeRawZoneMapV1: v1).
std::string EncodeRawZoneMap(const ZoneMap& zm);
std::string EncodeRawZoneMapV1(const ZoneMap& zm);

// Decodes v1 or v2 (by the version byte). Corruption naming `name` (the file)
// for malformed bytes: truncated, trailing bytes, a column index of
// `max_columns` or more, more than `max_blocks` blocks, a max below its min,
// a block outside its file summary, counts that do not add up.
Result<ZoneMap> DecodeZoneMap(std::string_view bytes, size_t max_columns, std::string_view name,
                              uint64_t max_blocks = kMaxZoneMapBlocks);
// The header and the file summary only (blocks left empty; v1 has no stored
// summary and is decoded whole): what a scan needs to decide whether any
// block-level zone can matter. The blocks part is not validated.
Result<ZoneMap> DecodeZoneMapSummary(std::string_view bytes, size_t max_columns,
                                     std::string_view name,
                                     uint64_t max_blocks = kMaxZoneMapBlocks);
// Corruption for malformed bytes or an invalid field (v1 or v2).
Result<ZoneMap> DecodeRawZoneMap(std::string_view bytes, std::string_view name,
                                 uint64_t max_blocks = kMaxZoneMapBlocks);

// Whether a decoded zone map can be used for a scan of `schema` over a file
// with `num_data_blocks` data blocks: every recorded column exists with the
// recorded type and is zone-mappable (raw mode: it is a raw zone map), and
// the block count matches. "" = ok,
// else why not (the file is then read as if it had no zone map).
std::string ZoneMapMismatch(const ZoneMap& zm, const bpfgen::Schema& schema,
                            uint64_t num_data_blocks);

}  // namespace pushdown::exec
