"""The course as data: load and validate ``modules/*.md`` and ``course_config/course.yaml``.

A module is one Markdown file with YAML front matter and a body of typed blocks written as
fenced divs (``::: objectives`` ... ``:::``), the model of the Carpentries lesson template.
``modules/README.md`` documents the syntax for course maintainers. This module turns those
files into frozen dataclasses that lesson pages, assignments and the facilitator guide share,
and checks them without building anything: every problem names the file and the line.

The block vocabulary is closed (`BLOCK_KINDS`). ``course_config/course.yaml`` lists one or more
**tracks** (sequences of modules for one audience); a module may sit in several tracks and stays
one file, and a module file that no track lists is a draft. The course file also holds every
document and reference the modules cite, each with its year and publisher; module text cites a
reference as ``[@key]`` (``(Author, year)``) or ``@key`` (``Author (year)``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gapkit import records as _records
from gapkit._validation import one_of
from gapkit.measures import EXPLORE, MEASURES

__all__ = [
    "SCHEMA_VERSION",
    "BLOCK_KINDS",
    "MINUTE_KINDS",
    "DOMAINS",
    "PROFICIENCY_ANALYSES",
    "ContentError",
    "Course",
    "Track",
    "Module",
    "Source",
    "Reference",
    "Block",
    "Reflection",
    "Criterion",
    "Level",
    "Check",
    "Option",
    "Practice",
    "Task",
    "load_course",
    "validate_course",
    "find_root",
    "draft_modules",
    "facilitator_guide",
]

#: Version of the module and course-file schema this gapkit reads. Version 2 added tracks,
#: citations with years and publishers, minutes on blocks, rubric anchors and pass marks, and
#: practice analyses as blocks.
SCHEMA_VERSION = 2

#: The closed block vocabulary. ``solution`` and ``hint`` only appear inside a ``challenge``.
BLOCK_KINDS = (
    "objectives", "keypoints", "text", "callout", "discussion", "questions", "challenge",
    "solution", "hint", "instructor", "reflection", "check", "explore", "plan", "proficiency",
    "practice", "task", "assessment",
)
#: Blocks whose body is YAML rather than Markdown.
YAML_KINDS = ("reflection", "check", "explore", "proficiency", "practice", "task", "assessment")
#: Blocks whose body is a Markdown list, one item per entry.
LIST_KINDS = ("objectives", "keypoints", "questions")
#: Blocks that may only be nested inside a ``challenge``.
CHALLENGE_PARTS = ("solution", "hint")
#: Blocks that take a participant's time, by the kind of time: each carries ``minutes=N`` on its
#: opening line, and a module's totals are their sums.
MINUTE_KINDS = {
    "text": "reading", "callout": "reading",
    "discussion": "activities", "challenge": "activities", "explore": "activities",
    "proficiency": "activities", "check": "activities", "plan": "activities", "assessment": "activities",
    "reflection": "writing",
    "task": "practice",
}
MINUTE_CATEGORIES = ("reading", "activities", "writing", "practice")
#: Reading speed used to check that a reading block's minutes are honest (dense professional
#: prose read with care; silent reading of non-fiction averages about 240 words a minute).
READING_WORDS_PER_MINUTE = 200

#: The course's domains: the four leadership domains of the administrators' course, the strands of
#: NEA's module for educators, and the opening, closing and legal parts of each sequence.
DOMAINS = (
    "Foundations", "Professional Culture", "Family and Community Engagement",
    "Instructional Leadership", "Management and Operations", "Legal and Policy Floor",
    "Culture, Equity and Language", "Shared Responsibility", "Capstone",
)

FRONT_MATTER_KEYS = ("schema_version", "id", "title", "domain", "sources")
COURSE_KEYS = ("schema_version", "title", "cohort", "min_n", "dataset", "tracks")
TRACK_KEYS = ("id", "title", "audience", "assignment_prefix", "description", "objectives", "modules")

#: Columns `gapkit.records.add_el_groups` derives; an explore preset may compare on them too.
DERIVED_GROUPS = ("current_el", "former_el", "ever_el", "never_el", "newcomer", "newcomer_status")
#: The English-proficiency views a ``proficiency`` block (or a task's display) can show.
PROFICIENCY_ANALYSES = ("growth", "reclassification", "long_term", "former_el")
#: What a no-code task's answer box takes.
TASK_INPUTS = ("number", "choice")
#: Fields of a task that hold Python code (never searched for citations).
CODE_FIELDS = ("answer", "solution", "tests", "hidden_tests", "setup")

COURSE_FILE = Path("course_config") / "course.yaml"
MODULES_DIR = Path("modules")
#: The facilitator guide `facilitator_guide` writes (``gapkit build``).
GUIDE_FILE = Path("docs") / "facilitator_guide.md"

_NBGRADER_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class ContentError(ValueError):
    """The course files have problems; ``problems`` lists every one, each naming its file and line."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the course content:\n"
            + "\n".join(f"  {p}" for p in self.problems)
        )


