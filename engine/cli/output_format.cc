// A minimal implementation of output_format.h for the `query` command (the
// header is the interface agreed with the output-format work, which replaces
// this file at merge): csv, tsv, json and table as the header describes,
// without the table's streaming buffer limits (it buffers every row).
#include "engine/cli/output_format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace pushdown::engine::cli {
namespace {

std::string CsvQuote(const std::string& s) {
  if (!s.empty() && s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string TsvEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsonQuote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

bool IsJsonNumber(const std::string& s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' && c != 'E' &&
        c != '+' && c != '-')
      return false;
  }
  return true;
}

class DelimitedWriter final : public RowWriter {
 public:
  DelimitedWriter(bool tsv, std::ostream& out, bool header)
      : tsv_(tsv), out_(out), header_(header) {}
  void Begin(const std::vector<std::string>& names, const std::vector<CellKind>&) override {
    if (!header_) return;
    std::vector<std::optional<std::string>> cells(names.begin(), names.end());
    Row(cells);
  }
  void Row(const std::vector<std::optional<std::string>>& cells) override {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) line += tsv_ ? '\t' : ',';
      if (!cells[i]) {
        if (tsv_) line += "\\N";
      } else {
        line += tsv_ ? TsvEscape(*cells[i]) : CsvQuote(*cells[i]);
      }
    }
    line += '\n';
    out_ << line;
  }
  void End() override { out_.flush(); }

 private:
  bool tsv_;
  std::ostream& out_;
  bool header_;
};

class JsonWriter final : public RowWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  void Begin(const std::vector<std::string>& names, const std::vector<CellKind>& kinds) override {
    names_ = names;
    kinds_ = kinds;
  }
  void Row(const std::vector<std::optional<std::string>>& cells) override {
    std::string line = "{";
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) line += ',';
      line += JsonQuote(names_[i]) + ':';
      if (!cells[i]) {
        line += "null";
      } else if (kinds_[i] == CellKind::kNumber && IsJsonNumber(*cells[i])) {
        line += *cells[i];
      } else if (kinds_[i] == CellKind::kBool && (*cells[i] == "true" || *cells[i] == "false")) {
        line += *cells[i];
      } else {
        line += JsonQuote(*cells[i]);
      }
    }
    line += "}\n";
    out_ << line;
  }
  void End() override { out_.flush(); }

 private:
  std::ostream& out_;
  std::vector<std::string> names_;
  std::vector<CellKind> kinds_;
};

size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class TableWriter final : public RowWriter {
 public:
  TableWriter(std::ostream& out, bool header) : out_(out), header_(header) {}
  void Begin(const std::vector<std::string>& names, const std::vector<CellKind>& kinds) override {
    names_ = names;
    kinds_ = kinds;
    widths_.assign(names.size(), 0);
    if (header_) {
      for (size_t i = 0; i < names.size(); ++i) widths_[i] = Width(names[i]);
    }
  }
  void Row(const std::vector<std::optional<std::string>>& cells) override {
    std::vector<std::string> r;
    for (size_t i = 0; i < cells.size(); ++i) {
      r.push_back(cells[i] ? *cells[i] : "NULL");
      widths_[i] = std::max(widths_[i], Width(r.back()));
    }
    rows_.push_back(std::move(r));
  }
  void End() override {
    std::string rule = "+";
    for (size_t w : widths_) rule += std::string(w + 2, '-') + "+";
    rule += '\n';
    out_ << rule;
    if (header_) {
      Line(names_, /*names=*/true);
      out_ << rule;
    }
    for (const auto& r : rows_) Line(r, false);
    if (!rows_.empty() || !header_) out_ << rule;
    out_.flush();
  }

 private:
  void Line(const std::vector<std::string>& cells, bool names) {
    std::string line = "|";
    for (size_t i = 0; i < cells.size(); ++i) {
      const std::string pad(widths_[i] - Width(cells[i]), ' ');
      const bool right = !names && kinds_[i] == CellKind::kNumber;
      line += " " + (right ? pad + cells[i] : cells[i] + pad) + " |";
    }
    out_ << line << '\n';
  }

  std::ostream& out_;
  bool header_;
  std::vector<std::string> names_;
  std::vector<CellKind> kinds_;
  std::vector<size_t> widths_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "tsv") return OutputFormat::kTsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "table") return OutputFormat::kTable;
  return Status::InvalidArgument("unknown output format '" + std::string(name) +
                                 "' (expected csv, tsv, json or table)");
}

CellKind CellKindOf(const bpfgen::Type& type) {
  if (type.IsNumeric()) return CellKind::kNumber;
  if (type.id == bpfgen::TypeId::kBool) return CellKind::kBool;
  return CellKind::kString;
}

std::unique_ptr<RowWriter> RowWriter::Make(OutputFormat f, std::ostream& out, bool header) {
  switch (f) {
    case OutputFormat::kCsv:
      return std::make_unique<DelimitedWriter>(false, out, header);
    case OutputFormat::kTsv:
      return std::make_unique<DelimitedWriter>(true, out, header);
    case OutputFormat::kJson:
      return std::make_unique<JsonWriter>(out);
    case OutputFormat::kTable:
      return std::make_unique<TableWriter>(out, header);
  }
  return nullptr;
}

}  // namespace pushdown::engine::cli
