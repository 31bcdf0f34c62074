"""Records to summary: one group-by over student rows, giving each cell's sufficient statistics.

Every gap measure in gapkit is a function of, per group and cell: n, mean, sd, counts per performance
level and counts with a yes/no outcome. So the only pass over student rows is the group-by in
`_aggregate`, one DuckDB query, whatever holds the rows: a pandas frame, a Parquet or CSV file (read by
DuckDB as it aggregates, never loaded into pandas) or a DuckDB relation. Published aggregate files,
which are already summaries, enter through `Summary.from_counts`.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ._validation import check_columns, label_tuple

__all__ = ["Summary", "summarize", "pool", "pool_bins"]


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


def summarize(records, outcome: str, group: str, *, by: Sequence[str] = (),
              levels: str | None = None, cuts: Sequence[float] | Mapping | None = None) -> Summary:
    """Summarise student rows per cell and group.

    Parameters
    ----------
    records : DataFrame, path or duckdb.DuckDBPyRelation
        Student rows (canonical columns, see `gapkit.records.COLUMNS`): a frame, a Parquet or CSV file
        (``.parquet``, ``.pq``, ``.csv``, ``.tsv``, ``.txt``; a glob such as ``"results/*.parquet"``
        reads several), or a DuckDB relation. Files and relations are aggregated by DuckDB as they are
        read: the rows never enter pandas, so a state's file of tens of millions of rows needs little
        memory. Their columns must already be canonical (numbers stored as numbers); a messy export
        goes through `gapkit.read_records` first.
    outcome : str
        Column to summarise: a scale score, or a yes/no outcome (then ``successes`` is counted too).
    group : str
        Column whose labels are compared (e.g. ``"el_status"``).
    by : sequence of str
        Columns that define a cell (e.g. ``("school_id", "grade", "year")``).
    levels : str, optional
        Column of ordered performance levels (whole numbers); a count per level is kept.
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
    gapkit.DataError
        A file or relation that cannot be summarised as it is (missing file, a column that is not
        canonical); the message names the file, the column and the row.

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
    with _rows(records, [outcome, group, *by, *([levels] if levels is not None else []),
                         *(["grade"] if isinstance(cuts, Mapping) else [])]) as rows:
        rows.check_columns([outcome, group, *by], "records")
        if levels is not None and cuts is not None:
            raise ValueError("`levels` and `cuts` are alternatives; give one of them.")
        if levels is not None:
            rows.check_columns([levels], "levels")
        value, binary = rows.value(outcome)
        if levels is not None:
            level, labels = rows.level(levels), None
        elif cuts is not None:
            level, labels = _cuts_sql(rows, cuts)
        else:
            level, labels = None, ()
        table, labels, excluded = _aggregate(rows, outcome, group, by, value, level, labels, binary=binary)
        if isinstance(cuts, Mapping) and (table["n"] > table[[f"level_{k}" for k in labels]].sum(axis=1)).any():
            _check_cut_grades(rows, value, level)  # scored students in no level: a grade without cuts
        table["source_suppressed"] = False
        # Rows a reader already left out (gapkit.readers) are reported with the ones left out here.
        excluded = {e["reason"]: e["rows"] for e in rows.excluded} | excluded
    return Summary(table=table, outcome=outcome, group=group, by=by, levels=labels,
                   excluded=_excluded_frame(excluded))


# ---------------------------------------------------------------------------
# The rows: a frame, a file or a relation, all read through DuckDB
# ---------------------------------------------------------------------------

_FILES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}
_NUMERIC = re.compile(r"(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT"
                      r"|FLOAT|DOUBLE|REAL|DECIMAL.*)$")
_INTEGER = re.compile(r"U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$")
_TEXT = re.compile(r"(VARCHAR|ENUM.*)$")

_connection = None  # one in-memory DuckDB database per process; each summary uses its own cursor
_connection_pid = None


def _cursor():
    """A new cursor on this process's DuckDB database (a connection is slow to open, a cursor is not)."""
    import duckdb  # imported when first needed: `import gapkit` stays quick

    global _connection, _connection_pid
    if _connection is None or _connection_pid != os.getpid():  # a forked child opens its own
        _connection, _connection_pid = duckdb.connect(), os.getpid()
    return _connection.cursor()


