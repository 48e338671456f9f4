// Result rows as text: the --format of `pushdown scan` and `pushdown query`
// (docs/LANGUAGE.md, "Output formats"). A RowWriter receives each cell as
// its SQL text (bpfgen/schema/text.h FormatValue) or nullopt for NULL, and
// writes one format:
//   csv    RFC 4180: fields joined by ',', records ended by '\n'; a field is
//          quoted ("...", '"' doubled) when it contains , " CR or LF, or is
//          the empty string; NULL is an empty unquoted field (so NULL and ''
//          differ). Header names are quoted the same way.
//   tsv    PostgreSQL COPY text format: fields joined by TAB; in a field
//          \ TAB LF CR are written \\ \t \n \r; NULL is \N. No quoting.
//   json   JSON Lines: one object per row, {"name":value,...} in column
//          order (duplicate names are kept as given). kNumber cells are bare
//          JSON numbers when their text is one (else a string: "inf", "nan");
//          kBool cells true/false; NULL null; strings are escaped (" \ and
//          control characters; invalid UTF-8 bytes become U+FFFD), so every
//          line is valid JSON. The header flag does not apply (names are the
//          keys); nothing is written for an empty result.
//   table  an ASCII box for a terminal (sqlite3's .mode table):
//            +----+-------+
//            | id | name  |
//            +----+-------+
//            |  1 | alice |
//            +----+-------+
//          kNumber cells right-aligned, others left; NULL shows as NULL;
//          control characters and invalid UTF-8 are shown as \xHH; widths
//          count code points. Widths need the rows, so the writer buffers up
//          to kTableBufferRows rows (or kTableBufferBytes of cell text), then
//          prints them and every later row with the widths found so far: a
//          later, wider cell widens its own row only (nothing is cut).
//          Without a header the names row and its rule are omitted.
// Write errors are the ostream's: callers check out.fail() (a writer stops
// writing once the stream has failed).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/types.h"
#include "util/status.h"

namespace pushdown::engine::cli {

enum class OutputFormat { kCsv, kTsv, kJson, kTable };

// "csv" | "tsv" | "json" | "table" (exactly, lower case); InvalidArgument
// "unknown output format 'x' (expected csv, tsv, json or table)" otherwise.
Result<OutputFormat> ParseOutputFormat(std::string_view name);

enum class CellKind { kString, kNumber, kBool };  // json quoting / table alignment

// INT32, INT64, DECIMAL, DOUBLE -> kNumber; BOOL -> kBool; else kString.
CellKind CellKindOf(const bpfgen::Type& type);

inline constexpr size_t kTableBufferRows = 10000;
inline constexpr size_t kTableBufferBytes = size_t{16} << 20;

class RowWriter {
 public:
  // `header`: write the column names (csv, tsv, table; json ignores it).
  static std::unique_ptr<RowWriter> Make(OutputFormat f, std::ostream& out, bool header);
  virtual ~RowWriter() = default;
  // Once, before any Row. REQUIRES: names.size() == kinds.size().
  virtual void Begin(const std::vector<std::string>& names, const std::vector<CellKind>& kinds) = 0;
  // REQUIRES: cells.size() == names.size() of Begin.
  virtual void Row(const std::vector<std::optional<std::string>>& cells) = 0;  // nullopt = NULL
  // Once, after the last Row: flushes what is buffered (table) and `out`.
  virtual void End() = 0;
};

}  // namespace pushdown::engine::cli
