"""Reading a school's files into gapkit: student records and published aggregate results.

Two readers, one per kind of file:

- `read_records` reads student-year rows (one row per student and school year) into the canonical
  columns of `gapkit.records.COLUMNS`;
- `read_published` reads a report card's aggregate counts (students per performance level, per cell
  and student group) into a `gapkit.summary.Summary`, keeping suppressed cells as suppressed.

Both take CSV (UTF-8, UTF-8 with a byte-order mark, or Windows-1252 as Excel writes it; comma,
semicolon, tab or bar separated), Excel (``.xlsx``) and Parquet. A mapping file (YAML, see
``course_config/mapping.example.yaml``) names a file's own columns and codes. A file that cannot be
read as it is raises `DataError`, whose message names the file, the column and the row (as a
spreadsheet shows it: the header is row 1, the first data row is row 2). Rows left out on purpose
(blank rows, duplicates, rows without a student or year) are never dropped silently: they are listed
in ``frame.attrs["excluded"]`` (records) or ``Summary.excluded`` (published).

`check_file` is the data-quality summary that ``gapkit validate`` prints.
"""
from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .records import COLUMNS, EL_STATUSES, GENDERS, PERFORMANCE_LEVELS, RACE_ETHNICITY
from .summary import Summary

__all__ = ["DataError", "FileCheck", "Mapping", "check_file", "guess_kind", "read_mapping", "read_records",
           "read_published"]


class DataError(ValueError):
    """A data file (or mapping file) cannot be used as it is.

    The message names the file and, where they are known, the column and the row (header = row 1).
    The parts are also kept as attributes: ``path``, ``column``, ``row``.
    """

    def __init__(self, message: str, *, path=None, column: str | None = None, row: int | None = None):
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.column = column
        self.row = row


# ---------------------------------------------------------------------------------------------- codes
def _key(value: str) -> str:
    """Comparison key of a code: whole numbers lose a trailing ``.0``; case, spaces and punctuation are ignored."""
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+\.0*", text):
        text = text.split(".")[0]
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _aliases(table: dict) -> dict[str, object]:
    return {_key(spelling): canonical for canonical, spellings in table.items() for spelling in spellings}


#: Spellings understood without a mapping file. Ambiguous ones (an EL flag of Y/N, "Non-EL") need a mapping.
_BUILTIN_CODES = {
    "el_status": _aliases({
        "EL": ["EL", "ELL", "LEP", "English Learner", "English Language Learner", "Limited English Proficient",
               "Current EL", "EB", "Emergent Bilingual", "ML", "Multilingual Learner"],
        "RFEP": ["RFEP", "R-FEP", "Reclassified", "Reclassified Fluent English Proficient", "Former EL",
                 "Former ELL", "Former English Learner", "FEL"],
        "IFEP": ["IFEP", "I-FEP", "Initially Fluent", "Initially Fluent English Proficient"],
        "EO": ["EO", "English Only"],
    }),
    "race_ethnicity": _aliases({
        "Hispanic/Latino": ["Hispanic/Latino", "Hispanic", "Latino", "Latina", "Latinx", "Hispanic or Latino"],
        "American Indian/Alaska Native": ["American Indian/Alaska Native", "American Indian",
                                          "American Indian or Alaska Native", "Native American", "AI/AN"],
        "Asian": ["Asian"],
        "Black/African American": ["Black/African American", "Black", "African American",
                                   "Black or African American"],
        "Native Hawaiian/Pacific Islander": ["Native Hawaiian/Pacific Islander", "Native Hawaiian",
                                             "Pacific Islander", "Native Hawaiian or Other Pacific Islander",
                                             "NHPI"],
        "White": ["White"],
        "Two or more races": ["Two or more races", "Two or more", "Multiracial", "Multi-racial", "Two+"],
    }),
    "gender": _aliases({"F": ["F", "Female"], "M": ["M", "Male"], "X": ["X", "Nonbinary", "Non-binary"]}),
    "school_level": _aliases({
        "elementary": ["elementary", "elem", "ES"], "middle": ["middle", "MS", "junior high"],
        "high": ["high", "HS", "high school"],
    }),
    "subject": _aliases({
        "math": ["math", "mathematics", "maths"],
        "ela": ["ela", "English language arts", "ELA/literacy", "reading", "English"],
    }),
}
_BOOLEAN_CODES = _aliases({True: ["Y", "Yes", "1", "True", "T"], False: ["N", "No", "0", "False", "F"]})

