// RowBatch: rows of a scan handed out many at a time, as key/value byte
// slices with typed column accessors that decode one cell on demand (no
// per-row Datum vector, no per-row allocation). The batch cursor of the scan
// API (engine/api/scan_options.h ScanCursor::NextBatch) fills one:
//
//   RowBatch batch;
//   for (;;) {
//     PD_RETURN_IF_ERROR(cursor->NextBatch(&batch));
//     if (batch.empty()) break;                     // the scan is complete
//     for (size_t r = 0; r < batch.size(); ++r) {
//       if (!batch.IsNull(r, 0)) Use(batch.GetInt64(r, 0));
//       Use(batch.key(r), batch.GetString(r, 2));
//     }
//   }
//
// Storage and lifetimes: the rows' keys and values are copied once, back to
// back, into the batch's own arena (one memcpy per row into memory the batch
// reuses from one fill to the next; no allocation once the arena has grown).
// Every view a batch returns (key, value, GetString) points into that arena
// and stays valid until the batch is filled again, cleared or destroyed:
// NOT until the cursor's next call on another batch, and independent of the
// cursor (a batch may outlive its cursor; its layout is shared, not
// borrowed). Zero-copy from the data blocks would need the merge to pin each
// stream's block batch while the caller holds rows of it; the copy keeps
// the lifetime rule this simple.
//
// Columns: column c of a batch is output column c of the scan (its
// ScanOptions::columns, or every schema column); the layout maps it to the
// schema column and its place in the row value (row_layout.h). Raw mode:
// column 0 is the key, column 1 the value (BYTES). The producer checks every
// value well-formed (row_codec.h ValidateRow, the check the row cursor's
// projection makes) before it enters a batch, so the accessors never read
// outside a value and need no Status.
//
// Accessor contract: REQUIRES row < size(), col < num_columns(). GetInt64 for
// BOOL (0/1), INT32, DATE (days since 1970-01-01), INT64 and DECIMAL (scaled
// by 10^scale); GetDouble for DOUBLE; GetString for CHAR (trailing spaces
// removed), VARCHAR and BYTES. A NULL cell reads as 0 / empty: check IsNull
// first. Calling an accessor of another type family is a programming error
// (assert in debug builds; 0 / empty otherwise). GetDatum decodes any column.
//
// C++17 (an installed header).
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/row_layout.h"
#include "bpfgen/schema/schema.h"
#include "util/status.h"

namespace pushdown::exec {

// Rows per batch when the caller does not say (ScanOptions::batch_rows).
inline constexpr size_t kDefaultBatchRows = 1024;
// A batch stops growing once its arena holds this many bytes (at least one
// row): large values do not make a batch of 1024 rows unbounded.
inline constexpr size_t kMaxBatchBytes = size_t{4} << 20;

// How the output columns of one scan sit in its rows. Immutable; shared by
// the batches of a scan (and the scan's workers).
class RowBatchLayout {
 public:
  // `columns`: schema column indices in output order (raw mode: 0 = key,
  // 1 = value). InvalidArgument for an index out of range.
  static Result<std::shared_ptr<const RowBatchLayout>> Make(
      std::shared_ptr<const bpfgen::Schema> schema, std::vector<int> columns);

  const bpfgen::Schema& schema() const { return *schema_; }
  bool raw() const { return schema_->raw; }
  const std::vector<int>& columns() const { return columns_; }
  // Corruption unless `value` is a well-formed row (row_codec.h); OK in raw mode.
  Status Validate(std::string_view value) const;

  // How an output column is read (internal to the accessors).
  enum class Kind : uint8_t { kKey, kValue, kBool, kInt32, kInt64, kDouble, kChar, kVar };
  struct Access {
    Kind kind = Kind::kValue;
    bool nullable = false;
    uint8_t null_mask = 0;
    uint32_t null_byte = 0;
    uint32_t offset = 0;     // fixed: the column's bytes; var: its u32 end entry
    uint32_t width = 0;      // CHAR(n): n
    bool first_var = false;  // var: the first VARCHAR column (starts at var_data_offset)
  };
  const Access& access(size_t col) const { return access_[col]; }
  uint32_t var_data_offset() const { return layout_.var_data_offset; }

 private:
  RowBatchLayout() = default;
  std::shared_ptr<const bpfgen::Schema> schema_;
  std::vector<int> columns_;
  bpfgen::RowLayout layout_;  // schema mode only
  std::vector<Access> access_;
};

class RowBatch {
 public:
  RowBatch() = default;
  RowBatch(RowBatch&&) = default;
  RowBatch& operator=(RowBatch&&) = default;
  RowBatch(const RowBatch&) = delete;
  RowBatch& operator=(const RowBatch&) = delete;

  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  // The output columns (0 before the first fill).
  size_t num_columns() const { return layout_ ? layout_->columns().size() : 0; }
  const RowBatchLayout* layout() const { return layout_.get(); }

