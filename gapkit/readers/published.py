"""Published results: a report card's counts of students per performance level, read into a `Summary`."""
from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd

from gapkit.readers._cells import _PLAIN, NumberFormat, _codes_column, _normalize, _number_format, _numbers_column
from gapkit.readers._raw import (DataError, _first_problem, _match_columns, _normal_header, _Raw, _read_raw, _Report,
                                 _rows)
from gapkit.readers.mapping import BUILTIN_CODES, LEVEL_COLUMN, MISSING, Mapping, _marker_key, read_mapping
from gapkit.records import PUBLISHED_CELL, PUBLISHED_COLUMNS
from gapkit.summary import Summary

__all__ = ["read_published"]

#: A range in a published cell: "<10", "LT5", "GE50", ">=95", "40-44", "40 to 44" (percent sign allowed).
_RANGE = re.compile(
    r"^(?:(?P<op><=|>=|<|>|≤|≥|LE|LT|GE|GT)\s*(?P<bound>\d+(?:\.\d+)?)"
    r"|(?P<low>\d+(?:\.\d+)?)\s*%?\s*(?:-|–|to)\s*(?P<high>\d+(?:\.\d+)?))\s*(?P<pct>%?)$",
    re.IGNORECASE,
)


#: Markers a report card writes for a number, matched exactly (ignoring case and spaces), and what they mean
#: unless the mapping says otherwise (``codes: n_tested: {"--": 0}`` for a state whose "--" means no
#: students tested): hidden by the source, or not reported. Hidden is the safe reading of a marker whose
#: meaning varies between states: it loses a number, where reading it as 0 could make one up.
MARKERS = {**{m: "suppressed" for m in ("*", "**", "***", "n/a", "na", "-", "--", "ps", "s", "ds", "n<10",
                                         "suppressed", "nr", "†", "‡", "<>")},
           ".": "missing"}
#: Markers whose meaning varies between states: the data-quality summary says how they were read.
_VARIES = ("--", "-", ".", "n/a", "na")


def _parse_published_cell(text: str, *, integer: bool, fmt: NumberFormat = NumberFormat(), codes=None):
    """One published number cell -> (value, low, high, status) with status 'exact', 'range', 'suppressed',
    'missing', 'none' (a marker meaning no students) or 'bad'. Values of percent cells (with '%') are
    returned as percents. `codes` (marker -> a number, 'suppressed' or 'missing') come before `MARKERS`."""
    raw = text.strip()
    if raw == "":
        return (math.nan, math.nan, math.nan, "missing")
    key = _marker_key(raw)
    meaning = (codes or {}).get(key, MARKERS.get(key))
    if meaning is None and re.fullmatch(r"\*+", raw):
        meaning = "suppressed"
    if meaning in ("suppressed", "missing"):
        return (math.nan, math.nan, math.nan, meaning)
    if meaning is not None:
        value = float(meaning)
        return (value, value, value, "none" if value == 0 else "exact")
    t = _normalize(raw, fmt)
    if t is None:
        return (math.nan, math.nan, math.nan, "bad")
    number = t[:-1].strip() if t.endswith("%") else t
    if _PLAIN.fullmatch(number):
        value = float(number)
        return (value, value, value, "exact")
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
    mapping = read_mapping(mapping)
    summary, report = _published(_read_raw(path, mapping), mapping)
    if report.problems:
        raise _first_problem(report)
    return summary


def _published(raw: _Raw, mapping: Mapping) -> tuple[Summary | None, _Report]:
    report = _Report(raw.path, raw.description, "published aggregates")
    frame, found = LAYOUTS[mapping.layout](raw, mapping, report)
    if report.problems:  # the layout found problems (naming the file's own columns and rows): stop there
        return None, report
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
    if len(level_columns) < 2 and "percent_proficient" not in found:
        absent.append("level_1, level_2, ... (counts per performance level) or percent_proficient")
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


