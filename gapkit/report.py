"""The gap report: what the report notebook shows, and the ``gapkit report`` command.

The report notebook (``notebooks/reports/gap_report.ipynb``) is thin: a parameters cell, headings, and
one call per section into this module. Each section function is pure: it takes a `ReportData` (the
file that was read, filtered to one school or the district) and returns a `Section` of tables,
figures and sentences that have already been through `gapkit.privacy` suppression. `show` turns a
section into HTML for the notebook.

Every number shown here comes from `gapkit.tables.gap_table` (which suppresses small cells before it
computes any measure), `gapkit.tables.protect_linked` (across the overlapping EL groups),
`gapkit.trends.gap_trend`, or a count table passed through `gapkit.privacy.suppress` here, with
margins so that complementary suppression protects them.

`write_reports` (what ``gapkit report`` calls) reads and validates the data file *before* anything is
written, executes the notebook with papermill in a temporary folder, exports an HTML page with no
code, and moves the finished files into place only when every step succeeded.
"""
from __future__ import annotations

import base64
import html
import io
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import readers, views
from ._validation import int_like, label_tuple, one_of
from .measures import MEASURES
from .privacy import COMPLEMENTARY_REASON, SUPPRESSED_MARK, Rule, suppress
from .records import COMPARISONS, SUBJECTS, add_el_groups
from .summary import Summary, summarize
from .tables import gap_table, group_counts, hide, protect_linked
from .trends import VIEWS, gap_trend

__all__ = [
    "ReportData", "ReportTable", "ReportFigure", "Finding", "Section", "ReportError",
    "load", "schools", "gaps", "trend_table", "opportunity_table", "progress_table",
    "cover", "data_used", "el_gaps", "other_gaps", "trends", "cohorts", "opportunity", "elp_progress",
    "findings", "how_to_read", "family_summary", "to_html", "show", "export_html", "write_reports", "NOTEBOOK",
]

#: The report notebook, relative to the repository root.
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "reports" / "gap_report.ipynb"

KINDS = ("auto", "records", "published")
LANGUAGES = ("en", "es")

#: Comparisons of the English-learner section and of the other-groups section (keys of
#: `gapkit.records.COMPARISONS`).
EL_COMPARISONS = ("Current EL vs never EL", "Former EL vs never EL", "Ever EL vs never EL",
                  "Newcomer EL vs never EL")
OTHER_COMPARISONS = ("Students with disabilities vs without", "Economically disadvantaged vs not",
                     "Hispanic/Latino vs White", "Black/African American vs White", "Female vs male")

#: Published report-card group labels for each comparison (focal labels, reference labels).
#: "without disabilities" and "not economically disadvantaged" are All Students minus the group.
PUBLISHED_GROUPS = {
    "Current EL vs never EL": (("English Learners",), ("Never English Learners",)),
    "Former EL vs never EL": (("Former English Learners",), ("Never English Learners",)),
    "Ever EL vs never EL": (("Ever English Learners",), ("Never English Learners",)),
    "Students with disabilities vs without": (("Students with Disabilities",),
                                              ("Students without Disabilities",)),
    "Economically disadvantaged vs not": (("Economically Disadvantaged",),
                                          ("Not Economically Disadvantaged",)),
    "Hispanic/Latino vs White": (("Hispanic/Latino",), ("White",)),
    "Black/African American vs White": (("Black/African American",), ("White",)),
    "Female vs male": (("Female",), ("Male",)),
}
_PUBLISHED_COMPLEMENTS = {"Students without Disabilities": "Students with Disabilities",
                          "Not Economically Disadvantaged": "Economically Disadvantaged"}

def _names(comparison: str) -> dict:
    """The ``focal_name`` and ``reference_name`` arguments of the views, in plain words."""
    c = COMPARISONS[comparison]
    return {"focal_name": c.focal_words, "reference_name": c.reference_words}


_PLAIN_ES = {
    "Current EL vs never EL": ("los estudiantes que aprenden inglés",
                               "los estudiantes que nunca necesitaron apoyo en inglés"),
}

#: Okabe & Ito (2008) colour-blind-safe palette; markers differ too, so colour is never the only cue.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")

_ALL = "All"


class ReportError(ValueError):
    """The report cannot be made from this input; the message says why in plain words."""


# ---------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ReportData:
    """The data a report is made from: one school (or the district) of one file.

    Attributes
    ----------
    source : str
        File name of the data (no folder, so a shared report does not show a machine path).
    kind : {'records', 'published'}
        Student-level records, or published aggregate counts per performance level.
    records : DataFrame or None
        Student-year rows with the EL groups of `gapkit.records.add_el_groups` (records only).
    published : DataFrame or None
        Published counts: year, grade, subject, student_group, n, level_1..level_4 (published only).
    excluded : DataFrame
        Rows of the file that were left out, with ``reason`` and ``rows``.
    rows_read : int
        Rows in the file.
    school : str or None
        School name (None: the whole district).
    subjects, comparisons : tuple of str
        Subjects (keys of `gapkit.records.SUBJECTS`) and comparisons (keys of
        `gapkit.records.COMPARISONS`) to report.
    years : tuple of int
        School years in the report, oldest first.
    rule : gapkit.privacy.Rule
        What may be shown (the minimum group size, ``rule.min_n``).
    language : {'en', 'es'}
        Language of the summary for families.
    all_schools : tuple of (id, name)
        Every school of the file (for ``--each school``).
    computed : dict
        Tables already computed for this data (gap tables are shared by several sections).
    """

    source: str
    kind: str
    records: pd.DataFrame | None
    published: pd.DataFrame | None
    excluded: pd.DataFrame
    rows_read: int
    school: str | None
    subjects: tuple
    comparisons: tuple
    years: tuple
    rule: Rule = field(default_factory=Rule)
    language: str = "en"
    all_schools: tuple = ()
    computed: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True, eq=False)
class ReportTable:
    """A table ready to show: display strings, already suppressed.

    ``columns`` maps each column of ``frame`` to a role used in the HTML (``"n"`` for counts of
    students, ``"total"`` for the margin label column, ``""`` otherwise), so that readers and tests
    can tell counts from other numbers.
    """

    caption: str
    frame: pd.DataFrame
    kind: str
    roles: dict = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, eq=False)
class ReportFigure:
    """A chart as PNG bytes with its text alternative."""

    png: bytes
    alt: str
    caption: str


@dataclass(frozen=True)
class Finding:
    """One "what this shows" sentence and the numbers it was made from.

    ``source`` names what was computed (``"gap"``, ``"trend"``, ``"opportunity"``, ``"progress"``)
    and ``keys`` the cell (comparison, subject, year), so the sentence can be checked against an
    independent computation.
    """

    text: str
    source: str
    keys: tuple = ()
    values: tuple = ()


