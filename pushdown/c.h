/* pushdown/c.h: the C API of rocksdb-pushdown, modelled on RocksDB's
 * rocksdb/c.h, for C programs and for bindings (Python ctypes, Rust, Go, Java
 * JNI). Implemented in engine/capi/ and exported by librocksdb_pushdown.so.
 * Compiles as C99, C11 and C++ (no C++ type crosses it). docs/C_API.md has
 * a worked example.
 *
 * Conventions (those of rocksdb/c.h):
 * - Every object is an opaque handle made by a pushdown_*_create / open /
 *   attach / scan call and released by the matching destroy / close call.
 *   Destroying NULL does nothing.
 * - A function that can fail takes `char** errptr` last. On failure it stores
 *   a malloc()ed, NUL-terminated message in *errptr (freeing a message that
 *   was already there, as RocksDB does) and returns NULL / 0; on success it
 *   leaves *errptr untouched, so set it to NULL before the call and test it
 *   after. Free messages with pushdown_free. A NULL errptr is allowed: the
 *   message is dropped and the return value still says that the call failed.
 *   Messages start with the error class and the function: "Invalid
 *   argument: pushdown_scan: ...", "Not found: ...", "Unavailable: ...",
 *   "IO error: ...", "Corruption: ...", "Internal error: ..." (RocksDB's
 *   spellings). A bad predicate is "Invalid argument" with the position
 *   ("1:25: unknown column 'nosuch'") and the predicate with a caret line.
 * - Nothing here aborts the process: a NULL argument where a handle or string
 *   is required, an out-of-range column, a value read with the wrong type or
 *   from a closed cursor is an error through errptr.
 * - Strings: predicates, DDL, names and device names are NUL-terminated.
 *   Keys, bounds and values are (pointer, length) and may hold any byte.
 *   Strings returned as `const char*` belong to the handle and stay valid
 *   until the call named in their comment; returned `char*` are malloc()ed
 *   and freed by the caller with pushdown_free.
 * - Booleans are unsigned char (0 / 1), as in rocksdb/c.h.
 *
 * Thread safety: a pushdown_db_t may be used by many threads at once (scans,
 * aggregates, explains in parallel). A cursor or aggregate result is used by
 * one thread at a time. Option objects are read during the call they are
 * passed to, and may be destroyed or reused after it returns.
 *
 * Lifetime: a cursor keeps its pushdown_db_t alive: pushdown_close may be
 * called while cursors exist; the DB (or, for pushdown_attach, the
 * attachment) goes away when the last of them is destroyed. For
 * pushdown_attach, the rocksdb_t and every column family handle passed in
 * are the application's: they must outlive the pushdown_db_t and all its
 * cursors (close those before rocksdb_close).
 *
 * Attaching to a rocksdb_t from RocksDB's C API: rocksdb/c.h keeps
 * rocksdb_t, rocksdb_column_family_handle_t and rocksdb_snapshot_t opaque;
 * RocksDB's db/c.cc defines each as a struct whose FIRST member is the C++
 * object's pointer (`struct rocksdb_t { DB* rep; }`, the same from RocksDB
 * 6.0 through 9.9). pushdown_attach reads that pointer and then checks it at
 * run time against RocksDB's own C API: the latest sequence number
 * (rocksdb_get_latest_sequence_number) and the
 * rocksdb.current-super-version-number property (rocksdb_property_int) must
 * agree with what the DB* reports, and a column family handle's id and name
 * (rocksdb_column_family_handle_get_id / _get_name) with the
 * ColumnFamilyHandle*. A mismatch is an "Invalid argument" error, never a
 * scan. (RocksDB 7.8's C API has no getter for a snapshot: a snapshot handle
 * is checked to be non-null and not newer than the DB.) The handles must
 * come from the RocksDB librocksdb_pushdown.so links (librocksdb.so.7.8).
 *
 * Queries: this header has scans, aggregates and explain. A SQL query entry
 * point (a full single-table SELECT) joins them once the SQL API of the
 * engine lands; it will follow the same conventions (a handle made from a
 * pushdown_db_t, a cursor with the typed getters below, errptr with
 * positions), so code written against this header keeps working. */
