"""Files to text cells: the formats gapkit reads, the header matched to canonical names, and what a read found.

Every reader starts here. `_read_raw` turns a CSV (UTF-8, UTF-8 with a byte-order mark or
Windows-1252; comma, semicolon, tab or bar separated), Excel (``.xlsx``) or Parquet file into a frame of
text cells; `_match_columns` finds the canonical columns in its header; `_Report` collects what the
data-quality summary prints, and every problem as a `DataError` naming the file, column and row.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from gapkit.readers.mapping import Mapping

#: A level column of a published file: level_1, level2, "Level 3" ...
LEVEL_COLUMN = re.compile(r"level_?(\d+)")


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


@dataclass
class _Raw:
    """A file read as text cells, before any column is interpreted."""

    path: Path
    frame: pd.DataFrame  # every cell a str ("" when empty)
    description: str  # format and encoding, for the data-quality summary


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
        match = LEVEL_COLUMN.fullmatch(normal)
        if match and "level_" + match.group(1) not in found and clean not in taken and "level_k" in canonical:
            found["level_" + match.group(1)] = clean
            taken.add(clean)
    raw.frame.columns = stripped
    report.found = found
    report.unused = [c for c in stripped if c not in taken]
    return found


def _rows(index) -> list[int]:
    """Spreadsheet row numbers of frame positions (header = row 1)."""
    return [int(i) + 2 for i in index]


def _first_problem(report: _Report) -> DataError:
    first = report.problems[0]
    more = len(report.problems) - 1
    if more:
        message = f"{first} ({more} more problem{'s' if more > 1 else ''}: `gapkit validate {report.path.name}` " \
                  f"lists them all.)"
        return DataError(message, path=first.path, column=first.column, row=first.row)
    return first