class _Rows:
    """Student rows that SQL reads as ``records``, with what error messages need to name them.

    A frame is registered on a cursor of this process's database and a file is a view on one (so the
    query is plain SQL); a relation is queried through its own connection.
    """

    def __init__(self, *, name, cursor=None, relation=None, path=None, dtypes=None, excluded=()):
        self.name = name          # "records", or the file's name
        self.cursor = cursor      # where ``records`` is registered (closed with the rows)
        self.relation = relation  # or the caller's relation
        self.path = path          # the file, if rows come from one
        self.dtypes = dtypes      # a frame's column dtypes, restored on the summary's cell columns
        self.excluded = excluded  # rows a reader left out (records.attrs["excluded"])
        if relation is not None:
            self.types = dict(zip(relation.columns, map(str, relation.types)))
        else:
            described = self._run("DESCRIBE SELECT * FROM records")
            self.types = dict(zip(described["column_name"], described["column_type"]))

    @property
    def columns(self):
        return list(self.types)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        if self.cursor is not None:
            self.cursor.close()

    def error(self, message, *, column=None, row=None):
        """The error of bad rows: a `gapkit.DataError` naming the file, column and row."""
        return _data_error(f"{self.name}: {message}", path=self.path, column=column, row=row)

    def check_columns(self, names, argument):
        if self.path is None:
            check_columns(self, names, argument)
            return
        missing = [c for c in names if c not in self.types]
        if missing:
            have = ", ".join(map(repr, self.types))
            raise self.error(f"column {missing[0]!r} (`{argument}`) is not in the file; its columns are {have}.",
                             column=missing[0])

    def query(self, sql):
        """Run `sql` (over ``records``); a value DuckDB cannot read is a `DataError` naming its row."""
        import duckdb

        try:
            return self._run(sql)
        except (duckdb.ConversionException, duckdb.InvalidInputException) as error:
            text = str(error)
            line = re.search(r"Line: (\d+)", text)
            column = re.search(r'converting column "([^"]+)"', text)
            value = re.search(r'convert string "([^"]*)"', text)
            if not (line and column):  # no row to name: DuckDB's own first line, without its file details
                raise self.error(f"cannot be read as it is: {text.splitlines()[0]}") from None
            row, column = int(line.group(1)), column.group(1)
            held = f"holds {value.group(1)!r}" if value else "has a value"
            target = re.search(r"to '(\w+)'", text)
            what = _WHAT.get(target.group(1) if target else "", "of the kind in the rows before it")
            raise self.error(f"column {column!r} {held} in row {row}, {_unlike(what)}", column=column,
                             row=row) from None

    def _run(self, sql):
        if self.relation is not None:
            return self.relation.query("records", sql).fetchnumpy()
        return self.cursor.execute(sql).fetchnumpy()

    def value(self, outcome):
        """The SQL of the outcome as a number, and whether it is a yes/no outcome."""
        kind = self.types[outcome]
        if kind == "BOOLEAN":
            return f"CAST({_quote(outcome)} AS DOUBLE)", True
        if _NUMERIC.match(kind):
            return f"CAST({_quote(outcome)} AS DOUBLE)", False
        if not _TEXT.match(kind):
            raise self.error(f"column {outcome!r} holds {kind} values, not numbers or yes/no values.",
                             column=outcome)
        self._refuse_text(outcome, "DOUBLE", "a number")
        return f"TRY_CAST({_quote(outcome)} AS DOUBLE)", False

    def level(self, levels):
        """The SQL of the level column as whole numbers (a fraction or text is refused, naming the row)."""
        kind = self.types[levels]
        if _INTEGER.match(kind):
            return _quote(levels)
        if _NUMERIC.match(kind):
            self._refuse(levels, f"{_quote(levels)} <> floor({_quote(levels)})", "a whole number")
            return f"CAST({_quote(levels)} AS BIGINT)"
        if not _TEXT.match(kind):
            raise self.error(f"column {levels!r} holds {kind} values, not performance levels.", column=levels)
        self._refuse_text(levels, "BIGINT", "a whole number")
        return f"TRY_CAST({_quote(levels)} AS BIGINT)"

    def _refuse_text(self, column, sql_type, what):
        bad = f"{_quote(column)} IS NOT NULL AND trim(CAST({_quote(column)} AS VARCHAR)) <> '' " \
              f"AND TRY_CAST({_quote(column)} AS {sql_type}) IS NULL"
        self._refuse(column, bad, what)

    def _refuse(self, column, bad, what):
        """Raise naming the first row where `bad` holds (rows counted from 1; in a CSV file the header is row 1)."""
        found = self.query(f"SELECT row, value FROM (SELECT row_number() OVER () AS row, "
                           f"CAST({_quote(column)} AS VARCHAR) AS value, {bad} AS bad FROM records) "
                           f"WHERE bad ORDER BY row LIMIT 1")
        if len(found["row"]):
            row = int(found["row"][0]) + (1 if self.path is not None and _file_kind(self.path) == "csv" else 0)
            raise self.error(f"column {column!r} holds {str(found['value'][0])!r} in row {row}, "
                             f"{_unlike(what)}", column=column, row=row)


