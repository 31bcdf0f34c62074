"""The report's numbers: gap tables, trends, access and English-proficiency progress, all suppressed.

Every table here comes from `gapkit.tables.gap_table` (which hides small cells before it computes any
measure), protected across the overlapping English-learner groups with `gapkit.tables.protect_linked`,
from `gapkit.trends.gap_trend`, from `gapkit.proficiency` (English proficiency, long-term and former
English learners), or from counts passed through `gapkit.privacy.suppress` with margins.
Each is computed once per `ReportData` (several sections share them).
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from gapkit._validation import one_of
from gapkit.measures import MEASURES
from gapkit.privacy import COMPLEMENTARY_REASON, Rule, suppress
from gapkit.proficiency import elp_growth, former_el_outcomes, long_term_el_share
from gapkit.records import COMPARISONS, SUBJECTS
from gapkit.report.data import _ALL, ReportData, _cached, _spec
from gapkit.report.joint import hide_within
from gapkit.summary import Summary, summarize
from gapkit.tables import gap_table, group_counts, hide, protect_linked
from gapkit.trends import VIEWS, gap_trend

__all__ = ["gaps", "has", "headline", "trend_table", "opportunity_table", "progress_table", "long_term_table",
           "former_table"]

_GAP_KEYS = ("comparison", "subject", "year", "grade")


def grade_labels(grades: pd.Series) -> pd.Series:
    """Grades as the report's labels: ``"5"``, never ``"5.0"`` (a grade column read with gaps is float)."""
    return grades.astype(str).str.replace(r"\.0$", "", regex=True)


def has(data: ReportData, subject: str) -> dict:
    """What the data holds for `subject`: ``{"levels": bool, "scores": bool}`` (published files: levels only)."""
    if data.kind != "records":
        return {"levels": True, "scores": False}
    records, subj = data.records, SUBJECTS[subject]
    return {"levels": bool(records[subj.level].notna().any()), "scores": bool(records[subj.scale].notna().any())}


def headline(data: ReportData, subject: str) -> str:
    """The measure a report leads with: percent proficient where the data has levels, else the mean score gap."""
    return "proportion_difference" if has(data, subject)["levels"] else "mean_difference"


def _measures(data: ReportData, subject: str | None):
    if data.kind != "records":
        return ("proportion_difference",)
    if subject is None:
        return ("proportion_difference", "hedges_g")
    holds = has(data, subject)
    return (*(("proportion_difference",) if holds["levels"] else ()),
            *(("hedges_g",) if holds["levels"] else ("mean_difference", "hedges_g")) * holds["scores"])


def gaps(data: ReportData, subject: str) -> pd.DataFrame:
    """Every comparison's gaps in one subject, by year and grade (grade ``"All"`` = all grades), as the
    report shows them: `own_gaps`, with the cells the joint audit of an ``--each`` run hid besides
    (`ReportData.hide`, applied last: final) and, for published counts, the V statistic of each cell."""
    return _cached(data, ("gaps", subject), lambda: _gaps(data, subject))


def own_gaps(data: ReportData, subject: str) -> pd.DataFrame:
    """The gaps of one report protected on their own.

    One `gapkit.tables.gap_table` call per comparison (with grade margins, so complementary
    suppression protects the all-grades rows), then `gapkit.tables.protect_linked` so that no hidden
    English-learner count can be worked out from the overlapping EL groups (ever = current + former;
    newcomers are part of current ELs), then `gapkit.report.joint.hide_within` over every comparison
    together (groups shown in several tables, groups that add up to the tested students). There are no
    rows pooled over years: they would count a student once per year.
    """
    return _cached(data, ("own gaps", subject), lambda: _own_gaps(data, subject))


def _own_gaps(data, subject):
    frames, counts = [], []
    for comparison in data.comparisons:
        made = _comparison_table(data, comparison, subject, by=("year", "grade"))
        if made is None:
            continue
        table, count = made
        frames.append(table.assign(comparison=comparison, subject=subject))
        counts.append(count)
    if not frames:
        return pd.DataFrame(columns=[*_GAP_KEYS, "measure"])
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype(int)
    table["grade"] = grade_labels(table["grade"])
    counts = pd.concat(counts, ignore_index=True) if data.kind == "records" else _published_counts(data, subject)
    table = protect_linked(table, counts, by=("year", "grade"), min_n=data.rule.min_n)
    return hide(table, hide_within(data, subject, table) & ~table["suppressed"].astype(bool),
                reason=COMPLEMENTARY_REASON)


