"""Read one number off a suppressed table, in words a participant can write without knowing pandas.

The practice analyses ask questions such as "what is the gap at Riverside?" or "which grades are
hidden?". Answering them from a `gapkit.gap_table` result with pandas takes ``.loc[...]`` and
``.item()``; these helpers say what is meant instead, and explain a mistake (a cell that is
suppressed, a choice that matches two rows) in plain words.

>>> import pandas as pd
>>> gaps = pd.DataFrame({"grade": [3, 4, 5], "measure": ["hedges_g"] * 3, "estimate": [0.8, None, 0.6],
...                      "suppressed": [False, True, False], "reason": ["", "fewer than 10 students", ""]})
>>> estimate(gaps, grade=5)
0.6
>>> suppressed_cells(gaps, "grade")
[4]
>>> largest(gaps, "grade")
3
"""
from __future__ import annotations

import math

import pandas as pd

from gapkit._validation import frame_like

__all__ = ["estimate", "suppressed_cells", "shown", "largest"]


def _table_iv(table) -> pd.DataFrame:
    frame_like(table, "table", what="a table from gapkit")
    if "suppressed" not in table.columns:
        raise ValueError("`table` has no `suppressed` column: read numbers only off tables that went through "
                         "gapkit.suppress (gap_table and the gapkit.proficiency functions do).")
    return table


def _matching(table: pd.DataFrame, measure, where: dict) -> pd.DataFrame:
    rows = table
    if measure is not None:
        if "measure" not in table.columns:
            raise ValueError("`measure` was given but the table has no `measure` column.")
        rows = rows[rows["measure"] == measure]
    for column, value in where.items():
        if column not in table.columns:
            raise ValueError(f"`{column}` is not a column of the table; columns are: {', '.join(map(str, table.columns))}.")
        rows = rows[rows[column].astype(str) == str(value)]
    return rows


def estimate(table, *, measure: str | None = None, column: str = "estimate", **where) -> float:
    """The one estimate in `table` whose row matches `measure` and every ``column=value`` in `where`.

    Parameters
    ----------
    table : pandas.DataFrame
        A suppressed table (`gapkit.gap_table`, `gapkit.proficiency`).
    measure : str, optional
        The measure's row, when the table holds several (e.g. ``"proportion_difference"``).
    column : str, optional
        The column to read (default ``"estimate"``; e.g. ``"share_gained"``).
    **where
        The cell, e.g. ``school_name="Lincoln Middle School"`` or ``grade=5``.

    Raises
    ------
    ValueError
        No row or several rows match (the message lists what to add), or the row is suppressed
        (the message gives the reason: a hidden cell has no number to read).
    """
    table = _table_iv(table)
    if column not in table.columns:
        raise ValueError(f"`column` ({column!r}) is not a column of the table.")
    rows = _matching(table, measure, where)
    asked = ", ".join(([f"measure={measure!r}"] if measure else []) + [f"{k}={v!r}" for k, v in where.items()])
    if rows.empty:
        raise ValueError(f"No row of the table matches {asked or 'the table'}; check the spelling of the values.")
    if len(rows) > 1:
        extra = [c for c in ("measure", *table.columns) if c in table.columns and c not in where
                 and rows[c].nunique() > 1 and c not in ("estimate", "suppressed", "reason")]
        hint = f" (they differ in {', '.join(dict.fromkeys(extra[:3]))})" if extra else ""
        raise ValueError(f"{len(rows)} rows match {asked or 'the table'}{hint}: say which cell you mean.")
    row = rows.iloc[0]
    if bool(row["suppressed"]):
        reason = row.get("reason") or "small groups"
        raise ValueError(f"The cell {asked} is suppressed ({reason}), so it has no number to read.")
    value = row[column]
    return math.nan if pd.isna(value) else float(value)


def shown(table) -> pd.DataFrame:
    """The rows of `table` that are shown (not suppressed)."""
    table = _table_iv(table)
    return table[~table["suppressed"].astype(bool)]


def suppressed_cells(table, column: str) -> list:
    """The values of `column` on the suppressed rows, in order, each once (margin rows ``"All"`` left out)."""
    table = _table_iv(table)
    if column not in table.columns:
        raise ValueError(f"`column` ({column!r}) is not a column of the table.")
    values = table.loc[table["suppressed"].astype(bool), column]
    values = [v.item() if hasattr(v, "item") else v for v in values if str(v) != "All"]
    return sorted(dict.fromkeys(values), key=lambda v: (str(type(v)), v))


def largest(table, column: str, *, measure: str | None = None, by: str = "estimate"):
    """The value of `column` on the shown row with the largest `by` (default: the largest gap)."""
    rows = shown(_matching(_table_iv(table), measure, {}))
    if column not in rows.columns or by not in rows.columns:
        raise ValueError(f"`column` ({column!r}) and `by` ({by!r}) must be columns of the table.")
    rows = rows[rows[column].astype(str) != "All"].dropna(subset=[by])
    if rows.empty:
        raise ValueError("Every row is suppressed or empty: there is no largest value to read.")
    value = rows.loc[rows[by].astype(float).idxmax(), column]
    return value.item() if hasattr(value, "item") else value