def _wide(raw, mapping, report) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per school, a column per group and measure named ``<GROUP><sep><MEASURE>`` (``LEP_MTH00PCTPROF``),
    as federal school-level files are laid out. The mapping's ``wide`` block names the groups and measures::

        layout: wide
        wide:
          separator: "_"
          groups: {ALL: All Students, LEP: English Learners}
          measures:
            MTH00NUMVALID_1718: {column: n_tested, subject: math}
            MTH00PCTPROF_1718: {column: percent_proficient, subject: math}

    Every cell is checked where it stands (problems name the file's own column and row); then the rows
    are reshaped to one per school, subject and group.
    """
    name, spec = raw.path.name, mapping.wide
    groups, measures, sep = spec.get("groups") or {}, spec.get("measures") or {}, str(spec.get("separator", "_"))
    if not groups or not measures:
        raise DataError(f"{name}: `layout: wide` ({mapping.source}) needs a `wide:` block naming the column "
                        f"prefixes of each group (`groups:`) and the measure each column suffix holds "
                        f"(`measures:`); see the wide layout in docs/report.md.", path=raw.path)
    parsed = {}
    for suffix, meaning in measures.items():
        meaning = {"column": meaning} if isinstance(meaning, str) else dict(meaning or {})
        if meaning.get("column") not in ("n_tested", "n_scored", "percent_proficient", "mean_scale_score") and \
                not LEVEL_COLUMN.fullmatch(str(meaning.get("column"))):
            raise DataError(f"{name}: `wide.measures.{suffix}` ({mapping.source}) must say which gapkit column it "
                            f"holds: n_tested, n_scored, percent_proficient, mean_scale_score or level_1, level_2, "
                            f"...; got {meaning.get('column')!r}.", path=raw.path)
        parsed[str(suffix)] = meaning
    found = _match_columns(raw, mapping, (*PUBLISHED_CELL, "school_name"), report)
    frame = raw.frame
    if len(frame) == 0 or (frame == "").all(axis=None):
        raise DataError(f"{name}: the file has a header row but no data rows.", path=raw.path, row=2)
    by_normal = {_normal_header(c): c for c in frame.columns}
    cells = sorted({tuple((k, v) for k, v in m.items() if k != "column") for m in parsed.values()})
    long_rows, used = [], set()
    for prefix, label in groups.items():
        for cell in cells:
            columns = {}
            for suffix, meaning in parsed.items():
                if tuple((k, v) for k, v in meaning.items() if k != "column") != cell:
                    continue
                local = by_normal.get(_normal_header(f"{prefix}{sep}{suffix}"))
                if local is not None:
                    columns[meaning["column"]] = local
                    used.add(local)
            if columns:
                long_rows.append((str(label), dict(cell), columns))
    if not long_rows:
        raise DataError(f"{name}: no column is named <group>{sep}<measure> from the `wide:` block "
                        f"({mapping.source}); columns are: {', '.join(frame.columns[:12])}"
                        f"{', ...' if frame.columns.size > 12 else ''}.", path=raw.path)
    report.unused = [c for c in report.unused if c not in used]
    report.found = {**found, **{f"{label}: {k}": v for label, _, cols in long_rows for k, v in cols.items()}}
    report.rows = len(frame)
    # check every cell where it stands, so a problem names the file's own column and row
    counts = {local for _, _, cols in long_rows for k, local in cols.items() if k.startswith(("n_", "level_"))}
    fmt = _number_format({local: (frame[local], local in counts) for _, _, cols in long_rows
                          for local in cols.values()}, mapping, report)
    for _, _, cols in long_rows:
        for column, local in cols.items():
            codes = mapping.codes.get(column) or (mapping.codes.get("levels") if column.startswith("level_") else None)
            report.found[local] = local
            _published_numbers(frame[local], local, report, fmt=fmt, codes=codes, integer=local in counts)
    key = [found[c] for c in PUBLISHED_CELL if c in found]
    twice = frame.duplicated(key, keep=False) if key else pd.Series(False, index=frame.index)
    if twice.any():
        rows = _rows(frame.index[twice])
        report.fail(f"{name}: rows {rows[0]} and {rows[1]} are the same school ({', '.join(key)}); keep one row "
                    f"per school.", row=rows[0])
    parts = []
    for label, cell, cols in long_rows:
        part = pd.DataFrame({c: frame[found[c]] for c in found}, index=frame.index)
        for column, value in cell.items():
            part[column] = str(value)
        part["student_group"] = label
        for column, local in cols.items():
            part[column] = frame[local]
        parts.append(part)
    long = pd.concat(parts, ignore_index=True).fillna("")
    long_found = {c: c for c in long.columns}
    report.missing = [c for c in PUBLISHED_COLUMNS if c not in long_found]
    return long, long_found


#: How the rows of a published file are laid out, by the name a mapping gives as ``layout``. Each layout
#: turns a file's text cells into one row per cell and student group and names the canonical columns
#: it found (``student_group``, ``n_tested``, ``level_<k>`` or ``percent_proficient``, and the cell
#: columns); the counts are then read the same way whatever the layout.
LAYOUTS = {"long": _long, "wide": _wide}


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
    if "school_name" in found:
        table["school_name"] = frame[found["school_name"]].str.strip()
    table["student_group"] = _codes_column(frame[found["student_group"]], "student_group", mapping, report,
                                           table={}, missing=set(), keep_unknown=True)
    scored = mapping.denominator == "scored"
    if scored and "n_scored" not in found:
        raise DataError(f"{name}: `denominator: scored` ({mapping.source}) needs the column of students with a "
                        f"score, named as n_scored; columns are: {', '.join(frame.columns)}.", path=report.path,
                        column="n_scored")
    proportion_only = not level_columns and "percent_proficient" in found
    percent = proportion_only or mapping.level_units == "percent" or any(
        frame[found[c]].str.strip().str.endswith("%").any() for c in level_columns)
    columns = ["n_tested", *(["n_scored"] if "n_scored" in found else []), *level_columns,
               *(["percent_proficient"] if proportion_only else []),
               *(["mean_scale_score"] if "mean_scale_score" in found else [])]
    fmt = _number_format({c: (frame[found[c]], c.startswith("n_") or (c in level_columns and not percent))
                          for c in columns}, mapping, report)
    numbers = {}
    for column in columns:
        codes = mapping.codes.get(column) or (mapping.codes.get("levels") if column in level_columns else None)
        numbers[column] = _published_numbers(frame[found[column]], column, report, fmt=fmt, codes=codes,
                                             integer=column.startswith("n_") or (column in level_columns
                                                                                 and not percent))
    denominator = "n_scored" if scored else "n_tested"
    for column in [*level_columns, "percent_proficient"] if percent else ():
        if column not in found:
            continue
        value, low, high = numbers[column][:3]
        wrong = (value > 100) | (low > 100)
        if wrong.any():
            first = wrong.to_numpy().nonzero()[0][0]
            row = int(value.index[first]) + 2
            report.fail(f"{name}: column {found[column]!r}, row {row}: {frame[found[column]].iloc[first].strip()!r} "
                        f"is more than 100 percent.", column=found[column], row=row)
    if proportion_only:  # a file of percent proficient only: two levels, not proficient (1) and proficient (2)
        count, low, high, text, status = _percent_to_counts(numbers["percent_proficient"], numbers[denominator])
        n_value, n_low, n_high = numbers[denominator][:3]
        numbers["level_2"] = (count, low, high, text, status)
        numbers["level_1"] = (n_value - count, (n_low - high).clip(lower=0), n_high - low, text, status)
        level_columns = ["level_1", "level_2"]
    elif percent:
        for column in level_columns:
            numbers[column] = _percent_to_counts(numbers[column], numbers[denominator])
    n_value, n_low, n_high, _, _ = numbers[denominator]
    table["n"], table["n_low"], table["n_high"] = n_value, n_low, n_high
    for column in level_columns:
        value, low, high, _, _ = numbers[column]
        high = high.where(~(n_high.notna() & (high > n_high)), n_high)  # a level never holds more than n
        table[column], table[column + "_low"], table[column + "_high"] = value, low, high
    if "mean_scale_score" in numbers:
        table["mean"] = numbers["mean_scale_score"][0]
        _plausible_means(table["mean"], frame[found["mean_scale_score"]], mapping, report)
    counts = table[["n", *level_columns]]
    table["source_suppressed"] = counts.isna().any(axis=1)
    exact = ~table["source_suppressed"]
    mismatch = exact & (table[level_columns].sum(axis=1) != table["n"]) & (not percent)
    if mismatch.any():
        first = mismatch.to_numpy().nonzero()[0][0]
        row = int(table.index[first]) + 2
        hint = "" if scored else (" If the level counts add up to the students with a score, name that column "
                                  "n_scored and set `denominator: scored` in a mapping file.")
        report.fail(f"{name}: row {row}: the level counts add up to {int(table[level_columns].iloc[first].sum())}, "
                    f"but column {found[denominator]!r} says {int(table['n'].iloc[first])} "
                    f"({int(mismatch.sum())} such rows). If the level columns are percents, set "
                    f"`level_units: percent` in a mapping file.{hint}", column=found[denominator], row=row)
    for column in columns:
        status = numbers[column][4]
        hidden = int(status.isin(["suppressed", "range"]).sum())
        if hidden:
            report.suppressed[found[column]] = hidden
        mapped = {**(mapping.codes.get("levels") or {} if column in level_columns else {}),
                  **(mapping.codes.get(column) or {})}
        keys = frame[found[column]].map(_marker_key)
        for marker in _VARIES:
            cells = int((keys == marker).sum())
            if cells and marker not in mapped:
                meaning = MARKERS[marker]
                key = column if column in PUBLISHED_COLUMNS else "levels"
                report.warnings.append(
                    f"{name}: column {found[column]!r}: {cells} cell{'s' if cells > 1 else ''} {marker!r} read as "
                    f"{'hidden by the source' if meaning == 'suppressed' else 'not reported'}; if {marker!r} means "
                    f"no students in this file, map it: `codes: {key}: {{\"{marker}\": 0}}`.")
    if level_columns and not proportion_only and mapping.proficient is None:
        report.warnings.append(f"{name}: level {mapping.proficient_level} and above read as proficient (the "
                               f"default); if your test differs, set `proficient:` in a mapping file.")
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
    extra = [c for c in table.columns if c.endswith(("_low", "_high")) or c == "school_name"]
    summary = replace(summary, table=pd.concat([summary.table, table[extra]], axis=1))
    summary.table.attrs.update(proficient=2 if proportion_only else mapping.proficient_level,
                               warnings=tuple(report.warnings))
    return summary


def _plausible_means(means, values, mapping, report):
    """Refuse a mean scale score outside the test's range (the mapping's, or 0-9999)."""
    from gapkit.readers._cells import DEFAULT_SCALE_RANGE

    low, high = mapping.ranges.get("mean_scale_score", DEFAULT_SCALE_RANGE)
    outside = means.notna() & ((means < low) | (means > high))
    if outside.any():
        first = outside.to_numpy().nonzero()[0][0]
        row = int(means.index[first]) + 2
        column = report.found.get("mean_scale_score")
        report.fail(f"{report.path.name}: column {column!r}, row {row}: {values.iloc[first].strip()!r} is outside "
                    f"the allowed range for mean_scale_score: between {low:g} and {high:g} "
                    f"({int(outside.sum())} such cells); give the test's range as `ranges: mean_scale_score: "
                    f"[lowest, highest]` in a mapping file.", column=column, row=row)


def _published_numbers(values: pd.Series, column: str, report: _Report, *, integer: bool,
                       fmt: NumberFormat = NumberFormat(), codes=None):
    """Parse a published number column -> (value, low, high, text, status) Series."""
    uniques = pd.unique(values)
    parsed = {u: _parse_published_cell(u, integer=integer, fmt=fmt, codes=codes) for u in uniques}
    bad = [u for u in uniques if parsed[u][3] == "bad"]
    local = report.found.get(column, column)
    if bad:
        is_bad = values.isin(bad)
        first = is_bad.to_numpy().nonzero()[0][0]
        report.fail(f"{report.path.name}: column {local!r}, row {int(values.index[first]) + 2}: "
                    f"{values.iloc[first].strip()!r} is neither a number, a suppression marker (such as *) nor a "
                    f"range (such as <10 or 40-44) ({int(is_bad.sum())} such cells in this column); a marker of "
                    f"your own goes under `codes: {column if column in PUBLISHED_COLUMNS else 'levels'}:` in a "
                    f"mapping file.", column=local, row=int(values.index[first]) + 2)
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
    exact_pct = status.isin(["exact", "none"])
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