def _gaps(data, subject):
    table = own_gaps(data, subject)
    if table.empty:
        return table
    if data.hide:
        extra = pd.Series([(c, subject, int(y), str(g)) in data.hide for c, y, g in
                           zip(table["comparison"], table["year"], table["grade"])], index=table.index)
        table = hide(table, extra & ~table["suppressed"].astype(bool), reason=COMPLEMENTARY_REASON)
    if not has(data, subject)["scores"]:  # counts per level only: V is the gap across every level
        table = pd.concat([table, _v_statistics(data, subject, table)], ignore_index=True)
    return table


def _v_statistics(data, subject, table):
    """The V statistic for every cell of published data (each grade and all grades), shown only where
    the main table shows the cell.

    The binormal fits run on all cells at once. Each row takes its cell's suppression from the
    percent-proficient table (same counts, same cells), so it hides what that hides.
    """
    shown = table[table["measure"] == "proportion_difference"]
    frames = []
    for comparison in shown["comparison"].unique():
        column, focal, reference = _spec(data, comparison)
        mask = shown[shown["comparison"] == comparison].set_index(["year", "grade"])[["suppressed", "reason"]]
        for by in (("year", "grade"), ("year",)):
            summary = _summary(data, column, subject, by=by, outcome=None, labels=(*focal, *(reference or ())))
            if summary is None:
                continue
            present = set(summary.table[summary.group].dropna())
            focal_here = [label for label in focal if label in present]
            reference_here = [label for label in reference or () if label in present] or None
            part = gap_table(summary, focal=focal_here, reference=reference_here, measures=["v_statistic"],
                             min_n=data.rule.min_n)
            part["year"] = part["year"].astype(int)
            part["grade"] = grade_labels(part["grade"]) if "grade" in by else _ALL
            key = pd.MultiIndex.from_frame(part[["year", "grade"]])
            hidden = pd.Series(mask["suppressed"].reindex(key).to_numpy(), dtype=object).fillna(True).astype(bool)
            reason = mask["reason"].reindex(key).to_numpy()
            part = hide(part, (hidden & ~part["suppressed"].astype(bool)).to_numpy())
            part["reason"] = np.where(hidden, pd.Series(reason, dtype=object).fillna(COMPLEMENTARY_REASON),
                                      part["reason"])
            frames.append(part.assign(comparison=comparison, subject=subject))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _comparison_table(data, comparison, subject, *, by, outcome=None, measures=None):
    """One comparison's gap table by `by`; with ``"grade"`` in `by`, plus all-grades rows (grade ``"All"``).

    `gapkit.tables.gap_table` with margins over grade, so that complementary suppression protects the
    all-grades rows, and none over years (a student counts once per year). Returns the table and,
    for student records, the true focal counts behind it (for `gapkit.tables.protect_linked`); None
    when a side has no student.
    """
    column, focal, reference = _spec(data, comparison)
    summary = _summary(data, column, subject, by=by, outcome=outcome, labels=(*focal, *reference))
    if summary is None:
        return None
    present = set(summary.table[summary.group].dropna())
    focal = [label for label in focal if label in present]
    if not focal or (reference and not any(label in present for label in reference)):
        return None  # a side has no student with this outcome
    reference = [label for label in reference if label in present]
    measures = list(measures or _measures(data, subject))
    if not (summary.table["mean"].notna().any() and summary.table["sd"].notna().any()):
        # Too few students for any standard deviation: the standardised gap cannot be computed anywhere.
        measures = [m for m in measures if MEASURES[m].needs != "means"]
    if data.kind == "published" and "grade" in by:
        return _published_grades(data, summary, focal, reference, measures), None
    if "grade" in by:  # all-grades rows per year; no margin over years (never shown, so never protected)
        present = summary.table.groupby("year")[summary.group].agg(set)
        years = [y for y, labels in present.items()
                 if labels & set(focal) and (labels & set(reference) or not reference)]
        if not years:
            return None
        summary = replace(summary, table=summary.table[summary.table["year"].isin(years)].reset_index(drop=True))
        table = gap_table(summary, focal=focal, reference=reference or None, measures=measures,
                          min_n=data.rule.min_n, margins=("grade",), proficient=data.proficient)
        table["grade"] = grade_labels(table["grade"])
    else:
        table = gap_table(summary, focal=focal, reference=reference or None, measures=measures,
                          min_n=data.rule.min_n, proficient=data.proficient)
    counts = group_counts(summary, focal, margins=("grade",) if "grade" in by else ())
    return table, counts.assign(comparison=comparison, side="focal")


