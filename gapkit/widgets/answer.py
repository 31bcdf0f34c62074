"""A practice exercise answered without code: what to read, and an answer box.

The no-code route of a practice analysis: the exercise shows the evidence (a preset gap explorer,
a gap table or an English-proficiency view), and the participant types a number or picks an
option. Every change is saved to the journal (section ``answers``), which nbgrader collects with
the notebook, exactly as reflections are; `practice_answer` reads it back in the autograded test
cell. Executed without a browser, the widget shows the saved answer as Markdown.
"""
from __future__ import annotations

import datetime as _dt
import re

import ipywidgets as w
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import TextStyle

from gapkit import journal as _journal
from gapkit.widgets._common import Headless, display_mode, esc, get_course, html, log, shared, status_html

__all__ = ["TaskWidget", "task_widget", "practice_answer", "parse_number", "answer_key", "task_view"]

_NUMBER = re.compile(r"[-+−]?\d+(?:[.,]\d+)?")


def answer_key(task) -> str:
    """The task's key in the journal's ``answers`` section: ``<module id>:<task id>``."""
    return f"{task.module_id}:{task.id}"


def parse_number(text: str) -> float | None:
    """The number a participant typed ("28", "28.5", "-0.6", "28%", "0,45"), or None when there is none.

    >>> parse_number("about 28.5 points"), parse_number("−0,6"), parse_number("none")
    (28.5, -0.6, None)
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a string; got {type(text).__name__}.")
    found = _NUMBER.findall(text)
    if len(found) != 1:
        return None
    return float(found[0].replace("−", "-").replace(",", "."))


def task_view(task, records, *, min_n: int, hidden=None):
    """The evidence a no-code task shows: a preset explorer, a gap table or an English-proficiency view.

    `hidden` (a `gapkit.lesson_privacy.HiddenCells`) is hidden too in the explorer, and in a gap table
    of a subject's scores for one year and a named comparison: those are the views it covers."""
    if not task.show:
        return None
    kind, spec = next(iter(task.show.items()))
    if kind == "explore":
        from gapkit.widgets.explorer import gap_explorer

        presets = {k: spec.get(k) for k in ("subject", "measure", "school", "grade", "year") if spec.get(k) is not None}
        return gap_explorer(records, min_n=min_n, look_for=spec.get("look_for"), group=spec["group"],
                            focal=spec["focal"], reference=spec.get("reference"), hidden=hidden, **presets)
    if kind == "proficiency":
        from gapkit.widgets.proficiency import proficiency_view

        return proficiency_view(records, min_n=min_n, **{k: v for k, v in spec.items()})
    from gapkit import views
    from gapkit.records import subject_of
    from gapkit.tables import gap_table
    from gapkit.widgets.explorer import COMPARISONS, comparison_for

    data, where = records, []
    for column, key in (("school_name", "school"), ("grade", "grade"), ("year", "year")):
        if spec.get(key) is not None:
            data = data[data[column] == spec[key]]
            where.append(views.school_year(spec[key]) if key == "year" else
                         (f"grade {spec[key]}" if key == "grade" else str(spec[key])))
    by = tuple(spec.get("by") or ())
    table = gap_table(data, spec["outcome"], spec["group"], focal=spec["focal"], reference=spec.get("reference"),
                      by=by, measures=list(spec["measures"]), levels=spec.get("levels"), min_n=min_n)
    words = comparison_for(spec["group"], spec["focal"], spec.get("reference"))
    subject = subject_of(spec["outcome"])
    if hidden is not None and subject and words.name in COMPARISONS and spec.get("year") is not None:
        table = hidden.hide(table, school=spec.get("school"), comparison=words.name, subject=subject,
                            year=spec["year"], grade=spec.get("grade", "All"))
    sentences = []
    for _, row in table.iterrows():
        cell = ", ".join([*(str(row[b]) for b in by), *where]) or "All students"
        sentences.append(views.gap_sentence(row, focal_name=words.focal_words, reference_name=words.reference_words,
                                            cell=cell))
    caption = spec.get("caption") or f"{spec['outcome']} by {spec['group']}. Groups under {min_n} students are suppressed."
    items = "".join(f"<li>{esc(s)}</li>" for s in sentences)
    return html(f'<ul class="gapkit-sentences">{items}</ul><details class="gapkit-table-details"><summary>Show the '
                f'table</summary><div class="gapkit-table-wrap">{views.table_html(table, caption=caption)}</div></details>')