@dataclass(frozen=True, eq=False)
class Section:
    """One part of the report."""

    key: str
    title: str
    paragraphs: tuple = ()
    tables: tuple = ()
    figures: tuple = ()
    findings: tuple = ()
    details: tuple = ()   # tables shown folded under "More detail"
    box: bool = False


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def load(data, *, mapping=None, kind="auto", school=None, subjects=None, comparisons=None, years=None,
         min_n=None, language="en") -> ReportData:
    """Read a data file (or take a frame) and keep what one report needs.

    Parameters
    ----------
    data : str, Path or DataFrame
        A student-level file, a published aggregate file, or canonical records already read.
    mapping : str or Path, optional
        Column mapping for `gapkit.readers`.
    kind : {'auto', 'records', 'published'}
        What the file holds; ``'auto'`` looks at its columns.
    school : str, optional
        School id or name; None for the whole district.
    subjects : sequence of str, optional
        Subjects to report (default: all of `gapkit.records.SUBJECTS`).
    comparisons : sequence of str, optional
        Comparisons to report, keys of `gapkit.records.COMPARISONS` (default: all in this report).
    years : sequence of int, optional
        School years to keep (default: all).
    min_n : int, optional
        Minimum group size shown (default: `gapkit.privacy.Rule`'s, 10).
    language : {'en', 'es'}
        Language of the short summary for families.

    Raises
    ------
    gapkit.readers.DataError
        The file cannot be read; the message names the file, column and row.
    ReportError
        An option does not fit the data (unknown school, subject, comparison or year).
    """
    rule = Rule() if min_n is None else Rule(min_n)
    kind = one_of(kind, "kind", KINDS)
    language = one_of(language, "language", LANGUAGES)
    subjects = tuple(SUBJECTS) if not subjects else label_tuple(subjects)
    for subject in subjects:
        one_of(subject, "subjects", SUBJECTS)
    comparisons = (*EL_COMPARISONS, *OTHER_COMPARISONS) if not comparisons else label_tuple(comparisons)
    for name in comparisons:
        one_of(name, "groups", (*EL_COMPARISONS, *OTHER_COMPARISONS))

    if isinstance(data, pd.DataFrame):
        source, frame, excluded, kind = "records", data, _no_exclusions(), "records"
        rows_read = len(data)
    else:
        source = Path(data).name
        if kind == "auto":
            kind = readers.guess_kind(Path(data), mapping)
        frame, excluded, rows_read = _read(data, kind=kind, mapping=mapping)

    if kind == "records":
        records, published = frame, None
        school_name = None
        every = schools(frame)
        if school is not None:
            records, school_name = _one_school(records, school, source)
        wanted = _years_iv(years, records["year"], source)
        records = add_el_groups(records[records["year"].isin(wanted)].reset_index(drop=True))
        present = tuple(sorted(int(y) for y in records["year"].dropna().unique()))
    else:
        records = None
        published, school_name = _published_rows(frame, school, source)
        district = _district_id(frame)
        every = [(i, n) for i, n in schools(frame) if i != district]
        wanted = _years_iv(years, published["year"], source)
        published = published[published["year"].isin(wanted)].reset_index(drop=True)
        present = tuple(sorted(int(y) for y in published["year"].unique()))
        comparisons = tuple(c for c in comparisons if c in PUBLISHED_GROUPS)
    return ReportData(source=source, kind=kind, records=records, published=published, excluded=excluded,
                      rows_read=int(rows_read), school=school_name, subjects=subjects, comparisons=comparisons,
                      years=present, rule=rule, language=language, all_schools=tuple(every))


def _read(path, *, kind, mapping):
    """Read with gapkit.readers; return (frame, excluded, rows read)."""
    if kind == "records":
        result = readers.read_records(path, mapping=mapping)
        frame, excluded = _unpack_records(result)
        return frame, excluded, len(frame) + int(excluded["rows"].sum())
    summary = readers.read_published(path, mapping=mapping)
    frame = _published_frame(summary)
    excluded = summary.excluded if len(summary.excluded) else _no_exclusions()
    return frame, excluded, len(frame) + int(excluded["rows"].sum())


def _unpack_records(frame):
    """read_records' canonical frame and its exclusion report (``attrs["excluded"]``) as (reason, rows)."""
    excluded = frame.attrs.get("excluded")
    if excluded is None or len(excluded) == 0:
        return frame, _no_exclusions()
    if not isinstance(excluded, pd.DataFrame):  # a sequence of {reason, rows, example_rows} records
        excluded = pd.DataFrame.from_records(list(excluded))
    return frame, excluded[["reason", "rows"]].reset_index(drop=True)


def _no_exclusions():
    return pd.DataFrame({"reason": pd.Series([], dtype=object), "rows": pd.Series([], dtype="int64")})


def _published_frame(summary: Summary) -> pd.DataFrame:
    """Flatten a published Summary to: year, school_id, school_name, grade, subject, student_group, n, levels."""
    table = summary.table.copy()
    table = table.rename(columns={summary.group: "student_group"})
    if "subject" not in table:
        table["subject"] = summary.outcome
    if "school_id" not in table:  # a file for one school or district
        table["school_id"] = "all"
    return table


def _one_school(records, school, source):
    school = str(school)
    ids = records["school_id"].astype(str)
    names = records["school_name"].astype(str) if "school_name" in records else ids
    match = (ids == school) | (names.str.casefold() == school.casefold())
    if not match.any():
        known = sorted(set(zip(ids, names)))
        listed = "; ".join(f"{i} ({n})" for i, n in known)
        raise ReportError(f"`school` ({school!r}) is not in {source}; schools are: {listed}.")
    rows = records[match].reset_index(drop=True)
    return rows, str(rows["school_name"].iloc[0]) if "school_name" in rows else school


def _district_id(frame):
    """The id of the district-wide rows of a published file: the school id whose "All Students" total is at
    least the sum of every other id's (None when the file has no such rows)."""
    ids = frame["school_id"].astype(str)
    everyone = frame[frame["student_group"] == "All Students"]
    totals = everyone.groupby(everyone["school_id"].astype(str))["n"].sum()
    if len(totals) < 2:
        return None
    top = totals.idxmax()
    return top if totals[top] >= totals.drop(top).sum() else None


def _published_rows(frame, school, source):
    ids = frame["school_id"].astype(str)
    names = frame["school_name"].astype(str) if "school_name" in frame else ids
    if school is None:
        district = _district_id(frame)
        present = ids.unique()
        if district is None and len(present) != 1:
            raise ReportError(f"{source} has no district-wide rows; give `school` (one of: "
                              f"{', '.join(sorted(present))}).")
        match = ids == (district if district is not None else present[0])
        name = None
    else:
        match = (ids == str(school)) | (names.str.casefold() == str(school).casefold())
        if not match.any():
            listed = "; ".join(f"{i} ({n})" if i != n else i for i, n in sorted(set(zip(ids, names))))
            raise ReportError(f"`school` ({school!r}) is not in {source}; schools are: {listed}.")
        name = str(names[match].iloc[0])
    return _add_published_complements(frame[match].reset_index(drop=True)), name


def _add_published_complements(rows):
    """Add 'without disabilities' and 'not economically disadvantaged' rows: All Students minus the group.

    A cell is left missing (hidden) when either side was hidden in the source.
    """
    keys = ["year", "school_id", "grade", "subject"]
    counts = ["n", *[c for c in rows.columns if re.fullmatch(r"level_\d+", str(c))]]
    everyone = rows[rows["student_group"] == "All Students"].set_index(keys)
    extra = []
    for complement, group in _PUBLISHED_COMPLEMENTS.items():
        part = rows[rows["student_group"] == group].set_index(keys)
        if part.empty:
            continue
        base = everyone.reindex(part.index)
        out = base[counts].astype("float64") - part[counts].astype("float64")
        hidden = base["source_suppressed"].fillna(True).astype(bool) | part["source_suppressed"].astype(bool)
        out.loc[hidden.to_numpy(), counts] = np.nan
        out["source_suppressed"] = hidden.to_numpy()
        out["student_group"] = complement
        for column in ("school_name", "mean", "sd"):
            if column in part:
                out[column] = part[column] if column == "school_name" else np.nan
        extra.append(out.reset_index())
    return pd.concat([rows, *extra], ignore_index=True) if extra else rows


def _years_iv(years, column, source):
    present = sorted(int(y) for y in pd.Series(column).dropna().unique())
    if not years:
        return present
    years = [int_like(y, "years") for y in label_tuple(years)]
    missing = [y for y in years if y not in present]
    if missing:
        raise ReportError(f"`years` {', '.join(map(str, missing))} not in {source}; "
                          f"years are: {', '.join(map(str, present))}.")
    return years


