"""The lesson page: a module of the course, built from its blocks, with widgets where the blocks ask for them.

Text blocks become HTML under the module's headings (one ``h1`` per page, ``h2`` for sections,
``h3`` for widgets and boxes) so screen-reader users can move by heading; reflection, check,
explore and plan blocks become widgets; instructor blocks are never shown to participants. No
traceback ever reaches the page: a block that fails becomes a short message and a log entry.
"""
from __future__ import annotations

import ipywidgets as w

from gapkit import journal as _journal
from gapkit.serve import HOME_NOTEBOOK
from gapkit.widgets._common import Headless, esc, get_course, html, log, markdown_html, problem_box, shared

__all__ = ["HOME_NOTEBOOK", "STYLE", "LessonPage", "lesson", "home", "HomePage", "lesson_filename", "HIDDEN_KINDS"]


#: Block kinds participants never see.
HIDDEN_KINDS = ("instructor",)

#: The course's page style: readable measure, Okabe-Ito accents, visible keyboard focus. No web fonts, no CDN.
STYLE = """
<style>
/* Voila page: one centred reading column, no output prompts. */
.jp-OutputArea-prompt, .jp-InputPrompt { display: none !important; }
body .jp-Cell, body .jp-Notebook-cell { max-width: 64rem; margin-left: auto !important; margin-right: auto !important; }
.jp-RenderedMarkdown h1, .gapkit-page h1 { font-size: 2rem; line-height: 1.2; margin: 1.2rem 0 0.4rem; }
.gapkit-page { max-width: 62rem; margin: 0; padding: 0 0 4rem; color: #1a1a1a; }
.jp-OutputArea-output:has(> .gapkit-page) { padding-left: 0; }
.gapkit-box > h2 { margin-top: 0.6rem; }
.gapkit-page .widget-html-content, .gapkit-page .widget-html { line-height: 1.55; font-size: 15px;
  white-space: normal; overflow: visible; }
.gapkit-page .widget-html-content { width: 100%; }
.gapkit-page h1 { font-size: 2rem; line-height: 1.2; margin: 1.2rem 0 0.4rem; }
.gapkit-page h2 { font-size: 1.45rem; line-height: 1.25; margin: 2rem 0 0.6rem; padding-bottom: 0.2rem;
  border-bottom: 2px solid #0072B2; }
.gapkit-page h3 { font-size: 1.15rem; margin: 1.2rem 0 0.4rem; }
.gapkit-page h4 { font-size: 1.02rem; margin: 1rem 0 0.3rem; }
.gapkit-page p, .gapkit-page li { max-width: 48rem; }
.gapkit-page table { border-collapse: collapse; margin: 0.6rem 0; font-size: 14px; }
.gapkit-page th, .gapkit-page td { border: 1px solid #c8c8c8; padding: 0.3rem 0.55rem; text-align: left;
  vertical-align: top; }
.gapkit-page thead th { background: #eef3f8; }
.gapkit-page caption { text-align: left; font-weight: 600; padding: 0.3rem 0; caption-side: top; }
.gapkit-kicker { color: #4a4a4a; font-size: 0.95rem; margin: 0; }
.gapkit-nav { font-size: 0.95rem; margin: 0.6rem 0; }
.gapkit-nav a, .gapkit-page a { color: #005a8c; }
.gapkit-box { border-left: 5px solid #0072B2; background: #f2f7fb; padding: 0.4rem 1rem 0.6rem; margin: 1rem 0;
  border-radius: 3px; }
.gapkit-box-label { font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; font-size: 0.8rem;
  color: #3b3b3b; margin: 0.4rem 0 0; }
.gapkit-callout { border-left-color: #0072B2; }
.gapkit-discussion { border-left-color: #009E73; background: #eef8f4; }
.gapkit-questions { border-left-color: #CC79A7; background: #faf1f6; }
.gapkit-challenge { border-left-color: #E69F00; background: #fdf6e8; }
.gapkit-keypoints { border-left-color: #000000; background: #f4f4f4; }
.gapkit-objectives { border-left-color: #56B4E9; background: #f0f8fd; }
.gapkit-widget { border: 1px solid #c9d6e2; border-radius: 6px; padding: 0.4rem 1rem 1rem; margin: 1.2rem 0;
  background: #ffffff; box-shadow: 0 1px 2px rgba(0,0,0,0.05); }
.gapkit-widget-title { margin-top: 0.6rem !important; }
.gapkit-page details summary { cursor: pointer; font-weight: 600; margin: 0.4rem 0; }
.gapkit-page :focus-visible, .gapkit-page select:focus, .gapkit-page textarea:focus, .gapkit-page input:focus,
.gapkit-page button:focus { outline: 3px solid #E69F00; outline-offset: 2px; }
.gapkit-page .widget-label, .gapkit-page .widget-label-basic, .gapkit-page .widget-radio-box label,
.gapkit-page select, .gapkit-page input, .gapkit-page button { font-size: 14px; }
.gapkit-page .widget-label, .gapkit-page .widget-label-basic, .gapkit-page .widget-radio-box label {
  white-space: normal; overflow: visible; line-height: 1.4; height: auto; }
.gapkit-page .widget-radio-box label { margin: 0.25rem 0; align-items: flex-start; }
.gapkit-page .widget-radio-box label input { margin-top: 0.25rem; }
.gapkit-page .widget-checkbox { height: auto; width: 100%; }
.gapkit-page .widget-checkbox .widget-label-basic { align-items: flex-start; }
.gapkit-page .widget-checkbox .widget-label-basic span { white-space: normal; line-height: 1.4; }
.gapkit-page .widget-radio, .gapkit-page .widget-radio-box { height: auto; width: 100%; }
.gapkit-page textarea { font-size: 15px; line-height: 1.5; font-family: inherit; }
.gapkit-status { color: #3b3b3b; font-size: 0.9rem; margin: 0.2rem 0 0 1rem; }
.gapkit-status-problem, .gapkit-problem { color: #8a2c00; border-left: 5px solid #D55E00; background: #fdf0e8;
  padding: 0.4rem 0.8rem; }
.gapkit-wordcount { font-size: 0.9rem; color: #3b3b3b; margin: 0.2rem 0; }
.gapkit-feedback { padding: 0.3rem 0.8rem; border-left: 5px solid #0072B2; background: #f2f7fb; margin-top: 0.5rem; }
.gapkit-right { border-left-color: #009E73; background: #eef8f4; }
.gapkit-wrong { border-left-color: #D55E00; background: #fdf0e8; }
.gapkit-sentence-text { font-size: 1.05rem; font-weight: 500; border-left: 5px solid #0072B2; padding: 0.3rem 0.8rem;
  background: #f2f7fb; }
.gapkit-chart { display: block; margin: 0.5rem 0; }
.gapkit-table-wrap { overflow-x: auto; }
.gapkit-suppressed { color: #4a4a4a; font-style: italic; }
.gapkit-goal { border-top: 1px solid #d9d9d9; margin-top: 0.6rem; padding-top: 0.2rem; }
.gapkit-home-list { list-style: none; padding: 0; }
.gapkit-home-list > li { border: 1px solid #d0dbe5; border-radius: 6px; padding: 0.4rem 1rem 0.8rem; margin: 0.8rem 0; }
.gapkit-home-list h2 { border: none; margin-top: 0.4rem; font-size: 1.25rem; }
.gapkit-footer { margin-top: 3rem; font-size: 0.92rem; color: #333; }
</style>
"""

