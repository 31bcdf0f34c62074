"""What a report is made from: a data file read and filtered to one school or the district (`load`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from gapkit import readers
from gapkit._validation import int_like, label_tuple, one_of
from gapkit.privacy import Rule
from gapkit.records import (ALL_STUDENTS, COLUMNS, COMPARISONS, NOT_CURRENT_EL, PROFICIENT_LEVEL, PUBLISHED_COMPLEMENTS,
                            SUBJECTS, add_el_groups)
from gapkit.summary import Summary

__all__ = ["ReportData", "ReportError", "load", "schools", "KINDS", "LANGUAGES", "EACH", "EL_COMPARISONS",
           "OTHER_COMPARISONS"]

KINDS = ("auto", "records", "published")


LANGUAGES = ("en", "es")


#: Comparisons of the English-learner section and of the other-groups section (keys of
#: `gapkit.records.COMPARISONS`).
EL_COMPARISONS = ("Current EL vs never EL", "Former EL vs never EL", "Ever EL vs never EL",
                  "Newcomer EL vs never EL")

#: The English-learner comparison of a file that tells current English learners only from everyone else
#: (``el_status`` "not EL", from a 0/1 current-EL flag): its default in place of `EL_COMPARISONS`.
EL_FLAG_COMPARISONS = ("Current EL vs all others",)


OTHER_COMPARISONS = ("Students with disabilities vs without", "Economically disadvantaged vs not",
                     "Hispanic/Latino vs White", "Black/African American vs White", "Female vs male")

#: Every comparison a report can show, in the order it shows them.
REPORT_COMPARISONS = (*EL_COMPARISONS, *EL_FLAG_COMPARISONS, *OTHER_COMPARISONS)


_ALL = "All"


class ReportError(ValueError):
    """The report cannot be made from this input; the message says why in plain words."""


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
    proficient : int
        The lowest performance level that counts as proficient (from the mapping; 3 by default).
    hide : frozenset of (comparison, subject, year, grade)
        Gap-table cells hidden besides the report's own suppression: those `gapkit.report.joint.hide_across`
        found that the other reports of the same ``--each`` run would give away (see `load`).
    warnings : tuple of str
        What the reader assumed or found worth a look (a default proficiency cut, outlying scores, how a
        marker was read); shown in the report's data section and by ``gapkit validate``.
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
    proficient: int = PROFICIENT_LEVEL
    warnings: tuple = ()
    hide: frozenset = frozenset()
    computed: dict = field(default_factory=dict, repr=False)


def load(data, *, mapping=None, kind="auto", school=None, subjects=None, comparisons=None, years=None,
         min_n=None, language="en", each=None) -> ReportData:
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
    each : {'school'}, optional
        The report is one of the set ``gapkit report --each school`` writes: the district's and every
        school's, protected together so that no hidden count follows from reading them side by side
        (`gapkit.report.joint.hide_across`; the cells it hides are `ReportData.hide`). The whole set is
        read and audited at the first call and kept for the next ones with the same file and options, so
        one kernel making every report of a run reads the file and runs the audit once.

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
    asked = label_tuple(comparisons) if comparisons else ()
    for name in asked:
        one_of(name, "groups", REPORT_COMPARISONS)
    years = tuple(years) if years else ()
    if each is not None:
        one_of(each, "each", EACH)
        if isinstance(data, pd.DataFrame):
            raise ReportError("`each` needs a data file, not a frame.")
        reports = _report_set(*_stamped(data), *_stamped(mapping), kind, subjects, asked, years, rule, language)
        return reports[_school_key(reports[None], school)]
    return _select(_source(data, kind=kind, mapping=mapping), school=school, subjects=subjects, asked=asked,
                   years=years, rule=rule, language=language)


#: What ``--each`` can make one report per.
EACH = ("school",)


@dataclass(frozen=True)
class _Source:
    """A data file as read: its name, kind, canonical frame, the rows left out, and how many rows it had."""

    name: str
    kind: str
    frame: pd.DataFrame
    excluded: pd.DataFrame
    rows_read: int


def _source(data, *, kind, mapping) -> _Source:
    if isinstance(data, pd.DataFrame):
        return _Source("records", "records", data, _no_exclusions(), len(data))
    kind, frame, excluded = _read(data, kind=kind, mapping=mapping)
    return _Source(Path(data).name, kind, frame, excluded, len(frame) + int(excluded["rows"].sum()))


def _select(read: _Source, *, school, subjects, asked, years, rule, language) -> ReportData:
    """The report data of one school (None: the district) of a file read."""
    source, frame, kind = read.name, read.frame, read.kind
    flag_only = kind == "records" and frame["el_status"].eq(NOT_CURRENT_EL).any()
    comparisons = asked or (*(EL_FLAG_COMPARISONS if flag_only else EL_COMPARISONS), *OTHER_COMPARISONS)
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
        absent = [c for c in ("year", "grade") if c not in frame]
        if absent:
            raise ReportError(f"{source} has no {' and no '.join(absent)} column: a report shows results by school "
                              f"year and grade. A file for one {' and one '.join(absent)} can say so in its mapping "
                              f"(`constants: {{{absent[0]}: ...}}`); results for all grades together can be read "
                              f"(`gapkit validate`, `gapkit.read_published`) but not made into a report.")
        published, school_name = _published_rows(frame, school, source)
        district = _district_id(frame)
        every = [(i, n) for i, n in schools(frame) if i != district]
        wanted = _years_iv(years, published["year"], source)
        published = published[published["year"].isin(wanted)].reset_index(drop=True)
        present = tuple(sorted(int(y) for y in published["year"].unique()))
        comparisons = tuple(c for c in comparisons if COMPARISONS[c].published is not None)
    attrs = frame.attrs
    return ReportData(source=source, kind=kind, records=records, published=published, excluded=read.excluded,
                      rows_read=int(read.rows_read), school=school_name, subjects=subjects, comparisons=comparisons,
                      years=present, rule=rule, language=language, all_schools=tuple(every),
                      proficient=int(attrs.get("proficient", PROFICIENT_LEVEL)),
                      warnings=tuple(attrs.get("warnings", ())))


def _stamped(path):
    """(path, when it last changed): a kept report set is made again when its file changes."""
    if path is None:
        return None, None
    stat = Path(path).stat()
    return str(path), (stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1)
def _report_set(data, _data_stamp, mapping, _mapping_stamp, kind, subjects, asked, years, rule, language,
                keep=frozenset()):
    """``{None: the district's ReportData, school id: each school's}`` from one read of the file, with the
    cells the joint audit of the set hides (`ReportData.hide`; `keep` as for `hide_across`) and the gap
    tables it made kept."""
    from gapkit.report.joint import hide_across

    read = _source(data, kind=kind, mapping=mapping)
    options = {"subjects": subjects, "asked": asked, "years": years, "rule": rule, "language": language}
    reports = {None: _select(read, school=None, **options)}
    reports.update({school: _select(read, school=school, **options) for school, _ in reports[None].all_schools})
    hides = hide_across(reports[None], {k: v for k, v in reports.items() if k is not None}, keep=keep)
    return {key: replace(data, hide=hides[key], computed=dict(data.computed)) for key, data in reports.items()}


def _school_key(district: ReportData, school) -> str | None:
    """The id of `school` (an id or a name) among the district's schools; None stays None."""
    if school is None:
        return None
    for school_id, name in district.all_schools:
        if str(school) == school_id or str(school).casefold() == name.casefold():
            return school_id
    listed = "; ".join(f"{i} ({n})" for i, n in district.all_schools)
    raise ReportError(f"`school` ({school!r}) is not in {district.source}; schools are: {listed}.")


