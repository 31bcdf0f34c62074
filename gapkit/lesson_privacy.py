"""The cells the lesson pages hide so that all their views of the course's data, together, give no hidden count away.

A participant can switch the gap explorer to every school and the district, every year, comparison and
grade, and read the practice tasks' tables besides. Together those views show what the reports of one
``gapkit report --each school`` run show, and a count one view hides can follow from the others (the
district's count minus its other schools', say). The cells that protect them all are the joint audit of
such a run (`gapkit.report.joint.hide_across`) over every comparison the explorer offers.

That audit takes about 40 s on the sample district: too long before a participant's first view.
The course's dataset is fixed, so ``gapkit build`` works the cells out once and keeps them beside the
dataset (`HIDDEN_FILE`, with the dataset's digest and the minimum group size they were made for), and
the pages hide them besides their own suppression. A page reading a dataset the stored cells were not
made for works them out itself (`course_hidden_cells`).
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["HIDDEN_FILE", "HiddenCells", "hidden_cells", "course_hidden_cells", "StoredCells"]

#: Where the cells are kept: this name, in the folder of the course's dataset.
HIDDEN_FILE = "hidden_cells.json"
_FORMAT = 1

log = logging.getLogger("gapkit")


@dataclass(frozen=True)
class HiddenCells:
    """Which gap-table rows every view of one dataset must hide.

    Attributes
    ----------
    made_for : dict
        The dataset's file name and SHA-256 digest, the minimum group size and the comparisons audited.
    cells : dict
        ``{school name (None: the district): frozenset of (comparison, subject, year, grade)}``, grade a
        label (``"5"``, ``"All"`` for all grades).
    """

    made_for: dict
    cells: dict

    def hides(self, school, comparison: str, subject: str, year, grade) -> bool:
        """Whether the row of this school (None: the district), comparison, subject, year and grade is hidden."""
        return (comparison, subject, int(year), _grade(grade)) in self.cells.get(school, ())

    def hide(self, table, *, school=None, comparison: str, subject: str, year, grade="All"):
        """`table` (a `gapkit.tables.gap_table` of one comparison, subject and year) with these cells hidden
        besides its own suppression. Each row's school and grade are its ``school_name`` and ``grade``
        when the table is by them, else `school` (None: the district) and `grade`."""
        from gapkit.privacy import COMPLEMENTARY_REASON
        from gapkit.tables import hide

        schools = table["school_name"] if "school_name" in table else [school] * len(table)
        grades = table["grade"] if "grade" in table else [grade] * len(table)
        extra = [self.hides(s, comparison, subject, year, g) for s, g in zip(schools, grades)]
        return hide(table, np.asarray(extra, dtype=bool) & ~table["suppressed"].astype(bool).to_numpy(),
                    reason=COMPLEMENTARY_REASON)

    def to_json(self) -> str:
        """The stored form: one line per school, subject, comparison and year, in a stable order."""
        rows = {}
        for school, cells in self.cells.items():
            for comparison, subject, year, grade in cells:
                rows.setdefault((school or "", subject, comparison, year), []).append(grade)
        lines = [json.dumps({"school": key[0] or None, "subject": key[1], "comparison": key[2], "year": key[3],
                             "grades": sorted(grades, key=_grade_order)})
                 for key, grades in sorted(rows.items())]
        head = json.dumps({"format": _FORMAT, **self.made_for}, sort_keys=True)
        return f'{{"made_for": {head},\n "hidden": [\n  ' + ",\n  ".join(lines) + "\n]}\n"

    @classmethod
    def from_json(cls, text: str) -> "HiddenCells":
        stored = json.loads(text)
        made_for = dict(stored["made_for"])
        if made_for.pop("format", None) != _FORMAT:
            raise ValueError("the stored cells are in an older format")
        cells = {}
        for row in stored["hidden"]:
            cells.setdefault(row["school"], set()).update(
                (row["comparison"], row["subject"], int(row["year"]), grade) for grade in row["grades"])
        return cls(made_for, {school: frozenset(c) for school, c in cells.items()})


def _grade(grade) -> str:
    text = str(grade)
    return text[:-2] if text.endswith(".0") else text


def _grade_order(grade: str):
    return (grade == "All", int(grade) if grade.lstrip("-").isdigit() else 0, grade)


def _made_for(path: Path, min_n: int, keep) -> dict:
    from gapkit.records import COMPARISONS

    return {"dataset": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "min_n": int(min_n),
            "comparisons": list(COMPARISONS), "kept_views": sorted(map(list, keep), key=repr)}


def course_views(course, records) -> frozenset:
    """``(school name or None, comparison, subject, year)`` of every view an exercise of the course asks
    about: its explorer's preset, or each school of its table by school (year: the latest of `records`
    where a preset gives none). The audit hides their rows only where nothing else protects the counts,
    so that the answers the exercises expect stay true."""
    from gapkit.records import COMPARISONS, subject_of
    from gapkit.widgets.explorer import comparison_for

    presets = [t.show[kind] for m in course.modules if m.practice for t in m.practice.tasks if t.show
                for kind in ("explore", "table") if kind in t.show]
    views = set()
    for spec in presets:
        name = comparison_for(spec["group"], spec["focal"], spec.get("reference")).name
        subject = spec.get("subject") or subject_of(spec.get("outcome"))
        if name not in COMPARISONS or subject is None:
            continue
        schools = (sorted(records["school_name"].dropna().unique()) if "school_name" in (spec.get("by") or ())
                   else [spec.get("school")])
        year = int(spec.get("year") or records["year"].max())
        views.update((school, name, subject, year) for school in schools)
    return frozenset(views)


def hidden_cells(path, *, min_n: int, keep=frozenset()) -> HiddenCells:
    """Work out the cells for the student records file at `path`: the joint audit of the district's report and
    every school's, over every subject, year and comparison of `gapkit.records.COMPARISONS`; the rows of
    `keep` (as `course_views` gives) are hidden only where nothing else protects the counts."""
    from gapkit.privacy import Rule
    from gapkit.records import COMPARISONS, SUBJECTS
    from gapkit.report.data import _report_set, _stamped
    from gapkit.report.tables import gaps

    path = Path(path)
    reports = _report_set(*_stamped(path), None, None, "records", tuple(SUBJECTS), tuple(COMPARISONS), (),
                          Rule(min_n), "en", frozenset(keep))
    cells = {}
    for data in reports.values():
        hidden = set()
        for subject in data.subjects:
            table = gaps(data, subject)
            if table.empty:  # no scores in this subject
                continue
            rows = table[table["suppressed"].astype(bool)]
            hidden.update((c, subject, int(y), _grade(g)) for c, y, g in zip(rows["comparison"], rows["year"],
                                                                             rows["grade"]))
        cells[data.school] = frozenset(hidden)
    return HiddenCells(_made_for(path, min_n, keep), cells)


@dataclass(frozen=True)
class StoredCells:
    """The cells of a course's dataset as ``gapkit build`` keeps them (a `gapkit.build.Part`'s file)."""

    course: object  # gapkit.content.Course

    @property
    def dataset(self) -> Path:
        return Path(self.course.root) / self.course.dataset

    @functools.cached_property
    def keep(self) -> frozenset:
        from gapkit.widgets.explorer import course_records

        return course_views(self.course, course_records(self.course))

    def data(self) -> bytes:
        return hidden_cells(self.dataset, min_n=self.course.min_n, keep=self.keep).to_json().encode("utf-8")

    def read(self, path: Path) -> HiddenCells | None:
        """The cells stored at `path` if they were made for this dataset, minimum size and course (else None)."""
        try:
            stored = HiddenCells.from_json(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return stored if stored.made_for == _made_for(self.dataset, self.course.min_n, self.keep) else None

    def is_current(self, path: Path) -> bool:
        """Whether `path` holds the cells made for this course (the tests check the cells themselves)."""
        return self.read(path) is not None


_CELLS: dict = {}  # (dataset, min_n): its cells, read or worked out once per process


def course_hidden_cells(course) -> HiddenCells:
    """The cells every lesson page hides in the course's dataset: the stored ones when they were made for it,
    else worked out now (once per process)."""
    stored = StoredCells(course)
    key = (str(stored.dataset), int(course.min_n))
    if key not in _CELLS:
        found = stored.read(stored.dataset.parent / HIDDEN_FILE)
        if found is None:
            log.warning("%s was not made for %s and this course (run `gapkit build`): working the hidden cells "
                        "out now.", HIDDEN_FILE, course.dataset)
            found = hidden_cells(stored.dataset, min_n=course.min_n, keep=stored.keep)
        _CELLS[key] = found
    return _CELLS[key]
