#include "bpfgen/lang/diagnostic.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "util/source_diagnostic.h"

namespace pushdown::bpfgen {
std::string FormatDiagnostic(std::string_view text, SourceRange range, std::string_view message) {
  return FormatSourceDiagnostic(text, range.begin, range.end, message);
}

Status Diagnostic(std::string_view text, SourceRange range, std::string_view message) {
  return Status::InvalidArgument(FormatDiagnostic(text, range, message));
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace pushdown::bpfgen
