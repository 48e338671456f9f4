// Loads generated TPC-H lineitem rows into a table through TableWriteBatch.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/api/pushdown_db.h"
#include "engine/tpch/lineitem_gen.h"
#include "util/status.h"

namespace pushdown::engine::tpch {

struct LoadProgress {
  uint64_t rows = 0;          // rows written so far
  uint64_t orders_done = 0;   // orders whose rows are all written
  uint64_t orders_total = 0;  // orders to generate
};

struct LoadOptions {
  double scale = 0.01;
  uint64_t seed = kDefaultSeed;
  size_t batch_rows = 1000;  // rows per TableWriteBatch (one DB::Write each)
  // Called after every batch (and once at the end). May be empty.
  std::function<void(const LoadProgress&)> progress;
};

struct LoadSummary {
  uint64_t rows = 0;
  uint64_t orders = 0;
};

// Writes every generated row into `table`, whose schema must be lineitem's
// (bpfgen::kLineitemDdl). Does not flush or compact.
Result<LoadSummary> LoadLineitem(Table* table, const LoadOptions& options);

}  // namespace pushdown::engine::tpch
