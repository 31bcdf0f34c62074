"""Time and peak memory of summarize + gap_table on generated student rows.

For 100k, 1M and 5M rows it compares:
  gapkit      gap_table(records, ...) = summarize (DuckDB group-by) + measures + suppression
  summarize   the group-by step alone
  duckdb      one DuckDB group-by computing the same per-cell statistics: the practical floor for one pass
  loop        a plain per-cell Python loop over pandas groups (what a notebook author would write)

Each run happens in a fresh process; "peak MB" is the rise in peak resident memory (the kernel's VmHWM,
reset once the input frame exists) over the resident memory at that point, and "frame MB" the frame's size.

With --parquet N (50M by default; 0 to skip) it also writes N such rows to a Parquet file (DuckDB,
in a temporary directory) and compares gap_table and summarize on the path with DuckDB's own
group-by on the file; "peak MB" is then the process's whole peak resident memory. The file is on
disk before any timing starts (no run competes with the kernel writing it back), and the three
methods take turns, --repeat runs each, each run in a fresh process; "seconds" is the median of a
method's runs (single runs on 50M rows differ by 10% and more). --file-only skips the rows in memory.

usage: python benchmarks/summary_bench.py [--sizes 100000 1000000 5000000] [--repeat 3] [--parquet 50000000]
                                          [--file-only]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

BY = ["school_id", "grade", "year"]
MEASURES = ["proportion_difference", "mean_difference", "hedges_g"]


def make_rows(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    status = rng.choice(np.array(["EL", "RFEP", "IFEP", "EO"]), n, p=[0.2, 0.1, 0.05, 0.65])
    score = rng.normal(2450, 90, n) - 70 * (status == "EL")
    return pd.DataFrame({
        "school_id": pd.Categorical(rng.integers(0, 40, n).astype(str)),
        "grade": rng.integers(3, 9, n).astype("int16"),
        "year": rng.integers(2021, 2026, n).astype("int16"),
        "el_status": pd.Categorical(status),
        "math_scale": score,
        "math_level": (np.digitize(score, [2380, 2450, 2520]) + 1).astype("int8"),
    })


def run_gapkit(rows):
    from gapkit import gap_table
    return gap_table(rows, "math_scale", "el_status", focal="EL", reference=["IFEP", "EO"], by=BY,
                     levels="math_level", measures=MEASURES)


def run_summarize(rows):
    from gapkit import summarize
    return summarize(rows, "math_scale", "el_status", by=BY, levels="math_level")


def run_duckdb(rows):
    import duckdb
    levels = ", ".join(f"count(*) FILTER (WHERE math_level = {k}) AS level_{k}" for k in range(1, 5))
    with duckdb.connect() as con:
        con.register("rows", rows)
        return con.execute(f"SELECT school_id, grade, year, el_status, count(math_scale) AS n, "
                           f"avg(math_scale) AS mean, stddev_samp(math_scale) AS sd, {levels} "
                           f"FROM rows GROUP BY ALL").df()


def write_parquet(n: int, path: str) -> None:
    """``n`` rows like `make_rows`, written by DuckDB without building them in memory."""
    import duckdb
    with duckdb.connect() as con:
        con.execute(f"""COPY (SELECT (hash(i) % 40)::VARCHAR AS school_id, (3 + hash(i + 1) % 6)::SMALLINT AS grade,
                                     (2021 + hash(i + 2) % 5)::SMALLINT AS year, status AS el_status,
                                     score AS math_scale,
                                     (1 + (score >= 2380)::INT + (score >= 2450)::INT + (score >= 2520)::INT)::TINYINT
                                         AS math_level
                              FROM (SELECT i, s.status, 2450 + 90 * sqrt(-2 * ln(random())) * cos(2 * pi() * random())
                                                 - CASE WHEN s.status = 'EL' THEN 70 ELSE 0 END AS score
                                    FROM (SELECT i, CASE WHEN r < 0.2 THEN 'EL' WHEN r < 0.3 THEN 'RFEP'
                                                         WHEN r < 0.35 THEN 'IFEP' ELSE 'EO' END AS status
                                          FROM (SELECT i, random() AS r FROM range({n}) t(i))) s))
                        TO '{path}' (FORMAT PARQUET)""")


def flush(path: str) -> None:
    """Wait until the file just written is on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def run_duckdb_file(path):
    import duckdb
    levels = ", ".join(f"count(*) FILTER (WHERE math_level = {k}) AS level_{k}" for k in range(1, 5))
    with duckdb.connect() as con:
        return con.execute(f"SELECT school_id, grade, year, el_status, count(math_scale) AS n, "
                           f"avg(math_scale) AS mean, stddev_samp(math_scale) AS sd, {levels} "
                           f"FROM read_parquet('{path}') GROUP BY ALL").df()


