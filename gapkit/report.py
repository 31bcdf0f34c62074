"""The gap report: what the report notebook shows, and the ``gapkit report`` command.

The report notebook (``notebooks/reports/gap_report.ipynb``) is thin: a parameters cell, headings, and
one call per section into this module. Each section function is pure: it takes a `ReportData` (the
file that was read, filtered to one school or the district) and returns a `Section` of tables,
figures and sentences that have already been through `gapkit.privacy` suppression. `show` turns a
section into HTML for the notebook.

Pipeline order, as everywhere in gapkit: records -> summary -> measures -> privacy -> views. Every
number shown here comes from `gapkit.tables.gap_table` (which suppresses), `gapkit.trends.gap_trend`,
or a count table passed through `gapkit.privacy.suppress` here, with margins so that complementary
suppression protects them.

The command (`configure_parser`, `run`) reads and validates the data file *before* anything is
written, executes the notebook with papermill in a temporary folder, exports an HTML page with no
code, and moves the finished files into place only when every step succeeded.
"""
from __future__ import annotations

import argparse
import base64
import html
import io
import math
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._validation import as_tuple, validate_choice, validate_int
from .privacy import SUPPRESSED_MARK, code_percent, suppress
from .records import COMPARISONS, PROFICIENT_LEVEL, SUBJECTS, add_el_groups
from .summary import Summary, summarize
from .tables import gap_table

__all__ = [
    "ReportData", "ReportTable", "ReportFigure", "Finding", "Section",
    "load", "data_used", "group_sizes", "el_gaps", "other_gaps", "trends", "cohorts", "opportunity",
    "elp_progress", "findings", "how_to_read", "family_summary", "show", "to_html",
    "configure_parser", "run", "NOTEBOOK",
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

#: Plain names of each side of a comparison, for sentences.
_PLAIN = {
    "Current EL vs never EL": ("current English learners", "students who were never English learners"),
    "Former EL vs never EL": ("former English learners", "students who were never English learners"),
    "Ever EL vs never EL": ("students who were ever English learners",
                            "students who were never English learners"),
    "Newcomer EL vs never EL": ("newcomer English learners", "students who were never English learners"),
    "Students with disabilities vs without": ("students with disabilities", "students without disabilities"),
    "Economically disadvantaged vs not": ("economically disadvantaged students",
                                          "students who are not economically disadvantaged"),
    "Hispanic/Latino vs White": ("Hispanic/Latino students", "White students"),
    "Black/African American vs White": ("Black/African American students", "White students"),
    "Female vs male": ("female students", "male students"),
}
_PLAIN_ES = {
    "Current EL vs never EL": ("los estudiantes que aprenden inglés",
                               "los estudiantes que nunca necesitaron apoyo en inglés"),
}
_SUBJECT_NAMES = {"math": "mathematics", "ela": "English language arts"}
_SUBJECT_NAMES_ES = {"math": "matemáticas", "ela": "lengua y literatura en inglés"}

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
    min_n : int
        Minimum group size shown.
    language : {'en', 'es'}
        Language of the summary for families.
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
    min_n: int = 10
    language: str = "en"


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
         min_n=10, language="en") -> ReportData:
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
    min_n : int
        Minimum group size shown (default 10).
    language : {'en', 'es'}
        Language of the short summary for families.

    Raises
    ------
    gapkit.readers.DataError
        The file cannot be read; the message names the file, column and row.
    ReportError
        An option does not fit the data (unknown school, subject, comparison or year).
    """
    min_n = validate_int(min_n, "min_n", minimum=1)
    kind = validate_choice(kind, "kind", KINDS)
    language = validate_choice(language, "language", LANGUAGES)
    subjects = tuple(SUBJECTS) if not subjects else as_tuple(subjects)
    for subject in subjects:
        validate_choice(subject, "subjects", SUBJECTS)
    comparisons = (*EL_COMPARISONS, *OTHER_COMPARISONS) if not comparisons else as_tuple(comparisons)
    for name in comparisons:
        validate_choice(name, "groups", (*EL_COMPARISONS, *OTHER_COMPARISONS))

    if isinstance(data, pd.DataFrame):
        source, frame, excluded, kind = "records", data, _no_exclusions(), "records"
        rows_read = len(data)
    else:
        source = Path(data).name
        if kind == "auto":
            kind = detect_kind(data)
        frame, excluded, rows_read = _read(data, kind=kind, mapping=mapping)

    if kind == "records":
        records, published = frame, None
        school_name = None
        if school is not None:
            records, school_name = _one_school(records, school, source)
        wanted = _years_iv(years, records["year"], source)
        records = add_el_groups(records[records["year"].isin(wanted)].reset_index(drop=True))
        present = tuple(sorted(int(y) for y in records["year"].dropna().unique()))
    else:
        records = None
        published, school_name = _published_rows(frame, school, source)
        wanted = _years_iv(years, published["year"], source)
        published = published[published["year"].isin(wanted)].reset_index(drop=True)
        present = tuple(sorted(int(y) for y in published["year"].unique()))
        comparisons = tuple(c for c in comparisons if c in PUBLISHED_GROUPS)
    return ReportData(source=source, kind=kind, records=records, published=published, excluded=excluded,
                      rows_read=int(rows_read), school=school_name, subjects=subjects, comparisons=comparisons,
                      years=present, min_n=min_n, language=language)


def detect_kind(path) -> str:
    """``'published'`` when the file's header has a student-group and a count column, else ``'records'``."""
    from . import readers
    return readers.detect_kind(path) if hasattr(readers, "detect_kind") else _detect_kind_from_header(path)


