#!/usr/bin/env python3
"""Pushdown scaling from pushdown_bench --report CSVs: the pushdown side's median at N scan
workers against its median at 1 worker, per benchmark, compression and device, and
speedup_vs_best at equal thread counts (the fastest baseline of the same invocation with as
many threads as the pushdown scan ran on; report.cc PickBest).

  bench/pushdown_bench/scaling.py WORK/q6.csv [WORK/true.csv ...]   # prints the lines
  bench/pushdown_bench/scaling.py --dat OUT.dat WORK/q6.csv         # also gnuplot data

Used by bench/run_all.sh (printed, and scaling.txt) and write_results.py (import).
A CSV row's `threads` is the pushdown scan's worker count (ScanInfo::workers) on pushdown
rows and the baseline's thread count on baseline rows.
"""
import csv
import statistics
import sys
from collections import defaultdict

PLAIN = "plain_iter_1t"


def load(path):
    """Rows of one CSV, each tagged with _run: one pushdown_bench invocation (or one step
    of a sweep) per pushdown_first row, which precedes its timed rows."""
    try:
        with open(path) as f:
            rs = list(csv.DictReader(f))
    except FileNotFoundError:
        return []
    run = -1
    for r in rs:
        if r["path"] == "pushdown_first" or run < 0:
            run += 1
        r["_run"] = run
    return rs


def invocations(rs):
    """One dict per invocation: bench, comp, pred, dev, threads (pushdown workers), push
    (median s), first (s or None), bmed {baseline: (median s, threads)}."""
    by = defaultdict(list)
    for r in rs:
        by[r["_run"]].append(r)
    out = []
    for run, rows in sorted(by.items()):
        push = [r for r in rows if r["path"] == "pushdown"]
        if not push:
            continue
        first = [r for r in rows if r["path"] == "pushdown_first"]
        base = defaultdict(list)
        for r in rows:
            if r["path"] not in ("pushdown", "pushdown_first"):
                base[PLAIN if r["path"] == "baseline" else r["path"]].append(r)
        out.append(dict(
            run=run, bench=push[0]["benchmark"], comp=push[0]["compression"],
            pred=push[0]["predicate"], sel=float(push[0]["selectivity"]),
            dev=push[0]["device"], threads=int(push[0].get("threads") or 1),
            push=statistics.median(float(r["seconds"]) for r in push),
            first=float(first[0]["seconds"]) if first else None,
            bmed={n: (statistics.median(float(r["seconds"]) for r in v), int(v[0].get("threads") or 1))
                  for n, v in base.items()}))
    return out


def best(bmed, threads=None):
    """(name, seconds) of the fastest baseline, with `threads` threads if given."""
    c = [(s, n) for n, (s, t) in bmed.items() if threads is None or t == threads]
    if not c:
        return None, None
    s, n = min(c)
    return n, s


def scaling(invs):
    """[(bench, comp, dev, pred, inv at 1 worker, inv at the most workers)] where both ran."""
    g = defaultdict(dict)
    for i in invs:
        g[(i["bench"], i["comp"], i["dev"], i["pred"])][i["threads"]] = i
    out = []
    for k, by_t in sorted(g.items()):
        if 1 in by_t and max(by_t) > 1:
            out.append(k + (by_t[1], by_t[max(by_t)]))
    return out


def lines(paths):
    out = []
    for path in paths:
        for bench, comp, dev, pred, one, many in scaling(invocations(load(path))):
            n1, s1 = best(one["bmed"], 1)
            nn, sn = best(many["bmed"], many["threads"])
            out.append(
                f"scaling {bench} {comp} {dev}: 1 worker {one['push']:.4f} s, "
                f"{many['threads']} workers {many['push']:.4f} s = "
                f"{one['push'] / many['push']:.2f}x (target >= 1.8x at 2); speedup_vs_best "
                f"{s1 / one['push']:.2f}x vs {n1} at 1 thread, "
                + (f"{sn / many['push']:.2f}x vs {nn} at {many['threads']} threads"
                   if sn else f"no {many['threads']}-thread baseline"))
    return out


def main(argv):
    dat = None
    if len(argv) > 2 and argv[1] == "--dat":
        dat, argv = argv[2], [argv[0]] + argv[3:]
    for l in lines(argv[1:]):
        print(l)
    if dat:
        # One line per (bench, comp, dev): label, speedup_vs_best at 1 thread and at the
        # all-core thread count (0 where that run is missing).
        with open(dat, "w") as f:
            for path in argv[1:]:
                g = defaultdict(dict)
                for i in invocations(load(path)):
                    g[(i["bench"], i["comp"], i["dev"])][i["threads"]] = i
                for (bench, comp, dev), by_t in sorted(g.items()):
                    vals = []
                    for t in (1, max(by_t)):
                        i = by_t.get(t)
                        _, s = best(i["bmed"], t) if i else (None, None)
                        vals.append(s / i["push"] if s else 0)
                    if max(by_t) == 1:
                        vals[1] = 0
                    f.write(f'"{bench} {comp} {dev}" {vals[0]:.3f} {vals[1]:.3f}\n')


if __name__ == "__main__":
    main(sys.argv)
