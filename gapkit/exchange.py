"""nbgrader's exchange for a cohort on one machine: each participant's submissions and feedback their own.

nbgrader's default exchange folder relies on names nobody can guess. Its root and course
folders are writable by everyone (nbgrader #1225: anyone can rename or replace a course), every
submission folder is world-writable, and a participant can submit under another's name (the
owner check only warns). This module keeps nbgrader's commands, file names and feedback hashes,
and changes where submissions go and who may read what, so that the operating system enforces it:

======================================  ========================  ======  ==============================
folder                                  owner : group             mode    who can do what
======================================  ========================  ======  ==============================
``<root>/``                             root : root               0755    everyone reads
``<root>/<course>/``                    root : facilitators       2775    facilitators write
``<root>/<course>/outbound/``           root : facilitators       2775    facilitators release, all fetch
``<root>/<course>/inbound/``            root : facilitators       2751    facilitators list; others pass
``<root>/<course>/inbound/<id>/``       participant : facil.      2770    only that participant writes,
                                                                          facilitators read; nobody else
``<root>/<course>/feedback/``           root : facilitators       2771    facilitators write; others pass
``<root>/<course>/feedback/<hash>.html`` facilitator : participant 0640    only that participant reads
======================================  ========================  ======  ==============================

`prepare_exchange` lays this out (it needs root: ``gapkit hub`` calls it, and so does each
participant's first spawn). The classes below are nbgrader exchange plugins, selected with
``c.ExchangeFactory`` in the course's ``nbgrader_config.py`` and in the participants' configuration:

* `ExchangeSubmit` writes into ``inbound/<id>/`` and first copies the assignment's graded answers
  from the participant's journal (``$GAPKIT_JOURNAL``) into the assignment folder, so what the
  lesson pages saved is what is submitted and graded; the journal records the submission, so the
  lesson page can say whether the answer shown is the one submitted;
* `ExchangeCollect` collects from ``inbound/<id>/`` (and from nbgrader's flat layout, which only
  facilitators can write to here), taking a submission only from the folder of the participant it
  names;
* `ExchangeReleaseFeedback` gives each feedback file to its participant's own group (``jupyter-<id>``
  on this hub; facilitators are members of every participant's group), readable by nobody else;
* `ExchangeReleaseAssignment` leaves the folders' modes alone instead of opening them to everyone.

Fetching assignments and feedback and listing are nbgrader's own, on a root they only read.
"""
from __future__ import annotations

import base64
import glob
import grp
import json
import os
import pwd
import re
from dataclasses import dataclass
from pathlib import Path

from nbgrader.exchange import default as _nb
from nbgrader.utils import check_mode, get_username, notebook_hash
from traitlets import Unicode

from gapkit import journal as _journal

__all__ = ["Exchange", "ExchangeFetchAssignment", "ExchangeFetchFeedback", "ExchangeList", "ExchangeSubmit",
           "ExchangeCollect", "ExchangeReleaseAssignment", "ExchangeReleaseFeedback",
           "ExchangeLayout", "prepare_exchange", "graded_reflections", "factory_config"]

def factory_config() -> dict:
    """The nbgrader ``ExchangeFactory`` settings that select these classes."""
    return {"exchange": "gapkit.exchange.Exchange", "submit": "gapkit.exchange.ExchangeSubmit",
            "collect": "gapkit.exchange.ExchangeCollect",
            "release_assignment": "gapkit.exchange.ExchangeReleaseAssignment",
            "release_feedback": "gapkit.exchange.ExchangeReleaseFeedback",
            "fetch_assignment": "gapkit.exchange.ExchangeFetchAssignment",
            "fetch_feedback": "gapkit.exchange.ExchangeFetchFeedback", "list": "gapkit.exchange.ExchangeList"}


_REFLECTION_CALL = re.compile(r"""^\s*reflection\(\s*["']([^"']+)["']""", re.MULTILINE)


def graded_reflections(folder) -> list[str]:
    """The reflection ids an assignment folder's notebooks ask for (their locked ``reflection("<id>")`` cells)."""
    ids = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                source = "".join(source) if isinstance(source, list) else str(source)
                ids += [i for i in _REFLECTION_CALL.findall(source) if i not in ids]
    return ids


def _me(coursedir) -> str:
    """Who is submitting: ``--student`` when given, else the hub's user name, else the login name."""
    if coursedir.student_id not in ("", "*"):
        return coursedir.student_id
    return os.environ.get("JUPYTERHUB_USER") or get_username()