_BOXES = {
    "callout": ("gapkit-callout", "Note", "note"),
    "discussion": ("gapkit-discussion", "Discuss with colleagues", None),
    "questions": ("gapkit-questions", "Questions to consider", None),
    "challenge": ("gapkit-challenge", "Try it", None),
}


def lesson_filename(module) -> str:
    """The lesson notebook of a module: ``<module id>.ipynb`` (ids start with their course number)."""
    return f"{module.id}.ipynb"


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


def _nav(course, module) -> str:
    index = [m.id for m in course.modules].index(module.id)
    links = [f'<a href="{HOME_NOTEBOOK}">Course home</a>']
    if index > 0:
        prev = course.modules[index - 1]
        links.append(f'<a href="{lesson_filename(prev)}" rel="prev">Previous: {esc(prev.title)}</a>')
    if index + 1 < len(course.modules):
        nxt = course.modules[index + 1]
        links.append(f'<a href="{lesson_filename(nxt)}" rel="next">Next: {esc(nxt.title)}</a>')
    return f'<nav class="gapkit-nav" aria-label="Course">{" · ".join(links)}</nav>'


def _widget_for(block, *, course, journal, records):
    from gapkit.widgets.check import knowledge_check
    from gapkit.widgets.explorer import gap_explorer
    from gapkit.widgets.plan import action_plan
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
    if block.kind == "plan":
        return action_plan(journal=journal, records=records, note=block.text, course=course)
    if block.kind == "assessment":
        from gapkit.widgets.assessment import self_assessment

        return self_assessment(data["phase"], track=data.get("track"), journal=journal, course=course)
    return None


