#include "pushdown/scan/key_range.h"

namespace pushdown::exec {

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

KeyRange PrefixRange(std::string_view prefix) {
  KeyRange r;
  r.lower = std::string(prefix);
  r.upper = PrefixSuccessor(prefix);
  return r;
}

}  // namespace pushdown::exec
