"""The data-quality summary of a file (what ``gapkit validate`` prints)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gapkit.readers._raw import DataError, _first_problem, _normal_header, _Raw, _read_raw, _Report
from gapkit.readers.mapping import Mapping, read_mapping
from gapkit.readers.records import _records

__all__ = ["FileCheck", "check_file", "read_either"]

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
        _, result, report = _read(path, mapping, kind)
    except DataError as error:
        return FileCheck(f"{path.name}: cannot be used.\n  {error}", usable=False)
    return FileCheck("\n".join(_summary_lines(report, result)), usable=not report.problems)


def read_either(path, *, mapping=None, kind: str = "auto"):
    """Read `path` once as student records or as published counts: ``(kind, result)``, `kind` being
    ``"records"`` (`result` as `read_records` gives it) or ``"published"`` (as `read_published` gives it).
    ``kind="auto"`` decides from the mapping or, failing that, the file's header. Raises `DataError`
    on the first problem, as those readers do."""
    kind, result, report = _read(Path(path), mapping, kind)
    if report.problems:
        raise _first_problem(report)
    return kind, result


def _read(path: Path, mapping, kind):
    """(kind, result, report) from one read of the file: the kind is decided from the same header."""
    mapping = read_mapping(mapping)
    raw = _read_raw(path, mapping)
    kind = kind if kind != "auto" else _mapped_kind(mapping) or _header_kind(raw)
    if kind == "records":
        result, report = _records(raw, mapping)
    else:
        from gapkit.readers.published import _published  # not needed for student records

        result, report = _published(raw, mapping)
    return kind, result, report


def _mapped_kind(mapping: Mapping) -> str | None:
    """The kind the mapping's columns or options imply, or None when they say nothing about it."""
    if any(name in mapping.columns for name in ("student_id", "el_status")):
        return "records"
    if any(name in mapping.columns for name in ("student_group", "n_tested")) or mapping.layout != "long" \
            or mapping.denominator != "tested" or mapping.level_units != "count":
        return "published"
    return None


def _header_kind(raw: _Raw) -> str:
    headers = {_normal_header(c) for c in raw.frame.columns}
    return "published" if {"student_group", "n_tested"} & headers else "records"


def _what_a_report_shows(report: _Report, result) -> str:
    """The measures a report made from this file has numbers for, per subject (what ``gapkit report`` will show)."""
    from gapkit.records import SUBJECTS

    if report.kind != "student records":
        return ("gaps in percent proficient and the V statistic (published counts per level; no standardised "
                "gaps, which need student scores).")
    parts = []
    for key, subject in SUBJECTS.items():
        levels, scores = result[subject.level].notna().any(), result[subject.scale].notna().any()
        if levels and scores:
            parts.append(f"{subject.name}: percent proficient and standardised gaps")
        elif scores:
            parts.append(f"{subject.name}: mean and standardised gaps (no performance levels, so no percent "
                         f"proficient)")
        elif levels:
            parts.append(f"{subject.name}: percent proficient and V (no scale scores, so no standardised gaps)")
        else:
            parts.append(f"{subject.name}: nothing (no score or level)")
    return "; ".join(parts) + "."


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
    if result is not None and not report.problems:
        p("A report can show: " + _what_a_report_shows(report, result))
    if report.warnings:
        p(f"Warnings: {len(report.warnings)}")
        for warning in report.warnings:
            p(f"  {warning}")
    if report.problems:
        p(f"Problems: {len(report.problems)}")
        for problem in report.problems:
            p(f"  {problem}")
        p("Result: this file cannot be used until the problems are fixed (or mapped in a mapping file).")
    else:
        p("Result: usable.")
    return lines