def _detect_kind_from_header(path) -> str:
    header = _header(path)
    lowered = {h.strip().lower() for h in header}
    if "student_id" in lowered:
        return "records"
    if lowered & {"student_group", "n_tested", "level_1"}:
        return "published"
    return "records"


def _header(path) -> list[str]:
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xls"}:
        return [str(c) for c in pd.read_excel(path, nrows=0).columns]
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq
        return list(pq.read_schema(path).names)
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            with open(path, encoding=encoding, newline="") as f:
                line = f.readline()
            break
        except UnicodeDecodeError:
            continue
    import csv
    dialect = csv.Sniffer().sniff(line, delimiters=",;\t|") if line.strip() else csv.excel
    return next(csv.reader([line], dialect))


def _read(path, *, kind, mapping):
    """Read with gapkit.readers; return (frame, excluded, rows read)."""
    from . import readers
    if kind == "records":
        result = readers.read_records(path, mapping=mapping)
        frame, excluded = _unpack_records(result)
        return frame, excluded, len(frame) + int(excluded["rows"].sum())
    summary = readers.read_published(path, mapping=mapping)
    frame = _published_frame(summary)
    excluded = summary.excluded if len(summary.excluded) else _no_exclusions()
    return frame, excluded, len(frame) + int(excluded["rows"].sum())


def _unpack_records(result):
    """read_records' canonical frame and its exclusion report (reason, rows)."""
    if isinstance(result, pd.DataFrame):
        frame = result
        excluded = result.attrs.get("excluded")
    else:
        frame = getattr(result, "records", None)
        if frame is None:
            frame = result.frame
        excluded = getattr(result, "excluded", None)
    if excluded is None:
        excluded = _no_exclusions()
    elif not isinstance(excluded, pd.DataFrame):
        excluded = pd.DataFrame({"reason": list(excluded), "rows": list(excluded.values())})
    if "rows" not in excluded:
        excluded = excluded.groupby("reason").size().rename("rows").reset_index()
    return frame, excluded[["reason", "rows"]].reset_index(drop=True)


def _no_exclusions():
    return pd.DataFrame({"reason": pd.Series([], dtype=object), "rows": pd.Series([], dtype="int64")})


def _published_frame(summary: Summary) -> pd.DataFrame:
    """Flatten a published Summary to: year, school_id, school_name, grade, subject, student_group, n, levels."""
    table = summary.table.copy()
    table = table.rename(columns={summary.group: "student_group"})
    if "subject" not in table:
        table["subject"] = summary.outcome
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


