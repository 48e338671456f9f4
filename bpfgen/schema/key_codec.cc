#include "bpfgen/schema/key_codec.h"

#include <cmath>
#include <cstring>

#include "bpfgen/schema/scalar.h"

namespace pushdown::bpfgen {

namespace {

constexpr uint64_t kSign64 = 1ULL << 63;
constexpr uint64_t kCanonicalNaN = 0x7ff8000000000000ULL;

void PutBigEndian(uint64_t v, int width, std::string* out) {
  for (int k = width - 1; k >= 0; --k) out->push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}

uint64_t GetBigEndian(const char* p, int width) {
  uint64_t v = 0;
  for (int k = 0; k < width; ++k) v = (v << 8) | static_cast<uint8_t>(p[k]);
  return v;
}

uint64_t DoubleKeyBits(double d) {
  if (std::isnan(d)) return kCanonicalNaN ^ kSign64;
  if (d == 0) d = 0.0;  // -0.0 -> 0.0
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return (b & kSign64) ? ~b : (b ^ kSign64);
}

double DoubleFromKeyBits(uint64_t k) {
  const uint64_t b = (k & kSign64) ? (k ^ kSign64) : ~k;
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}

}  // namespace

void AppendKeyColumn(const Type& t, const Datum& v, std::string* out) {
  switch (t.id) {
    case TypeId::kBool:
      out->push_back(v.i != 0 ? 1 : 0);
      break;
    case TypeId::kInt32:
    case TypeId::kDate:
      PutBigEndian(static_cast<uint32_t>(static_cast<int32_t>(v.i)) ^ 0x80000000u, 4, out);
      break;
    case TypeId::kInt64:
    case TypeId::kDecimal:
      PutBigEndian(static_cast<uint64_t>(v.i) ^ kSign64, 8, out);
      break;
    case TypeId::kDouble:
      PutBigEndian(DoubleKeyBits(v.d), 8, out);
      break;
    case TypeId::kChar:
    case TypeId::kVarchar:
    case TypeId::kBytes: {
      const std::string_view s = StringView(v, t);
      for (char c : s) {
        out->push_back(c);
        if (c == '\0') out->push_back(static_cast<char>(0xff));
      }
      out->push_back('\0');
      out->push_back('\x01');
      break;
    }
    case TypeId::kNull:
      break;
  }
}

std::string EncodeKey(const Schema& schema, const std::vector<Datum>& row) {
  if (schema.raw) return row.empty() ? std::string() : row[0].s;
  std::string out;
  for (int c : schema.key_columns) AppendKeyColumn(schema.columns[c].type, row[c], &out);
  return out;
}

std::string EncodeKeyColumns(const Schema& schema, const std::vector<Datum>& key_values) {
  if (schema.raw) return key_values.empty() ? std::string() : key_values[0].s;
  std::string out;
  for (size_t k = 0; k < key_values.size() && k < schema.key_columns.size(); ++k) {
    AppendKeyColumn(schema.columns[schema.key_columns[k]].type, key_values[k], &out);
  }
  return out;
}

Status DecodeKey(const Schema& schema, std::string_view key, std::vector<Datum>* key_values) {
  key_values->clear();
  if (schema.raw) {
    key_values->push_back(Datum::String(key));
    return Status::OK();
  }
  size_t pos = 0;
  for (size_t k = 0; k < schema.key_columns.size(); ++k) {
    const Column& col = schema.columns[schema.key_columns[k]];
    const Type& t = col.type;
    auto need = [&](size_t n) -> Status {
      if (key.size() - pos < n) {
        return Status::Corruption("key truncated in column '" + col.name + "'");
      }
      return Status::OK();
    };
    switch (t.id) {
      case TypeId::kBool: {
        PD_RETURN_IF_ERROR(need(1));
        const uint8_t b = static_cast<uint8_t>(key[pos++]);
        if (b > 1) return Status::Corruption("bad BOOL byte in key column '" + col.name + "'");
        key_values->push_back(Datum::Bool(b == 1));
        break;
      }
      case TypeId::kInt32:
      case TypeId::kDate: {
        PD_RETURN_IF_ERROR(need(4));
        const uint32_t u = static_cast<uint32_t>(GetBigEndian(key.data() + pos, 4)) ^ 0x80000000u;
        pos += 4;
        key_values->push_back(Datum::Int(static_cast<int32_t>(u)));
        break;
      }
      case TypeId::kInt64:
      case TypeId::kDecimal: {
        PD_RETURN_IF_ERROR(need(8));
        const uint64_t u = GetBigEndian(key.data() + pos, 8) ^ kSign64;
        pos += 8;
        key_values->push_back(Datum::Int(static_cast<int64_t>(u)));
        break;
      }
      case TypeId::kDouble: {
        PD_RETURN_IF_ERROR(need(8));
        key_values->push_back(Datum::Double(DoubleFromKeyBits(GetBigEndian(key.data() + pos, 8))));
        pos += 8;
        break;
      }
      case TypeId::kChar:
      case TypeId::kVarchar:
      case TypeId::kBytes: {
        std::string s;
        while (true) {
          PD_RETURN_IF_ERROR(need(1));
          const char c = key[pos++];
          if (c != '\0') {
            s.push_back(c);
            continue;
          }
          PD_RETURN_IF_ERROR(need(1));
          const uint8_t next = static_cast<uint8_t>(key[pos++]);
          if (next == 0x01) break;
          if (next != 0xff) {
            return Status::Corruption("bad escape in key column '" + col.name + "'");
          }
          s.push_back('\0');
        }
        key_values->push_back(Datum::String(s));
        break;
      }
      case TypeId::kNull:
        return Status::Internal("key column of type NULL");
    }
  }
  if (pos != key.size()) {
    return Status::Corruption(std::to_string(key.size() - pos) + " bytes after the key");
  }
  return Status::OK();
}

}  // namespace pushdown::bpfgen
