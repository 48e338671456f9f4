#include "bpfgen/schema/date.h"

#include <cstdio>

namespace pushdown::bpfgen {

// http://howardhinnant.github.io/date_algorithms.html#days_from_civil
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);                        // [0, 399]
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// http://howardhinnant.github.io/date_algorithms.html#civil_from_days
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);             // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                       // [0, 11]
  *day = doy - (153 * mp + 2) / 5 + 1;                           // [1, 31]
  *month = mp < 10 ? mp + 3 : mp - 9;                            // [1, 12]
  *year = y + (*month <= 2);
}

bool IsLeapYear(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

namespace {

bool ParseDigits(std::string_view s, unsigned* out) {
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

bool ParseDate(std::string_view s, int32_t* days) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  unsigned year, month, day;
  if (!ParseDigits(s.substr(0, 4), &year) || !ParseDigits(s.substr(5, 2), &month) ||
      !ParseDigits(s.substr(8, 2), &day)) {
    return false;
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return false;
  }
  *days = static_cast<int32_t>(DaysFromCivil(year, month, day));
  return true;
}

std::string FormatDate(int32_t days) {
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(year), month, day);
  return buf;
}

}  // namespace pushdown::bpfgen
