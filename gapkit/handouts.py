"""The kit's generated documents: the facilitator's calendar page, the handouts and the participant workbook.

Everything here is built from ``kit/`` and ``modules/`` (through `gapkit.kit`) and printed with
`gapkit.pdf`. `documents` lists every file the kit generates; `build` writes them into
``docs/kit/`` and, with ``check=True``, only reports the ones that are missing or out of date
(a Markdown page is stale when its text differs; a PDF when the digest of its content differs,
so an fpdf2 upgrade that moves a byte does not make it stale).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gapkit import pdf as _pdf
from gapkit.kit import DEFAULT_TRACK, Kit, module_minutes, module_section, table_column

__all__ = ["OUT_DIR", "Document", "calendar_markdown", "handout_parts", "workbook_parts", "documents", "build"]

#: Where the generated kit lives in the repository.
OUT_DIR = Path("docs") / "kit"


@dataclass(frozen=True)
class Document:
    """One generated file: a Markdown page (`markdown`) or a PDF (`title` and `parts`)."""

    name: str
    title: str
    markdown: str | None = None
    parts: tuple = ()
    subtitle: str = ""
    footer: str = ""

    def data(self) -> bytes:
        if self.markdown is not None:
            return self.markdown.encode("utf-8")
        return _pdf.render(self.parts, title=self.title, subtitle=self.subtitle, footer=self.footer)

    def is_current(self, path: Path) -> bool:
        """Whether the file at `path` is what this document would write."""
        if not path.is_file():
            return False
        if self.markdown is not None:
            return path.read_text(encoding="utf-8") == self.markdown
        digest = _pdf.source_digest(self.parts, title=self.title, subtitle=self.subtitle, footer=self.footer)
        return _pdf.pdf_digest(path.read_bytes()) == digest


def _modules_label(kit: Kit, track: str, ids) -> str:
    return ", ".join(kit.module_label(track, m) for m in ids)


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


# ---------------------------------------------------------------------------------------------
# The facilitator's calendar page
# ---------------------------------------------------------------------------------------------

def _agenda(kit: Kit, session, variant) -> list[str]:
    out = []
    if variant.in_meeting:
        before = [s for s in session.segments if s.kind not in variant.in_meeting]
        meeting = [s for s in session.segments if s.kind in variant.in_meeting]
        groups = [(f"On your own ({sum(s.minutes for s in before)} min)", before),
                  (f"Meeting ({sum(s.minutes for s in meeting)} min)", meeting)]
    else:
        groups = [("", session.segments)]
    for label, segments in groups:
        if label:
            out.append(f"- *{label}:*")
        for seg in segments:
            protocol = f" Protocol: {kit.protocol(seg.protocol).name}." if seg.protocol else ""
            bullet = "  -" if label else "-"
            out.append(f"{bullet} **{seg.kind.capitalize()}** ({seg.minutes} min; {variant.delivery[seg.kind]}) "
                       f"{seg.activity}{protocol}")
    return out


def calendar_markdown(kit: Kit) -> str:
    """The facilitator's calendar as one Markdown page: variants, norms, every track's sessions with
    their agendas in each variant, and the protocols."""
    course = kit.course
    out = [f"# Facilitator's calendar: {course.title}", "",
           "<!-- Generated from kit/ and modules/ by gapkit.handouts; do not edit by hand. "
           "Regenerate with `gapkit kit build`. -->", "",
           "How to run the course as a cohort: the sessions of each track, with an agenda in three delivery "
           "variants, the discussion protocols the agendas use, and the norms. The printable handouts and the "
           "participant workbook are in this folder; [docs/kit.md](../kit.md) explains the whole kit.", "",
           "## Delivery variants", "", "| Variant | How it runs | In the meeting |", "|---|---|---|"]
    for v in kit.variants:
        meeting = ", ".join(v.in_meeting) if v.in_meeting else ("no meetings" if v.id == "asynchronous" else "everything")
        out.append(f"| {v.name} | {v.summary} | {meeting} |")
    out += ["", "## Norms", "", "Agree these in the first session and keep them posted.", ""]
    out += [f"{i}. **{n.norm}** {n.why}" for i, n in enumerate(kit.norms, start=1)]
    for plan in kit.plans:
        track = plan.track
        stated = sum(module_minutes(course.module(m)) for m in track.modules)
        live = sum(s.minutes for s in plan.sessions)
        heading = "## Sessions" if track.id == DEFAULT_TRACK else f"## Sessions: {track.title}"
        out += ["", heading, "",
                f"{len(plan.sessions)} sessions. The modules state {stated} minutes of work "
                f"({_hours(stated)}; the hours on certificates); the live agendas add up to {live} minutes.", "",
                "| Session | Title | Modules | Module minutes | Live agenda | Hybrid meeting | Handouts |",
                "|---|---|---|---|---|---|---|"]
        hybrid = next(v for v in kit.variants if v.id == "hybrid")
        for s in plan.sessions:
            meeting = sum(seg.minutes for seg in s.segments if seg.kind in hybrid.in_meeting)
            handouts = ", ".join(kit.handout(h).title for h in s.handouts) or "none"
            out.append(f"| {s.number} | {s.title} | {_modules_label(kit, track.id, s.modules)} | "
                       f"{sum(module_minutes(course.module(m)) for m in s.modules)} | {s.minutes} min | "
                       f"{meeting} min | {handouts} |")
        for s in plan.sessions:
            out += ["", f"### Session {s.number}: {s.title}", "",
                    f"*Modules: {_modules_label(kit, track.id, s.modules)}.*", "", f"**Before.** {s.before}", ""]
            for v in kit.variants:
                out += [f"**{v.name}.**", "", *_agenda(kit, s, v), ""]
            if s.handouts:
                out += ["**Handouts.** " + ", ".join(f"[{kit.handout(h).title}]({h}.pdf)" for h in s.handouts) + ".", ""]
            out.append(f"**After.** {s.after}")
    out += ["", "## Protocols", "",
            "Each protocol is described here in the kit's own words; the origin names the group that developed or "
            "published it. Their online versions are what the asynchronous variant uses."]
    for p in kit.protocols:
        steps = [f"{i}. {step}" for i, step in enumerate(p.steps, start=1)]
        out += ["", f"### {p.name}", "", f"*Origin: {p.origin}. About {p.minutes} minutes; {p.group}.*", "",
                p.purpose, "", *steps, "", f"**Online:** {p.online}"]
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------
# Handouts
# ---------------------------------------------------------------------------------------------

def _sources_part(module) -> _pdf.Paragraph:
    cited = "; ".join(f"*{s.title}*, {s.organisation}" for s in module.sources)
    return _pdf.Paragraph(f"From Module {module.number}, {module.title}. Sources: {cited}.")


def _form(kit: Kit, spec: dict) -> list:
    columns = tuple(str(c) for c in spec["columns"])
    if "rows" in spec:
        firsts = [(str(r),) for r in spec["rows"]]
    else:
        ref = spec["rows_from"]
        text = module_section(kit.course.module(ref["module"]), ref["section"])
        names = table_column(text, ref["column"])
        extra = table_column(text, ref["with"]) if "with" in ref else None
        firsts = [(n.replace("**", ""),) + ((extra[i],) if extra else ()) for i, n in enumerate(names)]
    rows = tuple(first + ("",) * (len(columns) - len(first)) for first in firsts)
    parts = [_pdf.Heading(str(spec["heading"]), 2)] if spec.get("heading") else []
    widths = tuple(float(w) for w in spec["widths"]) if spec.get("widths") else None
    parts.append(_pdf.Table(columns, rows, widths=widths, row_height=float(spec.get("row_height") or 0)))
    return parts


def handout_parts(kit: Kit, handout) -> list:
    """A handout as `gapkit.pdf` parts, with its module's content filled in and its sources cited."""
    parts = []
    for kind, value in handout.parts:
        if kind == "text":
            parts += _pdf.markdown_parts(str(value))
        elif kind == "excerpt":
            parts += _pdf.markdown_parts(module_section(kit.course.module(value["module"]), value["section"]))
        elif kind == "fields":
            parts.append(_pdf.Table((), tuple((str(f), "") for f in value), widths=(1, 2.5), row_height=9))
        elif kind == "lines":
            parts.append(_pdf.WritingSpace(str(value["label"]), int(value["count"])))
        elif kind == "form":
            parts += _form(kit, value)
    parts.append(_sources_part(kit.course.module(handout.module)))
    return parts


