// Rendering of user-facing diagnostics against their source text, shared by
// every parser (predicates: bpfgen/lang/diagnostic.h; DDL: bpfgen/schema),
// and the one place where untrusted bytes are made safe to print.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pushdown {

// `text` with every byte that is not part of printable, valid UTF-8 written as
// \xHH: NUL and other control characters (except '\n' and '\t'), DEL, and
// bytes of invalid or overlong UTF-8 sequences. Valid UTF-8 (multi-byte code
// points included) and backslashes pass unchanged, so EscapeText is
// idempotent: EscapeText(EscapeText(s)) == EscapeText(s).
std::string EscapeText(std::string_view text);

// "line:column: message", the source line, and a caret line under
// [begin, end) (^~~~ spanning it). Lines are 1-based and split at '\n';
// columns are 1-based and count characters (UTF-8 code points), a tab
// counting as one and echoed in the caret line. The source line and the
// message are printed through EscapeText, and the caret still lines up under
// escaped bytes. A long line is shown as a window around the caret. No
// trailing newline. Offsets past the text are clamped to its end.
std::string FormatSourceDiagnostic(std::string_view text, size_t begin, size_t end,
                                   std::string_view message);

}  // namespace pushdown
