#include "pushdown/scan/key_range.h"

#include <algorithm>

#include "bpfgen/lang/key_ranges.h"

namespace pushdown::exec {

// One definition of the successor: the key-range derivation's (bpfgen/lang).
std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  return bpfgen::KeyPrefixSuccessor(prefix);
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