def schools(data: ReportData | pd.DataFrame) -> list[tuple[str, str]]:
    """(school_id, school_name) of every school in the data, sorted by id."""
    frame = data if isinstance(data, pd.DataFrame) else (data.records if data.kind == "records" else data.published)
    ids = frame["school_id"].astype(str)
    names = frame["school_name"].astype(str) if "school_name" in frame else ids
    return sorted(set(zip(ids, names)))


# ---------------------------------------------------------------------------
# Gaps: gap_table per comparison and subject, then the EL family check
# ---------------------------------------------------------------------------

_GAP_KEYS = ("comparison", "subject", "year", "grade")


def _spec(data: ReportData, comparison: str):
    """(group column, focal labels, reference labels) of a comparison for this kind of data."""
    if data.kind == "published":
        focal, reference = PUBLISHED_GROUPS[comparison]
        return "student_group", focal, reference
    c = COMPARISONS[comparison]
    column, focal, reference = c.group, c.focal, c.reference
    return column, focal, reference


def _measures(data: ReportData):
    return ("proportion_difference", "hedges_g") if data.kind == "records" else ("proportion_difference",)


def _cached(data, key, compute):
    """Compute once per ReportData: several sections use the same gap tables."""
    if key not in data.computed:
        data.computed[key] = compute()
    return data.computed[key]


def gaps(data: ReportData, subject: str) -> pd.DataFrame:
    """Every comparison's gaps in one subject, by year and grade (grade ``"All"`` = all grades).

    One `gapkit.tables.gap_table` call per comparison (with grade margins, so complementary
    suppression protects the all-grades rows), then `gapkit.tables.protect_linked` so that no hidden
    English-learner count can be worked out from the overlapping EL groups (ever = current + former;
    newcomers are part of current ELs). Rows pooled over years are dropped: they count a student once
    per year.
    """
    return _cached(data, ("gaps", subject), lambda: _gaps(data, subject))


def _gaps(data, subject):
    frames, counts = [], []
    for comparison in data.comparisons:
        made = _comparison_table(data, comparison, subject, by=("year", "grade"))
        if made is None:
            continue
        table, count = made
        table = table[table["year"].astype(str) != _ALL]
        frames.append(table.assign(comparison=comparison, subject=subject))
        counts.append(count)
    if not frames:
        return pd.DataFrame(columns=[*_GAP_KEYS, "measure"])
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype(int)
    table["grade"] = table["grade"].astype(str).str.replace(r"\.0$", "", regex=True)
    counts = pd.concat(counts, ignore_index=True) if data.kind == "records" else _published_counts(data, subject)
    table = protect_linked(table, counts, by=("year", "grade"), min_n=data.rule.min_n)
    if data.kind == "published":
        table = pd.concat([table, _v_statistics(data, subject, table)], ignore_index=True)
    return table


