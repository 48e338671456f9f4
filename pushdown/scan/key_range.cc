#include "pushdown/scan/key_range.h"

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

}  // namespace pushdown::exec
