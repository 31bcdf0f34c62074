"""The lesson page: a module of the course, built from its blocks, with widgets where the blocks ask for them.

Text blocks become HTML under the module's headings (one ``h1`` per page, ``h2`` for sections,
``h3`` for widgets and boxes) so screen-reader users can move by heading; reflection, check,
explore and plan blocks become widgets; instructor blocks are never shown to participants. No
traceback ever reaches the page: a block that fails becomes a short message and a log entry.

Every lesson page opens with a short contents list of its sections ("On this page") and ends
with the module's assignment (what it holds and the steps to open and submit it), its sources and
links to the next module; the last module ends with what to do after the course. The home page
shows where the participant is (`gapkit.progress`), read when the page is asked for. The look
(``gapkit.css``) and the keyboard behaviour of radio groups (``gapkit.js``) are in the course's
Voila template, ``share/jupyter/voila/templates/gapkit``.
"""
from __future__ import annotations

import os
import re

import ipywidgets as w

from gapkit import journal as _journal
from gapkit import progress as _progress
from gapkit.serve import HOME_NOTEBOOK
from gapkit.widgets._common import Headless, esc, get_course, html, log, markdown_html, problem_box
from gapkit.widgets._request import when_requested

__all__ = ["HOME_NOTEBOOK", "LessonPage", "lesson", "home", "HomePage", "lesson_filename", "HIDDEN_KINDS",
           "ASSIGNMENTS_URL_ENV", "track_folder", "minutes_words"]


#: Block kinds participants never see on a lesson page: facilitator notes, and the practice
#: analysis, which is the module's assignment (it runs in JupyterLab, released by nbgrader).
HIDDEN_KINDS = ("instructor", "practice", "task")

_BOXES = {
    "callout": ("gapkit-callout", "Note", "note"),
    "discussion": ("gapkit-discussion", "Discuss with colleagues", None),
    "questions": ("gapkit-questions", "Questions to consider", None),
    "challenge": ("gapkit-challenge", "Try it", None),
}


def lesson_filename(module) -> str:
    """The lesson notebook of a module: ``<module id>.ipynb`` (ids start with their number in the track)."""
    return f"{module.id}.ipynb"


def track_folder(course, track) -> str:
    """Where a track's lesson pages live under ``notebooks/lessons``: the first track at the top, each other
    track in a folder named by its id (so the first track's addresses never change)."""
    return "" if track.id == course.tracks[0].id else track.id


def minutes_words(minutes: dict) -> str:
    """A module's or track's minutes in words: the total, then reading, activities, writing and practice."""
    total = sum(minutes.values())
    parts = [f"{minutes[k]} {k}" for k in ("reading", "activities", "writing", "practice") if minutes.get(k)]
    return f"about {total} min ({', '.join(parts)})"


def _inline(markdown: str) -> str:
    return markdown_html(markdown).strip().removeprefix("<p>").removesuffix("</p>")


def _box(kind: str, inner: str) -> str:
    css, label, role = _BOXES[kind]
    role_attr = f' role="{role}"' if role else ""
    tag = "aside" if kind == "callout" else "section"
    return (f'<{tag} class="gapkit-box {css}"{role_attr}><p class="gapkit-box-label">{esc(label)}</p>'
            f"{inner}</{tag}>")


def _block_html(block) -> str | None:
    """HTML of a text-like block, or None for a block that becomes a widget (or is hidden)."""
    kind = block.kind
    if kind == "text":
        return markdown_html(block.text)
    if kind == "objectives":
        return (f'<section class="gapkit-box gapkit-objectives" aria-labelledby="objectives">'
                f'<h2 id="objectives">What you will learn</h2>{markdown_html(block.text)}</section>')
    if kind == "keypoints":
        return (f'<section class="gapkit-box gapkit-keypoints" aria-labelledby="keypoints">'
                f'<h2 id="keypoints">Key points</h2>{markdown_html(block.text)}</section>')
    if kind == "challenge":
        inner = markdown_html(block.text)
        for child in block.children:
            summary = "Show the solution" if child.kind == "solution" else "Show a hint"
            inner += f"<details><summary>{summary}</summary>{markdown_html(child.text)}</details>"
        return _box("challenge", inner)
    if kind in _BOXES:
        return _box(kind, markdown_html(block.text))
    return None


class LessonPage(Headless, w.VBox):
    """A whole lesson page. `widgets` lists the interactive parts in page order (for tests)."""

    def __init__(self, children, *, module=None, widgets=()):
        super().__init__(children=children, layout=w.Layout(width="100%"))
        self.add_class("gapkit-page")
        self.module = module
        self.widgets = list(widgets)

    def markdown(self) -> str:
        if self.module is None:
            return "_This lesson could not be built._\n"
        return (f"# {self.module.title}\n\n_An interactive lesson page: serve the course with `gapkit serve` "
                "to read it with its widgets._\n")