# ---------------------------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """A document the course is built on: title, organisation, year, publisher and the sections used.

    ``year`` is a year, or ``"n.d."`` for an undated web page (``note`` then says what is known).
    ``kind`` says what the document is (a vendor's blog post is labelled as one).
    """

    title: str
    organisation: str
    sections: tuple[str, ...] = ()
    year: object = None
    publisher: str = ""
    authors: str = ""
    kind: str = ""
    note: str = ""

    def citation(self) -> str:
        """The source as a one-line Markdown citation (with the sections a module uses)."""
        where = f"; {'; '.join(self.sections)}" if self.sections else ""
        kind = f", {self.kind}" if self.kind else ""
        return f"*{self.title}*, {self.organisation} ({self.year}{kind}{where})"


@dataclass(frozen=True)
class Reference:
    """A work cited in module text as ``[@key]`` or ``@key``: who, when, what and who published it."""

    key: str
    cite: str
    authors: str
    year: object
    title: str
    publisher: str
    kind: str = ""
    note: str = ""

    def full(self) -> str:
        """The whole reference as Markdown, in APA order, with its kind when it is not research."""
        kind = f" [{self.kind}]" if self.kind and self.kind not in _RESEARCH_KINDS else ""
        note = f" {self.note}" if self.note else ""
        return f"{self.authors} ({self.year}). *{self.title}*. {self.publisher}.{kind}{note}"


#: Kinds of reference printed without a label (the label matters for blogs, white papers, law).
_RESEARCH_KINDS = ("journal article", "book", "report", "book chapter")


@dataclass(frozen=True)
class Block:
    """One typed block of a module body, in page order.

    ``text`` is the block's Markdown, citations rendered (its raw YAML for the YAML kinds),
    ``data`` the parsed YAML mapping for those kinds (``None`` otherwise), ``children`` the blocks
    nested inside (a challenge's solution or hint), ``minutes`` the participant's time it takes
    (``None`` for untimed kinds), ``line`` its opening line.
    """

    kind: str
    text: str
    data: dict | None = field(default=None, hash=False)
    children: tuple["Block", ...] = ()
    line: int = field(default=0, compare=False)
    minutes: int | None = None


@dataclass(frozen=True)
class Level:
    """One score level of a rubric criterion: what work at that level shows, and an anchor answer."""

    score: int
    descriptor: str
    anchor: str = ""


@dataclass(frozen=True)
class Criterion:
    """A rubric criterion: its name, the points it is worth, and its levels (highest first)."""

    name: str
    points: int
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class Reflection:
    """A written reflection: prompt, guiding questions and, when graded, points, pass mark and rubric."""

    id: str
    prompt: str
    guiding_questions: tuple[str, ...]
    graded: bool
    points: int
    rubric: tuple[Criterion, ...]
    module_id: str = field(default="", compare=False)
    pass_points: int = 0

    def rubric_markdown(self) -> str:
        """The rubric as Markdown: criterion, points, and each score level with its anchor answer."""
        if not self.rubric:
            return "_Not graded: no rubric._\n"
        lines = [
            f"**Rubric: {self.points} point{'s' if self.points != 1 else ''}; "
            f"{self.pass_points} to pass.**",
            "",
            "| Criterion | Points | Score levels, each with an anchor answer |",
            "|---|---|---|",
        ]
        for c in self.rubric:
            levels = "<br>".join(
                f"**{lv.score}**: {_one_line(lv.descriptor)}"
                + (f" *Anchor:* {_one_line(lv.anchor)}" if lv.anchor else "") for lv in c.levels)
            lines.append(f"| {_one_line(c.name)} | {c.points} | {levels} |")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Option:
    """One answer option of a knowledge check, with the explanation shown once it is chosen."""

    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Check:
    """A knowledge check: single choice (exactly one correct option) or multiple choice."""

    id: str
    question: str
    multiple: bool
    options: tuple[Option, ...]
    module_id: str = field(default="", compare=False)


@dataclass(frozen=True)
class Task:
    """One exercise of a module's practice analysis, answered by code, in a box, or either way.

    The **code route** gives ``answer`` (the line the participant starts from, e.g.
    ``el_gap_points = None``) and ``solution`` (the model code). The **no-code route** gives
    ``show`` (what the participant reads: an explorer preset, a gap table or an
    English-proficiency view) and ``input`` (``"number"`` or ``"choice"`` with ``options``),
    with ``model`` the model answer (a number, or the letter of the right option). Either way the
    answer ends up in the variable ``name``, which ``tests`` (visible) and ``hidden_tests`` (run
    only when grading, computing the expected value independently of gapkit) check.
    ``reason``, when given, is a short written reason graded by the facilitator with its rubric.
    """

    id: str
    module_id: str
    points: int
    minutes: int
    text: str
    name: str
    tests: str
    hidden_tests: str
    answer: str = ""
    solution: str = ""
    show: dict | None = field(default=None, hash=False, compare=False)
    input: str = ""
    options: tuple[str, ...] = ()
    model: object = None
    unit: str = ""
    reason: Reflection | None = None

    @property
    def code_route(self) -> bool:
        return bool(self.answer)

    @property
    def box_route(self) -> bool:
        return bool(self.input)


@dataclass(frozen=True)
class Practice:
    """A module's practice analysis: an introduction, setup code for the code route, and the tasks."""

    module_id: str
    intro: str
    setup: str
    tasks: tuple[Task, ...]

    @property
    def points(self) -> int:
        """Every point of the practice: autograded answers and graded reasons."""
        return sum(t.points + (t.reason.points if t.reason else 0) for t in self.tasks)

    def task(self, task_id: str) -> Task:
        return _find(self.tasks, task_id, f"a task of the practice analysis of {self.module_id}; tasks")


@dataclass(frozen=True)
class Module:
    """One published module: front matter, the blocks in page order, and views of them.

    ``number`` is the module's number in the first track that lists it (`Track.number` gives it in
    any track). ``minutes`` maps reading, activities, writing and practice to the minutes the
    module's blocks take; ``minutes_teaching`` is the reading, ``minutes_exercises`` the rest.
    """

    id: str
    number: int
    title: str
    domain: str
    minutes: dict
    objectives: tuple[str, ...]
    keypoints: tuple[str, ...]
    sources: tuple[Source, ...]
    blocks: tuple[Block, ...]
    reflections: tuple[Reflection, ...]
    checks: tuple[Check, ...]
    instructor_notes: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    practice: Practice | None = None
    path: str = field(default="", compare=False)

    @property
    def minutes_teaching(self) -> int:
        return self.minutes.get("reading", 0)

    @property
    def minutes_exercises(self) -> int:
        return sum(self.minutes.get(k, 0) for k in ("activities", "writing", "practice"))

    @property
    def minutes_total(self) -> int:
        return sum(self.minutes.values())

    def blocks_of(self, kind: str) -> tuple[Block, ...]:
        """The top-level blocks of one kind, in page order (e.g. ``"explore"``)."""
        one_of(kind, "kind", BLOCK_KINDS)
        return tuple(b for b in self.blocks if b.kind == kind)


@dataclass(frozen=True)
class Track:
    """One sequence of modules for one audience, with its own home page, objectives and assignments.

    ``assignment_prefix`` starts its nbgrader assignment ids (``m`` gives ``m00``, ``m01``, ...).
    """

    id: str
    title: str
    audience: str
    description: str
    objectives: tuple[str, ...]
    modules: tuple[Module, ...]
    assignment_prefix: str
    based_on: tuple[str, ...] = ()

    def number(self, module_id: str) -> int:
        """The module's number in this track: its position, counting from 0 (the orientation)."""
        for i, m in enumerate(self.modules):
            if m.id == module_id:
                return i
        raise KeyError(f"`module_id` ({module_id!r}) is not in track {self.id!r}; its modules are: "
                       f"{', '.join(m.id for m in self.modules)}.")

    def module(self, module_id: str) -> Module:
        return self.modules[self.number(module_id)]

    def assignment_id(self, module_id: str) -> str:
        """The nbgrader assignment id of a module in this track (prefix and two-digit number)."""
        return f"{self.assignment_prefix}{self.number(module_id):02d}"

    @property
    def minutes(self) -> dict:
        return {k: sum(m.minutes.get(k, 0) for m in self.modules) for k in MINUTE_CATEGORIES}


@dataclass(frozen=True)
class Course:
    """The published course: settings, its tracks, every module in any track, the works it cites."""

    title: str
    cohort: str
    min_n: int
    dataset: str
    modules: tuple[Module, ...]
    sources: tuple[Source, ...] = ()
    root: str = field(default="", compare=False)
    tracks: tuple[Track, ...] = ()
    references: tuple[Reference, ...] = ()

    def module(self, id: str) -> Module:
        """The module with this id (``KeyError`` naming the known ids otherwise)."""
        return _find(self.modules, id, "a published module; modules")

    def track(self, id: str | None = None) -> Track:
        """The track with this id; the first track (the course's default) when `id` is None."""
        if id is None:
            return self.tracks[0]
        return _find(self.tracks, id, "a track of this course; tracks")

    def reflection(self, id: str) -> Reflection:
        """The reflection with this id, from any module (task reasons included)."""
        found = [r for m in self.modules for r in m.reflections]
        found += [t.reason for m in self.modules if m.practice for t in m.practice.tasks if t.reason]
        return _find(found, id, "a reflection of this course; reflections")

    def check(self, id: str) -> Check:
        """The knowledge check with this id, from any module."""
        return _find([c for m in self.modules for c in m.checks], id, "a knowledge check of this course; checks")

    def task(self, module_id: str, task_id: str) -> Task:
        """One task of a module's practice analysis."""
        module = self.module(module_id)
        if module.practice is None:
            raise KeyError(f"`module_id` ({module_id!r}) has no practice analysis.")
        return module.practice.task(task_id)

    def reference(self, key: str) -> Reference:
        return _find(self.references, key, "a reference of this course; references", attr="key")


def _find(items, id, what, attr="id"):
    """The item with this id; a ``KeyError`` naming the known ids otherwise."""
    for item in items:
        if getattr(item, attr) == id:
            return item
    raise KeyError(f"`id` ({id!r}) is not {what} are: {', '.join(getattr(i, attr) for i in items)}.")


# ---------------------------------------------------------------------------------------------
# Finding the course
# ---------------------------------------------------------------------------------------------


def find_root(start=None) -> Path:
    """The repository root: the nearest folder holding ``course_config/course.yaml``.

    Looks upwards from `start` when given; otherwise from the working directory, then from
    the location of the gapkit package.
    """
    starts = [Path(start)] if start is not None else [Path.cwd(), Path(__file__).resolve().parent]
    for s in starts:
        s = s.resolve()
        for folder in (s, *s.parents):
            if (folder / COURSE_FILE).is_file():
                return folder
    where = " or ".join(str(s) for s in starts)
    raise ContentError([f"[no course] no {COURSE_FILE.as_posix()} found in {where} or any folder above it"])


def _root(root) -> Path:
    if root is None:
        return find_root()
    root = Path(root)
    if not root.is_dir():
        raise ContentError([f"[no course] `root` ({str(root)!r}) is not a folder"])
    return root


def draft_modules(root=None) -> tuple[str, ...]:
    """Ids of module files under ``modules/`` that no track of ``course.yaml`` lists (drafts)."""
    root = _root(root)
    listed = set()
    try:
        config = yaml.safe_load((root / COURSE_FILE).read_text(encoding="utf-8")) or {}
        for track in config.get("tracks") or []:
            listed |= {str(m) for m in (track.get("modules") or [])}
    except (OSError, yaml.YAMLError, AttributeError):
        pass
    return tuple(p.stem for p in _module_files(root) if p.stem not in listed)


def _module_files(root: Path) -> list[Path]:
    folder = root / MODULES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.md") if p.name.lower() != "readme.md")


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

#: Reflection, check, task, track and module ids: they become notebook cell ids and grade ids.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_OPEN = re.compile(r"^(:{3,})\s*(?:\{\s*\.?([A-Za-z][\w-]*)([^}]*)\}|([A-Za-z][\w-]*)((?:\s+[A-Za-z][\w-]*=\S+)*))"
                   r"\s*:*\s*$")
_ATTR = re.compile(r"([A-Za-z][\w-]*)=(\"[^\"]*\"|'[^']*'|\S+)")
_CLOSE = re.compile(r"^:{3,}\s*$")
_CODE = re.compile(r"^\s*(`{3,}|~{3,})")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
#: A citation: ``[@key]`` (parenthetical) or ``@key`` (narrative); keys end with their year.
_CITATION = re.compile(r"\[@([a-z][a-z0-9-]*\d{4}[a-z]?)\]|(?<![\w@./])@([a-z][a-z0-9-]*\d{4}[a-z]?)\b")


class _Problems(list):
    """Problems found so far; `add` formats one message naming the file and line."""

    def add(self, tag, what, where, line=None, detail=""):
        at = f"{where} line {line}" if line else where
        msg = f"[{tag}] {what} in {at}" if what else f"[{tag}] {at}"
        if detail:
            msg += f": {detail}"
        self.append(msg)


@dataclass
class _Node:
    kind: str
    line: int
    attrs: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)
    children: list = field(default_factory=list)


