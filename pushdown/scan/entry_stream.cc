#include "pushdown/scan/entry_stream.h"

#include "util/coding.h"

namespace pushdown::exec {

bool DecodeFilteredKey(std::string_view internal_key, FilteredEntry* entry) {
  if (internal_key.size() < 8) return false;
  const size_t n = internal_key.size() - 8;
  const uint64_t packed = DecodeFixed64(internal_key.data() + n);
  entry->user_key = internal_key.substr(0, n);
  entry->seq = packed >> 8;
  entry->type = static_cast<uint8_t>(packed & 0xff);
  return true;
}

}  // namespace pushdown::exec
