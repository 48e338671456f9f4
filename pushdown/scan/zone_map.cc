#include "pushdown/scan/zone_map.h"

#include <algorithm>

#include "util/coding.h"

namespace pushdown::exec {
namespace {

constexpr uint8_t kVersion1 = 1;
constexpr uint8_t kVersion2 = 2;
constexpr uint8_t kFlagBlockLevel = 1;
constexpr uint8_t kPackedVarints = 0;
constexpr uint8_t kPackedBits = 1;
constexpr uint8_t kMinDelta = 0;
constexpr uint8_t kMinFromFile = 1;

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

Status Bad(std::string_view name, std::string_view what) {
  return Status::Corruption(std::string(name) + ": bad zone map property (" + std::string(what) +
                            ")");
}

int BitsFor(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

// A packed sequence (see the header): the smaller of varints and bits.
void PutPacked(std::string* out, const std::vector<uint64_t>& v) {
  std::string varints;
  varints.push_back(static_cast<char>(kPackedVarints));
  for (uint64_t x : v) PutVarint64(&varints, x);
  if (v.empty()) {
    *out += varints;
    return;
  }
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const uint64_t base = *lo;
  const int bits = BitsFor(*hi - base);
  std::string packed;
  packed.push_back(static_cast<char>(kPackedBits));
  PutVarint64(&packed, base);
  packed.push_back(static_cast<char>(bits));
  const size_t at = packed.size();
  packed.resize(at + (v.size() * bits + 7) / 8, '\0');
  uint64_t bitpos = 0;
  for (uint64_t x : v) {
    const uint64_t d = x - base;
    for (int got = 0; got < bits;) {
      const int off = static_cast<int>(bitpos & 7);
      const int take = std::min(8 - off, bits - got);
      const uint64_t part = (d >> got) & ((uint64_t{1} << take) - 1);
      packed[at + (bitpos >> 3)] =
          static_cast<char>(static_cast<uint8_t>(packed[at + (bitpos >> 3)]) | (part << off));
      got += take;
      bitpos += take;
    }
  }
  *out += packed.size() < varints.size() ? packed : varints;
}

// Reads a packed sequence of `n` values; false if malformed or truncated.
bool GetPacked(std::string_view* in, uint64_t n, std::vector<uint64_t>* v) {
  v->clear();
  if (in->empty()) return false;
  const uint8_t kind = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  if (kind == kPackedVarints) {
    if (n > in->size()) return false;  // a varint takes at least one byte
    v->resize(n);
    for (uint64_t& x : *v) {
      if (!GetVarint64(in, &x)) return false;
    }
    return true;
  }
  if (kind != kPackedBits) return false;
  uint64_t base = 0;
  if (!GetVarint64(in, &base) || in->empty()) return false;
  const int bits = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  if (bits > 64) return false;
  if (bits > 0 && n > in->size() * 8 / bits) return false;
  const uint64_t nbytes = (n * bits + 7) / 8;
  if (nbytes > in->size()) return false;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(in->data());
  v->resize(n);
  uint64_t bitpos = 0;
  for (uint64_t& x : *v) {
    uint64_t d = 0;
    for (int got = 0; got < bits;) {
      const int off = static_cast<int>(bitpos & 7);
      const int take = std::min(8 - off, bits - got);
      d |= ((static_cast<uint64_t>(p[bitpos >> 3]) >> off) & ((uint64_t{1} << take) - 1)) << got;
      got += take;
      bitpos += take;
    }
    if (d > UINT64_MAX - base) return false;  // base + d past 2^64
    x = base + d;
  }
  in->remove_prefix(nbytes);
  return true;
}

// Reads the column list shared by v1 and v2 (v2 with a flags byte).
Status GetColumns(std::string_view* in, size_t max_columns, bool with_flags, std::string_view name,
                  ZoneMap* zm) {
  uint64_t ncols = 0;
  if (!GetVarint64(in, &ncols) || ncols > max_columns) return Bad(name, "column count");
  const size_t fixed = with_flags ? 3 : 2;
  for (uint64_t i = 0; i < ncols; ++i) {
    uint64_t c = 0;
    if (!GetVarint64(in, &c) || c >= max_columns || in->size() < fixed) return Bad(name, "column");
    if (!zm->columns.empty() && static_cast<int>(c) <= zm->columns.back()) {
      return Bad(name, "column order");
    }
    zm->columns.push_back(static_cast<int>(c));
    zm->types.push_back(static_cast<uint8_t>((*in)[0]));
    zm->scales.push_back(static_cast<uint8_t>((*in)[1]));
    if (with_flags) {
      const uint8_t flags = static_cast<uint8_t>((*in)[2]);
      if (flags & ~kFlagBlockLevel) return Bad(name, "column flags");
      zm->block_level.push_back(flags & kFlagBlockLevel);
    } else {
      zm->block_level.push_back(1);
    }
    in->remove_prefix(fixed);
  }
  return Status::OK();
}

size_t Width(const ZoneMap& zm) {
  return zm.columns.empty() ? 1 : static_cast<size_t>(zm.columns.back()) + 1;
}

Result<ZoneMap> DecodeV1(std::string_view in, size_t max_columns, std::string_view name,
                         uint64_t max_blocks) {
  ZoneMap zm;
  in.remove_prefix(1);  // the version
  PD_RETURN_IF_ERROR(GetColumns(&in, max_columns, /*with_flags=*/false, name, &zm));
  const size_t ncols = zm.columns.size();
  const size_t width = Width(zm);
  uint64_t nblocks = 0;
  // Each block takes at least one byte: a bound before reserving anything.
  if (!GetVarint64(&in, &nblocks) || nblocks > in.size() || nblocks > max_blocks) {
    return Bad(name, "block count");
  }
  zm.num_blocks = nblocks;
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
  // Row counts past 2^64 in all would make the summary's sums wrap.
  uint64_t rows = 0;
  for (const bpfgen::ZoneStats& b : zm.blocks) {
    if (b.rows > UINT64_MAX - rows) return Bad(name, "rows");
    rows += b.rows;
  }
  zm.file = zm.FileSummary();
  return zm;
}

// A file-level column's zone for a block of `rows` rows (see the header).
bpfgen::ColumnZone InheritedZone(const bpfgen::ColumnZone& file, uint64_t rows) {
  bpfgen::ColumnZone z;
  if (file.value_count == 0) {
    z.known = true;
    z.null_count = rows;
  } else if (file.null_count == 0) {
    z.known = true;
    z.value_count = rows;
    z.min = file.min;
    z.max = file.max;
  }
  return z;
}

// The v2 summary: header and file summaries; `in` is left at the blocks part.
Result<ZoneMap> DecodeV2Summary(std::string_view* in, size_t max_columns, std::string_view name,
                                uint64_t max_blocks) {
  ZoneMap zm;
  in->remove_prefix(1);  // the version
  PD_RETURN_IF_ERROR(GetColumns(in, max_columns, /*with_flags=*/true, name, &zm));
  uint64_t nblocks = 0;
  if (!GetVarint64(in, &nblocks) || nblocks > max_blocks) return Bad(name, "block count");
  zm.num_blocks = nblocks;
  if (!GetVarint64(in, &zm.file.rows)) return Bad(name, "file rows");
  zm.file.columns.resize(Width(zm));
  for (int c : zm.columns) {
    bpfgen::ColumnZone& f = zm.file.columns[c];
    f.known = true;
    if (!GetVarint64(in, &f.null_count) || f.null_count > zm.file.rows) {
      return Bad(name, "file nulls");
    }
    f.value_count = zm.file.rows - f.null_count;
    if (f.value_count == 0) continue;
    uint64_t min = 0, range = 0;
    if (!GetVarint64(in, &min) || !GetVarint64(in, &range)) return Bad(name, "file min/max");
    f.min = UnZigZag(min);
    const uint64_t max = static_cast<uint64_t>(f.min) + range;
    if (static_cast<int64_t>(max) < f.min) return Bad(name, "file max below min");
    f.max = static_cast<int64_t>(max);
  }
  return zm;
}

// The blocks part of a v2 map whose summary `zm` holds.
Status DecodeV2Blocks(std::string_view in, std::string_view name, ZoneMap* zm) {
  const uint64_t nblocks = zm->num_blocks;
  const size_t width = Width(*zm);
  std::vector<uint64_t> rows;
  if (!GetPacked(&in, nblocks, &rows)) return Bad(name, "rows");
  uint64_t total = 0;
  for (uint64_t r : rows) {
    if (r > UINT64_MAX - total) return Bad(name, "rows");
    total += r;
  }
  if (total != zm->file.rows) return Bad(name, "block rows do not add up to the file's");
  zm->blocks.resize(nblocks);
  for (uint64_t b = 0; b < nblocks; ++b) {
    zm->blocks[b].rows = rows[b];
    zm->blocks[b].columns.resize(width);
  }
  std::vector<uint64_t> nulls, codes, ranges;
  for (size_t i = 0; i < zm->columns.size(); ++i) {
    const int c = zm->columns[i];
    const bpfgen::ColumnZone& f = zm->file.columns[c];
    if (!zm->block_level[i]) {
      for (bpfgen::ZoneStats& b : zm->blocks) b.columns[c] = InheritedZone(f, b.rows);
      continue;
    }
    nulls.assign(nblocks, 0);
    if (f.value_count == 0) {
      nulls = rows;
    } else if (f.null_count > 0) {
      if (!GetPacked(&in, nblocks, &nulls)) return Bad(name, "nulls");
    }
    uint64_t null_total = 0, with_values = 0;
    for (uint64_t b = 0; b < nblocks; ++b) {
      if (nulls[b] > rows[b]) return Bad(name, "nulls");
      null_total += nulls[b];  // <= the rows' total: no wrap
      if (nulls[b] < rows[b]) ++with_values;
    }
    if (null_total != f.null_count) return Bad(name, "block nulls do not add up to the file's");
    for (uint64_t b = 0; b < nblocks; ++b) {
      bpfgen::ColumnZone& z = zm->blocks[b].columns[c];
      z.known = true;
      z.null_count = nulls[b];
      z.value_count = rows[b] - nulls[b];
    }
    if (with_values == 0) continue;
    if (in.empty()) return Bad(name, "min coding");
    const uint8_t coding = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    if (coding != kMinDelta && coding != kMinFromFile) return Bad(name, "min coding");
    if (!GetPacked(&in, with_values, &codes) || !GetPacked(&in, with_values, &ranges)) {
      return Bad(name, "min/max");
    }
    size_t k = 0;
    int64_t prev_min = 0;
    for (bpfgen::ZoneStats& b : zm->blocks) {
      bpfgen::ColumnZone& z = b.columns[c];
      if (z.value_count == 0) continue;
      const uint64_t base = static_cast<uint64_t>(coding == kMinDelta ? prev_min : f.min);
      const uint64_t step =
          coding == kMinDelta ? static_cast<uint64_t>(UnZigZag(codes[k])) : codes[k];
      z.min = static_cast<int64_t>(base + step);
      // Inside the file's interval; then max = min + range must not pass f.max.
      if (z.min < f.min || z.min > f.max ||
          ranges[k] > static_cast<uint64_t>(f.max) - static_cast<uint64_t>(z.min)) {
        return Bad(name, "block zone outside the file's");
      }
      z.max = static_cast<int64_t>(static_cast<uint64_t>(z.min) + ranges[k]);
      prev_min = z.min;
      ++k;
    }
  }
  if (!in.empty()) return Bad(name, "trailing bytes");
  return Status::OK();
}

Result<ZoneMap> Decode(std::string_view in, size_t max_columns, std::string_view name,
                       uint64_t max_blocks, bool summary_only) {
  if (in.empty()) return Bad(name, "version");
  const uint8_t version = static_cast<uint8_t>(in[0]);
  if (version == kVersion1) return DecodeV1(in, max_columns, name, max_blocks);
  if (version != kVersion2) return Bad(name, "version");
  PD_ASSIGN_OR_RETURN(ZoneMap zm, DecodeV2Summary(&in, max_columns, name, max_blocks));
  if (!summary_only) PD_RETURN_IF_ERROR(DecodeV2Blocks(in, name, &zm));
  return zm;
}

void PutRawField(const bpfgen::RawField& f, uint8_t version, std::string* out) {
  out->push_back(static_cast<char>(version));
  out->push_back(static_cast<char>(f.source));
  PutVarint64(out, f.offset);
  out->push_back(static_cast<char>(f.width));
  out->push_back(static_cast<char>((f.big_endian ? 1 : 0) | (f.is_signed ? 2 : 0)));
}

}  // namespace

bpfgen::ZoneStats ZoneMap::FileSummary() const {
  bpfgen::ZoneStats out;
  size_t width = columns.empty() ? 0 : Width(*this);
  for (const bpfgen::ZoneStats& b : blocks) {
    out.rows += b.rows;
    width = std::max(width, b.columns.size());
  }
  out.columns.resize(width);
  for (int c : columns) {
    bpfgen::ColumnZone& f = out.columns[c];
    f.known = true;
    for (const bpfgen::ZoneStats& b : blocks) {
      if (static_cast<size_t>(c) >= b.columns.size()) continue;
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

bool ZoneMap::BlockLevel(int column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == column) return block_level.empty() || block_level[i] != 0;
  }
  return false;
}

std::vector<uint8_t> ChooseBlockLevel(const ZoneMap& zm) {
  const bpfgen::ZoneStats file = zm.FileSummary();
  std::vector<uint8_t> out(zm.columns.size(), 0);
  for (size_t i = 0; i < zm.columns.size(); ++i) {
    const int c = zm.columns[i];
    const bpfgen::ColumnZone& f = file.columns[c];
    if (f.value_count == 0) continue;  // all NULL: the file says it of every block
    if (f.null_count > 0) {
      uint64_t decided = 0, nonempty = 0;
      for (const bpfgen::ZoneStats& b : zm.blocks) {
        if (b.rows == 0) continue;
        ++nonempty;
        const bpfgen::ColumnZone& z = b.columns[c];
        if (z.null_count == 0 || z.value_count == 0) ++decided;
      }
      if (decided * 4 >= nonempty && nonempty >= 2) {
        out[i] = 1;
        continue;
      }
    }
    const uint64_t file_width = static_cast<uint64_t>(f.max) - static_cast<uint64_t>(f.min);
    if (file_width == 0) continue;  // one value: the file says it of every block
    double sum = 0;
    uint64_t n = 0;
    for (const bpfgen::ZoneStats& b : zm.blocks) {
      const bpfgen::ColumnZone& z = b.columns[c];
      if (z.value_count == 0) continue;
      sum += static_cast<double>(static_cast<uint64_t>(z.max) - static_cast<uint64_t>(z.min)) /
             static_cast<double>(file_width);
      ++n;
    }
    if (n >= 2 && sum <= kBlockLevelMaxWidth * static_cast<double>(n)) out[i] = 1;
  }
  return out;
}

std::string EncodeZoneMap(const ZoneMap& zm) {
  const bpfgen::ZoneStats file = zm.FileSummary();
  auto block_level = [&](size_t i) { return zm.block_level.empty() || zm.block_level[i] != 0; };
  std::string out;
  out.push_back(static_cast<char>(kVersion2));
  PutVarint64(&out, zm.columns.size());
  for (size_t i = 0; i < zm.columns.size(); ++i) {
    PutVarint64(&out, static_cast<uint64_t>(zm.columns[i]));
    out.push_back(static_cast<char>(zm.types[i]));
    out.push_back(static_cast<char>(zm.scales[i]));
    out.push_back(static_cast<char>(block_level(i) ? kFlagBlockLevel : 0));
  }
  PutVarint64(&out, zm.blocks.size());
  PutVarint64(&out, file.rows);
  for (int c : zm.columns) {
    const bpfgen::ColumnZone& f = file.columns[c];
    PutVarint64(&out, f.null_count);
    if (f.value_count == 0) continue;
    PutVarint64(&out, ZigZag(f.min));
    PutVarint64(&out, static_cast<uint64_t>(f.max) - static_cast<uint64_t>(f.min));
  }
  std::vector<uint64_t> seq;
  for (const bpfgen::ZoneStats& b : zm.blocks) seq.push_back(b.rows);
  PutPacked(&out, seq);
  for (size_t i = 0; i < zm.columns.size(); ++i) {
    if (!block_level(i)) continue;
    const int c = zm.columns[i];
    const bpfgen::ColumnZone& f = file.columns[c];
    if (f.null_count > 0 && f.value_count > 0) {
      seq.clear();
      for (const bpfgen::ZoneStats& b : zm.blocks) seq.push_back(b.columns[c].null_count);
      PutPacked(&out, seq);
    }
    if (f.value_count == 0) continue;
    std::vector<uint64_t> delta, from_file, ranges;
    int64_t prev_min = 0;
    for (const bpfgen::ZoneStats& b : zm.blocks) {
      const bpfgen::ColumnZone& z = b.columns[c];
      if (z.value_count == 0) continue;
      delta.push_back(ZigZag(
          static_cast<int64_t>(static_cast<uint64_t>(z.min) - static_cast<uint64_t>(prev_min))));
      from_file.push_back(static_cast<uint64_t>(z.min) - static_cast<uint64_t>(f.min));
      ranges.push_back(static_cast<uint64_t>(z.max) - static_cast<uint64_t>(z.min));
      prev_min = z.min;
    }
    // The smaller coding of the minimums: deltas for columns that follow the
    // key (timestamps), offsets from the file minimum for the others.
    std::string as_delta, as_offset;
    PutPacked(&as_delta, delta);
    PutPacked(&as_offset, from_file);
    const bool use_delta = as_delta.size() <= as_offset.size();
    out.push_back(static_cast<char>(use_delta ? kMinDelta : kMinFromFile));
    out += use_delta ? as_delta : as_offset;
    PutPacked(&out, ranges);
  }
  return out;
}

std::string EncodeZoneMapV1(const ZoneMap& zm) {
  std::string out;
  out.push_back(static_cast<char>(kVersion1));
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

Result<ZoneMap> DecodeZoneMap(std::string_view in, size_t max_columns, std::string_view name,
                              uint64_t max_blocks) {
  return Decode(in, max_columns, name, max_blocks, /*summary_only=*/false);
}

Result<ZoneMap> DecodeZoneMapSummary(std::string_view in, size_t max_columns, std::string_view name,
                                     uint64_t max_blocks) {
  return Decode(in, max_columns, name, max_blocks, /*summary_only=*/true);
}

std::string EncodeRawZoneMap(const ZoneMap& zm) {
  std::string out;
  PutRawField(*zm.raw_field, kVersion2, &out);
  out += EncodeZoneMap(zm);
  return out;
}

std::string EncodeRawZoneMapV1(const ZoneMap& zm) {
  std::string out;
  PutRawField(*zm.raw_field, kVersion1, &out);
  out += EncodeZoneMapV1(zm);
  return out;
}

Result<ZoneMap> DecodeRawZoneMap(std::string_view in, std::string_view name, uint64_t max_blocks) {
  if (in.size() < 2) return Bad(name, "raw version");
  const uint8_t version = static_cast<uint8_t>(in[0]);
  if (version != kVersion1 && version != kVersion2) return Bad(name, "raw version");
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
  // The inner map is of the same version as the raw header.
  if (in.empty() || static_cast<uint8_t>(in[0]) != version) return Bad(name, "version");
  PD_ASSIGN_OR_RETURN(ZoneMap zm, DecodeZoneMap(in, 1, name, max_blocks));
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
  if (!schema.raw) {
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
  }
  if (zm.num_blocks != num_data_blocks) {
    return "zone map has " + std::to_string(zm.num_blocks) + " blocks, the file " +
           std::to_string(num_data_blocks);
  }
  return "";
}

}  // namespace pushdown::exec
