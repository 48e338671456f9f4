#include "bpfgen/schema/row_codec.h"

#include <cstring>
#include <limits>

#include "bpfgen/schema/date.h"
#include "bpfgen/schema/scalar.h"
#include "util/coding.h"

namespace pushdown::bpfgen {

namespace {

std::string Quote(const Column& c) { return "'" + c.name + "'"; }

Status CheckHeader(const RowLayout& layout, std::string_view value) {
  if (value.size() < layout.min_value_size) {
    return Status::Corruption("row value too short: " + std::to_string(value.size()) +
                              " bytes, need at least " + std::to_string(layout.min_value_size));
  }
  if (static_cast<uint8_t>(value[0]) != kRowFormatVersion) {
    return Status::Corruption("bad row format version " +
                              std::to_string(static_cast<uint8_t>(value[0])));
  }
  return Status::OK();
}

}  // namespace

Status ValidateDatum(const Column& column, const Datum& value) {
  const Type& t = column.type;
  if (value.null) {
    if (!column.nullable)
      return Status::InvalidArgument("NULL in NOT NULL column " + Quote(column));
    return Status::OK();
  }
  switch (t.id) {
    case TypeId::kBool:
      if (value.i != 0 && value.i != 1) {
        return Status::InvalidArgument("BOOL column " + Quote(column) + " value not 0 or 1");
      }
      break;
    case TypeId::kInt32:
      if (value.i < std::numeric_limits<int32_t>::min() ||
          value.i > std::numeric_limits<int32_t>::max()) {
        return Status::InvalidArgument("INT32 column " + Quote(column) + " value out of range");
      }
      break;
    case TypeId::kDate:
      if (value.i < kMinDateDays || value.i > kMaxDateDays) {
        return Status::InvalidArgument("DATE column " + Quote(column) +
                                       " value outside 0001-01-01..9999-12-31");
      }
      break;
    case TypeId::kDecimal: {
      const int64_t limit =
          t.precision >= 19 ? std::numeric_limits<int64_t>::max() : kPow10[t.precision] - 1;
      if (value.i > limit || value.i < -limit) {
        return Status::InvalidArgument(t.ToString() + " column " + Quote(column) +
                                       " value out of range");
      }
      break;
    }
    case TypeId::kChar:
      if (TrimTrailingSpaces(value.s).size() > t.length) {
        return Status::InvalidArgument(t.ToString() + " column " + Quote(column) + " value of " +
                                       std::to_string(value.s.size()) + " bytes is too long");
      }
      break;
    case TypeId::kVarchar:
      if (value.s.size() > t.length) {
        return Status::InvalidArgument(t.ToString() + " column " + Quote(column) + " value of " +
                                       std::to_string(value.s.size()) + " bytes is too long");
      }
      break;
    case TypeId::kInt64:
    case TypeId::kDouble:
      break;
    case TypeId::kNull:
    case TypeId::kBytes:
      return Status::InvalidArgument("column " + Quote(column) + " has no row encoding");
  }
  return Status::OK();
}

Status EncodeRow(const Schema& schema, const RowLayout& layout, const std::vector<Datum>& row,
                 std::string* out) {
  if (schema.raw) return Status::InvalidArgument("raw schema has no row format");
  if (row.size() != schema.columns.size()) {
    return Status::InvalidArgument("row has " + std::to_string(row.size()) +
                                   " values, schema has " + std::to_string(schema.columns.size()) +
                                   " columns");
  }
  size_t var_bytes = 0;
  for (size_t i = 0; i < row.size(); ++i) {
    PD_RETURN_IF_ERROR(ValidateDatum(schema.columns[i], row[i]));
    if (!layout.columns[i].fixed && !row[i].null) var_bytes += row[i].s.size();
  }
  out->assign(layout.min_value_size, '\0');
  out->reserve(layout.min_value_size + var_bytes);
  char* base = out->data();
  base[0] = static_cast<char>(kRowFormatVersion);
  for (size_t i = 0; i < row.size(); ++i) {
    const ColumnLayout& c = layout.columns[i];
    const Datum& v = row[i];
    if (v.null) {
      base[c.null_byte] = static_cast<char>(static_cast<uint8_t>(base[c.null_byte]) | c.null_mask);
      continue;
    }
    if (!c.fixed) continue;
    char* p = base + c.offset;
    switch (schema.columns[i].type.id) {
      case TypeId::kBool:
        p[0] = static_cast<char>(v.i != 0);
        break;
      case TypeId::kInt32:
      case TypeId::kDate:
        EncodeFixed32(p, static_cast<uint32_t>(static_cast<int32_t>(v.i)));
        break;
      case TypeId::kInt64:
      case TypeId::kDecimal:
        EncodeFixed64(p, static_cast<uint64_t>(v.i));
        break;
      case TypeId::kDouble: {
        uint64_t bits;
        std::memcpy(&bits, &v.d, 8);
        EncodeFixed64(p, bits);
        break;
      }
      case TypeId::kChar: {
        const std::string_view s = TrimTrailingSpaces(v.s);
        std::memcpy(p, s.data(), s.size());
        std::memset(p + s.size(), ' ', c.width - s.size());
        break;
      }
      default:
        return Status::Internal("unexpected fixed column type");
    }
  }
  // VARCHAR bytes and their end offsets. (base may move: use offsets.)
  for (size_t i = 0; i < row.size(); ++i) {
    const ColumnLayout& c = layout.columns[i];
    if (c.fixed) continue;
    if (!row[i].null) out->append(row[i].s);
    if (out->size() > std::numeric_limits<uint32_t>::max()) {
      return Status::InvalidArgument("row value larger than 4 GiB");
    }
    EncodeFixed32(out->data() + c.offset, static_cast<uint32_t>(out->size()));
  }
  return Status::OK();
}

Status ValidateRow(const RowLayout& layout, std::string_view value) {
  PD_RETURN_IF_ERROR(CheckHeader(layout, value));
  uint32_t prev = layout.var_data_offset;
  for (uint32_t k = 0; k < layout.num_var; ++k) {
    const uint32_t end = DecodeFixed32(value.data() + layout.var_table_offset + 4 * k);
    if (end < prev) {
      return Status::Corruption("row var table not monotone at entry " + std::to_string(k));
    }
    if (end > value.size()) {
      return Status::Corruption("row var entry " + std::to_string(k) + " ends at " +
                                std::to_string(end) + ", past the value (" +
                                std::to_string(value.size()) + " bytes)");
    }
    prev = end;
  }
  return Status::OK();
}

namespace {

// REQUIRES: the version and minimum size were checked.
Status DecodeColumnUnchecked(const Schema& schema, const RowLayout& layout, std::string_view value,
                             int column, Datum* out) {
  const ColumnLayout& c = layout.columns[column];
  const Column& col = schema.columns[column];
  if (col.nullable && (static_cast<uint8_t>(value[c.null_byte]) & c.null_mask) != 0) {
    *out = Datum::Null();
    return Status::OK();
  }
  const char* p = value.data() + c.offset;
  switch (col.type.id) {
    case TypeId::kBool:
      *out = Datum::Bool(p[0] != 0);
      break;
    case TypeId::kInt32:
    case TypeId::kDate:
      *out = Datum::Int(static_cast<int32_t>(DecodeFixed32(p)));
      break;
    case TypeId::kInt64:
    case TypeId::kDecimal:
      *out = Datum::Int(static_cast<int64_t>(DecodeFixed64(p)));
      break;
    case TypeId::kDouble: {
      const uint64_t bits = DecodeFixed64(p);
      double d;
      std::memcpy(&d, &bits, 8);
      *out = Datum::Double(d);
      break;
    }
    case TypeId::kChar:
      *out = Datum::String(TrimTrailingSpaces(std::string_view(p, c.width)));
      break;
    case TypeId::kVarchar:
    case TypeId::kBytes: {
      const uint32_t start = c.var_index == 0 ? layout.var_data_offset : DecodeFixed32(p - 4);
      const uint32_t end = DecodeFixed32(p);
      if (start < layout.var_data_offset || end < start || end > value.size()) {
        return Status::Corruption("bad var table entry for column '" + col.name + "'");
      }
      *out = Datum::String(value.substr(start, end - start));
      break;
    }
    case TypeId::kNull:
      return Status::Internal("column of type NULL");
  }
  return Status::OK();
}

}  // namespace

Status DecodeRow(const Schema& schema, const RowLayout& layout, std::string_view value,
                 std::vector<Datum>* row) {
  PD_RETURN_IF_ERROR(ValidateRow(layout, value));
  row->resize(schema.columns.size());
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    PD_RETURN_IF_ERROR(
        DecodeColumnUnchecked(schema, layout, value, static_cast<int>(i), &(*row)[i]));
  }
  return Status::OK();
}

Status DecodeColumn(const Schema& schema, const RowLayout& layout, std::string_view value,
                    int column, Datum* out) {
  PD_RETURN_IF_ERROR(CheckHeader(layout, value));
  return DecodeColumnUnchecked(schema, layout, value, column, out);
}

}  // namespace pushdown::bpfgen
