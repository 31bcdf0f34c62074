"""Suppression over everything shown together: every gap table of a report, and every report of one run.

A reader sees the same student groups in several tables: never-EL students are the comparison group of
five comparisons, current English learners are the focal group of two, and students who are not current
English learners are former plus never-EL ones. Each comparison's groups also add up to the tested
students of the cell (with and without disabilities, say), and a district's cell is its schools' cells
added up. So a count one table hides can follow from the others. `hide_within` (one report) and
`hide_across` (the school reports and the district report of one ``--each school`` run) write all of
that as one set of equations over the groups' counts and let `gapkit.privacy.hide_exposed` hide more rows
until no hidden count is pinned, with the reader assumed to know which hidden counts are small.

In a published file the counts its source hid are unknown: they enter as unknowns a reader may solve for,
and are not themselves checked (their source protected them).
"""
from __future__ import annotations

import pandas as pd

from gapkit.privacy import hide_exposed, stable_order
from gapkit.records import COMPARISONS, LINKED, side_group
from gapkit.report.data import _ALL, ReportData

__all__ = ["hide_within", "hide_across"]

_EVERYONE = "tested students"  # the key of a cell's tested students: shown by no table, known from several


def hide_within(data: ReportData, subject: str, table: pd.DataFrame) -> pd.Series:
    """The rows of one report's stacked gap tables (`gapkit.report.tables.gaps`) to hide besides those
    hidden, so that no hidden count follows from the report's tables together."""
    units = _hide({None: (data, table)}, subject)
    return _rows(table, {(c, y, g) for _, c, y, g in units})


def hide_across(district: ReportData, schools: dict, *, keep=frozenset()) -> dict:
    """``{school id: frozenset of (comparison, subject, year, grade)}``: the cells each report of one
    ``--each school`` run must hide besides its own suppression, so that the school reports and the
    district report (key None) together reveal no hidden count. `schools` maps a school id to its
    `ReportData` (as `load` gives it).

    `keep` holds ``(school name or None for the district, comparison, subject, year)``: views whose rows
    are hidden only where no other choice protects the counts (they cost `_KEPT` times as much to hide),
    such as the views a course's exercises ask about."""
    from gapkit.report.tables import own_gaps

    extra = {school: set() for school in [None, *schools]}
    report_of = {None: _ALL, **{data.school: school for school, data in schools.items()}}
    for subject in district.subjects:
        reports = {_ALL: (district, own_gaps(district, subject)),
                   **{school: (data, own_gaps(data, subject)) for school, data in schools.items()}}
        kept = {(report_of[name], int(year), side_group(comparison, side)) for name, comparison, of, year in keep
                if of == subject and name in report_of for side in ("focal", "reference")}
        for name, comparison, year, grade in _hide(reports, subject, kept):
            extra[None if name == _ALL else name].add((comparison, subject, year, grade))
    return {school: frozenset(cells) for school, cells in extra.items()}


def _rows(table, cells) -> pd.Series:
    keys = zip(table["comparison"], table["year"].astype(int), table["grade"].astype(str))
    return pd.Series([key in cells for key in keys], index=table.index, dtype=bool)


#: How many times as much hiding a count of a kept view costs (`hide_across`).
_KEPT = 1000.0


def _hide(reports, subject, kept=frozenset()):
    """The rows ``(report, comparison, year, grade)`` to hide in `reports` (``{name: (data, table)}``; with
    several, the one named ``"All"`` is the district and the others its schools). The counts of `kept`
    (``(report, year, group)``, every grade) cost `_KEPT` times as much to hide."""
    truth, units, hidden, equations = {}, {}, set(), []
    for name, (data, table) in reports.items():
        if table.empty:
            continue
        counts = _true_counts(data, subject)
        for r in counts.itertuples(index=False):
            for side in ("focal", "reference"):
                n = getattr(r, f"n_{side}")
                truth.setdefault((name, r.year, side_group(r.comparison, side), r.grade),
                                 None if pd.isna(n) else int(n))
        rows = table.groupby(["comparison", "year", "grade"], sort=False)["suppressed"].all()
        for (comparison, year, grade), suppressed in rows.items():
            unit = (name, comparison, int(year), str(grade))
            units[unit] = tuple((name, int(year), side_group(comparison, side), str(grade))
                                for side in ("focal", "reference"))
            hidden.update([unit] if suppressed else [])
        everyone = _everyone(data, subject)
        for (year, grade), n in everyone.items():
            truth[(name, year, _EVERYONE, grade)] = n
        equations += _report_equations(name, data, truth)
    if len(reports) > 1:
        equations += _school_equations(truth)
    for terms, _ in equations:
        for key, _ in terms:  # a group with no row in a cell: no student, or, in a published file, unknown
            truth.setdefault(key, None if reports[key[0]][0].kind == "published" else 0)

    shown_by = {}
    for keys in units.values():
        for key in keys:
            shown_by[key] = shown_by.get(key, 0) + 1

    def weight(key):  # a count shown in several tables costs each row; an all-grades row costs more
        return shown_by.get(key, 1) * (4.0 if key[3] == _ALL else 1.0) * (_KEPT if key[:3] in kept else 1.0)

    return hide_exposed(units, truth, equations, hidden, min_n=_min_n(reports), weight=weight)


def _min_n(reports):
    return next(iter(reports.values()))[0].rule.min_n


