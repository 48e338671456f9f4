/* The C API (pushdown/c.h) from C: a DB made through RocksDB's own C API,
 * attached, scanned with a predicate, bounds, a prefix, projections, limits
 * and a snapshot on every device, checked row by row against a model kept
 * by this test; aggregates; stats and explain JSON; tables through
 * pushdown_open with every typed getter; and every error path of the API.
 *
 * Usage: c_api_test [SCRATCH_DIR]. Exit 0 = every check passed. Compiled as
 * C11 (not C++). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pushdown/c.h"
#include "rocksdb/c.h"

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    ++g_checks;                                                                \
    if (!(cond)) {                                                             \
      ++g_failures;                                                            \
      fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, "\n");                                                   \
    }                                                                          \
  } while (0)

/* No error: err is NULL (else printed and freed). */
#define CHECK_OK(err, what)                                     \
  do {                                                          \
    CHECK((err) == NULL, "%s: %s", (what), (err) ? (err) : ""); \
    pushdown_free(err);                                         \
    (err) = NULL;                                               \
  } while (0)

/* An error whose message contains `needle`; frees it. */
static void CheckError(const char* file, int line, char** err, const char* needle,
                       const char* what) {
  ++g_checks;
  if (*err == NULL) {
    ++g_failures;
    fprintf(stderr, "%s:%d: %s: expected an error containing '%s', got none\n", file, line, what,
            needle);
  } else if (strstr(*err, needle) == NULL) {
    ++g_failures;
    fprintf(stderr, "%s:%d: %s: error '%s' does not contain '%s'\n", file, line, what, *err,
            needle);
  }
  pushdown_free(*err);
  *err = NULL;
}
#define CHECK_ERROR(err, needle, what) CheckError(__FILE__, __LINE__, &(err), (needle), (what))

/* ---- The raw-mode model ------------------------------------------------- */

enum { kKeys = 2000 };

typedef struct {
  int present;
  unsigned char value[16]; /* u64be number, then "tagx"/"tagy" */
  size_t len;
} ModelEntry;

static ModelEntry g_model[kKeys];

static void EncodeBe(uint64_t v, unsigned char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = (unsigned char)(v & 0xff);
    v >>= 8;
  }
}