#: Cells read as missing (compared after stripping spaces, ignoring case).
_MISSING = frozenset({"", "na", "n/a", "null", "none", "nan", "#n/a"})
#: Markers a report card uses for a number it does not show.
_SUPPRESSED = {_key(v) for v in ("*", "**", "***", "N/A", "NA", "--", "-", "PS", "S", "DS", "n<10", "suppressed",
                                 "NR", "†", "‡")}

# ---------------------------------------------------------------------------------- canonical columns
_STRING = ("student_id", "school_id", "school_name", "home_language")
_CODED = ("el_status", "race_ethnicity", "gender", "school_level")
_BOOLEAN = ("iep", "econ_disadv", "advanced_course")
_INTEGER = {  # column: (minimum, maximum)
    "year": (1990, 2100), "grade": (0, 13), "el_exit_year": (1990, 2100), "elp_level": (1, 5),
    "elp_level_prior": (1, 5), "years_in_us": (0, 20), "math_level": (1, len(PERFORMANCE_LEVELS)),
    "ela_level": (1, len(PERFORMANCE_LEVELS)),
}
_REAL = {"math_scale": (None, None), "ela_scale": (None, None), "attendance_rate": (0.0, 1.0)}
#: Columns a file of student records must have.
REQUIRED_RECORD_COLUMNS = ("student_id", "year", "school_id", "grade", "el_status")
_OUTCOMES = ("math_scale", "math_level", "ela_scale", "ela_level")
_ALLOWED = {"el_status": EL_STATUSES, "race_ethnicity": RACE_ETHNICITY, "gender": GENDERS,
            "school_level": ("elementary", "middle", "high")}

#: Canonical columns of a published (aggregate) file; level_<k> columns are found by name.
PUBLISHED_COLUMNS = ("year", "school_id", "school_name", "grade", "subject", "student_group", "n_tested",
                     "mean_scale_score")
_PUBLISHED_BY = ("year", "school_id", "grade", "subject")

_LEVEL_COLUMN = re.compile(r"level_?(\d+)")


# ---------------------------------------------------------------------------------------------- mapping
@dataclass(frozen=True)
class Mapping:
    """How a local file names its columns and codes.

    Attributes
    ----------
    columns : dict
        Canonical column -> the file's column name.
    codes : dict
        Canonical column -> {local code: canonical value}. Local codes are matched ignoring case,
        spaces and punctuation.
    missing : tuple of str
        Extra cell values that mean "missing" in this file.
    sheet : str or int
        Excel sheet to read (default: the first).
    level_units : {'count', 'percent'}
        Published files: whether ``level_<k>`` columns hold counts or percents of ``n_tested``.
    source : str
        Where the mapping came from (for messages).
    """

    columns: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    missing: tuple = ()
    sheet: object = 0
    level_units: str = "count"
    source: str = "mapping"


_MAPPING_KEYS = ("columns", "codes", "missing", "sheet", "level_units")