# ---------------------------------------------------------------------------------------------
# The participant workbook
# ---------------------------------------------------------------------------------------------

def workbook_parts(kit: Kit, track: str | None = None) -> list:
    """The participant workbook of a track: norms, the sessions, each module's objectives, key points,
    discussion prompts and reflections with room to write, a paper self-assessment and the protocols."""
    plan = kit.plan(track)
    course = kit.course
    P, H, B = _pdf.Paragraph, _pdf.Heading, _pdf.Bullets
    parts = [P("This workbook goes with the lesson pages. It holds what you need in the room: the cohort's norms, "
               "the sessions, each module's objectives and key points, the discussion prompts and the reflection "
               "questions with space to draft your answers. Your answers count when you type them on the lesson "
               "page, where they are saved."),
             H("Our norms"), B(tuple(f"**{n.norm}** {n.why}" for n in kit.norms), numbered=True),
             H("Sessions"),
             _pdf.Table(("No.", "Title", "Modules", "Before the session"),
                        tuple((str(s.number), s.title, _modules_label(kit, plan.track.id, s.modules), s.before)
                              for s in plan.sessions), widths=(0.8, 2.2, 2.4, 3.6))]
    for mid in plan.track.modules:
        m = course.module(mid)
        parts += [_pdf.PageBreak(), H(f"Module {plan.track.number(mid)}: {m.title}"),
                  P(f"*{m.domain}. About {module_minutes(m)} minutes of work.*"),
                  H("What you will learn", 2), B(m.objectives)]
        if m.keypoints:
            parts += [H("Key points", 2), B(m.keypoints)]
        for block in m.blocks_of("discussion"):
            parts += [H("Discuss with colleagues", 2), *_pdf.markdown_parts(block.text)]
        for r in m.reflections:
            label = f"graded, {r.points} points" if r.graded else "private, not graded"
            parts += [H(f"Reflection ({label})", 2), *_pdf.markdown_parts(r.prompt)]
            if r.guiding_questions:
                parts.append(B(r.guiding_questions))
            parts.append(_pdf.WritingSpace("Draft", 8))
        parts.append(_pdf.WritingSpace("Notes", 5))
    scale = kit.assessment.scale
    parts += [_pdf.PageBreak(), H("My self-assessment"),
              P("You take the self-assessment on the lesson pages at the start and at the end. This copy is for "
                "your own notes. The scale: " + "; ".join(f"**{lv.value} {lv.label}**: {lv.meaning}" for lv in scale)),
              _pdf.Table(("Objective of", "I can ...", "Start", "End"),
                         tuple((kit.item_label(it), it.statement, "", "") for it in kit.items(plan.track.id)),
                         widths=(1.2, 6, 0.8, 0.8))]
    parts += [_pdf.PageBreak(), H("Protocols we use")]
    for p in kit.protocols:
        parts += [H(p.name, 2), P(f"{p.purpose} *Origin: {p.origin}.*"), B(p.steps, numbered=True)]
    parts += [H("Sources"), B(tuple(s.citation().split(" (")[0] for s in course.sources))]
    return parts


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------