def lesson(module_id: str, *, course=None, journal=None, records=None, heading: bool = True) -> LessonPage:
    """The lesson page of one module, built from ``modules/<module_id>.md``.

    Parameters
    ----------
    module_id : str
        A module id listed in ``course_config/course.yaml`` (e.g. ``"01-what-gaps-are"``).
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
        if journal is None or not isinstance(journal, _journal.Journal):
            journal = _journal.Journal(journal)
    except Exception as exc:
        return LessonPage([html(STYLE), problem_box(
            "The lesson could not be loaded. Please tell your facilitator; the details are in the log.",
            exc=exc, context=f"lesson {module_id!r}")])
    children, widgets, pending = [html(STYLE)], [], []
    minutes = f"{module.minutes_teaching} min teaching, {module.minutes_exercises} min exercises"
    title = f"<h1>{esc(module.title)}</h1>" if heading else ""
    pending.append(f'<header>{_nav(course, module)}{title}<p class="gapkit-kicker">Module {module.number} · '
                   f'{esc(module.domain)} · {minutes}</p></header>')

    def flush():
        if pending:
            children.append(html("".join(pending)))
            pending.clear()

    for block in module.blocks:
        if block.kind in HIDDEN_KINDS:
            continue
        try:
            block_html = _block_html(block)
            if block_html is not None:
                pending.append(block_html)
                continue
            widget = _widget_for(block, course=course, journal=journal, records=records)
        except Exception as exc:
            flush()
            children.append(problem_box("This part of the lesson could not be shown; the problem was noted in "
                                        "the log.", exc=exc, context=f"{module.id} {block.kind} block line "
                                        f"{block.line}"))
            continue
        if widget is None:
            log.warning("%s: block kind %r has no view", module.id, block.kind)
            continue
        flush()
        widget.add_class("gapkit-widget")
        children.append(widget)
        widgets.append(widget)
    if module.sources:
        items = "".join(f"<li>{markdown_html(s.citation()).strip().removeprefix('<p>').removesuffix('</p>')}</li>"
                        for s in module.sources)
        pending.append(f'<footer class="gapkit-footer"><h2>Sources</h2><ul>{items}</ul>{_nav(course, module)}'
                       "</footer>")
    flush()
    return LessonPage(children, module=module, widgets=widgets)


class HomePage(LessonPage):
    """The course home page; `course` is None when the course could not be loaded."""

    def __init__(self, children, *, course=None):
        super().__init__(children)
        self.course = course

    def markdown(self) -> str:
        if self.course is None:
            return "_The course could not be loaded._\n"
        lines = [f"# {self.course.title}", ""]
        lines += [f"{m.number}. {m.title} ({m.minutes_teaching + m.minutes_exercises} min)" for m in self.course.modules]
        return "\n".join(lines) + "\n"


def home(*, course=None, heading: bool = True) -> HomePage:
    """The course home page: every module in order, with its objectives, minutes and a link to its lesson."""
    try:
        course = get_course(course)
    except Exception as exc:
        return HomePage([html(STYLE), problem_box(
            "The course could not be loaded. Please tell your facilitator; the details are in the log.",
            exc=exc, context="course home")])
    total = sum(m.minutes_teaching + m.minutes_exercises for m in course.modules)
    title = f"<h1>{esc(course.title)}</h1>" if heading else ""
    parts = [f'<header>{title}<p class="gapkit-kicker">{esc(course.cohort)}</p>'
             f"<p>{len(course.modules)} modules, about {total / 60:.1f} hours in all. Open a module to read it, "
             "explore the sample district's data and write your reflections; your answers are saved as you type."
             "</p></header>", '<nav aria-label="Modules"><ol class="gapkit-home-list">']
    for m in course.modules:
        objectives = "".join(f"<li>{markdown_html(o).strip().removeprefix('<p>').removesuffix('</p>')}</li>"
                             for o in m.objectives)
        parts.append(
            f'<li><p class="gapkit-kicker">Module {m.number} · {esc(m.domain)} · {m.minutes_teaching} min teaching, '
            f"{m.minutes_exercises} min exercises</p>"
            f'<h2><a href="{lesson_filename(m)}">{esc(m.title)}</a></h2>'
            f"<p>You will be able to:</p><ul>{objectives}</ul></li>")
    parts.append("</ol></nav>")
    return HomePage([html(STYLE), html("".join(parts))], course=course)
