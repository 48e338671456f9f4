#include "bpfgen/schema/types.h"

namespace pushdown::bpfgen {

std::string Type::ToString() const {
  switch (id) {
    case TypeId::kNull:
      return "NULL";
    case TypeId::kBool:
      return "BOOL";
    case TypeId::kInt32:
      return "INT32";
    case TypeId::kInt64:
      return "INT64";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kChar:
      return "CHAR(" + std::to_string(length) + ")";
    case TypeId::kVarchar:
      return "VARCHAR(" + std::to_string(length) + ")";
    case TypeId::kBytes:
      return "BYTES";
  }
  return "?";
}

}  // namespace pushdown::bpfgen
