"""The reflection widget: prompt, guiding questions, a text box that saves every change to the journal."""
from __future__ import annotations

import datetime as _dt

import ipywidgets as w
from ipywidgets.widgets.widget_string import TextStyle

from gapkit import journal as _journal
from gapkit.widgets._common import (WHERE_SAVED, Headless, get_course, html, log, markdown_html,
                                    shared, status_html)

__all__ = ["ReflectionWidget", "reflection"]


class ReflectionWidget(Headless, w.VBox):
    """A reflection prompt with a text box whose every change is saved to the journal.

    Build it with `reflection`. In a notebook executed without a browser (see
    `gapkit.widgets.display_mode`) it shows itself as Markdown: the saved answer, or
    ``_No answer was written._``.

    Attributes
    ----------
    reflection : gapkit.content.Reflection
    journal : gapkit.journal.Journal
    text : ipywidgets.Textarea
        The answer box (``description`` "Your answer"); set ``.value`` to type programmatically.
    result : gapkit.journal.Entry or None
        The last saved entry (``None`` until something is saved in this session).
    problem : str or None
        The last problem met (an unreadable journal moved aside, or a failed save).
    """

    def __init__(self, reflection, journal: _journal.Journal):
        self.reflection = reflection
        self.journal = journal
        self.result: _journal.Entry | None = None
        self.problem: str | None = None
        saved, load_problem = "", None
        try:
            saved = journal.reflection(reflection.id)
        except _journal.JournalError as exc:
            load_problem = str(exc)
            log.error("reflection %s: %s", reflection.id, exc)
        self.text = w.Textarea(
            value=saved,
            description="Your answer",
            placeholder="Write your reflection here. It is saved as you type.",
            continuous_update=True,
            rows=8,
            layout=shared(w.Layout, width="100%"),
            style=shared(TextStyle, description_width="initial"),
        )
        self.text.add_class("gapkit-reflection-text")
        self.words = html(self._words_html(saved))
        self.status = html(status_html(self._where()))
        if journal.problem or load_problem:
            self.problem = journal.problem or load_problem
            self.status.value = status_html(self.problem, problem=True)
        super().__init__(
            children=[html(self._prompt_html()), self.text, w.HBox([self.words, self.status], layout=shared(w.Layout))],
            layout=shared(w.Layout, width="100%"),
        )
        self.add_class("gapkit-reflection")
        self.text.observe(self._on_value, names="value")

    # -- behaviour ---------------------------------------------------------------------------

    def save(self) -> _journal.Entry | None:
        """Save the current text now (what every change of ``text.value`` does); return the entry."""
        value = self.text.value
        self.words.value = self._words_html(value)
        try:
            self.result = self.journal.save_reflection(self.reflection.id, value)
        except _journal.JournalError as exc:
            self.problem = str(exc)
            self.status.value = status_html(self.problem, problem=True)
            log.error("reflection %s: %s", self.reflection.id, exc)
            return None
        if self.journal.problem:
            self.problem = self.journal.problem
            self.status.value = status_html(self.problem, problem=True)
        else:
            self.status.value = status_html(f"Saved at {_dt.datetime.now():%H:%M} in {WHERE_SAVED}.", saved=True)
        return self.result

    def _on_value(self, change):
        self.save()

    def markdown(self) -> str:
        """The saved answer as Markdown (what a notebook executed without a browser shows)."""
        text = self.text.value
        out = _journal.reflection_markdown(self.reflection, text)
        if self.problem:
            out += f"\n_Journal problem: {self.problem}_\n"
        return out

    # -- pieces ------------------------------------------------------------------------------

    def _where(self) -> str:
        return f"Saved as you type, in {WHERE_SAVED}."

    @staticmethod
    def _words_html(text: str) -> str:
        n = _journal.word_count(text)
        return f'<p class="gapkit-wordcount">{n} word{"s" if n != 1 else ""}</p>'

    def _prompt_html(self) -> str:
        r = self.reflection
        parts = ['<div class="gapkit-prompt">', '<h3 class="gapkit-widget-title">Reflection</h3>',
                 markdown_html(r.prompt)]
        if r.guiding_questions:
            parts.append('<p class="gapkit-guiding-label">Questions to guide you:</p><ul>')
            parts += [f"<li>{markdown_html(q).strip().removeprefix('<p>').removesuffix('</p>')}</li>"
                      for q in r.guiding_questions]
            parts.append("</ul>")
        if r.graded:
            rubric = markdown_html(r.rubric_markdown())
            parts.append(f'<details class="gapkit-rubric"><summary>Graded: {r.points} point'
                         f'{"s" if r.points != 1 else ""}. Show how it is graded</summary>{rubric}</details>')
        parts.append("</div>")
        return "".join(parts)


def reflection(reflection_id: str, *, journal=None, course=None) -> ReflectionWidget:
    """A reflection from the course, with an answer box that autosaves to the journal.

    Put the call last in its cell. In JupyterLab and on a Voila lesson page it shows the prompt,
    the guiding questions and a text box holding the saved answer; every change is saved at once
    (atomic write) to the journal. Executed without a browser (nbgrader autograde, papermill,
    nbval), the same call shows the saved answer as Markdown under a **Your reflection** heading,
    so the facilitator sees it in formgrader and the participant in the feedback.

    Parameters
    ----------
    reflection_id : str
        The id of a ``reflection`` block in ``modules/`` (e.g. ``"m01-first-look"``).
    journal : gapkit.journal.Journal or path-like, optional
        Where answers are saved. Default: ``Journal()`` (``$GAPKIT_JOURNAL`` or
        ``reflections.json`` in the working folder).
    course : gapkit.content.Course, optional
        The course to look the reflection up in (default: the published course).

    Returns
    -------
    ReflectionWidget

    Raises
    ------
    KeyError
        `reflection_id` is not a reflection of the course.
    """
    if not isinstance(reflection_id, str) or not reflection_id:
        raise TypeError(f"`reflection_id` must be a reflection id string; got {reflection_id!r}.")
    if journal is None or not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    found = get_course(course).reflection(reflection_id)
    return ReflectionWidget(found, journal)