def _published_rows(frame, school, source):
    ids = frame["school_id"].astype(str)
    names = frame["school_name"].astype(str) if "school_name" in frame else ids
    if school is None:
        district = names.str.contains("district", case=False) | ids.str.upper().str.startswith("D")
        ids_present = ids[district].unique()
        if len(ids_present) != 1:
            raise ReportError(f"{source} has no single district-wide set of rows; give `school`.")
        match = ids == ids_present[0]
        name = None
    else:
        match = (ids == str(school)) | (names.str.casefold() == str(school).casefold())
        if not match.any():
            listed = "; ".join(f"{i} ({n})" for i, n in sorted(set(zip(ids, names))))
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
    years = [validate_int(y, "years") for y in as_tuple(years)]
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
    column, focal, reference = COMPARISONS[comparison]
    return column, focal, reference


def _measures(data: ReportData):
    return ("proportion_difference", "hedges_g") if data.kind == "records" else \
        ("proportion_difference", "v_statistic")


_CACHE: dict = {}


def _cached(key, compute):
    if key not in _CACHE:
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = compute()
    return _CACHE[key]


def gaps(data: ReportData, subject: str) -> pd.DataFrame:
    """Every comparison's gaps in one subject, by year and grade (grade ``"All"`` = all grades).

    One `gapkit.tables.gap_table` call per comparison (with grade margins, so complementary
    suppression protects the all-grades rows), then `_el_family` so that no hidden English-learner
    count can be worked out from the overlapping EL groups (ever = current + former; newcomers are
    part of current ELs). Rows pooled over years are dropped: they count a student once per year.
    """
    return _cached((id(data), "gaps", subject), lambda: _gaps(data, subject))


def _gaps(data, subject):
    frames = []
    for comparison in data.comparisons:
        table = _comparison_table(data, comparison, subject, by=("year", "grade"))
        if table is None:
            continue
        table = table[table["year"].astype(str) != _ALL]
        frames.append(table.assign(comparison=comparison, subject=subject))
    if not frames:
        return pd.DataFrame(columns=[*_GAP_KEYS, "measure"])
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype(int)
    table["grade"] = table["grade"].astype(str).str.replace(r"\.0$", "", regex=True)
    if data.kind == "records":
        table = _el_family(data, table, outcome=SUBJECTS[subject][0], by=("year", "grade"))
    return table


def _comparison_table(data, comparison, subject, *, by, outcome=None, measures=None):
    """One comparison's gap table by `by`; with ``"grade"`` in `by`, plus all-grades rows (grade ``"All"``).

    `gapkit.tables.gap_table` with margins, so that complementary suppression protects the all-grades
    rows; rows pooled over years are dropped (a student counts once per year).
    """
    column, focal, reference = _spec(data, comparison)
    summary = _summary(data, column, subject, by=by, outcome=outcome, labels=(*focal, *reference))
    if summary is None:
        return None
    table = gap_table(summary, focal=list(focal), reference=list(reference) or None,
                      measures=list(measures or _measures(data)), min_n=data.min_n, margins="grade" in by)
    if "grade" in by:
        table = table[table["year"].astype(str) != _ALL].reset_index(drop=True)
        table["grade"] = table["grade"].astype(str).str.replace(r"\.0$", "", regex=True)
    return table


def _summary(data, column, subject, *, by, outcome, labels):
    """The Summary behind one comparison (None when a group label is not in the data)."""
    if data.kind == "records":
        records = data.records
        present = set(records[column].dropna().unique())
        if not set(labels) <= present:
            return None
        scale, level = SUBJECTS[subject] if outcome is None else (outcome, None)
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


def _hide(table, mask):
    """Blank counts and estimates on the rows of `mask` and mark them suppressed."""
    if not mask.any():
        return table
    table = table.copy()
    for column in ("n_focal", "n_reference"):
        table[column] = pd.array(table[column], dtype="Int64")
        table.loc[mask, column] = pd.NA
    for column in ("estimate", "se", "ci_low", "ci_high", "value_focal", "value_reference"):
        if column in table:
            table.loc[mask, column] = np.nan
    table.loc[mask, "suppressed"] = True
    return table


