#include "bpfgen/lang/diagnostic.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace pushdown::bpfgen {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Lines longer than this are shown as a window around the caret.
constexpr size_t kMaxShownLine = 160;

}  // namespace

std::string FormatDiagnostic(std::string_view text, SourceRange range, std::string_view message) {
  size_t offset = std::min<size_t>(range.begin, text.size());
  size_t end = std::clamp<size_t>(range.end, offset, text.size());
  size_t line_start = 0;
  int line = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  size_t line_end = text.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = text.size();
  int column = 1;
  for (size_t i = line_start; i < offset; ++i) {
    if (!IsContinuation(text[i])) ++column;
  }

  // The shown part of the line: all of it, or a window around the caret.
  size_t show_begin = line_start;
  size_t show_end = line_end;
  if (show_end > 0 && show_end > show_begin && text[show_end - 1] == '\r') --show_end;
  std::string prefix, suffix;
  if (show_end - show_begin > kMaxShownLine) {
    size_t half = kMaxShownLine / 2;
    size_t b = offset > show_begin + half ? offset - half : show_begin;
    size_t e = std::min(show_end, b + kMaxShownLine);
    while (b > show_begin && b < text.size() && IsContinuation(text[b])) --b;
    while (e < show_end && IsContinuation(text[e])) ++e;
    if (b > show_begin) prefix = "...";
    if (e < show_end) suffix = "...";
    show_begin = b;
    show_end = e;
  }
  end = std::min(end, show_end);

  std::string out = std::to_string(line) + ":" + std::to_string(column) + ": ";
  out.append(message);
  out += '\n';
  out += prefix;
  out.append(text.substr(show_begin, show_end - show_begin));
  out += suffix;
  out += '\n';
  out.append(prefix.size(), ' ');
  for (size_t i = show_begin; i < offset && i < show_end; ++i) {
    if (text[i] == '\t') {
      out += '\t';
    } else if (!IsContinuation(text[i])) {
      out += ' ';
    }
  }
  out += '^';
  bool first = true;
  for (size_t i = offset; i < end; ++i) {
    if (IsContinuation(text[i])) continue;
    if (first) {
      first = false;
      continue;
    }
    out += '~';
  }
  return out;
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
