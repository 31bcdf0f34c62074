"""The pre/post self-assessment: a participant's ratings, and the cohort summary a facilitator may share.

Participants rate each statement of their track's self-assessment (``kit/self-assessment.yaml``)
on the kit's scale, once at the start (``pre``) and once at the end (``post``), on a lesson page;
the ratings are saved in their journal (section ``assessments``). A phase is **taken** when every
statement of the track is rated; a partly rated phase counts as not taken, so that every statement
of a summary describes the same people.

The cohort summary puts each participant in one band per phase: *confident* (a rating of at least
the scale's ``confident_from``), *not yet confident*, or *not taken*. For each statement it is one
cross-table of the band before against the band after, with its totals, and it goes through
`gapkit.privacy.suppress` whole: no count from 1 to ``min_n - 1`` is shown, and no hidden count
can be worked out from the shown cells and totals. Everything the summary prints (before, after,
moved up, moved down) is read from that one suppressed table, and percentages are top and bottom
coded; means are not printed, because a mean beside the counts would give hidden counts back.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import pandas as pd

from gapkit import journal as _journal
from gapkit import privacy as _privacy
from gapkit._validation import one_of

__all__ = ["PHASES", "MODES", "SECTION", "Ratings", "journal_key", "read_ratings", "save_ratings",
           "participant_ratings", "CohortSummary", "cohort_summary", "summary_markdown", "write_summary"]

PHASES = ("pre", "post")
#: The journal section the ratings are saved in.
SECTION = "assessments"
CONFIDENT, NOT_YET, ALL = "confident", "not yet confident", "All"


def _phase_iv(phase):
    return one_of(phase, "phase", PHASES)


def journal_key(track: str, phase: str) -> str:
    """The journal key of one phase of a track's self-assessment (``"course-pre"``)."""
    return f"{track}-{_phase_iv(phase)}"


@dataclass(frozen=True)
class Ratings:
    """One phase of a participant's self-assessment: item id -> scale value."""

    track: str
    phase: str
    ratings: dict = field(hash=False)
    saved_at: str = ""

    def complete(self, items) -> bool:
        """Whether every item is rated."""
        return all(it.id in self.ratings for it in items)

    @classmethod
    def from_saved(cls, track, phase, value, *, scale_max: int):
        """The ratings in a saved journal value (``None`` when there are none); unknown values are dropped."""
        if not isinstance(value, dict) or not isinstance(value.get("ratings"), dict):
            return None
        ratings = {str(k): v for k, v in value["ratings"].items()
                   if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= scale_max}
        return cls(track, phase, ratings, str(value.get("saved_at", "")))


def read_ratings(journal: _journal.Journal, track: str, phase: str, *, scale_max: int) -> Ratings | None:
    """The saved ratings of one phase, or ``None``."""
    return Ratings.from_saved(track, phase, journal.get(SECTION, journal_key(track, phase)), scale_max=scale_max)


def save_ratings(journal: _journal.Journal, track: str, phase: str, ratings: dict) -> Ratings:
    """Save one phase's ratings (atomic write, through the journal) and return them."""
    saved_at = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    journal.put(SECTION, journal_key(track, phase), {"track": track, "phase": phase, "ratings": dict(ratings),
                                                     "saved_at": saved_at})
    return Ratings(track, phase, dict(ratings), saved_at)


def participant_ratings(participant, kit, track: str, phase: str) -> Ratings | None:
    """A cohort participant's complete ratings for a phase, or ``None`` when the phase is not taken."""
    r = Ratings.from_saved(track, phase, participant.get(SECTION, journal_key(track, phase)),
                           scale_max=len(kit.assessment.scale))
    return r if r is not None and r.complete(kit.items(track)) else None


# ---------------------------------------------------------------------------------------------
# The cohort summary
# ---------------------------------------------------------------------------------------------

#: What a summary reports: each phase over everyone who took it, or the changes of those who took both.
MODES = ("phases", "changes")
BEFORE, AFTER = "before", "after"


