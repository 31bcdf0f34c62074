"""Records to summary: one group-by over student rows, giving each cell's sufficient statistics.

Every gap measure in gapkit is a function of, per group and cell: n, mean, sd, counts per performance
level and counts with a yes/no outcome. So the only pass over student rows is the group-by in
`_aggregate`, which runs in DuckDB on the pandas frame; published aggregate files, which are already
summaries, enter through `Summary.from_counts`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import duckdb
import numpy as np
import pandas as pd

from ._validation import check_columns, label_tuple

__all__ = ["Summary", "summarize", "pool"]

_LEVEL = "__level"


@dataclass(frozen=True, eq=False)
class Summary:
    """Sufficient statistics per cell (the `by` columns) and group.

    Attributes
    ----------
    table : DataFrame
        One row per cell and group label: the `by` columns, the `group` column, ``n``, ``mean``, ``sd``,
        ``successes`` (yes/no outcomes only), ``level_<label>`` counts (lowest level first) and
        ``source_suppressed`` (cells a published file hid).
    outcome, group : str
        The outcome summarised and the column whose labels are compared.
    by : tuple of str
        The cell columns.
    levels : tuple
        Performance-level labels, lowest first (empty when no levels were counted).
    excluded : DataFrame
        Rows left out, with columns ``reason`` and ``rows``: those the reader refused to load
        (``records.attrs["excluded"]``) and those without an outcome, group or cell value.
    """

    table: pd.DataFrame
    outcome: str
    group: str
    by: tuple = ()
    levels: tuple = ()
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"reason": [], "rows": []}))

    @property
    def level_columns(self) -> list[str]:
        return [f"level_{label}" for label in self.levels]

    def rollup(self, by: Sequence[str]) -> "Summary":
        """The same summary over coarser cells: `by`, some of ``self.by``; each group pooled over the rest.

        Counts add, means are weighted by n and standard deviations pooled exactly (`pool`); a cell
        with a part the source hid is hidden.

        Examples
        --------
        >>> rows = pd.DataFrame({"grade": [3, 3, 4], "el_status": ["EL", "EO", "EL"], "score": [410.0, 450.0, 430.0]})
        >>> summarize(rows, "score", "el_status", by=["grade"]).rollup([]).table[["el_status", "n", "mean"]].values.tolist()
        [['EL', 2, 420.0], ['EO', 1, 450.0]]
        """
        by = label_tuple(by)
        unknown = [b for b in by if b not in self.by]
        if unknown:
            raise ValueError(f"`by` column(s) {', '.join(map(repr, unknown))} are not cells of this summary; "
                             f"its cells are {', '.join(map(repr, self.by))}.")
        table = pool(self.table, [*by, self.group], self.level_columns)
        for column in ("n", "successes", *self.level_columns):  # whole counts stay whole
            if column in table and table[column].notna().all() and pd.api.types.is_integer_dtype(self.table[column]):
                table[column] = table[column].astype("int64")
        columns = [c for c in self.table.columns if c in table.columns]
        return replace(self, table=table[columns], by=by)

    @classmethod
    def from_counts(cls, frame: pd.DataFrame, *, group: str, by: Sequence[str] = (), levels: Sequence = (),
                    outcome: str = "", excluded: pd.DataFrame | None = None) -> "Summary":
        """Build a summary from aggregate counts (e.g. a state's published results).

        `frame` has the `by` and `group` columns, ``n``, and ``level_<label>`` for each label in `levels`;
        ``mean``, ``sd`` and ``source_suppressed`` are optional. Missing counts mean the source hid them.
        """
        by = label_tuple(by)
        levels = label_tuple(levels)
        level_columns = [f"level_{label}" for label in levels]
        check_columns(frame, [*by, group, "n", *level_columns], "frame")
        table = frame.copy()
        for column in ("mean", "sd"):
            if column not in table:
                table[column] = np.nan
        if "source_suppressed" not in table:
            table["source_suppressed"] = table[["n", *level_columns]].isna().any(axis=1)
        table["source_suppressed"] = table["source_suppressed"].fillna(True).astype(bool)
        columns = [*by, group, "n", "mean", "sd", *(["successes"] if "successes" in table else []),
                   *level_columns, "source_suppressed"]
        return cls(table=table[columns].reset_index(drop=True), outcome=outcome, group=group, by=by,
                   levels=levels, excluded=_excluded_frame({} if excluded is None else excluded))


def summarize(records: pd.DataFrame, outcome: str, group: str, *, by: Sequence[str] = (),
              levels: str | None = None, cuts: Sequence[float] | Mapping | None = None) -> Summary:
    """Summarise student rows per cell and group.

    Parameters
    ----------
    records : DataFrame
        Student rows (canonical columns, see `gapkit.records.COLUMNS`).
    outcome : str
        Column to summarise: a scale score, or a yes/no outcome (then ``successes`` is counted too).
    group : str
        Column whose labels are compared (e.g. ``"el_status"``).
    by : sequence of str
        Columns that define a cell (e.g. ``("school_id", "grade", "year")``).
    levels : str, optional
        Column of ordered performance levels; a count per level is kept.
    cuts : sequence of float or mapping of grade to sequence, optional
        Scale-score cut points instead of a level column: level k is reached at the (k-1)-th cut.
        A mapping gives grade-specific cuts (the records need a ``grade`` column).

    Returns
    -------
    Summary

    Raises
    ------
    ValueError
        A named column is not in `records`, or both `levels` and `cuts` are given.

    Examples
    --------
    A small school with two English learners and three never-EL students:

    >>> rows = pd.DataFrame({"el_status": ["EL", "EL", "EO", "EO", "IFEP"],
    ...                      "score": [410.0, 430.0, 450.0, 470.0, 490.0]})
    >>> s = summarize(rows, "score", "el_status", cuts=[440, 480])
    >>> s.table[["el_status", "n", "mean", "level_1", "level_2", "level_3"]].to_dict("records")[0]
    {'el_status': 'EL', 'n': 2, 'mean': 420.0, 'level_1': 2, 'level_2': 0, 'level_3': 0}
    """
    by = label_tuple(by)
    check_columns(records, [outcome, group, *by], "records")
    if levels is not None and cuts is not None:
        raise ValueError("`levels` and `cuts` are alternatives; give one of them.")
    if levels is not None:
        check_columns(records, [levels], "levels")
    # Only the columns the group-by reads; pandas copies them lazily, so nothing large is copied here.
    frame = records[list(dict.fromkeys([outcome, group, *by]))]
    label_values: tuple = ()
    if levels is not None:
        level = records[levels]
        if not pd.api.types.is_numeric_dtype(level):
            level = pd.to_numeric(level, errors="coerce")
        frame = frame.assign(**{_LEVEL: level})
        label_values = tuple(int(v) for v in np.sort(level.dropna().unique()))
    elif cuts is not None:
        level, label_values = _levels_from_cuts(records, outcome, cuts)
        frame = frame.assign(**{_LEVEL: level})
    binary = pd.api.types.is_bool_dtype(records[outcome]) or str(records[outcome].dtype) == "boolean"
    if not binary and not pd.api.types.is_numeric_dtype(records[outcome]):
        frame = frame.assign(**{outcome: pd.to_numeric(records[outcome], errors="coerce")})
    table, excluded = _aggregate(frame, outcome, group, by, label_values, binary=binary)
    table["source_suppressed"] = False
    # Rows a reader already left out (gapkit.readers) are reported with the ones left out here.
    excluded = {e["reason"]: e["rows"] for e in records.attrs.get("excluded", ())} | excluded
    return Summary(table=table, outcome=outcome, group=group, by=by, levels=label_values,
                   excluded=_excluded_frame(excluded))


def _levels_from_cuts(records, outcome, cuts):
    scores = pd.to_numeric(records[outcome], errors="coerce").to_numpy(dtype=float)
    if isinstance(cuts, Mapping):
        check_columns(records, ["grade"], "cuts (grade-specific)")
        sizes = {len(c) for c in cuts.values()}
        if len(sizes) != 1:
            raise ValueError("`cuts` must give the same number of cut points for every grade.")
        level = np.full(len(scores), np.nan)
        grades = records["grade"].to_numpy()
        for grade, grade_cuts in cuts.items():
            rows = grades == grade
            level[rows] = np.searchsorted(np.asarray(grade_cuts, float), scores[rows], side="right") + 1
        unknown = pd.Series(grades[np.isnan(level) & ~np.isnan(scores)]).dropna().unique()
        if len(unknown):
            raise ValueError(f"`cuts` has no cut points for grade(s) {', '.join(map(str, unknown))}.")
        n_levels = sizes.pop() + 1
    else:
        level = (np.searchsorted(np.asarray(cuts, float), scores, side="right") + 1).astype(float)
        n_levels = len(cuts) + 1
    level[np.isnan(scores)] = np.nan
    return level, tuple(range(1, n_levels + 1))


def _aggregate(frame, outcome, group, by, labels, *, binary):
    """The one group-by over student rows. Returns the cell table and row counts left out, by reason."""
    keys = [*by, group]
    q = _quote
    level_sql = "".join(f", count({q(outcome)}) FILTER (WHERE {q(_LEVEL)} = {label}) AS {q(f'level_{label}')}"
                        for label in labels)
    successes_sql = f", sum(CASE WHEN {q(outcome)} THEN 1 ELSE 0 END) AS successes" if binary else ""
    value = f"CAST({q(outcome)} AS DOUBLE)"
    sql = (f"SELECT {', '.join(map(q, keys))}, count(*) AS rows, count({q(outcome)}) AS n, "
           f"avg({value}) AS mean, stddev_samp({value}) AS sd"
           f"{successes_sql}{level_sql} "
           f"FROM frame GROUP BY {', '.join(map(q, keys))}")
    connection = duckdb.connect()
    try:
        connection.register("frame", frame)
        cells = connection.execute(sql).df()
    finally:
        connection.close()
    excluded = {}
    missing_key = cells[keys].isna().any(axis=1)
    for key in keys:
        rows = int(cells.loc[cells[key].isna() & ~cells[keys[:keys.index(key)]].isna().any(axis=1), "rows"].sum())
        if rows:
            excluded[f"missing {key}"] = rows
    kept = cells[~missing_key]
    missing_outcome = int((kept["rows"] - kept["n"]).sum())
    if missing_outcome:
        excluded[f"missing {outcome}"] = missing_outcome
    table = kept[kept["n"] > 0].drop(columns="rows")
    for column in ["n", *(["successes"] if binary else []), *(f"level_{label}" for label in labels)]:
        table[column] = table[column].astype("int64")
    for key in keys:
        table[key] = table[key].astype(frame[key].dtype) if frame[key].dtype != object else table[key]
    table = table.sort_values(keys, kind="stable").reset_index(drop=True)
    return table, excluded


def pool(rows: pd.DataFrame, keys: Sequence[str], level_columns: Sequence[str]) -> pd.DataFrame:
    """Combine the rows of a summary table that share `keys`, exactly.

    Counts (``n``, ``successes``, the level counts) add, means are weighted by n, and sums of squares add
    around the pooled mean; a combination with a part the source hid (``source_suppressed``, or no
    ``n``) has no numbers and is marked ``source_suppressed``. Returns one row per combination of `keys`.
    """
    keys = list(keys)
    rows = rows.assign(_weighted=rows["n"] * rows["mean"],
                       _incomplete=rows["source_suppressed"] | rows["n"].isna())
    grouped = rows.groupby(keys, dropna=False, sort=True)
    counts = [c for c in ("n", "successes", *level_columns) if c in rows]
    out = grouped[counts + ["_weighted"]].sum(min_count=1)
    out["mean"] = out["_weighted"] / out["n"]
    rows = rows.join(out["mean"].rename("_pooled_mean"), on=keys)
    within = ((rows["n"] - 1) * rows["sd"] ** 2).where(rows["n"] > 1, 0.0)
    between = rows["n"] * (rows["mean"] - rows["_pooled_mean"]) ** 2
    squares = (within + between).groupby([rows[k] for k in keys], dropna=False, sort=True).sum(min_count=1)
    out["sd"] = np.sqrt(squares / (out["n"] - 1)).where(out["n"] > 1)
    missing = (rows[["mean", "sd"]].isna() & (rows["n"] > 1).to_numpy()[:, None]).any(axis=1)
    out.loc[missing.groupby([rows[k] for k in keys], dropna=False, sort=True).any(), ["mean", "sd"]] = np.nan
    incomplete = grouped["_incomplete"].any()
    out.loc[incomplete, counts + ["mean", "sd"]] = np.nan
    out["source_suppressed"] = incomplete
    return out.drop(columns="_weighted").reset_index()


def _excluded_frame(excluded) -> pd.DataFrame:
    if isinstance(excluded, pd.DataFrame):
        return excluded.reset_index(drop=True)
    return pd.DataFrame({"reason": list(excluded), "rows": [int(v) for v in excluded.values()]})


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'