class TaskWidget(Headless, w.VBox):
    """A no-code practice exercise. Build it with `task_widget`.

    Attributes
    ----------
    task : gapkit.content.Task
    box : ipywidgets.Text (a number) or ipywidgets.RadioButtons (a choice; values are option letters)
    result : dict or None
        The last saved answer: ``{"text", "value", "saved_at"}``.
    """

    def __init__(self, task, *, journal: _journal.Journal, view=None):
        self.task = task
        self.journal = journal
        self.result = None
        saved = None
        try:
            saved = journal.get("answers", answer_key(task))
        except (_journal.JournalError, OSError) as exc:
            log.error("task %s: %s", answer_key(task), exc)
        saved = saved if isinstance(saved, dict) else None
        self.result = saved
        if task.input == "choice":
            letters = [chr(65 + i) for i in range(len(task.options))]
            value = saved.get("value") if saved and saved.get("value") in letters else None
            self.box = w.RadioButtons(options=[(f"{ltr}. {text}", ltr) for ltr, text in zip(letters, task.options)],
                                      value=value, description="Your answer:", layout=shared(w.Layout, width="100%"),
                                      style=shared(DescriptionStyle, description_width="initial"))
        else:
            unit = f" ({task.unit})" if task.unit else ""
            self.box = w.Text(value=(saved or {}).get("text", ""), description=f"Your answer{unit}",
                              placeholder="A number, such as 12.5", continuous_update=True,
                              layout=shared(w.Layout, width="32em"), style=shared(TextStyle, description_width="initial"))
        self.status = html(status_html("Saved as you answer, in the journal submitted with this notebook."))
        parts = [html('<h3 class="gapkit-widget-title">Answer without code</h3>')]
        if view is not None:
            parts.append(view)
        parts += [self.box, self.status]
        super().__init__(children=parts, layout=shared(w.Layout, width="100%"))
        self.add_class("gapkit-task")
        self.box.observe(self._on_value, names="value")

    def save(self):
        """Save the answer now (what every change of ``box.value`` does); return what was saved."""
        raw = self.box.value
        if self.task.input == "choice":
            text, value = str(raw or ""), raw
        else:
            text, value = str(raw), parse_number(str(raw))
        entry = {"text": text, "value": value,
                 "saved_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
        try:
            self.journal.put("answers", answer_key(self.task), entry)
        except (_journal.JournalError, OSError) as exc:
            self.status.value = status_html(str(exc), problem=True)
            log.error("task %s: %s", answer_key(self.task), exc)
            return None
        self.result = entry
        if self.task.input == "number" and text.strip() and value is None:
            self.status.value = status_html("Saved, but this is not one number yet: write digits, such as 12.5.",
                                            problem=True)
        else:
            self.status.value = status_html(f"Saved at {_dt.datetime.now():%H:%M:%S}.")
        return entry

    def _on_value(self, change):
        self.save()

    def markdown(self) -> str:
        given = (self.result or {}).get("text", "")
        if given and self.task.input == "choice":
            index = ord(given) - 65
            if 0 <= index < len(self.task.options):
                given = f"{given}. {self.task.options[index]}"
        return f"**Your answer** (`{self.task.id}`): " + (esc(given) if given else "_no answer was given._") + "\n"



def task_widget(task_id: str, *, module: str, journal=None, records=None, course=None) -> TaskWidget:
    """A no-code practice exercise from ``modules/``: the evidence and an answer box.

    Parameters
    ----------
    task_id : str
        The id of a ``task`` block of `module`.
    module : str
        The module id.
    journal : gapkit.journal.Journal or path-like, optional
        Default ``Journal()`` (the assignment folder's ``reflections.json``).
    records : DataFrame, optional
        The records the evidence is computed from (default: the course's sample district).
    course : gapkit.content.Course, optional
    """
    course_obj = get_course(course)
    task = course_obj.task(module, task_id)
    if journal is None or not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    view = None
    if task.show and display_mode() == "widget":
        hidden = None
        if records is None:
            from gapkit.lesson_privacy import course_hidden_cells
            from gapkit.widgets.explorer import course_records

            records, hidden = course_records(course_obj), course_hidden_cells(course_obj)
        view = task_view(task, records, min_n=course_obj.min_n, hidden=hidden)
    return TaskWidget(task, journal=journal, view=view)


def practice_answer(task_id: str, code_value=None, *, module: str, journal=None):
    """The participant's answer to a task: `code_value` when the code route set it, else the box's answer.

    The autograded test cell of each task starts with this call, so either route earns the points.
    Returns ``None`` when neither route has an answer. A number box returns the number typed
    (``None`` if it is not one number); a choice returns the option's letter.
    """
    if code_value is not None:
        return code_value
    if journal is None or not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    saved = journal.get("answers", f"{module}:{task_id}")
    return saved.get("value") if isinstance(saved, dict) else None