def _v_statistics(data, subject, table):
    """The V statistic for the all-grades rows of published data, shown only where the main table shows the cell.

    V needs a model fit per cell, so it is computed for all grades only; each row takes its cell's
    suppression from the percent-proficient table (same counts, same cells), so it hides what that hides.
    """
    shown = table[(table["grade"] == _ALL) & (table["measure"] == "proportion_difference")]
    frames = []
    for comparison in shown["comparison"].unique():
        column, focal, reference = _spec(data, comparison)
        summary = _summary(data, column, subject, by=("year",), outcome=None, labels=(*focal, *reference))
        part = gap_table(summary, focal=list(focal), reference=list(reference), measures=["v_statistic"],
                         min_n=data.rule.min_n)
        mask = shown[shown["comparison"] == comparison].set_index(shown.columns[0])[["suppressed", "reason"]]
        part["year"] = part["year"].astype(int)
        hidden = part["year"].map(mask["suppressed"]).fillna(True).astype(bool)
        part = hide(part, hidden & ~part["suppressed"].astype(bool))
        part["reason"] = np.where(hidden, part["year"].map(mask["reason"]).fillna(COMPLEMENTARY_REASON),
                                  part["reason"])
        frames.append(part.assign(grade=_ALL, comparison=comparison, subject=subject))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _comparison_table(data, comparison, subject, *, by, outcome=None, measures=None):
    """One comparison's gap table by `by`; with ``"grade"`` in `by`, plus all-grades rows (grade ``"All"``).

    `gapkit.tables.gap_table` with margins, so that complementary suppression protects the all-grades
    rows; rows pooled over years are dropped (a student counts once per year). Returns the table and,
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
    measures = list(measures or _measures(data))
    if not (summary.table["mean"].notna().any() and summary.table["sd"].notna().any()):
        # Too few students for any standard deviation: the standardised gap cannot be computed anywhere.
        measures = [m for m in measures if MEASURES[m].needs != "means"]
    if data.kind == "published" and "grade" in by:
        return _published_grades(data, summary, focal, reference, measures), None
    table = gap_table(summary, focal=focal, reference=reference or None, measures=measures, min_n=data.rule.min_n,
                      margins="grade" in by)
    if "grade" in by:
        table = table[table["year"].astype(str) != _ALL].reset_index(drop=True)
        table["grade"] = table["grade"].astype(str).str.replace(r"\.0$", "", regex=True)
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
    parts = [gap_table(summary, focal=focal, reference=reference, measures=measures, min_n=data.rule.min_n),
             gap_table(by_year, focal=focal, reference=reference, measures=measures, min_n=data.rule.min_n)
             .assign(grade=_ALL)]
    table = pd.concat(parts, ignore_index=True)
    table["grade"] = table["grade"].astype(str).str.replace(r"\.0$", "", regex=True)
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
    counts["grade"] = counts["grade"].astype(str).str.replace(r"\.0$", "", regex=True)
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
    if data.kind == "records":
        records = data.records
        present = set(records[column].dropna().unique())
        if not set(labels) <= present:
            return None
        scale, level = (SUBJECTS[subject].scale, SUBJECTS[subject].level) if outcome is None else (outcome, None)
        return summarize(records, scale, column, by=by, levels=level)
    rows = data.published[data.published["subject"] == subject]
    if not set(labels) <= set(rows["student_group"].unique()):
        return None
    level_columns = sorted(c for c in rows.columns if re.fullmatch(r"level_\d+", str(c)))
    levels = tuple(int(c.split("_")[1]) for c in level_columns)
    rows = rows[rows["student_group"].isin(labels)]
    counts = ["n", *level_columns]
    keys = [*by, "student_group"]
    grouped = rows.groupby(keys, dropna=False)
    table = grouped[counts].sum(min_count=1)
    hidden = grouped["source_suppressed"].any() | rows[counts].isna().any(axis=1).groupby(
        [rows[k] for k in keys]).any()
    table.loc[hidden, counts] = np.nan
    table["source_suppressed"] = hidden
    return Summary.from_counts(table.reset_index(), group="student_group", by=by, levels=levels, outcome=subject)


_CURRENT, _FORMER, _EVER = "Current EL vs never EL", "Former EL vs never EL", "Ever EL vs never EL"


def _published_counts(data, subject):
    """Focal counts of the EL groups per (year, grade) and all grades, from published counts.

    A count the source hid is unknown; it gets a placeholder that keeps ever = current + former true
    (only which counts are hidden matters to the suppression check, not their placeholder values).
    """
    labels = {_CURRENT: "English Learners", _FORMER: "Former English Learners", _EVER: "Ever English Learners"}
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


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------

def _where(data: ReportData) -> str:
    return data.school or "the district"


def _subject_name(subject):
    return SUBJECTS[subject].name


def _latest(data):
    return data.years[-1] if data.years else None


def data_used(data: ReportData) -> Section:
    """What was read, what was left out and why (row counts through suppression)."""
    paragraphs = [
        f"Source file: {data.source} ({'student-level records' if data.kind == 'records' else 'published aggregate counts'}).",
        f"Report for {_where(data)}; school years {', '.join(views.school_year(y) for y in data.years) or 'none'}; "
        f"subjects: {', '.join(_subject_name(s) for s in data.subjects)}.",
        f"Groups smaller than {data.rule.min_n} students are not shown, and neither is any number from which a "
        "hidden group could be worked out.",
    ]
    tables = []
    excluded = data.excluded
    if len(excluded) and int(excluded["rows"].sum()) > 0:
        frame = pd.DataFrame({"why": [*excluded["reason"].astype(str), _ALL],
                              "n": [*excluded["rows"].astype(int), int(excluded["rows"].sum())]})
        out = suppress(frame, dims=["why"], count_columns=["n"], min_n=data.rule.min_n)
        shown = pd.DataFrame({"Why rows were left out": ["All rows left out" if r == _ALL else r for r in out["why"]],
                              "Rows": [_count_text(v) for v in out["n"]]})
        tables.append(ReportTable(caption=f"Rows of {data.source} left out of the report", frame=shown,
                                  kind="counts", roles={"Rows": "n"}))
        total_hidden = bool(out["suppressed"].iloc[-1])
        paragraphs.append(f"The file has {data.rows_read:,} rows." if total_hidden else
                          f"The file has {data.rows_read:,} rows; {data.rows_read - int(excluded['rows'].sum()):,} "
                          "were used.")
    else:
        paragraphs.append(f"The file has {data.rows_read:,} rows; none was left out.")
    if data.kind == "records":
        for subject in data.subjects:
            scale = SUBJECTS[subject].scale
            missing = int(data.records[scale].isna().sum())
            if missing:
                paragraphs.append(
                    f"In {_subject_name(subject)}, rows without a score (for example untested grades) are "
                    "not counted in that subject's gaps.")
    else:
        paragraphs.append(_PUBLISHED_LIMITS)
    return Section(key="data", title="The data in this report", paragraphs=tuple(paragraphs), tables=tuple(tables))


_PUBLISHED_LIMITS = (
    "This report was made from published counts per performance level. From such counts it can show the "
    "percent proficient of each group and the V statistic (a gap across all performance levels). It cannot "
    "show standardised gaps in average scores (published files have no standard deviations), newcomer "
    "English learners (not a published group), the cohort view (published counts do not follow the same "
    "students), access to advanced coursework, or English-proficiency progress. Those need student-level "
    "records.")


def _count_text(value) -> str:
    return SUPPRESSED_MARK if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) \
        else f"{int(value):,}"


def _gap_section(data, comparisons, key, title):
    paragraphs, tables, figures, details = [], [], [], []
    measure = "proportion_difference"
    other = "hedges_g" if data.kind == "records" else "v_statistic"
    for subject in data.subjects:
        table = gaps(data, subject)
        table = table[table["comparison"].isin(comparisons)] if len(table) else table
        if table.empty:
            paragraphs.append(f"No comparison could be made in {_subject_name(subject)}.")
            continue
        overall = table[table["grade"] == _ALL]
        head = overall[overall["measure"] == measure].drop(columns=["subject", "grade"])
        tables.append(ReportTable(
            caption=f"{_cap(_subject_name(subject))}: gap in percent proficient, all grades, by year "
                    "(comparison group minus focal group, percentage points)",
            frame=_display(_ordered(head, comparisons), focal_name="Focal group",
                                      reference_name="Comparison group"),
            kind="gap"))
        latest = overall[(overall["year"] == _latest(data)) & (overall["measure"] == measure)]
        if len(latest):
            chart_rows = _ordered(latest.drop(columns=["subject", "grade", "year"]), comparisons)
            figure = views.gap_chart(chart_rows, measure=measure, focal_name="the focal group",
                                     reference_name="the comparison group", subject=_subject_name(subject),
                                     title=f"{_cap(_subject_name(subject))}, {views.school_year(_latest(data))}: "
                                           "gap in percent proficient")
            figures.append(_figure(figure, caption=f"{_cap(_subject_name(subject))}, "
                                   f"{views.school_year(_latest(data))}, all grades: each dot is a gap with its "
                                   "95% interval; right of the dashed line, the focal group is behind."))
        standardised = overall[overall["measure"] == other].drop(columns=["subject", "grade"])
        details.append(ReportTable(
            caption=f"{_cap(_subject_name(subject))}: {MEASURES[other].words.name}, all grades, by year",
            frame=_display(_ordered(standardised, comparisons), focal_name="Focal group",
                                      reference_name="Comparison group"),
            kind="gap"))
        for comparison in comparisons:
            part = table[(table["comparison"] == comparison) & (table["measure"] == measure)]
            if part.empty:
                continue
            details.append(ReportTable(
                caption=f"{_cap(_subject_name(subject))}: {comparison}, gap in percent proficient by grade "
                        "and year",
                frame=_display(part.drop(columns=["subject", "comparison"]),
                                          focal_name=_cap(COMPARISONS[comparison].focal_words),
                                          reference_name=_cap(COMPARISONS[comparison].reference_words)),
                kind="gap"))
    missing = [c for c in comparisons if c not in data.comparisons]
    if missing and data.kind == "published":
        paragraphs.append("Not available from published counts: " + "; ".join(missing) + ".")
    return Section(key=key, title=title, paragraphs=tuple(paragraphs), tables=tuple(tables),
                   figures=tuple(figures), details=tuple(details))


def _display(table, **names):
    """`gapkit.views.display_table`, tidied for one-measure tables: comparison first, no measure column (the
    caption names it) and no empty note column."""
    shown = views.display_table(table, **names)
    if shown.get("Measure") is not None and shown["Measure"].nunique() <= 1:
        shown = shown.drop(columns="Measure")
    if "Note" in shown and not shown["Note"].astype(str).str.strip().any():
        shown = shown.drop(columns="Note")
    if "Comparison" in shown:
        shown = shown[["Comparison", *[c for c in shown.columns if c != "Comparison"]]]
    return shown


def _ordered(table, comparisons):
    order = {c: i for i, c in enumerate(comparisons)}
    keys = ["comparison"] + (["year"] if "year" in table else [])
    return table.assign(_o=table["comparison"].map(order)).sort_values(["_o", *keys[1:]], kind="stable") \
        .drop(columns="_o").rename(columns={"comparison": "comparison"}).reset_index(drop=True)


def _cap(text):
    return text[:1].upper() + text[1:]


def _figure(figure, *, caption):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return ReportFigure(png=buffer.getvalue(), alt=figure.alt_text, caption=caption)


def el_gaps(data: ReportData) -> Section:
    """Gaps for current, former, ever and newcomer English learners against never-EL students."""
    return _gap_section(data, EL_COMPARISONS, "el", "Gaps for English learners")


def other_gaps(data: ReportData) -> Section:
    """Gaps for students with disabilities, economic disadvantage, race/ethnicity and gender."""
    return _gap_section(data, OTHER_COMPARISONS, "other", "Gaps for other student groups")


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


def opportunity(data: ReportData) -> Section:
    """Opportunity gaps: how likely each group is to take advanced coursework, as a risk ratio."""
    if data.kind != "records":
        return Section(key="opportunity", title="Opportunity gaps", paragraphs=(
            "Access to advanced coursework cannot be computed from published test counts: it needs "
            "student-level records with course enrolment.",))
    table = opportunity_table(data)
    if table.empty:
        has_column = "advanced_course" in data.records and data.records["advanced_course"].notna().any()
        return Section(key="opportunity", title="Opportunity gaps", paragraphs=(
            "No comparison of advanced coursework can be made here: the data has none of the students it applies "
            "to with enough of both groups (grade 8 for Algebra I, and high school)." if has_column else
            "No student in this report has an advanced-coursework record (Algebra I by grade 8, or an advanced "
            "course in high school), so opportunity gaps cannot be shown.",))
    comparisons = [c for c in (*EL_COMPARISONS, *OTHER_COMPARISONS) if c in set(table["comparison"])]
    shown = _ordered(table, comparisons)
    tables = (ReportTable(
        caption="Advanced coursework: rate of the focal group divided by the rate of the comparison group "
                "(1 means equal access; below 1, the focal group is less often enrolled)",
        frame=_display(shown, focal_name="Focal group", reference_name="Comparison group"),
        kind="gap"),)
    figures = []
    latest = table[table["year"].astype(str) == str(_latest(data))]
    if len(latest):
        figure = views.gap_chart(_ordered(latest.drop(columns="year"), comparisons), measure="risk_ratio",
                                 focal_name="the focal group", reference_name="the comparison group",
                                 title=f"Advanced coursework, {views.school_year(_latest(data))}: rate ratio")
        figures.append(_figure(figure, caption="Each dot is a rate ratio with its 95% interval; left of the "
                                               "dashed line (1), the focal group is enrolled less often."))
    return Section(key="opportunity", title="Opportunity gaps", paragraphs=(
        "Rows counted: students in grade 8 (Algebra I by grade 8) and in high school (an advanced course).",),
        tables=tables, figures=tuple(figures))


def progress_table(data: ReportData) -> pd.DataFrame:
    """Current English learners who moved up at least one English-proficiency level since the prior year.

    By year and grade, with all-grades rows (grade ``"All"``); through `gapkit.privacy.suppress` with the
    all-grades rows as margins, which also codes the share (``share_display``).
    """
    def compute():
        records = data.records
        if data.kind != "records" or not {"elp_level", "elp_level_prior"} <= set(records.columns):
            return pd.DataFrame()
        rows = records[records["current_el"] & records["elp_level"].notna() & records["elp_level_prior"].notna()
                       & records["grade"].notna()]
        if rows.empty:
            return pd.DataFrame()
        up = (rows["elp_level"].astype(int) > rows["elp_level_prior"].astype(int))
        rows = rows.assign(moved_up=up.astype(int), grade=rows["grade"].astype(int).astype(str))
        cells = rows.groupby(["year", "grade"]).agg(n=("moved_up", "size"), moved_up=("moved_up", "sum")).reset_index()
        totals = rows.groupby("year").agg(n=("moved_up", "size"), moved_up=("moved_up", "sum")).reset_index()
        totals["grade"] = _ALL
        frame = pd.concat([cells, totals[cells.columns]], ignore_index=True)
        frame["year"] = frame["year"].astype(str)
        frame["share"] = frame["moved_up"] / frame["n"]
        out = suppress(frame.drop(columns="moved_up"), dims=["year", "grade"], count_columns=["n"],
                       percent_columns=["share"], min_n=data.rule.min_n)
        return out
    return _cached(data, "progress", compute)


def elp_progress(data: ReportData) -> Section:
    """English-proficiency progress: share of current ELs who moved up a level since the year before."""
    title = "English-proficiency progress"
    if data.kind != "records":
        return Section(key="progress", title=title, paragraphs=(
            "English-proficiency progress cannot be computed from published test counts: it needs each "
            "current English learner's proficiency level this year and last year.",))
    table = progress_table(data)
    if table.empty:
        return Section(key="progress", title=title, paragraphs=(
            "The data has no English-proficiency levels for two consecutive years, so progress cannot be shown.",))
    table = table.assign(_all=table["grade"] == _ALL).sort_values(["year", "_all"], kind="stable")
    shown = pd.DataFrame({
        "Year": [views.school_year(int(y)) for y in table["year"]],
        "Grade": ["All grades" if g == _ALL else g for g in table["grade"]],
        "Current English learners with a level this year and last year: n": [_count_text(v) for v in table["n"]],
        "Moved up at least one level": [SUPPRESSED_MARK if s else v for s, v in
                                        zip(table["suppressed"], table["share_display"])],
    })
    return Section(key="progress", title=title, paragraphs=(
        "Each row counts current English learners who have an English-proficiency level both this year and the "
        "year before, and shows the share whose level went up by at least one. Shares below 5% or above 95% "
        "are shown as <5% or >95%.",),
        tables=(ReportTable(caption="Current English learners who moved up at least one English-proficiency "
                                    "level since the year before", frame=shown, kind="counts"),))


# ---------------------------------------------------------------------------
# Findings, the box for readers, the summary for families
# ---------------------------------------------------------------------------

def _cell(table, **keys):
    """The one row of `table` matching `keys` (None when absent)."""
    mask = pd.Series(True, index=table.index)
    for column, value in keys.items():
        mask &= table[column].astype(str) == str(value)
    rows = table[mask]
    return None if rows.empty else rows.iloc[0]


def findings(data: ReportData) -> Section:
    """A short list of "what this shows" sentences, each built from numbers computed above.

    Each `Finding` keeps the cell it describes (``keys``) so its numbers can be checked against an
    independent run of `gapkit.tables.gap_table`.
    """
    items = []
    year = _latest(data)
    if year is None:
        return Section(key="findings", title="What this shows", paragraphs=("The data has no school year.",))
    when = views.school_year(year)
    for subject in data.subjects:
        table = gaps(data, subject)
        if table.empty:
            continue
        for comparison in ("Current EL vs never EL", "Former EL vs never EL"):
            row = _cell(table, comparison=comparison, year=year, grade=_ALL, measure="proportion_difference")
            if row is None:
                continue
            grade = _ALL
            if row["suppressed"]:  # e.g. published data with a hidden grade: the largest gap shown by grade
                by_grade = table[(table["comparison"] == comparison) & (table["year"] == year)
                                 & (table["grade"] != _ALL) & (table["measure"] == "proportion_difference")
                                 & ~table["suppressed"].astype(bool) & table["estimate"].notna()]
                if len(by_grade):
                    row = by_grade.loc[by_grade["estimate"].abs().idxmax()]
                    grade = row["grade"]
            cell = f"{when}, all grades" if grade == _ALL else f"{when}, grade {grade} (largest gap shown by grade)"
            text = views.gap_sentence(row, **_names(comparison), subject=_subject_name(subject), cell=cell)
            items.append(Finding(text=text, source="gap", keys=(comparison, subject, year, grade,
                                                                "proportion_difference")))
        row = _trend_finding(data, table, subject)
        if row is not None:
            items.append(row)
        others = table[(table["comparison"].isin(OTHER_COMPARISONS)) & (table["year"] == year)
                       & (table["grade"] == _ALL) & (table["measure"] == "proportion_difference")
                       & ~table["suppressed"].astype(bool) & table["estimate"].notna()]
        if len(others):
            row = others.loc[others["estimate"].abs().idxmax()]
            comparison = row["comparison"]
            text = ("Largest gap among the other groups: " +
                    views.gap_sentence(row, **_names(comparison), subject=_subject_name(subject),
                                       cell=f"{when}, all grades"))
            items.append(Finding(text=text, source="gap", keys=(comparison, subject, year, _ALL,
                                                                "proportion_difference")))
    if data.kind == "records":
        access = opportunity_table(data)
        if len(access):
            row = _cell(access, comparison="Current EL vs never EL", year=year)
            if row is not None:
                items.append(Finding(text=_access_sentence(row, when), source="opportunity",
                                     keys=("Current EL vs never EL", year)))
        progress = progress_table(data)
        if len(progress):
            row = _cell(progress, year=year, grade=_ALL)
            if row is not None and not row["suppressed"]:
                items.append(Finding(
                    text=f"{when}: {row['share_display']} of current English learners with an English-proficiency "
                         f"level this year and last year (n = {int(row['n']):,}) moved up at least one level.",
                    source="progress", keys=(year,)))
    if not items:
        items.append(Finding(text="No finding can be shown: every group is below the minimum size.",
                             source="none"))
    return Section(key="findings", title="What this shows", findings=tuple(items))


def _access_sentence(row, when):
    current = COMPARISONS["Current EL vs never EL"]
    focal, reference = current.focal_words, current.reference_words
    if row["suppressed"]:
        return f"{when}: access to advanced coursework for {focal} is not shown ({row['reason']})."
    if pd.isna(row["estimate"]):
        return f"{when}: access to advanced coursework for {focal} cannot be computed ({row['note']})."
    pf, pr = Rule.percent(float(row["value_focal"])), Rule.percent(float(row["value_reference"]))
    return (f"{when}: {pf} of {focal} (n = {int(row['n_focal']):,}) and {pr} of {reference} "
            f"(n = {int(row['n_reference']):,}) took advanced coursework; {focal} were "
            f"{row['estimate']:.2f} times as likely to be enrolled (95% interval {row['ci_low']:.2f} to "
            f"{row['ci_high']:.2f}).")


def how_to_read(data: ReportData) -> Section:
    """A plain-words box for readers who do not work with statistics."""
    points = (
        "A gap is the comparison group's result minus the focal group's result. A positive gap means the focal "
        "group (for example, current English learners) is behind.",
        "Percent proficient is the share of students who scored at the state's proficient level or above. "
        "A gap of 20 percentage points means, for example, 60% against 40%.",
        "The 95% interval is the range of gaps that fit the data. A narrow interval comes from many students; "
        "a wide one means the gap is uncertain. An interval that includes zero is consistent with no gap.",
        "A standardised gap (Hedges' g) puts average scale scores on a common scale: about 0.2 is small, "
        "0.5 medium and 0.8 large by a common rule of thumb (Cohen, 1988).",
        "A rate ratio compares how often two groups take advanced coursework: 0.5 means the focal group is "
        "enrolled half as often; 1 means equally often.",
        f"A star (*) or \u201csuppressed\u201d marks a number hidden to protect students: the group has fewer "
        f"than {data.rule.min_n} students, or the number would let a reader work out a hidden one.",
        "Current English learners change every year as students are reclassified, so the current-EL gap can "
        "stay wide even when every learner improves. Looking at former and ever English learners, and at the "
        "cohort view, gives the fuller picture.",
    )
    return Section(key="how-to-read", title="How to read this report", paragraphs=points, box=True)


def family_summary(data: ReportData) -> Section:
    """A short summary for families, in `data.language` (English or Spanish)."""
    year = _latest(data)
    lines = []
    for subject in data.subjects:
        table = gaps(data, subject)
        for comparison in ("Current EL vs never EL", "Ever EL vs never EL"):  # ever ELs when current are hidden
            row = None if table.empty or year is None else _cell(table, comparison=comparison, year=year,
                                                                  grade=_ALL, measure="proportion_difference")
            if row is None or row["suppressed"] or pd.isna(row["value_focal"]):
                continue
            pf, pr = Rule.percent(float(row["value_focal"])), Rule.percent(float(row["value_reference"]))
            lines.append(_family_line(data.language, subject, year, pf, pr, _where(data),
                                      ever=comparison.startswith("Ever")))
            break
    if not lines:
        lines.append("No hay datos suficientes para un resumen: los grupos son demasiado pequeños."
                     if data.language == "es" else
                     "There is not enough data for a summary: the groups are too small to show.")
    title = "Resumen para las familias" if data.language == "es" else "Summary for families"
    closing = ("Estas cifras describen a grupos de estudiantes, no a ningún estudiante en particular. Los grupos "
               f"de menos de {data.rule.min_n} estudiantes no se muestran." if data.language == "es" else
               "These numbers describe groups of students, never one student. Groups of fewer than "
               f"{data.rule.min_n} students are not shown.")
    return Section(key="families", title=title, paragraphs=(*lines, closing))


def _out_of_100(coded, language):
    """'43%' -> 'about 43 out of every 100'; '<5%' -> 'fewer than 5 out of every 100'."""
    number = coded.strip("<>%")
    if coded.startswith("<"):
        return f"menos de {number} de cada 100" if language == "es" else f"fewer than {number} out of every 100"
    if coded.startswith(">"):
        return f"más de {number} de cada 100" if language == "es" else f"more than {number} out of every 100"
    return f"alrededor de {number} de cada 100" if language == "es" else f"about {number} out of every 100"


def _family_line(language, subject, year, pf, pr, where, *, ever=False):
    if language == "es":
        where = "el distrito" if where == "the district" else where
        who = "que aprenden o aprendieron inglés en la escuela" if ever else "que están aprendiendo inglés"
        return (f"En el año escolar {views.school_year(year)}, en {where}, {_out_of_100(pf, 'es')} estudiantes {who} "
                f"alcanzaron el nivel esperado en {SUBJECTS[subject].name_es}; entre los estudiantes que nunca "
                f"necesitaron apoyo en inglés, lo alcanzaron {_out_of_100(pr, 'es')}.")
    place = "in the district" if where == "the district" else f"at {where}"
    who = "who are learning English or learned it at school" if ever else "who are learning English"
    return (f"In the {views.school_year(year)} school year, {place}, {_out_of_100(pf, 'en')} students {who} met "
            f"the expected level in {_subject_name(subject)}; among students who never needed English-language "
            f"support, {_out_of_100(pr, 'en')} did.")



# ---------------------------------------------------------------------------
# Trends (cross-sectional and cohort) through gapkit.trends
# ---------------------------------------------------------------------------

def trends(data: ReportData) -> Section:
    """How each gap changed from the first to the latest year, split into each group's change."""
    return _trend_section(data, view="cross-sectional")


