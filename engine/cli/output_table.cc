// The `table` output format (output_format.h): an ASCII box, widths from the
// first kTableBufferRows rows (or kTableBufferBytes of cell text).
#include <algorithm>

#include "engine/cli/output_writers.h"
#include "util/source_diagnostic.h"

namespace pushdown::engine::cli::internal {
namespace {

// A cell as shown: EscapeText (control characters other than LF and TAB --
// CR and ESC included --, DEL and invalid UTF-8 as \xHH), then LF and TAB as
// \n and \t, so that one row is one line and no cell can move the cursor.
std::string Display(std::string_view s) {
  std::string escaped = EscapeText(s);
  std::string out;
  out.reserve(escaped.size());
  for (char c : escaped) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out;
}

// Code points of valid UTF-8 (what Display returns).
size_t Width(std::string_view s) {
  size_t w = 0;
  for (char c : s) w += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return w;
}

class TableWriter final : public RowWriter {
 public:
  TableWriter(std::ostream& out, bool header) : out_(out), header_(header) {}

  void Begin(const std::vector<std::string>& names, const std::vector<CellKind>& kinds) override {
    kinds_ = kinds;
    names_.clear();
    widths_.assign(names.size(), 0);
    for (size_t i = 0; i < names.size(); ++i) {
      names_.push_back(Display(names[i]));
      if (header_) widths_[i] = Width(names_[i]);
    }
  }

  void Row(const std::vector<std::optional<std::string>>& cells) override {
    std::vector<std::string> shown;
    shown.reserve(cells.size());
    for (const std::optional<std::string>& c : cells) {
      shown.push_back(c ? Display(*c) : std::string("NULL"));
    }
    if (flushed_) {
      PrintRow(shown, /*names=*/false);
      return;
    }
    for (size_t i = 0; i < shown.size() && i < widths_.size(); ++i) {
      widths_[i] = std::max(widths_[i], Width(shown[i]));
      buffered_bytes_ += shown[i].size();
    }
    buffered_.push_back(std::move(shown));
    if (buffered_.size() >= kTableBufferRows || buffered_bytes_ >= kTableBufferBytes) Flush();
  }

  void End() override {
    if (!flushed_) Flush();
    Rule();
    if (out_.good()) out_.flush();
  }

 private:
  // Prints the top rule, the names and the buffered rows; later rows print
  // directly with the widths fixed here.
  void Flush() {
    flushed_ = true;
    Rule();
    if (header_) {
      PrintRow(names_, /*names=*/true);
      Rule();
    }
    for (const std::vector<std::string>& row : buffered_) PrintRow(row, /*names=*/false);
    buffered_.clear();
    buffered_.shrink_to_fit();
  }

  void Rule() {
    std::string line = "+";
    for (size_t w : widths_) {
      line.append(w + 2, '-');
      line += '+';
    }
    Write(line);
  }

  void PrintRow(const std::vector<std::string>& cells, bool names) {
    std::string line = "|";
    for (size_t i = 0; i < cells.size(); ++i) {
      const size_t width = i < widths_.size() ? widths_[i] : 0;
      const size_t w = Width(cells[i]);
      const size_t pad = width > w ? width - w : 0;
      const bool right = !names && i < kinds_.size() && kinds_[i] == CellKind::kNumber;
      line += ' ';
      if (right) line.append(pad, ' ');
      line += cells[i];
      if (!right) line.append(pad, ' ');
      line += " |";
    }
    Write(line);
  }

  void Write(std::string& line) {
    line += '\n';
    if (out_.good()) out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  }

  std::ostream& out_;
  const bool header_;
  std::vector<CellKind> kinds_;
  std::vector<std::string> names_;  // as displayed
  std::vector<size_t> widths_;      // code points per column, fixed at Flush()
  std::vector<std::vector<std::string>> buffered_;
  size_t buffered_bytes_ = 0;
  bool flushed_ = false;
};

}  // namespace

std::unique_ptr<RowWriter> MakeTableWriter(std::ostream& out, bool header) {
  return std::make_unique<TableWriter>(out, header);
}

}  // namespace pushdown::engine::cli::internal