@dataclass(frozen=True)
class CohortSummary:
    """One suppressed table of every item's counts, and what it describes.

    In ``"phases"`` mode the table's dims are ``item``, ``phase`` (before, after) and ``band``
    (not yet confident, confident, All): before counts everyone who took the pre-assessment, after
    everyone who took the post-assessment. In ``"changes"`` mode the dims are ``item``, ``before``
    and ``after`` (a band or All), over the participants who took both. ``n`` is missing where a
    count is hidden; ``suppressed`` and ``reason`` say which and why.
    """

    track: str
    mode: str
    items: tuple = field(hash=False)
    min_n: int
    confident_from: int
    scale: tuple = field(hash=False)
    took: dict = field(hash=False)
    table: pd.DataFrame = field(hash=False, compare=False)

    def _lookup(self, **where):
        t = self.table
        mask = True
        for k, v in where.items():
            mask = mask & (t[k] == v)
        row = t[mask].iloc[0]
        return None if bool(row["suppressed"]) else int(row["n"])

    def count(self, item_id: str, side: str, band: str = ALL):
        """The shown number of participants in a band before or after (``None`` when hidden)."""
        one_of(side, "side", (BEFORE, AFTER))
        if self.mode == "phases":
            return self._lookup(item=item_id, phase=side, band=band)
        if side == BEFORE:
            return self._lookup(item=item_id, before=band, after=ALL)
        return self._lookup(item=item_id, before=ALL, after=band)

    def moved(self, item_id: str, before: str, after: str):
        """The shown number who went from one band to another (``"changes"`` mode only)."""
        if self.mode != "changes":
            raise ValueError("`moved` needs a summary made with mode='changes'.")
        return self._lookup(item=item_id, before=before, after=after)


def _band(ratings: Ratings, item_id: str, confident_from: int) -> str:
    return CONFIDENT if ratings.ratings[item_id] >= confident_from else NOT_YET


def cohort_summary(kit, cohort, *, track: str | None = None, mode: str = "phases",
                   min_n: int | None = None) -> CohortSummary:
    """Summarise a cohort's self-assessments, safe to share.

    Parameters
    ----------
    kit : gapkit.kit.Kit
    cohort : gapkit.participants.Cohort
    track : str, optional
        The track whose self-assessment is summarised (default: the course's first track).
    mode : {'phases', 'changes'}, optional
        ``"phases"`` (default): for each statement, the bands of everyone who took the start and,
        separately, of everyone who took the end; no figure links the two, so a participant who took
        only one phase cannot be singled out by difference. ``"changes"``: the cross-table of the band
        before against the band after, over the participants who took both (who moved up, who moved
        down), with its totals.
    min_n : int, optional
        The smallest count shown (default: the course's ``min_n``, the kit's privacy rule).

    Returns
    -------
    CohortSummary
        Every count passed through `gapkit.privacy.suppress` as one table.
    """
    one_of(mode, "mode", MODES)
    plan = kit.plan(track)
    track = plan.track.id
    items = kit.items(track)
    min_n = kit.course.min_n if min_n is None else min_n
    confident = kit.assessment.confident_from
    taken = [tuple(participant_ratings(p, kit, track, ph) for ph in PHASES) for p in cohort.participants]
    took = {"pre": sum(pre is not None for pre, _ in taken), "post": sum(post is not None for _, post in taken),
            "both": sum(pre is not None and post is not None for pre, post in taken)}
    rows = []
    for it in items:
        if mode == "phases":
            for phase, side in ((0, BEFORE), (1, AFTER)):
                bands = [_band(r[phase], it.id, confident) for r in taken if r[phase] is not None]
                for band in (NOT_YET, CONFIDENT):
                    rows.append({"item": it.id, "phase": side, "band": band, "n": bands.count(band)})
                rows.append({"item": it.id, "phase": side, "band": ALL, "n": len(bands)})
        else:
            pairs = [(_band(pre, it.id, confident), _band(post, it.id, confident))
                     for pre, post in taken if pre is not None and post is not None]
            for b in (NOT_YET, CONFIDENT, ALL):
                for a in (NOT_YET, CONFIDENT, ALL):
                    n = sum(1 for pb, pa in pairs if b in (pb, ALL) and a in (pa, ALL))
                    rows.append({"item": it.id, "before": b, "after": a, "n": n})
    dims = ("item", "phase", "band") if mode == "phases" else ("item", "before", "after")
    table = _privacy.suppress(pd.DataFrame(rows, columns=[*dims, "n"]), dims=dims, count_columns=("n",),
                              min_n=min_n, total_label=ALL)
    return CohortSummary(track=track, mode=mode, items=items, min_n=min_n, confident_from=confident,
                         scale=kit.assessment.scale, took=took, table=table)


