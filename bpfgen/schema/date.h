// Calendar dates as days since 1970-01-01 (proleptic Gregorian), the DATE
// representation of types.h. Conversions use Howard Hinnant's civil-days
// algorithms (exact for every int32 day count).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pushdown::bpfgen {

// The DATE range the language accepts: 0001-01-01 .. 9999-12-31.
inline constexpr int32_t kMinDateDays = -719162;  // 0001-01-01
inline constexpr int32_t kMaxDateDays = 2932896;  // 9999-12-31

// Days since 1970-01-01 of year-month-day. REQUIRES: a valid civil date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
// Inverse of DaysFromCivil.
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

bool IsLeapYear(int64_t year);
// 28..31. REQUIRES: 1 <= month <= 12.
unsigned DaysInMonth(int64_t year, unsigned month);

// Parses exactly "YYYY-MM-DD" (four, two and two digits), validating month,
// day of month (leap years included) and the range 0001-01-01..9999-12-31.
// Returns false (leaving *days unspecified) if it is not such a date.
bool ParseDate(std::string_view yyyy_mm_dd, int32_t* days);

// "YYYY-MM-DD" for a date in range; days outside the range still format
// (years may then have more digits or a sign) but do not round-trip.
std::string FormatDate(int32_t days);

}  // namespace pushdown::bpfgen