def _nav(track, module, *, label: str) -> str:
    index = track.number(module.id)
    links = [f'<a href="{HOME_NOTEBOOK}">Course home</a>']
    if index > 0:
        prev = track.modules[index - 1]
        links.append(f'<a href="{lesson_filename(prev)}" rel="prev">Previous: {esc(prev.title)}</a>')
    if index + 1 < len(track.modules):
        nxt = track.modules[index + 1]
        links.append(f'<a href="{lesson_filename(nxt)}" rel="next">Next: {esc(nxt.title)}</a>')
    return f'<nav class="gapkit-nav" aria-label="{esc(label)}">{" · ".join(links)}</nav>'


_H2 = re.compile(r"<h2(?: id=\"([^\"]*)\")?>(.*?)</h2>", re.S)
_TAGS = re.compile(r"<[^>]+>")


class _Anchors:
    """Gives every section heading (``h2``) of a page a unique id and remembers it for the contents list."""

    def __init__(self):
        self.sections: list[tuple[str, str]] = []

    def __call__(self, text: str) -> str:
        return _H2.sub(self._anchor, text)

    def _anchor(self, match) -> str:
        title = _TAGS.sub("", match.group(2)).strip()
        slug = re.sub(r"[^a-z0-9]+", "-", (match.group(1) or title).lower()).strip("-") or "section"
        anchor, n = f"s-{slug}", 2
        while anchor in {a for a, _ in self.sections}:
            anchor, n = f"s-{slug}-{n}", n + 1
        self.sections.append((anchor, title))
        return f'<h2 id="{anchor}" tabindex="-1">{match.group(2)}</h2>'


def _contents(sections) -> str:
    """The page's contents list: a link to each section."""
    items = "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in sections)
    return (f'<nav class="gapkit-toc" aria-labelledby="s-on-this-page"><h2 id="s-on-this-page">On this page</h2>'
            f"<ol>{items}</ol></nav>")


#: Set to the address where participants open their assignments (e.g. the hub's JupyterLab); shown as a link.
ASSIGNMENTS_URL_ENV = "GAPKIT_ASSIGNMENTS_URL"


def _assignment_html(course, track, module) -> str:
    """The module's assignment in this track: what it holds and the steps to open, complete and submit it."""
    if _progress.assignment_notebook(course, module, track=track.id) is None:
        return ""
    name = track.assignment_id(module.id)
    graded = [r for r in module.reflections if r.graded]
    holds = "your graded reflection" + ("s" if len(graded) != 1 else "") if graded else "the practice analysis"
    url = os.environ.get(ASSIGNMENTS_URL_ENV, "").strip()
    where = (f'<a href="{esc(url)}">Open your assignments</a>' if url
             else "Open JupyterLab from your course hub (or ask your facilitator for the address)")
    return (
        '<section class="gapkit-box gapkit-assignment" aria-labelledby="assignment">'
        f'<h2 id="assignment">Your assignment for this module: {esc(name)}</h2>'
        f"<p>The assignment <strong>{esc(name)}</strong> is where you hand in {holds}"
        + (" and a short practice analysis of the sample district (every exercise can be answered in a box, "
           "without code)" if module.practice is not None and "practice" not in holds else "")
        + ". Your facilitator releases it when the cohort reaches this module. Then:</p><ol>"
        f"<li>{where}.</li>"
        f"<li>In the <strong>Assignments</strong> list, find <strong>{esc(name)}</strong> under \u201cReleased\u201d "
        "and choose <strong>Fetch</strong>.</li>"
        f"<li>Open <strong>{esc(module.id)}.ipynb</strong> in the assignment's folder and work through it from top "
        "to bottom.</li>"
        "<li>Save, then choose <strong>Validate</strong> to see if anything is missing, and <strong>Submit</strong>. "
        "You can submit again until the deadline; the latest submission is graded.</li></ol></section>"
    )


