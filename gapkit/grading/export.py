"""Grades for a district's LMS: Canvas and Moodle gradebook import files, with the rubric's criterion scores.

Both files have one row per participant on the roster and, per assignment, the score after any late
penalty, then (with ``rubric=True``) one column per rubric criterion of each graded reflection, so
the LMS keeps the rubric scores beside the total. Scores not yet given are left empty (an LMS reads
an empty cell as "not graded", not as 0). docs/facilitating.md has the import steps.

Canvas ("How do I import grades in the Gradebook?", Canvas Instructor Guide, Instructure; "Import a
CSV File to Carmen Grades", The Ohio State University): the first columns are ``Student`` (last name,
first name), ``ID``, ``SIS User ID``, ``SIS Login ID`` and ``Section``, then one column per
assignment; the second row, ``Points Possible``, gives each column's points. A column whose header is
not an existing assignment's becomes a new assignment; one written ``Name (123)`` updates Canvas
assignment 123.

Moodle ("Grade import", MoodleDocs): a CSV with a header row, a column that identifies the user
(here ``Email address``, mapped to "useremail", and ``ID number``, mapped to "useridnumber") and one
column per grade item; on import each column is mapped to a grade item or to "new grade item", and a
``... (feedback)`` column to that item's feedback. MoodleDocs warns that importing feedback for an
item overwrites its grades, so each feedback column comes with its grade column.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from gapkit._validation import one_of
from gapkit.grading.policy import apply_late_penalties
from gapkit.grading.status import course_settings

__all__ = ["FORMATS", "CANVAS_COLUMNS", "MOODLE_COLUMNS", "GradeColumn", "grade_table", "export_grades"]

FORMATS = ("canvas", "moodle")
#: The identity columns of a Canvas gradebook import, in Canvas's order.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The identity columns of the Moodle file (what Moodle's own CSV export starts with).
MOODLE_COLUMNS = ("First name", "Last name", "ID number", "Email address")


@dataclass(frozen=True)
class GradeColumn:
    """One score column: its header, its points, and how to read it from one submission's grades."""

    header: str
    points: float
    assignment: str
    cells: tuple[str, ...] | None  # None: the assignment's score after penalty; else these cells' sum
    feedback_of: str | None = None  # the reflection whose comments a Moodle feedback column holds


def _criteria(gb, assignment) -> list[tuple[str, str, list]]:
    """``[(reflection id, criterion header, [grade cell names])]`` in notebook order."""
    out = []
    for nb in sorted(assignment.notebooks, key=lambda n: n.name):
        sources = {c.name: c.source or "" for c in nb.source_cells}
        for name in sorted((t.name for t in nb.task_cells), key=_criterion_key):
            rid, _, number = name.rpartition("-c")
            source = sources.get(name, "")
            title = source.split("**Criterion ", 1)[-1].split("**", 1)[0] if "**Criterion " in source else name
            # "1 of 3: Groups and comparison (3 points)" -> "Groups and comparison"
            label = title.split(": ", 1)[-1].rsplit(" (", 1)[0]
            out.append((rid or name, f"{assignment.name} {rid} c{number}: {label}", [name]))
    return out


def _criterion_key(name: str):
    rid, _, number = name.rpartition("-c")
    return (rid, int(number) if number.isdigit() else 0)