def _published_grades(data, summary, focal, reference, measures):
    """Published counts by year and grade, plus all-grades rows, protected together.

    Cells the source hid have unknown counts, so the all-grades rows are made by a second `gap_table`
    call over year alone (an all-grades row over a hidden grade is itself hidden), and one more
    `gapkit.privacy.suppress` pass over every row, grades adding up to the all-grades row, makes sure
    no hidden grade can be worked out from it. A source-hidden count enters that pass as hidden.
    """
    by_year = _summary(data, summary.group, summary.outcome, by=("year",), outcome=None,
                       labels=(*focal, *reference))
    parts = [gap_table(summary, focal=focal, reference=reference, measures=measures, min_n=data.rule.min_n,
                       proficient=data.proficient),
             gap_table(by_year, focal=focal, reference=reference, measures=measures, min_n=data.rule.min_n,
                       proficient=data.proficient).assign(grade=_ALL)]
    table = pd.concat(parts, ignore_index=True)
    table["grade"] = grade_labels(table["grade"])
    # True counts per cell and side (unknown where the source hid them: 0, and marked hidden).
    counts = []
    for frame, grade in ((summary.table, None), (by_year.table, _ALL)):
        side = np.where(frame["student_group"].isin(focal), "n_focal", "n_reference")
        sums = frame.assign(_side=side).groupby(["year", *(["grade"] if grade is None else []), "_side"])["n"] \
            .sum(min_count=1).unstack("_side").reset_index()
        if grade is not None:
            sums["grade"] = grade
        counts.append(sums)
    counts = pd.concat(counts, ignore_index=True)
    counts["grade"] = grade_labels(counts["grade"])
    cells = table.drop_duplicates(["year", "grade"])[["year", "grade", "suppressed", "reason"]]
    cells = cells.merge(counts, on=["year", "grade"], how="left")
    for column in ("n_focal", "n_reference"):
        unknown = cells[column].isna()
        cells.loc[unknown, "suppressed"] = True
        # An unknown count enters as a placeholder that keeps the sums consistent: 0 for a grade, and the
        # sum of its grades for an all-grades row (only which counts are hidden matters to the check).
        grades = cells[cells["grade"] != _ALL].groupby("year")[column].sum(min_count=0)
        total = cells["grade"] == _ALL
        cells.loc[total & unknown, column] = cells.loc[total & unknown, "year"].map(grades)
        cells[column] = cells[column].fillna(0).astype("int64")
    cells["year"] = cells["year"].astype(str)
    out = suppress(cells, dims=["year", "grade"], count_columns=["n_focal", "n_reference"], min_n=data.rule.min_n)
    flags = {(str(y), g): (h, r) for y, g, h, r in zip(out["year"], out["grade"], out["suppressed"], out["reason"])}
    now = pd.Series([flags[(str(y), g)][0] for y, g in zip(table["year"], table["grade"])], index=table.index)
    newly = now & ~table["suppressed"].astype(bool)
    table = hide(table, newly)
    table.loc[newly, "reason"] = [flags[(str(y), g)][1] for y, g in zip(table.loc[newly, "year"],
                                                                       table.loc[newly, "grade"])]
    order = table["grade"].map(lambda g: 10 ** 6 if g == _ALL else int(g))
    return table.assign(_order=order).sort_values(["year", "_order"], kind="stable") \
        .drop(columns="_order").reset_index(drop=True)


def _summary(data, column, subject, *, by, outcome, labels):
    """The Summary behind one comparison (None when a group label is not in the data)."""
    key = ("summary", column, subject, tuple(by), outcome, tuple(labels))
    return _cached(data, key, lambda: _summarize(data, column, subject, by=by, outcome=outcome, labels=labels))


