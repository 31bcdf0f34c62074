"""Deadlines, the late policy and the per-cell time limit of a cohort: ``grading.yaml`` in the course folder.

nbgrader keeps one due date per assignment in the gradebook and computes how late each submission is
from the timestamp ``nbgrader submit`` wrote; what a late submission costs is left to a plugin. The
kit reads both from one file (``course_config/grading.yaml`` is the template) so the facilitator sets
a cohort's dates in one place:

* `sync_due_date` (a ``pre_convert_hook`` of ``generate_assignment`` and ``autograde``) writes the
  assignment's due date into the gradebook before nbgrader reads it;
* `LatePenalty` (nbgrader's ``AssignLatePenalties.plugin_class``) and `apply_late_penalties` (before
  ``generate_feedback`` and every export, once the reflections are graded) take the penalty off.

The penalty is a share of the assignment's points, not of the score, so it does not depend on when
the reflections are graded: ``penalty_per_day`` percent for each started day after the deadline and
the grace period, at most ``max_penalty`` percent, and never more than the score.

Examples
--------
A 16-point assignment due 19 September at 17:00 (New York), 10% per day, 15 minutes' grace, submitted
a day and two hours late (two started days):

>>> policy = GradingPolicy(timezone="America/New_York", due={"m01": "2025-09-19 17:00"},
...                        penalty_per_day=10, max_penalty=50, grace_minutes=15)
>>> policy.due_utc("m01")
datetime.datetime(2025, 9, 19, 21, 0)
>>> policy.penalty(16, seconds_late=26 * 3600)
3.2
>>> policy.penalty(16, seconds_late=10 * 60)   # within the grace period
0.0
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import BasePlugin
from traitlets import Unicode

__all__ = [
    "POLICY_FILE",
    "PolicyError",
    "GradingPolicy",
    "load_policy",
    "sync_due_date",
    "apply_late_penalties",
    "LatePenalty",
]

#: The policy file's name in a course folder (and its template in ``course_config/``).
POLICY_FILE = "grading.yaml"
SCHEMA_VERSION = 1


class PolicyError(ValueError):
    """``grading.yaml`` is not usable; the message names the file, the setting and the rule."""


@dataclass(frozen=True)
class GradingPolicy:
    """A cohort's due dates (local times, per assignment), late policy and per-cell time limit."""

    timezone: str = "UTC"
    due: dict = field(default_factory=dict)
    grace_minutes: float = 0
    penalty_per_day: float = 0
    max_penalty: float = 100
    cell_time_limit: int = 30

    def due_utc(self, assignment: str) -> _dt.datetime | None:
        """The due date of `assignment` as a naive UTC datetime (how nbgrader stores it), or ``None``."""
        text = self.due.get(assignment)
        if text is None:
            return None
        when = _parse_date(str(text), f"due.{assignment}")
        if when.tzinfo is None:  # a local time in the cohort's time zone (the usual case)
            when = when.replace(tzinfo=ZoneInfo(self.timezone))
        return when.astimezone(_dt.timezone.utc).replace(tzinfo=None)

    def days_late(self, seconds_late: float) -> int:
        """Started days late after the grace period (0 when on time or within the grace period)."""
        over = float(seconds_late) - 60 * float(self.grace_minutes)
        return 0 if over <= 0 else math.ceil(over / 86400)

    def penalty(self, max_score: float, *, seconds_late: float) -> float:
        """Points taken off an assignment worth `max_score` handed in `seconds_late` after the deadline."""
        percent = min(self.max_penalty, self.penalty_per_day * self.days_late(seconds_late))
        return round(float(max_score) * percent / 100, 6)