static uint64_t DecodeBe(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

static void Put(rocksdb_t* db, rocksdb_writeoptions_t* wo, int i, uint64_t number, char** err) {
  unsigned char key[8];
  EncodeBe((uint64_t)i, key);
  ModelEntry* e = &g_model[i];
  EncodeBe(number, e->value);
  memcpy(e->value + 8, number % 3 == 0 ? "tagx" : "tagy", 4);
  e->len = 12;
  e->present = 1;
  rocksdb_put(db, wo, (const char*)key, 8, (const char*)e->value, e->len, err);
}

static void Delete(rocksdb_t* db, rocksdb_writeoptions_t* wo, int i, char** err) {
  unsigned char key[8];
  EncodeBe((uint64_t)i, key);
  g_model[i].present = 0;
  rocksdb_delete(db, wo, (const char*)key, 8, err);
}

/* The predicate of the raw scans, evaluated on the model. */
static const char kRawWhere[] = "u64be(value, 0) % 10 < 3";
static int RawMatches(const ModelEntry* e) { return DecodeBe(e->value) % 10 < 3; }

/* Drains `cur` and compares it with the model over keys [lo, hi) that
 * match; returns the number of rows (or -1 on a mismatch). `limit`: stop
 * expecting after that many. */
static int CheckRawScan(pushdown_cursor_t* cur, int lo, int hi, uint64_t limit, const char* what) {
  char* err = NULL;
  int i = lo, rows = 0, ok = 1;
  while (pushdown_cursor_next(cur, &err)) {
    while (i < hi && !(g_model[i].present && RawMatches(&g_model[i]))) ++i;
    size_t klen = 0, vlen = 0;
    const char* key = pushdown_cursor_key(cur, &klen, &err);
    CHECK_OK(err, "pushdown_cursor_key");
    const char* value = pushdown_cursor_value(cur, &vlen, &err);
    CHECK_OK(err, "pushdown_cursor_value");
    unsigned char want_key[8];
    EncodeBe((uint64_t)i, want_key);
    if (i >= hi || (uint64_t)rows >= limit || klen != 8 || memcmp(key, want_key, 8) != 0 ||
        vlen != g_model[i].len || memcmp(value, g_model[i].value, vlen) != 0) {
      ok = 0;
      CHECK(0, "%s: row %d: unexpected key %llu (expected %d)", what, rows,
            klen == 8 ? (unsigned long long)DecodeBe((const unsigned char*)key) : 0ULL, i);
      break;
    }
    ++rows;
    ++i;
  }
  CHECK_OK(err, what);
  if (ok && (uint64_t)rows < limit) {
    while (i < hi && !(g_model[i].present && RawMatches(&g_model[i]))) ++i;
    CHECK(i >= hi, "%s: scan ended early at row %d, key %d still expected", what, rows, i);
    if (i < hi) ok = 0;
  }
  return ok ? rows : -1;
}

static int ExpectedRaw(int lo, int hi) {
  int n = 0;
  for (int i = lo; i < hi; ++i) n += g_model[i].present && RawMatches(&g_model[i]);
  return n;
}

/* "\"key\":<n>" appears in the JSON object. */
static int JsonHasNumber(const char* json, const char* key, long long n) {
  char needle[128];
  snprintf(needle, sizeof(needle), "\"%s\":%lld", key, n);
  return strstr(json, needle) != NULL;
}

static int JsonHasString(const char* json, const char* key, const char* value) {
  char needle[256];
  snprintf(needle, sizeof(needle), "\"%s\":\"%s\"", key, value);
  return strstr(json, needle) != NULL;
}

/* ---- Concurrent scans of one pushdown_db_t ------------------------------- */

typedef struct {
  pushdown_db_t* pd;
  const char* device;
  int lo, hi;
  int rows;    /* out: rows seen, -1 on a mismatch or an error */
  char* error; /* out: the error, if any (freed by the caller) */
} ScanJob;

/* Scans [lo, hi) with kRawWhere 5 times; every row must be the model's next
 * matching key with its value. Touches no global but the (read-only)
 * model. */
static void* RunScanJob(void* arg) {
  ScanJob* job = (ScanJob*)arg;
  unsigned char lo_key[8], hi_key[8];
  EncodeBe((uint64_t)job->lo, lo_key);
  EncodeBe((uint64_t)job->hi, hi_key);
  pushdown_scanoptions_t* so = pushdown_scanoptions_create();
  pushdown_scanoptions_set_device(so, job->device, &job->error);
  pushdown_scanoptions_set_lower_bound(so, (const char*)lo_key, 8);
  pushdown_scanoptions_set_upper_bound(so, (const char*)hi_key, 8);
  job->rows = 0;
  for (int round = 0; round < 5 && job->error == NULL && job->rows >= 0; ++round) {
    pushdown_cursor_t* cur = pushdown_scan(job->pd, NULL, NULL, kRawWhere, so, &job->error);
    int i = job->lo, rows = 0;
    while (cur != NULL && pushdown_cursor_next(cur, &job->error)) {
      while (i < job->hi && !(g_model[i].present && RawMatches(&g_model[i]))) ++i;
      size_t klen = 0, vlen = 0;
      const char* key = pushdown_cursor_key(cur, &klen, &job->error);
      const char* value = pushdown_cursor_value(cur, &vlen, &job->error);
      unsigned char want[8];
      EncodeBe((uint64_t)i, want);
      if (i >= job->hi || key == NULL || value == NULL || klen != 8 || memcmp(key, want, 8) != 0 ||
          vlen != g_model[i].len || memcmp(value, g_model[i].value, vlen) != 0) {
        rows = -1;
        break;
      }
      ++rows;
      ++i;
    }
    pushdown_cursor_destroy(cur);
    if (rows < 0 || (job->rows > 0 && rows != job->rows)) {
      job->rows = -1;
    } else {
      job->rows = rows;
    }
  }
  pushdown_scanoptions_destroy(so);
  return NULL;
}

/* ---- Part 1: attach to a rocksdb_t ---------------------------------------- */

static void TestAttachRaw(const char* dir) {
  char* err = NULL;
  rocksdb_options_t* options = rocksdb_options_create();
  rocksdb_options_set_create_if_missing(options, 1);
  /* Opened with its column family list, for the default family's handle. */
  const char* cf_names[1] = {"default"};
  const rocksdb_options_t* cf_opts[1] = {options};
  rocksdb_column_family_handle_t* cf = NULL;
  rocksdb_t* db = rocksdb_open_column_families(options, dir, 1, cf_names, cf_opts, &cf, &err);
  CHECK_OK(err, "rocksdb_open_column_families");
  if (db == NULL) return;
  rocksdb_writeoptions_t* wo = rocksdb_writeoptions_create();

  /* An SST file with most of the keys, then overwrites that flip the
   * predicate and deletes that stay in the memtable. */
  for (int i = 0; i < 1500; ++i) {
    Put(db, wo, i, (uint64_t)i * 37 % 101, &err);
  }
  CHECK_OK(err, "rocksdb_put");
  rocksdb_flushoptions_t* fo = rocksdb_flushoptions_create();
  rocksdb_flush(db, fo, &err);
  CHECK_OK(err, "rocksdb_flush");
  for (int i = 1500; i < kKeys; ++i) Put(db, wo, i, (uint64_t)i * 13 % 97, &err);
  for (int i = 0; i < 1500; i += 7) Put(db, wo, i, (uint64_t)i * 11 % 89, &err);
  for (int i = 0; i < kKeys; i += 50) Delete(db, wo, i, &err);
  CHECK_OK(err, "rocksdb writes");

  /* Attach: a NULL errptr is allowed; bad arguments are errors. */
  CHECK(pushdown_attach(NULL, NULL, NULL) == NULL, "attach(NULL) returned a handle");
  CHECK(pushdown_attach(NULL, NULL, &err) == NULL, "attach(NULL)");
  CHECK_ERROR(err, "db is NULL", "pushdown_attach(NULL)");
  pushdown_attachoptions_t* ao = pushdown_attachoptions_create();
  pushdown_attachoptions_set_device(ao, "tpu", &err);
  CHECK_ERROR(err, "unknown device 'tpu'", "attachoptions_set_device");
  pushdown_attachoptions_set_device(ao, "auto", &err);
  CHECK_OK(err, "attachoptions_set_device(auto)");
  pushdown_db_t* pd = pushdown_attach(db, ao, &err);
  CHECK_OK(err, "pushdown_attach");
  pushdown_attachoptions_destroy(ao);
  if (pd == NULL) return;

  unsigned char lo_key[8], hi_key[8];
  const int lo = 300, hi = 1700;
  EncodeBe(lo, lo_key);
  EncodeBe(hi, hi_key);
  const int expected = ExpectedRaw(lo, hi);
  CHECK(expected > 100, "the model has too few matching rows: %d", expected);

  /* Every device returns exactly the model's rows. */
  const char* devices[] = {"auto", "host", "kernel", "iterator"};
  for (int d = 0; d < 4; ++d) {
    pushdown_scanoptions_t* so = pushdown_scanoptions_create();
    pushdown_scanoptions_set_device(so, devices[d], &err);
    CHECK_OK(err, "scanoptions_set_device");
    pushdown_scanoptions_set_lower_bound(so, (const char*)lo_key, 8);
    pushdown_scanoptions_set_upper_bound(so, (const char*)hi_key, 8);
    pushdown_cursor_t* cur = pushdown_scan(pd, NULL, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "pushdown_scan");
    if (cur == NULL) continue;
    CHECK(pushdown_cursor_column_count(cur) == 2, "raw scan has %zu columns",
          pushdown_cursor_column_count(cur));
    CHECK(strcmp(pushdown_cursor_column_name(cur, 0), "key") == 0, "column 0");
    CHECK(strcmp(pushdown_cursor_column_name(cur, 1), "value") == 0, "column 1");
    CHECK(pushdown_cursor_column_type(cur, 1) == PUSHDOWN_TYPE_BYTES, "value type");
    CHECK(strcmp(pushdown_cursor_column_type_name(cur, 1), "BYTES") == 0, "type name %s",
          pushdown_cursor_column_type_name(cur, 1));
    CHECK(pushdown_cursor_column_name(cur, 2) == NULL, "column 2 exists");
    CHECK(pushdown_cursor_column_type(cur, 2) == -1, "column 2 has a type");
    int rows = CheckRawScan(cur, lo, hi, UINT64_MAX, devices[d]);
    CHECK(rows == expected, "%s: %d rows, expected %d", devices[d], rows, expected);
    const char* path = pushdown_cursor_path(cur);
    const char* device = pushdown_cursor_device(cur);
    if (strcmp(devices[d], "iterator") == 0) {
      CHECK(strcmp(path, "iterator") == 0, "iterator request ran on path %s", path);
    } else {
      /* The memtable data (WAL on) is merged: the pushdown path. */
      CHECK(strcmp(path, "pushdown") == 0, "%s: path %s (%s)", devices[d], path,
            pushdown_cursor_fallback_reason(cur));
    }
    if (strcmp(devices[d], "host") == 0) CHECK(strcmp(device, "host") == 0, "device %s", device);
    char* stats = pushdown_cursor_stats_json(cur, &err);
    CHECK_OK(err, "stats_json");
    CHECK(stats != NULL && stats[0] == '{' && JsonHasNumber(stats, "rows_matched", expected) &&
              JsonHasString(stats, "path", path) && strstr(stats, "\"elapsed_ms\":") != NULL,
          "%s: stats %s", devices[d], stats ? stats : "(null)");
    pushdown_free(stats);
    /* Past the end: next keeps returning 0, getters fail. */
    CHECK(pushdown_cursor_next(cur, &err) == 0, "next after the end");
    CHECK_OK(err, "next after the end");
    CHECK(!pushdown_cursor_valid(cur), "valid after the end");
    pushdown_cursor_get_bytes(cur, 0, NULL, &err);
    CHECK_ERROR(err, "past the last row", "get_bytes after the end");
    pushdown_cursor_destroy(cur);
    pushdown_scanoptions_destroy(so);
  }

  /* Limit, projection, prefix, a value of the wrong type, out of range. */
  {
    pushdown_scanoptions_t* so = pushdown_scanoptions_create();
    pushdown_scanoptions_set_lower_bound(so, (const char*)lo_key, 8);
    pushdown_scanoptions_set_limit(so, 5);
    pushdown_cursor_t* cur = pushdown_scan(pd, NULL, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "scan with limit");
    CHECK(CheckRawScan(cur, lo, kKeys, 5, "limit") == 5, "limit 5");
    pushdown_cursor_destroy(cur);

    const char* value_only[] = {"value"};
    pushdown_scanoptions_set_limit(so, UINT64_MAX);
    pushdown_scanoptions_set_columns(so, value_only, 1, &err);
    CHECK_OK(err, "set_columns");
    cur = pushdown_scan(pd, NULL, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "projected scan");
    CHECK(pushdown_cursor_column_count(cur) == 1, "projection: %zu columns",
          pushdown_cursor_column_count(cur));
    CHECK(CheckRawScan(cur, lo, kKeys, UINT64_MAX, "projection") == ExpectedRaw(lo, kKeys),
          "projection rows");
    pushdown_cursor_destroy(cur);

    const char* key_only[] = {"key"};
    pushdown_scanoptions_set_columns(so, key_only, 1, &err);
    CHECK_OK(err, "set_columns(key)");
    cur = pushdown_scan(pd, NULL, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "key-only scan");
    CHECK(pushdown_cursor_next(cur, &err) == 1, "key-only scan has a row");
    CHECK_OK(err, "key-only next");
    pushdown_cursor_value(cur, NULL, &err);
    CHECK_ERROR(err, "does not include `value`", "value with the value projected out");
    size_t len = 0;
    const char* hex = pushdown_cursor_get_text(cur, 0, &len, &err);
    CHECK_OK(err, "get_text(key)");
    CHECK(hex != NULL && len == 16 && strlen(hex) == 16, "key text '%s'", hex ? hex : "");
    pushdown_cursor_get_int64(cur, 0, &err);
    CHECK_ERROR(err, "is BYTES: read it with get_bytes", "get_int64 on BYTES");
    pushdown_cursor_get_bytes(cur, 1, NULL, &err);
    CHECK_ERROR(err, "out of range", "column 1 of a 1-column projection");
    pushdown_cursor_destroy(cur);

    const char* bad_columns[] = {"key", NULL};
    pushdown_scanoptions_set_columns(so, bad_columns, 2, &err);
    CHECK_ERROR(err, "names[1] is NULL", "set_columns with a NULL name");
    const char* unknown_column[] = {"nosuch"};
    pushdown_scanoptions_set_columns(so, unknown_column, 1, &err);
    CHECK_OK(err, "set_columns(nosuch)");
    CHECK(pushdown_scan(pd, NULL, NULL, kRawWhere, so, &err) == NULL, "scan of column nosuch");
    CHECK_ERROR(err, "nosuch", "projection of an unknown column");
    pushdown_scanoptions_destroy(so);

    /* Prefix: the 7 leading key bytes 00..00 03 are keys 768..1023. */
    so = pushdown_scanoptions_create();
    unsigned char prefix[8];
    EncodeBe(3 << 8, prefix);
    pushdown_scanoptions_set_prefix(so, (const char*)prefix, 7);
    cur = pushdown_scan(pd, NULL, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "prefix scan");
    int rows = CheckRawScan(cur, 768, 1024, UINT64_MAX, "prefix");
    CHECK(rows == ExpectedRaw(768, 1024), "prefix: %d rows, expected %d", rows,
          ExpectedRaw(768, 1024));
    pushdown_cursor_destroy(cur);
    pushdown_scanoptions_destroy(so);
  }

  /* Four threads scan the same pushdown_db_t at once (each its own cursor). */
  {
    enum { kJobs = 4 };
    const char* job_devices[kJobs] = {"host", "auto", "kernel", "iterator"};
    ScanJob jobs[kJobs];
    pthread_t threads[kJobs];
    for (int j = 0; j < kJobs; ++j) {
      ScanJob job = {pd, job_devices[j], 100 * j, 1200 + 200 * j, 0, NULL};
      jobs[j] = job;
      CHECK(pthread_create(&threads[j], NULL, RunScanJob, &jobs[j]) == 0, "pthread_create");
    }
    for (int j = 0; j < kJobs; ++j) {
      pthread_join(threads[j], NULL);
      CHECK(jobs[j].error == NULL, "concurrent scan %d: %s", j, jobs[j].error);
      CHECK(jobs[j].rows == ExpectedRaw(jobs[j].lo, jobs[j].hi),
            "concurrent scan %d (%s): %d rows, expected %d", j, jobs[j].device, jobs[j].rows,
            ExpectedRaw(jobs[j].lo, jobs[j].hi));
      pushdown_free(jobs[j].error);
    }
  }

  /* Aggregate over the same rows, against the model. */
  {
    long long count = 0, sum = 0, mn = -1, mx = -1;
    for (int i = lo; i < hi; ++i) {
      if (!(g_model[i].present && RawMatches(&g_model[i]))) continue;
      long long v = (long long)DecodeBe(g_model[i].value);
      ++count;
      sum += v;
      if (mn < 0 || v < mn) mn = v;
      if (v > mx) mx = v;
    }
    pushdown_scanoptions_t* so = pushdown_scanoptions_create();
    pushdown_scanoptions_set_lower_bound(so, (const char*)lo_key, 8);
    pushdown_scanoptions_set_upper_bound(so, (const char*)hi_key, 8);
    pushdown_aggregate_t* agg = pushdown_aggregate(
        pd, NULL, NULL, kRawWhere,
        "count(*), sum(u64be(value, 0)), min(u64be(value, 0)), max(u64be(value, 0))", so, &err);
    CHECK_OK(err, "pushdown_aggregate");
    if (agg != NULL) {
      CHECK(pushdown_aggregate_count(agg) == 4, "%zu aggregates", pushdown_aggregate_count(agg));
      CHECK(pushdown_aggregate_rows(agg) == (uint64_t)count, "rows %llu",
            (unsigned long long)pushdown_aggregate_rows(agg));
      CHECK(strcmp(pushdown_aggregate_name(agg, 0), "count(*)") == 0, "name %s",
            pushdown_aggregate_name(agg, 0));
      CHECK(pushdown_aggregate_type(agg, 0) == PUSHDOWN_TYPE_INT64, "count type");
      CHECK(pushdown_aggregate_get_int64(agg, 0, &err) == count, "count");
      CHECK(pushdown_aggregate_get_int64(agg, 1, &err) == sum, "sum");
      CHECK(pushdown_aggregate_get_int64(agg, 2, &err) == mn, "min");
      CHECK(pushdown_aggregate_get_int64(agg, 3, &err) == mx, "max");
      CHECK_OK(err, "aggregate getters");
      char want[32];
      snprintf(want, sizeof(want), "%lld", sum);
      const char* text = pushdown_aggregate_get_text(agg, 1, NULL, &err);
      CHECK_OK(err, "aggregate get_text");
      CHECK(text != NULL && strcmp(text, want) == 0, "sum text %s", text ? text : "");
      pushdown_aggregate_get_double(agg, 0, &err);
      CHECK_ERROR(err, "is INT64", "get_double on count(*)");
      pushdown_aggregate_get_int64(agg, 4, &err);
      CHECK_ERROR(err, "out of range", "aggregate 4 of 4");
      char* stats = pushdown_aggregate_stats_json(agg, &err);
      CHECK_OK(err, "aggregate stats");
      CHECK(stats != NULL && JsonHasNumber(stats, "rows_matched", count), "aggregate stats %s",
            stats ? stats : "");
      pushdown_free(stats);
      pushdown_aggregate_destroy(agg);
    }
    CHECK(pushdown_aggregate(pd, NULL, NULL, kRawWhere, "sum(nosuch)", so, &err) == NULL,
          "aggregate of an unknown column");
    CHECK_ERROR(err, "nosuch", "aggregate of an unknown column");
    CHECK(pushdown_aggregate(pd, NULL, NULL, kRawWhere, NULL, so, &err) == NULL,
          "aggregate NULL list");
    CHECK_ERROR(err, "aggregates is NULL", "aggregate NULL list");

    /* Explain: the plan as JSON, with the bounds in hex. */
    pushdown_scanoptions_set_device(so, "host", &err);
    CHECK_OK(err, "set_device(host)");
    char* plan = pushdown_explain_json(pd, NULL, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "explain");
    CHECK(plan != NULL && JsonHasString(plan, "path", "pushdown") &&
              JsonHasString(plan, "device", "host") && JsonHasString(plan, "schema", "RAW") &&
              JsonHasString(plan, "lower_bound_hex", "000000000000012c") &&
              JsonHasString(plan, "upper_bound_hex", "00000000000006a4") &&
              strstr(plan, "\"text\":\"") != NULL,
          "explain %s", plan ? plan : "");
    pushdown_free(plan);
    pushdown_scanoptions_destroy(so);
  }

  /* A snapshot: later writes are not seen. */
  {
    const rocksdb_snapshot_t* snap = rocksdb_create_snapshot(db);
    const int before = ExpectedRaw(0, kKeys);
    ModelEntry saved[kKeys];
    memcpy(saved, g_model, sizeof(saved));
    for (int i = 1; i < kKeys; i += 3) Put(db, wo, i, 2, &err); /* 2 % 10 < 3: all match */
    CHECK_OK(err, "writes after the snapshot");
    pushdown_scanoptions_t* so = pushdown_scanoptions_create();
    pushdown_scanoptions_set_snapshot(so, snap);
    ModelEntry now[kKeys];
    memcpy(now, g_model, sizeof(now));
    memcpy(g_model, saved, sizeof(saved));
    pushdown_cursor_t* cur = pushdown_scan(pd, NULL, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "snapshot scan");
    CHECK(CheckRawScan(cur, 0, kKeys, UINT64_MAX, "snapshot") == before, "snapshot rows");
    pushdown_cursor_destroy(cur);
    memcpy(g_model, now, sizeof(now));
    pushdown_scanoptions_set_snapshot(so, NULL);
    cur = pushdown_scan(pd, NULL, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "latest scan");
    CHECK(CheckRawScan(cur, 0, kKeys, UINT64_MAX, "latest") == ExpectedRaw(0, kKeys),
          "latest rows");
    pushdown_cursor_destroy(cur);
    pushdown_scanoptions_destroy(so);
    rocksdb_release_snapshot(db, snap);
  }

  /* Error paths of scans and cursors. */
  {
    pushdown_scanoptions_t* so = pushdown_scanoptions_create();
    pushdown_scanoptions_set_device(so, "gpu", &err);
    CHECK_ERROR(err, "unknown device 'gpu' (auto, kernel, host, iterator)", "set_device(gpu)");
    pushdown_scanoptions_set_device(NULL, "host", &err);
    CHECK_ERROR(err, "options is NULL", "set_device on NULL options");

    /* A bad predicate: the message has the position and a caret. */
    CHECK(pushdown_scan(pd, NULL, NULL, "u64be(value, 0) < 3 AND nosuch > 1", so, &err) == NULL,
          "scan with an unknown column");
    CHECK(err != NULL && strstr(err, "Invalid argument: pushdown_scan: ") == err &&
              strstr(err, "1:25") != NULL && strstr(err, "nosuch") != NULL &&
              strstr(err, "^") != NULL,
          "bad predicate message: %s", err ? err : "(none)");
    pushdown_free(err);
    err = NULL;
    CHECK(pushdown_scan(pd, NULL, NULL, "value = = 'x'", so, &err) == NULL, "syntax error");
    CHECK_ERROR(err, "1:9", "syntax error position");
    CHECK(pushdown_explain_json(pd, NULL, NULL, "key >", so, &err) == NULL, "explain bad");
    CHECK_ERROR(err, "1:6", "explain of a bad predicate");
    CHECK(pushdown_scan(pd, NULL, "a INT64 KEY, b NOSUCHTYPE", "TRUE", so, &err) == NULL,
          "scan with a bad DDL");
    CHECK_ERROR(err, "NOSUCHTYPE", "bad DDL");
    CHECK(pushdown_scan(NULL, NULL, NULL, "TRUE", so, &err) == NULL, "scan NULL db");
    CHECK_ERROR(err, "pushdown_scan: db is NULL", "scan NULL db");
    CHECK(pushdown_scan(pd, NULL, NULL, NULL, so, &err) == NULL, "scan NULL where");
    CHECK_ERROR(err, "where is NULL", "scan NULL where");
    CHECK(pushdown_scan_table(pd, "t", "TRUE", so, &err) == NULL, "table scan without catalog");
    CHECK_ERROR(err, "no catalog", "table scan without catalog");
    CHECK(pushdown_scan_table(pd, NULL, "TRUE", so, &err) == NULL, "table scan NULL name");
    CHECK_ERROR(err, "table is NULL", "table scan NULL name");
    pushdown_create_table(pd, "t", "a INT64 KEY", &err);
    CHECK_ERROR(err, "pushdown_open", "create_table on an attached DB");
    CHECK(pushdown_cursor_next(NULL, &err) == 0, "next(NULL)");
    CHECK_ERROR(err, "cursor is NULL", "next(NULL)");
    pushdown_cursor_get_int64(NULL, 0, &err);
    CHECK_ERROR(err, "cursor is NULL", "get_int64(NULL)");
    CHECK(pushdown_cursor_column_count(NULL) == 0, "column_count(NULL)");
    pushdown_cursor_destroy(NULL);
    pushdown_scanoptions_destroy(NULL);
    pushdown_close(NULL);

    /* A message already in errptr is replaced (freed), as in RocksDB. */
    pushdown_scan(pd, NULL, NULL, NULL, so, &err);
    pushdown_scan(NULL, NULL, NULL, "TRUE", so, &err);
    CHECK_ERROR(err, "db is NULL", "second error replaces the first");

    /* Getters before next, after close; close is idempotent; stats stay. */
    pushdown_cursor_t* cur = pushdown_scan(pd, NULL, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "scan");
    pushdown_cursor_get_bytes(cur, 0, NULL, &err);
    CHECK_ERROR(err, "call pushdown_cursor_next first", "getter before next");
    pushdown_cursor_key(cur, NULL, &err);
    CHECK_ERROR(err, "call pushdown_cursor_next first", "key before next");
    CHECK(pushdown_cursor_next(cur, &err) == 1, "first row");
    CHECK_OK(err, "first row");
    CHECK(pushdown_cursor_is_null(cur, 0, &err) == 0, "key is not NULL");
    CHECK_OK(err, "is_null");
    pushdown_cursor_close(cur);
    pushdown_cursor_close(cur);
    CHECK(pushdown_cursor_next(cur, &err) == 0, "next after close");
    CHECK_ERROR(err, "cursor is closed", "next after close");
    pushdown_cursor_get_text(cur, 0, NULL, &err);
    CHECK_ERROR(err, "cursor is closed", "get_text after close");
    pushdown_cursor_key(cur, NULL, &err);
    CHECK_ERROR(err, "cursor is closed", "key after close");
    char* stats = pushdown_cursor_stats_json(cur, &err);
    CHECK_OK(err, "stats after close");
    CHECK(stats != NULL && JsonHasString(stats, "path", "pushdown"), "stats after close: %s",
          stats ? stats : "");
    pushdown_free(stats);
    CHECK(strcmp(pushdown_cursor_path(cur), "pushdown") == 0, "path after close");
    pushdown_cursor_destroy(cur);

    /* Closing the DB handle while a cursor is open: the cursor still works. */
    pushdown_db_t* pd2 = pushdown_attach(db, NULL, &err);
    CHECK_OK(err, "second attach");
    cur = pushdown_scan(pd2, NULL, NULL, kRawWhere, NULL, &err);
    CHECK_OK(err, "scan of the second attachment");
    pushdown_close(pd2);
    CHECK(CheckRawScan(cur, 0, kKeys, UINT64_MAX, "after close of its DB handle") ==
              ExpectedRaw(0, kKeys),
          "cursor outlives pushdown_close");
    pushdown_cursor_destroy(cur);
    pushdown_scanoptions_destroy(so);
  }

  /* A range deletion in the memtable is applied on the pushdown path; a
   * write with the WAL disabled makes the memtable capture inexact, so the
   * scan takes the iterator path (exact, with the reason); strict_device
   * makes that an error. */
  {
    unsigned char from[8], to[8];
    EncodeBe(1000, from);
    EncodeBe(1100, to);
    rocksdb_delete_range_cf(db, wo, cf, (const char*)from, 8, (const char*)to, 8, &err);
    CHECK_OK(err, "delete_range");
    for (int i = 1000; i < 1100; ++i) g_model[i].present = 0;
    pushdown_scanoptions_t* so = pushdown_scanoptions_create();
    pushdown_scanoptions_set_device(so, "host", &err);
    CHECK_OK(err, "set_device(host)");
    pushdown_cursor_t* cur = pushdown_scan(pd, cf, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "scan with a memtable range deletion");
    CHECK(CheckRawScan(cur, 0, kKeys, UINT64_MAX, "range deletion") == ExpectedRaw(0, kKeys),
          "rows with a range deletion");
    CHECK(strcmp(pushdown_cursor_path(cur), "pushdown") == 0, "path %s with a range deletion",
          pushdown_cursor_path(cur));
    pushdown_cursor_destroy(cur);

    rocksdb_writeoptions_t* no_wal = rocksdb_writeoptions_create();
    rocksdb_writeoptions_disable_WAL(no_wal, 1);
    Put(db, no_wal, 1000, 7, &err); /* 7 % 10 < 3 is false: 1002's 2 matches */
    CHECK_OK(err, "put without the WAL");
    Put(db, no_wal, 1002, 2, &err);
    CHECK_OK(err, "put without the WAL");
    rocksdb_writeoptions_destroy(no_wal);
    cur = pushdown_scan(pd, cf, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "scan with a write without the WAL");
    CHECK(CheckRawScan(cur, 0, kKeys, UINT64_MAX, "write without the WAL") == ExpectedRaw(0, kKeys),
          "rows with a write without the WAL");
    CHECK(strcmp(pushdown_cursor_path(cur), "iterator") == 0, "path %s", pushdown_cursor_path(cur));
    CHECK(strlen(pushdown_cursor_fallback_reason(cur)) > 0, "no fallback reason");
    pushdown_cursor_destroy(cur);
    pushdown_scanoptions_set_strict_device(so, 1);
    CHECK(pushdown_scan(pd, cf, NULL, kRawWhere, so, &err) == NULL, "strict scan succeeded");
    CHECK_ERROR(err, "Unavailable", "strict_device with the iterator path");
    CHECK(pushdown_aggregate(pd, cf, NULL, kRawWhere, "count(*)", so, &err) == NULL,
          "strict aggregate succeeded");
    CHECK_ERROR(err, "Unavailable", "strict aggregate");

    /* The kernel device, strict: an error exactly when a non-strict kernel
     * scan would not run on the kernel. Flush first (no write without the
     * WAL in the memtable). */
    rocksdb_flush(db, fo, &err);
    CHECK_OK(err, "flush");
    rocksdb_compact_range(db, NULL, 0, NULL, 0); /* range deletions out of the files */
    pushdown_scanoptions_set_strict_device(so, 0);
    pushdown_scanoptions_set_device(so, "kernel", &err);
    CHECK_OK(err, "set_device(kernel)");
    cur = pushdown_scan(pd, cf, NULL, kRawWhere, so, &err);
    CHECK_OK(err, "kernel scan");
    CHECK(CheckRawScan(cur, 0, kKeys, UINT64_MAX, "kernel") == ExpectedRaw(0, kKeys),
          "kernel rows");
    const int on_kernel = cur != NULL && strcmp(pushdown_cursor_device(cur), "kernel") == 0;
    printf("c_api_test: kernel request ran on %s/%s%s%s\n", pushdown_cursor_path(cur),
           pushdown_cursor_device(cur), on_kernel ? "" : ": ",
           pushdown_cursor_fallback_reason(cur));
    pushdown_cursor_destroy(cur);
    pushdown_scanoptions_set_strict_device(so, 1);
    cur = pushdown_scan(pd, cf, NULL, kRawWhere, so, &err);
    if (on_kernel) {
      CHECK_OK(err, "strict kernel scan where the kernel works");
      CHECK(cur != NULL, "strict kernel scan");
    } else {
      CHECK(cur == NULL, "strict kernel scan where the kernel does not run");
      CHECK_ERROR(err, "Unavailable", "strict kernel");
    }
    pushdown_cursor_destroy(cur);
    pushdown_scanoptions_destroy(so);
  }

  pushdown_close(pd);
  rocksdb_column_family_handle_destroy(cf);
  rocksdb_flushoptions_destroy(fo);
  rocksdb_writeoptions_destroy(wo);
  rocksdb_close(db);
  rocksdb_options_destroy(options);
}

/* ---- Part 2: tables (pushdown_open), typed values ------------------------ */

enum { kRows = 300 };

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian). */
static long long DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (long long)era * 146097 + doe - 719468;
}

