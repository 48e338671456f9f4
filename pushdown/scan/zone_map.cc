#include "pushdown/scan/zone_map.h"

#include <algorithm>

#include "util/coding.h"

namespace pushdown::exec {
namespace {

constexpr uint8_t kVersion = 1;

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

Status Bad(std::string_view name, std::string_view what) {
  return Status::Corruption(std::string(name) + ": bad zone map property (" + std::string(what) +
                            ")");
}

}  // namespace

bpfgen::ZoneStats ZoneMap::FileSummary() const {
  bpfgen::ZoneStats out;
  for (const bpfgen::ZoneStats& b : blocks) {
    out.rows += b.rows;
    if (out.columns.size() < b.columns.size()) out.columns.resize(b.columns.size());
  }
  for (int c : columns) {
    bpfgen::ColumnZone& f = out.columns[c];
    f.known = true;
    for (const bpfgen::ZoneStats& b : blocks) {
      const bpfgen::ColumnZone& z = b.columns[c];
      f.null_count += z.null_count;
      if (z.value_count == 0) continue;
      f.min = f.value_count == 0 ? z.min : std::min(f.min, z.min);
      f.max = f.value_count == 0 ? z.max : std::max(f.max, z.max);
      f.value_count += z.value_count;
    }
  }
  return out;
}

std::string EncodeZoneMap(const ZoneMap& zm) {
  std::string out;
  out.push_back(static_cast<char>(kVersion));
  PutVarint64(&out, zm.columns.size());
  for (size_t i = 0; i < zm.columns.size(); ++i) {
    PutVarint64(&out, static_cast<uint64_t>(zm.columns[i]));
    out.push_back(static_cast<char>(zm.types[i]));
    out.push_back(static_cast<char>(zm.scales[i]));
  }
  PutVarint64(&out, zm.blocks.size());
  std::vector<int64_t> prev_min(zm.columns.size(), 0);
  for (const bpfgen::ZoneStats& b : zm.blocks) {
    PutVarint64(&out, b.rows);
    for (size_t i = 0; i < zm.columns.size(); ++i) {
      const bpfgen::ColumnZone& z = b.columns[zm.columns[i]];
      PutVarint64(&out, z.null_count);
      if (z.value_count == 0) continue;
      PutVarint64(&out, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(z.min) -
                                                    static_cast<uint64_t>(prev_min[i]))));
      PutVarint64(&out, static_cast<uint64_t>(z.max) - static_cast<uint64_t>(z.min));
      prev_min[i] = z.min;
    }
  }
  return out;
}

Result<ZoneMap> DecodeZoneMap(std::string_view in, size_t max_columns, std::string_view name) {
  ZoneMap zm;
  if (in.empty() || static_cast<uint8_t>(in[0]) != kVersion) return Bad(name, "version");
  in.remove_prefix(1);
  uint64_t ncols = 0;
  if (!GetVarint64(&in, &ncols) || ncols > max_columns) return Bad(name, "column count");
  int width = 0;
  for (uint64_t i = 0; i < ncols; ++i) {
    uint64_t c = 0;
    if (!GetVarint64(&in, &c) || c >= max_columns || in.size() < 2) return Bad(name, "column");
    if (!zm.columns.empty() && static_cast<int>(c) <= zm.columns.back()) {
      return Bad(name, "column order");
    }
    zm.columns.push_back(static_cast<int>(c));
    zm.types.push_back(static_cast<uint8_t>(in[0]));
    zm.scales.push_back(static_cast<uint8_t>(in[1]));
    in.remove_prefix(2);
    width = static_cast<int>(c) + 1;
  }
  uint64_t nblocks = 0;
  // Each block takes at least one byte: a bound before reserving anything.
  if (!GetVarint64(&in, &nblocks) || nblocks > in.size()) return Bad(name, "block count");
  zm.blocks.resize(nblocks);
  std::vector<int64_t> prev_min(ncols, 0);
  for (bpfgen::ZoneStats& b : zm.blocks) {
    if (!GetVarint64(&in, &b.rows)) return Bad(name, "rows");
    b.columns.resize(width);
    for (size_t i = 0; i < ncols; ++i) {
      bpfgen::ColumnZone& z = b.columns[zm.columns[i]];
      z.known = true;
      if (!GetVarint64(&in, &z.null_count) || z.null_count > b.rows) return Bad(name, "nulls");
      z.value_count = b.rows - z.null_count;
      if (z.value_count == 0) continue;
      uint64_t dmin = 0, range = 0;
      if (!GetVarint64(&in, &dmin) || !GetVarint64(&in, &range)) return Bad(name, "min/max");
      z.min = static_cast<int64_t>(static_cast<uint64_t>(prev_min[i]) +
                                   static_cast<uint64_t>(UnZigZag(dmin)));
      const uint64_t max = static_cast<uint64_t>(z.min) + range;
      // max >= min as signed values, i.e. no wrap past INT64_MAX.
      if (static_cast<int64_t>(max) < z.min) return Bad(name, "max below min");
      z.max = static_cast<int64_t>(max);
      prev_min[i] = z.min;
    }
  }
  if (!in.empty()) return Bad(name, "trailing bytes");
  return zm;
}

