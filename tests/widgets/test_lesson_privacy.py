"""Every view of the lesson pages together gives no hidden count away (`gapkit.lesson_privacy`).

A participant can switch the gap explorer to every school, the district, every comparison and year. An
independent attacker (`tests/attacker.py`) reads the count columns of every table the explorer draws
and solves linear programs over every sum a reader knows (grades, schools, the English-learner groups,
each comparison's two sides and the tested students), with the hidden counts known to be 0, small or
not.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

import attacker
from gapkit.build import out_of_date
from gapkit.content import find_root, load_course
from gapkit.lesson_privacy import HIDDEN_FILE, HiddenCells, StoredCells, course_views, hidden_cells
from gapkit.readers import read_records
from gapkit.records import COMPARISONS, add_el_groups
from gapkit.widgets.explorer import ALL_SCHOOLS, course_records, explore

ROOT = find_root()
SCHOOLS = {"A": "Alder Elementary", "B": "Birch Elementary", "C": "Cedar Elementary"}


def _district(folder):
    """Three schools, two grades, one year; Alder has 4 current English learners in grade 3 (hidden), whom
    the district's count minus Birch's and Cedar's gives away unless something more is hidden."""
    sizes = {("A", 3): (4, 3, 22), ("A", 4): (15, 12, 20), ("B", 3): (12, 0, 25), ("B", 4): (13, 11, 20),
             ("C", 3): (14, 12, 21), ("C", 4): (12, 2, 24)}
    rng = np.random.default_rng(11)
    rows = []
    for (school, grade), counts in sizes.items():
        for status, n in zip(("EL", "RFEP", "EO"), counts):
            for _ in range(n):
                rows.append((f"S{len(rows):04d}", 2024, school, SCHOOLS[school], grade, status,
                             bool(rng.random() < 0.3), round(2450 + rng.normal(0, 60), 1), int(rng.integers(1, 5))))
    frame = pd.DataFrame(rows, columns=["student_id", "year", "school_id", "school_name", "grade", "el_status", "iep",
                                        "math_scale", "math_level"])
    path = folder / "district.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _shown(html: str, report: str, comparison: str, year) -> dict:
    """``{(report, "math", year, group, grade): count or None}`` from one explorer table, as a reader copies it."""
    table = BeautifulSoup(html, "html.parser").find("table")
    header = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    counts = [i for i, name in enumerate(header) if name.endswith(": n")]
    assert len(counts) == 2, header
    shown = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = [td.get_text(strip=True) for td in tr.find_all("td")]
        for group, i in zip(attacker.SIDES[comparison], counts):
            value = None if cells[i] == "suppressed" else int(cells[i].replace(",", ""))
            shown[(report, "math", attacker.school_year(year), group, cells[header.index("Grade")])] = value
    return shown


def _every_view(records, hidden) -> dict:
    """What a participant copies down from every school, comparison and grade of the explorer."""
    shown = {}
    for school in (ALL_SCHOOLS, *SCHOOLS.values()):
        report = "district" if school == ALL_SCHOOLS else school
        for comparison in COMPARISONS:
            view = explore(records, subject="math", comparison=comparison, school=school, year=2024, min_n=10,
                           hidden=hidden)
            if view.table_html:
                for key, value in _shown(view.table_html, report, comparison, 2024).items():
                    if value is not None or key not in shown:  # a count shown in one table is known
                        shown[key] = value
    return shown


def test_every_explorer_view_together_gives_no_count_away(tmp_path):
    """With the cells `hidden_cells` finds, does no hidden count follow from every view of the explorer together
    (and would Alder's 4 grade-3 English learners follow without them)?"""
    path, frame = _district(tmp_path)
    records = add_el_groups(read_records(path))
    truth = attacker.true_counts({"district": frame, **{name: frame[frame["school_id"] == school]
                                                       for school, name in SCHOOLS.items()}})
    alone = _every_view(records, None)
    pinned = attacker.given_away(alone, truth, 10, district="district")
    assert ("Alder Elementary", "math", "2023-24", "current EL", "3") in [key for key, *_ in pinned]

    cells = hidden_cells(path, min_n=10)
    assert cells.cells[None]  # the district view hides more than its own small groups
    together = _every_view(records, cells)
    assert sum(v is None for v in together.values()) > sum(v is None for v in alone.values())
    assert attacker.given_away(together, truth, 10, district="district") == []


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT)


