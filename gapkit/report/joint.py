"""Suppression over the reports one ``--each school`` run writes: the schools' gap tables and the district's.

A district cell is its schools' cells added up, so a school's hidden count could be worked out from the
district report minus the other schools' reports. `hide_across` audits every hidden count of the school
reports against everything shown together (each school's grades add up to its all-grades row; the
schools add up to the district's row) with linear programming, assuming the reader knows which hidden
cells are small (a count between 1 and ``min_n - 1``) and which are not, and hides more school cells
until no hidden count is pinned: each can take at least two values, and a small one at least three (so
it is never known to within one). The district report is taken as it is shown.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from gapkit.report.data import _ALL, ReportData
from gapkit.report.tables import gaps, grade_labels

__all__ = ["hide_across"]

_SIDES = ("n_focal", "n_reference")


def hide_across(district: ReportData, schools: dict) -> dict:
    """``{school id: frozenset of (comparison, subject, year, grade)}``: the cells each school's report must
    hide besides its own suppression, so that the reports and the district report together reveal no
    hidden count. `schools` maps a school id to its `ReportData` (as `load` gives it)."""
    extra = {school: set() for school in schools}
    for subject in district.subjects:
        cells = _cells(district, schools, subject)
        if cells.empty:
            continue
        for (comparison, year), part in cells.groupby(["comparison", "year"], sort=False):
            for school, grade in _audit(part, district.rule.min_n):
                extra[school].add((comparison, subject, int(year), str(grade)))
    return {school: frozenset(cells) for school, cells in extra.items()}


def _cells(district, schools, subject) -> pd.DataFrame:
    """One row per report, comparison, year and grade: true counts of both sides and whether it is hidden."""
    frames = []
    for school, data in [(None, district), *schools.items()]:
        table = gaps(data, subject)
        if table.empty:
            continue
        true = _true_counts(data, subject)
        rows = table.groupby(["comparison", "year", "grade"], sort=False)["suppressed"].all().reset_index()
        rows = rows.merge(true, on=["comparison", "year", "grade"], how="left")
        frames.append(rows.assign(school=_ALL if school is None else school))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _true_counts(data, subject) -> pd.DataFrame:
    """Each comparison's true counts per year and grade (all grades too): the numbers the audit protects."""
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
        for grade_key, frame in (("grade", table), (None, table)):
            keys = ["year", "grade"] if grade_key else ["year"]
            sums = pd.DataFrame({"n_focal": frame["n"].where(is_focal, 0), "n_reference":
                                 frame["n"].where(is_reference, 0), **{k: frame[k] for k in keys}})
            sums = sums.groupby(keys)[list(_SIDES)].sum(min_count=1).reset_index()
            if grade_key is None:
                sums["grade"] = _ALL
            sums["grade"] = grade_labels(sums["grade"])
            rows.append(sums.assign(comparison=comparison))
    out = pd.concat(rows, ignore_index=True)
    out["year"] = out["year"].astype(int)
    return out


def _audit(part: pd.DataFrame, min_n: int) -> list:
    """The school cells to hide besides those hidden, for one comparison and year."""
    hidden = {(r.school, r.grade) for r in part.itertuples() if r.suppressed}
    counts = {(r.school, r.grade): (r.n_focal, r.n_reference) for r in part.itertuples()}
    added = []
    while True:
        weak = _pinned(counts, hidden, min_n)
        if not weak:
            return added
        picks = set()
        for school, grade in weak:  # each pinned cell: hide the smallest shown cell of its school or grade
            choices = [cell for cell in counts if cell not in hidden and cell[0] != _ALL
                       and (cell[0] == school) != (cell[1] == grade)]
            if choices:
                picks.add(min(choices, key=lambda cell: (np.nansum(counts[cell]), str(cell))))
        if not picks:  # every cell in the lines of a pinned cell is hidden already: hide every school cell
            return added + [cell for cell in counts if cell not in hidden and cell[0] != _ALL]
        hidden |= picks
        added += sorted(picks, key=str)


def _pinned(counts, hidden, min_n) -> list:
    """Hidden cells whose count on either side the shown cells pin (to one value, or a small one to within one)."""
    from scipy.optimize import linprog

    cells = sorted(hidden, key=str)
    if not cells:
        return []
    schools = sorted({s for s, _ in counts if s != _ALL})
    grades = sorted({g for _, g in counts if g != _ALL})
    index = {cell: i for i, cell in enumerate(cells)}
    weak = []
    for side in range(2):
        value = {cell: float(np.nan_to_num(n[side])) for cell, n in counts.items()}
        lines = [[(s, g) for g in grades] + [(s, _ALL)] for s in [*schools, _ALL]]
        lines += [[(s, g) for s in schools] + [(_ALL, g)] for g in [*grades, _ALL]]
        a_eq, b_eq = [], []
        for line in lines:  # the parts minus the total: 0
            if not all(cell in counts for cell in line):
                continue
            row, constant = np.zeros(len(cells)), 0.0
            for k, cell in enumerate(line):
                sign = -1.0 if k == len(line) - 1 else 1.0
                if cell in index:
                    row[index[cell]] += sign
                else:
                    constant += sign * value[cell]
            if row.any():
                a_eq.append(row)
                b_eq.append(-constant)
        if not a_eq:
            continue
        bounds = [(1, min_n - 1) if 0 < value[cell] < min_n else (0, 0) if value[cell] == 0 else (min_n, None)
                  for cell in cells]
        for cell, i in index.items():
            c = np.zeros(len(cells))
            c[i] = 1.0
            low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if value[cell] == 0 or not (low.success and high.success):
                continue
            width = -high.fun - low.fun if high.status == 0 else np.inf
            if width < (3 if 0 < value[cell] < min_n else 1) - 1e-9 and cell[0] != _ALL:
                weak.append(cell)
    return sorted(set(weak), key=str)