std::string EncodeRawZoneMap(const ZoneMap& zm) {
  const bpfgen::RawField& f = *zm.raw_field;
  std::string out;
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(f.source));
  PutVarint64(&out, f.offset);
  out.push_back(static_cast<char>(f.width));
  out.push_back(static_cast<char>((f.big_endian ? 1 : 0) | (f.is_signed ? 2 : 0)));
  out += EncodeZoneMap(zm);
  return out;
}

Result<ZoneMap> DecodeRawZoneMap(std::string_view in, std::string_view name) {
  if (in.size() < 2 || static_cast<uint8_t>(in[0]) != kVersion) return Bad(name, "raw version");
  bpfgen::RawField f;
  const uint8_t source = static_cast<uint8_t>(in[1]);
  if (source > 1) return Bad(name, "raw field source");
  f.source = static_cast<bpfgen::RawField::Source>(source);
  in.remove_prefix(2);
  uint64_t offset = 0;
  if (!GetVarint64(&in, &offset) || offset > UINT32_MAX || in.size() < 2) {
    return Bad(name, "raw field offset");
  }
  f.offset = static_cast<uint32_t>(offset);
  f.width = static_cast<uint8_t>(in[0]);
  const uint8_t flags = static_cast<uint8_t>(in[1]);
  if (flags > 3) return Bad(name, "raw field flags");
  f.big_endian = flags & 1;
  f.is_signed = flags & 2;
  if (!f.Invalid().empty()) return Bad(name, f.Invalid());
  in.remove_prefix(2);
  PD_ASSIGN_OR_RETURN(ZoneMap zm, DecodeZoneMap(in, 1, name));
  if (zm.columns != std::vector<int>{0} ||
      zm.types[0] != static_cast<uint8_t>(bpfgen::TypeId::kInt64) || zm.scales[0] != 0) {
    return Bad(name, "raw field column");
  }
  zm.raw_field = f;
  return zm;
}

std::string ZoneMapMismatch(const ZoneMap& zm, const bpfgen::Schema& schema,
                            uint64_t num_data_blocks) {
  if (schema.raw != zm.raw_field.has_value()) {
    return schema.raw ? "a table's zone map on a raw scan" : "a raw zone map on a table scan";
  }
  if (schema.raw) {
    if (zm.blocks.size() != num_data_blocks) {
      return "zone map has " + std::to_string(zm.blocks.size()) + " blocks, the file " +
             std::to_string(num_data_blocks);
    }
    return "";
  }
  for (size_t i = 0; i < zm.columns.size(); ++i) {
    const int c = zm.columns[i];
    if (c >= static_cast<int>(schema.columns.size())) return "zone map column out of schema";
    const bpfgen::Type& t = schema.columns[c].type;
    const uint8_t scale = t.id == bpfgen::TypeId::kDecimal ? t.scale : 0;
    if (static_cast<uint8_t>(t.id) != zm.types[i] || scale != zm.scales[i] ||
        !bpfgen::ZoneMappable(t)) {
      return "zone map column " + schema.columns[c].name + " has another type";
    }
  }
  if (zm.blocks.size() != num_data_blocks) {
    return "zone map has " + std::to_string(zm.blocks.size()) + " blocks, the file " +
           std::to_string(num_data_blocks);
  }
  return "";
}

}  // namespace pushdown::exec