#ifndef PUSHDOWN_C_H_
#define PUSHDOWN_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PUSHDOWN_C_API __attribute__((visibility("default")))
#else
#define PUSHDOWN_C_API
#endif

/* RocksDB's C API handles (rocksdb/c.h), declared as incomplete struct types
 * without a typedef so that this header and rocksdb/c.h can be included in
 * either order, also in C99 (which forbids repeating a typedef). */
struct rocksdb_t;
struct rocksdb_column_family_handle_t;
struct rocksdb_snapshot_t;

typedef struct pushdown_db_t pushdown_db_t;
typedef struct pushdown_attachoptions_t pushdown_attachoptions_t;
typedef struct pushdown_openoptions_t pushdown_openoptions_t;
typedef struct pushdown_scanoptions_t pushdown_scanoptions_t;
typedef struct pushdown_cursor_t pushdown_cursor_t;
typedef struct pushdown_aggregate_t pushdown_aggregate_t;

/* Column types (the value representation of bpfgen/schema/types.h). */
enum {
  PUSHDOWN_TYPE_NULL = 0, /* the type of a bare NULL literal */
  PUSHDOWN_TYPE_BOOL = 1,
  PUSHDOWN_TYPE_INT32 = 2,
  PUSHDOWN_TYPE_INT64 = 3,
  PUSHDOWN_TYPE_DECIMAL = 4, /* scaled int64 + scale */
  PUSHDOWN_TYPE_DATE = 5,    /* days since 1970-01-01 */
  PUSHDOWN_TYPE_DOUBLE = 6,
  PUSHDOWN_TYPE_CHAR = 7,
  PUSHDOWN_TYPE_VARCHAR = 8,
  PUSHDOWN_TYPE_BYTES = 9 /* raw mode's key and value */
};

/* Frees a string this API returned (error messages, JSON). NULL: no-op. */
PUSHDOWN_C_API void pushdown_free(void* ptr);

/* ---- Attach to the application's rocksdb_t -------------------------------
 * Attaching changes nothing in the DB (no option, column family or file);
 * a scan writes nothing. */

PUSHDOWN_C_API pushdown_attachoptions_t* pushdown_attachoptions_create(void);
PUSHDOWN_C_API void pushdown_attachoptions_destroy(pushdown_attachoptions_t* opts);
/* Default device of scans: "auto", "kernel", "host" or "iterator"; NULL
 * resets to the default (the pushdown FileSystem's device= option when the
 * DB was opened with it, else auto). Another name: "Invalid argument". */
PUSHDOWN_C_API void pushdown_attachoptions_set_device(pushdown_attachoptions_t* opts,
                                                      const char* device, char** errptr);
/* The DB was opened read-only or as a secondary: scans never flush. */
PUSHDOWN_C_API void pushdown_attachoptions_set_read_only(pushdown_attachoptions_t* opts,
                                                         unsigned char read_only);
/* The handle of the "pushdown_catalog" column family of a DB written by
 * pushdown_open/pushdown_create_table: the *_table functions then read table
 * schemas from it. NULL: no catalog. The handle is checked by pushdown_attach
 * and must outlive the attachment. */
PUSHDOWN_C_API void pushdown_attachoptions_set_catalog(
    pushdown_attachoptions_t* opts, struct rocksdb_column_family_handle_t* catalog);
/* Hands the attachment one of the application's column family handles: a
 * table scan (pushdown_scan_table) reads the rows of table T from the handle
 * named T, as PushdownDB keeps each table in the column family of its name.
 * Checked by pushdown_attach; must outlive the attachment. */
PUSHDOWN_C_API void pushdown_attachoptions_add_column_family(
    pushdown_attachoptions_t* opts, struct rocksdb_column_family_handle_t* cf);

/* Attaches to `db` (from rocksdb_open, rocksdb_open_column_families,
 * rocksdb_open_for_read_only, ...). `opts` may be NULL (defaults). Errors:
 * NULL db; the handle check above fails; a bad catalog handle. */
PUSHDOWN_C_API pushdown_db_t* pushdown_attach(struct rocksdb_t* db,
                                              const pushdown_attachoptions_t* opts, char** errptr);

/* ---- Open a DB by path (PushdownDB: the pushdown FileSystem + tables) ---- */

