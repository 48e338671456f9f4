#include "bpfgen/lang/functions.h"

#include "bpfgen/lang/diagnostic.h"

namespace pushdown::bpfgen {
namespace {

using A = ArgKind;
constexpr FunctionInfo kFunctions[] = {
    {Function::kLength, "length", 1, {A::kString}, 0},
    {Function::kStartsWith, "starts_with", 2, {A::kString, A::kStringLiteral}, 0},
    {Function::kSubstr, "substr", 3, {A::kString, A::kInteger, A::kInteger}, 0},
    {Function::kU8, "u8", 2, {A::kString, A::kInteger}, 1},
    {Function::kU16Le, "u16le", 2, {A::kString, A::kInteger}, 2},
    {Function::kU16Be, "u16be", 2, {A::kString, A::kInteger}, 2},
    {Function::kU32Le, "u32le", 2, {A::kString, A::kInteger}, 4},
    {Function::kU32Be, "u32be", 2, {A::kString, A::kInteger}, 4},
    {Function::kU64Le, "u64le", 2, {A::kString, A::kInteger}, 8},
    {Function::kU64Be, "u64be", 2, {A::kString, A::kInteger}, 8},
    {Function::kI32Le, "i32le", 2, {A::kString, A::kInteger}, 4},
    {Function::kI32Be, "i32be", 2, {A::kString, A::kInteger}, 4},
    {Function::kI64Le, "i64le", 2, {A::kString, A::kInteger}, 8},
    {Function::kI64Be, "i64be", 2, {A::kString, A::kInteger}, 8},
};

}  // namespace

const FunctionInfo& GetFunctionInfo(Function f) { return kFunctions[static_cast<int>(f)]; }

const FunctionInfo* FindFunction(std::string_view name) {
  for (const FunctionInfo& info : kFunctions) {
    if (name.size() == info.name.size() && EditDistance(name, info.name) == 0) return &info;
  }
  return nullptr;
}

std::string_view SuggestFunction(std::string_view name) {
  std::string_view best;
  size_t best_distance = 3;
  for (const FunctionInfo& info : kFunctions) {
    size_t d = EditDistance(name, info.name);
    if (d < best_distance && d < name.size()) {
      best_distance = d;
      best = info.name;
    }
  }
  return best;
}

}  // namespace pushdown::bpfgen
