"""How long the joint suppression of ``gapkit report --each school`` takes (`gapkit.report.joint.hide_across`).

Prints, for the sample district: the time to load the district and each school, the time of the audit
per subject, and how many cells it hid per school. Run from the repository root:

    python benchmarks/joint_bench.py
"""
import time
from pathlib import Path

from gapkit.report import load
from gapkit.report.joint import hide_across

DATA = Path(__file__).resolve().parents[1] / "datasets" / "sample_district" / "students.csv"


def main():
    for subject in ("math", "ela"):
        start = time.perf_counter()
        district = load(DATA, subjects=[subject])
        schools = {school: load(DATA, school=school, subjects=[subject]) for school, _ in district.all_schools}
        loaded = time.perf_counter()
        extra = hide_across(district, schools)
        done = time.perf_counter()
        print(f"{subject}: load {loaded - start:.1f} s ({len(schools)} schools), audit {done - loaded:.1f} s; "
              f"cells hidden besides each report's own: " + ", ".join(f"{s} {len(c)}" for s, c in extra.items()))


if __name__ == "__main__":
    main()
