"""The reflection journal: every answer a participant writes, autosaved to one JSON file.

nbgrader grades notebook cells and never sees widget state, so the course keeps answers in a
journal file in the participant's working folder (by default ``reflections.json`` in the current
working directory: next to the notebook, which for nbgrader is the assignment folder that
``nbgrader collect`` picks up with the notebook). When the notebook is executed without a browser
(nbgrader autograde, papermill, nbval), `gapkit.widgets.reflection` renders the saved answer with
`reflection_markdown`, so the answer appears in formgrader and in the feedback.

Where the journal lives, first match wins:

1. the `path` argument of `Journal`;
2. the environment variable ``GAPKIT_JOURNAL`` (a file path; ``gapkit serve --journal`` sets it);
3. ``reflections.json`` in the current working directory.

Nothing is lost:

* each save is an atomic write (a temporary file in the same folder, flushed and synced, then
  ``os.replace``), so a crash mid-write leaves the previous journal whole;
* saves re-read the file under a lock, so two pages (two kernels) writing to the same journal
  keep each other's answers;
* a journal that cannot be read as JSON is never overwritten silently: it is moved aside to
  ``<name>.unreadable-<timestamp>.json`` and `Journal.problem` holds a message saying where,
  which the widgets show to the participant.

File format (version 1)::

    {"format": "gapkit-journal", "version": 1,
     "reflections": {"<reflection id>": {"text": "...", "words": 12, "saved_at": "2025-03-01T10:00:00+00:00"}},
     "checks": {"<check id>": {"chosen": [0, 2], "correct": false, "saved_at": "..."}},
     "plans": {"<plan id>": {...}},
     "assessments": {"<track>-pre": {"track": "...", "phase": "pre", "ratings": {"<item id>": 3}, "saved_at": "..."}},
     "answers": {"<module id>:<task id>": {"text": "28", "value": 28.0, "saved_at": "..."}},
     "participant": {"id": "<random id that orders the options of knowledge checks>"}}

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
import tempfile
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
    "JournalError",
    "Entry",
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


class JournalError(OSError):
    """The journal file cannot be read or written; the message names the file and what to do."""


@dataclass(frozen=True)
class Entry:
    """One saved reflection: its id, the text, its word count, when and where it was saved."""

    id: str
    text: str
    words: int
    saved_at: str
    path: str


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
    return {"format": FORMAT, "version": VERSION, **{s: {} for s in SECTIONS}}


def _check_id(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"`{name}` must be a non-empty string; got {value!r}.")
    return value


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
        Set when an unreadable journal was moved aside: a message for the participant naming
        both files. ``None`` when all is well.
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

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # -- reading ---------------------------------------------------------------------------

    def read(self) -> dict:
        """The whole journal as a dict (an empty journal when the file does not exist yet).

        An unreadable file is moved aside (see the module docstring) and an empty journal returned;
        `problem` then says where the old file went.
        """
        with self._locked():
            return self._read_unlocked()

    def reflection(self, reflection_id: str) -> str:
        """The saved text of a reflection, or ``""`` when none was written."""
        _check_id(reflection_id, "reflection_id")
        item = self.read()["reflections"].get(reflection_id) or {}
        text = item.get("text", "")
        return text if isinstance(text, str) else ""

    def entry(self, reflection_id: str) -> Entry | None:
        """The saved reflection as an `Entry`, or ``None`` when none was written."""
        _check_id(reflection_id, "reflection_id")
        item = self.read()["reflections"].get(reflection_id)
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            return None
        return Entry(reflection_id, item["text"], word_count(item["text"]), str(item.get("saved_at", "")),
                     str(self.path))

    def get(self, section: str, key: str):
        """A saved value of another section (e.g. ``"checks"`` or ``"plans"``), or ``None``."""
        self._section(section)
        _check_id(key, "key")
        return self.read()[section].get(key)

    # -- writing ---------------------------------------------------------------------------

    def save_reflection(self, reflection_id: str, text: str) -> Entry:
        """Save the text of a reflection (atomic write) and return the saved `Entry`."""
        _check_id(reflection_id, "reflection_id")
        if not isinstance(text, str):
            raise TypeError(f"`text` must be a string; got {type(text).__name__}.")
        saved_at = _now()
        words = word_count(text)
        self._update("reflections", reflection_id, {"text": text, "words": words, "saved_at": saved_at})
        return Entry(reflection_id, text, words, saved_at, str(self.path))

    def put(self, section: str, key: str, value) -> None:
        """Save a JSON-serialisable value under ``section`` (e.g. ``"checks"`` or ``"plans"``) and `key`."""
        self._section(section)
        _check_id(key, "key")
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"`value` must be JSON-serialisable ({exc}).") from None
        self._update(section, key, value)

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _section(section):
        one_of(section, "section", SECTIONS)

    def _update(self, section: str, key: str, value) -> None:
        with self._locked():
            data = self._read_unlocked()
            data[section][key] = value
            self._write_unlocked(data)

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
            return _empty()
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
            return data
        self._move_aside(reason)
        return _empty()

    def _move_aside(self, reason: str) -> None:
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
        self.problem = (f"Your journal file {self.path.name} could not be read ({reason}). It was kept, "
                        f"unchanged, as {backup.name} in the same folder, and a new journal was started. "
                        "Ask your facilitator to recover earlier answers from it.")
        log.warning("journal %s unreadable (%s); moved to %s", self.path.name, reason, backup.name)

    def _write_unlocked(self, data: dict) -> None:
        folder = self.path.parent
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