def grade_table(course_dir, *, assignments=None, rubric: bool = True, lms: str = "canvas"):
    """Columns and rows of the export: ``(columns, rows)`` with each row ``(student, {header: value})``.

    Late penalties are recomputed from ``grading.yaml`` first (`apply_late_penalties`).
    """
    settings = course_settings(course_dir)
    columns: list[GradeColumn] = []
    with Gradebook(settings.db_url, settings.course_id) as gb:
        chosen = [a for a in sorted(gb.assignments, key=lambda a: (a.duedate is None, a.duedate or 0, a.name))
                  if assignments is None or a.name in assignments]
        if assignments is not None:
            missing = sorted(set(assignments) - {a.name for a in chosen})
            if missing:
                raise ValueError(f"`assignments` names {', '.join(missing)}, which the gradebook does not have; "
                                 f"it has {', '.join(sorted(a.name for a in gb.assignments)) or 'none'}.")
        names = [a.name for a in chosen]
    for name in names:
        apply_late_penalties(settings.policy_file, settings.db_url, settings.course_id, name)
    rows = []
    with Gradebook(settings.db_url, settings.course_id) as gb:
        for a in (gb.find_assignment(n) for n in names):
            columns.append(GradeColumn(f"{a.name} total", float(a.max_score), a.name, None))
            if rubric:
                for rid, header, cells in _criteria(gb, a):
                    points = sum(float(t.max_score) for nb in a.notebooks for t in nb.task_cells if t.name in cells)
                    columns.append(GradeColumn(header, points, a.name, tuple(cells)))
                if lms == "moodle":
                    for rid in dict.fromkeys(r for r, _, _ in _criteria(gb, a)):
                        columns.append(GradeColumn(f"{a.name} {rid} (feedback)", 0.0, a.name, None, feedback_of=rid))
        for student in sorted(gb.students, key=lambda s: ((s.last_name or "").lower(), (s.first_name or "").lower(),
                                                          s.id)):
            values = {}
            for col in columns:
                try:
                    sub = gb.find_submission(col.assignment, student.id)
                except MissingEntry:
                    values[col.header] = ""
                    continue
                values[col.header] = _value(sub, col)
            rows.append((student, values))
    return columns, rows


def _value(sub, col: GradeColumn) -> str:
    grades = {g.name: g for nb in sub.notebooks for g in nb.grades}
    if col.feedback_of is not None:
        comments = [c for nb in sub.notebooks for c in nb.comments if c.name.startswith(f"{col.feedback_of}-")]
        return " ".join((c.manual_comment or "").strip() for c in sorted(comments, key=lambda c: _criterion_key(c.name))
                        if (c.manual_comment or "").strip())
    if col.cells is None:
        if any(_ungraded(g) for g in grades.values()):
            return ""  # not fully graded yet
        return _number(max(0.0, float(sub.score) - float(sub.late_submission_penalty or 0)))
    chosen = [grades[c] for c in col.cells if c in grades]
    return "" if not chosen or any(_ungraded(g) for g in chosen) else _number(sum(g.score for g in chosen))


def _ungraded(grade) -> bool:
    """A score still to be given by a facilitator (a rubric criterion nobody has scored yet)."""
    return grade.score is None or (grade.manual_score is None and grade.needs_manual_grade)


def _number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def export_grades(course_dir, lms: str, out=None, *, assignments=None, rubric: bool = True,
                  section: str = "", login: str = "id") -> str:
    """Write (and return) the grade file for `lms` (``"canvas"`` or ``"moodle"``).

    Parameters
    ----------
    course_dir : path-like
        The course folder.
    lms : {'canvas', 'moodle'}
        The gradebook to import into.
    out : path-like, optional
        Where to write the CSV (UTF-8); the text is returned either way.
    assignments : iterable of str, optional
        Only these assignments (default: every assignment in the gradebook, by due date).
    rubric : bool, optional
        Add one column per rubric criterion (and, for Moodle, the reflection comments).
    section : str, optional
        Canvas ``Section`` for every row (Canvas matches it when a course has several sections).
    login : {'id', 'email'}, optional
        What Canvas's ``SIS Login ID`` holds: the roster id (the participant's login) or the email.
    """
    one_of(lms, "lms", FORMATS)
    one_of(login, "login", ("id", "email"))
    columns, rows = grade_table(course_dir, assignments=assignments, rubric=rubric, lms=lms)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    headers = [c.header for c in columns]
    if lms == "canvas":
        writer.writerow([*CANVAS_COLUMNS, *headers])
        writer.writerow(["Points Possible", "", "", "", "", *(_number(c.points) for c in columns)])
        for student, values in rows:
            name = ", ".join(x for x in (student.last_name, student.first_name) if x) or student.id
            sis_login = (student.email or student.id) if login == "email" else student.id
            writer.writerow([name, "", student.id, sis_login, section, *(values[h] for h in headers)])
    else:
        writer.writerow([*MOODLE_COLUMNS, *headers])
        for student, values in rows:
            writer.writerow([student.first_name or "", student.last_name or "", student.id, student.email or "",
                             *(values[h] for h in headers)])
    text = buffer.getvalue()
    if out is not None:
        Path(out).write_text(text, encoding="utf-8", newline="")
    return text
