// JSON text helpers shared by every writer of JSON (the CLI's json output
// format, the --stats line, the C API's stats and explain strings).
#pragma once

#include <string>
#include <string_view>

namespace pushdown {

// Appends `s` as a JSON string literal (quotes included). Always valid JSON:
// " and \ escaped, control characters as \n \r \t \b \f or \u00XX, each byte
// of an invalid UTF-8 sequence as \ufffd; valid UTF-8 passes unchanged.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace pushdown
