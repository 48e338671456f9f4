/* rocksdb/c.h first, then pushdown/c.h: its handles are the same types, and
 * the header repeats none of RocksDB's typedefs (an error in C99). */
#include "pushdown/c.h"
#include "rocksdb/c.h"

int pd_capi_header_with_rocksdb_check(rocksdb_t* db);
int pd_capi_header_with_rocksdb_check(rocksdb_t* db) {
  char* err = NULL;
  pushdown_db_t* pd = pushdown_attach(db, NULL, &err);
  pushdown_close(pd);
  pushdown_free(err);
  return pd != NULL;
}
