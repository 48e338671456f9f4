// ldb's key/value text forms, so that `pushdown scan --hex` reads and prints
// keys exactly as stock `ldb --hex scan` does.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace pushdown::engine {

// ldb's hex input ("--hex --from=0x6B00"): "0x" (or "0X") followed by an even
// number of hex digits, either case. "0x" alone is the empty key.
// InvalidArgument naming the flag and the offending position otherwise.
Result<std::string> ParseLdbHex(std::string_view flag, std::string_view text);

// ldb's hex output: "0x" + uppercase hex digits ("" -> "0x").
std::string LdbHex(std::string_view bytes);

// One line of `ldb --hex scan`: "0x<KEY> : 0x<VALUE>" (no newline).
std::string LdbScanLine(std::string_view key, std::string_view value);

}  // namespace pushdown::engine
