#include "util/source_diagnostic.h"

#include <algorithm>
#include <cstdint>

#include "util/utf8.h"

namespace pushdown {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Lines longer than this are shown as a window around the caret.
constexpr size_t kMaxShownLine = 160;

// Length of the valid, printable UTF-8 sequence at text[i], or 0 when the byte
// there must be escaped. '\n' and '\t' count as printable.
size_t PrintableUnit(std::string_view text, size_t i) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return (c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t' ? 1 : 0;
  const size_t n = Utf8SequenceLength(text, i);
  // C1 control characters U+0080..U+009F: the sequences C2 80..C2 9F.
  if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) return 0;
  return n;
}

void AppendEscaped(unsigned char c, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  *out += "\\x";
  *out += kHex[c >> 4];
  *out += kHex[c & 15];
}

}  // namespace

std::string EscapeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = PrintableUnit(text, i);
    if (n == 0) {
      AppendEscaped(static_cast<unsigned char>(text[i]), &out);
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string FormatSourceDiagnostic(std::string_view text, size_t begin, size_t end,
                                   std::string_view message) {
  size_t offset = std::min(begin, text.size());
  end = std::clamp(end, offset, text.size());
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

  // The source line and the caret line, unit by unit: a printable code point
  // is one column, an escaped byte as wide as its \xHH.
  std::string shown, caret(prefix.size(), ' ');
  bool caret_started = false;
  for (size_t i = show_begin; i < show_end;) {
    size_t n = PrintableUnit(text, i);
    size_t width = 1;
    if (n == 0) {
      AppendEscaped(static_cast<unsigned char>(text[i]), &shown);
      n = 1;
      width = 4;
    } else {
      shown.append(text.substr(i, n));
    }
    if (i < offset) {
      caret.append(width, text[i] == '\t' ? '\t' : ' ');
    } else if (i < end || (i == offset && !caret_started)) {
      caret += caret_started ? std::string(width, '~') : "^" + std::string(width - 1, '~');
      caret_started = true;
    }
    i += n;
  }
  if (!caret_started) caret += '^';

  std::string out = std::to_string(line) + ":" + std::to_string(column) + ": ";
  out += EscapeText(message);
  out += '\n';
  out += prefix;
  out += shown;
  out += suffix;
  out += '\n';
  out += caret;
  return out;
}

}  // namespace pushdown