PUSHDOWN_C_API pushdown_openoptions_t* pushdown_openoptions_create(void);
PUSHDOWN_C_API void pushdown_openoptions_destroy(pushdown_openoptions_t* opts);
/* Default 1. */
PUSHDOWN_C_API void pushdown_openoptions_set_create_if_missing(pushdown_openoptions_t* opts,
                                                               unsigned char v);
/* Default 0. Read-only: no table creation or writes. */
PUSHDOWN_C_API void pushdown_openoptions_set_read_only(pushdown_openoptions_t* opts,
                                                       unsigned char v);
/* As pushdown_attachoptions_set_device. */
PUSHDOWN_C_API void pushdown_openoptions_set_device(pushdown_openoptions_t* opts,
                                                    const char* device, char** errptr);
/* Options of the pushdown FileSystem, e.g. "io_uring=true;queue_depth=64"
 * (engine/plugin/README.md). NULL or "": defaults. Checked by pushdown_open. */
PUSHDOWN_C_API void pushdown_openoptions_set_fs_options(pushdown_openoptions_t* opts,
                                                        const char* fs_options);

/* Opens (or creates) the DB at `path` through the pushdown FileSystem, with
 * every existing column family. `opts` may be NULL. */
PUSHDOWN_C_API pushdown_db_t* pushdown_open(const char* path, const pushdown_openoptions_t* opts,
                                            char** errptr);

/* Creates table `name` with schema `ddl` ("id INT64 KEY, price DECIMAL(12,2)
 * NOT NULL, note VARCHAR(32)"). Only on a DB from pushdown_open. Errors: a
 * bad DDL (with its position), an existing table, an attached DB. */
PUSHDOWN_C_API void pushdown_create_table(pushdown_db_t* db, const char* name, const char* ddl,
                                          char** errptr);
/* Writes one row of table `name` (DB from pushdown_open): `fields[i]` of
 * length `lens[i]` is the text of column i in declaration order
 * (bpfgen/schema/text.h: DATE YYYY-MM-DD, DECIMAL 12.50, BOOL true/false,
 * BYTES hex); an empty field or a NULL fields[i] is SQL NULL. `n` must be the
 * column count. Errors name the field ("field 'd': bad DATE '1994-13-01':
 * ..."). */
PUSHDOWN_C_API void pushdown_put_text(pushdown_db_t* db, const char* table,
                                      const char* const* fields, const size_t* lens, size_t n,
                                      char** errptr);

/* Releases the caller's reference: the DB (pushdown_open) or the attachment
 * (pushdown_attach; the rocksdb_t stays open) goes away once no cursor of it
 * is left. NULL: no-op. */
PUSHDOWN_C_API void pushdown_close(pushdown_db_t* db);

/* ---- Scan options ---------------------------------------------------------
 * Defaults: the DB's default device, not strict, all columns, no limit, no
 * bounds, a new snapshot, checksums verified, io_uring reads, no flush. */

PUSHDOWN_C_API pushdown_scanoptions_t* pushdown_scanoptions_create(void);
PUSHDOWN_C_API void pushdown_scanoptions_destroy(pushdown_scanoptions_t* opts);
/* "auto", "kernel", "host" or "iterator"; NULL: the DB's default. Another
 * name: "Invalid argument: ... unknown device 'gpu' (auto, kernel, host,
 * iterator)", and the option is left as it was. */
PUSHDOWN_C_API void pushdown_scanoptions_set_device(pushdown_scanoptions_t* opts,
                                                    const char* device, char** errptr);
/* 1: the scan fails ("Unavailable", with the reason) instead of running on
 * another device than requested or on the iterator path. */
PUSHDOWN_C_API void pushdown_scanoptions_set_strict_device(pushdown_scanoptions_t* opts,
                                                           unsigned char v);
/* Key bounds as RocksDB's iterate_lower_bound (inclusive) and
 * iterate_upper_bound (exclusive); prefix: the keys starting with it (with
 * bounds too: the intersection). The bytes are copied; key == NULL clears the
 * bound (then len is ignored). */
PUSHDOWN_C_API void pushdown_scanoptions_set_lower_bound(pushdown_scanoptions_t* opts,
                                                         const char* key, size_t len);
PUSHDOWN_C_API void pushdown_scanoptions_set_upper_bound(pushdown_scanoptions_t* opts,
                                                         const char* key, size_t len);