def _report_equations(name, data, truth):
    """What a reader of one report knows: each group's grades add up to its all-grades count; the linked
    English-learner groups add up (`gapkit.records.LINKED`); and the groups of one column (plus, for a
    comparison with everyone else, its other side) add up to at most the cell's tested students, exactly
    when they account for all of them."""
    keys = [k for k in truth if k[0] == name]
    unknown = None if data.kind == "published" else 0  # a group a file has no row for, in a cell
    cells = sorted({(k[1], k[3]) for k in keys}, key=stable_order)
    groups = sorted({k[2] for k in keys if k[2] != _EVERYONE}, key=stable_order)
    equations = []

    def equation(terms, exact=None):
        """(terms, exact): exact when the true counts add up to 0, or, with a count unknown, as `exact` says
        (None: the sum is not used)."""
        values = [truth.get(key, unknown) for key, _ in terms]
        if any(v is None for v in values):
            return None if exact is None else (terms, exact)
        total = sum(c * v for (_, c), v in zip(terms, values))
        return (terms, True) if total == 0 else (terms, False) if total < 0 else None

    for year in sorted({y for y, _ in cells}):
        grades = sorted({g for y, g in cells if y == year and g != _ALL})
        for group in [*groups, _EVERYONE]:
            equations.append(equation([*(((name, year, group, g), 1) for g in grades),
                                       ((name, year, group, _ALL), -1)], exact=True))
    linked = [(side_group(*total), [side_group(*part) for part in parts]) for total, parts in LINKED]
    for year, grade in cells:
        def key(group):
            return (name, year, group, grade)
        for total, parts in linked:
            if total in groups and all(p in groups for p in parts):
                equations.append(equation([(key(total), -1), *((key(p), 1) for p in parts)], exact=True))
        for column in sorted({g[0] for g in groups}):
            plain = [g for g in groups if g[0] == column and g[1] != "not"]
            plain = [g for g in plain if not any(o[1] < g[1] for o in plain)]  # ever EL: current + former
            disjoint = all(not (a[1] & b[1]) for i, a in enumerate(plain) for b in plain[i + 1:])
            sets = [plain] if disjoint else [[side_group(c, s) for s in ("focal", "reference")]
                                              for c in data.comparisons if COMPARISONS[c].group == column
                                              and COMPARISONS[c].reference is not None]
            sets += [[g, (column, g[2])] for g in groups if g[0] == column and g[1] == "not"]
            for together in sets:
                equations.append(equation([*((key(g), 1) for g in together), (key(_EVERYONE), -1)], exact=False))
    return [e for e in equations if e is not None]


def _school_equations(truth):
    """The schools' counts add up to the district's, group by group and cell by cell."""
    district, parts = _ALL, {}
    for key in truth:
        if key[0] != district:
            parts.setdefault(key[1:], []).append(key)
    equations = []
    for cell, keys in parts.items():
        total = (district, *cell)
        values = [truth.get(k) for k in (*keys, total)]
        if total in truth and None not in values and sum(values[:-1]) == values[-1]:
            equations.append(([*((k, 1) for k in keys), (total, -1)], True))
    return equations


def _everyone(data, subject) -> dict:
    """``{(year, grade): tested students}`` (grade ``"All"``: all grades; None where a published file hid it)."""
    from gapkit.records import ALL_STUDENTS, EL_STATUSES
    from gapkit.report.tables import _summary

    if data.kind == "records":
        summary = _summary(data, "el_status", subject, by=("year", "grade"), outcome=None, labels=EL_STATUSES)
    else:
        summary = _summary(data, "student_group", subject, by=("year", "grade"), outcome=None,
                           labels=(ALL_STUDENTS,))
    if summary is None:
        return {}
    return _sums(summary.table, summary.table["n"])


def _true_counts(data, subject) -> pd.DataFrame:
    """Each comparison's true counts per year and grade (all grades too): the numbers the audit protects
    (None where a published file hid one)."""
    from gapkit.report.data import _spec
    from gapkit.report.tables import _summary

    rows = []
    for comparison in data.comparisons:
        column, focal, reference = _spec(data, comparison)
        summary = _summary(data, column, subject, by=("year", "grade"), outcome=None,
                           labels=(*focal, *(reference or ())))
        if summary is None:
            continue
        table = summary.table
        is_focal = table[summary.group].isin(focal)
        is_reference = table[summary.group].isin(reference) if reference else ~is_focal
        focal_n, reference_n = _sums(table, table["n"].where(is_focal, 0)), _sums(table, table["n"].where(is_reference, 0))
        rows += [{"comparison": comparison, "year": year, "grade": grade, "n_focal": n, "n_reference": reference_n[cell]}
                 for cell, n in focal_n.items() for year, grade in [cell]]
    return pd.DataFrame(rows, columns=["comparison", "year", "grade", "n_focal", "n_reference"])


def _sums(table, values) -> dict:
    """``{(year, grade): sum of values}`` by year and grade and by year (grade ``"All"``); None where one is
    missing (a count a published file hid)."""
    from gapkit.report.tables import grade_labels

    frame = pd.DataFrame({"year": table["year"].astype(int), "grade": grade_labels(table["grade"]),
                          "value": pd.to_numeric(values, errors="coerce").astype(float)})
    out = {}
    for keys in (["year", "grade"], ["year"]):
        sums = frame.groupby(keys)["value"].agg(["sum", "count", "size"])  # count < size: a value missing
        for key, total, count, size in zip(sums.index, sums["sum"], sums["count"], sums["size"]):
            cell = key if len(keys) == 2 else (key, _ALL)
            out[(int(cell[0]), str(cell[1]))] = None if count < size else int(total)
    return out