def documents(kit: Kit) -> list[Document]:
    """Every file the kit generates, named as in ``docs/kit/``."""
    course = kit.course
    docs = [Document("calendar.md", f"Facilitator's calendar: {course.title}", markdown=calendar_markdown(kit))]
    for h in kit.handouts:
        m = course.module(h.module)
        docs.append(Document(f"{h.id}.pdf", h.title, parts=tuple(handout_parts(kit, h)),
                             subtitle=f"{course.title} · Module {m.number}: {m.title}",
                             footer=f"{h.title} · {course.title}"))
    for plan in kit.plans:
        suffix = "" if plan.track.id == DEFAULT_TRACK else f"-{plan.track.id}"
        docs.append(Document(f"workbook{suffix}.pdf", "Participant workbook",
                             parts=tuple(workbook_parts(kit, plan.track.id)), subtitle=plan.track.title,
                             footer=f"Participant workbook · {plan.track.title}"))
    return docs


def build(kit: Kit, out_dir=None, *, check: bool = False) -> list[str]:
    """Write the kit's documents into `out_dir` (default ``<root>/docs/kit``).

    Returns the names of the files written, or with ``check=True`` the names of the files that are
    missing, out of date or no longer generated (nothing is written then).
    """
    out = Path(out_dir) if out_dir is not None else Path(kit.root) / OUT_DIR
    docs = documents(kit)
    wanted = {d.name for d in docs}
    changed = [d for d in docs if not d.is_current(out / d.name)]
    extra = sorted(p.name for p in out.glob("*") if p.is_file() and p.suffix in (".md", ".pdf")
                   and p.name not in wanted) if out.is_dir() else []
    if check:
        return [d.name for d in changed] + extra
    out.mkdir(parents=True, exist_ok=True)
    for d in changed:
        (out / d.name).write_bytes(d.data())
    for name in extra:
        (out / name).unlink()
    return [d.name for d in changed] + extra