def _summarize(data, column, subject, *, by, outcome, labels):
    if data.kind == "records":
        records = data.records
        present = set(records[column].dropna().unique())
        if not set(labels) & present:  # a side with no student is caught by the caller
            return None
        scale, level = (SUBJECTS[subject].scale, SUBJECTS[subject].level) if outcome is None else (outcome, None)
        if outcome is None and not has(data, subject)["scores"]:
            scale = level  # levels only: counted per level; no mean measure is asked of it (`_measures`)
        if level is not None and not has(data, subject)["levels"]:
            level = None
        return summarize(records, scale, column, by=by, levels=level)
    rows = data.published[data.published["subject"] == subject]
    if not set(labels) & set(rows["student_group"].unique()):
        return None
    level_columns = sorted(c for c in rows.columns if re.fullmatch(r"level_\d+", str(c)))
    levels = tuple(int(c.split("_")[1]) for c in level_columns)
    rows = rows[rows["student_group"].isin(labels)]
    cells = Summary.from_counts(rows, group="student_group", by=("year", "grade"), levels=levels, outcome=subject)
    return cells.rollup(by)


_CURRENT, _FORMER, _EVER = "Current EL vs never EL", "Former EL vs never EL", "Ever EL vs never EL"


def _published_counts(data, subject):
    """Focal counts of the EL groups per (year, grade) and all grades, from published counts.

    A count the source hid is unknown; it gets a placeholder that keeps ever = current + former true
    (only which counts are hidden matters to the suppression check, not their placeholder values).
    """
    labels = {name: COMPARISONS[name].published[0][0] for name in (_CURRENT, _FORMER, _EVER)}
    rows = data.published[(data.published["subject"] == subject)
                          & data.published["student_group"].isin(list(labels.values()))]
    if rows.empty:
        return pd.DataFrame(columns=["comparison", "side", "year", "grade", "n"])
    wide = rows.pivot_table(index=["year", "grade"], columns="student_group", values="n", aggfunc="first",
                            dropna=False).reindex(columns=list(labels.values()))
    wide.columns = list(labels)
    cur, former, ever = wide[_CURRENT], wide[_FORMER], wide[_EVER]
    cur = cur.fillna(ever - former)
    former = former.fillna(ever - cur)
    cur, former = cur.fillna(ever).fillna(0), former.fillna(0)
    ever = cur + former
    out = {name: {} for name in labels}
    for (year, grade), c, f, e in zip(wide.index, cur, former, ever):
        for name, value in ((_CURRENT, c), (_FORMER, f), (_EVER, e)):
            out[name][(str(year), str(grade))] = int(value)
            key = (str(year), _ALL)
            out[name][key] = out[name].get(key, 0) + int(value)
    return pd.DataFrame([{"comparison": name, "side": "focal", "year": year, "grade": grade, "n": n}
                         for name, cells in out.items() for (year, grade), n in cells.items()])


def opportunity_table(data: ReportData) -> pd.DataFrame:
    """Access to advanced coursework (risk ratio, focal over comparison group) by year, every comparison."""
    def compute():
        if data.kind != "records" or "advanced_course" not in data.records \
                or data.records["advanced_course"].notna().sum() == 0:
            return pd.DataFrame()
        frames, counts = [], []
        for comparison in data.comparisons:
            made = _comparison_table(data, comparison, None, by=("year",), outcome="advanced_course",
                                     measures=("risk_ratio",))
            if made is not None:
                frames.append(made[0].assign(comparison=comparison))
                counts.append(made[1])
        if not frames:
            return pd.DataFrame()
        table = pd.concat(frames, ignore_index=True)
        return protect_linked(table, pd.concat(counts, ignore_index=True), by=("year",), min_n=data.rule.min_n)
    return _cached(data, "opportunity", compute)


def progress_table(data: ReportData) -> pd.DataFrame:
    """Current English learners who moved up at least one English-proficiency level since the prior year.

    `gapkit.proficiency.elp_growth` by year and grade with margins, so that complementary suppression
    protects the all-grades rows (grade ``"All"``); rows pooled over years are dropped (a student counts
    once per year). Year and grade are strings.
    """
    def compute():
        if data.kind != "records" or not {"elp_level", "elp_level_prior"} <= set(data.records.columns):
            return pd.DataFrame()
        records = data.records[data.records["grade"].notna()]
        table = elp_growth(records, by=("year", "grade"), min_n=data.rule.min_n, margins=True)
        return _by_year(table, grade=True)
    return _cached(data, "progress", compute)


