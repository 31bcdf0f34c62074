"""Text cells to values: codes through the mapping and the built-in spellings, numbers with their bounds.

Each parser looks at the distinct texts of a column only (a column of a million rows has a few dozen),
and reports every cell it cannot read to the `_Report`, naming the column and the first row.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from gapkit.readers._raw import _Report
from gapkit.readers.mapping import SUPPRESSED, Mapping, _key
from gapkit.records import COLUMNS, Column

def _factorize(values: pd.Series):
    """Codes per row and the distinct cell texts: every parser below works on the distinct texts only."""
    codes, uniques = pd.factorize(values)
    return codes, pd.Series(np.asarray(uniques, dtype=object), dtype=object)


def _first(mask_u: np.ndarray, codes: np.ndarray, values: pd.Series) -> tuple[int, int, str]:
    """Spreadsheet row of the first cell whose distinct text is flagged, the number of such cells, and its text."""
    rows = np.asarray(mask_u, dtype=bool)[codes]
    first = int(rows.nonzero()[0][0])
    return int(values.index[first]) + 2, int(rows.sum()), str(values.iloc[first]).strip()


def _codes_column(values: pd.Series, name: str, mapping: Mapping, report: _Report, *,
                  table: dict, missing: set, keep_unknown: bool = False) -> pd.Series:
    """Translate codes through the mapping and the built-in spellings; unknown codes are problems."""
    local = {**table, **mapping.codes.get(name, {})}
    missing = set(missing) | {str(v).strip().casefold() for v in mapping.missing} | {""}
    codes, uniques = _factorize(values)
    translated = []
    unknown = np.zeros(len(uniques), dtype=bool)
    first_spelling: dict[str, str] = {}  # free-text labels: one spelling per label, whatever the case
    for i, value in enumerate(uniques):
        k = _key(value)
        if value.strip().casefold() in missing:
            translated.append(None)
        elif k in local:
            translated.append(local[k])
        elif keep_unknown:
            label = re.sub(r"\s+", " ", value.strip())
            translated.append(first_spelling.setdefault(label.casefold(), label))
        else:
            translated.append(None)
            unknown[i] = True
    if unknown.any():
        counts = np.bincount(codes, minlength=len(uniques))
        report.unknown_codes[name] = {str(v).strip(): int(counts[i]) for i, v in enumerate(uniques) if unknown[i]}
        row, _, text = _first(unknown, codes, values)
        kind = COLUMNS[name] if name in COLUMNS else None
        allowed = kind.codes if kind is not None and kind.kind == "code" else \
            ("true", "false") if kind is not None and kind.kind == "yes/no" else ()
        summary = ", ".join(f"{v!r} ({n} row{'s' if n != 1 else ''})"
                            for v, n in list(report.unknown_codes[name].items())[:5])
        column = report.found.get(name, name)
        report.fail(f"{report.path.name}: column {column!r}, row {row}: unknown code {text!r} for {name}. "
                    f"Unknown codes: {summary}. gapkit's codes are: {', '.join(map(str, allowed))}; add yours "
                    f"under `codes: {name}:` in a mapping file.", column=column, row=row)
    out = np.empty(len(uniques) + 1, dtype=object)
    out[:-1] = translated
    out[-1] = None
    return pd.Series(out[codes], index=values.index, dtype=object)


def _numbers_column(values: pd.Series, name: str, kind: Column, mapping: Mapping, report: _Report, *,
                    missing: set) -> pd.Series:
    """Numbers of column `name` (a ``"whole number"`` or ``"number"`` `Column`, within its bounds): blanks
    and missing markers are missing; anything else must be a number."""
    integer, bounds = kind.kind == "whole number", kind.bounds
    codes, uniques = _factorize(values)
    text = uniques.str.strip()
    missing = set(missing) | {str(v).strip().casefold() for v in mapping.missing} | {""}
    is_blank = text.str.casefold().isin(missing).to_numpy()
    if name in mapping.codes:  # e.g. performance levels named "Met", "Not Met"
        table = mapping.codes[name]
        text = text.map(lambda v: str(table[_key(v)]) if _key(v) in table else v)
    if name == "year":
        text = text.str.replace(r"^(?:SY\s*)?\d{4}\s*[-/]\s*(\d{2}|\d{4})$", _school_year, regex=True,
                                flags=re.IGNORECASE)
    if name == "grade":
        text = text.str.replace(r"^(?:grade|gr|g)\s*\.?\s*(\d+)$", r"\1", regex=True, flags=re.IGNORECASE)
        text = text.where(~text.str.fullmatch(r"(?i)k|kg|kindergarten"), "0")
    percent = text.str.endswith("%").to_numpy() if name == "attendance_rate" else np.zeros(len(text), bool)
    text = text.where(~percent, text.str.rstrip("%").str.strip())
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").to_numpy(dtype=float)
    numbers = np.where(percent, numbers / 100, numbers)
    column = report.found.get(name, name)
    bad = np.isnan(numbers) & ~is_blank
    if bad.any():
        row, count, value = _first(bad, codes, values)
        hint = " It looks like a suppression marker, which belongs in published files, not student records." \
            if _key(value) in SUPPRESSED or value.startswith("<") else ""
        report.fail(f"{report.path.name}: column {column!r}, row {row}: {value!r} is not a number "
                    f"({count} such cells in this column).{hint}", column=column, row=row)
    numbers[bad | is_blank] = np.nan
    if integer:
        fractional = ~np.isnan(numbers) & (numbers != np.floor(np.nan_to_num(numbers)))
        if fractional.any():
            row, _, value = _first(fractional, codes, values)
            report.fail(f"{report.path.name}: column {column!r}, row {row}: {value!r} is not a whole number.",
                        column=column, row=row)
            numbers[fractional] = np.nan
    low, high = bounds
    with np.errstate(invalid="ignore"):
        outside = ~np.isnan(numbers) & (((numbers < low) if low is not None else False) |
                                        ((numbers > high) if high is not None else False))
    if np.any(outside):
        row, _, value = _first(outside, codes, values)
        hint = " (a share of days, not a percent)" if name == "attendance_rate" else ""
        report.fail(f"{report.path.name}: column {column!r}, row {row}: {value!r} is outside the allowed range "
                    f"for {name}: between {low} and {high}{hint}.", column=column, row=row)
        numbers[outside] = np.nan
    result = pd.Series(np.append(numbers, np.nan)[codes], index=values.index, dtype="float64")
    return result.astype("Int64") if integer else result


def _school_year(match) -> str:
    """'2023-24' or '2023-2024' -> '2024' (a school year is named by its spring)."""
    first = int(re.match(r"(?:SY\s*)?(\d{4})", match.group(0), flags=re.IGNORECASE).group(1))
    return str(first + 1)
