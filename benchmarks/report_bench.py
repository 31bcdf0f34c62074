"""How long `gapkit report` takes: one report, and one report per school of the sample district.

Run from the repository root::

    python benchmarks/report_bench.py              # the district report, one school, and --each school
    python benchmarks/report_bench.py --skip-each  # leave out --each school

Each report runs the real command (``python -m gapkit report``) in a subprocess: reading and checking
the file, starting a kernel, executing the report notebook with papermill, and exporting the HTML.
Besides the wall time of each command, it prints the time of the report's content alone (the
`gapkit.report` section functions in this process, no kernel), so the cost of the kernel and the
export can be told apart from the analysis. This is a measurement, not a test.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDENTS = ROOT / "datasets" / "sample_district" / "students.csv"
SECTIONS = ("cover", "how_to_read", "findings", "data_used", "el_gaps", "other_gaps", "trends", "cohorts",
            "opportunity", "elp_progress", "family_summary")


def command(*args) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "gapkit", "report", *map(str, args)], cwd=ROOT,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"gapkit report failed:\n{result.stderr}")
    return elapsed


def content(school=None) -> float:
    from gapkit import report

    start = time.perf_counter()
    data = report.load(STUDENTS, school=school)
    for name in SECTIONS:
        report.to_html(getattr(report, name)(data))
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-each", action="store_true", help="leave out the --each school run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        print(f"content only, district (no kernel):       {content():6.1f} s")
        print(f"content only, one school (no kernel):     {content('Riverside Elementary'):6.1f} s")
        district = command(STUDENTS, "--out", folder / "district")
        print(f"gapkit report, district:                  {district:6.1f} s")
        one = command(STUDENTS, "--school", "Riverside Elementary", "--out", folder / "school")
        print(f"gapkit report, one school:                {one:6.1f} s")
        if not args.skip_each:
            from gapkit import readers
            schools = readers.read_records(STUDENTS)["school_id"].nunique()
            each = command(STUDENTS, "--each", "school", "--out", folder / "each")
            print(f"gapkit report --each school ({schools} schools and the district): {each:6.1f} s "
                  f"({each / district:.1f}x the district report)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
