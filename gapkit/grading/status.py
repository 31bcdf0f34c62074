"""The facilitator's list: every submission of an assignment and what it still needs (``gapkit course status``).

One row per participant with a collected submission: when it came in and how late, the score so far,
who grades it, and what is waiting: reflections to grade, reflections rewritten after they were
graded ("re-grade"), reflection cells the participant deleted or moved (put back by autograding),
a journal that could not be read, or a submission not autograded yet.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from gapkit.grading import store as _store
from gapkit.grading.parallel import submitted_students
from gapkit.grading.policy import POLICY_FILE, _duration

__all__ = ["CourseSettings", "SubmissionStatus", "course_settings", "assignment_status", "format_status"]


@dataclass(frozen=True)
class CourseSettings:
    """What the course folder's ``nbgrader_config.py`` says: the folder, the gradebook and the course id."""

    root: Path
    db_url: str
    course_id: str

    @property
    def policy_file(self) -> Path:
        return self.root / POLICY_FILE


def course_settings(course_dir) -> CourseSettings:
    """Read the course folder's nbgrader configuration (as an ``nbgrader`` command run there would)."""
    from nbgrader.apps.baseapp import NbGrader

    from gapkit.grading.parallel import _cwd

    course_dir = Path(course_dir).resolve()
    if not (course_dir / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"No nbgrader_config.py in {course_dir}: run this in the course folder made by "
                                "`gapkit course init`, or give --course-dir.")
    with _cwd(course_dir):
        app = NbGrader()
        app.initialize([])
    return CourseSettings(Path(app.coursedir.root), app.coursedir.db_url, app.coursedir.course_id)


@dataclass(frozen=True)
class SubmissionStatus:
    """One participant's submission of one assignment, as the facilitator's list shows it."""

    student: str
    name: str
    submitted_at: _dt.datetime | None
    seconds_late: float
    late_penalty: float
    score: float | None
    max_score: float
    grader: str | None
    to_grade: tuple[str, ...] = ()
    regrade: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()
    journal_problem: bool = False
    autograded: bool = True

    @property
    def needs(self) -> list[str]:
        """What is still to do, in words (empty when the submission is fully graded)."""
        out = ["autograde"] if not self.autograded else []
        out += [f"re-grade {r} (rewritten after grading)" for r in self.regrade]
        out += [f"grade {r}" for r in self.to_grade if r not in self.regrade]
        return out

    @property
    def notes(self) -> list[str]:
        """What the grader should know about the submission (nothing to do)."""
        out = [f"cell {r} was {how} by the participant (put back)" for r, how in
               (x.split(":", 1) for x in self.restored)]
        if self.journal_problem:
            out.append("journal could not be read (see the reflection cell)")
        return out


def assignment_status(course_dir, assignment: str) -> list[SubmissionStatus]:
    """The facilitator's list for `assignment`, one `SubmissionStatus` per collected submission."""
    settings = course_settings(course_dir)
    collected = submitted_students(settings.root, assignment)
    _store.ensure_tables(settings.db_url)
    answers = _store.get_answers(settings.db_url, assignment)
    graders = _store.graders(settings.db_url, assignment)
    out = []
    with Gradebook(settings.db_url, settings.course_id) as gb:
        for student in collected:
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                out.append(SubmissionStatus(student, "", None, 0.0, 0.0, None, 0.0, graders.get(student),
                                            autograded=False))
                continue
            folder = settings.root / "autograded" / student / assignment
            autograded = folder.is_dir() and any(folder.glob("*.ipynb"))
            to_grade, regrade, restored = [], [], []
            for nb in sub.notebooks:
                for g in nb.grades:
                    if g.cell.__class__.__name__ == "TaskCell" and g.manual_score is None:
                        rid = g.name.rsplit("-c", 1)[0]
                        if rid not in to_grade:
                            to_grade.append(rid)
            for (who, rid), record in sorted(answers.items()):
                if who != student:
                    continue
                if record.regrade and rid in to_grade:
                    regrade.append(rid)
                if record.cell != "ok":
                    restored.append(f"{rid}:{record.cell}")
            seconds = float(sub.total_seconds_late or 0)
            name = " ".join(x for x in (sub.student.first_name, sub.student.last_name) if x)
            out.append(SubmissionStatus(
                student=student, name=name, submitted_at=sub.timestamp, seconds_late=seconds,
                late_penalty=float(sub.late_submission_penalty or 0), score=float(sub.score) if autograded else None,
                max_score=float(sub.max_score), grader=graders.get(student), to_grade=tuple(to_grade),
                regrade=tuple(regrade), restored=tuple(restored),
                journal_problem=any(folder.glob("reflections.unreadable-*.json")), autograded=autograded))
    return out


def format_status(assignment: str, rows: list[SubmissionStatus]) -> str:
    """The list as plain text, one line per submission and one line per thing still to do."""
    if not rows:
        return f"No collected submissions of {assignment}. Run `nbgrader collect {assignment}` first."
    lines = [f"{assignment}: {len(rows)} submission{'s' if len(rows) != 1 else ''}; "
             f"{sum(1 for r in rows if not r.needs)} fully graded"]
    for r in rows:
        late = "on time" if r.seconds_late <= 0 else f"late by {_duration(r.seconds_late)}"
        if r.late_penalty:
            late += f", {r.late_penalty:g} points off"
        score = "not autograded" if r.score is None else f"{r.score - r.late_penalty:g} / {r.max_score:g}"
        who = f"graded by {r.grader}" if r.grader else "no grader yet"
        lines.append(f"  {r.student:<16} {score:<16} {late:<28} {who}")
        lines += [f"      - {need}" for need in r.needs]
        lines += [f"      note: {note}" for note in r.notes]
    return "\n".join(lines)