#: What a value of a DuckDB type is, in words.
_WHAT = {**dict.fromkeys(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"), "a whole number"),
         **dict.fromkeys(("FLOAT", "DOUBLE", "DECIMAL"), "a number"), "BOOLEAN": "true or false", "DATE": "a date"}


def _unlike(what):
    return (f"which is not {what}. Files and relations are read as they are: clean local codes with "
            f"gapkit.read_records first.")


def _file_kind(path):
    return _FILES.get(Path(path).suffix.lower())


def _rows(records, columns, *, coerce=()) -> _Rows:
    """`records` as `_Rows`: a frame (only `columns` of it), a Parquet or CSV file, or a DuckDB relation.

    In a frame, text in the `coerce` columns (outcome, levels) counts as missing, as it always has: a
    frame comes from `gapkit.read_records`, which has already refused what it could not read.
    """
    if isinstance(records, pd.DataFrame):
        frame = records[[c for c in dict.fromkeys(columns) if c in records.columns]]
        for column in dict.fromkeys(coerce):
            if column in frame.columns and not _numeric_or_bool(frame[column]):
                frame = frame.assign(**{column: pd.to_numeric(frame[column], errors="coerce")})
        cursor = _cursor()
        cursor.register("records", frame)
        return _Rows(name="records", cursor=cursor, dtypes=frame.dtypes.to_dict(),
                     excluded=records.attrs.get("excluded", ()))
    if isinstance(records, (str, os.PathLike)):
        path = Path(records)
        kind = _file_kind(path)
        if kind is None:
            raise _data_error(f"{path.name}: file type {path.suffix or '(none)'!r} not recognized; summarize "
                              f"reads .parquet and .csv files.", path=path)
        if not any(ch in str(path) for ch in "*?[") and not path.is_file():
            raise _data_error(f"{path}: file not found.", path=path)
        cursor = _cursor()
        reader = "read_parquet" if kind == "parquet" else "read_csv"
        cursor.execute(f"CREATE TEMP VIEW records AS SELECT * FROM {reader}({_text(path)})")
        return _Rows(name=path.name, cursor=cursor, path=path)
    if type(records).__name__ == "DuckDBPyRelation":
        return _Rows(name="records", relation=records)
    raise TypeError("`records` must be a DataFrame, a path to a Parquet or CSV file, or a DuckDB relation; "
                    f"got {type(records).__name__}.")


def _data_error(message, **where):
    from gapkit.readers import DataError  # imported here: the readers import this module

    return DataError(message, **where)


def _numeric_or_bool(values) -> bool:
    return pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values) \
        or str(values.dtype) == "boolean"


# ---------------------------------------------------------------------------
# Levels from cut scores
# ---------------------------------------------------------------------------

# The rows as the group-by reads them: every column, and the outcome as a number (``__v``).
_SCORED = "(SELECT *, {value} AS __v FROM records)"


def _cuts_sql(rows, cuts):
    """The SQL of the level a score ``__v`` reaches (one plus the cuts at or below it), and the labels."""
    def reached(grade_cuts):
        grade_cuts = np.asarray(grade_cuts, dtype=float).ravel()
        if not np.isfinite(grade_cuts).all():
            raise ValueError(f"`cuts` must be finite numbers; got {grade_cuts.tolist()!r}.")
        return " + ".join(["1", *(f"CAST(__v >= {float(c)!r} AS INTEGER)" for c in grade_cuts)])

    if isinstance(cuts, Mapping):
        sizes = {len(c) for c in cuts.values()}
        if len(sizes) != 1:
            raise ValueError("`cuts` must give the same number of cut points for every grade.")
        literals = [(_literal(g, rows.types["grade"]), c) for g, c in cuts.items()]
        cases = " ".join(f"WHEN grade = {g} THEN {reached(c)}" for g, c in literals if g is not None)
        expression = f"CASE {cases} END" if cases else "NULL"
        n_levels = sizes.pop() + 1
    else:
        expression = reached(cuts)
        n_levels = len(cuts) + 1
    return f"CASE WHEN __v IS NULL THEN NULL ELSE {expression} END", tuple(range(1, n_levels + 1))


def _literal(value, column_type):
    """`value` as an SQL literal to compare with a column of `column_type` (None if never equal)."""
    if _NUMERIC.match(column_type):
        if isinstance(value, (bool, np.bool_)):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return repr(int(number)) if number.is_integer() else repr(number)
    return _text(value)