typedef struct {
  long long id, price_cents, small;
  int has_ratio, has_note, ok, month, day;
  double ratio;
  char note[16];
} Row;

static void MakeRow(int i, Row* r) {
  r->id = i;
  r->price_cents = (long long)i * 125;
  r->has_ratio = i % 7 != 0;
  r->ratio = i / 4.0;
  r->month = 1 + i % 12;
  r->day = 1 + i % 28;
  r->ok = i % 2 == 1;
  r->has_note = i % 5 != 0;
  snprintf(r->note, sizeof(r->note), "n%d", i);
  r->small = -i;
}

static const char kTableDdl[] =
    "id INT64 KEY, price DECIMAL(12,2) NOT NULL, ratio DOUBLE, shipped DATE, ok BOOL, "
    "note VARCHAR(16), small INT32";
static const char kTableWhere[] = "price >= 100.00 AND ok AND shipped < DATE '1994-07-01'";
static int TableMatches(const Row* r) { return r->price_cents >= 10000 && r->ok && r->month < 7; }

/* Reads every row of a table scan with kTableWhere and checks each typed
 * value; returns the row count. */
static int CheckTableScan(pushdown_cursor_t* cur, const char* what) {
  char* err = NULL;
  int i = 0, rows = 0;
  Row r;
  while (pushdown_cursor_next(cur, &err)) {
    for (;; ++i) {
      MakeRow(i, &r);
      if (i >= kRows || TableMatches(&r)) break;
    }
    if (i >= kRows) {
      CHECK(0, "%s: more rows than expected", what);
      break;
    }
    CHECK(pushdown_cursor_get_int64(cur, 0, &err) == r.id, "%s: id", what);
    int scale = -1;
    CHECK(pushdown_cursor_get_decimal(cur, 1, &scale, &err) == r.price_cents && scale == 2,
          "%s: price of %lld", what, r.id);
    CHECK(pushdown_cursor_is_null(cur, 2, &err) == !r.has_ratio, "%s: ratio NULL flag", what);
    const double ratio = pushdown_cursor_get_double(cur, 2, &err);
    CHECK(r.has_ratio ? ratio == r.ratio : ratio == 0, "%s: ratio %g of %lld", what, ratio, r.id);
    CHECK(pushdown_cursor_get_date(cur, 3, &err) == DaysFromCivil(1994, r.month, r.day),
          "%s: date of %lld", what, r.id);
    CHECK(pushdown_cursor_get_bool(cur, 4, &err) == 1, "%s: ok", what);
    size_t len = 0;
    const char* note = pushdown_cursor_get_bytes(cur, 5, &len, &err);
    if (r.has_note) {
      CHECK(note != NULL && len == strlen(r.note) && memcmp(note, r.note, len) == 0,
            "%s: note of %lld", what, r.id);
    } else {
      CHECK(note == NULL && len == 0 && pushdown_cursor_is_null(cur, 5, &err), "%s: NULL note",
            what);
    }
    CHECK(pushdown_cursor_get_int64(cur, 6, &err) == r.small, "%s: small", what);
    CHECK_OK(err, "typed getters");
    /* Text forms. */
    char want[64];
    snprintf(want, sizeof(want), "%lld.%02lld", r.price_cents / 100, r.price_cents % 100);
    const char* text = pushdown_cursor_get_text(cur, 1, &len, &err);
    CHECK(text != NULL && strcmp(text, want) == 0 && len == strlen(want), "%s: price text %s", what,
          text ? text : "");
    snprintf(want, sizeof(want), "1994-%02d-%02d", r.month, r.day);
    const char* date_text = pushdown_cursor_get_text(cur, 3, NULL, &err);
    CHECK(date_text != NULL && strcmp(date_text, want) == 0, "%s: date text %s", what,
          date_text ? date_text : "");
    /* Both texts stay valid until next; a column read again is the same string. */
    CHECK(pushdown_cursor_get_text(cur, 1, NULL, &err) == text, "%s: price text re-read", what);
    CHECK(strcmp(text, date_text) != 0 && strchr(text, '.') != NULL, "%s: text buffers", what);
    CHECK(strcmp(pushdown_cursor_get_text(cur, 4, NULL, &err), "true") == 0, "%s: bool", what);
    CHECK((pushdown_cursor_get_text(cur, 2, NULL, &err) == NULL) == !r.has_ratio, "%s: NULL text",
          what);
    CHECK_OK(err, "text getters");
    /* Getters of the wrong type name the column and the right getter. */
    pushdown_cursor_get_int64(cur, 1, &err);
    CHECK_ERROR(err, "column 1 'price' is DECIMAL(12,2): read it with get_decimal",
                "get_int64 on DECIMAL");
    pushdown_cursor_get_double(cur, 3, &err);
    CHECK_ERROR(err, "is DATE: read it with get_date", "get_double on DATE");
    pushdown_cursor_get_bool(cur, 0, &err);
    CHECK_ERROR(err, "is INT64", "get_bool on INT64");
    pushdown_cursor_get_decimal(cur, 2, NULL, &err);
    CHECK_ERROR(err, "is DOUBLE", "get_decimal on DOUBLE");
    pushdown_cursor_get_date(cur, 5, &err);
    CHECK_ERROR(err, "is VARCHAR(16)", "get_date on VARCHAR");
    pushdown_cursor_get_bytes(cur, 4, NULL, &err);
    CHECK_ERROR(err, "is BOOL", "get_bytes on BOOL");
    pushdown_cursor_value(cur, NULL, &err);
    CHECK_ERROR(err, "not a raw-mode scan", "value of a table scan");
    size_t klen = 0;
    CHECK(pushdown_cursor_key(cur, &klen, &err) != NULL && klen > 0, "%s: key", what);
    CHECK_OK(err, "key of a table row");
    ++rows;
    ++i;
  }
  CHECK_OK(err, what);
  for (; i < kRows; ++i) {
    MakeRow(i, &r);
    CHECK(!TableMatches(&r), "%s: row %d missing", what, i);
  }
  return rows;
}

