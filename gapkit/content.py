"""The course as data: load and validate ``modules/*.md`` and ``course_config/course.yaml``.

A module is one Markdown file with YAML front matter and a body of typed blocks written as
fenced divs (``::: objectives`` ... ``:::``), the model of the Carpentries lesson template.
``modules/README.md`` documents the syntax for course maintainers. This module turns those
files into frozen dataclasses that lesson pages, assignments and the facilitator guide share,
and checks them without building anything: every problem names the file and the line.

The block vocabulary is closed (`BLOCK_KINDS`); ``course_config/course.yaml`` lists the
published modules in order, and a module file it does not list is a draft.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gapkit import records as _records
from gapkit.measures import EXPLORE

__all__ = [
    "SCHEMA_VERSION",
    "BLOCK_KINDS",
    "DOMAINS",
    "ContentError",
    "Course",
    "Module",
    "Source",
    "Block",
    "Reflection",
    "Criterion",
    "Level",
    "Check",
    "Option",
    "load_course",
    "validate_course",
    "find_root",
    "draft_modules",
    "facilitator_guide",
]

#: Version of the module and course-file schema this gapkit reads.
SCHEMA_VERSION = 1

#: The closed block vocabulary. ``solution`` and ``hint`` only appear inside a ``challenge``.
BLOCK_KINDS = (
    "objectives", "keypoints", "text", "callout", "discussion", "questions", "challenge",
    "solution", "hint", "instructor", "reflection", "check", "explore", "plan", "assessment",
)
#: Blocks whose body is YAML rather than Markdown.
YAML_KINDS = ("reflection", "check", "explore", "assessment")
#: Blocks whose body is a Markdown list, one item per entry.
LIST_KINDS = ("objectives", "keypoints", "questions")
#: Blocks that may only be nested inside a ``challenge``.
CHALLENGE_PARTS = ("solution", "hint")

#: The four course domains, plus the opening and closing parts of the sequence.
DOMAINS = (
    "Foundations", "Professional Culture", "Family and Community Engagement",
    "Instructional Leadership", "Management and Operations", "Capstone",
)

FRONT_MATTER_KEYS = ("schema_version", "id", "title", "domain", "minutes", "sources")
COURSE_KEYS = ("schema_version", "title", "cohort", "min_n", "dataset", "modules")

#: Columns `gapkit.records.add_el_groups` derives; an explore preset may compare on them too.
DERIVED_GROUPS = ("current_el", "former_el", "ever_el", "never_el", "newcomer", "newcomer_status")

COURSE_FILE = Path("course_config") / "course.yaml"
MODULES_DIR = Path("modules")
#: The facilitator guide `facilitator_guide` writes (``gapkit build``).
GUIDE_FILE = Path("docs") / "facilitator_guide.md"


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
    """A document a module draws on: its title, organisation and the sections used."""

    title: str
    organisation: str
    sections: tuple[str, ...] = ()

    def citation(self) -> str:
        """The source as a one-line Markdown citation."""
        where = f" ({'; '.join(self.sections)})" if self.sections else ""
        return f"*{self.title}*, {self.organisation}{where}"


@dataclass(frozen=True)
class Block:
    """One typed block of a module body, in page order.

    ``text`` is the block's Markdown (its raw YAML for reflection, check and explore blocks),
    ``data`` the parsed YAML mapping for those three kinds (``None`` otherwise), ``children``
    the blocks nested inside (a challenge's solution or hint), ``line`` its opening line.
    """

    kind: str
    text: str
    data: dict | None = field(default=None, hash=False)
    children: tuple["Block", ...] = ()
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Level:
    """One score level of a rubric criterion and what work at that level looks like."""

    score: int
    descriptor: str


@dataclass(frozen=True)
class Criterion:
    """A rubric criterion: its name, the points it is worth, and its levels (highest first)."""

    name: str
    points: int
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class Reflection:
    """A written reflection: prompt, guiding questions and, when graded, points and rubric."""

    id: str
    prompt: str
    guiding_questions: tuple[str, ...]
    graded: bool
    points: int
    rubric: tuple[Criterion, ...]
    module_id: str = field(default="", compare=False)

    def rubric_markdown(self) -> str:
        """The rubric as a Markdown table (criterion, points, descriptor per score level)."""
        if not self.rubric:
            return "_Not graded: no rubric._\n"
        lines = [
            f"**Rubric: {self.points} point{'s' if self.points != 1 else ''}**",
            "",
            "| Criterion | Points | Score levels |",
            "|---|---|---|",
        ]
        for c in self.rubric:
            levels = "<br>".join(f"**{lv.score}**: {_one_line(lv.descriptor)}" for lv in c.levels)
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
class Module:
    """One published module: front matter, the blocks in page order, and views of them."""

    id: str
    number: int
    title: str
    domain: str
    minutes_teaching: int
    minutes_exercises: int
    objectives: tuple[str, ...]
    keypoints: tuple[str, ...]
    sources: tuple[Source, ...]
    blocks: tuple[Block, ...]
    reflections: tuple[Reflection, ...]
    checks: tuple[Check, ...]
    instructor_notes: tuple[str, ...]
    path: str = field(default="", compare=False)

    def blocks_of(self, kind: str) -> tuple[Block, ...]:
        """The top-level blocks of one kind, in page order (e.g. ``"explore"``)."""
        if kind not in BLOCK_KINDS:
            raise ValueError(f"`kind` ({kind!r}) not recognized; must be one of {', '.join(BLOCK_KINDS)}.")
        return tuple(b for b in self.blocks if b.kind == kind)


@dataclass(frozen=True)
class Course:
    """The published course: settings from ``course_config/course.yaml`` and its modules in order."""

    title: str
    cohort: str
    min_n: int
    dataset: str
    modules: tuple[Module, ...]
    sources: tuple[Source, ...] = ()
    root: str = field(default="", compare=False)

    def module(self, id: str) -> Module:
        """The module with this id (``KeyError`` naming the known ids otherwise)."""
        return _find(self.modules, id, "a published module; modules")

    def reflection(self, id: str) -> Reflection:
        """The reflection with this id, from any module."""
        return _find([r for m in self.modules for r in m.reflections], id, "a reflection of this course; reflections")

    def check(self, id: str) -> Check:
        """The knowledge check with this id, from any module."""
        return _find([c for m in self.modules for c in m.checks], id, "a knowledge check of this course; checks")


def _find(items, id, what):
    """The item with this id; a ``KeyError`` naming the known ids otherwise."""
    for item in items:
        if item.id == id:
            return item
    raise KeyError(f"`id` ({id!r}) is not {what} are: {', '.join(item.id for item in items)}.")


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
    """Ids of module files under ``modules/`` that ``course.yaml`` does not list (drafts)."""
    root = _root(root)
    listed = set()
    try:
        config = yaml.safe_load((root / COURSE_FILE).read_text(encoding="utf-8")) or {}
        listed = {str(m) for m in config.get("modules") or []}
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

#: Reflection, check and module ids: they become notebook cell ids and nbgrader grade ids.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

_OPEN = re.compile(r"^(:{3,})\s*(?:\{\s*\.?([A-Za-z][\w-]*)[^}]*\}|([A-Za-z][\w-]*))\s*:*\s*$")
_CLOSE = re.compile(r"^:{3,}\s*$")
_CODE = re.compile(r"^\s*(`{3,}|~{3,})")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")


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
                meta = yaml.safe_load("\n".join(lines[1:i])) or {}
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


def _yaml_reason(exc) -> str:
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"YAML could not be read ({reason})"


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
            kind = opened.group(2) or opened.group(3)
            node = _Node(kind=kind, line=n)
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


def _to_block(node: _Node, where: str, problems: _Problems) -> Block:
    text = _dedent(node.lines)
    data = None
    if node.kind in YAML_KINDS:
        body_start = node.lines[0][0] if node.lines else node.line + 1
        try:
            data = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            first_nonblank = next((n for n, t in node.lines if t.strip()), body_start)
            line = first_nonblank + mark.line if mark is not None else node.line
            problems.add("bad yaml", f"{node.kind} block", where, line, _yaml_reason(exc))
            # `data` None: the block is not checked further, so one mistake gives one message.
            return Block(kind=node.kind, text=text, data=None, line=node.line)
        if data is not None and not isinstance(data, dict):
            problems.add("bad yaml", f"{node.kind} block", where, node.line,
                         "the block must hold a YAML mapping of keys (id: ..., prompt: ...)")
            return Block(kind=node.kind, text=text, data=None, line=node.line)
        data = data or {}
    children = tuple(_to_block(c, where, problems) for c in node.children)
    return Block(kind=node.kind, text=text, data=data, children=children, line=node.line)


# ---------------------------------------------------------------------------------------------
# Typed blocks
# ---------------------------------------------------------------------------------------------

def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _one_line(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _missing(data: dict, keys) -> list[str]:
    return [k for k in keys if k not in data or data[k] is None or data[k] == ""]


def _int(value):
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _reflection(block: Block, module_id: str, where: str, problems: _Problems):
    d = block.data
    rid = _text(d.get("id")) or "(no id)"
    missing = _missing(d, ("id", "prompt", "graded", "points"))
    if missing:
        problems.add("reflection", rid, where, block.line, f"missing key(s) {', '.join(missing)}")
        return None
    if not isinstance(d["graded"], bool):
        problems.add("reflection", rid, where, block.line, f"`graded` must be true or false; got {d['graded']!r}")
        return None
    points = _int(d["points"])
    if points is None or points < 0:
        problems.add("reflection", rid, where, block.line,
                     f"`points` must be a non-negative integer; got {d['points']!r}")
        return None
    guiding = d.get("guiding_questions") or []
    if not isinstance(guiding, list):
        problems.add("reflection", rid, where, block.line, "`guiding_questions` must be a list")
        guiding = []
    rubric_raw = d.get("rubric") or []
    if d["graded"] and (points == 0 or not rubric_raw):
        problems.add("reflection", rid, where, block.line,
                     "a graded reflection needs points above 0 and a rubric")
        return None
    if not isinstance(rubric_raw, list):
        problems.add("reflection", rid, where, block.line, "`rubric` must be a list of criteria")
        return None
    criteria = []
    for i, c in enumerate(rubric_raw, start=1):
        crit = _criterion(c, i, rid, where, block.line, problems)
        if crit is None:
            return None
        criteria.append(crit)
    total = sum(c.points for c in criteria)
    if criteria and total != points:
        problems.add("rubric points", f"reflection {rid}", where, block.line,
                     f"the criteria add up to {total} points but the reflection is worth {points}")
    return Reflection(id=rid, prompt=_text(d["prompt"]), guiding_questions=tuple(_text(q) for q in guiding),
                      graded=d["graded"], points=points, rubric=tuple(criteria), module_id=module_id)


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
                     f"criterion {name!r} `levels` must map each score to a descriptor (e.g. `4: ...`)")
        return None
    levels = []
    for score, desc in raw.items():
        s = _int(score)
        if s is None or not 0 <= s <= pts:
            problems.add("rubric", f"reflection {rid}", where, line,
                         f"criterion {name!r} has score level {score!r}; levels run from 0 to {pts}")
            return None
        if not _text(desc):
            problems.add("rubric", f"reflection {rid}", where, line,
                         f"criterion {name!r} score level {s} has no descriptor")
            return None
        levels.append(Level(score=s, descriptor=_text(desc)))
    levels.sort(key=lambda lv: -lv.score)
    if levels[0].score != pts:
        problems.add("rubric", f"reflection {rid}", where, line,
                     f"criterion {name!r} is worth {pts} points but its top level is {levels[0].score}")
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
    if not ok:
        return None
    return Check(id=cid, question=_text(d["question"]), multiple=d["type"] == "multiple",
                 options=tuple(options), module_id=module_id)


def _explore(block: Block, where: str, problems: _Problems) -> None:
    d = block.data
    missing = _missing(d, ("subject", "measure", "group", "focal", "look_for"))
    if "reference" not in d:
        missing.append("reference")
    if missing:
        problems.add("explore", "", where, block.line, f"missing key(s) {', '.join(missing)} "
                     "(reference may be null for 'everyone else')")
        return
    if d["subject"] not in _records.SUBJECTS:
        problems.add("explore", "", where, block.line,
                     f"`subject` ({d['subject']!r}) must be one of {', '.join(_records.SUBJECTS)}")
    if d["measure"] not in EXPLORE:
        problems.add("explore", "", where, block.line,
                     f"`measure` ({d['measure']!r}) must be one of {', '.join(EXPLORE)}")
    groups = tuple(_records.COLUMNS) + DERIVED_GROUPS
    if d["group"] not in groups:
        problems.add("explore", "", where, block.line,
                     f"`group` ({d['group']!r}) is not a student-record column or derived EL group")
    unknown = sorted(set(d) - {"subject", "measure", "group", "focal", "reference", "school", "grade",
                               "year", "look_for"})
    if unknown:
        problems.add("explore", "", where, block.line, f"unknown key(s) {', '.join(unknown)}")


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


def _sources(raw, where, problems, known: dict | None, line=1) -> tuple[Source, ...]:
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
        src = Source(title=_text(s["title"]), organisation=_text(s["organisation"]), sections=sections)
        if known is not None:
            ref = known.get(src.title)
            if ref is None:
                problems.add("unknown source", repr(src.title), where, line,
                             "list it under `sources:` in course_config/course.yaml or fix the title")
            else:
                if ref.organisation != src.organisation:
                    problems.add("unknown source", repr(src.title), where, line,
                                 f"its organisation is {ref.organisation!r}, not {src.organisation!r}")
                for sec in sections:
                    if ref.sections and sec not in ref.sections:
                        problems.add("unknown section", repr(sec), where, line,
                                     f"{src.title!r} has sections {', '.join(map(repr, ref.sections))}")
        out.append(src)
    return tuple(out)


def _load_module(path: Path, mid: str, number: int, rel: str, problems: _Problems, known_sources):
    text = path.read_text(encoding="utf-8")
    meta, body, first = _split_front_matter(text, rel, problems)
    nodes = _parse_body(body, first, rel, problems)
    blocks = tuple(_to_block(n, rel, problems) for n in nodes)
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
    minutes = meta["minutes"]
    teaching = exercises = 0
    if not isinstance(minutes, dict) or any(_int(minutes.get(k)) is None or minutes[k] < 0
                                            for k in ("teaching", "exercises")):
        problems.add("front matter", "", rel, at("minutes"),
                     "`minutes` must map `teaching` and `exercises` to whole numbers of minutes")
        ok = False
    else:
        teaching, exercises = minutes["teaching"], minutes["exercises"]
    sources = _sources(meta["sources"], rel, problems, known_sources, at("sources"))

    reflections, checks = [], []
    for b in blocks:
        if b.kind == "reflection" and b.data is not None:
            r = _reflection(b, mid, rel, problems)
            if r is not None:
                reflections.append((r, b.line))
        elif b.kind == "check" and b.data is not None:
            c = _check(b, mid, rel, problems)
            if c is not None:
                checks.append((c, b.line))
        elif b.kind == "explore" and b.data is not None:
            _explore(b, rel, problems)
        elif b.kind == "assessment" and b.data is not None:
            _assessment_block(b, rel, problems)
        elif b.kind in LIST_KINDS and not _items(b.text):
            problems.add("empty list", f"{b.kind} block", rel, b.line,
                         "write one item per line, each starting with `- `")
        elif b.kind == "challenge" and not any(c.kind in CHALLENGE_PARTS for c in b.children):
            problems.add("challenge", "", rel, b.line, "a challenge needs a nested solution or hint block")
    if not ok:
        return None
    module = Module(
        id=mid, number=number, title=_text(meta["title"]), domain=meta["domain"],
        minutes_teaching=teaching, minutes_exercises=exercises,
        objectives=tuple(i for b in blocks if b.kind == "objectives" for i in _items(b.text)),
        keypoints=tuple(i for b in blocks if b.kind == "keypoints" for i in _items(b.text)),
        sources=sources, blocks=blocks,
        reflections=tuple(r for r, _ in reflections), checks=tuple(c for c, _ in checks),
        instructor_notes=tuple(b.text for b in blocks if b.kind == "instructor"),
        path=rel,
    )
    return module, [(r.id, line) for r, line in reflections] + [(c.id, line) for c, line in checks]


def _read_course(root: Path, problems: _Problems):
    rel = COURSE_FILE.as_posix()
    path = root / COURSE_FILE
    if not path.is_file():
        problems.add("no course", "", rel, None, "the course settings file does not exist")
        return None, {}
    text = path.read_text(encoding="utf-8")
    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.add("bad yaml", "", rel, mark.line + 1 if mark else None, _yaml_reason(exc))
        return None, {}
    if not isinstance(config, dict):
        problems.add("course", "", rel, 1, "the file must be a YAML mapping of keys")
        return None, {}
    missing = _missing(config, COURSE_KEYS)
    if missing:
        problems.add("course", "", rel, 1, f"missing key(s) {', '.join(missing)}")
        return None, {}
    if not _check_version(config["schema_version"], rel, _line_of(text, "schema_version"), problems):
        return None, {}
    if _int(config["min_n"]) is None or config["min_n"] < 1:
        problems.add("course", "", rel, _line_of(text, "min_n"),
                     f"`min_n` must be a positive integer; got {config['min_n']!r}")
    if not isinstance(config["modules"], list) or not config["modules"]:
        problems.add("course", "", rel, _line_of(text, "modules"), "`modules` must be a list of module ids")
        return None, {}
    lines = {}
    for m in config["modules"]:
        lines.setdefault(str(m), _line_of(text, f"- {m}"))
    return config, lines


def _module_number(mid: str, position: int) -> int:
    """A module's number: the digits its id starts with (``03-...`` is 3), else its position."""
    m = re.match(r"(\d+)", mid)
    return int(m.group(1)) if m else position


def _line_of(text: str, needle: str, *, stop: str | None = None, start: int = 1):
    """The number of the first line (from `start`) that begins with `needle`, before a `stop` line."""
    for i, line in enumerate(text.splitlines()[start - 1:], start=start):
        if stop is not None and line.strip() == stop:
            return None
        if line.strip().startswith(needle):
            return i
    return None


def _build(root) -> tuple[Course | None, list[str]]:
    root = _root(root)
    problems = _Problems()
    config, id_lines = _read_course(root, problems)
    if config is None:
        return None, list(problems)
    course_text = (root / COURSE_FILE).read_text(encoding="utf-8")
    course_rel = COURSE_FILE.as_posix()
    known = None
    course_sources = ()
    if config.get("sources") is not None:
        course_sources = _sources(config["sources"], course_rel, problems, None,
                                  _line_of(course_text, "sources:") or 1)
        known = {s.title: s for s in course_sources}

    modules = []
    seen_modules = set()
    seen_ids: dict[str, str] = {}
    last_number = None
    for position, mid in enumerate(config["modules"]):
        mid = str(mid)
        if not ID_PATTERN.match(mid):
            problems.add("bad id", repr(mid), course_rel, id_lines.get(mid),
                         "module ids use lower-case letters, digits and hyphens, e.g. 03-professional-culture")
        number = _module_number(mid, position)
        if last_number is not None and number <= last_number:
            problems.add("module order", mid, course_rel, id_lines.get(mid),
                         f"its number {number} does not follow the number {last_number} of the module above it; "
                         "list modules in the order of their number prefixes")
        last_number = number
        if mid in seen_modules:
            problems.add("duplicate module", mid, course_rel, id_lines.get(mid),
                         "each module is listed once")
            continue
        seen_modules.add(mid)
        path = root / MODULES_DIR / f"{mid}.md"
        rel = (MODULES_DIR / f"{mid}.md").as_posix()
        if not path.is_file():
            problems.add("missing module", mid, course_rel, id_lines.get(mid), f"there is no file {rel}")
            continue
        loaded = _load_module(path, mid, number, rel, problems, known)
        if loaded is None:
            continue
        module, ids = loaded
        for item_id, line in ids:
            if not ID_PATTERN.match(item_id):
                problems.add("bad id", repr(item_id), rel, line,
                             "ids use lower-case letters, digits and hyphens (at most 63 characters), "
                             "because they become notebook cell ids")
            here = f"{rel} line {line}"
            if item_id in seen_ids:
                problems.add("duplicate id", item_id, rel, line, f"already used in {seen_ids[item_id]}; "
                             "reflection and check ids are unique across the course")
            else:
                seen_ids[item_id] = here
        modules.append(module)
    if problems:
        return None, list(problems)
    course = Course(title=_text(config["title"]), cohort=_text(config["cohort"]), min_n=config["min_n"],
                    dataset=_text(config["dataset"]), modules=tuple(modules), sources=course_sources,
                    root=str(root))
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
    """Load the published course, in the order ``course_config/course.yaml`` lists it.

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
    >>> first = course.modules[0]
    >>> course.module(first.id) is first, first.minutes_teaching > 0
    (True, True)
    """
    course, problems = _build(root)
    if problems:
        raise ContentError(problems)
    return course


# ---------------------------------------------------------------------------------------------
# Pages built from block types
# ---------------------------------------------------------------------------------------------

def facilitator_guide(course: Course) -> str:
    """One Markdown page with every module's timing and all its ``instructor`` blocks, in course order."""
    if not isinstance(course, Course):
        raise TypeError(f"`course` must be a Course from load_course(); got {type(course).__name__}.")
    total_t = sum(m.minutes_teaching for m in course.modules)
    total_e = sum(m.minutes_exercises for m in course.modules)
    out = [
        f"# Facilitator guide: {course.title}",
        "",
        "<!-- Generated from the instructor blocks in modules/ by gapkit.content.facilitator_guide; "
        "do not edit by hand. Regenerate with `gapkit build`. -->",
        "",
        f"Cohort: {course.cohort}. Minimum group size shown anywhere in the course: {course.min_n}.",
        f"Total time: {total_t} minutes of teaching and {total_e} minutes of exercises "
        f"({(total_t + total_e) / 60:.1f} hours).",
        "",
        "| Module | Domain | Teaching (min) | Exercises (min) | Graded reflections | Checks |",
        "|---|---|---|---|---|---|",
    ]
    for m in course.modules:
        graded = ", ".join(f"`{r.id}` ({r.points} pts)" for r in m.reflections if r.graded) or "none"
        out.append(f"| {m.number}. {m.title} | {m.domain} | {m.minutes_teaching} | {m.minutes_exercises} "
                   f"| {graded} | {len(m.checks)} |")
    for m in course.modules:
        out += ["", f"## Module {m.number}: {m.title}", "",
                f"*{m.domain}. {m.minutes_teaching} minutes teaching, {m.minutes_exercises} minutes exercises.*",
                "", "Sources: " + "; ".join(src.citation() for src in m.sources) + "."]
        for note in m.instructor_notes:
            out += ["", note]
        answer_lines = []
        for c in m.checks:
            right = "; ".join(o.text for o in c.options if o.correct)
            answer_lines.append(f"- `{c.id}`: {right}")
        if answer_lines:
            out += ["", "**Knowledge-check answers**", "", *answer_lines]
    return "\n".join(out).rstrip() + "\n"