def cohorts(data: ReportData) -> Section:
    """The cohort view: one grade followed as it moves up a grade each year (grade g in year y, g + k in y + k)."""
    return _trend_section(data, view="cohort")


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
    return any(Rule.percent(float(row[v])).startswith(("<", ">")) for v in ("value_focal", "value_reference"))


def _signed_points(value) -> str:
    points = round(float(value) * 100)
    return "0" if points == 0 else f"{points:+d}".replace("-", "\u2212")


def _trend_sentence(row, comparison, subject) -> str:
    """A trend row in plain words, with its numbers."""
    focal, reference = COMPARISONS[comparison].focal_words, COMPARISONS[comparison].reference_words
    start, end = views.school_year(int(row["year_from"])), views.school_year(int(row["year_to"]))
    head = f"From {start} to {end}, {_subject_name(subject)}, {focal} against {reference}"
    if row["suppressed"]:
        return f"{head}: the change is not shown ({views._reason_text(row['reason'])})."
    if pd.isna(row["change"]):
        return f"{head}: {row['label'] or 'the change cannot be computed'}."
    return (f"{head}: the gap changed by {_signed_points(row['change'])} percentage points (95% interval "
            f"{_signed_points(row['ci_low'])} to {_signed_points(row['ci_high'])}); the share proficient changed by "
            f"{_signed_points(row['change_focal'])} points for {focal} and by "
            f"{_signed_points(row['change_reference'])} points for {reference}: {row['label']}.")


