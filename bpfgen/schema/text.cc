#include "bpfgen/schema/text.h"

#include <locale.h>

#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "bpfgen/schema/date.h"

namespace pushdown::bpfgen {
namespace {

Status Bad(const Type& type, std::string_view text, std::string_view why) {
  std::string msg = "bad " + type.ToString() + " " + QuoteForError(text);
  if (!why.empty()) {
    msg += ": ";
    msg += why;
  }
  return Status::InvalidArgument(std::move(msg));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

// [+-]digits into an int64 in [lo, hi].
Status ParseInteger(const Type& type, std::string_view text, int64_t lo, int64_t hi, int64_t* out) {
  size_t i = 0;
  bool neg = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) neg = text[i++] == '-';
  if (i == text.size()) return Bad(type, text, text.empty() ? "empty" : "no digits");
  // Magnitude in uint64 (|INT64_MIN| = 2^63 fits).
  const uint64_t limit =
      neg ? static_cast<uint64_t>(0) - static_cast<uint64_t>(lo) : static_cast<uint64_t>(hi);
  uint64_t mag = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (!IsDigit(c)) return Bad(type, text, "not an integer");
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (mag > (limit - d) / 10) {
      // Keep reading: a later non-digit is the better message.
      for (size_t j = i + 1; j < text.size(); ++j) {
        if (!IsDigit(text[j])) return Bad(type, text, "not an integer");
      }
      return Bad(type, text, "out of range " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    mag = mag * 10 + d;
  }
  *out = neg ? static_cast<int64_t>(static_cast<uint64_t>(0) - mag) : static_cast<int64_t>(mag);
  return Status::OK();
}

Status ParseDecimal(const Type& type, std::string_view text, int64_t* out) {
  size_t i = 0;
  bool neg = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) neg = text[i++] == '-';
  const size_t int_begin = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  const std::string_view int_digits = text.substr(int_begin, i - int_begin);
  std::string_view frac_digits;
  bool dot = false;
  if (i < text.size() && text[i] == '.') {
    dot = true;
    const size_t frac_begin = ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    frac_digits = text.substr(frac_begin, i - frac_begin);
  }
  if (text.empty()) return Bad(type, text, "empty");
  if (i != text.size() || (int_digits.empty() && frac_digits.empty())) {
    return Bad(type, text, "not a decimal number");
  }
  (void)dot;
  // Integer digits: leading zeros do not count toward the precision.
  size_t lead = 0;
  while (lead < int_digits.size() && int_digits[lead] == '0') ++lead;
  const std::string_view significant = int_digits.substr(lead);
  const size_t max_int_digits = static_cast<size_t>(type.precision - type.scale);
  if (significant.size() > max_int_digits) {
    return Bad(type, text,
               "more than " + std::to_string(max_int_digits) + " digits before the point");
  }
  for (size_t k = type.scale; k < frac_digits.size(); ++k) {
    if (frac_digits[k] != '0') {
      return Bad(type, text,
                 "more than " + std::to_string(type.scale) +
                     " digits after the point (values are exact, never rounded)");
    }
  }
  // Fits: at most p <= 18 digits in total, < 10^18.
  int64_t v = 0;
  for (char c : significant) v = v * 10 + (c - '0');
  for (size_t k = 0; k < type.scale; ++k) {
    v = v * 10 + (k < frac_digits.size() ? frac_digits[k] - '0' : 0);
  }
  *out = neg ? -v : v;
  return Status::OK();
}

Status ParseDateText(const Type& type, std::string_view text, int64_t* out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return Bad(type, text, "expected YYYY-MM-DD");
  }
  for (size_t k : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(text[k])) return Bad(type, text, "expected YYYY-MM-DD");
  }
  auto num = [&](size_t pos, size_t n) {
    unsigned v = 0;
    for (size_t k = pos; k < pos + n; ++k) v = v * 10 + static_cast<unsigned>(text[k] - '0');
    return v;
  };
  const unsigned year = num(0, 4), month = num(5, 2), day = num(8, 2);
  if (year < 1) return Bad(type, text, "year 0000 is not in 0001..9999");
  if (month < 1 || month > 12) {
    return Bad(type, text, "month " + std::to_string(month) + " is not in 1..12");
  }
  const unsigned dim = DaysInMonth(year, month);
  if (day < 1 || day > dim) {
    return Bad(type, text,
               "day " + std::to_string(day) + " is not in 1.." + std::to_string(dim) + " for " +
                   std::string(text.substr(0, 7)));
  }
  *out = DaysFromCivil(year, month, day);
  return Status::OK();
}

