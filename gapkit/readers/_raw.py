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
    frame: pd.DataFrame  # every cell a str ("" when empty); index + 2 = the spreadsheet row
    description: str  # format and encoding, for the data-quality summary
    first_row: int = 1  # the spreadsheet row of the frame's first row (text files skip the rows above the header)
    footer_rows: int = 0  # rows left out as footnotes (see `_table_rows`)
    footer_start: int = 0  # the spreadsheet row where the footnotes start


def _read_raw(path, mapping: Mapping) -> _Raw:
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found.", path=path)
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a data file.", path=path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        raw = _read_text(path, mapping)
    elif suffix in (".xlsx", ".xlsm"):
        raw = _read_excel(path, mapping)
    elif suffix in (".parquet", ".pq"):
        raw = _read_parquet(path)
    elif suffix == ".xls":
        raise DataError(f"{path.name}: old Excel files (.xls) are not supported; save it as .xlsx or .csv.",
                        path=path)
    else:
        raise DataError(f"{path.name}: file type {suffix or '(none)'!r} not recognized; use .csv, .xlsx or "
                        f".parquet.", path=path)
    return _table_rows(raw, mapping)


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """(encoding, text) of a text file: UTF-16 by its byte-order mark (or its zero bytes), UTF-8 (with or
    without a byte-order mark), or Windows-1252; anything else is refused naming the row."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return "UTF-16", raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{path.name}: starts as UTF-16 text but is not readable as UTF-16; save the file "
                            f"as CSV UTF-8.", path=path) from None
    head = raw[:4000]
    if head.count(b"\x00") > len(head) // 4:  # UTF-16 without a byte-order mark: every other byte is zero
        even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
        codec = "utf-16-le" if odd > even else "utf-16-be"
        try:
            return "UTF-16", raw.decode(codec)
        except UnicodeDecodeError:
            raise DataError(f"{path.name}: holds zero bytes, so it is not a text file (CSV); save it as CSV "
                            f"UTF-8.", path=path) from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        return ("UTF-8 with byte-order mark" if bom else "UTF-8"), body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as error:
        row = body[:error.start].count(b"\n") + 1
        raise DataError(f"{path.name}: row {row}: byte 0x{body[error.start]:02x} is neither UTF-8 nor "
                        f"Windows-1252 text; save the file as CSV UTF-8.", path=path, row=row) from None
    return ("Windows-1252 after a UTF-8 byte-order mark" if bom else "Windows-1252"), text


def _read_text(path: Path, mapping: Mapping) -> _Raw:
    raw = path.read_bytes()
    if not raw.strip(b" \t\r\n\x00") or raw.strip() in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise DataError(f"{path.name}: the file is empty (no header row and no data).", path=path)
    encoding, text = _decode(path, raw)
    if "\x00" in text:
        row = text[:text.index("\x00")].count("\n") + 1
        raise DataError(f"{path.name}: row {row} holds a zero byte, which text files do not; save the file as "
                        f"CSV UTF-8.", path=path, row=row)
    lines = text[:100_000].splitlines()  # the header is near the top: no need to split the whole file
    if len(lines) <= mapping.header_row:  # the last line of a part may be cut short
        lines = text.splitlines()
    header = lines[mapping.header_row - 1] if len(lines) >= mapping.header_row else ""
    delimiter = max([",", ";", "\t", "|"], key=lambda d: header.count(d))
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, header=None,
                            skiprows=mapping.header_row - 1, skip_blank_lines=False, na_filter=False,
                            skipinitialspace=False)
    except pd.errors.ParserError as error:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if match:
            expected, row, saw = (int(g) for g in match.groups())
            row += mapping.header_row - 1
            raise DataError(f"{path.name}: row {row} has {saw} cells but the header row has {expected}; a cell "
                            f"may hold an unquoted separator ({_sep_name(delimiter)})" + (
                            "; or the header is not the first row: say which row it is with `header_row:` in a "
                            "mapping file." if expected == 1 else "."), path=path, row=row) from None
        raise DataError(f"{path.name}: not readable as CSV ({str(error).strip()}).", path=path) from None
    return _Raw(path, frame.fillna(""), f"CSV, {encoding}, {_sep_name(delimiter)}-separated",
                first_row=mapping.header_row)


def _sep_name(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}[delimiter]


def _read_excel(path: Path, mapping: Mapping) -> _Raw:
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        names = book.sheetnames
        filled = [n for n in names if _sheet_has_data(book[n])]
        book.close()
    except Exception as error:  # openpyxl raises several types for a damaged workbook
        raise DataError(f"{path.name}: not a readable Excel workbook ({type(error).__name__}: {error}).",
                        path=path) from None
    sheet = mapping.sheet
    if sheet is None:
        if len(filled) > 1:
            raise DataError(f"{path.name}: the workbook has {len(filled)} sheets with data "
                            f"({', '.join(map(repr, filled))}); gapkit reads one sheet per file: name it as "
                            f"`sheet:` in a mapping file.", path=path)
        sheet = filled[0] if filled else 0
    if isinstance(sheet, str) and sheet not in names:
        raise DataError(f"{path.name}: no sheet {sheet!r}; sheets are: {', '.join(map(repr, names))}.", path=path)
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise DataError(f"{path.name}: no sheet number {sheet} (counting from 0); sheets are: "
                        f"{', '.join(map(repr, names))}.", path=path)
    try:
        frame = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, keep_default_na=False,
                              na_filter=False, engine="openpyxl")
    except Exception as error:
        raise DataError(f"{path.name}: cannot read sheet {sheet!r} ({type(error).__name__}: {error}).",
                        path=path) from None
    if frame.columns.size == 0:
        raise DataError(f"{path.name}: the file is empty (no header row and no data).", path=path)
    name = sheet if isinstance(sheet, str) else names[sheet]
    frame = pd.DataFrame({c: _as_text(frame[c]) for c in frame.columns}, index=frame.index)
    return _Raw(path, frame, f"Excel workbook, sheet {name!r}")


def _sheet_has_data(sheet) -> bool:
    for row in sheet.iter_rows(values_only=True):
        if any(v is not None and str(v).strip() for v in row):
            return True
    return False


def _read_parquet(path: Path) -> _Raw:
    try:
        typed = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise DataError(f"{path.name}: not a readable Parquet file ({type(error).__name__}: {error}).",
                        path=path) from None
    if typed.columns.size == 0:
        raise DataError(f"{path.name}: the file is empty (no columns).", path=path)
    frame = pd.DataFrame([[str(c) for c in typed.columns]], dtype=object)
    body = pd.DataFrame({i: _as_text(typed[c]).to_numpy() for i, c in enumerate(typed.columns)}, dtype=object)
    frame.columns = body.columns
    return _Raw(path, pd.concat([frame, body], ignore_index=True), "Parquet")


def _table_rows(raw: _Raw, mapping: Mapping) -> _Raw:
    """The header row (``header_row`` of the mapping, default row 1) becomes the column names; rows above it
    and the footnotes (from the first row starting with one of the mapping's ``footer`` texts) are left out.

    The frame's index is the spreadsheet row number minus 2, so ``index + 2`` names a row as a
    spreadsheet shows it, whatever the header row.
    """
    frame, path, h = raw.frame, raw.path, mapping.header_row
    at = h - raw.first_row  # the header's position in the frame
    if len(frame) <= at:
        raise DataError(f"{path.name}: the header row is row {h} ({mapping.source}), but the file has only "
                        f"{len(frame) + raw.first_row - 1} rows.", path=path, row=h)
    columns = [str(c).strip() for c in frame.iloc[at]]
    while columns and columns[-1] == "" and (frame.iloc[at + 1:, len(columns) - 1].astype(str).str.strip() == "").all():
        columns.pop()  # empty trailing columns (a spreadsheet's formatting, or a separator at line end)
    body = frame.iloc[at + 1:, :len(columns)].copy()
    body.index = range(h - 1, h - 1 + len(body))
    if mapping.footer:
        first = body.apply(lambda r: next((v.strip() for v in r if str(v).strip()), ""), axis=1)
        ends = first.map(lambda v: any(v.startswith(f) for f in mapping.footer))
        if ends.any():
            stop = ends.idxmax()
            raw.footer_rows = len(body) - (stop - (h - 1))
            raw.footer_start = stop + 2
            body = body.loc[:stop - 1]
    body.columns = columns
    raw.frame = body.astype(str)
    return raw


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
    warnings: list = field(default_factory=list)  # str: read, but worth a look (a default assumed, outliers)
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
    path, h = raw.path, mapping.header_row
    stripped = [str(c).replace("\ufeff", "").strip() for c in raw.frame.columns]
    seen: dict[str, str] = {}
    for position, clean in enumerate(stripped):
        if clean == "":
            raise DataError(f"{path.name}: column {position + 1} has no name in the header row (row {h}); give "
                            f"every column a name, or say which row is the header with `header_row:` in a "
                            f"mapping file.", path=path, row=h)
        normal = _normal_header(clean)
        if normal in seen:
            same = "appears twice in the header row" if seen[normal] == clean else \
                f"and column {seen[normal]!r} are the same name once capitals, spaces and punctuation are ignored"
            raise DataError(f"{path.name}: column {clean!r} {same} (row {h}); rename or delete one of them.",
                            path=path, column=clean, row=h)
        seen[normal] = clean
    raw.frame.columns = stripped
    for name, value in mapping.constants.items():  # a column the file lacks, one value for every row
        if name in seen or name in mapping.columns:
            raise DataError(f"{path.name}: `constants` gives {name!r} one value ({mapping.source}), but the file "
                            f"has that column too; delete one of them.", path=path, column=name)
        raw.frame[name] = value
        stripped.append(name)
    if raw.footer_rows:
        report.excluded.append((f"footnotes (from row {raw.footer_start}, the first row starting with a `footer` "
                                f"text)", raw.footer_rows, [raw.footer_start]))
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