def _split_front_matter(text: str, where: str, problems: _Problems):
    """(front matter mapping or None, body lines, line number of the first body line)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.add("front matter", "", where, 1, "the file must start with a `---` line, then YAML "
                     "front matter, then another `---` line")
        return None, lines, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            try:
                meta = _safe_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark is not None else 2
                problems.add("bad yaml", "front matter", where, line, _yaml_reason(exc))
                return None, lines[i + 1:], i + 2
            if not isinstance(meta, dict):
                problems.add("front matter", "", where, 2, "the front matter must be a YAML mapping of keys")
                return None, lines[i + 1:], i + 2
            return meta, lines[i + 1:], i + 2
    problems.add("front matter", "", where, 1, "the front matter has no closing `---` line")
    return None, [], len(lines) + 1


#: libyaml's parser where PyYAML was built with it: it reads the course's YAML about five times faster,
#: and every kernel that shows an answer box or a reflection loads the course.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _safe_load(text: str):
    """`yaml.safe_load` of `text`, parsed by libyaml when available. On a YAML error the pure-Python
    parser reads it again, so the error (its wording and line) is the one `yaml.safe_load` raises."""
    try:
        return yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return yaml.safe_load(text)


def _yaml_reason(exc) -> str:
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"YAML could not be read ({reason})"


def _attrs(text: str, kind: str, where: str, line: int, problems: _Problems) -> dict:
    out = {}
    rest = text.strip()
    for m in _ATTR.finditer(rest):
        key, value = m.group(1), m.group(2).strip("\"'")
        if key != "minutes":
            problems.add("block attribute", key, where, line, "the only attribute a block takes is minutes=N")
            continue
        if not value.isdigit():
            problems.add("minutes", f"{kind} block", where, line, f"`minutes` must be a whole number; got {value!r}")
            continue
        out[key] = int(value)
    leftover = _ATTR.sub("", rest).replace(".", "").strip()
    if leftover:
        problems.add("block attribute", repr(leftover), where, line, "write attributes as minutes=N")
    return out


def _parse_body(lines, first_line: int, where: str, problems: _Problems) -> list[_Node]:
    """Fenced divs -> a tree of nodes; reports unknown kinds, misplaced and unclosed blocks."""
    top: list[_Node] = []
    stack: list[_Node] = []
    code_fence = None  # inside a fenced code block, colons are content, not block fences
    for offset, raw in enumerate(lines):
        n = first_line + offset
        if stack:
            fence = _CODE.match(raw)
            if code_fence is not None:
                if fence and fence.group(1)[0] == code_fence[0] and len(fence.group(1)) >= len(code_fence) \
                        and not raw.strip()[len(fence.group(1)):].strip():
                    code_fence = None
                stack[-1].lines.append((n, raw))
                continue
            if fence:
                code_fence = fence.group(1)
                stack[-1].lines.append((n, raw))
                continue
        opened = _OPEN.match(raw)
        if opened:
            kind = opened.group(2) or opened.group(4)
            attrs = _attrs(opened.group(3) or opened.group(5) or "", kind, where, n, problems)
            node = _Node(kind=kind, line=n, attrs=attrs)
            if kind not in BLOCK_KINDS:
                problems.add("unknown block", kind, where, n,
                             f"block kinds are {', '.join(BLOCK_KINDS)}")
            elif kind in CHALLENGE_PARTS and (not stack or stack[-1].kind != "challenge"):
                problems.add("misplaced block", kind, where, n, f"a {kind} belongs inside a challenge block")
            elif stack and not (stack[-1].kind == "challenge" and kind in CHALLENGE_PARTS):
                problems.add("misplaced block", kind, where, n,
                             f"only solution and hint blocks nest, inside a challenge; close the "
                             f"{stack[-1].kind} block opened on line {stack[-1].line} first")
            (stack[-1].children if stack else top).append(node)
            stack.append(node)
            continue
        if _CLOSE.match(raw):
            if not stack:
                problems.add("stray fence", "", where, n, "this closing `:::` has no block to close")
            else:
                stack.pop()
            continue
        if stack:
            stack[-1].lines.append((n, raw))
        elif raw.strip():
            problems.add("text outside a block", "", where, n,
                         "every line of the body belongs to a block; wrap prose in `::: text` ... `:::`")
    if code_fence is not None and stack:
        problems.add("unclosed code", "", where, stack[-1].line,
                     f"a {code_fence} code block in this {stack[-1].kind} block is never closed")
    for node in stack:
        problems.add("unclosed block", node.kind, where, node.line, "add a closing `:::` line")
    return top


def _dedent(lines) -> str:
    texts = [t for _, t in lines]
    while texts and not texts[0].strip():
        texts.pop(0)
    while texts and not texts[-1].strip():
        texts.pop()
    indents = [len(t) - len(t.lstrip()) for t in texts if t.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(t[cut:] for t in texts)


def _items(text: str) -> tuple[str, ...]:
    """The list items of a Markdown list (continuation lines joined)."""
    items: list[str] = []
    for line in text.splitlines():
        m = _ITEM.match(line)
        if m:
            items.append(m.group(1).strip())
        elif line.strip() and items:
            items[-1] += " " + line.strip()
    return tuple(items)


class _Citer:
    """Renders ``[@key]`` and ``@key`` from the course's references, noting unknown keys and keys used."""

    def __init__(self, references: dict, where: str, problems: _Problems):
        self.references, self.where, self.problems = references, where, problems
        self.used: list[str] = []

    def __call__(self, text: str, line: int) -> str:
        def one(m):
            key = m.group(1) or m.group(2)
            ref = self.references.get(key)
            if ref is None:
                self.problems.add("unknown reference", f"@{key}", self.where, line,
                                  "add it under `references:` in course_config/course.yaml or fix the key")
                return m.group(0)
            if key not in self.used:
                self.used.append(key)
            return f"({ref.cite}, {ref.year})" if m.group(1) else f"{ref.cite} ({ref.year})"

        return _CITATION.sub(one, text)

    def data(self, value, line: int):
        """Citations rendered in every text value of parsed YAML (never in code fields)."""
        if isinstance(value, str):
            return self(value, line)
        if isinstance(value, list):
            return [self.data(v, line) for v in value]
        if isinstance(value, dict):
            return {k: (v if k in CODE_FIELDS else self.data(v, line)) for k, v in value.items()}
        return value