def _read(path, *, kind, mapping):
    """Read with gapkit.readers, once; return (kind, frame, excluded)."""
    kind, result = readers.read_either(path, mapping=mapping, kind=kind)
    if kind == "records":
        return (kind, *_unpack_records(result))
    return kind, _published_frame(result), result.excluded if len(result.excluded) else _no_exclusions()


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
    names = _names_or_ids(records)
    match = (ids == school) | (names.str.casefold() == school.casefold())
    if not match.any():
        known = sorted(set(zip(ids, names)))
        listed = "; ".join(f"{i} ({n})" for i, n in known)
        raise ReportError(f"`school` ({school!r}) is not in {source}; schools are: {listed}.")
    rows = records[match].reset_index(drop=True)
    name = rows["school_name"].dropna() if "school_name" in rows else pd.Series(dtype=object)
    return rows, str(name.iloc[0]) if len(name) else str(rows["school_id"].iloc[0])


def _district_id(frame):
    """The id of the district-wide rows of a published file: the school id whose "All Students" total is at
    least the sum of every other id's (None when the file has no such rows)."""
    everyone = frame[frame["student_group"] == ALL_STUDENTS]
    totals = everyone.groupby(everyone["school_id"].astype(str))["n"].sum()
    if len(totals) < 2:
        return None
    top = totals.idxmax()
    return top if totals[top] >= totals.drop(top).sum() else None


def _published_rows(frame, school, source):
    ids = frame["school_id"].astype(str)
    names = _names_or_ids(frame)
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
    everyone = rows[rows["student_group"] == ALL_STUDENTS].set_index(keys)
    extra = []
    for complement, group in PUBLISHED_COMPLEMENTS.items():
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
    return sorted(set(zip(frame["school_id"].astype(str), _names_or_ids(frame))))


def _names_or_ids(frame) -> pd.Series:
    """Each row's school name, or its school id where the file names no school (names are never missing)."""
    ids = frame["school_id"].astype(str)
    if "school_name" not in frame:
        return ids
    names = frame["school_name"]
    return names.where(names.notna() & (names.astype(str).str.strip() != ""), ids).astype(str)


def _spec(data: ReportData, comparison: str):
    """(group column, focal labels, reference labels) of a comparison for this kind of data."""
    if data.kind == "published":
        focal, reference = COMPARISONS[comparison].published
        return "student_group", focal, reference
    c = COMPARISONS[comparison]
    column, focal, reference = c.group, c.focal, c.reference
    if reference is None:  # everyone else: every other code of the column
        reference = tuple(code for code in COLUMNS[column].codes if code not in focal)
    return column, focal, reference


def _cached(data, key, compute):
    """Compute once per ReportData: several sections use the same gap tables."""
    if key not in data.computed:
        data.computed[key] = compute()
    return data.computed[key]
