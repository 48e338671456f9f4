#include "engine/plugin/pushdown_fs_options.h"

namespace pushdown::engine {

Result<std::vector<std::pair<std::string, std::string>>> ParsePushdownUri(std::string_view uri) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string_view rest;
  if (uri == kPushdownId || uri == kPushdownClassName) {
    return pairs;
  }
  if (uri.substr(0, kPushdownScheme.size()) != kPushdownScheme) {
    return Status::InvalidArgument("not a pushdown uri: '" + std::string(uri) + "'");
  }
  rest = uri.substr(kPushdownScheme.size());
  while (!rest.empty()) {
    size_t end = rest.find_first_of(";&");
    std::string_view segment = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (segment.empty()) {
      continue;
    }
    size_t eq = segment.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Status::InvalidArgument("bad pushdown uri option '" + std::string(segment) +
                                     "': expected key=value");
    }
    pairs.emplace_back(std::string(segment.substr(0, eq)), std::string(segment.substr(eq + 1)));
  }
  return pairs;
}

std::string ToOptionsString(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) {
      out += ';';
    }
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace pushdown::engine
