"""The knowledge check: a question, single or multiple choice, and feedback on each chosen option.

Options are shown in an order of their own for each participant (`option_order`), the same order
every time that participant opens the page, so that no one can answer by position and a table of
colleagues cannot compare "the second one". A participant is known by ``JUPYTERHUB_USER`` on a
hub, otherwise by a random id kept once in their journal (`participant_id`). The chosen options
are saved by their place in ``modules/`` (not on screen), and a reopened check shows the last
answer and its feedback again.
"""
from __future__ import annotations

import datetime as _dt
import os
import random
import secrets
from dataclasses import dataclass

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle

from gapkit import journal as _journal
from gapkit.widgets._common import Headless, esc, get_course, html, log, markdown_html, shared

__all__ = ["CheckResult", "OptionFeedback", "grade_check", "option_order", "participant_id", "CheckWidget",
           "knowledge_check", "HUB_USER_ENV"]

#: Set by JupyterHub in every single-user server's environment: the participant's login name.
HUB_USER_ENV = "JUPYTERHUB_USER"
#: Where a participant's random id is kept when there is no hub: journal section and key.
_PARTICIPANT = ("participant", "id")


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


def participant_id(journal: _journal.Journal | None = None) -> str:
    """Who is answering: ``$JUPYTERHUB_USER`` on a hub; otherwise a random id kept once in the journal.

    The id only seeds the order of options, so it needs to be stable for one participant, not secret.
    Without a journal that can be written, it is a random id for this process.
    """
    user = os.environ.get(HUB_USER_ENV, "").strip()
    if user:
        return f"hub:{user}"
    if journal is None:
        return _SESSION_ID
    try:
        saved = journal.get(*_PARTICIPANT)
        if isinstance(saved, str) and saved:
            return saved
        journal.put(*_PARTICIPANT, secrets.token_hex(8))
        saved = journal.get(*_PARTICIPANT)  # another page may have written its id first: use the stored one
        return saved if isinstance(saved, str) and saved else _SESSION_ID
    except (_journal.JournalError, OSError) as exc:
        log.error("participant id not kept in %s: %s", journal.path, exc)
        return _SESSION_ID


_SESSION_ID = secrets.token_hex(8)


def option_order(check, participant: str) -> tuple[int, ...]:
    """The order in which `participant` sees the options of `check` (indices into ``check.options``).

    A permutation drawn from a generator seeded with the participant and the check id, so it is
    the same on every visit and differs between checks and between participants.

    Examples
    --------
    >>> from gapkit.content import Check, Option
    >>> c = Check("c1", "?", False, tuple(Option(t, t == "a", "...") for t in "abcd"))
    >>> option_order(c, "hub:amorales") == option_order(c, "hub:amorales")
    True
    >>> sorted(option_order(c, "hub:amorales"))
    [0, 1, 2, 3]
    """
    if not isinstance(participant, str) or not participant:
        raise TypeError(f"`participant` must be a non-empty string; got {participant!r}.")
    order = list(range(len(check.options)))
    random.Random(f"{participant}\x1f{check.id}").shuffle(order)
    return tuple(order)


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
    order : tuple of int
        The options' indices in ``check.options``, in the order shown to this participant.
    choices : ipywidgets.RadioButtons (single choice; its values are option indices) or list of
        ipywidgets.Checkbox (multiple; in the order shown)
    button : ipywidgets.Button
    feedback : ipywidgets.HTML
    result : CheckResult or None
        The last graded answer, also after a reopened page restored it from the journal.
    """

    def __init__(self, check, *, journal: _journal.Journal | None = None, participant: str | None = None):
        self.check_def = check
        self.journal = journal
        self.result: CheckResult | None = None
        self.order = option_order(check, participant or participant_id(journal))
        labels = [check.options[i].text for i in self.order]
        if check.multiple:
            self.choices = [w.Checkbox(value=False, description=t, indent=False, layout=shared(w.Layout, width="100%"),
                                       style=shared(CheckboxStyle)) for t in labels]
            chooser = w.VBox(layout=shared(w.Layout), children=[html('<p class="gapkit-choose">Choose every answer that applies.</p>'),
                              *self.choices])
            for box in self.choices:
                box.observe(self._on_value, names="value")
        else:
            self.choices = w.RadioButtons(options=[(t, i) for t, i in zip(labels, self.order)], value=None,
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
        self.restore()

    def chosen(self) -> tuple[int, ...]:
        """The indices (in ``check.options``) of the options chosen now."""
        if self.check_def.multiple:
            return tuple(sorted(i for i, box in zip(self.order, self.choices) if box.value))
        return () if self.choices.value is None else (self.choices.value,)

    def restore(self) -> CheckResult | None:
        """Show the answer saved in the journal, and its feedback (what opening the page again does)."""
        saved = None
        if self.journal is not None:
            try:
                saved = self.journal.get("checks", self.check_def.id)
            except (_journal.JournalError, OSError) as exc:
                log.error("check %s not restored: %s", self.check_def.id, exc)
        chosen = saved.get("chosen") if isinstance(saved, dict) else None
        if not isinstance(chosen, list) or not chosen:
            return None
        try:
            result = grade_check(self.check_def, chosen)
        except (TypeError, ValueError) as exc:  # the module changed since: start afresh
            log.warning("check %s: saved answer %r no longer fits (%s)", self.check_def.id, chosen, exc)
            return None
        if self.check_def.multiple:
            for i, box in zip(self.order, self.choices):
                box.value = i in result.chosen
        else:
            self.choices.value = result.chosen[0]
        self._show(result)
        return result

    def _show(self, result: CheckResult) -> None:
        self.result = result
        place = {i: n for n, i in enumerate(self.order)}
        shown = CheckResult(result.check_id, result.chosen, result.correct,
                            tuple(sorted(result.feedback, key=lambda f: place[f.index])), result.missed)
        self.feedback.value = (f'<div role="status" aria-live="polite">'
                               f'{feedback_html(shown, multiple=self.check_def.multiple)}</div>')

    def _on_value(self, change):
        self.button.disabled = not self.chosen()

    def check(self) -> CheckResult | None:
        """Grade the current choice and show the feedback (what clicking "Check answer" does)."""
        chosen = self.chosen()
        if not chosen:
            self.feedback.value = '<p role="status">Choose an answer first.</p>'
            return None
        self._show(grade_check(self.check_def, chosen))
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
        lines += [f"- {c.options[i].text}" for i in self.order]
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

    The options appear in this participant's own order (`option_order`), and a check answered
    before shows that answer and its feedback again.
    """
    if not isinstance(check_id, str) or not check_id:
        raise TypeError(f"`check_id` must be a check id string; got {check_id!r}.")
    if journal is None or not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    return CheckWidget(get_course(course).check(check_id), journal=journal)
