"""Student-year records: a school's export read into gapkit's canonical columns (`read_records`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from gapkit.readers._cells import _codes_column, _factorize, _number_format, _numbers_column
from gapkit.readers._raw import DataError, _first_problem, _match_columns, _Raw, _read_raw, _Report, _rows
from gapkit.readers.mapping import BOOLEAN_CODES, BUILTIN_CODES, MISSING, Mapping, read_mapping
from gapkit.records import COLUMNS, REQUIRED, SUBJECTS

__all__ = ["read_records"]

def read_records(path, *, mapping=None) -> pd.DataFrame:
    """Read student-year records into gapkit's canonical columns.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (UTF-8, UTF-8 with BOM or Windows-1252; comma, semicolon, tab or bar separated),
        ``.xlsx`` or ``.parquet`` file with one row per student and school year.
    mapping : str, Path, dict or Mapping, optional
        The file's own column names and codes (see ``course_config/mapping.example.yaml``). Without a
        mapping, columns are found by their canonical names (ignoring case and spaces) and codes by
        common spellings (``LEP``, ``ELL`` and ``English Learner`` for ``EL``; ``Y``/``N``, ``1``/``0``
        for yes/no; ...).

    Returns
    -------
    DataFrame
        The columns of `gapkit.records.COLUMNS` in order (canonical columns the file lacks are empty),
        then the file's other columns unchanged. ``attrs["excluded"]`` lists the rows left out, as a
        tuple of dicts with keys ``reason``, ``rows`` and ``example_rows`` (``pd.DataFrame(...)`` of it
        is a table); ``attrs["source"]`` names the file.

    Raises
    ------
    DataError
        The file is missing, empty, has only a header, lacks a required column
        (``student_id``, ``year``, ``school_id``, ``grade``, ``el_status``, and a score or level), or a
        cell cannot be read (an unknown code, text in a number column, a number out of range). The
        message names the file, the column and the row; ``gapkit validate`` lists every problem.

    Notes
    -----
    Rows left out, each counted in ``attrs["excluded"]``: blank rows; rows without a student id or a
    year; exact copies of an earlier row (one copy is kept); and every row of a student and year that
    appears more than once with different values (the reader cannot tell which one is right).
    Row numbers count the header as row 1, as a spreadsheet does (a cell holding a line break shifts
    later rows by one).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "school.csv").write_text(
    ...     "student_id,year,school_id,grade,el_status,math_scale\\n"
    ...     "A1,2024,S1,4,LEP,2410\\nA2,2024,S1,4,English Only,2455\\n")
    >>> records = read_records(folder / "school.csv")
    >>> records[["student_id", "el_status", "math_scale"]].to_dict("list")
    {'student_id': ['A1', 'A2'], 'el_status': ['EL', 'EO'], 'math_scale': [2410.0, 2455.0]}
    """
    mapping = read_mapping(mapping)
    frame, report = _records(_read_raw(path, mapping), mapping)
    if report.problems:
        raise _first_problem(report)
    return frame


def _records(raw: _Raw, mapping: Mapping) -> tuple[pd.DataFrame | None, _Report]:
    report = _Report(raw.path, raw.description, "student records")
    name = raw.path.name
    frame = raw.frame
    found = _match_columns(raw, mapping, tuple(COLUMNS), report)
    if len(frame) == 0:
        raise DataError(f"{name}: the file has a header row but no data rows.", path=raw.path, row=2)
    report.missing = [c for c in COLUMNS if c not in found]
    absent = [c for c in REQUIRED if c not in found]
    if absent:
        raise DataError(f"{name}: required column{'s' if len(absent) > 1 else ''} "
                        f"{', '.join(map(repr, absent))} not found; columns are: {', '.join(frame.columns)}. "
                        f"Rename the column or name it under `columns:` in a mapping file.",
                        path=raw.path, column=absent[0])
    outcomes = [c for subject in SUBJECTS.values() for c in (subject.scale, subject.level)]
    if not any(c in found for c in outcomes):
        raise DataError(f"{name}: no score or level column found (one of {', '.join(outcomes)}); columns are: "
                        f"{', '.join(frame.columns)}.", path=raw.path, column="math_scale")
    report.rows = len(frame)
    distinct = {c: _factorize(frame[found[c]]) for c in COLUMNS if c in found}  # the parsers read these only
    # a required column empty in every row (a file whose rows are all blank is refused below, as such)
    column = next((c for c in REQUIRED if all(text.strip() == "" for text in distinct[c][1])), None)
    if column is not None and not frame.apply(lambda c: c.str.strip() == "").all(axis=None):
        raise DataError(f"{name}: column {found[column]!r} ({column}) is empty in every row (rows "
                        f"{int(frame.index[0]) + 2}-{int(frame.index[-1]) + 2}); a report needs it.",
                        path=raw.path, column=found[column], row=int(frame.index[0]) + 2)
    numeric = {c: (frame[found[c]], COLUMNS[c].kind == "whole number") for c in found
               if c in COLUMNS and COLUMNS[c].kind in ("whole number", "number") and c != "year"}
    fmt = _number_format(numeric, mapping, report, distinct=distinct)
    levels = [c for c in (s.level for s in SUBJECTS.values()) if c in found]
    if levels and mapping.proficient is None:
        report.warnings.append(f"{name}: performance levels read as 1-{mapping.levels} with level "
                               f"{mapping.proficient_level} and above proficient (the default); if your test "
                               f"differs, set `performance_levels:` and `proficient:` in a mapping file.")
    out = {}
    for column, kind in COLUMNS.items():
        if column not in found:
            continue
        values = frame[found[column]]
        if kind.kind == "text":
            codes, uniques = distinct[column]
            stripped = [text.strip() for text in uniques]
            stripped = [None if text.casefold() in MISSING else text for text in stripped] + [None]
            out[column] = pd.Series(np.array(stripped, dtype=object)[codes], index=values.index, dtype=object)
        elif kind.kind == "code":
            out[column] = _codes_column(values, column, mapping, report, table=BUILTIN_CODES[column],
                                        missing=MISSING, distinct=distinct[column])
        elif kind.kind == "yes/no":
            out[column] = _codes_column(values, column, mapping, report, table=BOOLEAN_CODES, missing=MISSING,
                                        boolean=True, distinct=distinct[column])
        else:
            out[column] = _numbers_column(values, column, kind, mapping, report, missing=MISSING, fmt=fmt,
                                          distinct=distinct[column])
    records = pd.DataFrame({c: out[c] if c in out else _empty(c, frame.index) for c in COLUMNS}, index=frame.index)
    extras = [c for c in frame.columns if c not in found.values()]
    if extras:
        records = pd.concat([records, frame[extras]], axis=1)
    records = _exclude_rows(records, frame, report)
    if len(records) == 0 and not report.problems:
        reasons = "; ".join(f"{e[1]} {e[0]}" for e in report.excluded)
        raise DataError(f"{name}: no usable data rows ({reasons}).", path=raw.path)
    records = _final_types(records)
    records.attrs["source"] = name
    records.attrs["excluded"] = report.excluded_records()
    records.attrs["warnings"] = tuple(report.warnings)
    records.attrs["performance_levels"] = mapping.levels
    records.attrs["proficient"] = mapping.proficient_level
    return records, report


def _empty(column: str, index) -> pd.Series:
    """An empty column of the type `read_records` gives that column."""
    dtype = {"whole number": "Int64", "number": "float64", "yes/no": "boolean"}.get(COLUMNS[column].kind, object)
    return pd.Series(np.nan if dtype == "float64" else (None if dtype is object else pd.NA), index=index,
                     dtype=dtype)


def _exclude_rows(records: pd.DataFrame, raw: pd.DataFrame, report: _Report) -> pd.DataFrame:
    keep = pd.Series(True, index=records.index)

    def drop(mask, reason):
        mask = mask & keep
        if mask.any():
            report.excluded.append((reason, int(mask.sum()), _rows(mask[mask].index)))
            keep[mask] = False

    no_id = records["student_id"].isna()
    if no_id.any():  # only a row without a student id can be blank
        blank = no_id.copy()
        blank[no_id] = records.loc[no_id, list(COLUMNS)].isna().all(axis=1) & (raw.loc[no_id] == "").all(axis=1)
        drop(blank, "blank row")
    drop(no_id, "missing student_id")
    drop(records["year"].isna(), "missing year")
    same_key = records.loc[keep, ["student_id", "year"]].duplicated(keep=False)
    if same_key.any():  # only rows sharing a student and year can be copies, or clash
        copies = records.loc[same_key.index[same_key]].duplicated(keep="first")
        drop(copies.reindex(records.index, fill_value=False), "duplicate row (an exact copy of an earlier row)")
        clash = records.loc[keep, ["student_id", "year"]].duplicated(keep=False)
        drop(clash.reindex(records.index, fill_value=False),
             "same student_id and year on rows with different values (none of them kept)")
    return records[keep]


def _final_types(records: pd.DataFrame) -> pd.DataFrame:
    """Plain integer and boolean columns where nothing is missing."""
    types = {column: "int64" for column in ("year", "grade") if records[column].notna().all()}
    types |= {column: bool for column in ("iep", "econ_disadv") if records[column].notna().all()}
    return records.astype(types)