static void TestTables(const char* dir) {
  char* err = NULL;
  pushdown_openoptions_t* oo = pushdown_openoptions_create();
  pushdown_openoptions_set_device(oo, "nope", &err);
  CHECK_ERROR(err, "unknown device 'nope'", "openoptions_set_device");
  pushdown_openoptions_set_device(oo, "host", &err);
  CHECK_OK(err, "openoptions_set_device(host)");
  CHECK(pushdown_open(NULL, oo, &err) == NULL, "open(NULL)");
  CHECK_ERROR(err, "path is NULL", "open(NULL)");
  pushdown_db_t* pd = pushdown_open(dir, oo, &err);
  CHECK_OK(err, "pushdown_open");
  pushdown_openoptions_destroy(oo);
  if (pd == NULL) return;

  pushdown_create_table(pd, "bad", "id INT64 KEY, x DECIMAL(99,2)", &err);
  CHECK_ERROR(err, "1:", "bad DDL position");
  pushdown_create_table(pd, "t", kTableDdl, &err);
  CHECK_OK(err, "create_table");
  pushdown_create_table(pd, "t", kTableDdl, &err);
  CHECK_ERROR(err, "exists", "create_table twice");

  int expected = 0;
  for (int i = 0; i < kRows; ++i) {
    Row r;
    MakeRow(i, &r);
    expected += TableMatches(&r);
    char id[24], price[32], ratio[40], shipped[16], small[24];
    snprintf(id, sizeof(id), "%lld", r.id);
    snprintf(price, sizeof(price), "%lld.%02lld", r.price_cents / 100, r.price_cents % 100);
    snprintf(ratio, sizeof(ratio), "%.17g", r.ratio);
    snprintf(shipped, sizeof(shipped), "1994-%02d-%02d", r.month, r.day);
    snprintf(small, sizeof(small), "%lld", r.small);
    const char* fields[7] = {id,
                             price,
                             r.has_ratio ? ratio : NULL,
                             shipped,
                             r.ok ? "true" : "false",
                             r.has_note ? r.note : "",
                             small};
    size_t lens[7];
    for (int f = 0; f < 7; ++f) lens[f] = fields[f] ? strlen(fields[f]) : 0;
    pushdown_put_text(pd, "t", fields, lens, 7, &err);
    if (err != NULL) break;
  }
  CHECK_OK(err, "put_text");
  {
    const char* fields[7] = {"9999", "1.00", "", "1994-13-01", "true", "", "1"};
    size_t lens[7];
    for (int f = 0; f < 7; ++f) lens[f] = strlen(fields[f]);
    pushdown_put_text(pd, "t", fields, lens, 7, &err);
    CHECK_ERROR(err, "field 'shipped': bad DATE '1994-13-01'", "put_text bad date");
    pushdown_put_text(pd, "t", fields, lens, 6, &err);
    CHECK_ERROR(err, "7", "put_text with 6 fields");
    pushdown_put_text(pd, "nosuch", fields, lens, 7, &err);
    CHECK_ERROR(err, "Not found", "put_text of an unknown table");
    pushdown_put_text(pd, "t", NULL, lens, 7, &err);
    CHECK_ERROR(err, "fields is NULL", "put_text NULL fields");
  }

  pushdown_cursor_t* cur = pushdown_scan_table(pd, "t", kTableWhere, NULL, &err);
  CHECK_OK(err, "scan_table");
  CHECK(pushdown_cursor_column_count(cur) == 7, "7 columns");
  CHECK(pushdown_cursor_column_type(cur, 1) == PUSHDOWN_TYPE_DECIMAL, "price type");
  CHECK(pushdown_cursor_column_type(cur, 3) == PUSHDOWN_TYPE_DATE, "date type");
  CHECK(pushdown_cursor_column_type(cur, 6) == PUSHDOWN_TYPE_INT32, "small type");
  CHECK(strcmp(pushdown_cursor_column_type_name(cur, 1), "DECIMAL(12,2)") == 0, "price type name");
  int rows = CheckTableScan(cur, "table scan");
  CHECK(rows == expected && expected > 10, "table scan: %d rows, expected %d", rows, expected);
  CHECK(strcmp(pushdown_cursor_device(cur), "host") == 0 ||
            strcmp(pushdown_cursor_path(cur), "iterator") == 0,
        "the DB's default device host: ran on %s", pushdown_cursor_device(cur));
  pushdown_cursor_destroy(cur);

  CHECK(pushdown_scan_table(pd, "nosuch", "TRUE", NULL, &err) == NULL, "scan of no table");
  CHECK_ERROR(err, "Not found", "scan of an unknown table");
  CHECK(pushdown_scan_table(pd, "t", "price > 'abc' ", NULL, &err) == NULL, "type error");
  CHECK_ERROR(err, "1:", "type error position");
  /* Raw mode over a PushdownDB's default column family (the table is in its own). */
  cur = pushdown_scan(pd, NULL, NULL, "TRUE", NULL, &err);
  CHECK_OK(err, "raw scan of a PushdownDB");
  CHECK(cur != NULL && pushdown_cursor_next(cur, &err) == 0, "default family is empty");
  CHECK_OK(err, "raw scan of a PushdownDB: next");
  pushdown_cursor_destroy(cur);

  /* Aggregates: DECIMAL sums are exact, count/max of INT64. */
  {
    long long count = 0, sum_cents = 0, max_id = 0;
    double sum_ratio = 0;
    for (int i = 0; i < kRows; ++i) {
      Row r;
      MakeRow(i, &r);
      if (!TableMatches(&r)) continue;
      ++count;
      sum_cents += r.price_cents;
      if (r.has_ratio) sum_ratio += r.ratio;
      if (r.id > max_id) max_id = r.id;
    }
    pushdown_aggregate_t* agg = pushdown_aggregate_table(
        pd, "t", kTableWhere, "count(*), sum(price), max(id), sum(ratio), min(price * 0)", NULL,
        &err);
    CHECK_OK(err, "aggregate_table");
    if (agg != NULL) {
      int scale = -1;
      CHECK(pushdown_aggregate_get_int64(agg, 0, &err) == count, "count");
      CHECK(pushdown_aggregate_get_decimal(agg, 1, &scale, &err) == sum_cents && scale == 2,
            "sum(price)");
      CHECK(pushdown_aggregate_type(agg, 1) == PUSHDOWN_TYPE_DECIMAL, "sum(price) type");
      CHECK(strcmp(pushdown_aggregate_type_name(agg, 1), "DECIMAL(18,2)") == 0, "type %s",
            pushdown_aggregate_type_name(agg, 1));
      CHECK(pushdown_aggregate_get_int64(agg, 2, &err) == max_id, "max(id)");
      CHECK(pushdown_aggregate_get_double(agg, 3, &err) == sum_ratio, "sum(ratio)");
      CHECK(pushdown_aggregate_is_null(agg, 3, &err) == 0, "sum(ratio) not NULL");
      CHECK_OK(err, "aggregate getters");
      pushdown_aggregate_destroy(agg);
    }
    agg = pushdown_aggregate_table(pd, "t", "id < 0", "count(*), sum(price)", NULL, &err);
    CHECK_OK(err, "aggregate of no rows");
    if (agg != NULL) {
      CHECK(pushdown_aggregate_get_int64(agg, 0, &err) == 0, "count of no rows");
      CHECK(pushdown_aggregate_is_null(agg, 1, &err) == 1, "sum of no rows is NULL");
      CHECK(pushdown_aggregate_get_text(agg, 1, NULL, &err) == NULL, "NULL sum text");
      CHECK_OK(err, "aggregate of no rows getters");
      pushdown_aggregate_destroy(agg);
    }
  }

  char* plan = pushdown_explain_table_json(pd, "t", kTableWhere, NULL, &err);
  CHECK_OK(err, "explain_table");
  CHECK(plan != NULL && strstr(plan, "\"schema\":\"id INT64") != NULL &&
            strstr(plan, "\"pushed\":[") != NULL && strstr(plan, "\"lower_bound_hex\":") != NULL,
        "explain %s", plan ? plan : "");
  pushdown_free(plan);
  pushdown_close(pd);

  /* The same DB through RocksDB's C API (every column family, as RocksDB
   * requires), attached with its catalog: the table scan is the same. */
  rocksdb_options_t* options = rocksdb_options_create();
  size_t ncf = 0;
  char** names = rocksdb_list_column_families(options, dir, &ncf, &err);
  CHECK_OK(err, "list_column_families");
  if (names == NULL) return;
  const rocksdb_options_t** cf_options = calloc(ncf, sizeof(*cf_options));
  rocksdb_column_family_handle_t** handles = calloc(ncf, sizeof(*handles));
  for (size_t i = 0; i < ncf; ++i) cf_options[i] = options;
  rocksdb_t* db = rocksdb_open_column_families(options, dir, (int)ncf, (const char* const*)names,
                                               cf_options, handles, &err);
  CHECK_OK(err, "open_column_families");
  if (db != NULL) {
    rocksdb_column_family_handle_t *catalog = NULL, *table = NULL;
    for (size_t i = 0; i < ncf; ++i) {
      if (strcmp(names[i], "pushdown_catalog") == 0) catalog = handles[i];
      if (strcmp(names[i], "t") == 0) table = handles[i];
    }
    CHECK(catalog != NULL && table != NULL, "column families of the table DB");
    pushdown_attachoptions_t* ao = pushdown_attachoptions_create();
    pushdown_attachoptions_set_catalog(ao, catalog);
    pushdown_db_t* att = pushdown_attach(db, ao, &err);
    CHECK_OK(err, "attach with a catalog");
    CHECK(pushdown_scan_table(att, "t", kTableWhere, NULL, &err) == NULL,
          "table scan without the table's handle");
    CHECK_ERROR(err, "pushdown_attachoptions_add_column_family", "table without its handle");
    pushdown_close(att);
    pushdown_attachoptions_add_column_family(ao, table);
    att = pushdown_attach(db, ao, &err);
    CHECK_OK(err, "attach with a catalog and the table's handle");
    cur = pushdown_scan_table(att, "t", kTableWhere, NULL, &err);
    CHECK_OK(err, "attached table scan");
    rows = CheckTableScan(cur, "attached table scan");
    CHECK(rows == expected, "attached table scan: %d rows, expected %d", rows, expected);
    pushdown_cursor_destroy(cur);
    /* The same rows with the schema given per call as DDL. */
    cur = pushdown_scan(att, table, kTableDdl, kTableWhere, NULL, &err);
    CHECK_OK(err, "scan with a DDL");
    rows = CheckTableScan(cur, "scan with a DDL");
    CHECK(rows == expected, "scan with a DDL: %d rows, expected %d", rows, expected);
    pushdown_cursor_destroy(cur);
    CHECK(pushdown_scan_table(att, "nosuch", "TRUE", NULL, &err) == NULL, "unknown table");
    CHECK_ERROR(err, "Not found", "attached scan of an unknown table");
    pushdown_close(att);
    pushdown_attachoptions_destroy(ao);
    for (size_t i = 0; i < ncf; ++i) rocksdb_column_family_handle_destroy(handles[i]);
    rocksdb_close(db);
  }
  rocksdb_list_column_families_destroy(names, ncf);
  free(cf_options);
  free(handles);
  rocksdb_options_destroy(options);
}

int main(int argc, char** argv) {
  char base[4096];
  const char* tmp = getenv("TMPDIR");
  snprintf(base, sizeof(base), "%s/pd_c_api_test_XXXXXX",
           argc > 1 ? argv[1] : (tmp ? tmp : "/tmp"));
  if (mkdtemp(base) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  char raw_dir[4200], table_dir[4200];
  snprintf(raw_dir, sizeof(raw_dir), "%s/raw", base);
  snprintf(table_dir, sizeof(table_dir), "%s/tables", base);

  TestAttachRaw(raw_dir);
  TestTables(table_dir);

  rocksdb_options_t* options = rocksdb_options_create();
  char* err = NULL;
  rocksdb_destroy_db(options, raw_dir, &err);
  pushdown_free(err);
  err = NULL;
  rocksdb_destroy_db(options, table_dir, &err);
  pushdown_free(err);
  rocksdb_options_destroy(options);
  rmdir(raw_dir);
  rmdir(table_dir);
  rmdir(base);

  printf("c_api_test: %d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
