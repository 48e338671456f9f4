// Internal to the output formats (output_format.h): the writers' factories
// and the text helpers they share. Not for other callers.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "engine/cli/output_format.h"
#include "util/json.h"

namespace pushdown::engine::cli::internal {

std::unique_ptr<RowWriter> MakeCsvWriter(std::ostream& out, bool header);
std::unique_ptr<RowWriter> MakeTsvWriter(std::ostream& out, bool header);
std::unique_ptr<RowWriter> MakeJsonWriter(std::ostream& out);
std::unique_ptr<RowWriter> MakeTableWriter(std::ostream& out, bool header);

// The JSON string literal writer (always valid JSON): util/json.h.
using ::pushdown::AppendJsonString;

// True if `s` is a JSON number (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?).
bool IsJsonNumber(std::string_view s);

}  // namespace pushdown::engine::cli::internal
