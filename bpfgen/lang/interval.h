// DATE +/- INTERVAL arithmetic, folded at parse time (docs/LANGUAGE.md,
// "Date intervals"): the parser reads `DATE 'YYYY-MM-DD' - INTERVAL '90' DAY`
// and produces one DATE literal, so the type checker, the evaluator and both
// code generators only ever see DATE literals. This file holds the calendar
// rule and the text forms; the syntax lives in parser.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pushdown::bpfgen {

enum class IntervalUnit : uint8_t { kDay, kMonth, kYear };

// A signed count of one unit, e.g. INTERVAL '-3' MONTH = {-3, kMonth}.
struct Interval {
  int64_t count = 0;
  IntervalUnit unit = IntervalUnit::kDay;
};

// DAY, MONTH, YEAR and the plurals DAYS, MONTHS, YEARS, case-insensitive;
// nullopt for anything else.
std::optional<IntervalUnit> ParseIntervalUnit(std::string_view word);

// "DAY", "MONTH", "YEAR".
const char* IntervalUnitName(IntervalUnit unit);

// The count of an interval string literal: optional blanks, an optional sign,
// 1..19 decimal digits, optional blanks. If `unit` is not null the digits may
// be followed by blanks and a unit word ('90 days', as PostgreSQL writes it);
// *unit is then set, or left unset when the string holds only the count.
enum class IntervalCountError : uint8_t { kNone, kNotInteger, kOutOfRange, kBadUnit };
IntervalCountError ParseIntervalCount(std::string_view text, int64_t* count,
                                      std::optional<IntervalUnit>* unit);

// *out = days + interval (days - interval if `subtract`), where days are days
// since 1970-01-01. DAY adds days. MONTH and YEAR (12 months) move the
// calendar month and keep the day of the month, clamped to the last day of
// the resulting month as PostgreSQL does: 2024-01-31 + 1 MONTH = 2024-02-29,
// 2024-02-29 + 1 YEAR = 2025-02-28, 2024-03-31 - 1 MONTH = 2024-02-29.
// Returns false if the result is outside 0001-01-01..9999-12-31 (no overflow
// for any count). REQUIRES: days is a date in that range.
bool AddInterval(int32_t days, Interval interval, bool subtract, int32_t* out);

}  // namespace pushdown::bpfgen
