// The function table of docs/LANGUAGE.md: names, arities, argument kinds.
#pragma once

#include <cstdint>
#include <string_view>

#include "bpfgen/lang/ast.h"

namespace pushdown::bpfgen {

enum class ArgKind : uint8_t {
  kString,         // BYTES, VARCHAR or CHAR (a CHAR is seen without trailing spaces)
  kInteger,        // INT32 or INT64 expression
  kStringLiteral,  // a string literal
};

struct FunctionInfo {
  Function function;
  std::string_view name;  // lower case, as printed
  int arity;
  ArgKind args[3];
  uint32_t width;  // bytes read, for the fixed-width readers; 0 otherwise
};

// Every function, in enum order.
const FunctionInfo& GetFunctionInfo(Function f);
// The function named `name` (case-insensitive), or null.
const FunctionInfo* FindFunction(std::string_view name);
// The closest function name within a small edit distance, or "".
std::string_view SuggestFunction(std::string_view name);

}  // namespace pushdown::bpfgen
