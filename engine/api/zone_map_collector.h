// ZoneMapCollectorFactory: a RocksDB TablePropertiesCollectorFactory that
// writes a zone map (pushdown/scan/zone_map.h) into every SST file of a table
// column family: per data block and per file, min / max / null count of every
// fixed-width column (BOOL, INT32, INT64, DATE, DECIMAL), stored as the user
// table property "pushdown.zonemap.v1". Scans read it with the properties
// block and skip blocks (and whole files) the predicate cannot match.
//
// Attach users put it in the table's column family options:
//   cf_options.table_properties_collector_factories.push_back(
//       std::make_shared<ZoneMapCollectorFactory>(schema));
// Tables created through the project get it automatically.
//
// How blocks are delimited: RocksDB 7.8 calls AddUserKey for every entry in
// order and BlockAdd right after each data block is cut, before the first key
// of the next block (BlockBasedTableBuilder::Add / Flush). BlockAdd is also
// called for index blocks in Finish, after the last data block, with no entry
// pending: those calls are ignored. Range deletions (kEntryRangeDeletion) go
// to the range-deletion block, not to a data block: not counted. Two
// configurations break the order and are not supported: dictionary
// compression (compression_opts.max_dict_bytes > 0 buffers blocks: the block
// count then mismatches rocksdb.num.data.blocks and the scan ignores the zone
// map) and parallel compression (compression_opts.parallel_threads > 1:
// BlockAdd runs on worker threads; the factory refuses to collect if told the
// options, see the constructor).
// A value that is not a row of the schema makes the collector write nothing
// for that file (it is then read without a zone map).
#pragma once

#include <memory>
#include <string>

#include "bpfgen/schema/schema.h"
#include "rocksdb/options.h"
#include "rocksdb/table_properties.h"

namespace pushdown::engine {

class ZoneMapCollectorFactory : public rocksdb::TablePropertiesCollectorFactory {
 public:
  static const char* kClassName() { return "pushdown.ZoneMapCollectorFactory"; }

  // REQUIRES: !schema.raw. `cf_options`, when given, is checked once: with
  // parallel compression the factory collects nothing (see above).
  explicit ZoneMapCollectorFactory(bpfgen::Schema schema,
                                   const rocksdb::ColumnFamilyOptions* cf_options = nullptr);

  rocksdb::TablePropertiesCollector* CreateTablePropertiesCollector(
      rocksdb::TablePropertiesCollectorFactory::Context context) override;
  const char* Name() const override { return kClassName(); }

  const bpfgen::Schema& schema() const { return *schema_; }

 private:
  std::shared_ptr<const bpfgen::Schema> schema_;
  bool enabled_ = true;
};

}  // namespace pushdown::engine
