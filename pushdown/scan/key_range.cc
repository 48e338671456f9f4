#include "pushdown/scan/key_range.h"

#include <algorithm>

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

KeyRange Intersect(const KeyRange& a, const KeyRange& b) {
  KeyRange r;
  r.lower = !a.lower ? b.lower : !b.lower ? a.lower : std::max(*a.lower, *b.lower);
  r.upper = !a.upper ? b.upper : !b.upper ? a.upper : std::min(*a.upper, *b.upper);
  return r;
}

}  // namespace pushdown::exec
