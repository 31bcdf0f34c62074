"""The facilitator's kit as data: load and validate the files in ``kit/``.

``kit/`` sits beside ``modules/`` and holds what a facilitator needs to run a cohort, as text a
maintainer edits: the session calendar with its three delivery variants (``calendar.yaml``), the
discussion protocols the agendas name (``protocols.yaml``), the cohort's norms (``norms.yaml``), the
printable handouts (``handouts.yaml``) and the pre/post self-assessment (``self-assessment.yaml``).
``kit/README.md`` documents the format. Like `gapkit.content`, the vocabulary is closed and every
problem names its file and line; the kit is checked against the published course (its tracks, their
modules and objectives), so a module renamed in ``course.yaml`` or an objective reworded in
``modules/`` is reported here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gapkit import content as _content

__all__ = [
    "SCHEMA_VERSION", "KIT_DIR", "VARIANTS", "SEGMENT_KINDS", "PART_KINDS", "DEFAULT_TRACK",
    "KitError", "Kit", "Protocol", "Norm", "Variant", "Segment", "Session", "TrackPlan", "Handout",
    "ScaleLevel", "Item", "SelfAssessment", "Track", "Objective", "course_tracks", "module_minutes", "module_section",
    "load_kit", "validate_kit",
]

SCHEMA_VERSION = 1
KIT_DIR = Path("kit")
FILES = ("calendar.yaml", "protocols.yaml", "norms.yaml", "handouts.yaml", "self-assessment.yaml")
#: The three ways a cohort can meet.
VARIANTS = ("live", "asynchronous", "hybrid")
#: What a segment of a session agenda is; each variant says how each kind is run.
SEGMENT_KINDS = ("opening", "lesson", "explore", "protocol", "practice", "reflection", "closing")
#: The parts a handout is made of.
PART_KINDS = ("text", "excerpt", "fields", "lines", "form")
#: The id of the one track of a course that lists a single sequence of modules.
DEFAULT_TRACK = "course"


class KitError(_content.ContentError):
    """The kit's files have problems; ``problems`` lists every one, each naming its file and line."""

    def __init__(self, problems):
        super().__init__(problems)
        self.args = (f"{len(self.problems)} problem(s) in the facilitator's kit:\n"
                     + "\n".join(f"  {p}" for p in self.problems),)

    def __str__(self):
        return self.args[0]


# ---------------------------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Protocol:
    """A named discussion protocol: where it comes from, what it is for, its steps, its online version."""

    id: str
    name: str
    origin: str
    purpose: str
    minutes: int
    group: str
    steps: tuple[str, ...]
    online: str


@dataclass(frozen=True)
class Norm:
    """A working agreement and why the cohort keeps it."""

    id: str
    norm: str
    why: str


@dataclass(frozen=True)
class Variant:
    """A delivery variant (live, asynchronous, hybrid): how each kind of segment is run."""

    id: str
    name: str
    summary: str
    delivery: dict = field(hash=False)
    in_meeting: tuple[str, ...] = ()


@dataclass(frozen=True)
class Segment:
    """One part of a session's agenda."""

    kind: str
    minutes: int
    activity: str
    protocol: str | None = None


@dataclass(frozen=True)
class Session:
    """One session of a track: the modules it covers, what to do before and after, its agenda."""

    number: int
    title: str
    modules: tuple[str, ...]
    before: str
    after: str
    segments: tuple[Segment, ...]
    handouts: tuple[str, ...] = ()

    @property
    def minutes(self) -> int:
        """Length of the agenda when every segment is run in the meeting."""
        return sum(s.minutes for s in self.segments)


@dataclass(frozen=True)
class Objective:
    """An objective a track's self-assessment measures: the track's own (``module`` None) or a module's."""

    text: str
    module: str | None = None


@dataclass(frozen=True)
class Track:
    """A sequence of the course as ``course.yaml`` lists it: id, title, module ids in order, objectives."""

    id: str
    title: str
    modules: tuple[str, ...]
    objectives: tuple[Objective, ...] = ()

    def number(self, module_id: str) -> int:
        """A module's number in this track: its position, counting the first module as 0."""
        return self.modules.index(module_id)


