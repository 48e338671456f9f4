// Text import into a table: csv, tsv and tbl (TPC-H dbgen) input, bulk-loaded
// by SST ingestion (atomic) or written through WriteBatches (incremental).
// docs/IMPORT.md is the user-facing description; this header is the contract.
//
// Records and fields:
//   csv  RFC 4180: fields separated by the delimiter (default ','), records by
//        LF or CRLF; a field may be quoted with '"' ("" is a quote inside it)
//        and then holds delimiters, CR and LF. A '"' inside an unquoted field,
//        or anything but a delimiter / end of record after a closing quote, is
//        an error.
//   tsv  fields separated by the delimiter (default TAB), records by LF or
//        CRLF; no quoting, no escapes.
//   tbl  dbgen: fields separated by the delimiter (default '|'), and every
//        record ends with one more delimiter before its LF/CRLF.
// The last record of an input may lack its line end. Every record must have
// exactly one field per column, in the order of ImportOptions::columns
// (default: declaration order). With `header`, the first record of every
// input is skipped unread.
//
// NULL: an EMPTY field (csv: empty and unquoted; `""` is the empty string).
// So tsv and tbl cannot hold an empty string (it reads as NULL), and NULL in a
// NOT NULL column is an error. Non-empty fields are parsed strictly by
// bpfgen::ParseValueText (bpfgen/schema/text.h): no surrounding spaces.
//
// Errors (InvalidArgument), the first one in input order:
//   "FILE:LINE:COLUMN: field 'l_shipdate': bad DATE '1994-13-01': month 13 is not in 1..12"
// LINE is 1-based (physical lines, counting LFs inside quoted csv fields),
// COLUMN the 1-based byte offset in that line of the field (or the record,
// for a wrong field count). Any error means NOTHING was written, in both
// modes: all input is parsed and validated before the first write.
//
// Duplicate keys (kIngest): two records with the same primary key anywhere in
// the input are an error naming both positions; nothing is loaded. A record
// whose key is already in the table replaces that row (the ingested data is
// newer). kPut: the last record of a key wins (input order), as for Put.
//
// Atomicity (kIngest): rows are encoded on all cores, sorted by key, written
// by rocksdb::SstFileWriter into a temporary directory inside the DB directory
// ("import-tmp-<pid>-<n>") and added by ONE DB::IngestExternalFile call
// (move_files = true): the table gets all rows or none, also across a crash
// (the ingestion is one MANIFEST record). The temporary directory is removed
// on success and on failure; one left by a killed process (another pid) is
// removed by the next import into the same DB. kPut: WriteBatches of
// `put_batch_rows` rows are each atomic, the import as a whole is NOT (a
// write failure or crash part-way leaves the earlier batches in the table).
//
// Threads: parsing/encoding and SST writing use `threads` std::threads; the
// progress callback runs on the calling thread. Memory: the whole encoded
// input is held in memory (about the size of the input text) until written.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/schema.h"
#include "engine/api/pushdown_db.h"
#include "rocksdb/db.h"
#include "util/status.h"

namespace pushdown::engine {

enum class ImportFormat { kCsv, kTsv, kTbl };
enum class ImportMode { kIngest, kPut };

// "csv" | "tsv" | "tbl"; InvalidArgument otherwise.
Result<ImportFormat> ParseImportFormat(std::string_view name);
// "ingest" | "put"; InvalidArgument otherwise.
Result<ImportMode> ParseImportMode(std::string_view name);

struct ImportProgress {
  const char* phase = "";     // "parse" | "write" | "ingest"
  uint64_t bytes_done = 0;    // input bytes parsed
  uint64_t bytes_total = 0;   // input bytes in all sources
  uint64_t rows = 0;          // rows parsed
  uint64_t rows_written = 0;  // rows in finished SST files / written batches
};

struct ImportOptions {
  ImportFormat format = ImportFormat::kCsv;
  // Field separator; '\0' = the format's default (',' csv, '\t' tsv, '|' tbl).
  // Must not be '"', CR or LF.
  char delimiter = '\0';
  bool header = false;  // skip the first record of every input
  // The columns of the fields, in field order: every column exactly once
  // (InvalidArgument otherwise). Empty = declaration order. See
  // DefaultFieldOrder for dbgen's lineitem.
  std::vector<std::string> columns;
  ImportMode mode = ImportMode::kIngest;
  unsigned threads = 0;                    // 0 = std::thread::hardware_concurrency()
  uint64_t chunk_bytes = 4ull << 20;       // input bytes per parse task
  uint64_t sst_file_bytes = 256ull << 20;  // encoded key+value bytes per SST file
  size_t put_batch_rows = 10000;           // kPut: rows per WriteBatch
  // Called on the calling thread about every 200 ms and once per phase end.
  std::function<void(const ImportProgress&)> progress;
  // Fault injection for tests (kIngest): called after each SST file is
  // finished, with the number finished so far and the total; a non-OK status
  // aborts the import with that status (the table is left unchanged).
  std::function<Status(size_t files_finished, size_t files_total)> after_sst_file;
};

// One input: `name` is used in error positions ("lineitem.tbl:3:17: ...").
struct ImportSource {
  std::string name;
  std::string_view data;
};

struct ImportSummary {
  uint64_t rows = 0;
  uint64_t bytes = 0;      // input bytes
  uint64_t sst_files = 0;  // kIngest: files ingested
  double seconds = 0;      // wall time of the whole import
};

// Imports `sources` (in order) into `table` of `db` (the DB the table lives
// in: table.column_family() belongs to it). See the file comment.
Result<ImportSummary> ImportText(rocksdb::DB* db, const Table& table,
                                 const std::vector<ImportSource>& sources,
                                 const ImportOptions& options);

// ImportText over files, mapped read-only; "-" is standard input (read fully).
Result<ImportSummary> ImportFiles(rocksdb::DB* db, const Table& table,
                                  const std::vector<std::string>& paths,
                                  const ImportOptions& options);

// dbgen's (and the TPC-H specification's) lineitem column order, which is not
// bpfgen::kLineitemDdl's (that one puts the key columns first).
inline constexpr std::array<std::string_view, 16> kDbgenLineitemFields = {
    "l_orderkey",    "l_partkey",       "l_suppkey",  "l_linenumber",
    "l_quantity",    "l_extendedprice", "l_discount", "l_tax",
    "l_returnflag",  "l_linestatus",    "l_shipdate", "l_commitdate",
    "l_receiptdate", "l_shipinstruct",  "l_shipmode", "l_comment"};

// The field order an import uses when none is given: for the tbl format into
// a table whose schema is exactly bpfgen::kLineitemDdl, dbgen's order
// (kDbgenLineitemFields), so that dbgen's lineitem.tbl loads as it is; else
// empty (declaration order).
std::vector<std::string> DefaultFieldOrder(const bpfgen::Schema& schema, ImportFormat format);

// Column index per field for `columns` (see ImportOptions::columns).
Result<std::vector<int>> FieldColumns(const bpfgen::Schema& schema,
                                      const std::vector<std::string>& columns);

// One row from its text fields (one per column, declaration order; an empty
// field is NULL, as in the import formats). InvalidArgument
// "field 'l_shipdate': bad DATE '1994-13-01': ..." / "expected 16 fields, got 15" /
// "field 'l_comment': NULL in NOT NULL column". *row is reused.
Status ParseRowText(const bpfgen::Schema& schema, const std::vector<std::string_view>& fields,
                    std::vector<Datum>* row);

}  // namespace pushdown::engine
