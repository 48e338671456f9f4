// Memcomparable encoding of the primary key: for two rows of one schema,
// memcmp order (RocksDB's bytewise comparator) of their encoded keys equals
// SQL tuple order of their key columns, and equal encodings <=> SQL-equal keys.
//
// Per key column, concatenated in key order, no separators needed:
//   BOOL            1 byte, 0x00 / 0x01
//   INT32, DATE     4 bytes big-endian of (uint32)v ^ 0x80000000 (sign bit flipped)
//   INT64, DECIMAL  8 bytes big-endian of (uint64)v ^ 2^63 (DECIMAL: the scaled int64)
//   DOUBLE          8 bytes big-endian of the IEEE bits b: ~b if the sign is set, else
//                   b ^ 2^63. -0.0 is encoded as 0.0 (they are SQL-equal, so they are
//                   one key) and every NaN as the quiet NaN 0x7ff8000000000000, which
//                   sorts after +inf; DecodeKey returns 0.0 / that NaN.
//   CHAR, VARCHAR   the bytes (CHAR: trailing spaces removed) with each 0x00
//                   escaped as 0x00 0xFF, then the terminator 0x00 0x01; so a
//                   proper prefix sorts first and the next column starts cleanly.
// Raw mode (Schema::Raw()): the key is the user key itself, unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/schema.h"
#include "util/status.h"

namespace pushdown::bpfgen {

// Appends the encoding of one key column value. REQUIRES: !v.null; t is a
// column type other than BYTES.
void AppendKeyColumn(const Type& t, const Datum& v, std::string* out);

// The key of a full row (one Datum per schema column; reads the key columns).
// REQUIRES: row.size() == schema.columns.size(); key columns are not NULL
// (EncodeRow rejects such rows).
std::string EncodeKey(const Schema& schema, const std::vector<Datum>& row);

// The key from just the key values: key_values[k] is key column k's value
// (schema.columns[schema.key_columns[k]]). A prefix of the key values gives a
// prefix of the key (for range scans). REQUIRES: key_values.size() <=
// schema.key_columns.size(), no NULLs.
std::string EncodeKeyColumns(const Schema& schema, const std::vector<Datum>& key_values);

// Inverse of EncodeKeyColumns for a full key: *key_values gets one Datum per
// key column. Corruption for a truncated key, a bad escape, a BOOL byte other
// than 0/1, or bytes after the last column.
Status DecodeKey(const Schema& schema, std::string_view key, std::vector<Datum>* key_values);

}  // namespace pushdown::bpfgen