def read_mapping(mapping) -> Mapping:
    """Read a mapping from a YAML file (path) or a dict with the same keys; ``None`` gives the empty mapping.

    Raises
    ------
    DataError
        The file is missing or not YAML, or a key or canonical name is unknown.
    """
    if mapping is None:
        return Mapping()
    if isinstance(mapping, Mapping):
        return mapping
    source = "mapping"
    if isinstance(mapping, (str, Path)):
        import yaml

        path = Path(mapping)
        source = path.name
        if not path.is_file():
            raise DataError(f"{path}: mapping file not found.", path=path)
        try:
            mapping = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except yaml.YAMLError as error:
            raise DataError(f"{path.name}: not a readable YAML mapping file ({error}).", path=path) from None
        except UnicodeDecodeError:
            raise DataError(f"{path.name}: the mapping file must be saved as UTF-8 text.", path=path) from None
    if not isinstance(mapping, MappingABC):
        raise DataError(f"{source}: a mapping must be a set of keys ({', '.join(_MAPPING_KEYS)}); "
                        f"got {type(mapping).__name__}.", path=source)
    unknown = [k for k in mapping if k not in _MAPPING_KEYS]
    if unknown:
        raise DataError(f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
                        f"a mapping has: {', '.join(_MAPPING_KEYS)}.", path=source)
    known = (*COLUMNS, *PUBLISHED_COLUMNS)
    columns = dict(mapping.get("columns") or {})
    for name, local in columns.items():
        if name not in known and not _LEVEL_COLUMN.fullmatch(str(name)):
            raise DataError(f"{source}: `columns` names {name!r}, which is not a gapkit column; "
                            f"gapkit columns are: {', '.join(known)}, level_1, level_2, ...", path=source)
        if not isinstance(local, (str, int)):
            raise DataError(f"{source}: `columns.{name}` must be the name of a column in your file; "
                            f"got {local!r}.", path=source)
    codes = {}
    for name, table in (mapping.get("codes") or {}).items():
        if name not in known and not _LEVEL_COLUMN.fullmatch(str(name)):
            raise DataError(f"{source}: `codes` names {name!r}, which is not a gapkit column.", path=source)
        if not isinstance(table, MappingABC):
            raise DataError(f"{source}: `codes.{name}` must map local codes to gapkit codes, one per line "
                            f"(e.g. LEP: EL); got {table!r}.", path=source)
        allowed = _ALLOWED.get(name)
        for local, canonical in table.items():
            if allowed is not None and canonical not in allowed:
                raise DataError(f"{source}: `codes.{name}` maps {local!r} to {canonical!r}; gapkit's codes for "
                                f"{name} are: {', '.join(map(str, allowed))}.", path=source)
            if name in _BOOLEAN and not isinstance(canonical, bool):
                raise DataError(f"{source}: `codes.{name}` maps {local!r} to {canonical!r}; it must be true or "
                                f"false.", path=source)
        codes[name] = {_key(local): canonical for local, canonical in table.items()}
    level_units = mapping.get("level_units", "count")
    if level_units not in ("count", "percent"):
        raise DataError(f"{source}: `level_units` ({level_units!r}) not recognized; must be 'count' or "
                        f"'percent'.", path=source)
    missing = tuple(str(v) for v in (mapping.get("missing") or ()))
    return Mapping(columns={str(k): str(v) for k, v in columns.items()}, codes=codes, missing=missing,
                   sheet=mapping.get("sheet", 0), level_units=level_units, source=source)


# ------------------------------------------------------------------------------------------ raw tables
@dataclass
class _Raw:
    """A file read as text cells, before any column is interpreted."""

    path: Path
    frame: pd.DataFrame  # every cell a str ("" when empty)
    description: str  # format and encoding, for the data-quality summary


def _name(path: Path) -> str:
    return path.name


def _read_raw(path, mapping: Mapping) -> _Raw:
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found.", path=path)
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a data file.", path=path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_text(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(path, mapping)
    if suffix in (".parquet", ".pq"):
        return _read_parquet(path)
    if suffix == ".xls":
        raise DataError(f"{path.name}: old Excel files (.xls) are not supported; save it as .xlsx or .csv.",
                        path=path)
    raise DataError(f"{path.name}: file type {suffix or '(none)'!r} not recognized; use .csv, .xlsx or .parquet.",
                    path=path)


def _read_text(path: Path) -> _Raw:
    raw = path.read_bytes()
    if not raw.strip(b" \t\r\n\x00") or raw.strip() == b"\xef\xbb\xbf":
        raise DataError(f"{path.name}: the file is empty (no header row and no data).", path=path)
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding, text = "UTF-8 with byte-order mark", raw[3:].decode("utf-8", errors="strict")
    else:
        try:
            encoding, text = "UTF-8", raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                encoding, text = "Windows-1252", raw.decode("cp1252")
            except UnicodeDecodeError as error:
                row = raw[:error.start].count(b"\n") + 1
                raise DataError(f"{path.name}: row {row}: byte 0x{raw[error.start]:02x} is neither UTF-8 nor "
                                f"Windows-1252 text; save the file as CSV UTF-8.", path=path, row=row) from None
    header = text[:text.find("\n")] if "\n" in text else text
    delimiter = max([",", ";", "\t", "|"], key=lambda d: header.count(d))
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=object, keep_default_na=False,
                            skip_blank_lines=False, na_filter=False, skipinitialspace=False)
    except pd.errors.ParserError as error:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if match:
            expected, row, saw = (int(g) for g in match.groups())
            raise DataError(f"{path.name}: row {row} has {saw} cells but the header row has {expected}; a cell "
                            f"may hold an unquoted separator ({_sep_name(delimiter)}).", path=path, row=row) from None
        raise DataError(f"{path.name}: not readable as CSV ({str(error).strip()}).", path=path) from None
    return _Raw(path, frame, f"CSV, {encoding}, {_sep_name(delimiter)}-separated")