def _check_cut_grades(rows, value, level):
    """Refuse grade-specific cuts that leave out a grade a scored student is in, naming the grades."""
    found = rows.query(f"SELECT DISTINCT CAST(grade AS VARCHAR) AS grade FROM {_SCORED.format(value=value)} "
                       f"WHERE __v IS NOT NULL AND grade IS NOT NULL AND ({level}) IS NULL ORDER BY 1")
    if len(found["grade"]):
        raise ValueError(f"`cuts` has no cut points for grade(s) {', '.join(map(str, found['grade']))}.")


# ---------------------------------------------------------------------------
# The one group-by
# ---------------------------------------------------------------------------


def _aggregate(rows, outcome, group, by, value, level, labels, *, binary):
    """The one group-by over student rows.

    Returns the cell table, the level labels (those in the data when `labels` is None) and the rows
    left out, by reason. With levels, DuckDB groups by cell and level, so the levels present need no
    second pass over the rows, and each cell's levels are pooled exactly here (counts add; sums of
    squares add around the cell's mean).
    """
    keys = [*by, group]
    q = _quote
    key_sql = ", ".join(map(q, keys))
    group_sql = key_sql + (", __level" if level is not None else "")
    order = ", ".join(f"{q(k)} NULLS LAST" for k in keys) + (", __level NULLS LAST" if level is not None else "")
    sql = (f"SELECT {key_sql}{f', {level} AS __level' if level is not None else ''}, count(*) AS __rows, "
           f"count(__v) AS __n, avg(__v) AS __mean, var_pop(__v) AS __var"
           f"{f', count_if({q(outcome)}) AS __successes' if binary else ''} "
           f"FROM {_SCORED.format(value=value)} GROUP BY {group_sql} ORDER BY {order}")
    parts = rows.query(sql)
    size = len(parts["__rows"])
    part_missing = [_missing(parts[k]) for k in keys]
    starts = _runs([parts[k] for k in keys], part_missing, size) if level is not None else np.arange(size)
    n_part = np.asarray(parts["__n"], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_part = np.sqrt(np.ma.filled(parts["__var"], np.nan) * n_part / (n_part - 1))
    stats = {"n": n_part, "mean": np.ma.filled(parts["__mean"], np.nan).astype(float), "sd": sd_part,
             "rows": np.asarray(parts["__rows"], dtype=float)}
    if binary:
        stats["successes"] = np.asarray(parts["__successes"], dtype=float)
    if level is not None:
        level_missing = np.ma.getmaskarray(parts["__level"])
        level_part = np.ma.getdata(parts["__level"])
        if labels is None:
            labels = tuple(int(v) for v in np.unique(level_part[~level_missing]))
        for label in labels:
            stats[f"level_{label}"] = np.where(~level_missing & (level_part == label), n_part, 0.0)
    counts = [c for c in stats if c not in ("mean", "sd")]
    cell = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, size)))  # each part's cell
    pooled = pool_bins(cell, len(starts), stats, np.zeros(size, dtype=bool), counts)
    rows_cell, n = pooled["rows"].astype(np.int64), pooled["n"].astype(np.int64)
    columns = {k: np.ma.getdata(parts[k])[starts] for k in keys}
    columns |= {"n": n, "mean": pooled["mean"], "sd": pooled["sd"]}
    columns |= {c: pooled[c].astype(np.int64) for c in counts if c not in ("n", "rows")}

    excluded = {}
    earlier = np.zeros(len(starts), dtype=bool)
    for key, missing in zip(keys, part_missing):
        missing = missing[starts]
        if (missing & ~earlier).any():
            excluded[f"missing {key}"] = int(rows_cell[missing & ~earlier].sum())
        earlier |= missing
    missing_outcome = int((rows_cell - n)[~earlier].sum())
    if missing_outcome:
        excluded[f"missing {outcome}"] = missing_outcome
    shown = ~earlier & (n > 0)
    table = pd.DataFrame({name: values[shown] for name, values in columns.items()})
    for key in keys:
        dtype = (rows.dtypes or {}).get(key)
        if dtype is not None and dtype != object and table[key].dtype != dtype:
            table[key] = table[key].astype(dtype)
    return table, labels, excluded


def _missing(values) -> np.ndarray:
    """Where a fetched DuckDB column is NULL (a masked element, or NaN in an object column)."""
    mask = np.ma.getmaskarray(values)
    if values.dtype == object:
        mask = mask | pd.isna(np.ma.getdata(values))
    return mask


