"""Text cells to values: codes through the mapping and the built-in spellings, numbers with their bounds.

Each parser looks at the distinct texts of a column only (a column of a million rows has a few dozen),
and reports every cell it cannot read to the `_Report`, naming the column and the first row.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dataclasses import dataclass

from gapkit.readers._raw import _Report
from gapkit.readers.mapping import SUPPRESSED, Mapping, _key
from gapkit.records import COLUMNS, SUBJECTS, Column


@dataclass(frozen=True)
class NumberFormat:
    """How one file writes numbers: its decimal mark and thousands separator ("" for none)."""

    decimal: str = "."
    thousands: str = ","

    def describe(self) -> str:
        sep = {"": "none", " ": "space", "'": "apostrophe"}.get(self.thousands, repr(self.thousands))
        return f"decimal mark {self.decimal!r}, thousands separator {sep}"


_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)")
_TOKEN = re.compile(r"\d[\d.,' ]*\d|\d")
_WHOLE = re.compile(r"[+-]?\d+")
_BOUND = re.compile(r"^(?:<=|>=|<|>|≤|≥|LE|LT|GE|GT)\s*", re.IGNORECASE)
#: Per mark, and the other mark: (thousands grouped by the mark (1,234,567 or 1,234.5), one mark between digits).
_MARKS = tuple((mark, other, re.compile(rf"[1-9]\d{{0,2}}(?:{re.escape(mark)}\d{{3}}){{2,}}|"
                                        rf"[1-9]\d{{0,2}}(?:{re.escape(mark)}\d{{3}})+{re.escape(other)}\d+"),
                re.compile(rf"(\d+){re.escape(mark)}(\d+)")) for mark, other in ((",", "."), (".", ",")))


def _decimal_evidence(text: str, integer: bool) -> str:
    """What one number cell says about the file's decimal mark: '.', ',', 'ambiguous' (``2,450``: 2450 or
    2.45?) or '' (nothing: ``2450``, a marker, a range without marks)."""
    if "," not in text and "." not in text:
        return ""
    t = _BOUND.sub("", text.strip()).rstrip("%").strip()
    t = t.lstrip("+-")
    for mark, other, grouped, one_mark in _MARKS:
        if grouped.fullmatch(t):
            return other  # 1,234,567 or 1,234.5: the mark groups thousands
        match = one_mark.fullmatch(t)
        if match:
            whole_part, decimals = match.groups()
            if len(decimals) != 3 or whole_part.startswith("0") or len(whole_part) > 3:
                return mark  # 2450,5 or 0,950: the mark is a decimal mark
            return other if integer else "ambiguous"  # a count is never 1.234: 1,234 groups thousands
    return ""


def _number_format(columns: dict, mapping: Mapping, report: _Report, *, distinct: dict | None = None) -> NumberFormat:
    """The file's `NumberFormat`, from the mapping or from its own number cells.

    `columns` maps a canonical name to (cells, is a whole-number column); `distinct` may give a name's
    `_factorize` of its cells, when the caller has it. Cells that show a decimal mark
    (``2450,5``, ``0.95``, ``1,234.5``) decide; a file whose cells disagree, or whose only evidence could
    be read either way (``2,450`` in a score column), is refused: set ``decimal`` in a mapping file.
    """
    if mapping.decimal is not None:
        return NumberFormat(mapping.decimal, mapping.thousands if mapping.thousands is not None else
                            {".": ",", ",": "."}[mapping.decimal])
    seen: dict[str, tuple] = {}
    for name, (values, integer) in columns.items():
        codes, uniques = distinct[name] if distinct and name in distinct else _factorize(values)
        for i, text in enumerate(uniques):
            mark = _decimal_evidence(str(text), integer)
            if mark and mark not in seen:
                row = int(values.index[int((codes == i).nonzero()[0][0])]) + 2
                seen[mark] = (report.found.get(name, name), row, str(text).strip())
    hint = "say how this file writes numbers with `decimal: \",\"` (or `decimal: \".\"`) in a mapping file"
    if "." in seen and "," in seen:
        (c1, r1, t1), (c2, r2, t2) = seen["."], seen[","]
        report.fail(f"{report.path.name}: column {c1!r}, row {r1} writes {t1!r} with a decimal point, but column "
                    f"{c2!r}, row {r2} writes {t2!r} with a decimal comma; {hint}.", column=c2, row=r2)
    elif "," in seen:
        return NumberFormat(",", ".")
    elif "." not in seen and "ambiguous" in seen:
        column, row, text = seen["ambiguous"]
        report.fail(f"{report.path.name}: column {column!r}, row {row}: {text!r} could be "
                    f"{text.replace(',', '').replace('.', '')} or {text.replace(',', '.').replace('.', '.', 1)} "
                    f"(a thousands separator or a decimal mark), and no other cell tells which; {hint}.",
                    column=column, row=row)
    return NumberFormat(".", ",")


def _normalize(text: str, fmt: NumberFormat) -> str | None:
    """Every number in `text` written the Python way (``1.234,5`` -> ``1234.5``); None when a number is
    malformed for `fmt` (a separator where it does not group thousands)."""
    if _WHOLE.fullmatch(text):  # most cells: no mark to read
        return text

    def one(match):
        token = match.group(0)
        if fmt.thousands and fmt.thousands in token:
            if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(fmt.thousands)}\d{{3}})+(?:{re.escape(fmt.decimal)}\d+)?",
                                token):
                raise ValueError(token)
            token = token.replace(fmt.thousands, "")
        if fmt.decimal == ",":
            if "." in token:
                raise ValueError(token)
            token = token.replace(",", ".")
        elif "," in token:
            raise ValueError(token)
        if token.count(".") > 1 or " " in token.strip() or "'" in token:
            raise ValueError(token)
        return token
    try:
        return _TOKEN.sub(one, text)
    except ValueError:
        return None

def _factorize(values: pd.Series):
    """Codes per row and the distinct cell texts: every parser below works on the distinct texts only."""
    codes, uniques = pd.factorize(values)
    return codes, np.asarray(uniques, dtype=object)


def _first(mask_u: np.ndarray, codes: np.ndarray, values: pd.Series) -> tuple[int, int, str]:
    """Spreadsheet row of the first cell whose distinct text is flagged, the number of such cells, and its text."""
    rows = np.asarray(mask_u, dtype=bool)[codes]
    first = int(rows.nonzero()[0][0])
    return int(values.index[first]) + 2, int(rows.sum()), str(values.iloc[first]).strip()


def _codes_column(values: pd.Series, name: str, mapping: Mapping, report: _Report, *, table: dict, missing: set,
                  keep_unknown: bool = False, boolean: bool = False, distinct: tuple | None = None) -> pd.Series:
    """Translate codes through the mapping and the built-in spellings; unknown codes are problems. `boolean`:
    the codes are yes/no, and the column is a nullable boolean one. `distinct`: the `_factorize` of `values`,
    when the caller has it."""
    local = {**table, **mapping.codes.get(name, {})}
    missing = set(missing) | {str(v).strip().casefold() for v in mapping.missing} | {""}
    codes, uniques = distinct if distinct is not None else _factorize(values)
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
    if boolean:  # built from the distinct values: much faster than astype("boolean") of every cell
        true, na = np.array([v is True for v in out]), np.array([v is None for v in out])
        return pd.Series(pd.arrays.BooleanArray(true[codes], na[codes]), index=values.index)
    return pd.Series(out[codes], index=values.index, dtype=object)


def _numbers_column(values: pd.Series, name: str, kind: Column, mapping: Mapping, report: _Report, *,
                    missing: set, fmt: NumberFormat | None = None, distinct: tuple | None = None) -> pd.Series:
    """Numbers of column `name` (a ``"whole number"`` or ``"number"`` `Column`, within its bounds): blanks
    and missing markers are missing; anything else must be a number. `distinct`: the `_factorize` of
    `values`, when the caller has it."""
    integer, bounds = kind.kind == "whole number", kind.bounds
    codes, uniques = distinct if distinct is not None else _factorize(values)
    missing = set(missing) | {str(v).strip().casefold() for v in mapping.missing} | {""}
    texts = [text.strip() for text in uniques]
    is_blank = np.array([text.casefold() in missing for text in texts], dtype=bool)
    fmt = fmt or NumberFormat()
    read = [_number_text(text, name, mapping.codes.get(name), fmt) for text in texts]
    percent = np.array([p for p, _ in read], dtype=bool)
    numbers = pd.to_numeric(np.array([number for _, number in read], dtype=object), errors="coerce")
    numbers = np.asarray(numbers, dtype=float)
    numbers = np.where(percent, numbers / 100, numbers)
    column = report.found.get(name, name)
    bad = np.isnan(numbers) & ~is_blank
    if bad.any():
        row, count, value = _first(bad, codes, values)
        hint = " It looks like a suppression marker, which belongs in published files, not student records." \
            if _key(value) in SUPPRESSED or value.startswith("<") else \
            " A year is one school year, named by its spring (2024) or written 2023-24." if name == "year" else \
            " Numbers are written as digits (no 1e5, inf or letters)." if re.search(r"(?i)e\d|inf|nan", value) \
            else ""
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
    hint = " (a share of days, not a percent)" if name == "attendance_rate" else ""
    if name in (subject.level for subject in SUBJECTS.values()):
        high = mapping.levels
        hint = "" if mapping.performance_levels else \
            "; a test with more levels needs `performance_levels:` (and `proficient:`) in a mapping file"
    if name in SCALE_COLUMNS:
        low, high = mapping.ranges.get(name, DEFAULT_SCALE_RANGE)
        hint = f" ({mapping.source})" if name in mapping.ranges else \
            "; if your test's scores can be so, give the range as `ranges: {name}: [lowest, highest]` in a " \
            "mapping file"
    with np.errstate(invalid="ignore"):
        outside = ~np.isnan(numbers) & (((numbers < low) if low is not None else False) |
                                        ((numbers > high) if high is not None else False))
    if np.any(outside):
        row, count, value = _first(outside, codes, values)
        report.fail(f"{report.path.name}: column {column!r}, row {row}: {value!r} is outside the allowed range "
                    f"for {name}: between {_plain(low)} and {_plain(high)} ({count} such cells){hint}.",
                    column=column, row=row)
        numbers[outside] = np.nan
    if name in SCALE_COLUMNS and name not in mapping.ranges:
        _warn_outliers(numbers[codes] if len(codes) else numbers[:0], values, column, report)
    result = pd.Series(np.append(numbers, np.nan)[codes], index=values.index, dtype="float64")
    return result.astype("Int64") if integer else result


_YEAR_SPAN = re.compile(r"^(?:SY\s*)?\d{4}\s*[-/]\s*(\d{2}|\d{4})$", re.IGNORECASE)
_GRADE = re.compile(r"^(?:grade|gr|g)\s*\.?\s*(\d+)$", re.IGNORECASE)
_KINDERGARTEN = re.compile(r"(?i)k|kg|kindergarten")


def _number_text(text: str, name: str, codes: dict | None, fmt: NumberFormat) -> tuple[bool, str | None]:
    """One distinct (stripped) cell of number column `name`: whether it is written as a percent, and its number
    written the Python way (None when it is not a plain number: no 1e5, inf or 0x10)."""
    if codes:  # e.g. performance levels named "Met", "Not Met"
        text = str(codes[_key(text)]) if _key(text) in codes else text
    if name == "year":
        text = _YEAR_SPAN.sub(_school_year, text)
    if name == "grade":
        text = _GRADE.sub(r"\1", text)
        text = "0" if _KINDERGARTEN.fullmatch(text) else text
    percent = name == "attendance_rate" and text.endswith("%")
    if percent:
        text = text.rstrip("%").strip()
    plain = _normalize(text, fmt)
    return percent, plain if plain is not None and _PLAIN.fullmatch(plain) else None


def _school_year(match) -> str:
    """'2023-24' or '2023-2024' -> '2024' (a school year is named by its spring); a span of more than one
    year ('2023-25') stays as it is, so it is refused as not a year."""
    first, second = re.match(r"(?:SY\s*)?(\d{4})\s*[-/]\s*(\d+)", match.group(0), flags=re.IGNORECASE).groups()
    spring = int(second) if len(second) == 4 else int(first[:2] + second)
    if spring == int(first) + 1 or (len(second) == 2 and spring % 100 == (int(first) + 1) % 100):
        return str(int(first) + 1)
    return match.group(0) + " (not one school year)"


#: Scale-score columns, and the range a score must be within unless the mapping gives the test's own.
SCALE_COLUMNS = ("math_scale", "ela_scale", "mean_scale_score")
DEFAULT_SCALE_RANGE = (0.0, 9999.0)


def _plain(number) -> str:
    return "no limit" if number is None else f"{number:g}"


def _warn_outliers(numbers: np.ndarray, values: pd.Series, column: str, report: _Report) -> None:
    """Warn (naming rows) about scores far outside the others: beyond three interquartile ranges of the quartiles."""
    finite = numbers[~np.isnan(numbers)]
    if finite.size < 20:
        return
    q1, q3 = np.percentile(finite, [25, 75])
    spread = q3 - q1
    if spread <= 0:
        return
    far = ~np.isnan(numbers) & ((numbers < q1 - 3 * spread) | (numbers > q3 + 3 * spread))
    if far.any():
        rows = [int(i) + 2 for i in values.index[far][:5]]
        report.warnings.append(f"{report.path.name}: column {column!r}: {int(far.sum())} score"
                               f"{'s' if far.sum() > 1 else ''} far from the others (rows "
                               f"{', '.join(map(str, rows))}{', ...' if far.sum() > 5 else ''}); check them, or give "
                               f"the test's range as `ranges:` in a mapping file.")