def _sep_name(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}[delimiter]


def _read_excel(path: Path, mapping: Mapping) -> _Raw:
    try:
        frame = pd.read_excel(path, sheet_name=mapping.sheet, dtype=str, keep_default_na=False, na_filter=False,
                              engine="openpyxl")
    except ValueError as error:
        raise DataError(f"{path.name}: cannot read sheet {mapping.sheet!r} ({error}).", path=path) from None
    except Exception as error:  # openpyxl raises several types for a damaged workbook
        raise DataError(f"{path.name}: not a readable Excel workbook ({type(error).__name__}: {error}).",
                        path=path) from None
    if frame.columns.size == 0:
        raise DataError(f"{path.name}: the file is empty (no header row and no data).", path=path)
    return _Raw(path, frame.astype(str), f"Excel workbook, sheet {mapping.sheet!r}")


def _read_parquet(path: Path) -> _Raw:
    try:
        typed = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise DataError(f"{path.name}: not a readable Parquet file ({type(error).__name__}: {error}).",
                        path=path) from None
    if typed.columns.size == 0:
        raise DataError(f"{path.name}: the file is empty (no columns).", path=path)
    frame = pd.DataFrame({c: _as_text(typed[c]) for c in typed.columns}, index=typed.index)
    return _Raw(path, frame.reset_index(drop=True), "Parquet")


def _as_text(column: pd.Series) -> pd.Series:
    out = column.astype(object).where(column.notna(), "")
    return out.map(lambda v: v if isinstance(v, str) else (str(int(v)) if isinstance(v, float) and v.is_integer()
                                                           else str(v)))


# ---------------------------------------------------------------------------------------- the header
@dataclass
class _Report:
    """What the data-quality summary prints, collected while reading."""

    path: Path
    description: str = ""
    kind: str = ""
    rows: int = 0
    found: dict = field(default_factory=dict)  # canonical -> local name
    missing: list = field(default_factory=list)  # canonical columns not in the file
    unused: list = field(default_factory=list)  # local columns not mapped
    problems: list = field(default_factory=list)  # DataError, in file order
    unknown_codes: dict = field(default_factory=dict)  # column -> {value: count}
    suppressed: dict = field(default_factory=dict)  # column -> count of suppressed or range cells
    excluded: list = field(default_factory=list)  # (reason, rows, example row numbers)

    def excluded_records(self) -> tuple:
        """The exclusions as a tuple of dicts (a DataFrame in ``attrs`` would break ``pd.concat``)."""
        return tuple({"reason": e[0], "rows": int(e[1]), "example_rows": ", ".join(map(str, e[2][:5]))}
                     for e in self.excluded)

    def excluded_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.excluded_records()), columns=["reason", "rows", "example_rows"])

    def fail(self, message: str, *, column: str | None = None, row: int | None = None) -> None:
        self.problems.append(DataError(message, path=self.path, column=column, row=row))


def _normal_header(name) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).replace("\ufeff", "").strip().casefold()).strip("_")