def _to_block(node: _Node, where: str, problems: _Problems, citer: _Citer) -> Block:
    if node.kind not in YAML_KINDS:  # citations rendered line by line, so a problem names its own line
        node.lines = [(n, citer(t, n)) for n, t in node.lines]
    text = _dedent(node.lines)
    data = None
    minutes = node.attrs.get("minutes")
    if node.kind in MINUTE_KINDS and minutes is None:
        problems.add("minutes", f"{node.kind} block", where, node.line,
                     f"this block takes a participant's time: open it with `::: {node.kind} minutes=N`")
    elif node.kind not in MINUTE_KINDS and minutes is not None:
        problems.add("minutes", f"{node.kind} block", where, node.line,
                     f"{node.kind} blocks are not timed; remove minutes={minutes}")
        minutes = None
    if node.kind in YAML_KINDS:
        body_start = node.lines[0][0] if node.lines else node.line + 1
        try:
            data = _safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            first_nonblank = next((n for n, t in node.lines if t.strip()), body_start)
            line = first_nonblank + mark.line if mark is not None else node.line
            problems.add("bad yaml", f"{node.kind} block", where, line, _yaml_reason(exc))
            # `data` None: the block is not checked further, so one mistake gives one message.
            return Block(kind=node.kind, text=text, data=None, line=node.line, minutes=minutes)
        if data is not None and not isinstance(data, dict):
            problems.add("bad yaml", f"{node.kind} block", where, node.line,
                         "the block must hold a YAML mapping of keys (id: ..., prompt: ...)")
            return Block(kind=node.kind, text=text, data=None, line=node.line, minutes=minutes)
        data = citer.data(data or {}, node.line)
    else:
        if MINUTE_KINDS.get(node.kind) == "reading" and minutes is not None:
            words = len(re.findall(r"[^\W_]+", re.sub(r"[|#*`>_-]", " ", text)))
            floor = math.ceil(words / READING_WORDS_PER_MINUTE)
            if minutes < floor:
                problems.add("minutes", f"{node.kind} block", where, node.line,
                             f"{words} words take at least {floor} minute(s) at {READING_WORDS_PER_MINUTE} words a "
                             f"minute; minutes={minutes} is too few")
    children = tuple(_to_block(c, where, problems, citer) for c in node.children)
    return Block(kind=node.kind, text=text, data=data, children=children, line=node.line, minutes=minutes)


# ---------------------------------------------------------------------------------------------
# Typed blocks
# ---------------------------------------------------------------------------------------------

def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _check_grade_id_prefixes(modules, problems) -> None:
    """Graded answers' rubric cells are ``<id>-c<n>``, found by the prefix ``<id>-`` when grading: so no
    graded reflection or reason id may be another's id followed by a hyphen (``m01-why`` and ``m01-why-v``)."""
    graded = {}
    for m in modules:
        for r in m.reflections + tuple(t.reason for t in (m.practice.tasks if m.practice else ()) if t.reason):
            if r.graded:
                graded[r.id] = m
    for rid, m in graded.items():
        for other in graded:
            if other != rid and other.startswith(rid + "-"):
                problems.add("bad id", other, m.path, None,
                             f"starts with the graded id {rid!r} and a hyphen, so grading would take its rubric "
                             f"cells for {rid!r}'s; rename one of them")


