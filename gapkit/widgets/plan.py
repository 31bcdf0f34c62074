"""The action plan: focus goals with a baseline from the data, saved in the journal, exported to Markdown and HTML.

A focus goal names the gap to close (comparison, subject, measure), its baseline from the sample
district, a target, a date, an owner, the stakeholders involved and the strategy. The plan is
saved in the journal at every change and exported to two files the participant can take to their
team (``action-plan.md`` and ``action-plan.html``, next to the journal).
"""
from __future__ import annotations

import base64
import datetime as _dt
import html as _html
import secrets
import threading
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import ipywidgets as w
from ipywidgets.widgets.widget_string import TextStyle
from ipywidgets.widgets.widget_description import DescriptionStyle

from gapkit import journal as _journal
from gapkit.measures import EXPLORE
from gapkit.records import SUBJECTS
from gapkit.widgets._common import (WHERE_SAVED, Headless, esc, get_course, html, log, markdown_html,
                                    shared, status_html, watching)
from gapkit.widgets._request import when_requested
from gapkit.widgets.explorer import COMPARISONS, explore, measure_label, subject_label

__all__ = ["Goal", "Plan", "ExportResult", "baseline_sentence", "plan_markdown", "plan_html", "export_plan",
           "ActionPlanWidget", "action_plan"]

GOALS = 3
NOT_CHOSEN = "(choose)"


@dataclass(frozen=True)
class Goal:
    """One focus goal of an action plan (every field is text, empty when not filled in)."""

    focus: str = ""
    comparison: str = ""
    subject: str = ""
    measure: str = ""
    baseline: str = ""
    target: str = ""
    date: str = ""
    owner: str = ""
    stakeholders: str = ""
    strategy: str = ""

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name).strip() for f in fields(self))


@dataclass(frozen=True)
class Plan:
    """An action plan: its id, title and goals."""

    plan_id: str
    title: str
    goals: tuple[Goal, ...]

    def to_json(self) -> dict:
        return {"title": self.title, "goals": [asdict(g) for g in self.goals]}

    @classmethod
    def from_json(cls, plan_id: str, data) -> "Plan":
        data = data if isinstance(data, dict) else {}
        names = {f.name for f in fields(Goal)}
        goals = []
        for g in data.get("goals") or []:
            if isinstance(g, dict):
                goals.append(Goal(**{k: str(v) for k, v in g.items() if k in names and v is not None}))
        return cls(plan_id, str(data.get("title") or "My action plan"), tuple(goals))


@dataclass(frozen=True)
class ExportResult:
    """Where an exported plan was written."""

    markdown_path: str
    html_path: str


def baseline_sentence(records, *, comparison: str, subject: str, measure: str, min_n: int) -> str:
    """The district's gap for the latest year, all grades, as a sentence (suppressed when too small)."""
    return explore(records, subject=subject, measure=measure, comparison=comparison, min_n=min_n).sentence


_LABELS = {
    "focus": "Focus", "comparison": "Gap to close", "subject": "Subject", "measure": "Measure",
    "baseline": "Baseline (sample district data)", "target": "Target", "date": "By when", "owner": "Owner",
    "stakeholders": "Stakeholders involved", "strategy": "Strategy",
}


def _shown(goal: Goal, name: str) -> str:
    value = getattr(goal, name)
    if name == "subject":
        return subject_label(value) if value in SUBJECTS else value
    if name == "measure":
        return measure_label(value) if value in EXPLORE else value
    return value


def plan_markdown(plan: Plan) -> str:
    """The plan as a Markdown document (empty goals left out)."""
    out = [f"# {plan.title}", "", f"_Written {_dt.date.today():%d %B %Y}._", ""]
    goals = [g for g in plan.goals if not g.is_empty()]
    if not goals:
        out += ["_No focus goals written yet._", ""]
    for i, goal in enumerate(goals, start=1):
        out += [f"## Focus goal {i}: {goal.focus or 'untitled'}", ""]
        for name, label in _LABELS.items():
            if name == "focus":
                continue
            value = _shown(goal, name).strip()
            if value:
                value = value.replace("\n", "\n  ")
                out.append(f"- **{label}:** {value}")
        out.append("")
    return "\n".join(out)


