"""How long `gapkit.read_records` takes on a million student rows, and how much memory it needs.

Run from the repository root::

    python benchmarks/read_bench.py            # 1,000,000 rows
    python benchmarks/read_bench.py --rows 200000

The file is the sample district's students.csv repeated with new student ids until it has the
requested number of rows. The read runs in a fresh Python process, so the peak memory printed
(the child's maximum resident set size) is the reader's own, including pandas and Python itself.
This is a measurement, not a test.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "sample_district" / "students.csv"


def make_file(path: Path, rows: int) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        written, copy = 0, 0
        while written < rows:
            take = body[: rows - written]
            out.writelines(f"{line[:7]}-{copy}{line[7:]}" for line in take)  # S000123 -> S000123-4
            written += len(take)
            copy += 1


def child(path: str) -> None:
    import gapkit.readers

    start = time.perf_counter()
    records = gapkit.readers.read_records(path)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": len(records), "excluded": list(records.attrs["excluded"]),
                      "frame_mb": records.memory_usage(deep=True).sum() / 2**20}))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="student rows to read (default 1,000,000)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "students_big.csv"
        make_file(path, args.rows)
        size_mb = path.stat().st_size / 2**20
        result = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                                check=True)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB
    figures = json.loads(result.stdout)
    print(f"rows read:        {figures['rows']:,} (excluded: {figures['excluded'] or 'none'})")
    print(f"file size:        {size_mb:,.0f} MB (CSV, UTF-8)")
    print(f"read_records:     {figures['seconds']:.1f} s")
    print(f"peak memory:      {peak_mb:,.0f} MB (resident, whole process)")
    print(f"resulting frame:  {figures['frame_mb']:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
