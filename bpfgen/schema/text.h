// SQL text <-> Datum for every column type (the one home of value text: the
// CLI's output, the importer's input, embedders' PutText).
//
// Text accepted by ParseValueText (strict: no surrounding spaces, no other
// spellings; anything else is InvalidArgument "bad <TYPE> '<text>': <why>"):
//   BOOL          true | false | t | f | 1 | 0 (case-insensitive)
//   INT32, INT64  [+-]digits, in range of the type (no leading/trailing spaces)
//   DECIMAL(p,s)  [+-]digits[.digits] or [+-].digits. At most p-s integer
//                 digits. Fractional digits beyond s must all be zero
//                 ("1.500" is 1.50 in DECIMAL(15,2)); a nonzero digit beyond
//                 the scale is an error, never rounded: values are exact.
//                 No exponents.
//   DATE          YYYY-MM-DD exactly (4-2-2 digits), a real calendar day in
//                 0001-01-01..9999-12-31 (leap years checked: 1994-02-29 is
//                 bad, 1996-02-29 good).
//   DOUBLE        a decimal or hex floating literal as strtod reads it in the
//                 "C" locale (the process locale does not matter), "inf",
//                 "-inf", "nan" (case-insensitive; every NaN spelling gives the
//                 quiet NaN 0x7ff8000000000000). A finite literal whose
//                 magnitude overflows is an error; underflow gives the
//                 nearest representable value (possibly 0 or subnormal).
//   CHAR(n)       any bytes; trailing spaces are insignificant (removed in
//                 the Datum); at most n bytes remain.
//   VARCHAR(n)    any bytes, at most n.
//   BYTES         hexadecimal, two digits per byte (either case), even length.
// NULL is not a text of any type here: the caller decides how NULL is spelled
// (the importer: an empty unquoted field, see docs/IMPORT.md).
//
// FormatValue writes the canonical text, which ParseValueText reads back to
// the same Datum (Datum::operator==) for every valid value of the type (NaN:
// any NaN formats as "nan", which reads back as the quiet NaN):
//   BOOL true/false; ints decimal; DATE YYYY-MM-DD; DECIMAL with exactly s
//   fractional digits ("-0.05", "12" for s = 0); DOUBLE as %.17g in the "C"
//   locale ("inf", "-inf",
//   "nan", "-0"); CHAR without its trailing spaces; VARCHAR as is; BYTES
//   lowercase hex; NULL "" (not parseable: see above).
#pragma once

#include <string>
#include <string_view>

#include "bpfgen/schema/datum.h"
#include "bpfgen/schema/types.h"
#include "util/status.h"

namespace pushdown::bpfgen {

// Parses `text` as a non-NULL value of `type` into *out (reusing out->s's
// capacity). InvalidArgument "bad DATE '1994-13-01': month 13 is not in 1..12"
// (the text is shown escaped and cut to 64 bytes). kNull type: InvalidArgument.
Status ParseValueText(const Type& type, std::string_view text, Datum* out);
Result<Datum> ValueFromText(const Type& type, std::string_view text);

// The canonical text of `d` (see above). NULL -> "".
std::string FormatValue(const Type& type, const Datum& d);
// Appends FormatValue(type, d) to *out.
void AppendValueText(const Type& type, const Datum& d, std::string* out);

// `text` for an error message: printable ASCII kept, other bytes as \xHH,
// cut after 64 bytes with "...".
std::string QuoteForError(std::string_view text);

}  // namespace pushdown::bpfgen