def _one_line(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _missing(data: dict, keys) -> list[str]:
    return [k for k in keys if k not in data or data[k] is None or data[k] == ""]


def _int(value):
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _reflection(d: dict, module_id: str, where: str, line: int, problems: _Problems, *, what="reflection"):
    rid = _text(d.get("id")) or "(no id)"
    missing = _missing(d, ("id", "prompt", "graded", "points"))
    if missing:
        problems.add(what, rid, where, line, f"missing key(s) {', '.join(missing)}")
        return None
    if not isinstance(d["graded"], bool):
        problems.add(what, rid, where, line, f"`graded` must be true or false; got {d['graded']!r}")
        return None
    points = _int(d["points"])
    if points is None or points < 0:
        problems.add(what, rid, where, line, f"`points` must be a non-negative integer; got {d['points']!r}")
        return None
    unknown = sorted(set(d) - {"id", "prompt", "guiding_questions", "graded", "points", "pass", "rubric"})
    if unknown:
        problems.add(what, rid, where, line, f"unknown key(s) {', '.join(unknown)}")
    guiding = d.get("guiding_questions") or []
    if not isinstance(guiding, list):
        problems.add(what, rid, where, line, "`guiding_questions` must be a list")
        guiding = []
    rubric_raw = d.get("rubric") or []
    pass_points = 0
    if d["graded"]:
        if points == 0 or not rubric_raw:
            problems.add(what, rid, where, line, "a graded reflection needs points above 0 and a rubric")
            return None
        pass_points = _int(d.get("pass"))
        if pass_points is None or not 0 < pass_points <= points:
            problems.add("pass mark", f"{what} {rid}", where, line,
                         f"`pass` must be the points needed to pass, from 1 to {points}; got {d.get('pass')!r}")
            return None
    elif rubric_raw or d.get("pass") is not None or points:
        problems.add(what, rid, where, line, "an ungraded reflection has points: 0, no pass mark and no rubric")
        return None
    if not isinstance(rubric_raw, list):
        problems.add(what, rid, where, line, "`rubric` must be a list of criteria")
        return None
    criteria = []
    for i, c in enumerate(rubric_raw, start=1):
        crit = _criterion(c, i, rid, where, line, problems)
        if crit is None:
            return None
        criteria.append(crit)
    total = sum(c.points for c in criteria)
    if criteria and total != points:
        problems.add("rubric points", f"{what} {rid}", where, line,
                     f"the criteria add up to {total} points but the reflection is worth {points}")
    return Reflection(id=rid, prompt=_text(d["prompt"]), guiding_questions=tuple(_text(q) for q in guiding),
                      graded=d["graded"], points=points, rubric=tuple(criteria), module_id=module_id,
                      pass_points=pass_points)


def _criterion(c, i, rid, where, line, problems):
    if not isinstance(c, dict):
        problems.add("rubric", f"reflection {rid}", where, line, f"criterion {i} must be a mapping "
                     "with name, points and levels")
        return None
    missing = _missing(c, ("name", "points", "levels"))
    if missing:
        problems.add("rubric", f"reflection {rid}", where, line,
                     f"criterion {i} is missing key(s) {', '.join(missing)}")
        return None
    name = _text(c["name"])
    pts = _int(c["points"])
    if pts is None or pts <= 0:
        problems.add("rubric", f"reflection {rid}", where, line,
                     f"criterion {name!r} `points` must be a positive integer; got {c['points']!r}")
        return None
    raw = c["levels"]
    if not isinstance(raw, dict) or not raw:
        problems.add("rubric", f"reflection {rid}", where, line,
                     f"criterion {name!r} `levels` must map each score to a descriptor and an anchor answer")
        return None
    levels = []
    for score, level in raw.items():
        s = _int(score)
        if s is None or not 0 <= s <= pts:
            problems.add("rubric", f"reflection {rid}", where, line,
                         f"criterion {name!r} has score level {score!r}; levels run from 0 to {pts}")
            return None
        if not isinstance(level, dict) or not _text(level.get("descriptor")):
            problems.add("rubric", f"reflection {rid}", where, line,
                         f"criterion {name!r} score level {s} needs a `descriptor` (what work at this level shows)")
            return None
        if not _text(level.get("anchor")):
            problems.add("no anchor", f"reflection {rid}", where, line,
                         f"criterion {name!r} score level {s} needs an `anchor`: an answer that earns this score")
            return None
        levels.append(Level(score=s, descriptor=_text(level["descriptor"]), anchor=_text(level["anchor"])))
    levels.sort(key=lambda lv: -lv.score)
    if levels[0].score != pts or levels[-1].score != 0:
        problems.add("rubric", f"reflection {rid}", where, line,
                     f"criterion {name!r} is worth {pts} points: its levels must run from {pts} down to 0")
        return None
    return Criterion(name=name, points=pts, levels=tuple(levels))


def _check(block: Block, module_id: str, where: str, problems: _Problems):
    d = block.data
    cid = _text(d.get("id")) or "(no id)"
    missing = _missing(d, ("id", "question", "type", "options"))
    if missing:
        problems.add("check", cid, where, block.line, f"missing key(s) {', '.join(missing)}")
        return None
    if d["type"] not in ("single", "multiple"):
        problems.add("check", cid, where, block.line, f"`type` ({d['type']!r}) must be 'single' or 'multiple'")
        return None
    raw = d["options"]
    if not isinstance(raw, list) or len(raw) < 2:
        problems.add("check", cid, where, block.line, "`options` must be a list of at least two options")
        return None
    options = []
    ok = True
    for i, o in enumerate(raw, start=1):
        if not isinstance(o, dict) or not _text(o.get("text")):
            problems.add("check", cid, where, block.line, f"option {i} needs a `text`")
            ok = False
            continue
        if not isinstance(o.get("correct"), bool):
            problems.add("check", cid, where, block.line,
                         f"option {i} `correct` must be true or false; got {o.get('correct')!r}")
            ok = False
            continue
        if not _text(o.get("explanation")):
            problems.add("option without explanation", f"check {cid}", where, block.line,
                         f"option {i} ({_text(o['text'])[:40]!r}) needs an `explanation`")
            ok = False
        options.append(Option(text=_text(o["text"]), correct=o["correct"], explanation=_text(o.get("explanation"))))
    n_correct = sum(o.correct for o in options)
    if ok and n_correct == 0:
        problems.add("no correct option", f"check {cid}", where, block.line,
                     "mark at least one option `correct: true`")
        ok = False
    if ok and d["type"] == "single" and n_correct > 1:
        problems.add("check", cid, where, block.line,
                     f"a single-choice check has exactly one correct option; {n_correct} are marked correct "
                     "(use `type: multiple`)")
        ok = False
    if ok and d["type"] == "multiple" and n_correct == len(options):
        problems.add("check", cid, where, block.line, "a select-all check needs at least one option that is wrong")
        ok = False
    if not ok:
        return None
    return Check(id=cid, question=_text(d["question"]), multiple=d["type"] == "multiple",
                 options=tuple(options), module_id=module_id)


def _explore(d: dict, where: str, line: int, problems: _Problems, *, what="explore") -> None:
    missing = _missing(d, ("subject", "measure", "group", "focal"))
    if "reference" not in d:
        missing.append("reference")
    if missing:
        problems.add(what, "", where, line, f"missing key(s) {', '.join(missing)} "
                     "(reference may be null for 'everyone else')")
        return
    if d["subject"] not in _records.SUBJECTS:
        problems.add(what, "", where, line,
                     f"`subject` ({d['subject']!r}) must be one of {', '.join(_records.SUBJECTS)}")
    if d["measure"] not in EXPLORE:
        problems.add(what, "", where, line,
                     f"`measure` ({d['measure']!r}) must be one of {', '.join(EXPLORE)}")
    _group(d, where, line, problems, what)
    unknown = sorted(set(d) - {"subject", "measure", "group", "focal", "reference", "school", "grade",
                               "year", "look_for"})
    if unknown:
        problems.add(what, "", where, line, f"unknown key(s) {', '.join(unknown)}")


def _group(d, where, line, problems, what):
    groups = tuple(_records.COLUMNS) + DERIVED_GROUPS
    if d.get("group") not in groups:
        problems.add(what, "", where, line, f"`group` ({d.get('group')!r}) is not a student-record column or "
                     "derived EL group")


def _proficiency(d: dict, where: str, line: int, problems: _Problems, *, what="proficiency") -> None:
    if d.get("analysis") not in PROFICIENCY_ANALYSES:
        problems.add(what, "", where, line, f"`analysis` ({d.get('analysis')!r}) must be one of "
                     f"{', '.join(PROFICIENCY_ANALYSES)}")
    by = d.get("by", [])
    if not isinstance(by, list) or any(b not in _records.COLUMNS for b in by):
        problems.add(what, "", where, line, f"`by` ({by!r}) must be a list of student-record columns")
    if d.get("analysis") == "former_el" and d.get("subject") not in _records.SUBJECTS:
        problems.add(what, "", where, line, f"a former_el view needs `subject`: one of {', '.join(_records.SUBJECTS)}")
    unknown = sorted(set(d) - {"analysis", "by", "year", "school", "subject", "look_for"})
    if unknown:
        problems.add(what, "", where, line, f"unknown key(s) {', '.join(unknown)}")


def _table_show(d: dict, where: str, line: int, problems: _Problems) -> None:
    missing = _missing(d, ("outcome", "group", "focal", "measures"))
    if missing:
        problems.add("task", "", where, line, f"a table display is missing key(s) {', '.join(missing)}")
        return
    if d["outcome"] not in _records.COLUMNS:
        problems.add("task", "", where, line, f"table `outcome` ({d['outcome']!r}) is not a student-record column")
    _group(d, where, line, problems, "task")
    offered = [name for name, m in MEASURES.items() if m.needs]  # the measures gap_table offers
    bad = [m for m in d["measures"] if m not in offered] if isinstance(d["measures"], list) else [d["measures"]]
    if bad:
        problems.add("task", "", where, line, f"table `measures` {bad!r} are not measures of gapkit.gap_table")
    unknown = sorted(set(d) - {"outcome", "group", "focal", "reference", "by", "measures", "levels", "school",
                               "grade", "year", "caption"})
    if unknown:
        problems.add("task", "", where, line, f"unknown table key(s) {', '.join(unknown)}")


def _show(show, where, line, problems) -> None:
    if not isinstance(show, dict) or len(show) != 1 or next(iter(show)) not in ("explore", "table", "proficiency"):
        problems.add("task", "", where, line, "`show` must hold exactly one of explore, table or proficiency")
        return
    kind, spec = next(iter(show.items()))
    if not isinstance(spec, dict):
        problems.add("task", "", where, line, f"`show: {kind}` must be a mapping")
    elif kind == "explore":
        _explore(spec, where, line, problems, what="task")
    elif kind == "table":
        _table_show(spec, where, line, problems)
    else:
        _proficiency(spec, where, line, problems, what="task")


def _code_field(d, key, tid, where, line, problems) -> str:
    value = d.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add("task", tid, where, line, f"`{key}` must be text (code)")
        return ""
    if any(x in value for x in _NBGRADER_DELIMITERS):
        problems.add("task", tid, where, line, f"`{key}` must not contain nbgrader delimiters; they are added "
                     "when the notebook is built")
    return value.strip("\n")


def _task(block: Block, module_id: str, where: str, problems: _Problems):
    d, line = block.data, block.line
    tid = _text(d.get("id")) or "(no id)"
    missing = _missing(d, ("id", "points", "text", "name", "tests", "hidden_tests"))
    if missing:
        problems.add("task", tid, where, line, f"missing key(s) {', '.join(missing)}")
        return None
    unknown = sorted(set(d) - {"id", "points", "text", "name", "tests", "hidden_tests", "answer", "solution",
                               "show", "input", "options", "model", "unit", "reason"})
    if unknown:
        problems.add("task", tid, where, line, f"unknown key(s) {', '.join(unknown)}")
    if not ID_PATTERN.match(tid):
        problems.add("bad id", repr(tid), where, line, "task ids use lower-case letters, digits and hyphens")
    points = _int(d["points"])
    if points is None or points < 1:
        problems.add("task", tid, where, line, f"`points` must be a positive integer; got {d['points']!r}")
        return None
    name = _text(d["name"])
    if not _NAME.match(name):
        problems.add("task", tid, where, line, f"`name` ({name!r}) must be a Python variable name")
    code = {k: _code_field(d, k, tid, where, line, problems) for k in CODE_FIELDS if k != "setup"}
    if bool(code["answer"]) != bool(code["solution"]):
        problems.add("task", tid, where, line, "the code route needs both `answer` and `solution`")
    if code["answer"] and not code["answer"].lstrip().startswith(name):
        problems.add("task", tid, where, line, f"`answer` must set `{name}` (e.g. `{name} = None`)")
    kind = d.get("input")
    options = ()
    if kind is not None or d.get("show") is not None:
        if kind not in TASK_INPUTS:
            problems.add("task", tid, where, line, f"`input` ({kind!r}) must be one of {', '.join(TASK_INPUTS)}")
        if d.get("show") is not None:
            _show(d["show"], where, line, problems)
        model = d.get("model")
        if kind == "choice":
            raw = d.get("options")
            if not isinstance(raw, list) or len(raw) < 2 or not all(_text(o) for o in raw):
                problems.add("task", tid, where, line, "a choice needs `options`: a list of at least two texts")
            else:
                options = tuple(_text(o) for o in raw)
                letters = [chr(65 + i) for i in range(len(options))]
                if model not in letters:
                    problems.add("task", tid, where, line, f"`model` ({model!r}) must be the letter of an option: "
                                 f"{', '.join(letters)}")
        elif kind == "number" and (isinstance(model, bool) or not isinstance(model, (int, float))):
            problems.add("task", tid, where, line, f"`model` must be the model answer, a number; got {model!r}")
    if not code["answer"] and kind is None:
        problems.add("task", tid, where, line, "a task needs a code route (answer and solution) or a no-code "
                     "route (input, model and usually show)")
        return None
    reason = None
    if d.get("reason") is not None:
        if not isinstance(d["reason"], dict):
            problems.add("task", tid, where, line, "`reason` must be a mapping like a graded reflection")
        else:
            reason = _reflection({"graded": True, **d["reason"]}, module_id, where, line, problems,
                                 what="task reason")
    return Task(id=tid, module_id=module_id, points=points, minutes=block.minutes or 0, text=_text(d["text"]),
                name=name, tests=code["tests"], hidden_tests=code["hidden_tests"], answer=code["answer"],
                solution=code["solution"], show=d.get("show"), input=kind or "", options=options,
                model=d.get("model"), unit=_text(d.get("unit")), reason=reason)


def _practice(blocks, tasks, module_id, where, problems):
    practices = [b for b in blocks if b.kind == "practice"]
    if not practices and not tasks:
        return None
    if len(practices) != 1:
        problems.add("practice", "", where, (practices[1].line if len(practices) > 1 else tasks[0][1]),
                     "a module with tasks has exactly one practice block (its introduction)")
        return None
    p = practices[0]
    d = p.data or {}
    if not _text(d.get("intro")):
        problems.add("practice", "", where, p.line, "missing key intro")
    unknown = sorted(set(d) - {"intro", "setup"})
    if unknown:
        problems.add("practice", "", where, p.line, f"unknown key(s) {', '.join(unknown)}")
    if not tasks:
        problems.add("practice", "", where, p.line, "a practice block needs at least one task block")
        return None
    ids = [t.id for t, _ in tasks]
    for (t, line), seen in zip(tasks, range(len(tasks))):
        if ids.index(t.id) != seen:
            problems.add("duplicate id", t.id, where, line, "task ids are unique within a module")
    setup = _code_field(d, "setup", "practice", where, p.line, problems)
    return Practice(module_id=module_id, intro=_text(d.get("intro")), setup=setup,
                    tasks=tuple(t for t, _ in tasks))


def _assessment_block(block: Block, where: str, problems: _Problems) -> None:
    """Where the kit's self-assessment appears: ``phase: pre|post`` and optionally its ``track``."""
    d = block.data
    if d.get("phase") not in ("pre", "post"):
        problems.add("assessment", "", where, block.line, f"`phase` ({d.get('phase')!r}) must be 'pre' or 'post'")
    unknown = sorted(set(d) - {"phase", "track"})
    if unknown:
        problems.add("assessment", "", where, block.line, f"unknown key(s) {', '.join(unknown)}")


# ---------------------------------------------------------------------------------------------
# Modules and the course
# ---------------------------------------------------------------------------------------------

def _check_version(value, where, line, problems) -> bool:
    v = _int(value)
    if v is None:
        problems.add("schema version", "", where, line, f"`schema_version` must be an integer; got {value!r}")
        return False
    if v < SCHEMA_VERSION:
        problems.add("schema too old", "", where, line,
                     f"schema_version {v} is older than the version {SCHEMA_VERSION} this gapkit reads; "
                     "update the file to the current format (see modules/README.md)")
        return False
    if v > SCHEMA_VERSION:
        problems.add("schema too new", "", where, line,
                     f"schema_version {v} is newer than the version {SCHEMA_VERSION} this gapkit reads; "
                     "upgrade gapkit")
        return False
    return True


def _year_and_publisher(s: dict, what: str, where, line, problems) -> bool:
    year = s.get("year")
    ok = True
    if not ((_int(year) is not None and 1800 <= year <= 2100) or year == "n.d."):
        problems.add("citation", what, where, line, f"`year` must be a year or \"n.d.\"; got {year!r}")
        ok = False
    if year == "n.d." and not _text(s.get("note")):
        problems.add("citation", what, where, line, "an undated work (n.d.) needs a `note` saying what is known")
        ok = False
    if not _text(s.get("publisher")):
        problems.add("citation", what, where, line, "`publisher` is missing (the journal for an article)")
        ok = False
    return ok


def _sources(raw, where, problems, known: dict | None, line=1, *, course_file=False) -> tuple[Source, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add("front matter", "", where, line, "`sources` must be a non-empty list of "
                     "{title, organisation, sections}")
        return ()
    out = []
    for i, s in enumerate(raw, start=1):
        if not isinstance(s, dict) or _missing(s, ("title", "organisation")):
            problems.add("front matter", "", where, line, f"source {i} needs a `title` and an `organisation`")
            continue
        sections = s.get("sections", s.get("section", ()))
        if isinstance(sections, str):
            sections = [sections]
        sections = tuple(_text(x) for x in sections or ())
        title, organisation = _text(s["title"]), _text(s["organisation"])
        if course_file:  # the course file: every source carries its citation
            _year_and_publisher(s, repr(title), where, line, problems)
            src = Source(title=title, organisation=organisation, sections=sections, year=s.get("year"),
                         publisher=_text(s.get("publisher")), authors=_text(s.get("authors")),
                         kind=_text(s.get("kind")), note=_text(s.get("note")))
        elif known is None:  # a course without a source list: modules name their sources freely
            src = Source(title=title, organisation=organisation, sections=sections)
        else:
            ref = known.get(title)
            if ref is None:
                problems.add("unknown source", repr(title), where, line,
                             "list it under `sources:` in course_config/course.yaml or fix the title")
                src = Source(title=title, organisation=organisation, sections=sections)
            else:
                if ref.organisation != organisation:
                    problems.add("unknown source", repr(title), where, line,
                                 f"its organisation is {ref.organisation!r}, not {organisation!r}")
                for sec in sections:
                    if ref.sections and sec not in ref.sections:
                        problems.add("unknown section", repr(sec), where, line,
                                     f"{title!r} has sections {', '.join(map(repr, ref.sections))}")
                src = Source(title=title, organisation=organisation, sections=sections, year=ref.year,
                             publisher=ref.publisher, authors=ref.authors, kind=ref.kind, note=ref.note)
        out.append(src)
    return tuple(out)


def _references(raw, where, line, problems) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add("course", "", where, line, "`references` must map keys to references")
        return {}
    out = {}
    for key, r in raw.items():
        key = str(key)
        if not re.fullmatch(r"[a-z][a-z0-9-]*\d{4}[a-z]?", key):
            problems.add("citation", repr(key), where, line, "reference keys are lower-case and end with the year, "
                         "e.g. saunders2013")
            continue
        if not isinstance(r, dict) or _missing(r, ("cite", "authors", "title")):
            problems.add("citation", key, where, line, "a reference needs cite, authors, year, title and publisher")
            continue
        if not _year_and_publisher(r, key, where, line, problems):
            continue
        if str(r["year"]) not in key:
            problems.add("citation", key, where, line, f"the key must end with the year {r['year']}")
        unknown = sorted(set(r) - {"cite", "authors", "year", "title", "publisher", "kind", "note"})
        if unknown:
            problems.add("citation", key, where, line, f"unknown key(s) {', '.join(unknown)}")
        out[key] = Reference(key=key, cite=_text(r["cite"]), authors=_text(r["authors"]), year=r["year"],
                             title=_text(r["title"]), publisher=_text(r["publisher"]), kind=_text(r.get("kind")),
                             note=_text(r.get("note")))
    return out


def _load_module(path: Path, mid: str, number: int, rel: str, problems: _Problems, known_sources, references):
    text = path.read_text(encoding="utf-8")
    meta, body, first = _split_front_matter(text, rel, problems)
    nodes = _parse_body(body, first, rel, problems)
    citer = _Citer(references, rel, problems)
    blocks = tuple(_to_block(n, rel, problems, citer) for n in nodes)
    if meta is None:
        return None

    def at(key):
        return _line_of(text, f"{key}:", stop="---", start=2) or 1

    missing = _missing(meta, FRONT_MATTER_KEYS)
    if missing:
        problems.add("front matter", "", rel, 1, f"missing key(s) {', '.join(missing)}")
        return None
    if not _check_version(meta["schema_version"], rel, at("schema_version"), problems):
        return None
    ok = True
    if str(meta["id"]) != mid:
        problems.add("front matter", "", rel, at("id"),
                     f"`id` ({meta['id']!r}) must match the file name and course.yaml entry {mid!r}")
        ok = False
    if meta["domain"] not in DOMAINS:
        problems.add("front matter", "", rel, at("domain"),
                     f"`domain` ({meta['domain']!r}) must be one of {', '.join(DOMAINS)}")
        ok = False
    unknown = sorted(set(meta) - set(FRONT_MATTER_KEYS))
    if unknown:
        problems.add("front matter", "", rel, 1, f"unknown key(s) {', '.join(unknown)} (minutes now sit on "
                     "each block: `::: text minutes=N`)")
    sources = _sources(meta["sources"], rel, problems, known_sources, at("sources"))

    reflections, checks, tasks = [], [], []
    for b in blocks:
        if b.kind == "reflection" and b.data is not None:
            r = _reflection(b.data, mid, rel, b.line, problems)
            if r is not None:
                reflections.append((r, b.line))
        elif b.kind == "check" and b.data is not None:
            c = _check(b, mid, rel, problems)
            if c is not None:
                checks.append((c, b.line))
        elif b.kind == "explore" and b.data is not None:
            _explore(b.data, rel, b.line, problems)
            if not _text(b.data.get("look_for")):
                problems.add("explore", "", rel, b.line, "missing key(s) look_for")
        elif b.kind == "proficiency" and b.data is not None:
            _proficiency(b.data, rel, b.line, problems)
            if not _text(b.data.get("look_for")):
                problems.add("proficiency", "", rel, b.line, "missing key(s) look_for")
        elif b.kind == "task" and b.data is not None:
            t = _task(b, mid, rel, problems)
            if t is not None:
                tasks.append((t, b.line))
        elif b.kind == "assessment" and b.data is not None:
            _assessment_block(b, rel, problems)
        elif b.kind in LIST_KINDS and not _items(b.text):
            problems.add("empty list", f"{b.kind} block", rel, b.line,
                         "write one item per line, each starting with `- `")
        elif b.kind == "challenge" and not any(c.kind in CHALLENGE_PARTS for c in b.children):
            problems.add("challenge", "", rel, b.line, "a challenge needs a nested solution or hint block")
    practice = _practice(blocks, tasks, mid, rel, problems)
    if not ok:
        return None
    minutes = {k: 0 for k in MINUTE_CATEGORIES}
    for b in blocks:
        if b.minutes:
            minutes[MINUTE_KINDS[b.kind]] += b.minutes
    module = Module(
        id=mid, number=number, title=_text(meta["title"]), domain=meta["domain"], minutes=minutes,
        objectives=tuple(i for b in blocks if b.kind == "objectives" for i in _items(b.text)),
        keypoints=tuple(i for b in blocks if b.kind == "keypoints" for i in _items(b.text)),
        sources=sources, blocks=blocks,
        reflections=tuple(r for r, _ in reflections), checks=tuple(c for c, _ in checks),
        instructor_notes=tuple(b.text for b in blocks if b.kind == "instructor"),
        references=tuple(references[k] for k in citer.used), practice=practice,
        path=rel,
    )
    ids = [(r.id, line) for r, line in reflections] + [(c.id, line) for c, line in checks]
    ids += [(t.reason.id, line) for t, line in tasks if t.reason]
    return module, ids


def _read_course(root: Path, problems: _Problems):
    rel = COURSE_FILE.as_posix()
    path = root / COURSE_FILE
    if not path.is_file():
        problems.add("no course", "", rel, None, "the course settings file does not exist")
        return None
    text = path.read_text(encoding="utf-8")
    try:
        config = _safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.add("bad yaml", "", rel, mark.line + 1 if mark else None, _yaml_reason(exc))
        return None
    if not isinstance(config, dict):
        problems.add("course", "", rel, 1, "the file must be a YAML mapping of keys")
        return None
    if "schema_version" in config and not _check_version(config["schema_version"], rel,
                                                         _line_of(text, "schema_version"), problems):
        return None
    missing = _missing(config, COURSE_KEYS)
    if missing:
        problems.add("course", "", rel, 1, f"missing key(s) {', '.join(missing)}")
        return None
    if _int(config["min_n"]) is None or config["min_n"] < 1:
        problems.add("course", "", rel, _line_of(text, "min_n"),
                     f"`min_n` must be a positive integer; got {config['min_n']!r}")
    if not isinstance(config["tracks"], list) or not config["tracks"]:
        problems.add("course", "", rel, _line_of(text, "tracks"), "`tracks` must be a list of tracks")
        return None
    return config


def _module_number(mid: str, position: int) -> int:
    """A module's number: its position in the first track that lists it."""
    return position


def _line_of(text: str, needle: str, *, stop: str | None = None, start: int = 1):
    """The number of the first line (from `start`) that begins with `needle`, before a `stop` line."""
    for i, line in enumerate(text.splitlines()[start - 1:], start=start):
        if stop is not None and line.strip() == stop:
            return None
        if line.strip().startswith(needle):
            return i
    return None


def _track_specs(config, course_text, course_rel, problems, known):
    specs, seen, prefixes = [], set(), set()
    for i, t in enumerate(config["tracks"], start=1):
        line = _line_of(course_text, f"- id: {t.get('id')}") if isinstance(t, dict) else None
        if not isinstance(t, dict):
            problems.add("track", f"track {i}", course_rel, None, "a track is a mapping of keys")
            continue
        tid = _text(t.get("id")) or f"track {i}"
        missing = _missing(t, TRACK_KEYS)
        if missing:
            problems.add("track", tid, course_rel, line, f"missing key(s) {', '.join(missing)}")
            continue
        unknown = sorted(set(t) - set(TRACK_KEYS) - {"based_on"})
        if unknown:
            problems.add("track", tid, course_rel, line, f"unknown key(s) {', '.join(unknown)}")
        if not ID_PATTERN.match(tid) or tid in seen:
            problems.add("track", tid, course_rel, line, "track ids are unique, lower-case letters, digits, hyphens")
        seen.add(tid)
        prefix = _text(t["assignment_prefix"])
        if not re.fullmatch(r"[a-z]", prefix) or prefix in prefixes:
            problems.add("track", tid, course_rel, line,
                         f"`assignment_prefix` ({prefix!r}) must be one lower-case letter, different for each track")
        prefixes.add(prefix)
        if not isinstance(t["modules"], list) or not t["modules"]:
            problems.add("track", tid, course_rel, line, "`modules` must be a list of module ids")
            continue
        objectives = t["objectives"] if isinstance(t["objectives"], list) else []
        if not objectives:
            problems.add("track", tid, course_rel, line, "`objectives` must be a list of learning objectives")
        based_on = tuple(_text(b) for b in (t.get("based_on") or []))
        for title in based_on:
            if known is not None and title not in known:
                problems.add("track", tid, course_rel, line, f"`based_on` names {title!r}, not a source of the course")
        mods = [str(m) for m in t["modules"]]
        for m in mods:
            if mods.count(m) > 1:
                problems.add("duplicate module", m, course_rel, _line_of(course_text, f"- {m}"),
                             f"listed twice in track {tid!r}")
                break
        specs.append((tid, t, prefix, tuple(_text(o) for o in objectives), based_on, mods))
    return specs


def _build(root) -> tuple[Course | None, list[str]]:
    root = _root(root)
    problems = _Problems()
    config = _read_course(root, problems)
    if config is None:
        return None, list(problems)
    course_text = (root / COURSE_FILE).read_text(encoding="utf-8")
    course_rel = COURSE_FILE.as_posix()
    known = None
    course_sources = ()
    if config.get("sources") is not None:
        course_sources = _sources(config["sources"], course_rel, problems, None,
                                  _line_of(course_text, "sources:") or 1, course_file=True)
        known = {s.title: s for s in course_sources}
    references = _references(config.get("references"), course_rel, _line_of(course_text, "references:"), problems)
    specs = _track_specs(config, course_text, course_rel, problems, known)

    loaded: dict[str, Module | None] = {}
    seen_ids: dict[str, str] = {}
    for _, _, _, _, _, mods in specs:
        for position, mid in enumerate(mods):
            if mid in loaded:
                continue
            line = _line_of(course_text, f"- {mid}")
            if not ID_PATTERN.match(mid):
                problems.add("bad id", repr(mid), course_rel, line,
                             "module ids use lower-case letters, digits and hyphens, e.g. 03-professional-culture")
            path = root / MODULES_DIR / f"{mid}.md"
            rel = (MODULES_DIR / f"{mid}.md").as_posix()
            loaded[mid] = None
            if not path.is_file():
                problems.add("missing module", mid, course_rel, line, f"there is no file {rel}")
                continue
            result = _load_module(path, mid, _module_number(mid, position), rel, problems, known, references)
            if result is None:
                continue
            module, ids = result
            for item_id, item_line in ids:
                if not ID_PATTERN.match(item_id):
                    problems.add("bad id", repr(item_id), rel, item_line,
                                 "ids use lower-case letters, digits and hyphens (at most 63 characters), "
                                 "because they become notebook cell ids")
                if item_id in seen_ids:
                    problems.add("duplicate id", item_id, rel, item_line, f"already used in {seen_ids[item_id]}; "
                                 "reflection, check and reason ids are unique across the course")
                else:
                    seen_ids[item_id] = f"{rel} line {item_line}"
            loaded[mid] = module
    _check_grade_id_prefixes([m for m in loaded.values() if m is not None], problems)
    if problems:
        return None, list(problems)
    tracks = tuple(Track(id=tid, title=_text(t["title"]), audience=_text(t["audience"]),
                         description=_text(t["description"]), objectives=objectives,
                         modules=tuple(loaded[m] for m in mods), assignment_prefix=prefix, based_on=based_on)
                   for tid, t, prefix, objectives, based_on, mods in specs)
    modules = tuple(loaded.values())
    used = {r.key for m in modules for r in m.references}
    unused = sorted(set(references) - used)
    if unused:
        return None, [f"[unused reference] {', '.join(unused)} in {course_rel}: cite each reference in a module "
                      "or remove it"]
    course = Course(title=_text(config["title"]), cohort=_text(config["cohort"]), min_n=config["min_n"],
                    dataset=_text(config["dataset"]), modules=modules, sources=course_sources,
                    root=str(root), tracks=tracks, references=tuple(references.values()))
    return course, []


def validate_course(root=None) -> list[str]:
    """Every problem in the course files, each naming its file and line (empty when all is well).

    Parameters
    ----------
    root : path-like, optional
        The repository root (the folder holding ``course_config/`` and ``modules/``). By default
        it is found with `find_root`.
    """
    try:
        _, problems = _build(root)
    except ContentError as exc:
        return exc.problems
    return problems


def load_course(root=None) -> Course:
    """Load the published course: every track, in the order ``course_config/course.yaml`` lists it.

    Parameters
    ----------
    root : path-like, optional
        The repository root. By default the nearest folder above the working directory (or
        else above the gapkit package) that holds ``course_config/course.yaml``.

    Returns
    -------
    Course

    Raises
    ------
    ContentError
        Listing every problem found (see `validate_course`).

    Examples
    --------
    >>> course = load_course()
    >>> course.track("leaders").number("01-what-gaps-are")
    1
    """
    course, problems = _build(root)
    if problems:
        raise ContentError(problems)
    return course


# ---------------------------------------------------------------------------------------------
# Pages built from block types
# ---------------------------------------------------------------------------------------------

def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} hours"


def facilitator_guide(course: Course) -> str:
    """One Markdown page: each track's sequence with honest minutes, then every module's notes and answers."""
    if not isinstance(course, Course):
        raise TypeError(f"`course` must be a Course from load_course(); got {type(course).__name__}.")
    out = [
        f"# Facilitator guide: {course.title}",
        "",
        "<!-- Generated from the instructor blocks in modules/ by gapkit.content.facilitator_guide; "
        "do not edit by hand. Regenerate with `gapkit build`. -->",
        "",
        f"Cohort: {course.cohort}. Minimum group size shown anywhere in the course: {course.min_n}.",
        "",
        "Minutes are the sum of each module's blocks: reading (text and callouts), activities (discussion, "
        "challenges, the explorer, data views, knowledge checks, the action-plan builder, the self-assessment), "
        "writing (reflections) and practice (the assignment's exercises). Totals include all the work a "
        "participant does at the page's pace; a live session adds openings and debriefs (each module's notes).",
    ]
    for track in course.tracks:
        m = track.minutes
        total = sum(m.values())
        out += ["", f"## Track `{track.id}`: {track.title}", "", f"For {track.audience}.", "",
                f"Total: {total} minutes ({_hours(total)}): {m['reading']} reading, {m['activities']} activities, "
                f"{m['writing']} writing, {m['practice']} practice.", "",
                "| Module | Domain | Reading | Activities | Writing | Practice | Total | Graded work | Checks |",
                "|---|---|---|---|---|---|---|---|---|"]
        for module in track.modules:
            graded = [f"`{r.id}` ({r.points} pts, pass {r.pass_points})" for r in module.reflections if r.graded]
            if module.practice:
                graded.append(f"practice ({module.practice.points} pts)")
            mm = module.minutes
            out.append(f"| {track.number(module.id)}. {module.title} | {module.domain} | {mm['reading']} | "
                       f"{mm['activities']} | {mm['writing']} | {mm['practice']} | {module.minutes_total} | "
                       f"{', '.join(graded) or 'none'} | {len(module.checks)} |")
    for m in course.modules:
        where = "; ".join(f"module {t.number(m.id)} of `{t.id}`" for t in course.tracks if m in t.modules)
        out += ["", f"## {m.title}", "",
                f"*`{m.id}`: {where}. {m.domain}. {m.minutes_total} minutes in all ({m.minutes_teaching} reading, "
                f"{m.minutes_exercises} activities, writing and practice).*",
                "", "Sources: " + "; ".join(src.citation() for src in m.sources) + "."]
        for note in m.instructor_notes:
            out += ["", note]
        answer_lines = []
        for c in m.checks:
            right = "; ".join(o.text for o in c.options if o.correct)
            answer_lines.append(f"- `{c.id}`: {right}")
        if answer_lines:
            out += ["", "**Knowledge-check answers**", "", *answer_lines]
        if m.references:
            out += ["", "**References**", "", *(f"- {r.full()}" for r in m.references)]
    return "\n".join(out).rstrip() + "\n"