@dataclass(frozen=True)
class TrackPlan:
    """A track and its sessions."""

    track: Track
    sessions: tuple[Session, ...]


@dataclass(frozen=True)
class Handout:
    """A printable handout: its parts are validated mappings (kinds in `PART_KINDS`)."""

    id: str
    title: str
    module: str
    parts: tuple = field(hash=False)


@dataclass(frozen=True)
class ScaleLevel:
    """One level of the self-assessment's rating scale."""

    value: int
    label: str
    meaning: str


@dataclass(frozen=True)
class Item:
    """A self-assessment statement of a track and the objective it measures (its full text; ``module``
    is the module whose objective it is, or None for an objective of the track itself)."""

    id: str
    track: str
    objective: str
    statement: str
    module: str | None = None


@dataclass(frozen=True)
class SelfAssessment:
    """The rating scale, the level from which a rating counts as confident, and the items by module."""

    scale: tuple[ScaleLevel, ...]
    confident_from: int
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Kit:
    """The facilitator's kit, checked against the published course."""

    course: _content.Course = field(hash=False)
    protocols: tuple[Protocol, ...]
    norms: tuple[Norm, ...]
    variants: tuple[Variant, ...]
    plans: tuple[TrackPlan, ...]
    handouts: tuple[Handout, ...]
    assessment: SelfAssessment
    root: str = field(default="", compare=False)

    def protocol(self, id: str) -> Protocol:
        return _find(self.protocols, id, "protocol")

    def handout(self, id: str) -> Handout:
        return _find(self.handouts, id, "handout")

    def plan(self, track: str | None = None) -> TrackPlan:
        """The sessions of a track (default: the course's first track)."""
        if track is None:
            return self.plans[0]
        for p in self.plans:
            if p.track.id == track:
                return p
        raise KeyError(f"`track` ({track!r}) is not a track of this course; tracks are: "
                       f"{', '.join(p.track.id for p in self.plans)}.")

    def items(self, track: str | None = None) -> tuple[Item, ...]:
        """The self-assessment items of a track, in the order the kit lists them."""
        tid = self.plan(track).track.id
        return tuple(it for it in self.assessment.items if it.track == tid)

    def item_label(self, item: Item) -> str:
        """Where an item's objective comes from: "Module 3" (its number in the track), or "Course"."""
        if item.module is None:
            return "Course"
        return f"Module {self.plan(item.track).track.number(item.module)}"

    def module_label(self, track: str | None, module_id: str) -> str:
        """"3. Professional culture ...": a module's number in a track, and its title."""
        return f"{self.plan(track).track.number(module_id)}. {self.course.module(module_id).title}"


def _find(items, id, what):
    for item in items:
        if item.id == id:
            return item
    raise KeyError(f"`id` ({id!r}) is not a {what} of the kit; {what}s are: {', '.join(i.id for i in items)}.")


# ---------------------------------------------------------------------------------------------
# The course's tracks and module facts the kit relies on
# ---------------------------------------------------------------------------------------------

def _module_objectives(course, ids) -> tuple[Objective, ...]:
    return tuple(Objective(o, m) for m in ids for o in course.module(m).objectives)


def course_tracks(course) -> tuple[Track, ...]:
    """The tracks of a course: its ``tracks`` when it lists them, else one track (`DEFAULT_TRACK`) of all
    its modules. A track's objectives are its own when it states them, else its modules' objectives."""
    tracks = getattr(course, "tracks", None)
    if tracks:
        out = []
        for t in tracks:
            ids = tuple(m if isinstance(m, str) else m.id for m in t.modules)
            own = tuple(Objective(o) for o in getattr(t, "objectives", ()) or ())
            out.append(Track(id=t.id, title=getattr(t, "title", "") or course.title, modules=ids,
                             objectives=own or _module_objectives(course, ids)))
        return tuple(out)
    ids = tuple(m.id for m in course.modules)
    return (Track(id=DEFAULT_TRACK, title=course.title, modules=ids, objectives=_module_objectives(course, ids)),)


