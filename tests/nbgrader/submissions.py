"""Many participants' collected submissions of module 1, laid out as ``nbgrader collect`` leaves them.

Used by the parallel-autograde test and by benchmarks/autograde_bench.py, which compare gradebooks with
`gradebook_contents`. Each submission is the
released notebook answered one of six ways a cohort does (all right; only the gap's scale right; an
answer cell deleted; the reflection cell deleted; no journal; a journal that is not JSON), with its
own reflection text and, where there is a journal, the two exercises answered only in a box
(``el-behind``, ``v-versus-cut``) answered there, in ``submitted/<participant>/m01/`` with the released data file, the journal and
nbgrader's ``timestamp.txt``.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from gapkit.course import JOURNAL_FILE, load_practice
from gapkit.journal import Journal

ASSIGNMENT = "m01"
MODULE = "01-what-gaps-are"
REFLECTION = "m01-gaps-in-my-school"
PATTERNS = ("all-right", "one-right", "deleted-answer", "deleted-reflection", "no-journal", "broken-journal")


def stamp_text(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


def _cells(nb) -> dict:
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}


def write_submissions(course: Path, repo: Path, n: int, *, when: dt.datetime | None = None) -> list[str]:
    """Write `n` collected submissions of m01 into `course` (``release/m01`` must exist); return the ids."""
    tasks = {t.id: t for t in load_practice(repo)[MODULE].tasks}
    release = course / "release" / ASSIGNMENT
    released = nbformat.read(release / f"{MODULE}.ipynb", as_version=4)
    when = when or dt.datetime.now(dt.timezone.utc)
    students = []
    for i in range(n):
        student = f"p{i + 1:02d}"
        pattern = PATTERNS[i % len(PATTERNS)]
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for extra in release.iterdir():
            if extra.suffix != ".ipynb":
                shutil.copyfile(extra, folder / extra.name)
        nb = nbformat.reads(nbformat.writes(released), as_version=4)
        cells = _cells(nb)
        answers = {t: f"{ASSIGNMENT}-{t}-answer" for t in tasks if tasks[t].code_route}
        if pattern == "one-right":  # the focal group's value reported as the gap: only the scale is right
            wrong = tasks["el-gap-points"].solution.replace('measure="proportion_difference")',
                                                            'measure="proportion_difference", column="value_focal")')
            assert wrong != tasks["el-gap-points"].solution
            cells[answers["el-gap-points"]].source = f"{tasks['el-gap-points'].answer}\n{wrong}"
            cells[answers["el-gap-scale"]].source = f"{tasks['el-gap-scale'].answer}\n{tasks['el-gap-scale'].solution}"
        else:
            for t, gid in answers.items():
                cells[gid].source = f"{tasks[t].answer}\n{tasks[t].solution}"
        drop = {"deleted-answer": answers["ever-el-gap"], "deleted-reflection": REFLECTION}.get(pattern)
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != drop]
        nbformat.write(nb, folder / f"{MODULE}.ipynb")
        if pattern == "broken-journal":
            (folder / JOURNAL_FILE).write_text('{"format": "gapkit-journal", ', encoding="utf-8")
        elif pattern != "no-journal":
            journal = Journal(folder / JOURNAL_FILE)
            journal.save_reflection(
                REFLECTION, f"Participant {i + 1}: current ELs versus never-EL students in grade {3 + i % 6} "
                            "math, the difference in percent proficient, and placement as the opportunity gap.")
            if pattern != "one-right":  # the box-only exercises, as the answer box saves them
                for t in (t for t in tasks.values() if not t.code_route):
                    journal.put("answers", f"{MODULE}:{t.id}", {"text": t.model, "value": t.model,
                                                               "saved_at": stamp_text(when)})
        stamp = when - dt.timedelta(minutes=n - i)
        (folder / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8")
        students.append(student)
    return students


def gradebook_contents(db_url: str, course_id: str = "el-equity") -> dict:
    """Every grade, comment and score of m01 in a gradebook, by participant and cell."""
    out = {}
    with Gradebook(db_url, course_id=course_id) as gb:
        for sub in gb.find_assignment(ASSIGNMENT).submissions:
            sid = sub.student.id
            out[(sid, "score")] = (sub.score, sub.code_score, sub.written_score, sub.needs_manual_grade)
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[(sid, g.name)] = (g.auto_score, g.manual_score, g.needs_manual_grade)
                for c in nb.comments:
                    out[(sid, c.name, "comment")] = (c.auto_comment, c.manual_comment)
    return out
