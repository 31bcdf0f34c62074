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
in ``frame.attrs["excluded"]`` (records) or ``Summary.excluded`` (published). `check_file` is the
data-quality summary that ``gapkit validate`` prints.

The modules, in the order a file goes through them: `_raw` (bytes to text cells, the header),
`mapping` (the file's own names and codes), `_cells` (text cells to values), then `records` or
`published` (with its `~gapkit.readers.published.LAYOUTS`), and `check`.
"""
from gapkit.readers._raw import DataError
from gapkit.readers.check import FileCheck, check_file, read_either
from gapkit.readers.mapping import Mapping, read_mapping
from gapkit.readers.records import read_records

__all__ = ["DataError", "FileCheck", "Mapping", "check_file", "read_either", "read_mapping", "read_records",
           "read_published"]


def __getattr__(name):
    # `read_published` is imported on first use: it brings `gapkit.summary`, which reading student records
    # (and ``gapkit validate`` of them) does not need
    if name == "read_published":
        from gapkit.readers.published import read_published

        return read_published
    raise AttributeError(f"module 'gapkit.readers' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
