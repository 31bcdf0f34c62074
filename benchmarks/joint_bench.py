"""How long the joint suppression of ``gapkit report --each school`` takes (`gapkit.report.joint.hide_across`).

Prints, for the sample district and each subject: the time to load the district and each school, to make
their gap tables (each report audited alone, `gapkit.report.joint.hide_within`), and of the joint audit of
all the reports, and how many cells the joint audit hid in each report. Then, for the lesson pages
(`gapkit.lesson_privacy`): the time to work out the cells every view of the sample hides (both subjects,
every comparison the explorer offers), and to read them back from the file `gapkit build` keeps. Run
from the repository root:

    python benchmarks/joint_bench.py
"""
import time
from pathlib import Path

from gapkit.report import load
from gapkit.report.joint import hide_across
from gapkit.report.tables import own_gaps

DATA = Path(__file__).resolve().parents[1] / "datasets" / "sample_district" / "students.csv"


def main():
    for subject in ("math", "ela"):
        start = time.perf_counter()
        district = load(DATA, subjects=[subject])
        schools = {school: load(DATA, school=school, subjects=[subject]) for school, _ in district.all_schools}
        loaded = time.perf_counter()
        for data in (district, *schools.values()):
            own_gaps(data, subject)
        tables = time.perf_counter()
        extra = hide_across(district, schools)
        done = time.perf_counter()
        print(f"{subject}: load {loaded - start:.1f} s ({len(schools)} schools), gap tables {tables - loaded:.1f} s, "
              f"joint audit {done - tables:.1f} s; cells hidden besides each report's own: "
              + ", ".join(f"{s or 'district'} {len(c)}" for s, c in extra.items()))

    lesson_pages()


def lesson_pages():
    from gapkit.content import load_course
    from gapkit.lesson_privacy import HIDDEN_FILE, StoredCells, course_views, hidden_cells
    from gapkit.widgets.explorer import course_records

    course = load_course(DATA.parents[2])
    keep = course_views(course, course_records(course))
    start = time.perf_counter()
    cells = hidden_cells(DATA, min_n=course.min_n, keep=keep)
    made = time.perf_counter()
    StoredCells(course).read(DATA.parent / HIDDEN_FILE)
    read = time.perf_counter()
    print(f"lesson pages: hidden cells worked out in {made - start:.1f} s "
          f"({sum(map(len, cells.cells.values()))} rows, {len(keep)} exercise views kept), "
          f"read from {HIDDEN_FILE} in {1000 * (read - made):.0f} ms")


if __name__ == "__main__":
    main()