def module_minutes(module) -> int:
    """The minutes a module states for all its work (teaching and exercises)."""
    total = getattr(module, "minutes_total", None)
    return total if isinstance(total, int) else module.minutes_teaching + module.minutes_exercises


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def module_section(module, heading: str) -> str | None:
    """The Markdown under a heading of a module's text or callout blocks, up to the next heading at
    the same or a higher level (``None`` when no block has that heading)."""
    wanted = " ".join(heading.split()).lower()
    for block in module.blocks:
        if block.kind not in ("text", "callout"):
            continue
        lines = block.text.splitlines()
        for i, line in enumerate(lines):
            m = _HEADING.match(line)
            if m and " ".join(m.group(2).split()).lower() == wanted:
                level = len(m.group(1))
                body = []
                for rest in lines[i + 1:]:
                    n = _HEADING.match(rest)
                    if n and len(n.group(1)) <= level:
                        break
                    body.append(rest)
                return "\n".join(body).strip()
    return None


def _section_headings(module) -> list[str]:
    return [m.group(2) for b in module.blocks if b.kind in ("text", "callout")
            for m in map(_HEADING.match, b.text.splitlines()) if m]


def table_column(markdown: str, column: str) -> list[str] | None:
    """The cells of `column` in the first table of `markdown` (``None`` when there is no such column)."""
    from gapkit.pdf import Table, markdown_parts

    for part in markdown_parts(markdown):
        if isinstance(part, Table):
            header = [h.replace("*", "").strip().lower() for h in part.header]
            key = column.strip().lower()
            if key not in header:
                return None
            j = header.index(key)
            return [row[j] if j < len(row) else "" for row in part.rows]
    return None


# ---------------------------------------------------------------------------------------------
# Reading YAML with line numbers
# ---------------------------------------------------------------------------------------------

class _Map(dict):
    line = 0