#: The EL groups that overlap: for each family, the total and its parts (comparison names; None = a
#: part that no table shows, whose count is derived as total minus the shown parts).
_EL_FAMILIES = (
    ("Ever EL vs never EL", ("Current EL vs never EL", "Former EL vs never EL")),
    ("Current EL vs never EL", ("Newcomer EL vs never EL", None)),
)
_EL_MASKS = {"Current EL vs never EL": "current_el", "Former EL vs never EL": "former_el",
             "Ever EL vs never EL": "ever_el", "Newcomer EL vs never EL": "newcomer"}
COMPLEMENTARY = "complementary suppression"


def _el_family(data, table, *, outcome, by):
    """Hide further cells so that no hidden EL count follows from the overlapping EL comparisons.

    The focal counts of the EL comparisons add up across comparisons (ever = current + former, and
    current = newcomers + other current ELs, a group no table shows). Each family is put through
    `gapkit.privacy.suppress` as one table whose margin is the family's total, with the cells
    `gap_table` already hid marked; the two families share the current-EL cells, so they are
    repeated until nothing changes.
    """
    records = data.records
    scored = records[records[outcome].notna() & records[list(by)].notna().all(axis=1)]
    if scored.empty:
        return table
    cells = table.drop_duplicates(["comparison", *by])[["comparison", *by, "suppressed"]]
    hidden = {(r["comparison"], *[str(r[b]) for b in by]): bool(r["suppressed"]) for r in cells.to_dict("records")}

    def true_counts(mask):
        part = scored[scored[mask]]
        counts = {}
        grouped = part.groupby(list(by)).size()
        for key, n in grouped.items():
            key = key if isinstance(key, tuple) else (key,)
            counts[tuple(str(k) for k in key)] = int(n)
        if "grade" in by:
            rest = [b for b in by if b != "grade"]
            for key, n in (part.groupby(rest).size().items() if rest else [((), len(part))]):
                key = key if isinstance(key, tuple) else (key,)
                full = dict(zip(rest, (str(k) for k in key)), grade=_ALL)
                counts[tuple(full[b] for b in by)] = int(n)
        return counts

    n = {name: true_counts(mask) for name, mask in _EL_MASKS.items()}
    cell_keys = sorted({k for counts in n.values() for k in counts})
    # The part no table shows: current ELs who are not newcomers. Only a small one needs protecting.
    other = {k: n["Current EL vs never EL"].get(k, 0) - n["Newcomer EL vs never EL"].get(k, 0) for k in cell_keys}
    for k, value in other.items():
        hidden[("other current EL", *k)] = 0 < value < data.min_n
    n["other current EL"] = other

    for _ in range(10):
        changed = False
        for total, parts in _EL_FAMILIES:
            names = [total, *[p if p is not None else "other current EL" for p in parts]]
            rows = []
            for k in cell_keys:
                for name in names:
                    key = (name, *k)
                    if key in hidden:
                        hide = hidden[key]
                    else:  # a cell no table of this report shows
                        hide = True
                    rows.append({**dict(zip(by, k)), "group": _ALL if name == total else name,
                                 "n": n[name].get(k, 0), "suppressed": hide})
            frame = pd.DataFrame(rows)
            out = suppress(frame, dims=[*by, "group"], count_columns=["n"], min_n=data.min_n)
            for row, now in zip(rows, out["suppressed"]):
                name = total if row["group"] == _ALL else row["group"]
                key = (name, *[str(row[b]) for b in by])
                if now and key in hidden and not hidden[key]:
                    hidden[key] = True
                    changed = True
        if not changed:
            break

    newly = [hidden.get((r["comparison"], *[str(r[b]) for b in by]), False) and not r["suppressed"]
             for r in table[["comparison", *by, "suppressed"]].to_dict("records")]
    newly = pd.Series(newly, index=table.index, dtype=bool)
    table = _hide(table, newly)
    table.loc[newly, "reason"] = COMPLEMENTARY
    return table