def _share(summary: CohortSummary, item_id: str, side: str) -> str:
    """'62% of 21': the confident share before or after, from shown counts only."""
    yes, no = summary.count(item_id, side, CONFIDENT), summary.count(item_id, side, NOT_YET)
    if yes is None or no is None:
        return _privacy.SUPPRESSED_MARK
    took = yes + no
    if took == 0:
        return "not taken"
    return f"{_privacy.code_percent(yes / took, took, min_n=summary.min_n)} of {took}"


def _count(value) -> str:
    return _privacy.SUPPRESSED_MARK if value is None else str(value)


def summary_markdown(summary: CohortSummary, kit) -> str:
    """The cohort summary as a Markdown page; every figure is read from the suppressed table."""
    top = summary.scale[summary.confident_from - 1:]
    bands = " or ".join(f'"{lv.label}"' for lv in top)
    out = [f"# Self-assessment summary: {kit.plan(summary.track).track.title}", ""]
    if summary.mode == "phases":
        out += [f"*Confident* means a rating of {bands}. \"Before\" is the share of those who took the opening "
                "self-assessment who rated themselves confident; \"after\", the same for the closing one. A phase "
                "with any statement left unrated counts as not taken."]
        header = ["| Objective of | Statement | Before: confident | After: confident |", "|---|---|---|---|"]
    else:
        out += [f"*Confident* means a rating of {bands}. Only participants who took both the opening and the "
                "closing self-assessment are counted; \"moved up\" and \"moved down\" count those who changed band."]
        header = ["| Objective of | Statement | Before: confident | After: confident | Moved up | Moved down |",
                  "|---|---|---|---|---|---|"]
    out += ["", f"Privacy: no count from 1 to {summary.min_n - 1} is shown, nor any count that could be worked out "
            f"from the others (shown as {_privacy.SUPPRESSED_MARK}); percentages below 5% or above 95% are shown "
            "as \"<5%\" or \">95%\".", "", *header]
    for it in summary.items:
        row = f"| {kit.item_label(it)} | {it.statement} | {_share(summary, it.id, BEFORE)} | {_share(summary, it.id, AFTER)} |"
        if summary.mode == "changes":
            row += (f" {_count(summary.moved(it.id, NOT_YET, CONFIDENT))} |"
                    f" {_count(summary.moved(it.id, CONFIDENT, NOT_YET))} |")
        out.append(row)
    return "\n".join(out) + "\n"


def write_summary(summary: CohortSummary, kit, folder):
    """Write the summary as ``self-assessment-summary.md`` and ``.pdf`` in `folder`; returns both paths."""
    from pathlib import Path

    from gapkit import pdf as _pdf

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    page = summary_markdown(summary, kit)
    markdown = folder / "self-assessment-summary.md"
    markdown.write_text(page, encoding="utf-8")
    title, body = page.split("\n", 1)
    printed = folder / "self-assessment-summary.pdf"
    _pdf.render(_pdf.markdown_parts(body), title=title.lstrip("# "), path=printed)
    return markdown, printed