def _trend_finding(data, table, subject):
    trend = trend_table(data, subject, view="cross-sectional")
    if trend.empty:
        return None
    rows = trend[(trend["comparison"] == _CURRENT) & (trend["year_to"].astype(int) == _latest(data))]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return Finding(text=_trend_sentence(row, _CURRENT, subject), source="trend",
                   keys=(_CURRENT, subject, int(row["year_from"]), int(row["year_to"])))


def _trend_section(data, *, view):
    key = "trends" if view == "cross-sectional" else "cohort"
    title = "How the gaps changed" if view == "cross-sectional" else "The cohort view"
    if view == "cohort" and data.kind == "published":
        return Section(key=key, title=title, paragraphs=(
            "The cohort view cannot be computed from published counts: they do not follow the same students. "
            "The grade-by-year tables above show each year's students.",))
    if len(data.years) < 2:
        return Section(key=key, title=title, paragraphs=("The data has one school year, so there is no change "
                                                         "to show.",))
    paragraphs = [
        ("Each row compares one year with the next, for all grades together (different students in the same "
         "grades). The change in a gap is the comparison group's change minus the focal group's: a gap can "
         "narrow because the focal group improved, or because the comparison group declined. Changes whose "
         "interval includes zero are labelled \u201cno change beyond the uncertainty\u201d. Numbers are rounded to "
         "whole points, so a change can differ by one from the difference of the rounded gaps.")
        if view == "cross-sectional" else
        ("Each row follows one grade of one year to the next grade the next year: largely the same students, "
         "minus those who moved. For English learners, the current-EL group shrinks as students are "
         "reclassified, so the ever-EL comparison is the steadier one here.")]
    tables, figures, details = [], [], []
    latest = _latest(data)
    for subject in data.subjects:
        trend = trend_table(data, subject, view=view)
        if trend.empty:
            continue
        if view == "cohort":
            trend = trend[trend["comparison"].isin(EL_COMPARISONS)]
        order = {c: i for i, c in enumerate((*EL_COMPARISONS, *OTHER_COMPARISONS))}
        trend = trend.assign(_o=trend["comparison"].map(order)).sort_values(
            ["_o", "year_from", *(["grade_from"] if view == "cohort" else [])], kind="stable").drop(columns="_o")
        last = trend[trend["year_to"].astype(int) == latest]
        what = "all grades" if view == "cross-sectional" else "each grade one year on"
        tables.append(ReportTable(
            caption=f"{_cap(_subject_name(subject))}: change in the gap in percent proficient, "
                    f"{views.school_year(latest - 1)} to {views.school_year(latest)}, {what} (percentage points)",
            frame=_trend_display(last, view), kind="trend"))
        details.append(ReportTable(
            caption=f"{_cap(_subject_name(subject))}: change in the gap in percent proficient, every pair of "
                    f"years, {what} (percentage points)", frame=_trend_display(trend, view), kind="trend"))
        if view == "cross-sectional":
            table = gaps(data, subject)
            line = table[(table["comparison"] == _CURRENT) & (table["grade"] == _ALL)
                         & (table["measure"] == "proportion_difference")].drop(columns=["subject", "grade",
                                                                                         "comparison"])
            if len(line):
                figure = views.gap_chart(line, measure="proportion_difference", **_names(_CURRENT),
                                         subject=_subject_name(subject),
                                         title=f"{_cap(_subject_name(subject))}: current-EL gap by year")
                figures.append(_figure(figure, caption=f"{_cap(_subject_name(subject))}: the gap between current "
                                                       "English learners and never-EL students, each year, all "
                                                       "grades, with 95% intervals."))
    return Section(key=key, title=title, paragraphs=tuple(paragraphs), tables=tuple(tables),
                   figures=tuple(figures), details=tuple(details))