PUSHDOWN_C_API void pushdown_scanoptions_set_prefix(pushdown_scanoptions_t* opts,
                                                    const char* prefix, size_t len);
/* Output columns in order (projection); n == 0: all columns (raw mode: key,
 * value). Names are copied; an unknown name fails the scan ("Invalid argument").
 * A NULL names[i] is an error here. */
PUSHDOWN_C_API void pushdown_scanoptions_set_columns(pushdown_scanoptions_t* opts,
                                                     const char* const* names, size_t n,
                                                     char** errptr);
/* At most `limit` rows; UINT64_MAX (the default): no limit. */
PUSHDOWN_C_API void pushdown_scanoptions_set_limit(pushdown_scanoptions_t* opts, uint64_t limit);
/* Read at this snapshot (rocksdb_create_snapshot on the attached rocksdb_t;
 * the caller releases it after the cursor is destroyed). NULL: a new one. */
PUSHDOWN_C_API void pushdown_scanoptions_set_snapshot(pushdown_scanoptions_t* opts,
                                                      const struct rocksdb_snapshot_t* snapshot);
/* Default 1. */
PUSHDOWN_C_API void pushdown_scanoptions_set_verify_checksums(pushdown_scanoptions_t* opts,
                                                              unsigned char v);
/* Default 1 / 0: io_uring reads, O_DIRECT reads. */
PUSHDOWN_C_API void pushdown_scanoptions_set_use_io_uring(pushdown_scanoptions_t* opts,
                                                          unsigned char v);
PUSHDOWN_C_API void pushdown_scanoptions_set_use_direct_io(pushdown_scanoptions_t* opts,
                                                           unsigned char v);
/* Opt-in WRITE: flush the column family's memtable before the scan. */
PUSHDOWN_C_API void pushdown_scanoptions_set_flush_memtable(pushdown_scanoptions_t* opts,
                                                            unsigned char v);

/* ---- Scans -----------------------------------------------------------------
 * `opts` may be NULL (defaults). `where` is the predicate (docs/LANGUAGE.md),
 * e.g. "u64be(key, 0) % 100 < 2" in raw mode; "TRUE" for every row. */

/* Scans column family `cf` of an attached DB (NULL: the default column
 * family; on a DB from pushdown_open only NULL is allowed). `schema_ddl`:
 * the schema of the values as DDL, parsed per call; NULL: raw mode (columns
 * key and value, BYTES). */
PUSHDOWN_C_API pushdown_cursor_t* pushdown_scan(pushdown_db_t* db,
                                                struct rocksdb_column_family_handle_t* cf,
                                                const char* schema_ddl, const char* where,
                                                const pushdown_scanoptions_t* opts, char** errptr);
/* Scans table `table` (pushdown_open, or pushdown_attach with a catalog).
 * Unknown table: "Not found". */
PUSHDOWN_C_API pushdown_cursor_t* pushdown_scan_table(pushdown_db_t* db, const char* table,
                                                      const char* where,
                                                      const pushdown_scanoptions_t* opts,
                                                      char** errptr);

/* ---- Cursor ----------------------------------------------------------------
 * A new cursor is before the first row: call pushdown_cursor_next first.
 * Value getters read the current row; they fail (errptr) when there is none
 * (before the first next, after the end, after an error, after close), for
 * a column index >= the column count, and for a getter that does not match
 * the column's type. A SQL NULL reads as 0 / NULL pointer with no error:
 * test pushdown_cursor_is_null (as JDBC's wasNull). Pointers returned for a
 * row stay valid until the next pushdown_cursor_next / close / destroy. */

/* Moves to the next row: 1 = there is one; 0 = the end, or an error (then
 * errptr is set and every later next returns the same error). */
PUSHDOWN_C_API unsigned char pushdown_cursor_next(pushdown_cursor_t* cur, char** errptr);
PUSHDOWN_C_API unsigned char pushdown_cursor_valid(const pushdown_cursor_t* cur);
/* Releases the scan (its snapshot, pinned files, device program) at once;
 * the handle stays: stats, explain info and column metadata stay readable,
 * next and the value getters fail with "cursor is closed". Idempotent. */
