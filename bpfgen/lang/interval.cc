#include "bpfgen/lang/interval.h"

#include <cctype>

#include "bpfgen/schema/date.h"

namespace pushdown::bpfgen {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Any count beyond this moves every valid date out of the DATE range (which
// spans fewer than 10^7 days), so larger counts need no exact arithmetic.
constexpr int64_t kMaxUsefulCount = 100'000'000;

}  // namespace

std::optional<IntervalUnit> ParseIntervalUnit(std::string_view word) {
  struct Name {
    std::string_view name;
    IntervalUnit unit;
  };
  static constexpr Name kNames[] = {
      {"DAY", IntervalUnit::kDay},     {"DAYS", IntervalUnit::kDay},
      {"MONTH", IntervalUnit::kMonth}, {"MONTHS", IntervalUnit::kMonth},
      {"YEAR", IntervalUnit::kYear},   {"YEARS", IntervalUnit::kYear},
  };
  for (const Name& n : kNames) {
    if (EqualsIgnoreCase(word, n.name)) return n.unit;
  }
  return std::nullopt;
}

const char* IntervalUnitName(IntervalUnit unit) {
  switch (unit) {
    case IntervalUnit::kDay:
      return "DAY";
    case IntervalUnit::kMonth:
      return "MONTH";
    case IntervalUnit::kYear:
      return "YEAR";
  }
  return "?";
}

IntervalCountError ParseIntervalCount(std::string_view text, int64_t* count,
                                      std::optional<IntervalUnit>* unit) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n && IsBlank(text[i])) ++i;
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  const size_t digits_begin = i;
  while (i < n && IsDigit(text[i])) ++i;
  const size_t digits_end = i;
  if (digits_begin == digits_end) return IntervalCountError::kNotInteger;
  if (i < n && !IsBlank(text[i])) return IntervalCountError::kNotInteger;  // "1.5", "1x"
  while (i < n && IsBlank(text[i])) ++i;
  if (i < n) {
    // Trailing text: a unit word, if the caller allows one.
    size_t word_end = i;
    while (word_end < n && !IsBlank(text[word_end])) ++word_end;
    size_t rest = word_end;
    while (rest < n && IsBlank(text[rest])) ++rest;
    const bool word = std::isalpha(static_cast<unsigned char>(text[i])) != 0;
    if (unit == nullptr || rest != n || !word) return IntervalCountError::kNotInteger;
    std::optional<IntervalUnit> u = ParseIntervalUnit(text.substr(i, word_end - i));
    if (!u) return IntervalCountError::kBadUnit;
    *unit = u;
  }
  // Saturate at kMaxUsefulCount + 1: such a count is out of range for any
  // date, and is reported so by AddInterval; only absurd digit strings are an
  // error here.
  if (digits_end - digits_begin > 19) return IntervalCountError::kOutOfRange;
  int64_t v = 0;
  for (size_t d = digits_begin; d < digits_end; ++d) {
    v = v * 10 + (text[d] - '0');
    if (v > kMaxUsefulCount) {
      v = kMaxUsefulCount + 1;
      break;
    }
  }
  *count = negative ? -v : v;
  return IntervalCountError::kNone;
}

bool AddInterval(int32_t days, Interval interval, bool subtract, int32_t* out) {
  int64_t count = interval.count;
  if (count > kMaxUsefulCount || count < -kMaxUsefulCount) return false;
  if (subtract) count = -count;
  int64_t result;
  if (interval.unit == IntervalUnit::kDay) {
    result = int64_t{days} + count;
  } else {
    const int64_t months = interval.unit == IntervalUnit::kYear ? count * 12 : count;
    int64_t year;
    unsigned month, day;
    CivilFromDays(days, &year, &month, &day);
    // Months since 0000-01, then back to a year and month (floor division).
    const int64_t total = year * 12 + (month - 1) + months;
    const int64_t new_year = total >= 0 ? total / 12 : (total - 11) / 12;
    const unsigned new_month = static_cast<unsigned>(total - new_year * 12) + 1;
    if (new_year < 1 || new_year > 9999) return false;
    const unsigned last = DaysInMonth(new_year, new_month);
    result = DaysFromCivil(new_year, new_month, day < last ? day : last);
  }
  if (result < kMinDateDays || result > kMaxDateDays) return false;
  *out = static_cast<int32_t>(result);
  return true;
}

}  // namespace pushdown::bpfgen
