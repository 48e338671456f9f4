// A PushdownDB in a temp dir holding the generator's TPC-H lineitem at
// `scale`, flushed to SST files (tests of scans over a real table).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "bpfgen/schema/tpch.h"
#include "engine/api/pushdown_db.h"
#include "engine/tpch/lineitem_loader.h"
#include "tests/support/temp_dir.h"

namespace pushdown::engine {

struct LineitemDb {
  testing::TempDir dir;
  std::unique_ptr<PushdownDB> db;
  Table* table = nullptr;

  // ADD_FAILUREs (db stays null) if anything fails.
  explicit LineitemDb(double scale) : LineitemDb(Scale(scale)) {}
  // The generator's rows as `load` says, in a DB opened with `options`.
  explicit LineitemDb(const tpch::LoadOptions& load, const DbOptions& options = DbOptions{}) {
    auto db_or = PushdownDB::Open(dir.path() + "/db", options);
    if (!db_or.ok()) {
      ADD_FAILURE() << db_or.status().ToString();
      return;
    }
    auto t = (*db_or)->CreateTable("lineitem", bpfgen::kLineitemDdl);
    if (!t.ok() || !tpch::LoadLineitem(*t, load).ok() ||
        !(*db_or)->db()->Flush(rocksdb::FlushOptions(), (*t)->column_family()).ok()) {
      ADD_FAILURE() << "cannot create, load or flush lineitem";
      return;
    }
    table = *t;
    db = std::move(*db_or);
  }

 private:
  static tpch::LoadOptions Scale(double scale) {
    tpch::LoadOptions load;
    load.scale = scale;
    return load;
  }
};

}  // namespace pushdown::engine