def _match_columns(raw: _Raw, mapping: Mapping, canonical: tuple, report: _Report) -> dict[str, str]:
    """Canonical name -> the file's column, from the mapping first, then by name (case and spaces ignored)."""
    path = raw.path
    local = [str(c) for c in raw.frame.columns]
    stripped = [c.replace("\ufeff", "").strip() for c in local]
    seen: dict[str, str] = {}
    for clean in stripped:  # pandas renames a repeated header "year" to "year.1"
        match = re.fullmatch(r"(.+)\.(\d+)", clean)
        if match and match.group(1) in stripped:
            raise DataError(f"{path.name}: column {match.group(1)!r} appears twice in the header row; rename one of "
                            f"them.", path=path, column=match.group(1), row=1)
    for original, clean in zip(local, stripped):
        if clean in seen:
            raise DataError(f"{path.name}: column {clean!r} appears twice in the header row; rename one of them.",
                            path=path, column=clean, row=1)
        if clean == "" or clean.startswith("Unnamed:"):
            raise DataError(f"{path.name}: column {local.index(original) + 1} has no name in the header row "
                            f"(row 1); give every column a name.", path=path, row=1)
        seen[clean] = original
    by_normal = {_normal_header(c): c for c in stripped}
    found: dict[str, str] = {}
    for name, local_name in mapping.columns.items():
        target = by_normal.get(_normal_header(local_name))
        if target is None:
            raise DataError(f"{path.name}: column {local_name!r} (named for {name!r} in {mapping.source}) not found; "
                            f"columns are: {', '.join(stripped)}.", path=path, column=local_name)
        found[name] = target
    taken = set(found.values())
    for name in canonical:
        if name not in found and name in by_normal and by_normal[name] not in taken:
            found[name] = by_normal[name]
            taken.add(by_normal[name])
    # level columns of published files: level_1 ... (any spelling level1, "Level 1")
    for normal, clean in by_normal.items():
        match = _LEVEL_COLUMN.fullmatch(normal)
        if match and "level_" + match.group(1) not in found and clean not in taken and "level_k" in canonical:
            found["level_" + match.group(1)] = clean
            taken.add(clean)
    raw.frame.columns = stripped
    report.found = found
    report.unused = [c for c in stripped if c not in taken]
    return found


# ------------------------------------------------------------------------------------- cell parsers
def _rows(index) -> list[int]:
    """Spreadsheet row numbers of frame positions (header = row 1)."""
    return [int(i) + 2 for i in index]


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
        allowed = _ALLOWED.get(name, ("true", "false") if name in _BOOLEAN else ())
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


def _numbers_column(values: pd.Series, name: str, mapping: Mapping, report: _Report, *, integer: bool,
                    bounds: tuple, missing: set) -> pd.Series:
    """Numbers in student records: blanks and missing markers are missing; anything else must be a number."""
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
            if _key(value) in _SUPPRESSED or value.startswith("<") else ""
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


# ----------------------------------------------------------------------------------- student records
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
    frame, report = _records(path, mapping)
    if report.problems:
        raise _first_problem(report)
    return frame


def _first_problem(report: _Report) -> DataError:
    first = report.problems[0]
    more = len(report.problems) - 1
    if more:
        message = f"{first} ({more} more problem{'s' if more > 1 else ''}: `gapkit validate {report.path.name}` " \
                  f"lists them all.)"
        return DataError(message, path=first.path, column=first.column, row=first.row)
    return first


def _records(path, mapping) -> tuple[pd.DataFrame | None, _Report]:
    mapping = read_mapping(mapping)
    raw = _read_raw(path, mapping)
    report = _Report(raw.path, raw.description, "student records")
    name = raw.path.name
    frame = raw.frame
    found = _match_columns(raw, mapping, tuple(COLUMNS), report)
    if len(frame) == 0:
        raise DataError(f"{name}: the file has a header row but no data rows.", path=raw.path, row=2)
    report.missing = [c for c in COLUMNS if c not in found]
    absent = [c for c in REQUIRED_RECORD_COLUMNS if c not in found]
    if absent:
        raise DataError(f"{name}: required column{'s' if len(absent) > 1 else ''} "
                        f"{', '.join(map(repr, absent))} not found; columns are: {', '.join(frame.columns)}. "
                        f"Rename the column or name it under `columns:` in a mapping file.",
                        path=raw.path, column=absent[0])
    if not any(c in found for c in _OUTCOMES):
        raise DataError(f"{name}: no score or level column found (one of {', '.join(_OUTCOMES)}); columns are: "
                        f"{', '.join(frame.columns)}.", path=raw.path, column="math_scale")
    report.rows = len(frame)
    out = {}
    for column in COLUMNS:
        if column not in found:
            continue
        values = frame[found[column]]
        if column in _STRING:
            codes, uniques = _factorize(values)
            stripped = uniques.str.strip()
            stripped = stripped.where(~stripped.str.casefold().isin(_MISSING), None).to_numpy(dtype=object)
            out[column] = pd.Series(np.append(stripped, None)[codes], index=values.index, dtype=object)
        elif column in _CODED:
            out[column] = _codes_column(values, column, mapping, report, table=_BUILTIN_CODES[column],
                                        missing=_MISSING)
        elif column in _BOOLEAN:
            coded = _codes_column(values, column, mapping, report, table=_BOOLEAN_CODES, missing=_MISSING)
            out[column] = coded.astype("boolean")
        elif column in _INTEGER:
            out[column] = _numbers_column(values, column, mapping, report, integer=True, bounds=_INTEGER[column],
                                          missing=_MISSING)
        else:
            out[column] = _numbers_column(values, column, mapping, report, integer=False, bounds=_REAL[column],
                                          missing=_MISSING)
    records = pd.DataFrame(out, index=frame.index)
    for column in COLUMNS:
        if column not in records:
            records[column] = _empty(column, len(records))
    extras = [c for c in frame.columns if c not in found.values()]
    records = pd.concat([records[list(COLUMNS)], frame[extras]], axis=1) if extras else records[list(COLUMNS)]
    records = _exclude_rows(records, frame, report)
    if len(records) == 0 and not report.problems:
        reasons = "; ".join(f"{e[1]} {e[0]}" for e in report.excluded)
        raise DataError(f"{name}: no usable data rows ({reasons}).", path=raw.path)
    records = _final_types(records)
    records.attrs["source"] = name
    records.attrs["excluded"] = report.excluded_records()
    return records, report


