// Hex text of byte strings: the one encoder of the explain text, the
// --stats/explain JSON and the CLI's ldb-compatible lines.
#pragma once

#include <string>
#include <string_view>

namespace pushdown {

enum class HexCase { kLower, kUpper };

// Two hex digits per byte, most significant nibble first, no prefix.
inline std::string HexEncode(std::string_view bytes, HexCase c = HexCase::kLower) {
  const char* digits = c == HexCase::kLower ? "0123456789abcdef" : "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

}  // namespace pushdown