PUSHDOWN_C_API void pushdown_cursor_close(pushdown_cursor_t* cur);
/* Closes and frees. NULL: no-op. */
PUSHDOWN_C_API void pushdown_cursor_destroy(pushdown_cursor_t* cur);

/* Output columns (valid while the handle lives). Out of range: NULL / -1. */
PUSHDOWN_C_API size_t pushdown_cursor_column_count(const pushdown_cursor_t* cur);
PUSHDOWN_C_API const char* pushdown_cursor_column_name(const pushdown_cursor_t* cur, size_t col);
/* One of PUSHDOWN_TYPE_*. */
PUSHDOWN_C_API int pushdown_cursor_column_type(const pushdown_cursor_t* cur, size_t col);
/* "DECIMAL(15,2)", "VARCHAR(44)", "DATE", ... */
PUSHDOWN_C_API const char* pushdown_cursor_column_type_name(const pushdown_cursor_t* cur,
                                                            size_t col);

PUSHDOWN_C_API unsigned char pushdown_cursor_is_null(const pushdown_cursor_t* cur, size_t col,
                                                     char** errptr);
/* The canonical text of the value (bpfgen/schema/text.h: DATE YYYY-MM-DD,
 * DECIMAL with its scale, DOUBLE %.17g, BOOL true/false, BYTES lowercase hex,
 * CHAR without padding), NUL-terminated; *len (if not NULL) its length. SQL
 * NULL: returns NULL (no error). Any type. Formatted once per row: reading
 * the column again returns the same pointer. */
PUSHDOWN_C_API const char* pushdown_cursor_get_text(pushdown_cursor_t* cur, size_t col, size_t* len,
                                                    char** errptr);
/* INT32 and INT64 columns. */
PUSHDOWN_C_API int64_t pushdown_cursor_get_int64(const pushdown_cursor_t* cur, size_t col,
                                                 char** errptr);
/* DOUBLE columns. */
PUSHDOWN_C_API double pushdown_cursor_get_double(const pushdown_cursor_t* cur, size_t col,
                                                 char** errptr);
/* BOOL columns. */
PUSHDOWN_C_API unsigned char pushdown_cursor_get_bool(const pushdown_cursor_t* cur, size_t col,
                                                      char** errptr);
/* DATE columns: days since 1970-01-01 (negative before). */
PUSHDOWN_C_API int64_t pushdown_cursor_get_date(const pushdown_cursor_t* cur, size_t col,
                                                char** errptr);
/* DECIMAL(p,s) columns: the value times 10^s; *scale (if not NULL) = s.
 * 12.50 in DECIMAL(12,2) is 1250, scale 2. */
PUSHDOWN_C_API int64_t pushdown_cursor_get_decimal(const pushdown_cursor_t* cur, size_t col,
                                                   int* scale, char** errptr);
/* CHAR, VARCHAR and BYTES columns: the bytes (not NUL-terminated; CHAR
 * without its padding); *len their length. */
PUSHDOWN_C_API const char* pushdown_cursor_get_bytes(const pushdown_cursor_t* cur, size_t col,
                                                     size_t* len, char** errptr);

/* The current row's RocksDB user key (raw mode: the key; tables: the
 * memcomparable encoding of the primary key). */
PUSHDOWN_C_API const char* pushdown_cursor_key(const pushdown_cursor_t* cur, size_t* len,
                                               char** errptr);
/* Raw mode only: the current row's value bytes. Fails on a table scan and
 * when the projection left out the `value` column. */
PUSHDOWN_C_API const char* pushdown_cursor_value(const pushdown_cursor_t* cur, size_t* len,
                                                 char** errptr);

/* How the scan runs (valid while the handle lives): path "pushdown" |
 * "iterator"; device "kernel" | "host" | "iterator"; the fallback reason, ""
 * when it ran where requested. */
PUSHDOWN_C_API const char* pushdown_cursor_path(const pushdown_cursor_t* cur);
PUSHDOWN_C_API const char* pushdown_cursor_device(const pushdown_cursor_t* cur);
PUSHDOWN_C_API const char* pushdown_cursor_fallback_reason(const pushdown_cursor_t* cur);
/* The scan statistics so far as one JSON object, the same keys and meaning
 * as `pushdown scan --stats` (README): path, device, fallback_reason, pushed,
 * residual, files, blocks_read, blocks_skipped, ..., rows_scanned,
 * rows_matched, memtable_entries, compile_ms, elapsed_ms (since the scan
 * started, until its end or close). malloc()ed: pushdown_free. */
