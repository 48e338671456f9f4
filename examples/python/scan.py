#!/usr/bin/env python3
"""A pushdown scan from Python through the C API (pushdown/c.h) and ctypes.

Creates a table in a new DB (pushdown_open), writes 1,000 rows as text,
scans with a predicate and a projection, reads the typed values, runs an
aggregate and prints the scan's stats JSON.

  python3 examples/python/scan.py [--lib build/lib/librocksdb_pushdown.so]
                                  [--db DIR] [--device auto|kernel|host|iterator]
                                  [--check]

--check: exit 1 unless every row and the aggregate equal what this script
computes itself (the ctest c_api_python_example runs it so).
"""
import argparse
import ctypes
import json
import os
import shutil
import sys
import tempfile
from decimal import Decimal

c_char_pp = ctypes.POINTER(ctypes.c_char_p)


class PushdownError(Exception):
    pass


def load(path):
    """The library with the prototypes this example uses."""
    lib = ctypes.CDLL(path)
    P = ctypes.c_void_p
    err = ctypes.POINTER(ctypes.c_void_p)  # char** errptr (freed with pushdown_free)
    protos = {
        "pushdown_free": (None, [P]),
        "pushdown_openoptions_create": (P, []),
        "pushdown_openoptions_destroy": (None, [P]),
        "pushdown_open": (P, [ctypes.c_char_p, P, err]),
        "pushdown_close": (None, [P]),
        "pushdown_create_table": (None, [P, ctypes.c_char_p, ctypes.c_char_p, err]),
        "pushdown_put_text": (None, [P, ctypes.c_char_p, c_char_pp,
                                     ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t, err]),
        "pushdown_scanoptions_create": (P, []),
        "pushdown_scanoptions_destroy": (None, [P]),
        "pushdown_scanoptions_set_device": (None, [P, ctypes.c_char_p, err]),
        "pushdown_scanoptions_set_columns": (None, [P, c_char_pp, ctypes.c_size_t, err]),
        "pushdown_scan_table": (P, [P, ctypes.c_char_p, ctypes.c_char_p, P, err]),
        "pushdown_cursor_next": (ctypes.c_ubyte, [P, err]),
        "pushdown_cursor_destroy": (None, [P]),
        "pushdown_cursor_column_count": (ctypes.c_size_t, [P]),
        "pushdown_cursor_column_name": (ctypes.c_char_p, [P, ctypes.c_size_t]),
        "pushdown_cursor_is_null": (ctypes.c_ubyte, [P, ctypes.c_size_t, err]),
        "pushdown_cursor_get_int64": (ctypes.c_int64, [P, ctypes.c_size_t, err]),
        "pushdown_cursor_get_decimal": (ctypes.c_int64, [P, ctypes.c_size_t,
                                                         ctypes.POINTER(ctypes.c_int), err]),
        "pushdown_cursor_get_text": (ctypes.c_char_p, [P, ctypes.c_size_t,
                                                       ctypes.POINTER(ctypes.c_size_t), err]),
        "pushdown_cursor_device": (ctypes.c_char_p, [P]),
        "pushdown_cursor_stats_json": (P, [P, err]),
        "pushdown_aggregate_table": (P, [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                         P, err]),
        "pushdown_aggregate_destroy": (None, [P]),
        "pushdown_aggregate_get_int64": (ctypes.c_int64, [P, ctypes.c_size_t, err]),
        "pushdown_aggregate_get_decimal": (ctypes.c_int64, [P, ctypes.c_size_t,
                                                            ctypes.POINTER(ctypes.c_int), err]),
    }
    for name, (restype, argtypes) in protos.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


def call(lib, fn, *args):
    """Calls fn(*args, &err); raises PushdownError with the message on failure."""
    err = ctypes.c_void_p()
    result = fn(*args, ctypes.byref(err))
    if err.value:
        message = ctypes.string_at(err.value).decode(errors="replace")
        lib.pushdown_free(err)
        raise PushdownError(message)
    return result


def take_string(lib, ptr):
    """A malloc'ed char* from the library as str, freed."""
    try:
        return ctypes.string_at(ptr).decode()
    finally:
        lib.pushdown_free(ptr)


