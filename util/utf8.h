// UTF-8 validation shared by the JSON writer (util/json.h) and the
// diagnostics printer (util/source_diagnostic.h).
#pragma once

#include <cstddef>
#include <string_view>

namespace pushdown {

// Length of the valid UTF-8 sequence at s[i] (1..4), or 0 if s[i] does not
// start one (stray continuation byte, overlong form, surrogate, > U+10FFFF,
// truncated sequence). REQUIRES: i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

}  // namespace pushdown
