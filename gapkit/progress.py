"""Where a participant is in the course: each module's state, the next step and the time left.

Read from the participant's journal (`gapkit.journal`): a module's reflections count when their
answer has at least `MIN_WORDS` words, its knowledge checks when an answer was checked, the
capstone's action plan when one focus goal has something in it. (The facilitator's completion
records use the same rule, so the home page and the record agree.) On a cohort's hub, a module's nbgrader assignment counts
once the participant has submitted it (`submitted_assignments`); elsewhere submission is not known
and is left out.

A module is *not started* when nothing in it is done, *done* when everything is, and *in progress*
in between. Time left counts every module's minutes (teaching plus exercises) in proportion to
what is not yet done in it.

Examples
--------
>>> import tempfile, pathlib
>>> from gapkit.content import load_course
>>> from gapkit.journal import Journal
>>> course = load_course()
>>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "reflections.json")
>>> course_progress(course, journal).modules[0].state
'not started'
>>> _ = journal.save_reflection(course.modules[0].reflections[0].id, "Our newcomers sit together at lunch, "
...     "and the family nights we run are in English only, so the parents we most want to meet stay home.")
>>> course_progress(course, journal).modules[0].state
'in progress'
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gapkit import journal as _journal

__all__ = ["NOT_STARTED", "IN_PROGRESS", "DONE", "ModuleProgress", "CourseProgress", "course_progress",
           "assignment_id", "assignment_notebook", "submitted_assignments", "MIN_WORDS"]

NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"
#: Words a reflection needs to count as written.
MIN_WORDS = 20

#: The journal key of a lesson's action plan (what a ``plan`` block saves; `gapkit.widgets.action_plan`'s default).
PLAN_ID = "action-plan"
#: Where nbgrader's built source notebooks are, one folder per assignment (``gapkit course build-assignments``).
ASSIGNMENTS_DIR = Path("notebooks") / "assignments"


@dataclass(frozen=True)
class ModuleProgress:
    """One module's state for one participant (counts of what is done, out of what there is)."""

    module_id: str
    number: int
    title: str
    minutes: int
    reflections_written: int
    reflections: int
    checks_answered: int
    checks: int
    plan_started: bool | None  # None: the module has no action plan
    assignment: str | None  # the nbgrader assignment id, None when the module has none
    submitted: bool | None  # None: not known here (not on a hub) or no assignment

    @property
    def done_items(self) -> int:
        return (self.reflections_written + self.checks_answered + bool(self.plan_started)
                + bool(self.submitted))

    @property
    def items(self) -> int:
        return (self.reflections + self.checks + (self.plan_started is not None)
                + (self.submitted is not None))

    @property
    def state(self) -> str:
        if self.done_items == 0:
            return NOT_STARTED
        return DONE if self.done_items >= self.items else IN_PROGRESS

    @property
    def minutes_left(self) -> float:
        if not self.items:
            return 0.0
        return self.minutes * (self.items - self.done_items) / self.items

    def summary(self) -> str:
        """What is done, in words: "1 of 2 reflections written, 3 of 3 checks answered"."""
        parts = []
        if self.reflections:
            parts.append(f"{self.reflections_written} of {self.reflections} reflection"
                         f"{'s' if self.reflections != 1 else ''} written")
        if self.checks:
            parts.append(f"{self.checks_answered} of {self.checks} check{'s' if self.checks != 1 else ''} answered")
        if self.plan_started is not None:
            parts.append("action plan started" if self.plan_started else "action plan not started")
        if self.submitted is not None:
            parts.append(f"assignment {self.assignment} " + ("submitted" if self.submitted else "not submitted yet"))
        return ", ".join(parts)


@dataclass(frozen=True)
class CourseProgress:
    """Every published module's progress, in course order."""

    modules: tuple[ModuleProgress, ...]

    @property
    def finished(self) -> bool:
        return bool(self.modules) and all(m.state == DONE for m in self.modules)

    @property
    def next_module(self) -> ModuleProgress | None:
        """Where to go on: the first module in progress, else the first not started (None when finished)."""
        return (next((m for m in self.modules if m.state == IN_PROGRESS), None)
                or next((m for m in self.modules if m.state == NOT_STARTED), None))

    @property
    def minutes_left(self) -> float:
        return sum(m.minutes_left for m in self.modules)

    @property
    def done(self) -> int:
        return sum(m.state == DONE for m in self.modules)


