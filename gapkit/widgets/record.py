"""The take-home record: a participant's reflections, check answers and action plan, as Markdown and PDF.

`record_markdown` gathers everything the participant wrote in the course from their journal, module
by module; `record_pdf` prints the same text through `gapkit.pdf` (the kit's one PDF maker). The
`RecordWidget` on the course home builds both when asked and offers them as downloads, read from
the journal at that moment, so the record is never older than the click.
"""
from __future__ import annotations

import base64
import datetime as _dt
import re

import ipywidgets as w

from gapkit import journal as _journal
from gapkit.widgets._common import Headless, esc, get_course, html, log, shared
from gapkit.widgets.plan import Plan, plan_markdown

__all__ = ["record_markdown", "record_pdf", "RecordWidget", "take_home_record", "RECORD_NAME"]

#: File name stem of the downloads.
RECORD_NAME = "my-course-record"
PLAN_ID = "action-plan"

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")


def _quoted(text: str) -> list[str]:
    """A participant's text as a Markdown block quote that prints exactly as typed."""
    lines = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines += ["> " + _SPECIAL.sub(r"\\\1", line) for line in paragraph.splitlines()] + [">"]
    return lines[:-1] + [""]


def record_markdown(course, journal, *, track=None, today: _dt.date | None = None) -> str:
    """Everything the participant wrote, as one Markdown document, module by module.

    Modules the participant has not touched are listed with a line saying so, so the record also
    shows what is left.

    Parameters
    ----------
    course : gapkit.content.Course
    journal : gapkit.journal.Journal or path-like
    track : str, optional
        The participant's track (default the course's first); its modules, numbered as in that track.
    today : datetime.date, optional
        The date printed on the record (default today).
    """
    if not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    data = journal.read()
    reflections, checks, plans = (data.get(k) or {} for k in ("reflections", "checks", "plans"))
    out = [f"# My record: {course.title}", "",
           f"_Reflections, knowledge-check answers and action plan, as saved on {(today or _dt.date.today()):%d %B %Y}._",
           ""]
    the_track = course.track(track) if hasattr(course, "track") else None
    modules = the_track.modules if the_track is not None else course.modules
    for module in modules:
        number = the_track.number(module.id) if the_track is not None else module.number
        out += [f"## Module {number}: {module.title}", ""]
        wrote = False
        for r in module.reflections:
            text = (reflections.get(r.id) or {}).get("text") or ""
            if not isinstance(text, str) or not text.strip():
                continue
            wrote = True
            out += ["### Reflection", "", f"*{' '.join(r.prompt.split())}*", "", *_quoted(text),
                    f"_{_journal.word_count(text)} words._", ""]
        answered = [(c, checks[c.id]) for c in module.checks if isinstance(checks.get(c.id), dict)]
        if answered:
            wrote = True
            out += ["### Knowledge checks", ""]
            for check, saved in answered:
                chosen = [check.options[i].text for i in saved.get("chosen") or []
                          if isinstance(i, int) and 0 <= i < len(check.options)]
                verdict = "correct" if saved.get("correct") else "not the expected answer"
                out.append(f"- {' '.join(check.question.split())} **Your answer:** {'; '.join(chosen) or 'none'} "
                           f"({verdict}).")
            out.append("")
        if module.blocks_of("plan") and isinstance(plans.get(PLAN_ID), dict):
            plan = Plan.from_json(PLAN_ID, plans[PLAN_ID])
            if any(not g.is_empty() for g in plan.goals):
                wrote = True
                for line in plan_markdown(plan).splitlines():
                    out.append("##" + line if line.startswith("#") else line)
                out.append("")
        if not wrote:
            out += ["_Nothing written in this module yet._", ""]
    return "\n".join(out).rstrip() + "\n"


def record_pdf(course, markdown: str) -> bytes:
    """The record printed as a PDF (Letter pages) by `gapkit.pdf`."""
    from gapkit import pdf as _pdf

    return _pdf.render(_pdf.markdown_parts(markdown), title="My course record", subtitle=course.title)


def _download_link(data: bytes, *, name: str, mime: str, label: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<a download="{esc(name)}" href="data:{mime};base64,{encoded}">{esc(label)}</a>'


class RecordWidget(Headless, w.VBox):
    """A button that builds the participant's record, and links to download it. Build with `take_home_record`.

    Attributes
    ----------
    button : ipywidgets.Button
    links : ipywidgets.HTML
    text, pdf : str and bytes, or None
        The record as last built (Markdown and PDF).
    """

    def __init__(self, course, journal: _journal.Journal, track: str | None = None):
        self.course = course
        self.track = track
        self.journal = journal
        self.text: str | None = None
        self.pdf: bytes | None = None
        self.button = w.Button(description="Prepare my record (PDF and text)", button_style="primary",
                               layout=shared(w.Layout, width="auto", max_width="100%"), style=shared(w.ButtonStyle),
                               tooltip="Gather your reflections, check answers and action plan into one document")
        self.button.on_click(lambda _: self.build())
        self.links = html("")
        intro = ('<h2 id="s-your-record" tabindex="-1">Take your work with you</h2><p>One document with every '
                 "reflection you wrote, your knowledge-check answers and your action plan, to keep or share with "
                 "your team: as a PDF to print and as a text file (Markdown) to edit.</p>")
        super().__init__(children=[html(intro), self.button, self.links], layout=shared(w.Layout, width="100%"))
        self.add_class("gapkit-record")

    def build(self):
        """Read the journal now and build the record; show the download links (what the button does)."""
        try:
            self.text = self.markdown()
        except _journal.JournalError as exc:
            self.links.value = f'<p class="gapkit-problem" role="alert">{esc(exc)}</p>'
            return None
        links = [_download_link(self.text.encode("utf-8"), name=f"{RECORD_NAME}.md", mime="text/markdown",
                                label="Download the text file (Markdown)")]
        try:
            self.pdf = record_pdf(self.course, self.text)
            links.insert(0, _download_link(self.pdf, name=f"{RECORD_NAME}.pdf", mime="application/pdf",
                                           label="Download the PDF"))
        except Exception as exc:  # the text file still goes out; never a traceback on the page
            log.error("record PDF: %s", exc, exc_info=exc)
            self.pdf = None
            links.append("<span>(The PDF could not be made; the problem was noted in the log.)</span>")
        self.links.value = (f'<p role="status">Your record is ready ({_dt.datetime.now():%H:%M}): '
                            f"{' · '.join(links)}</p>")
        return self.text

    def markdown(self) -> str:
        """The record as Markdown, read from the journal now."""
        return record_markdown(self.course, self.journal, track=self.track)


def take_home_record(*, journal=None, course=None, track=None) -> RecordWidget:
    """The take-home record widget for the participant whose journal this is (default ``Journal()``), for the
    modules of `track` (default the course's first)."""
    if journal is None or not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    return RecordWidget(get_course(course), journal, track)