class _List(list):
    line = 0


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader, node):
    value = _Map(loader.construct_mapping(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


def _construct_list(loader, node):
    value = _List(loader.construct_sequence(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


class _Problems(list):
    def add(self, tag, where, line, detail):
        at = f"{where} line {line}" if line else where
        self.append(f"[{tag}] {at}: {detail}")


def _line(value, default=0):
    return getattr(value, "line", default) or default


def _read(root: Path, name: str, problems: _Problems):
    rel = (KIT_DIR / name).as_posix()
    path = root / KIT_DIR / name
    if not path.is_file():
        problems.add("missing file", rel, None, "the kit needs this file (see kit/README.md)")
        return None, rel
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.add("bad yaml", rel, mark.line + 1 if mark else None,
                     f"YAML could not be read ({getattr(exc, 'problem', None) or exc})")
        return None, rel
    if not isinstance(data, dict):
        problems.add("kit", rel, 1, "the file must be a YAML mapping of keys")
        return None, rel
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version != SCHEMA_VERSION:
        tag = ("schema too old" if isinstance(version, int) and version < SCHEMA_VERSION else
               "schema too new" if isinstance(version, int) and version > SCHEMA_VERSION else "schema version")
        problems.add(tag, rel, 1, f"`schema_version` is {version!r}; this gapkit reads version {SCHEMA_VERSION}")
        return None, rel
    return data, rel


def _text(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def _require(d, keys, what, rel, problems) -> bool:
    if not isinstance(d, dict):
        problems.add("kit", rel, _line(d), f"{what} must be a mapping of keys")
        return False
    missing = [k for k in keys if d.get(k) in (None, "", [])]
    if missing:
        problems.add("missing key", rel, _line(d), f"{what} lacks {', '.join(missing)}")
        return False
    return True


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _ids(entries, what, rel, problems):
    seen = {}
    for e in entries:
        eid = e.id
        if not _content.ID_PATTERN.match(eid):
            problems.add("bad id", rel, None, f"{what} id {eid!r} must use lower-case letters, digits and hyphens")
        if eid in seen:
            problems.add("duplicate id", rel, None, f"{what} id {eid!r} is used twice")
        seen[eid] = True


def _unknown_keys(d, allowed, what, rel, problems):
    extra = sorted(set(d) - set(allowed))
    if extra:
        problems.add("unknown key", rel, _line(d), f"{what} has unknown key(s) {', '.join(extra)}; "
                     f"keys are {', '.join(allowed)}")


# ---------------------------------------------------------------------------------------------
# Each file
# ---------------------------------------------------------------------------------------------

_PROTOCOL_KEYS = ("id", "name", "origin", "purpose", "minutes", "group", "steps", "online")


def _protocols(data, rel, problems):
    out = []
    for p in data.get("protocols") or []:
        if not _require(p, _PROTOCOL_KEYS, "a protocol", rel, problems):
            continue
        _unknown_keys(p, _PROTOCOL_KEYS, f"protocol {p['id']!r}", rel, problems)
        if not _positive_int(p["minutes"]):
            problems.add("protocol", rel, _line(p), f"protocol {p['id']!r} `minutes` must be a positive integer")
            continue
        if not isinstance(p["steps"], list):
            problems.add("protocol", rel, _line(p), f"protocol {p['id']!r} `steps` must be a list")
            continue
        out.append(Protocol(id=str(p["id"]), name=_text(p["name"]), origin=_text(p["origin"]),
                            purpose=_text(p["purpose"]), minutes=p["minutes"], group=_text(p["group"]),
                            steps=tuple(_text(s) for s in p["steps"]), online=_text(p["online"])))
    if not out and not problems:
        problems.add("kit", rel, None, "`protocols` must list at least one protocol")
    _ids(out, "protocol", rel, problems)
    return tuple(out)


def _norms(data, rel, problems):
    out = []
    for n in data.get("norms") or []:
        if _require(n, ("id", "norm", "why"), "a norm", rel, problems):
            _unknown_keys(n, ("id", "norm", "why"), f"norm {n['id']!r}", rel, problems)
            out.append(Norm(id=str(n["id"]), norm=_text(n["norm"]), why=_text(n["why"])))
    _ids(out, "norm", rel, problems)
    return tuple(out)


def _variants(data, rel, problems):
    raw = data.get("variants")
    if not isinstance(raw, dict):
        problems.add("calendar", rel, None, f"`variants` must map each of {', '.join(VARIANTS)} to its description")
        return ()
    for name in sorted(set(raw) - set(VARIANTS)):
        problems.add("unknown variant", rel, _line(raw), f"{name!r}; variants are {', '.join(VARIANTS)}")
    out = []
    for vid in VARIANTS:
        v = raw.get(vid)
        if v is None:
            problems.add("missing variant", rel, _line(raw), f"{vid!r} is not described")
            continue
        if not _require(v, ("name", "summary", "delivery"), f"variant {vid!r}", rel, problems):
            continue
        _unknown_keys(v, ("name", "summary", "delivery", "in_meeting"), f"variant {vid!r}", rel, problems)
        delivery = v["delivery"] if isinstance(v["delivery"], dict) else {}
        missing = [k for k in SEGMENT_KINDS if not _text(delivery.get(k))]
        unknown = sorted(set(delivery) - set(SEGMENT_KINDS))
        if missing:
            problems.add("calendar", rel, _line(v), f"variant {vid!r} does not say how to run {', '.join(missing)}")
        if unknown:
            problems.add("unknown segment kind", rel, _line(v),
                         f"variant {vid!r} describes {', '.join(unknown)}; kinds are {', '.join(SEGMENT_KINDS)}")
        in_meeting = tuple(v.get("in_meeting") or ())
        bad = [k for k in in_meeting if k not in SEGMENT_KINDS]
        if bad:
            problems.add("unknown segment kind", rel, _line(v), f"variant {vid!r} `in_meeting` names {', '.join(bad)}")
        out.append(Variant(id=vid, name=_text(v["name"]), summary=_text(v["summary"]),
                           delivery={k: _text(delivery.get(k)) for k in SEGMENT_KINDS}, in_meeting=in_meeting))
    return tuple(out)


_SESSION_KEYS = ("number", "title", "modules", "before", "after", "segments", "handouts")


def _sessions(raw, track: Track, rel, problems, protocol_ids, handout_ids):
    if not isinstance(raw, list) or not raw:
        problems.add("calendar", rel, _line(raw), f"track {track.id!r} must list its `sessions`")
        return ()
    out = []
    for position, s in enumerate(raw, start=1):
        if not _require(s, ("number", "title", "modules", "before", "after", "segments"),
                        f"a session of track {track.id!r}", rel, problems):
            continue
        _unknown_keys(s, _SESSION_KEYS, f"session {s['number']}", rel, problems)
        if s["number"] != position:
            problems.add("session order", rel, _line(s), f"session numbered {s['number']!r} is session {position} "
                         f"of track {track.id!r}; number sessions 1, 2, 3, ... in order")
        modules = tuple(str(m) for m in (s["modules"] if isinstance(s["modules"], list) else [s["modules"]]))
        for m in modules:
            if m not in track.modules:
                problems.add("unknown module", rel, _line(s), f"session {position} names {m!r}, which is not a "
                             f"module of track {track.id!r} ({', '.join(track.modules)})")
        segments = []
        for seg in s["segments"] if isinstance(s["segments"], list) else []:
            if not _require(seg, ("kind", "minutes", "activity"), f"a segment of session {position}", rel, problems):
                continue
            _unknown_keys(seg, ("kind", "minutes", "activity", "protocol"), f"a segment of session {position}",
                          rel, problems)
            kind, protocol = seg["kind"], seg.get("protocol")
            if kind not in SEGMENT_KINDS:
                problems.add("unknown segment kind", rel, _line(seg), f"{kind!r}; kinds are {', '.join(SEGMENT_KINDS)}")
                continue
            if not _positive_int(seg["minutes"]):
                problems.add("calendar", rel, _line(seg), f"`minutes` must be a positive integer; got {seg['minutes']!r}")
                continue
            if kind == "protocol" and not protocol:
                problems.add("calendar", rel, _line(seg), "a protocol segment must name its `protocol`")
            if protocol is not None and protocol not in protocol_ids:
                problems.add("unknown protocol", rel, _line(seg), f"{protocol!r}; protocols are "
                             f"{', '.join(sorted(protocol_ids))} (kit/protocols.yaml)")
            segments.append(Segment(kind=kind, minutes=seg["minutes"], activity=_text(seg["activity"]),
                                    protocol=protocol))
        if not segments:
            problems.add("calendar", rel, _line(s), f"session {position} needs at least one segment")
        handouts = tuple(str(h) for h in s.get("handouts") or ())
        for h in handouts:
            if h not in handout_ids:
                problems.add("unknown handout", rel, _line(s), f"session {position} names {h!r}; handouts are "
                             f"{', '.join(sorted(handout_ids))} (kit/handouts.yaml)")
        out.append(Session(number=position, title=_text(s["title"]), modules=modules, before=_text(s["before"]),
                           after=_text(s["after"]), segments=tuple(segments), handouts=handouts))
    covered = [m for s in out for m in s.modules]
    if covered != [m for m in track.modules if m in covered] or len(set(covered)) != len(covered):
        problems.add("calendar", rel, _line(raw), f"track {track.id!r}: sessions must take its modules once each, "
                     f"in course order ({', '.join(track.modules)}); they list {', '.join(covered)}")
    for m in track.modules:
        if m not in covered:
            problems.add("module without a session", rel, _line(raw), f"track {track.id!r} module {m!r} is in no session")
    return tuple(out)


def _plans(data, rel, problems, tracks, protocol_ids, handout_ids):
    raw = data.get("tracks")
    if not isinstance(raw, dict):
        problems.add("calendar", rel, None, "`tracks` must map each track id of course.yaml to its sessions")
        return ()
    known = {t.id: t for t in tracks}
    for tid in raw:
        if tid not in known:
            problems.add("unknown track", rel, _line(raw), f"{tid!r} is not a track of course_config/course.yaml; "
                         f"tracks are {', '.join(known)}")
    plans = []
    for track in tracks:
        entry = raw.get(track.id)
        if not isinstance(entry, dict):
            problems.add("track without sessions", rel, _line(raw), f"track {track.id!r} of course.yaml lists no sessions")
            continue
        sessions = _sessions(entry.get("sessions"), track, rel, problems, protocol_ids, handout_ids)
        plans.append(TrackPlan(track=track, sessions=sessions))
    return tuple(plans)


def _handouts(data, rel, problems, course):
    out = []
    modules = {m.id: m for m in course.modules}
    for h in data.get("handouts") or []:
        if not _require(h, ("id", "title", "module", "parts"), "a handout", rel, problems):
            continue
        _unknown_keys(h, ("id", "title", "module", "parts"), f"handout {h['id']!r}", rel, problems)
        if h["module"] not in modules:
            problems.add("unknown module", rel, _line(h), f"handout {h['id']!r} names module {h['module']!r}, "
                         "which is not published")
        parts = []
        for part in h["parts"] if isinstance(h["parts"], list) else []:
            if not isinstance(part, dict) or len(part) != 1 or next(iter(part)) not in PART_KINDS:
                keys = ", ".join(part) if isinstance(part, dict) else repr(part)
                problems.add("unknown part", rel, _line(part, _line(h)),
                             f"handout {h['id']!r} part {keys}; each part is one of {', '.join(PART_KINDS)}")
                continue
            kind, value = next(iter(part.items()))
            if _handout_part(kind, value, h["id"], rel, _line(part, _line(h)), problems, modules):
                parts.append((kind, value))
        out.append(Handout(id=str(h["id"]), title=_text(h["title"]), module=str(h["module"]), parts=tuple(parts)))
    _ids(out, "handout", rel, problems)
    return tuple(out)


def _source_section(ref, hid, rel, line, problems, modules):
    """The Markdown a part takes from a module section, or None after reporting why not."""
    if not isinstance(ref, dict) or not ref.get("module") or not ref.get("section"):
        problems.add("handout", rel, line, f"handout {hid!r}: a module reference needs `module` and `section`")
        return None
    module = modules.get(ref["module"])
    if module is None:
        problems.add("unknown module", rel, line, f"handout {hid!r} takes from {ref['module']!r}, which is not published")
        return None
    text = module_section(module, ref["section"])
    if text is None:
        problems.add("unknown section", rel, line, f"handout {hid!r}: module {module.id!r} has no heading "
                     f"{ref['section']!r}; its headings are {', '.join(map(repr, _section_headings(module)))}")
    return text


def _handout_part(kind, value, hid, rel, line, problems, modules) -> bool:
    if kind == "text":
        return bool(_text(value)) or problems.add("handout", rel, line, f"handout {hid!r}: empty text") or False
    if kind == "excerpt":
        return _source_section(value, hid, rel, line, problems, modules) is not None
    if kind == "fields":
        ok = isinstance(value, list) and value and all(_text(v) for v in value)
        return ok or problems.add("handout", rel, line, f"handout {hid!r}: `fields` must be a list of labels") or False
    if kind == "lines":
        ok = isinstance(value, dict) and _text(value.get("label")) and _positive_int(value.get("count"))
        return ok or problems.add("handout", rel, line, f"handout {hid!r}: `lines` needs a `label` and a positive "
                                  "`count`") or False
    # form
    if not isinstance(value, dict) or not isinstance(value.get("columns"), list) or len(value["columns"]) < 2:
        problems.add("handout", rel, line, f"handout {hid!r}: a form needs `columns` (at least two)")
        return False
    _unknown_keys(value, ("heading", "columns", "widths", "row_height", "rows", "rows_from"),
                  f"handout {hid!r} form", rel, problems)
    if ("rows" in value) == ("rows_from" in value):
        problems.add("handout", rel, line, f"handout {hid!r}: a form has either `rows` or `rows_from`")
        return False
    widths = value.get("widths")
    if widths is not None and (not isinstance(widths, list) or len(widths) != len(value["columns"])
                               or not all(isinstance(x, (int, float)) and x > 0 for x in widths)):
        problems.add("handout", rel, line, f"handout {hid!r}: `widths` must give a positive number per column")
        return False
    if "rows_from" in value:
        ref = value["rows_from"]
        text = _source_section(ref, hid, rel, line, problems, modules)
        if text is None:
            return False
        for key in ("column", "with"):
            if key in ref and table_column(text, ref[key]) is None:
                problems.add("unknown column", rel, line, f"handout {hid!r}: the table under {ref['section']!r} in "
                             f"{ref['module']!r} has no column {ref[key]!r}")
                return False
        if "column" not in ref:
            problems.add("handout", rel, line, f"handout {hid!r}: `rows_from` needs the `column` to take rows from")
            return False
    elif not isinstance(value["rows"], list) or not value["rows"]:
        problems.add("handout", rel, line, f"handout {hid!r}: `rows` must be a list")
        return False
    return True


def _norm_words(text: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", text).split()).lower()


def _assessment(data, rel, problems, course, tracks):
    scale_raw = data.get("scale")
    scale = []
    for i, level in enumerate(scale_raw if isinstance(scale_raw, list) else [], start=1):
        if _require(level, ("value", "label", "meaning"), "a scale level", rel, problems):
            if level["value"] != i:
                problems.add("scale", rel, _line(level), f"scale values run 1, 2, 3, ...; level {i} has {level['value']!r}")
            scale.append(ScaleLevel(value=i, label=_text(level["label"]), meaning=_text(level["meaning"])))
    if len(scale) < 2:
        problems.add("scale", rel, _line(scale_raw), "the `scale` needs at least two levels")
    confident = data.get("confident_from")
    if not (_positive_int(confident) and 1 < confident <= max(len(scale), 1)):
        problems.add("scale", rel, None, f"`confident_from` must be a scale value above 1; got {confident!r}")
        confident = len(scale)
    items_raw = data.get("items")
    if not isinstance(items_raw, dict):
        problems.add("self-assessment", rel, None, "`items` must map each track id to its list of items")
        items_raw = {}
    known = {t.id: t for t in tracks}
    for tid in items_raw:
        if tid not in known:
            problems.add("unknown track", rel, _line(items_raw), f"{tid!r} is not a track of course_config/course.yaml; "
                         f"tracks are {', '.join(known)}")
    items = []
    for track in tracks:
        entries = items_raw.get(track.id)
        if not isinstance(entries, list):
            problems.add("track without items", rel, _line(items_raw), f"track {track.id!r} lists no self-assessment items")
            continue
        measured = set()
        for e in entries:
            if not _require(e, ("id", "objective", "statement"), f"an item of track {track.id!r}", rel, problems):
                continue
            _unknown_keys(e, ("id", "objective", "statement"), f"item {e['id']!r}", rel, problems)
            prefix = _norm_words(str(e["objective"]))
            matches = [o for o in track.objectives if _norm_words(o.text).startswith(prefix)]
            if len(matches) != 1:
                which = "no objective" if not matches else f"{len(matches)} objectives"
                listed = "; ".join(repr(" ".join(o.text.split()[:8]) + " ...") for o in track.objectives)
                problems.add("unknown objective", rel, _line(e), f"item {e['id']!r}: {which} of track {track.id!r} "
                             f"start(s) with {str(e['objective'])!r}; its objectives are {listed}")
                continue
            measured.add(matches[0])
            items.append(Item(id=str(e["id"]), track=track.id, objective=matches[0].text,
                              statement=_text(e["statement"]), module=matches[0].module))
        for objective in track.objectives:
            if objective not in measured:
                where = f" of {objective.module!r}" if objective.module else ""
                problems.add("unmeasured objective", rel, _line(entries), f"track {track.id!r}: no item measures "
                             f"objective {' '.join(objective.text.split()[:10])!r} ...{where}")
    seen = {}
    for it in items:
        if not _content.ID_PATTERN.match(it.id):
            problems.add("bad id", rel, None, f"self-assessment item id {it.id!r} must use lower-case letters, "
                         "digits and hyphens")
        if (it.track, it.id) in seen:
            problems.add("duplicate id", rel, None, f"item id {it.id!r} is used twice in track {it.track!r}")
        seen[it.track, it.id] = True
    return SelfAssessment(scale=tuple(scale), confident_from=confident, items=tuple(items))


def _assessment_blocks(course, tracks, problems):
    """Each track takes its self-assessment once at the start and once at the end: one ``assessment``
    block of each phase among its modules, the pre before the post."""
    known = {t.id for t in tracks}
    for module in course.modules:
        for block in module.blocks_of("assessment"):
            tid = (block.data or {}).get("track")
            if tid is not None and tid not in known:
                problems.add("unknown track", module.path, block.line, f"the assessment block names track {tid!r}; "
                             f"tracks are {', '.join(sorted(known))}")
    for track in tracks:
        found = {"pre": [], "post": []}
        for position, mid in enumerate(track.modules):
            for block in course.module(mid).blocks_of("assessment"):
                data = block.data or {}
                if data.get("track", track.id) == track.id and data.get("phase") in found:
                    found[data["phase"]].append(position)
        for phase, where in found.items():
            if len(where) != 1:
                problems.add("assessment", "modules/", None, f"track {track.id!r} needs one `assessment` block with "
                             f"phase {phase} in its modules; it has {len(where)}")
        if len(found["pre"]) == 1 == len(found["post"]) and found["pre"][0] > found["post"][0]:
            problems.add("assessment", "modules/", None, f"track {track.id!r} takes the post self-assessment before "
                         "the pre")


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

def _build(root, course):
    root = _content.find_root() if root is None else Path(root)
    if course is None:
        course = _content.load_course(root)
    problems = _Problems()
    files = {name: _read(root, name, problems) for name in FILES}
    if any(data is None for data, _ in files.values()):
        return None, list(problems)
    tracks = course_tracks(course)
    protocols = _protocols(*files["protocols.yaml"], problems)
    norms = _norms(*files["norms.yaml"], problems)
    handouts = _handouts(*files["handouts.yaml"], problems, course)
    data, rel = files["calendar.yaml"]
    variants = _variants(data, rel, problems)
    plans = _plans(data, rel, problems, tracks, {p.id for p in protocols}, {h.id for h in handouts})
    assessment = _assessment(*files["self-assessment.yaml"], problems, course, tracks)
    _assessment_blocks(course, tracks, problems)
    if problems:
        return None, list(problems)
    return Kit(course=course, protocols=protocols, norms=norms, variants=variants, plans=plans,
               handouts=handouts, assessment=assessment, root=str(root)), []


def validate_kit(root=None, *, course=None) -> list[str]:
    """Every problem in ``kit/``, each naming its file and line (empty when all is well)."""
    try:
        return _build(root, course)[1]
    except _content.ContentError as exc:
        return exc.problems


def load_kit(root=None, *, course=None) -> Kit:
    """Load the facilitator's kit, checked against the published course.

    Parameters
    ----------
    root : path-like, optional
        The repository root (default: found like `gapkit.content.find_root`).
    course : gapkit.content.Course, optional
        The course (default: ``load_course(root)``).

    Raises
    ------
    KitError
        Listing every problem found (see `validate_kit`).
    """
    kit, problems = _build(root, course)
    if problems:
        raise KitError(problems)
    return kit