Status ParseDouble(const Type& type, std::string_view text, double* out) {
  if (text.empty()) return Bad(type, text, "empty");
  size_t i = 0;
  if (text[0] == '+' || text[0] == '-') ++i;
  const std::string_view body = text.substr(i);
  const bool neg = text[0] == '-';
  if (EqualsNoCase(body, "inf") || EqualsNoCase(body, "infinity")) {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return Status::OK();
  }
  if (EqualsNoCase(body, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();  // every NaN is this one
    return Status::OK();
  }
  // strtod also takes spaces, "nan(...)", "infin"...: accept only digits,
  // '.', exponents and hex literals here, then let strtod convert.
  if (body.empty()) return Bad(type, text, "no digits");
  bool digit = false;
  for (char c : body) {
    if (IsDigit(c)) {
      digit = true;
    } else if (!(c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' || c == 'x' || c == 'X' ||
                 c == 'p' || c == 'P' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return Bad(type, text, "not a number");
    }
  }
  if (!digit) return Bad(type, text, "not a number");
  char small[64];
  std::string big;
  const char* z;
  if (text.size() < sizeof(small)) {
    std::memcpy(small, text.data(), text.size());
    small[text.size()] = '\0';
    z = small;
  } else {
    big.assign(text);
    z = big.c_str();
  }
  // strtod_l in the "C" locale: the decimal point is '.' whatever locale the
  // embedding process set.
  static const locale_t c_locale = ::newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  char* end = nullptr;
  errno = 0;
  const double v = c_locale ? ::strtod_l(z, &end, c_locale) : std::strtod(z, &end);
  if (end != z + text.size()) return Bad(type, text, "not a number");
  if (errno == ERANGE && std::isinf(v)) return Bad(type, text, "out of range of DOUBLE");
  *out = v;
  return Status::OK();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string QuoteForError(std::string_view text) {
  static constexpr size_t kMaxShown = 64;
  std::string out = "'";
  const size_t n = text.size() < kMaxShown ? text.size() : kMaxShown;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (text.size() > kMaxShown) out += "...";
  out += "'";
  return out;
}

Status ParseValueText(const Type& type, std::string_view text, Datum* out) {
  out->null = false;
  out->i = 0;
  out->d = 0;
  out->s.clear();
  switch (type.id) {
    case TypeId::kBool: {
      if (EqualsNoCase(text, "true") || EqualsNoCase(text, "t") || text == "1") {
        out->i = 1;
      } else if (EqualsNoCase(text, "false") || EqualsNoCase(text, "f") || text == "0") {
        out->i = 0;
      } else {
        return Bad(type, text, "expected true, false, t, f, 1 or 0");
      }
      return Status::OK();
    }
    case TypeId::kInt32:
      return ParseInteger(type, text, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max(), &out->i);
    case TypeId::kInt64:
      return ParseInteger(type, text, std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max(), &out->i);
    case TypeId::kDecimal:
      return ParseDecimal(type, text, &out->i);
    case TypeId::kDate:
      return ParseDateText(type, text, &out->i);
    case TypeId::kDouble:
      return ParseDouble(type, text, &out->d);
    case TypeId::kChar: {
      size_t n = text.size();
      while (n > 0 && text[n - 1] == ' ') --n;
      if (n > type.length) {
        return Bad(type, text,
                   std::to_string(n) + " bytes is longer than " + std::to_string(type.length));
      }
      out->s.assign(text.data(), n);
      return Status::OK();
    }
    case TypeId::kVarchar:
      if (text.size() > type.length) {
        return Bad(
            type, text,
            std::to_string(text.size()) + " bytes is longer than " + std::to_string(type.length));
      }
      out->s.assign(text.data(), text.size());
      return Status::OK();
    case TypeId::kBytes: {
      if (text.size() % 2 != 0) return Bad(type, text, "odd number of hex digits");
      out->s.resize(text.size() / 2);
      for (size_t k = 0; k < text.size(); k += 2) {
        const int hi = HexValue(text[k]), lo = HexValue(text[k + 1]);
        if (hi < 0 || lo < 0) return Bad(type, text, "not hexadecimal");
        out->s[k / 2] = static_cast<char>(hi * 16 + lo);
      }
      return Status::OK();
    }
    case TypeId::kNull:
      break;
  }
  return Status::InvalidArgument("no text form for type " + type.ToString());
}

Result<Datum> ValueFromText(const Type& type, std::string_view text) {
  Datum d;
  PD_RETURN_IF_ERROR(ParseValueText(type, text, &d));
  return d;
}

void AppendValueText(const Type& type, const Datum& d, std::string* out) {
  if (d.is_null()) return;
  char buf[64];
  switch (type.id) {
    case TypeId::kBool:
      *out += d.i ? "true" : "false";
      return;
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDate:
      if (type.id == TypeId::kDate) {
        *out += FormatDate(static_cast<int32_t>(d.i));
      } else {
        std::snprintf(buf, sizeof(buf), "%" PRId64, d.i);
        *out += buf;
      }
      return;
    case TypeId::kDecimal: {
      // |INT64_MIN| does not fit int64: work in uint64.
      const bool neg = d.i < 0;
      const uint64_t mag = neg ? 0 - static_cast<uint64_t>(d.i) : static_cast<uint64_t>(d.i);
      if (type.scale == 0) {
        std::snprintf(buf, sizeof(buf), "%s%" PRIu64, neg ? "-" : "", mag);
      } else {
        // Scales above 18 do not occur for valid types (p <= 18); clamp the
        // power so a hostile Type cannot index past kPow10.
        const int sc = type.scale > 18 ? 18 : type.scale;
        const uint64_t p = static_cast<uint64_t>(kPow10[sc]);
        std::snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%0*" PRIu64, neg ? "-" : "", mag / p, sc,
                      mag % p);
      }
      *out += buf;
      return;
    }
    case TypeId::kDouble:
      if (std::isnan(d.d)) {
        *out += "nan";
      } else if (std::isinf(d.d)) {
        *out += d.d < 0 ? "-inf" : "inf";
      } else {
        // Like %.17g (round-trips), but locale-independent.
        const auto r = std::to_chars(buf, buf + sizeof(buf), d.d, std::chars_format::general, 17);
        out->append(buf, r.ptr);
      }
      return;
    case TypeId::kChar: {
      size_t n = d.s.size();
      while (n > 0 && d.s[n - 1] == ' ') --n;
      out->append(d.s.data(), n);
      return;
    }
    case TypeId::kVarchar:
      *out += d.s;
      return;
    case TypeId::kBytes: {
      static const char kHex[] = "0123456789abcdef";
      out->reserve(out->size() + d.s.size() * 2);
      for (unsigned char c : d.s) {
        *out += kHex[c >> 4];
        *out += kHex[c & 15];
      }
      return;
    }
    case TypeId::kNull:
      return;
  }
}

std::string FormatValue(const Type& type, const Datum& d) {
  std::string out;
  AppendValueText(type, d, &out);
  return out;
}

}  // namespace pushdown::bpfgen