def strings(values):
    arr = (ctypes.c_char_p * len(values))(*[v.encode() for v in values])
    return ctypes.cast(arr, c_char_pp), arr


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default=os.path.join(here, "..", "..", "build", "lib",
                                                  "librocksdb_pushdown.so"))
    ap.add_argument("--db", help="DB directory to create (default: a temporary one)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()

    lib = load(args.lib)
    tmp = None
    path = args.db
    if path is None:
        tmp = tempfile.mkdtemp(prefix="pd_python_example_")
        path = os.path.join(tmp, "db")
    db = call(lib, lib.pushdown_open, path.encode(), None)
    try:
        call(lib, lib.pushdown_create_table, db, b"orders",
             b"o_id INT64 KEY, o_amount DECIMAL(12,2) NOT NULL, o_note VARCHAR(32)")
        rows = {}
        for i in range(1000):
            amount = Decimal(i * 125) / 100  # 1.25 * i, exact
            note = "vip" if i % 10 == 0 else ""  # "" is SQL NULL
            fields = [str(i), f"{amount:.2f}", note]
            ptrs, keep = strings(fields)
            lens = (ctypes.c_size_t * 3)(*[len(f) for f in fields])
            call(lib, lib.pushdown_put_text, db, b"orders", ptrs, lens, 3)
            rows[i] = (amount, note or None)

        where = "o_amount >= 1000.00 AND o_note IS NOT NULL"
        opts = lib.pushdown_scanoptions_create()
        call(lib, lib.pushdown_scanoptions_set_device, opts, args.device.encode())
        cols, keep = strings(["o_id", "o_amount", "o_note"])
        call(lib, lib.pushdown_scanoptions_set_columns, opts, cols, 3)
        cur = call(lib, lib.pushdown_scan_table, db, b"orders", where.encode(), opts)
        got = []
        try:
            names = [lib.pushdown_cursor_column_name(cur, c).decode()
                     for c in range(lib.pushdown_cursor_column_count(cur))]
            print(",".join(names))
            while call(lib, lib.pushdown_cursor_next, cur):
                oid = call(lib, lib.pushdown_cursor_get_int64, cur, 0)
                scale = ctypes.c_int()
                scaled = call(lib, lib.pushdown_cursor_get_decimal, cur, 1, ctypes.byref(scale))
                amount = Decimal(scaled).scaleb(-scale.value)
                note = None
                if not call(lib, lib.pushdown_cursor_is_null, cur, 2):
                    note = call(lib, lib.pushdown_cursor_get_text, cur, 2, None).decode()
                got.append((oid, amount, note))
                if len(got) <= 5:
                    print(f"{oid},{amount},{note}")
            stats = json.loads(take_string(lib, call(lib, lib.pushdown_cursor_stats_json, cur)))
            device = lib.pushdown_cursor_device(cur).decode()
        finally:
            lib.pushdown_cursor_destroy(cur)
        print(f"... {len(got)} rows; path={stats['path']} device={device} "
              f"rows_scanned={stats['rows_scanned']} rows_matched={stats['rows_matched']}")

        agg = call(lib, lib.pushdown_aggregate_table, db, b"orders", where.encode(),
                   b"count(*), sum(o_amount)", opts)
        try:
            count = call(lib, lib.pushdown_aggregate_get_int64, agg, 0)
            scale = ctypes.c_int()
            total = Decimal(call(lib, lib.pushdown_aggregate_get_decimal, agg, 1,
                                 ctypes.byref(scale))).scaleb(-scale.value)
        finally:
            lib.pushdown_aggregate_destroy(agg)
        print(f"count(*)={count} sum(o_amount)={total}")

        try:
            call(lib, lib.pushdown_scan_table, db, b"orders", b"o_amount >= nosuch", opts)
            bad = "no error"
        except PushdownError as e:
            bad = str(e)
        print("a bad predicate:", bad.splitlines()[0])
        lib.pushdown_scanoptions_destroy(opts)

        if args.check:
            want = [(i, a, n) for i, (a, n) in sorted(rows.items())
                    if a >= 1000 and n is not None]
            ok = (got == want and count == len(want) and total == sum(a for _, a, _ in want)
                  and stats["rows_matched"] == len(want) and "1:13" in bad)
            if not ok:
                print(f"check FAILED: {len(got)} rows vs {len(want)} expected, "
                      f"count {count}, sum {total}, error {bad!r}", file=sys.stderr)
                return 1
            print("check: OK")
        return 0
    finally:
        lib.pushdown_close(db)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
