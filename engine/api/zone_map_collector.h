// ZoneMapCollectorFactory: a RocksDB TablePropertiesCollectorFactory that
// writes a zone map (pushdown/scan/zone_map.h) into every SST file of a table
// column family: per data block and per file, min / max / null count of every
// fixed-width column (BOOL, INT32, INT64, DATE, DECIMAL), stored as the user
// table property "pushdown.zonemap.v2" (exec::kZoneMapProperty; files written
// before carry "pushdown.zonemap.v1", still read). Per file, a column keeps
// per-block zones only where its blocks are narrower than the file
// (exec::ChooseBlockLevel); the others are recorded for the file only. Scans
// read it with the properties block and skip blocks (and whole files) the
// predicate cannot match.
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

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "bpfgen/eval/zone_eval.h"
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

// Raw mode (a column family without a schema, e.g. one db_bench or an
// application fills): records one byte field of every key or value
// (bpfgen::RawField: offset, width, endianness, signedness), per data block
// and per file, as the user table property "pushdown.zonemap.raw.v2" (v1
// before; still read). A raw
// scan whose predicate compares exactly that field -- the reader call of the
// same width and endianness at the same literal offset, e.g.
// `u64be(value, 0) BETWEEN 100 AND 200` for {kValue, 0, 8, big endian} --
// skips blocks by it; other predicates read as without it. Entries too short
// for the field count as NULL. An invalid field collects nothing.
//   bpfgen::RawField ts{bpfgen::RawField::Source::kKey, 0, 8, /*big_endian=*/true};
//   cf_options.table_properties_collector_factories.push_back(
//       std::make_shared<RawZoneMapCollectorFactory>(ts));
class RawZoneMapCollectorFactory : public rocksdb::TablePropertiesCollectorFactory {
 public:
  static const char* kClassName() { return "pushdown.RawZoneMapCollectorFactory"; }

  explicit RawZoneMapCollectorFactory(bpfgen::RawField field,
                                      const rocksdb::ColumnFamilyOptions* cf_options = nullptr);

  rocksdb::TablePropertiesCollector* CreateTablePropertiesCollector(
      rocksdb::TablePropertiesCollectorFactory::Context context) override;
  const char* Name() const override { return kClassName(); }

  const bpfgen::RawField& field() const { return field_; }

 private:
  bpfgen::RawField field_;
  std::shared_ptr<const bpfgen::Schema> schema_;  // Schema::Raw()
  bool enabled_ = true;
};

// One factory for every column family of a DB whose tables are known only
// once it is open (PushdownDB reads its catalog from the DB itself): it
// collects zone maps for the column families registered with a schema, by
// column family id (TablePropertiesCollectorFactory::Context), and writes
// nothing for the others. PushdownDB puts one in every column family's
// options; files written before a family is registered (e.g. a flush during
// recovery) simply have no zone map. Thread-safe.
class TableZoneMapFactory : public rocksdb::TablePropertiesCollectorFactory {
 public:
  static const char* kClassName() { return "pushdown.TableZoneMapFactory"; }

  // REQUIRES: !schema.raw.
  void Register(uint32_t column_family_id, const bpfgen::Schema& schema);
  void Unregister(uint32_t column_family_id);

  rocksdb::TablePropertiesCollector* CreateTablePropertiesCollector(
      rocksdb::TablePropertiesCollectorFactory::Context context) override;
  const char* Name() const override { return kClassName(); }

 private:
  std::mutex mu_;
  std::map<uint32_t, std::shared_ptr<const bpfgen::Schema>> schemas_;  // guarded by mu_
};

}  // namespace pushdown::engine
