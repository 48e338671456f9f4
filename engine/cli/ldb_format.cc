#include "engine/cli/ldb_format.h"

#include "util/hex.h"

namespace pushdown::engine {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> ParseLdbHex(std::string_view flag, std::string_view text) {
  const std::string where = "--" + std::string(flag) + "='" + std::string(text) + "'";
  if (text.size() < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
    return Status::InvalidArgument(where + ": with --hex a key is 0x followed by hex digits");
  }
  std::string_view digits = text.substr(2);
  if (digits.size() % 2 != 0) {
    return Status::InvalidArgument(where + ": odd number of hex digits");
  }
  std::string out;
  out.reserve(digits.size() / 2);
  for (size_t i = 0; i < digits.size(); i += 2) {
    const int hi = HexDigit(digits[i]), lo = HexDigit(digits[i + 1]);
    if (hi < 0 || lo < 0) {
      const size_t bad = hi < 0 ? i : i + 1;
      return Status::InvalidArgument(where + ": not a hex digit at offset " +
                                     std::to_string(bad + 2));
    }
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::string LdbHex(std::string_view bytes) { return "0x" + HexEncode(bytes, HexCase::kUpper); }

std::string LdbScanLine(std::string_view key, std::string_view value) {
  return LdbHex(key) + " : " + LdbHex(value);
}

}  // namespace pushdown::engine
