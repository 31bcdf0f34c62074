"""The reflection journal: every answer a participant writes, autosaved to one JSON file.

nbgrader grades notebook cells and never sees widget state, so the course keeps answers in a
journal file (by default ``reflections.json`` in the current working directory: next to the
notebook, which for nbgrader is the assignment folder that ``nbgrader collect`` picks up with the
notebook). When the notebook is executed without a browser (nbgrader autograde, papermill, nbval),
`gapkit.widgets.reflection` renders the saved answer with `reflection_markdown`, so the answer
appears in formgrader and in the feedback. On a cohort's hub each participant has one journal in
their home folder and ``nbgrader submit`` copies the assignment's graded answers from it into the
submission (`gapkit.exchange`, `Journal.snapshot`).

Where the journal lives, first match wins:

1. the `path` argument of `Journal`;
2. the environment variable ``GAPKIT_JOURNAL`` (a file path; ``gapkit serve --journal`` and the
   hub set it);
3. ``reflections.json`` in the current working directory.

Nothing is lost:

* each save is an atomic write (a temporary file in the same folder, flushed and synced, then
  ``os.replace``), so a crash mid-write leaves the previous journal whole;
* saves re-read the file under a lock, so two pages (two kernels) writing to the same journal
  keep each other's answers;
* every saved value has a revision. A page saves with the revision it last read or wrote; when
  the journal holds a newer one (another tab or window saved in between), the newer answer is
  kept and the page's text is kept beside it as a *conflict copy* (`Journal.conflict_copies`),
  and the save reports ``conflict=True`` so the page can say so;
* a journal that cannot be read as JSON is never overwritten silently: it is moved aside to
  ``<name>.unreadable-<timestamp>.json``, a new journal is written at once with a note saying
  where the old one went, and every `Journal` that reads the file afterwards (every open page)
  has that message in `Journal.problem`;
* one answer is at most `MAX_ANSWER_CHARS` characters (and any saved value at most
  `MAX_VALUE_BYTES` bytes of JSON); a longer one is refused with `AnswerTooLong`, and the saved
  version stays as it was.

File format (version 1; the keys after ``plans`` are optional)::

    {"format": "gapkit-journal", "version": 1, "generation": "<random id of this file>",
     "reflections": {"<reflection id>": {"text": "...", "words": 12, "saved_at": "2025-03-01T10:00:00+00:00"}},
     "checks": {"<check id>": {"chosen": [0, 2], "correct": false, "saved_at": "..."}},
     "plans": {"<plan id>": {...}},
     "assessments": {"<track>-pre": {"track": "...", "phase": "pre", "ratings": {"<item id>": 3}, "saved_at": "..."}},
     "answers": {"<module id>:<task id>": {"text": "28", "value": 28.0, "saved_at": "..."}},
     "participant": {"id": "<random id that orders the options of knowledge checks>"},
     "revisions": {"reflections/<id>": 3},
     "conflicts": {"reflections/<id>": [{"writer": "...", "value": {...}, "saved_at": "...", "base_revision": 2}]},
     "recovered": [{"backup": "reflections.unreadable-20250301T100000.json", "reason": "...", "at": "..."}],
     "submitted": {"m01": {"at": "...", "revisions": {"reflections/<id>": 3}}}}

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> journal = Journal(folder / "reflections.json")
>>> journal.save_reflection("m01-first-look", "Our newcomers are behind in grade 5.").words
7
>>> Journal(folder / "reflections.json").reflection("m01-first-look")
'Our newcomers are behind in grade 5.'
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import html
import json
import logging
import os
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from gapkit._validation import one_of

try:  # POSIX advisory locks; on other systems saves still are atomic, only unlocked.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = [
    "ENV_VARIABLE",
    "DEFAULT_NAME",
    "FORMAT",
    "VERSION",
    "SECTIONS",
    "MAX_ANSWER_CHARS",
    "MAX_VALUE_BYTES",
    "JournalError",
    "AnswerTooLong",
    "Entry",
    "Saved",
    "Journal",
    "default_path",
    "word_count",
    "reflection_markdown",
]

log = logging.getLogger(__name__)

#: Environment variable naming the journal file.
ENV_VARIABLE = "GAPKIT_JOURNAL"
#: File name of the journal in the working folder when nothing else is set.
DEFAULT_NAME = "reflections.json"
FORMAT = "gapkit-journal"
VERSION = 1
#: The sections of a journal: written reflections, knowledge-check answers, action plans, self-assessments,
#: answers to practice exercises given in a box instead of code, and the participant's random id.
SECTIONS = ("reflections", "checks", "plans", "assessments", "answers", "participant")
#: Bookkeeping kept beside the sections (all optional in a version 1 file).
_META = {"revisions": dict, "conflicts": dict, "recovered": list, "submitted": dict}
#: The longest answer saved: about 3,000 words, ten times a long reflection.
MAX_ANSWER_CHARS = 20_000
#: The largest value of any section saved (its JSON, in bytes); an action plan is a few kilobytes.
MAX_VALUE_BYTES = 200_000


class JournalError(OSError):
    """The journal file cannot be read or written; the message names the file and what to do."""


class AnswerTooLong(ValueError):
    """An answer over the size limit; the message gives its length and the limit. Nothing was saved."""


@dataclass(frozen=True)
class Entry:
    """One saved reflection: its id, the text, its word count, when and where it was saved, its revision.

    ``conflict`` is true when the save found a newer answer in the journal (written by another tab
    or window): then the newer answer was kept, ``text`` was saved beside it as a conflict copy,
    and ``revision`` is the newer answer's.
    """

    id: str
    text: str
    words: int
    saved_at: str
    path: str
    revision: int = 0
    conflict: bool = False


@dataclass(frozen=True)
class Saved:
    """What a save did: the value's revision now, and whether it met a newer value (see `Entry`)."""

    section: str
    key: str
    revision: int
    saved_at: str
    conflict: bool = False


