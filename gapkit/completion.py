"""Completion records and certificates: what each participant completed, and the hours it is worth.

A module is **complete** for a participant when their journal holds everything the module asks
them to produce on its lesson page:

* every reflection written, with at least `MIN_WORDS` words (private reflections count too; the
  text itself is never copied into a record);
* every knowledge check answered (checks are practice: any answer counts);
* the action plan, where the module has one, saved with at least one focus goal;
* the self-assessment, where the module has one, taken (every statement rated).

A module with some of these and not all is **in progress**; with none, **not started**. Hours are
the minutes the completed modules state (teaching and exercises, from ``modules/``), rounded down to
the quarter hour so that a certificate never claims more than the course states. Graded work
(nbgrader scores) is not part of completion: grades are the facilitator's to export from nbgrader.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
from dataclasses import dataclass

from gapkit import assessment as _assessment
from gapkit.journal import word_count
from gapkit.kit import module_minutes

__all__ = ["MIN_WORDS", "STATES", "ModuleRecord", "Record", "module_record", "completion_records", "records_csv",
           "certificate_parts", "write_records", "quarter_hours"]

#: Words a reflection needs to count as written.
MIN_WORDS = 20
STATES = ("complete", "in progress", "not started")
PLAN_ID = "action-plan"


@dataclass(frozen=True)
class ModuleRecord:
    """One module for one participant: its state, what is still missing, and the minutes it earns."""

    module: str
    state: str
    missing: tuple[str, ...]
    minutes: int
    needed: tuple[str, ...] = ()  # everything the module asks for (reflection and check ids, "plan", phases)


@dataclass(frozen=True)
class Record:
    """A participant's completion record for one track."""

    participant: object
    track: str
    modules: tuple[ModuleRecord, ...]
    pre_taken: bool
    post_taken: bool
    last_activity: str

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)

    @property
    def hours(self) -> float:
        return quarter_hours(self.minutes)

    @property
    def complete(self) -> bool:
        return all(m.state == "complete" for m in self.modules)


def quarter_hours(minutes: int) -> float:
    """Minutes as hours, rounded down to the quarter hour.

    >>> quarter_hours(100), quarter_hours(105), quarter_hours(59)
    (1.5, 1.75, 0.75)
    """
    return (int(minutes) // 15) / 4


def _plan_has_goal(value) -> bool:
    goals = value.get("goals") if isinstance(value, dict) else None
    return any(isinstance(g, dict) and any(isinstance(v, str) and v.strip() for v in g.values())
               for g in goals or [])


def module_record(kit, participant, module, *, track: str | None = None, min_words: int = MIN_WORDS) -> ModuleRecord:
    """One module's record for one participant (the course home shows the participant the same)."""
    return _module_record(kit, participant, module, kit.plan(track).track.id, min_words)


def _module_record(kit, participant, module, track, min_words) -> ModuleRecord:
    needed, missing = [], []
    for r in module.reflections:
        needed.append(r.id)
        saved = participant.get("reflections", r.id)
        text = saved.get("text") if isinstance(saved, dict) else None
        if not isinstance(text, str) or word_count(text) < min_words:
            missing.append(f"reflection {r.id}")
    for c in module.checks:
        needed.append(c.id)
        if not isinstance(participant.get("checks", c.id), dict):
            missing.append(f"check {c.id}")
    if module.blocks_of("plan"):
        needed.append("plan")
        if not _plan_has_goal(participant.get("plans", PLAN_ID)):
            missing.append("action plan")
    for block in module.blocks_of("assessment"):
        phase = (block.data or {}).get("phase")
        block_track = (block.data or {}).get("track") or track
        if block_track != track:
            continue
        needed.append(phase)
        if _assessment.participant_ratings(participant, kit, track, phase) is None:
            missing.append(f"{phase} self-assessment")
    if not missing:
        state = "complete"
    elif len(missing) < len(needed):
        state = "in progress"
    else:
        state = "not started"
    return ModuleRecord(module=module.id, state=state, missing=tuple(missing),
                        minutes=module_minutes(module) if state == "complete" else 0, needed=tuple(needed))


def _last_activity(participant) -> str:
    stamps = [str(v.get("saved_at")) for section in (participant.entries or {}).values()
              for v in section.values() if isinstance(v, dict) and v.get("saved_at")]
    return max(stamps)[:10] if stamps else ""


def completion_records(kit, cohort, *, track: str | None = None, min_words: int = MIN_WORDS) -> list[Record]:
    """Each participant's completion record for a track, in cohort order."""
    if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 1:
        raise ValueError(f"`min_words` must be a positive integer; got {min_words!r}.")
    plan = kit.plan(track)
    track = plan.track.id
    modules = [kit.course.module(m) for m in plan.track.modules]
    out = []
    for p in cohort.participants:
        out.append(Record(
            participant=p, track=track,
            modules=tuple(_module_record(kit, p, m, track, min_words) for m in modules),
            pre_taken=_assessment.participant_ratings(p, kit, track, "pre") is not None,
            post_taken=_assessment.participant_ratings(p, kit, track, "post") is not None,
            last_activity=_last_activity(p)))
    return out


def records_csv(records) -> str:
    """The records as CSV: one row per participant, a state column per module, minutes and hours."""
    buf = io.StringIO()
    if not records:
        return ""
    module_ids = [m.module for m in records[0].modules]
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "first_name", "last_name", "email", "track", "modules_complete", "modules_total",
                     *module_ids, "pre_self_assessment", "post_self_assessment", "minutes", "hours",
                     "course_complete", "last_activity"])
    for r in records:
        p = r.participant
        writer.writerow([p.id, p.first_name, p.last_name, p.email, r.track,
                         sum(m.state == "complete" for m in r.modules), len(r.modules),
                         *(m.state for m in r.modules), "taken" if r.pre_taken else "not taken",
                         "taken" if r.post_taken else "not taken", r.minutes, f"{r.hours:.2f}",
                         "yes" if r.complete else "no", r.last_activity])
    return buf.getvalue()