def assignment_id(module) -> str:
    """The nbgrader assignment of a module: ``m`` and its two-digit number (``m01``)."""
    return f"m{module.number:02d}"


def assignment_notebook(course, module) -> Path | None:
    """The module's built assignment notebook (``notebooks/assignments/m01/<module id>.ipynb``), if it has one."""
    path = Path(course.root) / ASSIGNMENTS_DIR / assignment_id(module) / f"{module.id}.ipynb"
    return path if path.is_file() else None


#: nbgrader's own record of what this participant submitted, on the participant's side of the exchange.
NBGRADER_CACHE = "nbgrader_cache"


def submitted_assignments(cache=None) -> frozenset[str] | None:
    """The assignment ids this participant has submitted with nbgrader, or None where that is not known.

    ``nbgrader submit`` keeps a copy of every submission in the participant's own cache,
    ``$JUPYTER_DATA_DIR/nbgrader_cache/<course id>/<participant>+<assignment>+<timestamp>``;
    without that folder (no hub, or nothing submitted through nbgrader yet) submission is not
    known and the course home leaves it out.
    """
    if cache is None:
        from jupyter_core.paths import jupyter_data_dir

        cache = Path(jupyter_data_dir()) / NBGRADER_CACHE
    cache = Path(cache)
    if not cache.is_dir():
        return None
    found = set()
    for course_dir in cache.iterdir():
        if course_dir.is_dir():
            for entry in course_dir.iterdir():
                parts = entry.name.split("+")
                if entry.is_dir() and len(parts) >= 3:
                    found.add(parts[1])
    return frozenset(found)


def _written(journal_data: dict, section: str, key: str) -> bool:
    entry = (journal_data.get(section) or {}).get(key)
    if section == "reflections":
        text = entry.get("text") if isinstance(entry, dict) else None
        return isinstance(text, str) and _journal.word_count(text) >= MIN_WORDS
    return isinstance(entry, dict)


def _plan_started(journal_data: dict, plan_id: str) -> bool:
    plan = (journal_data.get("plans") or {}).get(plan_id)
    goals = plan.get("goals") if isinstance(plan, dict) else None
    return any(isinstance(g, dict) and any(isinstance(v, str) and v.strip() for v in g.values())
               for g in goals or [])


def course_progress(course, journal, *, submitted=None) -> CourseProgress:
    """Each module's state for the participant whose journal this is.

    Parameters
    ----------
    course : gapkit.content.Course
    journal : gapkit.journal.Journal or path-like
        The participant's journal (read once).
    submitted : collection of str, optional
        Assignment ids the participant has submitted; None (default) when that is not known, so
        submission is not part of any module's state.

    Raises
    ------
    gapkit.journal.JournalError
        The journal cannot be read.
    """
    if not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    data = journal.read()
    submitted = None if submitted is None else frozenset(submitted)
    out = []
    for module in course.modules:
        plans = [PLAN_ID] if module.blocks_of("plan") else []
        has_assignment = assignment_notebook(course, module) is not None
        out.append(ModuleProgress(
            module_id=module.id, number=module.number, title=module.title,
            minutes=module.minutes_teaching + module.minutes_exercises,
            reflections_written=sum(_written(data, "reflections", r.id) for r in module.reflections),
            reflections=len(module.reflections),
            checks_answered=sum(_written(data, "checks", c.id) for c in module.checks),
            checks=len(module.checks),
            plan_started=any(_plan_started(data, p) for p in plans) if plans else None,
            assignment=assignment_id(module) if has_assignment else None,
            submitted=(assignment_id(module) in submitted) if (has_assignment and submitted is not None) else None,
        ))
    return CourseProgress(tuple(out))