def _runs(columns, masks, size) -> np.ndarray:
    """Where each run of equal keys starts, in rows sorted by those keys."""
    change = np.zeros(size, dtype=bool)
    change[:1] = True
    for values, mask in zip(columns, masks):
        data = np.ma.getdata(values)
        differs = np.asarray(data[1:] != data[:-1], dtype=bool)
        change[1:] |= np.where(mask[1:] & mask[:-1], False, differs | (mask[1:] != mask[:-1]))
    return np.flatnonzero(change)


def pool(rows: pd.DataFrame, keys: Sequence[str], level_columns: Sequence[str]) -> pd.DataFrame:
    """Combine the rows of a summary table that share `keys`, exactly.

    Counts (``n``, ``successes``, the level counts) add, means are weighted by n, and sums of squares add
    around the pooled mean; a combination with a part the source hid (``source_suppressed``, or no
    ``n``) has no numbers and is marked ``source_suppressed``. Returns one row per combination of `keys`,
    sorted by them.
    """
    keys = list(keys)
    factors = [pd.factorize(rows[k], sort=True, use_na_sentinel=False) for k in keys]
    shape = [max(len(u), 1) for _, u in factors]
    codes = np.ravel_multi_index([c for c, _ in factors], shape) if keys else np.zeros(len(rows), dtype=np.int64)
    combinations, bins = np.unique(codes, return_inverse=True)
    counts = [c for c in ("n", "successes", *level_columns) if c in rows]
    stats = {c: pd.to_numeric(rows[c]).to_numpy(float) for c in {*counts, "n", "mean", "sd"}}
    incomplete = rows["source_suppressed"].to_numpy(bool) | np.isnan(stats["n"])
    pooled = pool_bins(bins.ravel(), len(combinations), stats, incomplete, counts)
    where = np.unravel_index(combinations, shape) if keys else ()
    out = {k: u.take(where[i]) for i, (k, (_, u)) in enumerate(zip(keys, factors))}
    out |= {c: pooled[c] for c in (*counts, "mean", "sd", "source_suppressed")}
    return pd.DataFrame(out)


def pool_bins(bins, size, stats, incomplete, counts):
    """The pooling of `pool` on arrays: row i of `stats` goes to bin ``bins[i]`` (of `size`).

    `stats` maps ``n``, ``mean``, ``sd`` and each of `counts` to float arrays; `incomplete` marks rows
    the source hid. Returns each statistic per bin, ``source_suppressed`` and ``_rows`` (rows per bin).
    """
    def total(values):
        return np.bincount(bins, weights=values, minlength=size)

    n_rows = stats["n"]
    n_known = np.where(incomplete, 0.0, n_rows)
    out = {"_rows": np.bincount(bins, minlength=size)}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in counts:
            values = np.where(incomplete, 0.0, stats[name])
            known = total((~np.isnan(values)).astype(float)) > 0  # pandas' sum(min_count=1)
            out[name] = np.where(known, total(np.nan_to_num(values)), np.nan)
        n = out["n"]
        mean_rows, sd_rows = stats["mean"], stats["sd"]
        unknown = total(((n_known > 0) & np.isnan(mean_rows)) | ((n_known > 1) & np.isnan(sd_rows))) > 0
        mean = total(np.where(n_known > 0, n_known * np.nan_to_num(mean_rows), 0.0)) / n
        within = np.where(n_known > 1, (n_known - 1) * np.nan_to_num(sd_rows) ** 2, 0.0)
        between = np.where(n_known > 0, n_known * (np.nan_to_num(mean_rows) - mean[bins]) ** 2, 0.0)
        sd = np.sqrt(total(within + between) / (n - 1))
    out["mean"] = np.where(unknown | (n == 0), np.nan, mean)
    out["sd"] = np.where(unknown | ~(n > 1), np.nan, sd)
    hidden = total(incomplete.astype(float)) > 0
    for name in (*counts, "mean", "sd"):
        out[name] = np.where(hidden, np.nan, out[name])
    out["n"] = np.where(hidden, np.nan, np.nan_to_num(out["n"]))  # a side with no student has n = 0
    out["source_suppressed"] = hidden
    return out


def _excluded_frame(excluded) -> pd.DataFrame:
    if isinstance(excluded, pd.DataFrame):
        return excluded.reset_index(drop=True)
    return pd.DataFrame({"reason": list(excluded), "rows": [int(v) for v in excluded.values()]})


def _text(value) -> str:
    """A string literal of SQL."""
    return "'" + str(value).replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'