  // The row's RocksDB user key and its whole stored value.
  std::string_view key(size_t row) const {
    assert(row < rows_.size());
    const Entry& e = rows_[row];
    return std::string_view(arena_.data() + e.offset, e.key_size);
  }
  std::string_view value(size_t row) const {
    assert(row < rows_.size());
    const Entry& e = rows_[row];
    return std::string_view(arena_.data() + e.offset + e.key_size, e.value_size);
  }

  bool IsNull(size_t row, size_t col) const {
    const RowBatchLayout::Access& a = access(col);
    if (!a.nullable) return false;
    return (static_cast<uint8_t>(value(row)[a.null_byte]) & a.null_mask) != 0;
  }
  int64_t GetInt64(size_t row, size_t col) const {
    const RowBatchLayout::Access& a = access(col);
    const char* p = value(row).data() + a.offset;
    switch (a.kind) {
      case RowBatchLayout::Kind::kBool:
        return p[0] != 0 ? 1 : 0;
      case RowBatchLayout::Kind::kInt32:
        return static_cast<int32_t>(Load32(p));
      case RowBatchLayout::Kind::kInt64:
        return static_cast<int64_t>(Load64(p));
      default:
        assert(false && "GetInt64 on a column that is not BOOL/INT32/DATE/INT64/DECIMAL");
        return 0;
    }
  }
  double GetDouble(size_t row, size_t col) const {
    const RowBatchLayout::Access& a = access(col);
    if (a.kind != RowBatchLayout::Kind::kDouble) {
      assert(false && "GetDouble on a column that is not DOUBLE");
      return 0;
    }
    const uint64_t bits = Load64(value(row).data() + a.offset);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  std::string_view GetString(size_t row, size_t col) const {
    const RowBatchLayout::Access& a = access(col);
    switch (a.kind) {
      case RowBatchLayout::Kind::kKey:
        return key(row);
      case RowBatchLayout::Kind::kValue:
        return value(row);
      case RowBatchLayout::Kind::kChar: {
        std::string_view s(value(row).data() + a.offset, a.width);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
      }
      case RowBatchLayout::Kind::kVar: {
        // Validated: var_data_offset <= start <= end <= value size.
        const std::string_view v = value(row);
        const uint32_t start =
            a.first_var ? layout_->var_data_offset() : Load32(v.data() + a.offset - 4);
        const uint32_t end = Load32(v.data() + a.offset);
        return v.substr(start, end - start);
      }
      default:
        assert(false && "GetString on a column that is not CHAR/VARCHAR/BYTES");
        return {};
    }
  }
  // Any column as a Datum (NULL, Int, Double or String, as the row cursor's
  // projection decodes it). Reuses out->s.
  void GetDatum(size_t row, size_t col, bpfgen::Datum* out) const;

  // Producer side (the scan). Clear keeps the arena's capacity. Append copies
  // key and value; REQUIRES: neither points into this batch (the arena may
  // move while it grows).
  void Reset(std::shared_ptr<const RowBatchLayout> layout) {
    layout_ = std::move(layout);
    Clear();
  }
  void Clear() {
    rows_.clear();
    arena_.clear();
  }
  void Append(std::string_view key, std::string_view value) {
    rows_.push_back(Entry{arena_.size(), key.size(), value.size()});
    arena_.append(key.data(), key.size());
    arena_.append(value.data(), value.size());
  }
  // Drops the rows from `rows` on (a limit inside a batch).
  void Truncate(size_t rows);
  // Bytes of keys and values held.
  size_t bytes() const { return arena_.size(); }
  const std::shared_ptr<const RowBatchLayout>& shared_layout() const { return layout_; }

 private:
  struct Entry {
    size_t offset;  // of the key in arena_; the value follows it
    size_t key_size;
    size_t value_size;
  };
  const RowBatchLayout::Access& access(size_t col) const {
    assert(layout_ != nullptr && col < layout_->columns().size());
    return layout_->access(col);
  }
  static uint32_t Load32(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;  // little-endian host (the project builds for x86-64 / arm64 LE)
  }
  static uint64_t Load64(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }

  std::string arena_;
  std::vector<Entry> rows_;
  std::shared_ptr<const RowBatchLayout> layout_;
};

}  // namespace pushdown::exec