def _empty(column: str, n: int) -> pd.Series:
    if column in _INTEGER:
        return pd.Series(pd.NA, index=range(n), dtype="Int64")
    if column in _REAL:
        return pd.Series(np.nan, index=range(n), dtype="float64")
    if column in _BOOLEAN:
        return pd.Series(pd.NA, index=range(n), dtype="boolean")
    return pd.Series(None, index=range(n), dtype=object)


def _exclude_rows(records: pd.DataFrame, raw: pd.DataFrame, report: _Report) -> pd.DataFrame:
    keep = pd.Series(True, index=records.index)

    def drop(mask, reason):
        mask = mask & keep
        if mask.any():
            report.excluded.append((reason, int(mask.sum()), _rows(mask[mask].index)))
            keep[mask] = False

    empty = records[list(COLUMNS)].isna().all(axis=1)
    if empty.any():
        drop(empty & (raw[empty] == "").all(axis=1).reindex(records.index, fill_value=False), "blank row")
    drop(records["student_id"].isna(), "missing student_id")
    drop(records["year"].isna(), "missing year")
    same_key = records[keep].duplicated(["student_id", "year"], keep=False)
    if same_key.any():  # only rows sharing a student and year can be copies
        candidates = records[keep][same_key]
        copies = candidates.duplicated(keep="first")
        drop(copies.reindex(records.index, fill_value=False), "duplicate row (an exact copy of an earlier row)")
    clash = records[keep].duplicated(["student_id", "year"], keep=False)
    clash = clash.reindex(records.index, fill_value=False)
    if clash.any():
        drop(clash, "same student_id and year on rows with different values (none of them kept)")
    return records[keep]


def _final_types(records: pd.DataFrame) -> pd.DataFrame:
    records = records.copy()
    for column in ("year", "grade"):
        if records[column].notna().all():
            records[column] = records[column].astype("int64")
    for column in ("iep", "econ_disadv"):
        if records[column].notna().all():
            records[column] = records[column].astype(bool)
    return records


# --------------------------------------------------------------------------------- published results
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
    if _key(t) in _SUPPRESSED or re.fullmatch(r"\*+", t):
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
    name = raw.path.name
    frame = raw.frame
    found = _match_columns(raw, mapping, (*PUBLISHED_COLUMNS, "level_k"), report)
    if len(frame) == 0 or (frame == "").all(axis=None):
        raise DataError(f"{name}: the file has a header row but no data rows.", path=raw.path, row=2)
    level_columns = sorted((c for c in found if _LEVEL_COLUMN.fullmatch(c)), key=lambda c: int(c.split("_")[1]))
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
    frame = frame[~blank]
    by = [c for c in _PUBLISHED_BY if c in found]
    table = pd.DataFrame(index=frame.index)
    for column in by:
        values = frame[found[column]]
        if column in ("year", "grade"):
            table[column] = _numbers_column(values, column, mapping, report, integer=True, bounds=_INTEGER[column],
                                            missing=_MISSING)
        elif column == "subject":
            table[column] = _codes_column(values, column, mapping, report, table=_BUILTIN_CODES["subject"],
                                          missing=_MISSING, keep_unknown=True)
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
    summary = replace(summary, table=pd.concat([summary.table, table[bounds]], axis=1))
    return summary, report


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


