"""The knowledge check: a question, single or multiple choice, and feedback on each chosen option."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle

from gapkit import journal as _journal
from gapkit.widgets._common import Headless, esc, get_course, html, log, markdown_html, shared

__all__ = ["CheckResult", "OptionFeedback", "grade_check", "CheckWidget", "knowledge_check"]


@dataclass(frozen=True)
class OptionFeedback:
    """One chosen option: its text, whether it is correct, and why."""

    index: int
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class CheckResult:
    """The graded answer to a knowledge check."""

    check_id: str
    chosen: tuple[int, ...]
    correct: bool
    feedback: tuple[OptionFeedback, ...]
    missed: tuple[int, ...]  # correct options not chosen (multiple choice)


def grade_check(check, chosen) -> CheckResult:
    """Grade chosen option indices against a `gapkit.content.Check`.

    Parameters
    ----------
    check : gapkit.content.Check
    chosen : int or sequence of int
        The chosen option indices (0-based). Single choice: exactly one.

    Returns
    -------
    CheckResult
        Correct when the chosen set equals the set of correct options; feedback for each chosen
        option, in option order.

    Examples
    --------
    >>> from gapkit.content import Check, Option
    >>> c = Check("c1", "Gap +5 means?", False, (Option("Focal behind", True, "Reference minus focal."),
    ...                                          Option("Focal ahead", False, "That is a negative gap.")))
    >>> grade_check(c, 1).correct
    False
    """
    if isinstance(chosen, int) and not isinstance(chosen, bool):
        chosen = (chosen,)
    try:
        chosen = tuple(sorted(set(int(i) for i in chosen)))
    except (TypeError, ValueError):
        raise TypeError(f"`chosen` must be an option index or a sequence of indices; got {chosen!r}.") from None
    n = len(check.options)
    bad = [i for i in chosen if not 0 <= i < n]
    if bad:
        raise ValueError(f"`chosen` has option index(es) {bad}; check {check.id!r} has options 0 to {n - 1}.")
    if not chosen:
        raise ValueError("`chosen` is empty: choose at least one option.")
    if not check.multiple and len(chosen) != 1:
        raise ValueError(f"`chosen` must be one option for the single-choice check {check.id!r}; got {len(chosen)}.")
    right = {i for i, o in enumerate(check.options) if o.correct}
    feedback = tuple(OptionFeedback(i, check.options[i].text, check.options[i].correct,
                                    check.options[i].explanation) for i in chosen)
    return CheckResult(check.id, chosen, set(chosen) == right, feedback, tuple(sorted(right - set(chosen))))


def feedback_html(result: CheckResult, *, multiple: bool) -> str:
    """Feedback as HTML: the verdict in words (never by colour alone) and each chosen option's explanation."""
    if result.correct:
        verdict = "<strong>✓ Correct.</strong>"
    elif multiple and result.missed and all(f.correct for f in result.feedback):
        verdict = "<strong>Partly right:</strong> what you chose is correct, but another option is correct too."
    else:
        verdict = "<strong>✗ Not quite.</strong> Read the explanation and try again."
    items = "".join(
        f'<li><span class="gapkit-verdict">{"Correct" if f.correct else "Not correct"}:</span> '
        f"<em>{esc(f.text.rstrip('.'))}</em>. {esc(f.explanation)}</li>" for f in result.feedback)
    return f'<div class="gapkit-feedback {"gapkit-right" if result.correct else "gapkit-wrong"}"><p>{verdict}</p><ul>{items}</ul></div>'


class CheckWidget(Headless, w.VBox):
    """A knowledge check: choices, a "Check answer" button and feedback. Build it with `knowledge_check`.

    Attributes
    ----------
    choices : ipywidgets.RadioButtons (single choice) or list of ipywidgets.Checkbox (multiple)
    button : ipywidgets.Button
    feedback : ipywidgets.HTML
    result : CheckResult or None
    """

    def __init__(self, check, *, journal: _journal.Journal | None = None):
        self.check_def = check
        self.journal = journal
        self.result: CheckResult | None = None
        labels = [o.text for o in check.options]
        if check.multiple:
            self.choices = [w.Checkbox(value=False, description=t, indent=False, layout=shared(w.Layout, width="100%"),
                                       style=shared(CheckboxStyle)) for t in labels]
            chooser = w.VBox(layout=shared(w.Layout), children=[html('<p class="gapkit-choose">Choose every answer that applies.</p>'),
                              *self.choices])
            for box in self.choices:
                box.observe(self._on_value, names="value")
        else:
            self.choices = w.RadioButtons(options=[(t, i) for i, t in enumerate(labels)], value=None,
                                          description="Choose one answer:", layout=shared(w.Layout, width="100%"),
                                          style=shared(DescriptionStyle, description_width="initial"))
            self.choices.observe(self._on_value, names="value")
            chooser = self.choices
        self.button = w.Button(description="Check answer", button_style="primary", disabled=True,
                               tooltip="Check your answer and see the explanation", layout=shared(w.Layout),
                               style=shared(w.ButtonStyle))
        self.button.on_click(lambda _: self.check())
        self.feedback = html("")
        self.feedback.add_class("gapkit-feedback-area")
        question = ('<h3 class="gapkit-widget-title">Check your understanding</h3>'
                    f'<div class="gapkit-question">{markdown_html(check.question)}</div>')
        super().__init__(children=[html(question), chooser, self.button, self.feedback])
        self.add_class("gapkit-check")

    def chosen(self) -> tuple[int, ...]:
        """The option indices chosen now."""
        if self.check_def.multiple:
            return tuple(i for i, box in enumerate(self.choices) if box.value)
        return () if self.choices.value is None else (self.choices.value,)

    def _on_value(self, change):
        self.button.disabled = not self.chosen()

    def check(self) -> CheckResult | None:
        """Grade the current choice and show the feedback (what clicking "Check answer" does)."""
        chosen = self.chosen()
        if not chosen:
            self.feedback.value = '<p role="status">Choose an answer first.</p>'
            return None
        self.result = grade_check(self.check_def, chosen)
        self.feedback.value = f'<div role="status" aria-live="polite">{feedback_html(self.result, multiple=self.check_def.multiple)}</div>'
        if self.journal is not None:
            try:
                self.journal.put("checks", self.check_def.id, {
                    "chosen": list(self.result.chosen), "correct": self.result.correct,
                    "saved_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")})
            except (_journal.JournalError, OSError) as exc:  # a check is practice: never block on saving
                log.error("check %s not saved: %s", self.check_def.id, exc)
        return self.result

    def markdown(self) -> str:
        c = self.check_def
        kind = "Choose every answer that applies." if c.multiple else "Choose one answer."
        lines = ["**Check your understanding**", "", c.question, "", f"_{kind}_", ""]
        lines += [f"- {o.text}" for o in c.options]
        return "\n".join(lines) + "\n"


def knowledge_check(check_id: str, *, journal=None, course=None) -> CheckWidget:
    """A knowledge check from the course, with immediate feedback on each chosen option.

    Parameters
    ----------
    check_id : str
        The id of a ``check`` block in ``modules/``.
    journal : gapkit.journal.Journal or path-like, optional
        Where the answer is noted (default ``Journal()``); saving is best effort, never blocking.
    course : gapkit.content.Course, optional
        The course (default: the published course).
    """
    if not isinstance(check_id, str) or not check_id:
        raise TypeError(f"`check_id` must be a check id string; got {check_id!r}.")
    if journal is None or not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    return CheckWidget(get_course(course).check(check_id), journal=journal)