class _ReadOnlyRoot:
    """On a cohort's hub the exchange root is root's: participants need to read it, not write it."""

    def ensure_root(self):
        course = os.path.join(self.root, self.coursedir.course_id or "")
        if not os.path.isdir(self.root) or not check_mode(self.root, read=True, execute=True):
            self.fail(f"The exchange folder {self.root} is missing or cannot be read; ask your facilitator.")
        if self.coursedir.course_id and not os.path.isdir(course):
            self.fail(f"The course {self.coursedir.course_id!r} is not in the exchange {self.root}; ask your "
                      "facilitator whether it has been released.")


class Exchange(_ReadOnlyRoot, _nb.Exchange):
    """nbgrader's exchange, on a root it may only read."""


class ExchangeFetchAssignment(_ReadOnlyRoot, _nb.ExchangeFetchAssignment):
    """nbgrader's ``fetch_assignment``, on a root it may only read."""


class ExchangeFetchFeedback(_ReadOnlyRoot, _nb.ExchangeFetchFeedback):
    """nbgrader's ``fetch_feedback``, on a root it may only read."""


class ExchangeList(_ReadOnlyRoot, _nb.ExchangeList):
    """nbgrader's ``list``, on a root it may only read."""


class ExchangeSubmit(_ReadOnlyRoot, _nb.ExchangeSubmit):
    """``nbgrader submit`` into the participant's own inbound folder, with their graded answers."""

    def init_dest(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        if not self.authenticator.has_access(self.coursedir.student_id, self.coursedir.course_id):
            self.fail("You do not have access to this course.")
        student_id = _me(self.coursedir)
        if "*" in student_id or "+" in student_id or "/" in student_id:
            self.fail(f"The student ID should contain no '*', '+' or '/'; got {student_id}")
        inbound = os.path.join(self.root, self.coursedir.course_id, "inbound")
        self.inbound_path = os.path.join(inbound, student_id)
        if not os.path.isdir(self.inbound_path):
            try:  # nbgrader's own layout (one machine, one user): the folder is made on first use
                os.makedirs(self.inbound_path)
                os.chmod(self.inbound_path, 0o2770)
            except OSError:
                self.fail(f"Your submission folder {self.inbound_path} does not exist; ask your facilitator "
                          "(the hub makes it when your server starts).")
        if not check_mode(self.inbound_path, write=True, execute=True):
            self.fail(f"You cannot write to the submission folder {self.inbound_path}; ask your facilitator.")
        self.cache_path = os.path.join(self.cache, self.coursedir.course_id)
        random_str = base64.urlsafe_b64encode(os.urandom(9)).decode("ascii")
        self.assignment_filename = f"{student_id}+{self.coursedir.assignment_id}+{self.timestamp}+{random_str}"

    def copy_files(self):
        own = Path(self.src_path) / _journal.DEFAULT_NAME
        ids = graded_reflections(self.src_path)
        # On the hub the participant's answers live in one journal ($GAPKIT_JOURNAL) and the assignment
        # carries a copy of its graded answers (and nothing else). Without it the journal is the folder's own.
        named = os.environ.get(_journal.ENV_VARIABLE, "").strip()
        journal = _journal.Journal(named) if named else None
        carries = bool(ids) and journal is not None and journal.path.resolve() != own.resolve()
        if carries:
            journal.snapshot(ids, own)
            self.log.info("Graded answers %s copied from %s", ", ".join(ids), journal.label)
        super().copy_files()
        if carries:
            journal.record_submission(self.coursedir.assignment_id, ids)


class ExchangeCollect(_ReadOnlyRoot, _nb.ExchangeCollect):
    """``nbgrader collect`` from each participant's inbound folder (and nbgrader's flat layout)."""

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        student = self.coursedir.student_id if self.coursedir.student_id else "*"
        name = f"{student}+{self.coursedir.assignment_id}+*"
        records = []
        for path in glob.glob(os.path.join(self.inbound_path, name)) + glob.glob(
                os.path.join(self.inbound_path, "*", name)):
            record = self._path_to_record(path)
            folder = os.path.basename(os.path.dirname(path))
            if folder != "inbound" and folder != record["username"]:
                self.log.warning("Skipping %s: it names %s but is in %s's folder.", path, record["username"], folder)
                continue
            record["filename"] = os.path.relpath(path, self.inbound_path)
            records.append(record)
        by_student = _nb.collect.groupby(records, lambda item: item["username"])
        with _nb.collect.Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except _nb.collect.MissingEntry:
                self.duedate = None
        self.src_records = []
        for group in by_student.values():
            ordered = self._sort_by_timestamp(group)
            on_time = [r for r in ordered if self.duedate is not None and r["timestamp"] <= self.duedate]
            self.src_records.append(on_time[0] if self.before_duedate and on_time else ordered[0])


class ExchangeReleaseAssignment(_nb.ExchangeReleaseAssignment):
    """``nbgrader release_assignment`` that never opens the exchange root to everyone."""

    def ensure_root(self):
        if not os.path.isdir(self.root):
            try:  # nbgrader's own behaviour on a machine where nobody prepared the exchange
                os.makedirs(self.root)
                os.chmod(self.root, 0o777)
            except PermissionError:
                self.fail(f"Could not create {self.root}, permission denied.")

    def ensure_directory(self, path, mode):
        if os.path.isdir(path) and check_mode(path, write=True, execute=True):
            return  # prepared by root for the course's facilitators: keep its owner and mode
        super().ensure_directory(path, mode)


class ExchangeReleaseFeedback(_ReadOnlyRoot, _nb.ExchangeReleaseFeedback):
    """``nbgrader release_feedback`` whose files only their participant (and facilitators) can read."""

    participant_group = Unicode(
        "jupyter-{student_id}",
        help="The group of a participant's own account; feedback files are given to it (mode 0640). "
             "When no such group exists (nbgrader's single-machine use), nbgrader's modes are kept.",
    ).tag(config=True)

    def ensure_directory(self, path, mode):
        if os.path.isdir(path) and check_mode(path, write=True, execute=True):
            return
        super().ensure_directory(path, mode)

    def copy_files(self):
        super().copy_files()
        pattern = re.escape(os.path.sep).join([
            self.coursedir.format_path(self.coursedir.feedback_directory, "(?P<student_id>.*)",
                                       self.coursedir.assignment_id, escape=True),
            "(?P<notebook_id>.*).html"])
        for html_file in glob.glob(os.path.join(self.src_path, "*.html")):
            match = re.match(pattern, html_file)
            if match is None:
                continue
            student, notebook = match.group("student_id"), match.group("notebook_id")
            with open(os.path.join(os.path.dirname(html_file), "submission_secret.txt")) as fh:
                secret = fh.read()
            released = os.path.join(self.dest_path, f"{notebook_hash(secret=secret, notebook_id=notebook)}.html")
            self._restrict(released, student)

    def _restrict(self, path: str, student: str) -> None:
        group = self.participant_group.format(student_id=student)
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            return  # no account of that name here: nbgrader's own layout
        try:
            os.chown(path, -1, gid)
            os.chmod(path, 0o640)
        except PermissionError:
            os.chmod(path, 0o600)  # never leave it readable by everyone
            self.fail(f"Feedback for {student} was released but only you can read it: you are not in the group "
                      f"{group}. Restart your server from the hub (File > Hub Control Panel) and release again.")


# ---------------------------------------------------------------------------------------------
# Laying out the exchange (as root)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExchangeLayout:
    """The folders `prepare_exchange` made, for the caller to report."""

    root: Path
    course: Path
    participants: tuple[str, ...]


def _place(path: Path, *, uid: int, gid: int, mode: int) -> None:
    """Create `path` (a folder) if missing and give it this owner and mode, whatever it had."""
    path.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or not path.is_dir():
        raise ValueError(f"`path` ({path}) must be a real folder, not a link or a file.")
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def prepare_exchange(root, course_id: str, *, facilitators_group: str, participants=()) -> ExchangeLayout:
    """Lay out the exchange for a course (see the module docstring); needs root.

    Parameters
    ----------
    root : path-like
        The exchange folder (nbgrader's ``Exchange.root``).
    course_id : str
    facilitators_group : str
        The group of the course's facilitators.
    participants : iterable of (str, str)
        ``(participant id, account name)`` pairs: each gets ``inbound/<id>/`` owned by the account.

    Existing folders keep their content and get the owner and mode above.
    """
    if os.geteuid() != 0:
        raise PermissionError("Laying out the exchange needs root (it gives folders to each participant).")
    root = Path(root)
    facil = grp.getgrnam(facilitators_group).gr_gid
    _place(root, uid=0, gid=0, mode=0o755)
    course = root / course_id
    _place(course, uid=0, gid=facil, mode=0o2775)
    _place(course / "outbound", uid=0, gid=facil, mode=0o2775)
    _place(course / "inbound", uid=0, gid=facil, mode=0o2751)
    _place(course / "feedback", uid=0, gid=facil, mode=0o2771)
    done = []
    for pid, account in participants:
        user = pwd.getpwnam(account)
        _place(course / "inbound" / pid, uid=user.pw_uid, gid=facil, mode=0o2770)
        done.append(pid)
    return ExchangeLayout(root, course, tuple(done))