# ---------------------------------------------------------------------------------- data-quality check
@dataclass(frozen=True)
class FileCheck:
    """What ``gapkit validate`` prints about a file: ``text`` (the data-quality summary) and whether it is usable."""

    text: str
    usable: bool


def check_file(path, *, mapping=None, kind: str = "auto") -> FileCheck:
    """Read `path` as `read_records` or `read_published` would and summarise its data quality.

    Unlike the readers, it does not stop at the first problem: the summary lists every problem found,
    with the rows left out, the columns found and missing, unknown codes and suppressed cells.

    Parameters
    ----------
    path : str or Path
        The data file.
    mapping : str, Path, dict or Mapping, optional
        The file's column names and codes.
    kind : {'auto', 'records', 'published'}
        Student records or published aggregates; ``'auto'`` decides from the mapping or the headers.
    """
    path = Path(path)
    try:
        kind = kind if kind != "auto" else guess_kind(path, mapping)
        reader = _records if kind == "records" else _published
        result, report = reader(path, mapping)
    except DataError as error:
        return FileCheck(f"{path.name}: cannot be used.\n  {error}", usable=False)
    return FileCheck("\n".join(_summary_lines(report, result)), usable=not report.problems)


def guess_kind(path: Path, mapping=None) -> str:
    """``"records"`` (student rows) or ``"published"`` (counts per group), from the mapping or the headers."""
    mapping = read_mapping(mapping)
    if any(name in mapping.columns for name in ("student_id", "el_status")):
        return "records"
    if any(name in mapping.columns for name in ("student_group", "n_tested")):
        return "published"
    raw = _read_raw(path, mapping)
    headers = {_normal_header(c) for c in raw.frame.columns}
    return "published" if {"student_group", "n_tested"} & headers else "records"


def _summary_lines(report: _Report, result) -> list[str]:
    lines = []
    p = lines.append
    p(f"File: {report.path.name} ({report.description})")
    p(f"Read as: {report.kind}")
    excluded = sum(e[1] for e in report.excluded)
    p(f"Rows: {report.rows} data rows; {excluded} excluded")
    for reason, rows, examples in report.excluded:
        p(f"  excluded: {rows} row{'s' if rows != 1 else ''}, {reason} (rows {', '.join(map(str, examples[:5]))}"
          f"{', ...' if len(examples) > 5 else ''})")
    renamed = [f"{local!r} -> {name}" for name, local in report.found.items() if local != name]
    p(f"Columns found: {', '.join(report.found)}")
    if renamed:
        p(f"  read from: {'; '.join(renamed)}")
    p(f"Columns missing: {', '.join(report.missing) if report.missing else 'none'}")
    if report.unused:
        p(f"Columns not used: {', '.join(report.unused)}")
    if report.kind == "student records" and result is not None:
        empty = result[[c for c in report.found if c in result]].isna().sum()
        empty = empty[empty > 0]
        p("Empty cells: " + (", ".join(f"{c} {n}" for c, n in empty.items()) if len(empty) else "none"))
    if report.unknown_codes:
        p("Unknown codes:")
        for column, counts in report.unknown_codes.items():
            p(f"  {column}: " + ", ".join(f"{value!r} ({n} row{'s' if n != 1 else ''})" for value, n in counts.items()))
    if report.kind == "published aggregates":
        total = sum(report.suppressed.values())
        p(f"Suppressed or range cells: {total}" + (" (" + ", ".join(f"{c}: {n}" for c, n in
                                                                  report.suppressed.items()) + ")" if total else ""))
    if report.problems:
        p(f"Problems: {len(report.problems)}")
        for problem in report.problems:
            p(f"  {problem}")
        p("Result: this file cannot be used until the problems are fixed (or mapped in a mapping file).")
    else:
        p("Result: usable.")
    return lines
