#include "engine/tpch/lineitem_loader.h"

#include <vector>

namespace pushdown::engine::tpch {

Result<LoadSummary> LoadLineitem(Table* table, const LoadOptions& options) {
  if (!(options.scale > 0)) return Status::InvalidArgument("scale must be > 0");
  if (table->schema().columns.size() != kLineitemColumns) {
    return Status::InvalidArgument("table '" + table->name() + "' is not a lineitem table");
  }
  LineitemGenerator gen(options.scale, options.seed);
  const size_t batch_rows = options.batch_rows == 0 ? 1 : options.batch_rows;
  TableWriteBatch batch;
  std::vector<bpfgen::Datum> row;
  LoadProgress progress;
  progress.orders_total = gen.order_count();
  auto flush_batch = [&]() -> Status {
    if (batch.count() == 0) return Status::OK();
    PD_RETURN_IF_ERROR(table->Write(batch));
    batch.Clear();
    progress.rows = gen.rows_generated();
    progress.orders_done = gen.orders_done();
    if (options.progress) options.progress(progress);
    return Status::OK();
  };
  while (gen.Next(&row)) {
    PD_RETURN_IF_ERROR(batch.Put(*table, row));
    if (batch.count() >= batch_rows) PD_RETURN_IF_ERROR(flush_batch());
  }
  PD_RETURN_IF_ERROR(flush_batch());
  LoadSummary summary;
  summary.rows = gen.rows_generated();
  summary.orders = gen.order_count();
  return summary;
}

}  // namespace pushdown::engine::tpch
