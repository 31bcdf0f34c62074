"""The self-assessment widget: the track's statements, each rated on the kit's scale, saved as chosen."""
from __future__ import annotations

import ipywidgets as w
from ipywidgets.widgets.widget_description import DescriptionStyle

from gapkit import assessment as _assessment
from gapkit import journal as _journal
from gapkit.widgets._common import Headless, esc, get_course, html, log, shared, status_html
from gapkit.widgets._request import when_requested

__all__ = ["SelfAssessmentWidget", "self_assessment"]

_CSS = """<style>
.gapkit-assessment .widget-radio-box { flex-direction: row; flex-wrap: wrap; gap: 0.2rem 1.2rem; }
.gapkit-assessment .gapkit-item { border-top: 1px solid #d9d9d9; padding-top: 0.4rem; margin-top: 0.5rem; }
.gapkit-assessment .gapkit-item-statement { font-weight: 600; margin: 0.2rem 0; }
.gapkit-assessment .gapkit-item-earlier { font-size: 0.9rem; color: #3b3b3b; margin: 0; }
</style>"""


class SelfAssessmentWidget(Headless, w.VBox):
    """One phase (``pre`` or ``post``) of a track's self-assessment. Build it with `self_assessment`.

    Attributes
    ----------
    items : tuple of gapkit.kit.Item
    choices : dict of item id -> ipywidgets.RadioButtons
        Set ``.value`` to a scale value to rate a statement; every change is saved to the journal.
    result : gapkit.assessment.Ratings or None
        The last saved ratings.
    problem : str or None
        The last problem met saving or reading the journal, or the journal's notice that it was
        started again (`gapkit.journal.Journal.problem`).
    """

    def __init__(self, kit, *, phase: str, track: str | None, journal: _journal.Journal, deferred: bool = False):
        self.kit = kit
        self.track = kit.plan(track).track.id
        self.phase = phase
        self.journal = journal
        self.items = kit.items(self.track)
        self.scale = kit.assessment.scale
        self.result: _assessment.Ratings | None = None
        self.problem: str | None = None
        self._loading = False
        self.choices: dict[str, w.RadioButtons] = {}
        self._earlier: dict[str, w.HTML] = {}
        rows = []
        options = [(f"{lv.value} {lv.label}", lv.value) for lv in self.scale]
        for it in self.items:
            radio = w.RadioButtons(options=options, value=None, description="Your rating:",
                                   layout=shared(w.Layout, width="100%"),
                                   style=shared(DescriptionStyle, description_width="initial"))
            radio.observe(self._on_value, names="value")
            self.choices[it.id] = radio
            self._earlier[it.id] = html("")
            rows.append(w.VBox([html(f'<p class="gapkit-item-statement">{esc(it.statement)}</p>'
                                     f'<p class="gapkit-item-earlier">{esc(self._source(it))}</p>'),
                                radio, self._earlier[it.id]], layout=shared(w.Layout)))
            rows[-1].add_class("gapkit-item")
        when = "at the start of the course" if phase == "pre" else "at the end of the course"
        scale = "".join(f"<li><strong>{lv.value} {esc(lv.label)}</strong>: {esc(lv.meaning)}</li>" for lv in self.scale)
        intro = (f'{_CSS}<h3 class="gapkit-widget-title">Self-assessment {when}</h3>'
                 f"<p>Rate each statement for yourself today. Nobody grades this: your facilitator sees only "
                 f"the cohort's totals, and no group smaller than {kit.course.min_n} is shown. Each choice is "
                 f"saved as you make it; the self-assessment counts as taken when every statement is rated.</p>"
                 f"<ul>{scale}</ul>")
        self.status = html("")
        super().__init__(children=[html(intro), *rows, self.status], layout=shared(w.Layout, width="100%"))
        self.add_class("gapkit-assessment")
        if not deferred:
            self.refresh()

    def _source(self, item) -> str:
        if item.module is None:
            return "An objective of the course"
        return f"Module {self.kit.module_label(self.track, item.module)}"

    # -- behaviour ---------------------------------------------------------------------------

    def ratings(self) -> dict:
        """The ratings chosen now: item id -> scale value."""
        return {i: r.value for i, r in self.choices.items() if r.value is not None}

    def refresh(self) -> None:
        """Show what the journal holds now (the saved ratings, and in the post phase the earlier ones)."""
        saved, earlier, failed = None, None, None
        try:
            saved = _assessment.read_ratings(self.journal, self.track, self.phase, scale_max=len(self.scale))
            if self.phase == "post":
                earlier = _assessment.read_ratings(self.journal, self.track, "pre", scale_max=len(self.scale))
        except _journal.JournalError as exc:
            failed = str(exc)
            log.error("self-assessment %s: %s", self.phase, exc)
        self._loading = True
        try:
            for item_id, radio in self.choices.items():
                radio.value = (saved.ratings.get(item_id) if saved else None)
                before = earlier.ratings.get(item_id) if earlier else None
                self._earlier[item_id].value = (
                    f'<p class="gapkit-item-earlier">At the start you chose: {before} {esc(self.scale[before - 1].label)}</p>'
                    if before else "")
        finally:
            self._loading = False
        self.result = saved
        self._show_status(saved_now=False, failed=failed)

    def save(self) -> _assessment.Ratings | None:
        """Save the current ratings now (what every change of a choice does)."""
        try:
            self.result = _assessment.save_ratings(self.journal, self.track, self.phase, self.ratings())
        except _journal.JournalError as exc:
            log.error("self-assessment %s: %s", self.phase, exc)
            self._show_status(saved_now=False, failed=str(exc))
            return None
        self._show_status(saved_now=True)
        return self.result

    def complete(self) -> bool:
        return all(r.value is not None for r in self.choices.values())

    def _on_value(self, change):
        if not self._loading:
            self.save()

    def _show_status(self, *, saved_now: bool, failed: str | None = None):
        """Say what is rated, or what failed; a journal that was started again is a warning beside it."""
        if failed:
            self.problem = failed
            self.status.value = status_html(failed, problem=True)
            return
        self.problem = self.journal.problem
        done = len(self.ratings())
        state = "Taken: every statement is rated." if self.complete() else f"{done} of {len(self.items)} rated."
        state = f"{state} {'Saved.' if saved_now else ''}".strip()
        if self.problem:
            self.status.value = status_html(f"{state} {self.problem}", warning=True)
        else:
            self.status.value = status_html(state)

    def markdown(self) -> str:
        when = "start" if self.phase == "pre" else "end"
        lines = [f"**Self-assessment at the {when} of the course**", ""]
        ratings = self.ratings()
        for it in self.items:
            value = ratings.get(it.id)
            shown = f"{value} {self.scale[value - 1].label}" if value else "not rated"
            lines.append(f"- {it.statement} _({shown})_")
        return "\n".join(lines) + "\n"


def self_assessment(phase: str, *, track: str | None = None, journal=None, course=None, kit=None):
    """The self-assessment of a track, for one phase, with every choice saved to the journal.

    Parameters
    ----------
    phase : {'pre', 'post'}
        At the start or at the end of the course. The post phase shows each earlier rating.
    track : str, optional
        The track (default: the course's first track).
    journal : gapkit.journal.Journal or path-like, optional
        Where the ratings are saved (default ``Journal()``).
    course : gapkit.content.Course, optional
    kit : gapkit.kit.Kit, optional
        Default: the kit of the published course.
    """
    _assessment._phase_iv(phase)
    if journal is None or not isinstance(journal, _journal.Journal):
        journal = _journal.Journal(journal)
    if kit is None:
        from gapkit.kit import load_kit

        course = get_course(course)
        kit = load_kit(course.root or None, course=course)
    widget = SelfAssessmentWidget(kit, phase=phase, track=track, journal=journal, deferred=True)
    when_requested(widget.refresh)  # in a preheated Voila kernel, the saved ratings are read once the page is asked for
    return widget