def _trend_display(trend, view):
    def points(value):
        return "" if value is None or pd.isna(value) else f"{round(float(value) * 100):d}".replace("-", "\u2212")

    def signed(value):
        return "" if value is None or pd.isna(value) else _signed_points(value)

    out = []
    for row in trend.to_dict("records"):
        if view == "cohort":
            start = f"{views.school_year(int(row['year_from']))}, grade {row['grade_from']}"
            end = f"{views.school_year(int(row['year_to']))}, grade {row['grade_to']}"
        else:
            start, end = views.school_year(int(row["year_from"])), views.school_year(int(row["year_to"]))
        hidden = bool(row["suppressed"])
        out.append({
            "Comparison": row["comparison"], "From": start, "To": end,
            "Gap then": views.SUPPRESSED_TEXT if hidden else points(row["gap_from"]),
            "Gap now": views.SUPPRESSED_TEXT if hidden else points(row["gap_to"]),
            "Change in gap": views.SUPPRESSED_TEXT if hidden else signed(row["change"]),
            "95% interval": views.SUPPRESSED_TEXT if hidden else (
                f"{signed(row['ci_low'])} to {signed(row['ci_high'])}" if not pd.isna(row["ci_low"]) else ""),
            "Change, focal group": views.SUPPRESSED_TEXT if hidden else signed(row["change_focal"]),
            "Change, comparison group": views.SUPPRESSED_TEXT if hidden else signed(row["change_reference"]),
            "In words": views._reason_text(row["reason"]) if hidden else row["label"],
        })
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

def cover(data: ReportData) -> Section:
    """The line under the report's title: which school, which years, which minimum group size."""
    years = data.years
    span = (views.school_year(years[0]) if len(years) == 1 else
            f"{views.school_year(years[0])} to {views.school_year(years[-1])}") if years else "no years"
    return Section(key="cover", title="", paragraphs=(
        f"{_cap(_where(data))}: school years {span}. Made from {data.source}. Groups of fewer than "
        f"{data.rule.min_n} students are not shown.",))


def to_html(section: Section, *, heading: bool = False) -> str:
    """A section as HTML: paragraphs, accessible tables and figures, findings, folded detail tables."""
    esc = html.escape
    parts = [f'<section class="gapkit-section" id="gapkit-{esc(section.key)}">']
    if heading and section.title:
        parts.append(f"<h2>{esc(section.title)}</h2>")
    inner = []
    if section.box:
        inner.append('<aside class="gapkit-box" role="note" aria-label="How to read this report"><ul>')
        inner += [f"<li>{esc(p)}</li>" for p in section.paragraphs]
        inner.append("</ul></aside>")
    else:
        inner += [f"<p>{esc(p)}</p>" for p in section.paragraphs]
    if section.findings:
        inner.append('<ul class="gapkit-findings">')
        for finding in section.findings:
            attrs = " ".join(f'data-key-{i}="{esc(str(k), quote=True)}"' for i, k in enumerate(finding.keys))
            inner.append(f'<li class="gapkit-finding" data-source="{esc(finding.source)}" {attrs}>'
                         f"{esc(finding.text)}</li>")
        inner.append("</ul>")
    inner += [_table_html(t) for t in section.tables]
    inner += [_figure_html(f) for f in section.figures]
    if section.details:
        inner.append(f"<details><summary>More detail ({len(section.details)} "
                     f"table{'s' if len(section.details) != 1 else ''})</summary>")
        inner += [_table_html(t) for t in section.details]
        inner.append("</details>")
    parts += inner
    parts.append("</section>")
    return "\n".join(parts)