def _parse_date(text: str, where: str) -> _dt.datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` (local time), or ISO 8601 with an offset."""
    try:
        return _dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise PolicyError(f"{POLICY_FILE}: `{where}` ({text!r}) must be a date and time like "
                          "'2025-09-19 17:00'.") from None


def _number(raw: dict, key: str, default, where: str, *, integer=False, minimum=0, maximum=None):
    value = raw.get(key, default)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and integer:
        ok = float(value).is_integer()
    if not ok or value < minimum or (maximum is not None and value > maximum):
        limits = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise PolicyError(f"{where}: `{key}` ({value!r}) must be a {'whole ' if integer else ''}number {limits}.")
    return int(value) if integer else float(value)


def load_policy(path) -> GradingPolicy:
    """Read a ``grading.yaml``; a missing file means no deadlines, no penalty and a 30 s time limit.

    Raises
    ------
    PolicyError
        The file is not valid YAML, has another `schema_version`, names an unknown time zone, has a
        date that cannot be read or a number out of range; the message names the setting.
    """
    path = Path(path)
    if not path.is_file():
        return GradingPolicy()
    where = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PolicyError(f"{where}: not valid YAML ({exc}).") from None
    if not isinstance(raw, dict) or raw.get("schema_version") != SCHEMA_VERSION:
        version = raw.get("schema_version") if isinstance(raw, dict) else None
        raise PolicyError(f"{where}: `schema_version` is {version!r}; this gapkit reads {SCHEMA_VERSION}.")
    timezone = raw.get("timezone", "UTC")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(f"{where}: `timezone` ({timezone!r}) is not a time zone name such as "
                          "'America/New_York'.") from None
    due = raw.get("due") or {}
    if not isinstance(due, dict):
        raise PolicyError(f"{where}: `due` must map assignment ids (m01, ...) to dates; got {due!r}.")
    # YAML reads "2025-09-19 17:00:30" as a datetime and "2025-09-19" as a date: back to text.
    due = {str(k): (v.isoformat(sep=" ") if isinstance(v, _dt.datetime) else
                    v.isoformat() if isinstance(v, _dt.date) else str(v)) for k, v in due.items()}
    for assignment, text in due.items():
        _parse_date(text, f"due.{assignment}")
    late = raw.get("late_policy") or {}
    if not isinstance(late, dict):
        raise PolicyError(f"{where}: `late_policy` must be a mapping; got {late!r}.")
    here = f"{where}, late_policy"
    return GradingPolicy(
        timezone=str(timezone), due=due,
        grace_minutes=_number(late, "grace_minutes", 0, here),
        penalty_per_day=_number(late, "penalty_per_day", 0, here, maximum=100),
        max_penalty=_number(late, "max_penalty", 100, here, maximum=100),
        cell_time_limit=_number(raw, "cell_time_limit", 30, where, integer=True, minimum=1),
    )


# ---------------------------------------------------------------------------------------------
# nbgrader hooks and plugin
# ---------------------------------------------------------------------------------------------

def sync_due_date(policy_file, db_url: str, course_id: str, assignment: str) -> _dt.datetime | None:
    """Write `assignment`'s due date from `policy_file` into the gradebook; return it (naive UTC).

    An assignment the file does not list keeps whatever due date the gradebook has (for example one
    set with ``nbgrader db assignment add --duedate``).
    """
    due = load_policy(policy_file).due_utc(assignment)
    if due is not None:
        with Gradebook(db_url, course_id) as gb:
            gb.update_or_create_assignment(assignment, duedate=due)
    return due


def apply_late_penalties(policy_file, db_url: str, course_id: str, assignment: str, students=None) -> dict:
    """Recompute every submission's late penalty of `assignment` from the policy and the current scores.

    nbgrader fixes the penalty when it autogrades, when the reflections are not graded yet. This
    sets it again from the policy (a share of the points, at most the score), so the feedback and the
    exports are right after grading. Returns ``{student: penalty}`` for the late submissions.
    """
    policy = load_policy(policy_file)
    out = {}
    with Gradebook(db_url, course_id) as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            return out
        for sub in submissions:
            if students is not None and sub.student.id not in students:
                continue
            seconds = sub.total_seconds_late or 0
            for nb in sub.notebooks:
                points = policy.penalty(nb.max_score, seconds_late=seconds)
                score = sum((g.score or 0) for g in nb.grades)
                nb.late_submission_penalty = min(points, score) if points > 0 else None
            if seconds > 0:
                out[sub.student.id] = sum(nb.late_submission_penalty or 0 for nb in sub.notebooks)
        gb.db.commit()
    return out


class LatePenalty(BasePlugin):
    """nbgrader's late-submission plugin for the course: the penalty from ``grading.yaml``.

    Configure with ``c.AssignLatePenalties.plugin_class = "gapkit.grading.LatePenalty"`` and
    ``c.LatePenalty.policy_file`` (the course's ``nbgrader_config.py`` does both).
    """

    policy_file = Unicode("", help="The course folder's grading.yaml").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        policy = load_policy(self.policy_file)
        parent = self.parent  # nbgrader's AssignLatePenalties, which holds the open gradebook
        notebook = parent.gradebook.find_submission_notebook(parent.notebook_id, parent.assignment_id, student_id)
        points = policy.penalty(notebook.max_score, seconds_late=total_seconds_late)
        days = policy.days_late(total_seconds_late)
        if points:
            self.log.warning("%s handed in %s late (%d started day%s after the grace period): %.2f of %.0f "
                             "points taken off.", student_id, _duration(total_seconds_late), days,
                             "" if days == 1 else "s", points, notebook.max_score)
        return points or None


def _duration(seconds: float) -> str:
    minutes = int(round(seconds / 60))
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"]
    return " ".join(parts)