def default_path() -> Path:
    """The journal file used when none is given: ``$GAPKIT_JOURNAL``, else ``./reflections.json``."""
    env = os.environ.get(ENV_VARIABLE, "").strip()
    if env:
        return Path(env).expanduser()
    return Path.cwd() / DEFAULT_NAME


_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)


def word_count(text: str) -> int:
    """Words in `text`: runs of letters or digits, with inner apostrophes and hyphens.

    >>> word_count("It's a well-known gap: 12 points.")
    6
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a string; got {type(text).__name__}.")
    return len(_WORD.findall(text))


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _empty() -> dict:
    return {"format": FORMAT, "version": VERSION, "generation": secrets.token_hex(8), **{s: {} for s in SECTIONS},
            **{key: kind() for key, kind in _META.items()}}


def _check_id(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"`{name}` must be a non-empty string; got {value!r}.")
    return value


def _slot(section: str, key: str) -> str:
    return f"{section}/{key}"


def _revision(data: dict, section: str, key: str) -> int:
    found = data["revisions"].get(_slot(section, key))
    if isinstance(found, int) and not isinstance(found, bool):
        return found
    return 1 if key in data[section] else 0  # a value saved before revisions were kept


def _recovery_message(note: dict) -> str:
    when = str(note.get("at", ""))[:10]
    return (f"Your journal file could not be read{f' on {when}' if when else ''} "
            f"({note.get('reason', 'it was damaged')}). It was kept, unchanged, as {note.get('backup', '?')} "
            "in the same folder, and a new journal was started: answers written since then are saved, "
            "earlier ones are in the old file. Ask your facilitator to recover them from it.")


class Journal:
    """A participant's journal file.

    Parameters
    ----------
    path : path-like, optional
        The JSON file. Default: `default_path` (``$GAPKIT_JOURNAL`` or ``./reflections.json``).

    Attributes
    ----------
    path : pathlib.Path
        The journal file (absolute).
    problem : str or None
        Set when the journal had to be started again because the old file could not be read
        (by this object or any other, in this process or another): a message for the
        participant naming the kept file. ``None`` when all is well.
    """

    def __init__(self, path=None):
        if path is None:
            path = default_path()
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"`path` must be a file path; got {type(path).__name__}.")
        path = Path(path).expanduser()
        if str(path).strip() in ("", "."):
            raise ValueError(f"`path` must name a file; got {str(path)!r}.")
        self.path = path.absolute()
        self.problem: str | None = None
        self._generation: str | None = None
        self._watchers: list = []
        self._watch_thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    @property
    def label(self) -> str:
        """Where the journal is, as a participant may be told: ``~/...`` in the home folder, else its name."""
        try:
            return "~/" + self.path.relative_to(Path.home()).as_posix()
        except ValueError:
            return self.path.name

    # -- reading ---------------------------------------------------------------------------

    def read(self) -> dict:
        """The whole journal as a dict (an empty journal when the file does not exist yet).

        An unreadable file is moved aside (see the module docstring) and a new journal started;
        `problem` then says where the old file went.
        """
        with self._locked():
            return self._read_unlocked()

    def reflection(self, reflection_id: str) -> str:
        """The saved text of a reflection, or ``""`` when none was written."""
        entry = self.entry(reflection_id)
        return entry.text if entry else ""

    def entry(self, reflection_id: str) -> Entry | None:
        """The saved reflection as an `Entry`, or ``None`` when none was written."""
        _check_id(reflection_id, "reflection_id")
        data = self.read()
        item = data["reflections"].get(reflection_id)
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            return None
        return Entry(reflection_id, item["text"], word_count(item["text"]), str(item.get("saved_at", "")),
                     str(self.path), _revision(data, "reflections", reflection_id))

    def get(self, section: str, key: str):
        """A saved value of another section (e.g. ``"checks"`` or ``"plans"``), or ``None``."""
        self._section(section)
        _check_id(key, "key")
        return self.read()[section].get(key)

    def revision(self, section: str, key: str) -> int:
        """The revision of a saved value: 0 before the first save, then one more at every save."""
        self._section(section)
        _check_id(key, "key")
        return _revision(self.read(), section, key)

    def conflict_copies(self, section: str, key: str) -> list[dict]:
        """Values kept beside a newer one (see the module docstring): ``[{"value", "saved_at", ...}]``."""
        self._section(section)
        _check_id(key, "key")
        copies = self.read()["conflicts"].get(_slot(section, key))
        return [c for c in copies if isinstance(c, dict)] if isinstance(copies, list) else []

    def submission(self, assignment_id: str) -> dict | None:
        """When `record_submission` last ran for an assignment: ``{"at", "revisions"}``, or ``None``."""
        _check_id(assignment_id, "assignment_id")
        found = self.read()["submitted"].get(assignment_id)
        return found if isinstance(found, dict) else None

    # -- writing ---------------------------------------------------------------------------

    def save_reflection(self, reflection_id: str, text: str, *, base_revision: int | None = None,
                        writer: str | None = None) -> Entry:
        """Save the text of a reflection (atomic write) and return the saved `Entry`.

        Parameters
        ----------
        reflection_id : str
        text : str
            At most `MAX_ANSWER_CHARS` characters.
        base_revision : int, optional
            The revision this text was written over (what the page last read or saved). When the
            journal holds another revision, the journal's answer is kept and `text` is saved as a
            conflict copy (``Entry.conflict``). ``None`` saves unconditionally.
        writer : str, optional
            Who writes (one id per page): each writer keeps one conflict copy, updated as it types.
        When nothing is saved under this id (a new journal), the text is saved whatever `base_revision` says.

        Raises
        ------
        AnswerTooLong
            `text` is over the limit; nothing was saved.
        """
        _check_id(reflection_id, "reflection_id")
        if not isinstance(text, str):
            raise TypeError(f"`text` must be a string; got {type(text).__name__}.")
        if len(text) > MAX_ANSWER_CHARS:
            raise AnswerTooLong(f"This answer is {len(text):,} characters long; the longest that can be saved is "
                                f"{MAX_ANSWER_CHARS:,}. It was not saved: shorten it (the last saved version is "
                                "kept).")
        words = word_count(text)
        saved = self._save("reflections", reflection_id, {"text": text, "words": words, "saved_at": _now()},
                           base_revision=base_revision, writer=writer)
        return Entry(reflection_id, text, words, saved.saved_at, str(self.path), saved.revision, saved.conflict)

    def put(self, section: str, key: str, value, *, base_revision: int | None = None,
            writer: str | None = None) -> Saved:
        """Save a JSON-serialisable value under ``section`` (e.g. ``"checks"`` or ``"plans"``) and `key`.

        `base_revision` and `writer` work as in `save_reflection`. A value whose JSON is over
        `MAX_VALUE_BYTES` is refused with `AnswerTooLong`.
        """
        self._section(section)
        _check_id(key, "key")
        return self._save(section, key, value, base_revision=base_revision, writer=writer)

    def record_submission(self, assignment_id: str, keys, *, at: str | None = None) -> dict:
        """Note that the reflections `keys` were submitted with an assignment, at their revisions now."""
        _check_id(assignment_id, "assignment_id")
        with self._locked():
            data = self._read_unlocked()
            record = {"at": at or _now(),
                      "revisions": {_slot("reflections", k): _revision(data, "reflections", k) for k in keys}}
            data["submitted"][assignment_id] = record
            self._write_unlocked(data)
        return record

    def snapshot(self, keys, path) -> Path:
        """Write a journal holding only the reflections `keys` (as saved now) to `path`, atomically.

        What a submission carries: the graded answers of one assignment, never the participant's
        other, private answers.
        """
        data = self.read()
        out = _empty()
        for key in keys:
            if key in data["reflections"]:
                out["reflections"][key] = data["reflections"][key]
                out["revisions"][_slot("reflections", key)] = _revision(data, "reflections", key)
        target = Journal(path)
        with target._locked():
            target._write_unlocked(out)
        return target.path

    def watch(self, callback, *, interval: float = 1.0) -> None:
        """Call ``callback()`` (from a background thread) whenever the journal file changes.

        One thread per `Journal` polls the file's identity and modification time every `interval`
        seconds; it is how an open page learns that another page saved, or that the journal was
        started again. Callbacks must not raise (exceptions are logged).
        """
        self._watchers.append(callback)
        if self._watch_thread is not None:
            return

        def stamp():
            try:
                st = os.stat(self.path)
            except OSError:
                return None
            return (st.st_ino, st.st_mtime_ns, st.st_size)

        def loop():
            last = stamp()
            while True:
                threading.Event().wait(interval)
                now = stamp()
                if now != last:
                    last = now
                    for fn in list(self._watchers):
                        try:
                            fn()
                        except Exception as exc:  # never let one page's callback stop the others
                            log.error("journal watcher: %s", exc, exc_info=exc)

        self._watch_thread = threading.Thread(target=loop, name=f"journal-watch {self.path.name}", daemon=True)
        self._watch_thread.start()

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _section(section):
        one_of(section, "section", SECTIONS)

    def _save(self, section: str, key: str, value, *, base_revision, writer) -> Saved:
        try:
            size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"`value` must be JSON-serialisable ({exc}).") from None
        if size > MAX_VALUE_BYTES:
            raise AnswerTooLong(f"This answer is {size:,} bytes; the most that can be saved at once is "
                                f"{MAX_VALUE_BYTES:,}. It was not saved: shorten it (the last saved version is kept).")
        saved_at = _now()
        with self._locked():
            data = self._read_unlocked()
            current = _revision(data, section, key)
            slot = _slot(section, key)
            # A conflict needs an answer to lose: nothing saved under this key (a new journal after a
            # damaged one) means this page holds the only copy, and saving it restores it.
            if (base_revision is not None and current > 0 and base_revision != current
                    and data[section].get(key) != value):
                copies = [c for c in data["conflicts"].get(slot, []) if isinstance(c, dict)
                          and (writer is None or c.get("writer") != writer)]
                copies.append({"writer": writer, "value": value, "saved_at": saved_at, "base_revision": base_revision})
                data["conflicts"][slot] = copies
                self._write_unlocked(data)
                return Saved(section, key, current, saved_at, conflict=True)
            data[section][key] = value
            data["revisions"][slot] = current + 1
            self._write_unlocked(data)
            return Saved(section, key, current + 1, saved_at)

    @contextlib.contextmanager
    def _locked(self):
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalError(f"Cannot create the folder {folder.name!r} for the journal ({exc.strerror}).") from exc
        if fcntl is None:
            yield
            return
        lock_path = folder / f".{self.path.name}.lock"
        try:
            handle = open(lock_path, "a+")
        except OSError:
            # A read-only folder: reading still works, writing will report the problem.
            yield
            return
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _read_unlocked(self) -> dict:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            data = _empty()
            data["generation"] = None  # nothing on disk yet: the first write names it
            return self._seen(data)
        except OSError as exc:
            raise JournalError(f"Cannot read the journal {self.path.name} ({exc.strerror}); your answers are "
                               "not lost, but they cannot be shown or saved until the file can be read.") from exc
        try:
            data = json.loads(raw.decode("utf-8")) if raw.strip() else None
            reason = _invalid(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            reason = f"it is not valid JSON ({exc})"
        if reason is None:
            for section in SECTIONS:
                data.setdefault(section, {})
            for key, kind in _META.items():
                data.setdefault(key, kind())
            return self._seen(data)
        return self._seen(self._move_aside(reason))

    def _seen(self, data: dict) -> dict:
        """Note what this object has seen of the file: its generation, and any recovery note."""
        generation = data.get("generation")
        if generation and self._generation and generation != self._generation and not data["recovered"]:
            self.problem = ("Your journal file was replaced while this page was open; answers are now saved to "
                            "the new file. Reload the page to see what it holds.")
        if generation:
            self._generation = generation
        if data["recovered"]:
            self.problem = _recovery_message(data["recovered"][-1])
        return data

    def _move_aside(self, reason: str) -> dict:
        stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        stem = self.path.name[:-5] if self.path.name.endswith(".json") else self.path.name
        for n in range(1000):
            suffix = f"-{n}" if n else ""
            backup = self.path.with_name(f"{stem}.unreadable-{stamp}{suffix}.json")
            if not backup.exists():
                break
        try:
            os.replace(self.path, backup)
        except OSError as exc:
            raise JournalError(f"The journal {self.path.name} cannot be read ({reason}) and could not be moved "
                               f"aside ({exc.strerror}); it was left untouched. Ask your facilitator.") from exc
        # Names only, never the folder: this is shown on lesson pages and in feedback.
        log.warning("journal %s unreadable (%s); moved to %s", self.path.name, reason, backup.name)
        # The new journal says at once where the old one went, so every open page can tell its reader.
        data = _empty()
        data["recovered"].append({"backup": backup.name, "reason": reason[:300], "at": _now()})
        self._write_unlocked(data)
        return data

    def _write_unlocked(self, data: dict) -> None:
        folder = self.path.parent
        if not data.get("generation"):
            data["generation"] = self._generation or secrets.token_hex(8)
        self._generation = data["generation"]
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise JournalError(f"Cannot save to {self.path.name} ({exc.strerror}). Copy your answer somewhere "
                               "safe and ask your facilitator.") from exc
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise JournalError(f"Cannot save to {self.path.name} ({exc.strerror}). Copy your answer somewhere "
                               "safe and ask your facilitator.") from exc


def _invalid(data) -> str | None:
    """Why `data` is not a journal, or ``None`` when it is one."""
    if not isinstance(data, dict):
        return "it does not hold a journal object"
    if data.get("format") != FORMAT:
        return f"its `format` is {data.get('format')!r}, not {FORMAT!r}"
    if data.get("version") != VERSION:
        return f"its `version` is {data.get('version')!r}; this gapkit reads version {VERSION}"
    for section in SECTIONS:
        if not isinstance(data.get(section, {}), dict):
            return f"its {section!r} is not an object"
    for key, kind in _META.items():
        if not isinstance(data.get(key, kind()), kind):
            return f"its {key!r} is not {'a list' if kind is list else 'an object'}"
    return None


def _escape_markdown(text: str) -> str:
    """Participant text as inert Markdown: HTML escaped, Markdown markup characters backslashed."""
    text = html.escape(text, quote=False)
    text = re.sub(r"([\\`*_{}\[\]()#+\-!|>~])", r"\\\1", text)
    return re.sub(r"^(\s*\d+)\.", r"\1\\.", text)


def reflection_markdown(reflection, text: str, *, heading: str = "Your reflection") -> str:
    """The saved answer to a reflection as Markdown, for notebooks executed without a browser.

    Parameters
    ----------
    reflection : gapkit.content.Reflection or str
        The reflection (its prompt is repeated) or just its id.
    text : str
        The saved answer (``""`` when none was written).
    heading : str, optional
        The bold heading above the answer.

    Returns
    -------
    str
        ``**Your reflection**`` with the prompt, the answer as a quotation (the participant's
        text is escaped so it shows exactly as typed) and its word count, or
        ``_No answer was written._`` when `text` is blank.

    Examples
    --------
    >>> print(reflection_markdown("m01-first-look", ""))
    **Your reflection** (`m01-first-look`)
    <BLANKLINE>
    _No answer was written._
    <BLANKLINE>
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a string; got {type(text).__name__}.")
    rid = reflection if isinstance(reflection, str) else getattr(reflection, "id", None)
    if not isinstance(rid, str):
        raise TypeError(f"`reflection` must be a Reflection or its id; got {type(reflection).__name__}.")
    lines = [f"**{heading}** (`{rid}`)", ""]
    prompt = getattr(reflection, "prompt", None)
    if isinstance(prompt, str) and prompt.strip():
        lines += [f"*Prompt:* {' '.join(prompt.split())}", ""]
    if not text.strip():
        lines += ["_No answer was written._", ""]
        return "\n".join(lines)
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        body = "  \n".join(_escape_markdown(line.rstrip()) for line in paragraph.splitlines())
        lines += ["> " + body.replace("\n", "\n> "), ">"]
    lines[-1] = ""
    words = word_count(text)
    lines += [f"_{words} word{'s' if words != 1 else ''}._", ""]
    return "\n".join(lines)
