"""Published results: a report card's counts of students per performance level, read into a `Summary`."""
from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd

from gapkit.readers._cells import _codes_column, _numbers_column
from gapkit.readers._raw import DataError, _first_problem, _match_columns, _read_raw, _Report, _rows
from gapkit.readers.mapping import BUILTIN_CODES, LEVEL_COLUMN, MISSING, SUPPRESSED, _key, read_mapping
from gapkit.records import PUBLISHED_CELL, PUBLISHED_COLUMNS
from gapkit.summary import Summary

__all__ = ["read_published"]

#: A range in a published cell: "<10", "LT5", "GE50", ">=95", "40-44", "40 to 44" (percent sign allowed).
_RANGE = re.compile(
    r"^(?:(?P<op><=|>=|<|>|≤|≥|LE|LT|GE|GT)\s*(?P<bound>\d+(?:\.\d+)?)"
    r"|(?P<low>\d+(?:\.\d+)?)\s*%?\s*(?:-|–|to)\s*(?P<high>\d+(?:\.\d+)?))\s*(?P<pct>%?)$",
    re.IGNORECASE,
)


def _parse_published_cell(text: str, *, integer: bool):
    """One published number cell -> (value, low, high, status) with status 'exact', 'range', 'suppressed',
    'missing' or 'bad'. Values of percent cells (with '%') are returned as percents."""
    t = text.strip().replace(",", "")
    if t == "":
        return (math.nan, math.nan, math.nan, "missing")
    if _key(t) in SUPPRESSED or re.fullmatch(r"\*+", t):
        return (math.nan, math.nan, math.nan, "suppressed")
    number = t[:-1].strip() if t.endswith("%") else t
    try:
        value = float(number)
        return (value, value, value, "exact")
    except ValueError:
        pass
    match = _RANGE.match(t)
    if not match:
        return (math.nan, math.nan, math.nan, "bad")
    step = 1.0 if integer and not match.group("pct") else 0.0
    if match.group("op"):
        op = match.group("op").upper().replace("≤", "LE").replace("≥", "GE")
        op = {"<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}.get(op, op)
        bound = float(match.group("bound"))
        low, high = {"LT": (0.0, bound - step), "LE": (0.0, bound),
                     "GT": (bound + step, math.inf), "GE": (bound, math.inf)}[op]
    else:
        low, high = float(match.group("low")), float(match.group("high"))
        if low > high:
            return (math.nan, math.nan, math.nan, "bad")
    if match.group("pct") or t.endswith("%"):
        high = min(high, 100.0)
    return (math.nan, low, high, "range")


def read_published(path, *, mapping=None) -> Summary:
    """Read a report card's aggregate results (counts per performance level) into a `Summary`.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx`` or ``.parquet`` file with one row per cell and student group: the cell
        columns that are present among ``year``, ``school_id``, ``grade`` and ``subject``; ``student_group``;
        ``n_tested``; ``level_1`` ... ``level_K``; optionally ``mean_scale_score`` and ``school_name``.
    mapping : str, Path, dict or Mapping, optional
        The file's column names and codes; ``level_units: percent`` when the level columns are
        percents of ``n_tested``.

    Returns
    -------
    Summary
        ``group="student_group"``, ``by`` the cell columns found, ``levels`` the level labels. The table
        has ``n``, ``level_<k>``, ``mean`` and ``source_suppressed`` (a count the source did not show
        exactly), and the bounds the source gave: ``n_low``/``n_high`` and ``level_<k>_low``/``_high``
        (a range such as ``<10`` or ``40-44`` keeps its bounds; a suppressed ``*`` has none). A hidden
        number is missing, never zero.

    Raises
    ------
    DataError
        The file is missing, empty or header-only, lacks ``student_group``, ``n_tested`` or two level
        columns, or a number cell is neither a number, a suppression marker nor a range; the message
        names the file, the column and the row.

    Notes
    -----
    Suppression markers understood: ``*`` (any number of stars), ``N/A``, ``NA``, ``--``, ``-``, ``PS``,
    ``S``, ``DS``, ``NR``, ``n<10``. Ranges: ``<10``, ``<=5``, ``>95``, ``LT5``, ``LE5``, ``GT95``,
    ``GE50``, ``40-44``, each with or without ``%``. For whole counts ``<10`` means 0 to 9.
    Percent level cells (``level_units: percent``, or cells with ``%``) become counts using
    ``n_tested``: a percent published as a whole number could be anything within half a point, so the
    count is exact only when that half-point band holds one whole number of students; otherwise the
    count is missing and its bounds are kept.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "card.csv").write_text(
    ...     "grade,student_group,n_tested,level_1,level_2,level_3,level_4\\n"
    ...     "4,All Students,40,10,10,12,8\\n4,English Learners,<10,*,*,*,*\\n")
    >>> summary = read_published(folder / "card.csv")
    >>> summary.table[["student_group", "n", "n_low", "n_high", "source_suppressed"]].to_dict("list")
    {'student_group': ['All Students', 'English Learners'], 'n': [40.0, nan], 'n_low': [40.0, 0.0], \
'n_high': [40.0, 9.0], 'source_suppressed': [False, True]}
    """
    summary, report = _published(path, mapping)
    if report.problems:
        raise _first_problem(report)
    return summary


def _published(path, mapping) -> tuple[Summary | None, _Report]:
    mapping = read_mapping(mapping)
    raw = _read_raw(path, mapping)
    report = _Report(raw.path, raw.description, "published aggregates")
    frame, found = LAYOUTS[mapping.layout](raw, mapping, report)
    return _summary(frame, found, mapping, report), report


# ------------------------------------------------------------------------------------------- layouts
def _long(raw, mapping, report) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per cell and student group, with a column per count (the layout of most report cards)."""
    name = raw.path.name
    frame = raw.frame
    found = _match_columns(raw, mapping, (*PUBLISHED_COLUMNS, "level_k"), report)
    if len(frame) == 0 or (frame == "").all(axis=None):
        raise DataError(f"{name}: the file has a header row but no data rows.", path=raw.path, row=2)
    level_columns = sorted((c for c in found if LEVEL_COLUMN.fullmatch(c)), key=lambda c: int(c.split("_")[1]))
    absent = [c for c in ("student_group", "n_tested") if c not in found]
    if len(level_columns) < 2:
        absent.append("level_1, level_2, ... (counts per performance level)")
    if absent:
        raise DataError(f"{name}: required column{'s' if len(absent) > 1 else ''} {', '.join(map(repr, absent))} "
                        f"not found; columns are: {', '.join(frame.columns)}. Rename the column or name it under "
                        f"`columns:` in a mapping file.", path=raw.path, column=absent[0])
    report.missing = [c for c in PUBLISHED_COLUMNS if c not in found]
    report.rows = len(frame)
    blank = frame.apply(lambda c: c.str.strip() == "").all(axis=1)
    if blank.any():
        report.excluded.append(("blank row", int(blank.sum()), _rows(blank[blank].index)))
    return frame[~blank], found


#: How the rows of a published file are laid out, by the name a mapping gives as ``layout``. Each layout
#: turns a file's text cells into one row per cell and student group and names the canonical columns
#: it found (``student_group``, ``n_tested``, ``level_<k>`` and the cell columns); the counts are then
#: read the same way whatever the layout. A file with one row per school and a column per group and
#: level (``EL_PCT_L1``, ...) needs a layout that reshapes it so.
LAYOUTS = {"long": _long}


# ------------------------------------------------------------------------------------------- counts
def _summary(frame, found, mapping, report) -> Summary:
    """The counts of a file in long form, read into a Summary (problems go to `report`)."""
    name = report.path.name
    level_columns = sorted((c for c in found if LEVEL_COLUMN.fullmatch(c)), key=lambda c: int(c.split("_")[1]))
    by = [c for c in PUBLISHED_CELL if c in found]
    table = pd.DataFrame(index=frame.index)
    for column in by:
        values = frame[found[column]]
        if column in ("year", "grade"):
            table[column] = _numbers_column(values, column, PUBLISHED_COLUMNS[column], mapping, report,
                                            missing=MISSING)
        elif column == "subject":
            table[column] = _codes_column(values, column, mapping, report, table=BUILTIN_CODES["subject"],
                                          missing=MISSING, keep_unknown=True)
        else:
            table[column] = values.str.strip()
    table["student_group"] = _codes_column(frame[found["student_group"]], "student_group", mapping, report,
                                           table={}, missing=set(), keep_unknown=True)
    percent = mapping.level_units == "percent" or any(frame[found[c]].str.strip().str.endswith("%").any()
                                                      for c in level_columns)
    numbers = {}
    for column in ("n_tested", *level_columns, *(["mean_scale_score"] if "mean_scale_score" in found else [])):
        numbers[column] = _published_numbers(frame[found[column]], column, report,
                                             integer=column == "n_tested" or (column in level_columns and not percent))
    if percent:
        for column in level_columns:
            numbers[column] = _percent_to_counts(numbers[column], numbers["n_tested"])
    n_value, n_low, n_high, _, _ = numbers["n_tested"]
    table["n"], table["n_low"], table["n_high"] = n_value, n_low, n_high
    for column in level_columns:
        value, low, high, _, _ = numbers[column]
        high = high.where(~(n_high.notna() & (high > n_high)), n_high)  # a level never holds more than n
        table[column], table[column + "_low"], table[column + "_high"] = value, low, high
    if "mean_scale_score" in numbers:
        table["mean"] = numbers["mean_scale_score"][0]
    counts = table[["n", *level_columns]]
    table["source_suppressed"] = counts.isna().any(axis=1)
    exact = ~table["source_suppressed"]
    mismatch = exact & (table[level_columns].sum(axis=1) != table["n"]) & (not percent)
    if mismatch.any():
        first = mismatch.to_numpy().nonzero()[0][0]
        row = int(table.index[first]) + 2
        report.fail(f"{name}: row {row}: the level counts add up to {int(table[level_columns].iloc[first].sum())}, "
                    f"but column {found['n_tested']!r} says {int(table['n'].iloc[first])} "
                    f"({int(mismatch.sum())} such rows). If the level columns are percents, set "
                    f"`level_units: percent` in a mapping file.", column=found["n_tested"], row=row)
    for column in ("n_tested", *level_columns):
        hidden = int(numbers[column][4].isin(["suppressed", "range"]).sum())
        if hidden:
            report.suppressed[found[column]] = hidden
    duplicated = table.duplicated([*by, "student_group"], keep=False)
    if duplicated.any():
        first = duplicated.to_numpy().nonzero()[0][0]
        rows = _rows(table.index[duplicated])
        report.fail(f"{name}: rows {rows[0]} and {rows[1]} are the same cell and group "
                    f"({', '.join(f'{c}={table[c].iloc[first]}' for c in [*by, 'student_group'])}); "
                    f"keep one row per cell and group.", row=rows[0])
    levels = tuple(int(c.split("_")[1]) for c in level_columns)
    renamed = {c: f"level_{k}" for c, k in zip(level_columns, levels)}
    table = table.rename(columns=renamed).reset_index(drop=True)
    summary = Summary.from_counts(table, group="student_group", by=by, levels=levels, outcome="performance level",
                                  excluded=report.excluded_frame()[["reason", "rows"]])
    bounds = [c for c in table.columns if c.endswith(("_low", "_high"))]
    return replace(summary, table=pd.concat([summary.table, table[bounds]], axis=1))


def _published_numbers(values: pd.Series, column: str, report: _Report, *, integer: bool):
    """Parse a published number column -> (value, low, high, text, status) Series."""
    uniques = pd.unique(values)
    parsed = {u: _parse_published_cell(u, integer=integer) for u in uniques}
    bad = [u for u in uniques if parsed[u][3] == "bad"]
    local = report.found.get(column, column)
    if bad:
        is_bad = values.isin(bad)
        first = is_bad.to_numpy().nonzero()[0][0]
        report.fail(f"{report.path.name}: column {local!r}, row {int(values.index[first]) + 2}: "
                    f"{values.iloc[first].strip()!r} is neither a number, a suppression marker (such as *) nor a "
                    f"range (such as <10 or 40-44) ({int(is_bad.sum())} such cells in this column).",
                    column=local, row=int(values.index[first]) + 2)
    value = values.map(lambda u: parsed[u][0]).astype(float)
    low = values.map(lambda u: parsed[u][1]).astype(float)
    high = values.map(lambda u: parsed[u][2]).astype(float)
    status = values.map(lambda u: parsed[u][3])
    negative = (low < 0) | (value < 0)
    whole = value.isna() | (value == np.floor(value.fillna(0)))
    if integer and (negative.any() or not whole.all()):
        wrong = negative | ~whole
        first = wrong.to_numpy().nonzero()[0][0]
        report.fail(f"{report.path.name}: column {local!r}, row {int(values.index[first]) + 2}: "
                    f"{values.iloc[first].strip()!r} is not a count of students (a whole number, 0 or more).",
                    column=local, row=int(values.index[first]) + 2)
    return value, low, high, values.str.strip(), status


def _percent_to_counts(level, n):
    """Percent cells -> counts of students, with the bounds that rounding of the percent leaves."""
    value, low, high, text, status = level
    n_value = n[0]
    decimals = text.str.extract(r"\.(\d+)\s*%?$")[0].str.len().fillna(0)
    half = 0.5 * 10.0 ** (-decimals)
    exact_pct = status == "exact"
    pct_low = np.where(exact_pct, value - half, low)
    pct_high = np.where(exact_pct, value + half, np.where(status == "range", high + np.where(
        text.str.contains(r"-|–|to", regex=True), half, 0.0), high))
    count_low = np.maximum(np.ceil(np.clip(pct_low, 0, 100) / 100 * n_value - 1e-9), 0.0)
    count_high = np.floor(np.clip(pct_high, 0, 100) / 100 * n_value + 1e-9)
    count_low = pd.Series(count_low, index=value.index).where(n_value.notna(), 0.0)
    count_high = pd.Series(count_high, index=value.index).where(n_value.notna(), n[2])
    exact = (count_low == count_high) & n_value.notna()
    count = count_low.where(exact)
    return count, count_low, count_high, text, status
