// The memory bounds of query execution on the host (docs/SQL.md, "Limits").
#pragma once

#include <cstdint>

namespace pushdown::query {

struct QueryLimits {
  // GROUP BY / DISTINCT: at most this many groups; one more is
  // ResourceExhausted "GROUP BY produced more than 1000000 groups (the limit)".
  uint64_t max_groups = 1000000;
  // Bytes held at once by groups (keys and aggregate states), count(DISTINCT)
  // sets and the rows ORDER BY buffers (an estimate of the heap they use):
  // past it, ResourceExhausted naming what needed it.
  uint64_t max_memory_bytes = uint64_t{512} << 20;
};

}  // namespace pushdown::query