def certificate_parts(kit, record: Record, *, facilitator: str = "", issued: _dt.date | None = None):
    """(title, subtitle, parts) of a participant's certificate: a certificate of completion when every
    module is complete, otherwise a record of the professional-learning hours completed so far."""
    from gapkit import pdf as _pdf

    course = kit.course
    track = kit.plan(record.track).track
    issued = issued or _dt.date.today()
    done = [m for m in record.modules if m.state == "complete"]
    title = "Certificate of completion" if record.complete else "Record of professional learning"
    verb = "has completed" if record.complete else "has completed these modules of"
    hours = f"{record.hours:g}"
    parts = [
        _pdf.Paragraph("This certifies that"),
        _pdf.Heading(record.participant.name, 1),
        _pdf.Paragraph(f"{verb} **{track.title}**, {course.cohort}, for **{hours} hours** of professional "
                       f"learning ({len(done)} of {len(record.modules)} modules)."),
        _pdf.Table(("Module", "Domain", "Minutes"),
                   tuple((kit.module_label(record.track, m.module), course.module(m.module).domain, str(m.minutes))
                         for m in done) + (("**Total**", "", f"**{record.minutes}**"),),
                   widths=(5, 2.5, 1)),
        _pdf.Paragraph(f"Hours are the minutes each completed module states for its teaching and exercises, "
                       f"rounded down to the quarter hour. Issued {issued:%d %B %Y}."),
        _pdf.WritingSpace(f"Facilitator{': ' + facilitator if facilitator else ''} (signature)", lines=1),
    ]
    return title, course.title, parts


def write_records(kit, records, folder, *, facilitator: str = "", issued: _dt.date | None = None):
    """Write ``completion.csv`` and ``certificates/<id>.pdf`` for each participant with any hours.

    Returns the CSV's path and the certificates' paths.
    """
    from pathlib import Path

    from gapkit import pdf as _pdf

    folder = Path(folder)
    (folder / "certificates").mkdir(parents=True, exist_ok=True)
    table = folder / "completion.csv"
    table.write_text(records_csv(records), encoding="utf-8")
    written = []
    for record in records:
        if record.minutes == 0:
            continue
        title, subtitle, parts = certificate_parts(kit, record, facilitator=facilitator, issued=issued)
        path = folder / "certificates" / f"{record.participant.id}.pdf"
        _pdf.render(parts, title=title, subtitle=subtitle, path=path)
        written.append(path)
    return table, written