#: What to do when the course is done: shown at the end of the last module and on the home page.
def _after_course_html(*, heading_id: str = "after-the-course") -> str:
    return (
        f'<section class="gapkit-box gapkit-keypoints gapkit-after" aria-labelledby="{heading_id}">'
        f'<h2 id="{heading_id}">After the course: what to do next</h2><ol>'
        f'<li><strong>Take your work with you.</strong> On the <a href="{HOME_NOTEBOOK}">course home</a>, download '
        "your record: every reflection, your check answers and your action plan, as a PDF and as a text file.</li>"
        "<li><strong>Share the action plan</strong> with your leadership team and the people it names as owners, "
        "and agree the first date you will look at the data together.</li>"
        "<li><strong>Look at your own school's data.</strong> Ask your data lead to run the course's gap report on "
        "your school's files; it hides small groups the same way the lessons do, so it is safe to share.</li>"
        "<li><strong>Hand in what is left.</strong> Submit any module assignment you have not submitted yet.</li>"
        "</ol></section>"
    )


def _widget_for(block, *, course, journal, records):
    from gapkit.widgets.check import knowledge_check
    from gapkit.widgets.explorer import gap_explorer
    from gapkit.widgets.plan import action_plan
    from gapkit.widgets.proficiency import proficiency_view
    from gapkit.widgets.reflection import reflection

    data = block.data or {}
    if block.kind == "reflection":
        return reflection(data["id"], journal=journal, course=course)
    if block.kind == "check":
        return knowledge_check(data["id"], journal=journal, course=course)
    if block.kind == "explore":
        presets = {k: data.get(k) for k in ("subject", "measure", "school", "grade", "year")
                   if data.get(k) is not None}
        return gap_explorer(records, course=course, min_n=course.min_n, look_for=data.get("look_for"),
                            group=data["group"], focal=data["focal"], reference=data.get("reference"), **presets)
    if block.kind == "proficiency":
        params = {k: data.get(k) for k in ("by", "year", "school", "subject") if data.get(k) is not None}
        return proficiency_view(records, analysis=data["analysis"], min_n=course.min_n, look_for=data.get("look_for"),
                                course=course, **params)
    if block.kind == "plan":
        return action_plan(journal=journal, records=records, note=block.text, course=course)
    if block.kind == "assessment":
        from gapkit.widgets.assessment import self_assessment

        return self_assessment(data["phase"], track=data.get("track"), journal=journal, course=course)
    return None


def lesson(module_id: str, *, track: str | None = None, course=None, journal=None, records=None,
           heading: bool = True) -> LessonPage:
    """The lesson page of one module, built from ``modules/<module_id>.md``.

    Parameters
    ----------
    module_id : str
        A module id listed in ``course_config/course.yaml`` (e.g. ``"01-what-gaps-are"``).
    track : str, optional
        The track the page belongs to, which numbers the module, names its assignment and links the
        pages before and after it (default: the course's first track).
    course : gapkit.content.Course, optional
        Default: the published course.
    journal : gapkit.journal.Journal or path-like, optional
        Where reflections, check answers and plans are saved (default ``Journal()``).
    records : DataFrame, optional
        Student records for the explorers (default: the course's sample district).
    heading : bool, optional
        Show the module title as the page's ``h1`` (default). Lesson notebooks carry the title in
        their own Markdown heading cell and pass ``heading=False``.

    Returns
    -------
    LessonPage
        Never raises for a participant: a problem becomes a friendly message and a log entry.
    """
    try:
        course = get_course(course)
        module = course.module(module_id)
        the_track = course.track(track)
        number = the_track.number(module.id)
        if journal is None or not isinstance(journal, _journal.Journal):
            journal = _journal.Journal(journal)
    except Exception as exc:
        return LessonPage([problem_box(
            "The lesson could not be loaded. Please tell your facilitator; the details are in the log.",
            exc=exc, context=f"lesson {module_id!r}")])
    anchors = _Anchors()
    items: list = []  # HTML strings and widgets, in page order

    for block in module.blocks:
        if block.kind in HIDDEN_KINDS:
            continue
        try:
            block_html = _block_html(block)
            if block_html is not None:
                items.append(anchors(block_html))
                continue
            widget = _widget_for(block, course=course, journal=journal, records=records)
        except Exception as exc:
            items.append(problem_box("This part of the lesson could not be shown; the problem was noted in "
                                     "the log.", exc=exc, context=f"{module.id} {block.kind} block line "
                                     f"{block.line}"))
            continue
        if widget is None:
            log.warning("%s: block kind %r has no view", module.id, block.kind)
            continue
        widget.add_class("gapkit-widget")
        items.append(widget)
    items.append(anchors(_assignment_html(course, the_track, module)))
    if module.id == the_track.modules[-1].id:
        items.append(anchors(_after_course_html()))
    footer = ""
    if module.sources:
        cited = "".join(f"<li>{_inline(s.citation())}</li>" for s in module.sources)
        footer = anchors(f'<h2 id="sources">Sources</h2><ul>{cited}</ul>')
    if module.references:
        refs = "".join(f"<li>{_inline(r.full())}</li>" for r in module.references)
        footer += anchors(f'<h2 id="references">References</h2><ul>{refs}</ul>')
    footer = (f'<div class="gapkit-footer">{footer}'
              f'{_nav(the_track, module, label="Previous and next module")}</div>')

    title = f"<h1>{esc(module.title)}</h1>" if heading else ""
    header = (f'<div class="gapkit-header">{_nav(the_track, module, label="Course")}{title}<p class="gapkit-kicker">'
              f'Module {number} · {esc(module.domain)} · {minutes_words(module.minutes)}</p></div>')
    if anchors.sections:
        header += _contents(anchors.sections)

    children, widgets, pending = [], [], [header]
    for item in [*items, footer]:
        if isinstance(item, str):
            pending.append(item)
            continue
        if pending:
            children.append(html("".join(pending)))
            pending.clear()
        children.append(item)
        if "gapkit-widget" in item._dom_classes:
            widgets.append(item)
    if pending:
        children.append(html("".join(pending)))
    return LessonPage(children, module=module, widgets=widgets)


