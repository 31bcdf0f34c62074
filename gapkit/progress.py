"""Where a participant is in the course: each module's state, the next step and the time left.

The rule is the facilitator's completion record's (`gapkit.completion`), read from the
participant's own journal: a reflection counts from `gapkit.completion.MIN_WORDS` words, a
knowledge check once answered, the capstone's action plan once a focus goal has text, a
self-assessment once taken. So the home page and the record a facilitator exports agree. On a
cohort's hub, a module's nbgrader assignment also has to be submitted (`submitted_assignments`);
elsewhere submission is not known and is left out.

A module is *not started* when nothing in it is done, *done* when everything is, and *in progress*
in between. Time left counts every module's minutes in proportion to what is not yet done in it.

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

from gapkit import completion as _completion
from gapkit import journal as _journal

__all__ = ["NOT_STARTED", "IN_PROGRESS", "DONE", "ModuleProgress", "CourseProgress", "course_progress",
           "assignment_id", "assignment_notebook", "submitted_assignments", "MIN_WORDS"]

NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"
MIN_WORDS = _completion.MIN_WORDS

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
    assessments_taken: int
    assessments: int
    assignment: str | None  # the nbgrader assignment id, None when the module has none
    submitted: bool | None  # None: not known here (not on a hub) or no assignment

    @property
    def done_items(self) -> int:
        return (self.reflections_written + self.checks_answered + bool(self.plan_started)
                + self.assessments_taken + bool(self.submitted))

    @property
    def items(self) -> int:
        return (self.reflections + self.checks + (self.plan_started is not None) + self.assessments
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
        if self.assessments:
            parts.append(f"self-assessment {'taken' if self.assessments_taken >= self.assessments else 'not taken'}")
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


def assignment_id(module, track=None) -> str:
    """The nbgrader assignment of a module in a track: the track's prefix and the module's two-digit number in it
    (``m01``; ``m`` and the module's own number when no track is given)."""
    return f"m{module.number:02d}" if track is None else track.assignment_id(module.id)


def assignment_notebook(course, module, *, track: str | None = None) -> Path | None:
    """The module's built assignment notebook in a track (``notebooks/assignments/m01/<module id>.ipynb``), if any."""
    path = Path(course.root) / ASSIGNMENTS_DIR / assignment_id(module, course.track(track)) / f"{module.id}.ipynb"
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


def course_progress(course, journal, *, submitted=None, kit=None, track: str | None = None) -> CourseProgress:
    """Each module's state for the participant whose journal this is.

    Parameters
    ----------
    course : gapkit.content.Course
    journal : gapkit.journal.Journal or path-like
        The participant's journal (read once).
    submitted : collection of str, optional
        Assignment ids the participant has submitted; None (default) when that is not known, so
        submission is not part of any module's state.
    kit : gapkit.kit.Kit, optional
        The facilitator's kit (tracks, self-assessments); default: loaded for `course`.
    track : str, optional
        The participant's track (default: the course's first).

    Raises
    ------
    gapkit.journal.JournalError
        The journal cannot be read.
    """
    from gapkit.kit import load_kit, module_minutes
    from gapkit.participants import Participant

    if not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    kit = kit if kit is not None else load_kit(course=course)
    participant = Participant(id="", entries=journal.read())
    submitted = None if submitted is None else frozenset(submitted)
    out = []
    the_track = course.track(kit.plan(track).track.id)
    for module_id in kit.plan(track).track.modules:
        module = course.module(module_id)
        record = _completion.module_record(kit, participant, module, track=track)
        missing = set(record.missing)
        done = lambda kind, item_id: f"{kind} {item_id}" not in missing  # noqa: E731
        phases = [n for n in record.needed if n in ("pre", "post")]
        has_assignment = assignment_notebook(course, module, track=the_track.id) is not None
        aid = assignment_id(module, the_track)
        out.append(ModuleProgress(
            module_id=module.id, number=the_track.number(module.id), title=module.title, minutes=module_minutes(module),
            reflections_written=sum(done("reflection", r.id) for r in module.reflections),
            reflections=len(module.reflections),
            checks_answered=sum(done("check", c.id) for c in module.checks),
            checks=len(module.checks),
            plan_started=("action plan" not in missing) if "plan" in record.needed else None,
            assessments_taken=sum(f"{phase} self-assessment" not in missing for phase in phases),
            assessments=len(phases),
            assignment=aid if has_assignment else None,
            submitted=(aid in submitted) if (has_assignment and submitted is not None) else None,
        ))
    return CourseProgress(tuple(out))
