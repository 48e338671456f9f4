#include "engine/cli/output_format.h"

#include <cstdint>

#include "engine/cli/output_writers.h"

namespace pushdown::engine::cli {

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "tsv") return OutputFormat::kTsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "table") return OutputFormat::kTable;
  std::string shown(name.substr(0, 32));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return Status::InvalidArgument("unknown output format '" + shown +
                                 "' (expected csv, tsv, json or table)");
}

CellKind CellKindOf(const bpfgen::Type& type) {
  if (type.id == bpfgen::TypeId::kBool) return CellKind::kBool;
  if (type.IsNumeric()) return CellKind::kNumber;
  return CellKind::kString;
}

std::unique_ptr<RowWriter> RowWriter::Make(OutputFormat f, std::ostream& out, bool header) {
  switch (f) {
    case OutputFormat::kCsv:
      return internal::MakeCsvWriter(out, header);
    case OutputFormat::kTsv:
      return internal::MakeTsvWriter(out, header);
    case OutputFormat::kJson:
      return internal::MakeJsonWriter(out);
    case OutputFormat::kTable:
      return internal::MakeTableWriter(out, header);
  }
  return internal::MakeCsvWriter(out, header);
}

namespace internal {
namespace {

// One line per record, built in `line_` and written with one call; nothing is
// written after the stream has failed.
class LineWriter : public RowWriter {
 public:
  explicit LineWriter(std::ostream& out) : out_(out) {}

 protected:
  void Emit() {
    line_ += '\n';
    if (out_.good()) out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
    line_.clear();
  }
  void End() override {
    if (out_.good()) out_.flush();
  }
  std::ostream& out_;
  std::string line_;
};

class CsvWriter final : public LineWriter {
 public:
  CsvWriter(std::ostream& out, bool header) : LineWriter(out), header_(header) {}
  void Begin(const std::vector<std::string>& names, const std::vector<CellKind>&) override {
    if (!header_) return;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i) line_ += ',';
      AppendField(names[i]);
    }
    Emit();
  }
  void Row(const std::vector<std::optional<std::string>>& cells) override {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) line_ += ',';
      if (cells[i]) AppendField(*cells[i]);
    }
    Emit();
  }

 private:
  void AppendField(std::string_view s) {
    bool quote = s.empty();
    for (char c : s) quote |= c == ',' || c == '"' || c == '\n' || c == '\r';
    if (!quote) {
      line_.append(s);
      return;
    }
    line_ += '"';
    for (char c : s) {
      if (c == '"') line_ += '"';
      line_ += c;
    }
    line_ += '"';
  }
  bool header_;
};

class TsvWriter final : public LineWriter {
 public:
  TsvWriter(std::ostream& out, bool header) : LineWriter(out), header_(header) {}
  void Begin(const std::vector<std::string>& names, const std::vector<CellKind>&) override {
    if (!header_) return;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i) line_ += '\t';
      AppendField(names[i]);
    }
    Emit();
  }
  void Row(const std::vector<std::optional<std::string>>& cells) override {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) line_ += '\t';
      if (cells[i]) {
        AppendField(*cells[i]);
      } else {
        line_ += "\\N";
      }
    }
    Emit();
  }

 private:
  void AppendField(std::string_view s) {
    for (char c : s) {
      switch (c) {
        case '\\':
          line_ += "\\\\";
          break;
        case '\t':
          line_ += "\\t";
          break;
        case '\n':
          line_ += "\\n";
          break;
        case '\r':
          line_ += "\\r";
          break;
        default:
          line_ += c;
      }
    }
  }
  bool header_;
};

class JsonWriter final : public LineWriter {
 public:
  explicit JsonWriter(std::ostream& out) : LineWriter(out) {}
  void Begin(const std::vector<std::string>& names, const std::vector<CellKind>& kinds) override {
    keys_.clear();
    for (size_t i = 0; i < names.size(); ++i) {
      std::string key = i ? "," : "{";
      AppendJsonString(names[i], &key);
      key += ':';
      keys_.push_back(std::move(key));
    }
    kinds_ = kinds;
  }
  void Row(const std::vector<std::optional<std::string>>& cells) override {
    if (cells.empty()) line_ += '{';
    for (size_t i = 0; i < cells.size(); ++i) {
      line_ += keys_[i];
      const std::optional<std::string>& c = cells[i];
      if (!c) {
        line_ += "null";
      } else if (kinds_[i] == CellKind::kNumber && IsJsonNumber(*c)) {
        line_ += *c;
      } else if (kinds_[i] == CellKind::kBool && (*c == "true" || *c == "false")) {
        line_ += *c;
      } else {
        AppendJsonString(*c, &line_);
      }
    }
    line_ += '}';
    Emit();
  }

 private:
  std::vector<std::string> keys_;  // ",\"name\":" (the first with '{')
  std::vector<CellKind> kinds_;
};

// Length of the valid UTF-8 sequence at s[i] (1..4), or 0 if s[i] does not
// start one (stray continuation byte, overlong form, surrogate, > U+10FFFF,
// truncated sequence).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::unique_ptr<RowWriter> MakeCsvWriter(std::ostream& out, bool header) {
  return std::make_unique<CsvWriter>(out, header);
}
std::unique_ptr<RowWriter> MakeTsvWriter(std::ostream& out, bool header) {
  return std::make_unique<TsvWriter>(out, header);
}
std::unique_ptr<RowWriter> MakeJsonWriter(std::ostream& out) {
  return std::make_unique<JsonWriter>(out);
}

void AppendJsonString(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  *out += '"';
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        *out += "\\ufffd";
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          *out += "\\u00";
          *out += kHex[c >> 4];
          *out += kHex[c & 15];
        } else {
          *out += static_cast<char>(c);
        }
    }
  }
  *out += '"';
}

bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i >= n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  return i == n;
}

}  // namespace internal
}  // namespace pushdown::engine::cli