class HomePage(LessonPage):
    """The course home page; `course` is None when the course could not be loaded.

    Attributes
    ----------
    progress : gapkit.progress.CourseProgress or None
        What the page shows now (None until it has been read).
    status : ipywidgets.HTML
        The next step, modules done and time left.
    modules : ipywidgets.HTML
        The list of modules with each one's state.
    record : gapkit.widgets.record.RecordWidget
        The take-home record (reflections, check answers and action plan as PDF and Markdown).
    """

    def __init__(self, children, *, course=None, track=None, progress=None, status=None, modules=None):
        super().__init__(children)
        self.course = course
        self.track = track
        self.progress = progress
        self.status = status
        self.modules = modules

    def markdown(self) -> str:
        if self.course is None:
            return "_The course could not be loaded._\n"
        lines = [f"# {self.track.title}", ""]
        lines += [f"{n}. {m.title} ({m.minutes_total} min)" for n, m in enumerate(self.track.modules)]
        return "\n".join(lines) + "\n"


#: The kit's own placeholder for the cohort's name, which is never shown to participants.
COHORT_PLACEHOLDER = "Sample cohort"


def _hours(minutes: float) -> str:
    minutes = int(round(minutes / 5.0) * 5)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


_STATE_WORDS = {_progress.NOT_STARTED: "Not started", _progress.IN_PROGRESS: "In progress", _progress.DONE: "Done"}


def _status_html(course, state) -> str:
    """The next step, how many modules are done and the time left (or, when nothing was read, a note)."""
    if state is None:
        return ('<section class="gapkit-next" aria-labelledby="next-step"><h2 id="next-step">Your next step</h2>'
                '<p role="status">Reading your progress&hellip;</p></section>')
    done, total = state.done, len(state.modules)
    meter = (f'<p><label for="gapkit-course-meter">{done} of {total} modules done</label> '
             f'<progress id="gapkit-course-meter" class="gapkit-progress-meter" max="{total}" value="{done}">'
             f"{done} of {total}</progress></p>")
    if state.finished:
        return (f'<section class="gapkit-next" aria-labelledby="next-step"><h2 id="next-step">You have finished '
                f"the course</h2><p>Every module is done: well done.</p>{meter}</section>"
                + _after_course_html(heading_id="after-the-course"))
    nxt = state.next_module
    module = course.module(nxt.module_id)
    verb = "Continue with" if nxt.state == _progress.IN_PROGRESS else "Start"
    left = f"About {_hours(state.minutes_left)} of the course left."
    detail = f" So far in this module: {esc(nxt.summary())}." if nxt.state == _progress.IN_PROGRESS else ""
    return (f'<section class="gapkit-next" aria-labelledby="next-step"><h2 id="next-step">Your next step</h2>'
            f'<p><a href="{lesson_filename(module)}">{verb} Module {nxt.number}: {esc(nxt.title)}</a>.{detail}</p>'
            f"{meter}<p>{left}</p></section>")