@pytest.fixture(scope="module")
def stored(course):
    return HiddenCells.from_json((ROOT / course.dataset).parent.joinpath(HIDDEN_FILE).read_text(encoding="utf-8"))


def test_the_audit_is_the_same_in_every_process():
    """Does the audit order its keys the same way whatever the string hashing of the process (which orders a
    frozenset's repr), so that two runs on the same data hide the same cells?"""
    import subprocess
    import sys

    code = ("from gapkit.privacy import stable_order; g = frozenset(f'group {i}' for i in range(12)); "
            "print(repr(g)); print(stable_order((2024, ('el_status', g), '3')))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout.splitlines()
            for seed in ("1", "2")]
    assert runs[0][0] != runs[1][0]  # the repr changes with the hashing
    assert runs[0][1] == runs[1][1]


class TestCourse:
    @pytest.mark.slow
    def test_stored_cells_are_the_audit_of_the_course_data(self, course, stored):
        """Are the cells kept beside the sample district exactly what the joint audit finds for it now (not only
        made for the same file, which is all `gapkit build --check` compares)?"""
        made = hidden_cells(ROOT / course.dataset, min_n=course.min_n,
                            keep=course_views(course, course_records(course)))
        assert made == stored
        assert sum(map(len, stored.cells.values())) > 1000

    def test_views_the_exercises_ask_about_hide_only_their_own_small_groups(self, course, stored):
        """Does every exercise's view (its explorer, or its table by school) show all that its own table shows,
        so that the answers the exercises expect can be read from it?"""
        from gapkit.records import subject_of
        from gapkit.tables import gap_table
        from gapkit.widgets.explorer import comparison_for

        records = course_records(course)
        tasks = [t for m in course.modules if m.practice for t in m.practice.tasks if t.show]
        checked = 0
        for task in tasks:
            kind, spec = next(iter(task.show.items()))
            if kind not in ("explore", "table"):
                continue
            name = comparison_for(spec["group"], spec["focal"], spec.get("reference")).name
            if kind == "explore":
                own = explore(records, subject=spec["subject"], comparison=name, school=spec.get("school", ALL_SCHOOLS),
                              year=spec["year"], min_n=course.min_n).table
                protected = stored.hide(own, school=spec.get("school"), comparison=name, subject=spec["subject"],
                                        year=spec["year"])
            elif kind == "table" and subject_of(spec["outcome"]):
                subject = subject_of(spec["outcome"])
                own = gap_table(records[records["year"] == spec["year"]], spec["outcome"], spec["group"],
                                focal=spec["focal"], reference=spec.get("reference"), by=spec["by"],
                                levels=spec.get("levels"), measures=spec["measures"], min_n=course.min_n)
                protected = stored.hide(own, comparison=name, subject=subject, year=spec["year"])
            else:
                continue
            checked += 1
            assert protected["suppressed"].tolist() == own["suppressed"].tolist(), (task.id, spec)
        assert checked >= 8

    def test_a_changed_dataset_is_out_of_date(self, course, tmp_path):
        """Is the stored file out of date for another dataset or minimum size, and current for the course's?"""
        import dataclasses

        here = (ROOT / course.dataset).parent / HIDDEN_FILE
        assert StoredCells(course).is_current(here)
        assert not StoredCells(dataclasses.replace(course, min_n=course.min_n + 1)).is_current(here)
        other = tmp_path / "datasets" / "sample_district" / "students.csv"
        other.parent.mkdir(parents=True)
        other.write_bytes((ROOT / course.dataset).read_bytes().replace(b"\n", b"\r\n", 1))
        assert not StoredCells(dataclasses.replace(course, root=str(tmp_path))).is_current(here)
        assert out_of_date(ROOT, parts=["hidden cells"]) == []

    def test_stored_form_is_read_back_unchanged(self, stored):
        """Does the stored text read back to the same cells, one line per school, subject, comparison and year?"""
        text = stored.to_json()
        assert HiddenCells.from_json(text) == stored
        rows = json.loads(text)["hidden"]
        assert len(rows) == len({(r["school"], r["subject"], r["comparison"], r["year"]) for r in rows})
