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
