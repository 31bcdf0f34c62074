"""The reflection widget: prompt, guiding questions, a text box that saves every change to the journal."""
from __future__ import annotations

import datetime as _dt
import secrets
import threading

import ipywidgets as w
from ipywidgets.widgets.widget_string import TextStyle

from gapkit import journal as _journal
from gapkit.widgets._common import (WHERE_SAVED, Headless, esc, get_course, html, log, markdown_html,
                                    shared, status_html, watching)
from gapkit.widgets._request import when_requested

__all__ = ["ReflectionWidget", "reflection"]


class ReflectionWidget(Headless, w.VBox):
    """A reflection prompt with a text box whose every change is saved to the journal.

    Build it with `reflection`. In a notebook executed without a browser (see
    `gapkit.widgets.display_mode`) it shows itself as Markdown: the saved answer, or
    ``_No answer was written._``.

    The saved answer is read by `refresh` (at construction, unless ``deferred``: a lesson page
    builds its widgets before the request and refreshes them after it). Each save is made over
    the revision the widget last read or wrote, so an answer saved meanwhile from another tab is
    never overwritten: this widget's text is kept as a conflict copy and the page says so.

    Attributes
    ----------
    reflection : gapkit.content.Reflection
    journal : gapkit.journal.Journal
    assignment_id : str or None
        The nbgrader assignment that carries a graded reflection (e.g. ``"m01"``).
    text : ipywidgets.Textarea
        The answer box (``description`` "Your answer"); set ``.value`` to type programmatically.
    result : gapkit.journal.Entry or None
        The last saved entry (``None`` until something is saved in this session).
    problem : str or None
        The last problem met (a journal started again, a conflict, a failed or refused save).
    """

    def __init__(self, reflection, journal: _journal.Journal, *, assignment_id: str | None = None,
                 deferred: bool = False):
        self.reflection = reflection
        self.journal = journal
        self.assignment_id = assignment_id
        self.result: _journal.Entry | None = None
        self.problem: str | None = None
        self._base: int | None = None  # the revision this widget's text is written over
        self._conflict = False
        self._loading = False
        self._lock = threading.RLock()
        self._writer = secrets.token_hex(6)
        self.text = w.Textarea(
            value="",
            description="Your answer",
            placeholder="Write your reflection here. It is saved as you type.",
            continuous_update=True,
            rows=8,
            layout=shared(w.Layout, width="100%"),
            style=shared(TextStyle, description_width="initial"),
        )
        self.text.add_class("gapkit-reflection-text")
        self.words = html(self._words_html(""))
        self.status = html(status_html(self._where(), text=""))
        self.submitted = html("")
        self.copies = html("")
        super().__init__(
            children=[html(self._prompt_html()), self.text, w.HBox([self.words, self.status], layout=shared(w.Layout)),
                      self.submitted, self.copies],
            layout=shared(w.Layout, width="100%"),
        )
        self.add_class("gapkit-reflection")
        self.text.observe(self._on_value, names="value")
        if not deferred:
            self.refresh()

    # -- behaviour ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the saved answer now and show it (what a page does once it is requested)."""
        with self._lock:
            try:
                entry = self.journal.entry(self.reflection.id)
                copies = self.journal.conflict_copies("reflections", self.reflection.id)
            except _journal.JournalError as exc:
                self._show_problem(str(exc))
                log.error("reflection %s: %s", self.reflection.id, exc)
                return
            self._loading = True
            try:
                self.text.value = entry.text if entry else ""
            finally:
                self._loading = False
            self._base = entry.revision if entry else 0
            self._conflict = False
            self.words.value = self._words_html(self.text.value)
            self.copies.value = self._copies_html(copies)
            self.submitted.value = self._submitted_html()
            if self.journal.problem:
                self.problem = self.journal.problem
                self.status.value = status_html(self.problem, warning=True, text=self.text.value)
            else:
                self.status.value = status_html(self._where(), text=self.text.value)
        if watching():
            self.journal.watch(self._on_journal_change)

    def save(self) -> _journal.Entry | None:
        """Save the current text now (what every change of ``text.value`` does); return the entry."""
        with self._lock:
            value = self.text.value
            self.words.value = self._words_html(value)
            try:
                entry = self.journal.save_reflection(self.reflection.id, value, base_revision=self._base,
                                                     writer=self._writer)
            except _journal.AnswerTooLong as exc:
                self._show_problem(str(exc))
                return None
            except _journal.JournalError as exc:
                self._show_problem(str(exc))
                log.error("reflection %s: %s", self.reflection.id, exc)
                return None
            self.result = entry
            if entry.conflict:
                self._conflict = True
                self.problem = ("This answer was changed in another tab or window, so what you type here was not "
                                "saved over it: it is kept as a separate copy in your journal. Reload this page "
                                "to see the newer answer and that copy.")
                self.status.value = status_html(self.problem, problem=True)
                return entry
            self._base = entry.revision
            self.submitted.value = self._submitted_html()
            saved = f"Saved at {_dt.datetime.now():%H:%M:%S} in {WHERE_SAVED}."
            if self.journal.problem:
                self.problem = self.journal.problem
                self.status.value = status_html(f"{saved} {self.problem}", warning=True, text=value)
            else:
                self.problem = None
                self.status.value = status_html(saved, saved=True, text=value)
            return entry

    def _show_problem(self, message: str) -> None:
        self.problem = message
        self.status.value = status_html(message, problem=True)

    def _on_value(self, change):
        if not self._loading:
            self.save()

    def _on_journal_change(self):
        """The journal file changed (another page saved, or it was started again): say so here."""
        with self._lock:
            if self._conflict:
                return
            try:
                revision = self.journal.revision("reflections", self.reflection.id)
            except _journal.JournalError as exc:
                self._show_problem(str(exc))
                return
            if self.journal.problem and self.journal.problem != self.problem:
                self.problem = self.journal.problem
                self.status.value = status_html(self.problem, warning=True)
            elif self._base is not None and revision != self._base:
                self.problem = ("This answer was changed in another tab or window. Reload this page to see the "
                                "newer answer; what you type here would be kept as a separate copy.")
                self.status.value = status_html(self.problem, warning=True, text=self.text.value)

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

    def _submitted_html(self) -> str:
        """For a graded reflection: whether the answer shown is the one submitted for grading."""
        aid = self.assignment_id
        if not aid or not self.reflection.graded:
            return ""
        try:
            record = self.journal.submission(aid)
        except _journal.JournalError:
            return ""
        if not record:
            text = (f"Not submitted yet. Your facilitator grades this answer when you submit assignment {aid} "
                    "(in JupyterLab: the Assignments tab, then Submit).")
        else:
            at = _local_time(record.get("at", ""))
            if record.get("revisions", {}).get(f"reflections/{self.reflection.id}") == self._base:
                text = f"Submitted with assignment {aid} on {at}: this is the answer your facilitator grades."
            else:
                text = (f"Changed since you submitted assignment {aid} on {at}. Submit {aid} again so that your "
                        "facilitator grades this version.")
        return f'<p class="gapkit-submitted" role="status">{esc(text)}</p>'

    @staticmethod
    def _copies_html(copies) -> str:
        if not copies:
            return ""
        items = "".join(
            f"<li>Saved {esc(_local_time(c.get('saved_at', '')))}:<blockquote>"
            f"{esc((c.get('value') or {}).get('text', ''))}</blockquote></li>" for c in copies[-3:])
        return (f'<details class="gapkit-conflict-copies"><summary>{len(copies)} other version'
                f'{"s" if len(copies) != 1 else ""} typed in another tab (kept, not graded)</summary><ul>{items}</ul>'
                "</details>")

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


def _local_time(stamp: str) -> str:
    """An ISO time from the journal, in the server's local time, e.g. "3 March at 10:02"."""
    try:
        when = _dt.datetime.fromisoformat(stamp).astimezone()
    except (TypeError, ValueError):
        return stamp or "an unknown date"
    return f"{when.day} {when:%B} at {when:%H:%M}"


def reflection(reflection_id: str, *, journal=None, course=None, assignment_id: str | None = None) -> ReflectionWidget:
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
    assignment_id : str, optional
        The assignment that carries this graded reflection; the widget then says whether the
        answer shown has been submitted.

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
    widget = ReflectionWidget(found, journal, assignment_id=assignment_id, deferred=True)
    when_requested(widget.refresh)  # in a preheated Voila kernel, the saved answer is read once the page is asked for
    return widget