_PLAN_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }
h1 { font-size: 1.8rem; } h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 2px solid #0072B2; }
dt { font-weight: 600; margin-top: 0.6rem; } dd { margin-left: 0; white-space: pre-wrap; }
"""


def plan_html(plan: Plan) -> str:
    """The plan as a standalone, printable HTML document (no external resources)."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{_html.escape(plan.title)}</title><style>{_PLAN_CSS}</style></head><body><main>",
             f"<h1>{_html.escape(plan.title)}</h1>", f"<p><em>Written {_dt.date.today():%d %B %Y}.</em></p>"]
    goals = [g for g in plan.goals if not g.is_empty()]
    if not goals:
        parts.append("<p><em>No focus goals written yet.</em></p>")
    for i, goal in enumerate(goals, start=1):
        parts.append(f"<section><h2>Focus goal {i}: {_html.escape(goal.focus or 'untitled')}</h2><dl>")
        for name, label in _LABELS.items():
            value = _shown(goal, name).strip()
            if name != "focus" and value:
                parts.append(f"<dt>{_html.escape(label)}</dt><dd>{_html.escape(value)}</dd>")
        parts.append("</dl></section>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def export_plan(plan: Plan, folder) -> ExportResult:
    """Write ``action-plan.md`` and ``action-plan.html`` into `folder` (atomic writes); return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = "action-plan" if plan.plan_id in ("", "action-plan") else f"action-plan-{plan.plan_id}"
    md, page = folder / f"{stem}.md", folder / f"{stem}.html"
    for path, text in ((md, plan_markdown(plan)), (page, plan_html(plan))):
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return ExportResult(str(md), str(page))


class _GoalEditor(w.VBox):
    def __init__(self, number: int, goal: Goal, on_change, on_baseline):
        style = shared(DescriptionStyle, description_width="11em")
        text_style = shared(TextStyle, description_width="11em")
        wide = shared(w.Layout, width="100%")
        self.number = number
        self.focus = w.Text(value=goal.focus, description="Focus", placeholder="What will change, for whom?",
                            style=text_style, layout=wide)
        self.comparison = w.Dropdown(description="Gap to close", style=style,
                                     options=[NOT_CHOSEN, *COMPARISONS],
                                     value=goal.comparison if goal.comparison in COMPARISONS else NOT_CHOSEN)
        narrow = shared(DescriptionStyle, description_width="initial")
        narrow_text = shared(TextStyle, description_width="initial")
        self.subject = w.Dropdown(description="Subject", style=narrow, options=[(subject_label(k), k) for k in SUBJECTS],
                                  value=goal.subject if goal.subject in SUBJECTS else "math")
        self.measure = w.Dropdown(description="Measure", style=narrow,
                                  options=[(measure_label(k), k) for k in EXPLORE],
                                  value=goal.measure if goal.measure in EXPLORE else "percent_proficient")
        self.baseline_text = goal.baseline
        self.baseline = html(self._baseline_html())
        self.target = w.Text(value=goal.target, description="Target", style=text_style, layout=wide,
                             placeholder="e.g. gap below 20 percentage points")
        self.date = w.Text(value=goal.date, description="By when", style=text_style,
                           placeholder="e.g. June 2026")
        self.owner = w.Text(value=goal.owner, description="Owner", style=narrow_text, placeholder="Who leads this?")
        self.stakeholders = w.Text(value=goal.stakeholders, description="Stakeholders", style=text_style, layout=wide,
                                   placeholder="e.g. EL teachers, families, support staff, students")
        self.strategy = w.Textarea(value=goal.strategy, description="Strategy", style=text_style, layout=wide, rows=4,
                                   placeholder="What will the team do, and how will you know it is working?")
        super().__init__(children=[
            html(f'<h4 class="gapkit-goal-title">Focus goal {number}</h4>'), self.focus,
            w.HBox([self.comparison, self.subject, self.measure], layout=shared(w.Layout, flex_flow="row wrap")),
            self.baseline, self.target, w.HBox([self.date, self.owner], layout=shared(w.Layout, flex_flow="row wrap")),
            self.stakeholders, self.strategy])
        self.add_class("gapkit-goal")
        for control in (self.focus, self.target, self.date, self.owner, self.stakeholders, self.strategy):
            control.observe(on_change, names="value")
        for control in (self.comparison, self.subject, self.measure):
            control.observe(lambda change: on_baseline(self), names="value")

    def _baseline_html(self) -> str:
        text = self.baseline_text or "Choose the gap to close to see its baseline in the sample district."
        return f'<p class="gapkit-baseline" role="status"><strong>Baseline:</strong> {esc(text)}</p>'

    def set_goal(self, goal: Goal) -> None:
        """Show a saved goal (the controls' observers are the caller's to silence)."""
        for name in ("focus", "target", "date", "owner", "stakeholders", "strategy"):
            getattr(self, name).value = getattr(goal, name)
        self.comparison.value = goal.comparison if goal.comparison in COMPARISONS else NOT_CHOSEN
        self.subject.value = goal.subject if goal.subject in SUBJECTS else "math"
        self.measure.value = goal.measure if goal.measure in EXPLORE else "percent_proficient"
        self.baseline_text = goal.baseline
        self.baseline.value = self._baseline_html()

    def goal(self) -> Goal:
        comparison = self.comparison.value if self.comparison.value != NOT_CHOSEN else ""
        return Goal(focus=self.focus.value, comparison=comparison, subject=self.subject.value if comparison else "",
                    measure=self.measure.value if comparison else "", baseline=self.baseline_text,
                    target=self.target.value, date=self.date.value, owner=self.owner.value,
                    stakeholders=self.stakeholders.value, strategy=self.strategy.value)


class ActionPlanWidget(Headless, w.VBox):
    """Up to three focus goals, saved at every change, and an export button. Build with `action_plan`.

    Attributes
    ----------
    goals : list of _GoalEditor
        Each with ``focus``, ``comparison``, ``subject``, ``measure``, ``target``, ``date``, ``owner``,
        ``stakeholders`` and ``strategy`` controls.
    export_button : ipywidgets.Button
    result : Plan
        The plan as last saved.
    exported : ExportResult or None
    """

    def __init__(self, *, plan_id: str, journal: _journal.Journal, records_loader, min_n: int, note: str = "",
                 out_dir=None, deferred: bool = False):
        self.plan_id = plan_id
        self.journal = journal
        self._records_loader = records_loader
        self.min_n = min_n
        self.out_dir = Path(out_dir) if out_dir is not None else journal.path.parent
        self.exported: ExportResult | None = None
        self._base: int | None = None
        self._conflict = False
        self._loading = False
        self._lock = threading.RLock()
        self._writer = secrets.token_hex(6)
        self.status = html("")
        self.result = Plan(plan_id, "My action plan", ())
        self.title = w.Text(value=self.result.title, description="Plan title", style={"description_width": "11em"},
                            layout=w.Layout(width="100%"))
        self.title.observe(self._on_change, names="value")
        self.goals = [_GoalEditor(i + 1, Goal(), self._on_change, self._on_baseline) for i in range(GOALS)]
        self.export_button = w.Button(description="Save my plan as Markdown and HTML", button_style="primary",
                                      layout=shared(w.Layout, width="auto", align_self="flex-start"),
                                      tooltip="Write action-plan.md and action-plan.html to take to your team")
        self.export_button.on_click(lambda _: self.export())
        self.export_status = html("")
        head = '<h3 class="gapkit-widget-title">Action plan</h3>'
        if note:
            head += f'<div class="gapkit-plan-note">{markdown_html(note)}</div>'
        super().__init__(children=[html(head), self.title, *self.goals, self.status, self.export_button,
                                   self.export_status])
        self.add_class("gapkit-plan")
        if not deferred:
            self.refresh()

    def refresh(self) -> None:
        """Read the saved plan now and show it (what a page does once it is requested)."""
        with self._lock:
            try:
                saved = Plan.from_json(self.plan_id, self.journal.get("plans", self.plan_id))
                self._base = self.journal.revision("plans", self.plan_id)
            except _journal.JournalError as exc:
                self.status.value = status_html(str(exc), problem=True)
                return
            self._loading = True
            try:
                self.title.value = saved.title
                goals = list(saved.goals) + [Goal()] * (GOALS - len(saved.goals))
                for editor, goal in zip(self.goals, goals):
                    editor.set_goal(goal)
            finally:
                self._loading = False
            self._conflict = False
            self.result = saved
            self.status.value = status_html(self.journal.problem, warning=True) if self.journal.problem else ""
        if watching():
            self.journal.watch(self._on_journal_change)

    def plan(self) -> Plan:
        """The plan as the controls show it now."""
        return Plan(self.plan_id, self.title.value.strip() or "My action plan", tuple(g.goal() for g in self.goals))

    def save(self) -> Plan:
        """Save the plan to the journal now (what every change does)."""
        with self._lock:
            plan = self.plan()
            try:
                saved = self.journal.put("plans", self.plan_id, {**plan.to_json(), "saved_at": _journal._now()},
                                         base_revision=self._base, writer=self._writer)
            except (_journal.JournalError, _journal.AnswerTooLong) as exc:
                self.status.value = status_html(str(exc), problem=True)
                log.error("plan %s: %s", self.plan_id, exc)
                return plan
            self.result = plan
            if saved.conflict:
                self._conflict = True
                self.status.value = status_html(
                    "This plan was changed in another tab or window, so these changes were not saved over it: they "
                    "are kept as a separate copy in your journal. Reload this page to see the newer plan.", problem=True)
                return plan
            self._base = saved.revision
            message = f"Plan saved at {_dt.datetime.now():%H:%M:%S} in {WHERE_SAVED}."
            self.status.value = (status_html(f"{message} {self.journal.problem}", warning=True) if self.journal.problem
                                 else status_html(message, saved=True))
            return plan

    def _on_journal_change(self):
        with self._lock:
            if self._conflict:
                return
            try:
                revision = self.journal.revision("plans", self.plan_id)
            except _journal.JournalError as exc:
                self.status.value = status_html(str(exc), problem=True)
                return
            if self.journal.problem:
                self.status.value = status_html(self.journal.problem, warning=True)
            elif self._base is not None and revision != self._base:
                self.status.value = status_html("This plan was changed in another tab or window. Reload this page "
                                                "to see it; changes made here would be kept as a separate copy.",
                                                warning=True)

    def _on_change(self, change):
        if not self._loading:
            self.save()

    def _on_baseline(self, editor: _GoalEditor):
        if self._loading:  # a saved goal being shown brings its saved baseline
            return
        if editor.comparison.value == NOT_CHOSEN:
            editor.baseline_text = ""
        else:
            try:
                editor.baseline_text = baseline_sentence(self._records_loader(), comparison=editor.comparison.value,
                                                         subject=editor.subject.value, measure=editor.measure.value,
                                                         min_n=self.min_n)
            except Exception as exc:  # never a traceback on the page
                log.error("plan baseline: %s", exc, exc_info=exc)
                editor.baseline_text = "The baseline could not be computed for this choice."
        editor.baseline.value = editor._baseline_html()
        if not self._loading:
            self.save()

    def export(self) -> ExportResult | None:
        """Write the plan to Markdown and HTML files and offer them as downloads."""
        plan = self.save()
        try:
            self.exported = export_plan(plan, self.out_dir)
        except OSError as exc:
            log.error("plan export: %s", exc)
            self.export_status.value = status_html(f"Could not write the files ({exc.strerror}).", problem=True)
            return None
        links = []
        for path, mime in ((self.exported.markdown_path, "text/markdown"), (self.exported.html_path, "text/html")):
            data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
            links.append(f'<a download="{esc(Path(path).name)}" href="data:{mime};charset=utf-8;base64,{data}">'
                         f"Download {esc(Path(path).name)}</a>")
        self.export_status.value = (f'<p role="status">Saved {esc(Path(self.exported.markdown_path).name)} and '
                                    f"{esc(Path(self.exported.html_path).name)} beside your course journal. "
                                    f"{' · '.join(links)}</p>")
        return self.exported

    def markdown(self) -> str:
        return plan_markdown(self.result)


def action_plan(plan_id: str = "action-plan", *, journal=None, records=None, note: str = "", course=None,
                out_dir=None) -> ActionPlanWidget:
    """The action-plan builder: focus goals saved in the journal, exported to Markdown and HTML.

    Parameters
    ----------
    plan_id : str
        Key of the plan in the journal (one plan per id).
    journal : gapkit.journal.Journal or path-like, optional
        Default ``Journal()``.
    records : DataFrame, optional
        Student records for baselines (default: the course's sample district, loaded when first needed).
    note : str, optional
        Markdown shown above the goals (the text of a ``plan`` block).
    course : gapkit.content.Course, optional
    out_dir : path-like, optional
        Where exports are written (default: the journal's folder).
    """
    if not isinstance(plan_id, str) or not plan_id.strip():
        raise ValueError(f"`plan_id` must be a non-empty string; got {plan_id!r}.")
    if journal is None or not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    course_obj = get_course(course)

    def loader():
        if records is not None:
            return records
        from gapkit.widgets.explorer import course_records
        return course_records(course_obj)

    widget = ActionPlanWidget(plan_id=plan_id, journal=journal, records_loader=loader, min_n=course_obj.min_n,
                              note=note, out_dir=out_dir, deferred=True)
    when_requested(widget.refresh)  # in a preheated Voila kernel, the saved plan is read once the page is asked for
    return widget
