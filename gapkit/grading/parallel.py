"""``gapkit course autograde ASSIGNMENT --jobs N``: nbgrader's autograde, N submissions at a time, one gradebook.

nbgrader autogrades one submission after another, and most of each one is spent waiting for a new
kernel to start and import the analysis libraries. Here the course folder's nbgrader configuration is
loaded once, then `jobs` worker processes (forked from this one, so they start with everything
imported) take submissions from a queue and run nbgrader's own ``Autograde`` converter on each:
the same preprocessors, the same configuration and the same gradebook as ``nbgrader autograde``, so
the scores are the same.

Workers write to the one gradebook at the same time. PostgreSQL handles that itself (each
submission's rows are its own). SQLite allows one writer at a time: in the workers every SQLite
transaction starts with ``BEGIN IMMEDIATE`` (it takes the write lock at once, and waits up to a
minute for it) instead of taking it halfway, which is when two writers can fail with "database is
locked". The transactions are short: no gradebook is open while a notebook runs.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AutogradeResult", "autograde", "submitted_students"]


@dataclass(frozen=True)
class AutogradeResult:
    """One submission's autograding: who, whether it worked, how long it took, and the error if not."""

    student: str
    ok: bool
    seconds: float
    error: str = ""


def submitted_students(course_dir, assignment: str) -> list[str]:
    """Participants with a collected submission of `assignment` (``submitted/<student>/<assignment>/``)."""
    root = Path(course_dir) / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir())


def _sqlite_immediate_transactions() -> None:
    """In this process, every SQLite transaction takes the write lock first and waits for it (see module)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _connect(dbapi_connection, record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN below, not the driver
            dbapi_connection.execute("PRAGMA busy_timeout = 60000")

    @event.listens_for(Engine, "begin")
    def _begin(connection):
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _load_app(course_dir, assignment: str, log_level: str):
    """nbgrader's ``AutogradeApp`` with the course folder's configuration loaded (as ``nbgrader autograde`` does)."""
    from nbgrader.apps.autogradeapp import AutogradeApp

    with _cwd(course_dir):
        app = AutogradeApp()
        app.initialize([assignment, f"--log-level={log_level}"])
    app.coursedir.assignment_id = assignment
    return app


@contextlib.contextmanager
def _cwd(path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _grade_one(app, student: str, force: bool) -> AutogradeResult:
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException

    start = time.perf_counter()
    app.coursedir.student_id = student
    converter = Autograde(coursedir=app.coursedir, parent=app)
    converter.force = force
    try:
        converter.start()
    except NbGraderException as exc:
        return AutogradeResult(student, False, time.perf_counter() - start, str(exc) or "nbgrader reported an error")
    except Exception as exc:  # noqa: BLE001 - reported per submission; the others go on
        app.log.error("%s", traceback.format_exc())
        return AutogradeResult(student, False, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    return AutogradeResult(student, True, time.perf_counter() - start)


def _worker(app, force, tasks, results):
    _sqlite_immediate_transactions()
    with _cwd(app.coursedir.root):
        for student in iter(tasks.get, None):
            results.put(_grade_one(app, student, force))


def autograde(course_dir, assignment: str, *, jobs: int = 2, students=None, force: bool = False,
              log_level: str = "WARN", progress=None) -> list[AutogradeResult]:
    """Autograde every collected submission of `assignment` with `jobs` processes into the course's gradebook.

    Parameters
    ----------
    course_dir : path-like
        The course folder (its ``nbgrader_config.py`` is loaded, as ``nbgrader`` does from there).
    assignment : str
        The assignment id, e.g. ``"m01"``.
    jobs : int, optional
        How many submissions are graded at once (1 grades them one after another, in this process).
    students : iterable of str, optional
        Only these participants (default: every collected submission).
    force : bool, optional
        Autograde again even where nothing was re-submitted (nbgrader's ``--force``).
    log_level : str, optional
        nbgrader's log level in the workers (warnings, such as a restored reflection cell, show at "WARN").
    progress : callable, optional
        Called with each `AutogradeResult` and the number done so far, as they finish.

    Returns
    -------
    list of AutogradeResult
        In the order the submissions finished.

    Raises
    ------
    ValueError
        `jobs` is not a positive integer, or a student named in `students` has no submission.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"`jobs` must be a positive integer; got {jobs!r}.")
    course_dir = Path(course_dir).resolve()
    found = submitted_students(course_dir, assignment)
    if students is not None:
        students = list(students)
        missing = sorted(set(students) - set(found))
        if missing:
            raise ValueError(f"No collected submission of {assignment!r} for {', '.join(missing)} in "
                             f"{course_dir / 'submitted'}; run `nbgrader collect {assignment}` first.")
        found = [s for s in found if s in set(students)]
    app = _load_app(course_dir, assignment, log_level)
    results: list[AutogradeResult] = []

    def done(result):
        results.append(result)
        if progress is not None:
            progress(result, len(results), len(found))

    # Workers are forked so that they start with nbgrader and its configuration loaded; where
    # processes cannot be forked, submissions are graded one after another here.
    if jobs == 1 or len(found) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        _sqlite_immediate_transactions()
        with _cwd(course_dir):
            for student in found:
                done(_grade_one(app, student, force))
        return results

    context = multiprocessing.get_context("fork")
    tasks, queue = context.Queue(), context.Queue()
    for student in found:
        tasks.put(student)
    workers = [context.Process(target=_worker, args=(app, force, tasks, queue), daemon=True)
               for _ in range(min(jobs, len(found)))]
    for _ in workers:
        tasks.put(None)
    sys.stdout.flush()
    sys.stderr.flush()
    for w in workers:
        w.start()
    try:
        while len(results) < len(found):
            try:
                done(queue.get(timeout=5))
            except Exception:  # queue.Empty: check that the workers are still there
                if not any(w.is_alive() for w in workers) and queue.empty():
                    lost = sorted(set(found) - {r.student for r in results})
                    for student in lost:
                        done(AutogradeResult(student, False, 0.0, "the autograding process ended unexpectedly"))
    finally:
        for w in workers:
            w.join(timeout=30)
            if w.is_alive():
                w.terminate()
    return results