def long_term_table(data: ReportData) -> pd.DataFrame:
    """The share of current English learners in US schools six years or more, by year
    (`gapkit.proficiency.long_term_el_share`); empty without ``years_in_us``."""
    def compute():
        if data.kind != "records" or "years_in_us" not in data.records \
                or data.records["years_in_us"].notna().sum() == 0:
            return pd.DataFrame()
        return _by_year(long_term_el_share(data.records, by=("year",), min_n=data.rule.min_n))
    return _cached(data, "long_term", compute)


def former_table(data: ReportData, subject: str) -> pd.DataFrame:
    """Former English learners' percent proficient in `subject` by year and years since exit, against
    never-EL students (`gapkit.proficiency.former_el_outcomes`, which carries the selection caveat)."""
    def compute():
        if data.kind != "records" or not has(data, subject)["levels"] or not data.records["former_el"].any() \
                or data.records["el_exit_year"].notna().sum() == 0:
            return pd.DataFrame()
        table = former_el_outcomes(data.records, SUBJECTS[subject].level, by=("year",),
                                   proficient=data.proficient, min_n=data.rule.min_n)
        return _by_year(table)
    return _cached(data, ("former", subject), compute)


def _by_year(table, *, grade=False):
    """A proficiency table with one school year per row (pooled-year margin rows dropped), keys as strings."""
    table = table[table["year"].astype(str) != _ALL].reset_index(drop=True)
    table["year"] = table["year"].astype(str)
    if grade:
        table["grade"] = grade_labels(table["grade"])
    return table


def trend_table(data: ReportData, subject: str, *, view: str = "cross-sectional") -> pd.DataFrame:
    """Change of each percent-proficient gap from one year to the next, split into each group's change.

    `gapkit.trends.gap_trend` on the report's gap table (already suppressed): ``'cross-sectional'``
    compares all grades of each year with the next year; ``'cohort'`` follows grade g of one year to
    grade g + 1 of the next. A change is also hidden when a percent at either end is below 5% or above
    95% (the gap tables show such gaps only as a range, so an exact change would give them away).
    """
    one_of(view, "view", VIEWS)
    table = gaps(data, subject)
    if table.empty or len(data.years) < 2:
        return pd.DataFrame()
    table = table[table["measure"] == "proportion_difference"]
    table = table[(table["grade"] == _ALL) if view == "cross-sectional" else (table["grade"] != _ALL)]
    if view == "cohort":
        table = table.assign(grade=table["grade"].astype(int))
    table = table.drop(columns="subject")
    trend = gap_trend(table, period="year", view=view)
    if trend.empty:
        return trend
    coded = {(r["comparison"], int(r["year"]), str(r["grade"])): _is_coded(r) for r in table.to_dict("records")}
    grade_from = trend["grade_from"] if view == "cohort" else trend["grade"]
    grade_to = trend["grade_to"] if view == "cohort" else trend["grade"]
    hide = pd.Series([coded.get((c, int(y0), str(g0)), False) or coded.get((c, int(y1), str(g1)), False)
                      for c, y0, g0, y1, g1 in zip(trend["comparison"], trend["year_from"], grade_from,
                                                   trend["year_to"], grade_to)], index=trend.index)
    hide &= ~trend["suppressed"]
    numbers = ["gap_from", "gap_to", "change", "se", "ci_low", "ci_high", "change_focal", "change_reference"]
    trend.loc[hide, numbers] = np.nan
    trend.loc[hide, "label"] = ""
    trend.loc[hide, "suppressed"] = True
    trend.loc[hide, "reason"] = "a percent at one end is below 5% or above 95%"
    return trend


def _is_coded(row) -> bool:
    if row["suppressed"] or pd.isna(row["value_focal"]) or pd.isna(row["value_reference"]):
        return False
    return any(Rule.percent(float(row[f"value_{side}"]), row[f"n_{side}"]).startswith(("<", ">"))
               for side in ("focal", "reference"))