def _table_html(table: ReportTable) -> str:
    esc = html.escape
    head = []
    for column in table.frame.columns:
        role = table.roles.get(column) or ("n" if str(column).endswith(": n") else "")
        role_attr = f' data-role="{role}"' if role else ""
        head.append(f'<th scope="col"{role_attr}>{esc(str(column))}</th>')
    body = []
    for record in table.frame.itertuples(index=False):
        cells = []
        for value in record:
            value = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
            css = ' class="gapkit-suppressed"' if value in (SUPPRESSED_MARK, views.SUPPRESSED_TEXT) else ""
            cells.append(f"<td{css}>{esc(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="gapkit-note">{esc(table.note)}</p>' if table.note else ""
    return (f'<div class="gapkit-table-wrap"><table class="gapkit-table" data-kind="{esc(table.kind)}">'
            f"<caption>{esc(table.caption)}</caption><thead><tr>{''.join(head)}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>{note}</div>")


def _figure_html(figure: ReportFigure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    return (f'<figure class="gapkit-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(figure.alt, quote=True)}" style="max-width:100%;height:auto">'
            f"<figcaption>{html.escape(figure.caption)}</figcaption></figure>")


def show(section: Section, *, heading: bool = False) -> None:
    """Display a section in the notebook (as HTML output, so the exported report needs no code)."""
    from IPython.display import HTML, display
    display(HTML(to_html(section, heading=heading)))


#: Styles of the exported report: system fonts, no web fonts, nothing fetched from a network.
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a;
       max-width: 62rem; margin: 0 auto; padding: 1.5rem; line-height: 1.5; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { font-size: 1.35rem; margin-top: 2rem;
       border-bottom: 2px solid #0072B2; padding-bottom: .2rem; } h3 { font-size: 1.1rem; }
a.anchor-link { display: none; }
.gapkit-table-wrap { overflow-x: auto; margin: 1rem 0; }
table.gapkit-table { border-collapse: collapse; font-size: .9rem; }
table.gapkit-table caption { text-align: left; font-weight: 600; padding: .3rem 0; }
table.gapkit-table th, table.gapkit-table td { border: 1px solid #c8c8c8; padding: .25rem .5rem; text-align: left;
       vertical-align: top; }
table.gapkit-table th { background: #eef3f8; }
td.gapkit-suppressed { color: #555; font-style: italic; }
.gapkit-box { border: 2px solid #009E73; background: #f1faf6; padding: .5rem 1rem; border-radius: 6px; }
.gapkit-findings li { margin: .4rem 0; }
figure.gapkit-figure { margin: 1rem 0; } figcaption { font-size: .9rem; color: #333; }
details { margin: 1rem 0; } summary { cursor: pointer; font-weight: 600; }
.jp-OutputArea-output pre { white-space: pre-wrap; }
"""

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block notebook_css %}<style type="text/css">{{ resources.gapkit_css }}</style>{% endblock notebook_css %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block stream_stderr %}{% endblock stream_stderr %}
{% block error %}{% endblock error %}
"""


def export_html(notebook, path, *, title: str) -> None:
    """Write an executed notebook as one self-contained HTML page: no code, no prompts, no scripts."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4) if not isinstance(notebook, nbformat.NotebookNode) else notebook
    nb.metadata["title"] = title
    exporter = HTMLExporter(template_name="lab", template_file="gapkit_report.html.j2",
                            extra_loaders=[jinja2.DictLoader({"gapkit_report.html.j2": _TEMPLATE})],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"gapkit_css": CSS, "metadata": {"name": title}})
    Path(path).write_text(body, encoding="utf-8")


# ---------------------------------------------------------------------------
# Writing reports: the report notebook executed with papermill, exported, moved into place
# ---------------------------------------------------------------------------

EACH = ("school",)


def write_reports(data, out, *, mapping=None, kind="auto", school=None, each=None, subjects=None, comparisons=None,
                  years=None, min_n=None, language="en", jobs=1, progress=None) -> list[Path]:
    """Write the report (or one per school) for a data file into `out`; return the files written.

    The data file is read and checked first, so a file that cannot be used leaves nothing behind. The
    notebook is executed and exported in a temporary folder beside `out`, and the files are moved into
    `out` only when every report succeeded.

    Parameters
    ----------
    data : str or Path
        A student-level file or a published aggregate file.
    out : str or Path
        The folder to write into (created when missing).
    mapping, kind, school, subjects, comparisons, years, min_n, language
        As for `load`.
    each : {'school'}, optional
        One report per school, with an ``index.html`` linking them (instead of `school`).
    jobs : int
        With `each`: reports made at the same time, each in its own kernel.
    progress : callable, optional
        With `each`: called as ``progress(done, total)`` when the reports start and after each one.

    Raises
    ------
    gapkit.readers.DataError, ReportError
        The data or an option cannot be used, or a report could not be made; nothing is written.
    """
    if each is not None:
        one_of(each, "each", EACH)
    jobs = int_like(jobs, "jobs", minimum=1)
    data_path = _existing(data, "data")
    mapping_path = _existing(mapping, "mapping")
    loaded = load(data_path, mapping=mapping_path, kind=kind, school=school, subjects=subjects,
                  comparisons=comparisons, years=years, min_n=min_n, language=language)
    options = {"data_path": data_path, "mapping_path": mapping_path, "kind": loaded.kind,
               "subjects": list(subjects) if subjects else None,
               "groups": list(comparisons) if comparisons else None,
               "years": list(years) if years else None, "min_n": loaded.rule.min_n, "language": language}
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ReportError(f"`out` ({out}) is a file; give a folder.")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".gapkit-report-", dir=out.parent))
    try:
        if each == "school":
            pages = [(name, school_id, _slug(f"{school_id}-{name}")) for school_id, name in loaded.all_schools]
            _make_many(options, pages, folder=work, jobs=jobs, progress=progress)
            (work / "index.html").write_text(_index_html(loaded, pages, work), encoding="utf-8")
        else:
            _make_one(options, school=school, name=loaded.school or "the district", stem="gap_report", folder=work)
        return _move_into_place(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _existing(value, name):
    """The absolute path of an input file (None stays None); the kernel runs in another folder."""
    if value is None:
        return None
    path = Path(value)
    if not path.exists():
        raise ReportError(f"`{name}` file {path} does not exist.")
    return str(path.resolve())


def _make_many(options, pages, *, folder, jobs, progress):
    """One report per school, `jobs` at a time (each in its own kernel)."""
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    done_count = 0
    if progress is not None:
        progress(0, len(pages))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending = {pool.submit(_make_one, options, school=school_id, name=name, stem=stem, folder=folder)
                   for name, school_id, stem in pages}
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                error = future.exception()
                if error is not None:
                    for other in pending:
                        other.cancel()
                    raise error
                done_count += 1
                if progress is not None:
                    progress(done_count, len(pages))


#: How many times a report's kernel is started before giving up (see `_make_one`).
_KERNEL_STARTS = 3


def _make_one(options, *, school, name, stem, folder):
    """Execute the report notebook for one school (or the district) and export its HTML."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook = folder / f"{stem}.ipynb"
    parameters = {**options, "school": school}
    for attempt in range(_KERNEL_STARTS):
        try:
            papermill.execute_notebook(str(NOTEBOOK), str(notebook), parameters=parameters, kernel_name="python3",
                                       progress_bar=False, log_output=False, cwd=str(folder))
            break
        except PapermillExecutionError as error:
            raise ReportError(f"the report for {name} could not be made: {error.ename}: {error.evalue}") from None
        except RuntimeError as error:
            # A kernel can die at start when another process takes one of the ports it was given (a known
            # race of kernels over TCP); starting it again is safe, as nothing has run yet.
            if "Kernel died before replying" not in str(error) or attempt == _KERNEL_STARTS - 1:
                raise ReportError(f"the report for {name} could not be made: the kernel did not start "
                                  f"({error}).") from None
    title = f"Gap report: {name}"
    export_html(notebook, folder / f"{stem}.html", title=title)


def _slug(text):
    import unicodedata
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower() or "report"


def _index_html(data, pages, folder):
    """The page linking every school's report, each with the first of its findings."""
    esc = html.escape
    items = []
    for name, school_id, stem in pages:
        page = (folder / f"{stem}.html").read_text(encoding="utf-8")
        first = re.search(r'<li class="gapkit-finding"[^>]*>(.*?)</li>', page, flags=re.S)
        headline = f"<br><span class=\"gapkit-headline\">{first.group(1)}</span>" if first else ""
        label = esc(name) if name == school_id else f"{esc(name)} ({esc(school_id)})"
        items.append(f'<li><a href="{esc(stem)}.html">{label}</a>{headline}</li>')
    items = "".join(items)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Gap reports: {esc(data.source)}'
            f'</title><meta name="viewport" content="width=device-width, initial-scale=1.0"><style>{CSS}</style>'
            f"</head><body><main><h1>Gap reports by school</h1><p>One report per school, made from "
            f"{esc(data.source)}, each with its first finding. Groups of fewer than {data.rule.min_n} students are not "
            "shown in any report.</p>"
            f'<ul class="gapkit-index">{items}</ul></main></body></html>')


def _move_into_place(work, out):
    """Move every file of `work` into `out` (created if needed); return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(work.iterdir()):
        target = out / path.name
        os.replace(path, target)
        written.append(target)
    return written