PUSHDOWN_C_API char* pushdown_cursor_stats_json(const pushdown_cursor_t* cur, char** errptr);

/* ---- Aggregates ------------------------------------------------------------
 * `aggregates`: comma-separated count(*), count(e), sum(e), min(e), max(e)
 * over numeric expressions, e.g. "count(*), sum(price * qty)". The result is
 * computed before the call returns. */

PUSHDOWN_C_API pushdown_aggregate_t* pushdown_aggregate(
    pushdown_db_t* db, struct rocksdb_column_family_handle_t* cf, const char* schema_ddl,
    const char* where, const char* aggregates, const pushdown_scanoptions_t* opts, char** errptr);
PUSHDOWN_C_API pushdown_aggregate_t* pushdown_aggregate_table(pushdown_db_t* db, const char* table,
                                                              const char* where,
                                                              const char* aggregates,
                                                              const pushdown_scanoptions_t* opts,
                                                              char** errptr);
PUSHDOWN_C_API void pushdown_aggregate_destroy(pushdown_aggregate_t* agg);
/* The rows aggregated (matching the predicate). */
PUSHDOWN_C_API uint64_t pushdown_aggregate_rows(const pushdown_aggregate_t* agg);
/* One value per aggregate, in order; metadata and getters as the cursor's
 * (count(*) is INT64; sum of DECIMAL(p,s) is DECIMAL(18,s); sum/min/max of
 * no rows is NULL). Pointers stay valid until destroy. */
PUSHDOWN_C_API size_t pushdown_aggregate_count(const pushdown_aggregate_t* agg);
PUSHDOWN_C_API const char* pushdown_aggregate_name(const pushdown_aggregate_t* agg, size_t i);
PUSHDOWN_C_API int pushdown_aggregate_type(const pushdown_aggregate_t* agg, size_t i);
PUSHDOWN_C_API const char* pushdown_aggregate_type_name(const pushdown_aggregate_t* agg, size_t i);
PUSHDOWN_C_API unsigned char pushdown_aggregate_is_null(const pushdown_aggregate_t* agg, size_t i,
                                                        char** errptr);
PUSHDOWN_C_API const char* pushdown_aggregate_get_text(pushdown_aggregate_t* agg, size_t i,
                                                       size_t* len, char** errptr);
PUSHDOWN_C_API int64_t pushdown_aggregate_get_int64(const pushdown_aggregate_t* agg, size_t i,
                                                    char** errptr);
PUSHDOWN_C_API double pushdown_aggregate_get_double(const pushdown_aggregate_t* agg, size_t i,
                                                    char** errptr);
PUSHDOWN_C_API int64_t pushdown_aggregate_get_decimal(const pushdown_aggregate_t* agg, size_t i,
                                                      int* scale, char** errptr);
/* As pushdown_cursor_stats_json, for the aggregate's scan. */
PUSHDOWN_C_API char* pushdown_aggregate_stats_json(const pushdown_aggregate_t* agg, char** errptr);

/* ---- Explain ---------------------------------------------------------------
 * The plan the same scan would run (one planner: it never disagrees with the
 * scan), without running it, as one JSON object: path, requested_device,
 * device, fallback_reason, io, predicate, pushed, residual (conjunct,
 * reason), pushdown_kind, program_cached, compile_ms, files,
 * memtable_entries, lower_bound_hex / upper_bound_hex (null when unbounded),
 * key_range_conjuncts, schema (DDL, "RAW" in raw mode) and text (the
 * multi-line plan `pushdown explain` prints). malloc()ed: pushdown_free. */
PUSHDOWN_C_API char* pushdown_explain_json(pushdown_db_t* db,
                                           struct rocksdb_column_family_handle_t* cf,
                                           const char* schema_ddl, const char* where,
                                           const pushdown_scanoptions_t* opts, char** errptr);
PUSHDOWN_C_API char* pushdown_explain_table_json(pushdown_db_t* db, const char* table,
                                                 const char* where,
                                                 const pushdown_scanoptions_t* opts, char** errptr);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PUSHDOWN_C_H_ */
