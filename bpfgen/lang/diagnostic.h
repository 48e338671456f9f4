// User-facing diagnostics: "line:column: message", the source line, and a
// caret line under the offending token (^~~~ spanning it):
//   1:1: unknown column 'l_shipdat' (did you mean 'l_shipdate'?)
//   l_shipdat >= DATE '1994-01-01'
//   ^~~~~~~~~
// Lines are 1-based and split at '\n'; columns are 1-based and count
// characters (UTF-8 code points), a tab counting as one and echoed in the
// caret line so the caret lines up in a terminal. NUL bytes, other control
// characters and invalid UTF-8 are printed escaped (\x00, \xff; see
// util/source_diagnostic.h, which renders it for every parser).
#pragma once

#include <string>
#include <string_view>

#include "bpfgen/lang/ast.h"
#include "util/status.h"

namespace pushdown::bpfgen {

// The full diagnostic text (three lines, no trailing newline).
// REQUIRES: range.begin <= text.size().
std::string FormatDiagnostic(std::string_view text, SourceRange range, std::string_view message);

// Status::InvalidArgument(FormatDiagnostic(...)).
Status Diagnostic(std::string_view text, SourceRange range, std::string_view message);

// Edit (Levenshtein) distance, case-insensitive; for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace pushdown::bpfgen