def _modules_html(track, state) -> str:
    rows = {m.module_id: m for m in state.modules} if state is not None else {}
    parts = ['<nav aria-label="Modules"><ol class="gapkit-home-list">']
    for n, m in enumerate(track.modules):
        objectives = "".join(f"<li>{markdown_html(o).strip().removeprefix('<p>').removesuffix('</p>')}</li>"
                             for o in m.objectives)
        row = rows.get(m.id)
        badge = summary = ""
        if row is not None:
            css = "gapkit-state-" + row.state.replace(" ", "-")
            badge = f' <span class="gapkit-state {css}">{_STATE_WORDS[row.state]}</span>'
            summary = f'<p class="gapkit-kicker">{esc(row.summary()[:1].upper() + row.summary()[1:])}.</p>'
        parts.append(
            f'<li><p class="gapkit-kicker">Module {n} · {esc(m.domain)} · {minutes_words(m.minutes)}</p>'
            f'<h2><a href="{lesson_filename(m)}">{esc(m.title)}</a>{badge}</h2>{summary}'
            f"<p>You will be able to:</p><ul>{objectives}</ul></li>")
    parts.append("</ol></nav>")
    return "".join(parts)


def home(*, course=None, journal=None, submitted=None, kit=None, track=None, heading: bool = True) -> HomePage:
    """A track's home page: who it is for and its objectives, where the participant is, the take-home record,
    then every module of the track with its state.

    The progress is read from the participant's journal when the page is asked for (in a
    preheated Voila kernel, once the request arrives; see `gapkit.widgets._request`).

    Parameters
    ----------
    course : gapkit.content.Course, optional
    journal : gapkit.journal.Journal or path-like, optional
        The participant's journal (default ``Journal()``).
    submitted : collection of str, optional
        Assignments submitted; default: what nbgrader's own record on this machine says
        (`gapkit.progress.submitted_assignments`), nothing where that is not known.
    kit : gapkit.kit.Kit, optional
        The facilitator's kit (default: loaded for the course); its completion rule is the page's.
    track : str, optional
        The participant's track (default: the course's first).
    heading : bool, optional
        Show the course title as the page's ``h1``.
    """
    try:
        course = get_course(course)
        the_track = course.track(track)
    except Exception as exc:
        return HomePage([problem_box(
            "The course could not be loaded. Please tell your facilitator; the details are in the log.",
            exc=exc, context="course home")])
    track = the_track.id
    total = sum(the_track.minutes.values())
    title = f"<h1>{esc(the_track.title)}</h1>" if heading else ""
    cohort = ("" if course.cohort.startswith(COHORT_PLACEHOLDER)
              else f'<p class="gapkit-kicker">{esc(course.cohort)}</p>')
    objectives = "".join(f"<li>{_inline(o)}</li>" for o in the_track.objectives)
    here = track_folder(course, the_track)
    others = []
    for other in course.tracks:
        if other.id != the_track.id:
            folder = track_folder(course, other)
            href = f"{'../' if here else ''}{folder + '/' if folder else ''}{HOME_NOTEBOOK}"
            others.append(f'<a href="{href}">{esc(other.title)}</a> (for {esc(other.audience)})')
    also = f'<p>Also offered: {"; ".join(others)}.</p>' if others else ""
    intro = html(f'<div class="gapkit-header">{title}{cohort}<p>For {esc(the_track.audience)}. '
                 f"{esc(the_track.description)}</p><p>{len(the_track.modules)} modules, about {total / 60:.1f} hours of "
                 "reading, activities, writing and practice in all. Open a module to read it, explore the sample "
                 "district's data and write your reflections. Your answers are saved as you type, and this page shows "
                 f"what you have done: a reflection counts once it has {_progress.MIN_WORDS} words.</p>"
                 f'<h2 id="course-objectives">By the end of the course you will be able to</h2><ul>{objectives}</ul>'
                 f"{also}</div>")
    from gapkit.widgets.record import take_home_record

    if journal is None or not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    status, modules = html(_status_html(course, None)), html(_modules_html(the_track, None))
    record = take_home_record(journal=journal, course=course, track=the_track.id)
    record.add_class("gapkit-widget")
    page = HomePage([intro, status, record, modules], course=course, track=the_track, status=status,
                    modules=modules)
    page.record = record

    def refresh():
        known = submitted if submitted is not None else _progress.submitted_assignments()
        try:
            state = _progress.course_progress(course, journal, submitted=known, kit=kit, track=track)
        except Exception as exc:  # never a traceback: say so, and log it
            log.error("course home: %s", exc, exc_info=exc)
            message = (str(exc) if isinstance(exc, _journal.JournalError) else
                       "Your progress could not be read. Please tell your facilitator; the details are in the log.")
            status.value = ('<section class="gapkit-next" aria-labelledby="next-step"><h2 id="next-step">Your next '
                            f'step</h2><p class="gapkit-problem" role="alert">{esc(message)}</p></section>')
            return
        page.progress = state
        status.value = _status_html(course, state)
        modules.value = _modules_html(the_track, state)

    when_requested(refresh)
    return page