FILE_METHODS = {"gapkit": run_gapkit, "summarize": run_summarize, "duckdb": run_duckdb_file}


def file_child(method: str, path: str) -> None:
    import duckdb  # noqa: F401  imports are not part of the measurement
    import gapkit.tables  # noqa: F401
    start = time.perf_counter()
    FILE_METHODS[method](path)
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": peak_mb()}))


def run_loop(rows):
    from scipy import stats
    out = []
    for key, cell in rows.groupby(BY, observed=True):
        focal = cell.loc[cell.el_status == "EL", "math_scale"]
        reference = cell.loc[cell.el_status.isin(["IFEP", "EO"]), "math_scale"]
        if len(focal) >= 10 and len(reference) >= 10:
            test = stats.ttest_ind(reference, focal, equal_var=False)
            out.append((*key, reference.mean() - focal.mean(), *test.confidence_interval()))
    return out


METHODS = {"gapkit": run_gapkit, "summarize": run_summarize, "duckdb": run_duckdb, "loop": run_loop}


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def reset_peak() -> None:
    """Start the kernel's peak-RSS (VmHWM) count afresh, so building the frame does not count."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_mb() -> float:
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def child(method: str, n: int, repeat: int) -> None:
    rows = make_rows(n)
    METHODS[method](rows.head(1000))  # imports and first-call costs are not part of the measurement
    before = rss_mb()
    reset_peak()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        METHODS[method](rows)
        times.append(time.perf_counter() - start)
    print(json.dumps({"seconds": min(times), "peak_mb": max(peak_mb() - before, 0.0),
                      "frame_mb": rows.memory_usage(deep=True).sum() / 2**20}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parquet", type=int, default=50_000_000)
    parser.add_argument("--file-only", action="store_true", help="only the Parquet file, not the rows in memory")
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--file-child", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.repeat)
        return
    if args.file_child:
        file_child(*args.file_child)
        return
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores")
    print(f"{'rows':>10} {'method':>10} {'seconds':>9} {'x duckdb':>9} {'peak MB':>9} {'frame MB':>9} {'x frame':>8}")
    for n in [] if args.file_only else args.sizes:
        results = {}
        for method in METHODS:
            repeat = 1 if method == "loop" and n > 1_000_000 else args.repeat
            out = subprocess.run([sys.executable, __file__, "--child", method, str(n), "--repeat", str(repeat)],
                                 capture_output=True, text=True, check=True)
            results[method] = json.loads(out.stdout.strip().splitlines()[-1])
        floor = results["duckdb"]["seconds"]
        for method, r in results.items():
            print(f"{n:>10} {method:>10} {r['seconds']:>9.3f} {r['seconds'] / floor:>9.2f} {r['peak_mb']:>9.0f} "
                  f"{r['frame_mb']:>9.0f} {r['peak_mb'] / r['frame_mb']:>8.2f}")
        print("  load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.parquet:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "rows.parquet")
            write_parquet(args.parquet, path)
            flush(path)
            runs = {method: [] for method in FILE_METHODS}
            for _ in range(args.repeat):
                for method in FILE_METHODS:
                    out = subprocess.run([sys.executable, __file__, "--file-child", method, path],
                                         capture_output=True, text=True, check=True)
                    runs[method].append(json.loads(out.stdout.strip().splitlines()[-1]))
            seconds = {method: statistics.median(r["seconds"] for r in rs) for method, rs in runs.items()}
            for method, rs in runs.items():
                print(f"{args.parquet:>10} {method + ' (file)':>17} {seconds[method]:>9.3f} "
                      f"{seconds[method] / seconds['duckdb']:>9.2f}   peak RSS {max(r['peak_mb'] for r in rs):.0f} MB")
            print("  load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
