// Test helper: every row the lineitem generator yields for (scale, seed).
#pragma once

#include <cstdint>
#include <vector>

#include "bpfgen/schema/datum.h"
#include "engine/tpch/lineitem_gen.h"

namespace pushdown::engine::tpch {

inline std::vector<std::vector<bpfgen::Datum>> Generate(double scale, uint64_t seed) {
  LineitemGenerator gen(scale, seed);
  std::vector<std::vector<bpfgen::Datum>> rows;
  std::vector<bpfgen::Datum> row;
  while (gen.Next(&row)) rows.push_back(row);
  return rows;
}

}  // namespace pushdown::engine::tpch
