"""A cohort's participants, as a facilitator holds them: a roster and a folder of journals.

The facilitator's commands (the self-assessment summary, completion records) read a **cohort
folder**: one subfolder per participant, named by the participant's id, holding that
participant's journal files at any depth (``reflections.json`` from the lesson pages, and one in
each collected assignment). That is the layout of nbgrader's ``submitted/<id>/<assignment>/`` and
of a hub's home folders (``/home/<id>/``).

Journals are read through `gapkit.journal.Journal`'s public functions, on a temporary copy: a
facilitator's command never changes, locks or moves a participant's file, even one that cannot
be read (it is reported and left as it is).

The roster is nbgrader's CSV (``id``, ``first_name``, ``last_name``, ``email``; an optional
``role`` column, where ``facilitator`` rows are left out).
"""
from __future__ import annotations

import csv
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from gapkit import journal as _journal

__all__ = ["Participant", "Cohort", "RosterError", "read_roster", "read_cohort"]


class RosterError(ValueError):
    """The roster cannot be used; the message names the file, the column or row, and what to do."""


@dataclass(frozen=True)
class Participant:
    """A participant: id, name, email, and their merged journal (section -> key -> saved value)."""

    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    entries: dict = field(default_factory=dict, hash=False, compare=False)
    journals: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.id

    def get(self, section: str, key: str):
        """A saved value (``None`` when the participant has none)."""
        return (self.entries.get(section) or {}).get(key)


@dataclass(frozen=True)
class Cohort:
    """The participants (roster order, then any folder not on the roster) and the problems met reading them."""

    participants: tuple[Participant, ...]
    problems: tuple[str, ...] = ()


def read_roster(path) -> list[dict]:
    """The participants of an nbgrader roster CSV: ``[{"id", "first_name", "last_name", "email"}]``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"Cannot read the roster {path} ({exc}).") from None
    rows = list(csv.DictReader(text.splitlines()))
    header = [h.strip() for h in (csv.DictReader(text.splitlines()).fieldnames or [])]
    if "id" not in header:
        raise RosterError(f"The roster {path} has no `id` column (columns: {', '.join(header) or 'none'}); "
                          "use nbgrader's roster format: id, first_name, last_name, email.")
    out, seen = [], {}
    for line, row in enumerate(rows, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if row.get("role", "participant").lower() == "facilitator":
            continue
        pid = row.get("id", "")
        if not pid:
            raise RosterError(f"The roster {path} row {line} has an empty `id`.")
        if pid in seen:
            raise RosterError(f"The roster {path} row {line} repeats the id {pid!r} of row {seen[pid]}.")
        seen[pid] = line
        out.append({k: row.get(k, "") for k in ("id", "first_name", "last_name", "email")})
    return out


def _stamp(value, mtime_ns: int):
    """When a saved value was saved: its ``saved_at`` (none is oldest), then its file's modification time."""
    return (str(value.get("saved_at", "")) if isinstance(value, dict) else "", mtime_ns)


def _read_journal(path: Path):
    """(journal dict, problem) from a temporary copy of `path`, so the participant's file is untouched."""
    with tempfile.TemporaryDirectory(prefix="gapkit-read-") as tmp:
        copy = Path(tmp) / _journal.DEFAULT_NAME
        shutil.copyfile(path, copy)
        journal = _journal.Journal(copy)
        try:
            data = journal.read()
        except _journal.JournalError as exc:
            return None, str(exc)
        if journal.problem:
            return None, "it cannot be read as a journal; it was left unchanged"
        return data, None


def read_cohort(folder, *, roster=None, journal_name: str = _journal.DEFAULT_NAME) -> Cohort:
    """Read every participant's journals from a cohort folder.

    Parameters
    ----------
    folder : path-like
        One subfolder per participant id, holding journal files named `journal_name` at any depth.
    roster : path-like, optional
        nbgrader's roster CSV. With it, participants come in roster order, with names, and a roster
        participant with no folder is listed with nothing done; a folder not on the roster is still read.
    journal_name : str, optional
        The journal file name (default ``reflections.json``).

    Returns
    -------
    Cohort
        Each participant's journals merged: for every saved item, the most recently saved value wins
        (by its ``saved_at``, then by the journal file's modification time).
        ``problems`` names each journal that could not be read (it is skipped, never changed).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"The cohort folder {folder} does not exist; it should hold one folder per "
                                "participant id.")
    people = {r["id"]: r for r in read_roster(roster)} if roster is not None else {}
    order = list(people)
    order += sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name not in people
                    and not p.name.startswith("."))
    participants, problems = [], []
    for pid in order:
        entries: dict = {s: {} for s in _journal.SECTIONS}
        stamps: dict = {}
        found = sorted((folder / pid).rglob(journal_name)) if (folder / pid).is_dir() else []
        for path in found:
            data, problem = _read_journal(path)
            rel = path.relative_to(folder).as_posix()
            if problem:
                problems.append(f"{rel}: {problem}")
                continue
            mtime = path.stat().st_mtime_ns
            for section in _journal.SECTIONS:
                for key, value in (data.get(section) or {}).items():
                    stamp = _stamp(value, mtime)
                    if (section, key) not in stamps or stamp > stamps[section, key]:
                        entries[section][key] = value
                        stamps[section, key] = stamp
        info = people.get(pid, {})
        participants.append(Participant(id=pid, first_name=info.get("first_name", ""),
                                        last_name=info.get("last_name", ""), email=info.get("email", ""),
                                        entries=entries,
                                        journals=tuple(p.relative_to(folder).as_posix() for p in found)))
    return Cohort(participants=tuple(participants), problems=tuple(problems))
