"""Gap tables: summary -> privacy -> measures, in one call.

`gap_table` is the only way student data becomes a table of gaps. It pools each cell's groups from
the summary, suppresses the cells by their groups' sizes (`gapkit.privacy.suppress`, which needs only
the counts), and then computes the measures for the cells it shows: an estimate is never computed for
a cell that may not be shown, and every view takes its rows from here. `protect_linked` suppresses
further across gap tables whose groups add up.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validation import label_tuple, level_like, one_of
from .measures import MEASURES
from .measures.registry import estimate_columns
from .privacy import COMPLEMENTARY_REASON, Family, Rule, suppress, suppress_linked
from .records import COMPARISONS, LINKED, LINKED_KEEP, PROFICIENT_LEVEL, side_group
from .summary import Summary, pool_bins, summarize

__all__ = ["COLUMNS", "gap_table", "group_counts", "hide", "protect_linked"]

#: Columns of a gap table, after the `by` columns.
COLUMNS = ["measure", "focal", "reference", "n_focal", "n_reference", "estimate", "se", "ci_low", "ci_high",
           "value_focal", "value_reference", "method", "note", "suppressed", "reason"]

#: What a hidden row of a gap table does not show, besides its counts.
_HIDDEN = ["estimate", "se", "ci_low", "ci_high", "value_focal", "value_reference"]
_SIDES = ("focal", "reference")


def gap_table(data, outcome: str | None = None, group: str | None = None, *, focal, reference=None,
              by: Sequence[str] = (), measures: Sequence[str] | None = None, min_n: int = Rule.min_n,
              proficient=PROFICIENT_LEVEL, levels: str | None = None, cuts=None, level: float = 0.95,
              margins: bool | Sequence[str] = False) -> pd.DataFrame:
    """Gaps between a focal and a reference group, per cell, with small cells suppressed.

    Parameters
    ----------
    data : DataFrame, path, duckdb.DuckDBPyRelation or Summary
        Student records (then `outcome` and `group` are required): a frame, a Parquet or CSV file or a
        DuckDB relation, aggregated by DuckDB without loading the rows into pandas (see
        `gapkit.summarize`); or a `Summary`.
    outcome, group : str
        Outcome column and the column whose labels are compared (records only).
    focal, reference : label or sequence of labels
        Labels of `group` on each side; several labels are pooled exactly from their summaries.
        ``reference=None`` compares with everyone else in the cell.
    by : sequence of str
        Columns that define a cell (records only; a Summary brings its own).
    measures : sequence of str, optional
        Measures of `gapkit.measures.MEASURES` that gap tables offer (those with ``needs``). Default:
        its default measures that the data supports (percent proficient, mean, Hedges' g and V).
    min_n : int
        Minimum students in each group for a cell to be shown (default: `gapkit.privacy.Rule`'s, 10).
    proficient : level label
        Lowest performance level that counts as proficient (default `gapkit.records.PROFICIENT_LEVEL`, 3).
    levels, cuts : optional
        Performance levels of records, as for `gapkit.summarize`.
    level : float
        Confidence level of the intervals.
    margins : bool or sequence of str
        Add total rows (``"All"``) over each `by` column (True), or over those named; complementary
        suppression then protects them.

    Returns
    -------
    DataFrame
        One row per cell and measure: the `by` columns, then `COLUMNS`. On suppressed rows the estimate,
        interval and group values are missing and ``reason`` says why.

    Raises
    ------
    ValueError
        An unknown measure or label, a measure the data cannot support, or a bad option.

    Notes
    -----
    What is protected: the cells of this one table, with its margins (``margins=True``) as totals. What
    is not: several tables made from the same data (another `by`, another comparison, a school and its
    district) are each protected alone, and a hidden count of one can follow from the shown counts of
    another. Protect such a set together: `protect_linked` for groups that add up within a table, and,
    for reports of several schools, `gapkit.report.joint.hide_across`.

    Examples
    --------
    Ten English learners and twelve never-EL students in one grade:

    >>> rows = pd.DataFrame({"el_status": ["EL"] * 10 + ["EO"] * 12,
    ...                      "level": [1, 2] * 5 + [2, 3, 3, 4] * 3,
    ...                      "score": [400.0 + i for i in range(10)] + [430.0 + i for i in range(12)]})
    >>> table = gap_table(rows, "score", "el_status", focal="EL", reference="EO", levels="level",
    ...                   measures=["proportion_difference", "mean_difference"])
    >>> table[["measure", "n_focal", "n_reference", "estimate"]].round(3).to_dict("records")
    [{'measure': 'proportion_difference', 'n_focal': 10, 'n_reference': 12, 'estimate': 0.75}, \
{'measure': 'mean_difference', 'n_focal': 10, 'n_reference': 12, 'estimate': 31.0}]
    """
    rule = Rule(min_n)
    level = level_like(level)
    if isinstance(data, Summary):
        summary = data
    else:  # student records: a frame, a Parquet or CSV file, or a DuckDB relation (see `summarize`)
        if outcome is None or group is None:
            raise ValueError("`outcome` and `group` are required when `data` is student records.")
        summary = summarize(data, outcome, group, by=by, levels=levels, cuts=cuts)
    measures = _measures_iv(measures, summary)
    if "successes" not in summary.table and any(MEASURES[m].needs == "proportions" for m in measures) \
            and not any(label >= proficient for label in summary.levels):
        raise ValueError(f"`proficient` ({proficient!r}) is above every performance level in the data "
                         f"({', '.join(map(str, summary.levels))}).")
    focal, reference = _labels_iv(summary, focal, reference)
    margins = list(summary.by) if margins is True else [one_of(m, "margins", summary.by) for m in label_tuple(margins)] \
        if margins else []
    cells = _cells(summary, focal, reference, proficient=proficient, margins=margins)
    suppressed, reason = _privacy(cells, summary.by, rule.min_n)
    table = _estimates(cells, summary, measures, level, suppressed, reason)
    table["focal"] = _describe(focal)
    table["reference"] = _describe(reference) if reference else "all others"
    return table


def _measures_iv(measures, summary):
    has_means = summary.table["mean"].notna().any() and summary.table["sd"].notna().any()
    has_proportions = bool(summary.levels) or "successes" in summary.table
    supported = {"means": has_means, "proportions": has_proportions, "levels": len(summary.levels) >= 2}
    offered = {name: m for name, m in MEASURES.items() if m.needs}
    if measures is None:
        return [name for name, m in offered.items() if m.default and supported[m.needs]]
    measures = list(label_tuple(measures))
    for measure in measures:
        one_of(measure, "measures", offered)
        if not supported[offered[measure].needs]:
            need = {"means": "means and standard deviations", "proportions": "performance levels or a yes/no "
                    "outcome", "levels": "counts in two or more performance levels"}[offered[measure].needs]
            raise ValueError(f"`measures` asks for {measure!r}, which needs {need}; this summary has none.")
    return measures


def _labels_iv(summary, focal, reference):
    present = summary.table[summary.group].dropna().unique().tolist()
    focal = label_tuple(focal)
    reference = label_tuple(reference)
    if not focal:
        raise ValueError("`focal` must name at least one label of the group column.")
    for name, labels in (("focal", focal), ("reference", reference)):
        unknown = [label for label in labels if label not in present]
        if unknown:
            raise ValueError(f"`{name}` label(s) {', '.join(map(repr, unknown))} not found in column "
                             f"{summary.group!r}; labels are: {', '.join(map(repr, sorted(present, key=str)))}.")
    overlap = set(focal) & set(reference)
    if overlap:
        raise ValueError(f"`focal` and `reference` share label(s) {', '.join(map(repr, overlap))}.")
    return focal, reference


def _cells(summary, focal, reference, *, proficient, margins):
    """One row per cell with each side's pooled statistics (columns <stat>_focal, <stat>_reference), and
    total rows over each combination of the `margins` columns.

    Each (cell, side) is one bin of `gapkit.summary.pool_bins`, over the summary's rows.
    """
    table = summary.table
    labels = table[summary.group]
    is_focal = labels.isin(focal).to_numpy()
    on_side = is_focal | (labels.isin(reference).to_numpy() if reference else ~is_focal)
    rows = table[on_side]
    side = np.where(is_focal[on_side], 0, 1)
    level_columns = summary.level_columns
    stats = {name: pd.to_numeric(rows[name]).to_numpy(float) for name in ["n", "mean", "sd", *level_columns]}
    if "successes" in rows:
        stats["successes"] = pd.to_numeric(rows["successes"]).to_numpy(float)
    else:
        proficient_columns = [f"level_{label}" for label in summary.levels if label >= proficient]
        stats["successes"] = (rows[proficient_columns].sum(axis=1, min_count=1).to_numpy(float)
                              if proficient_columns else np.full(len(rows), np.nan))
    incomplete = rows["source_suppressed"].to_numpy(bool) | np.isnan(stats["n"])
    by = list(summary.by)
    factors = [pd.factorize(rows[b], sort=True, use_na_sentinel=False) for b in by]
    parts = []
    subsets = [rolled for size in range(len(margins) + 1) for rolled in itertools.combinations(margins, size)]
    for rolled in subsets:
        kept = [i for i, b in enumerate(by) if b not in rolled]
        if kept:
            codes = np.ravel_multi_index([factors[i][0] for i in kept], [len(factors[i][1]) for i in kept])
            cell_codes, cell = np.unique(codes, return_inverse=True)
            keys = np.unravel_index(cell_codes, [len(factors[i][1]) for i in kept])
        else:
            cell_codes, cell, keys = np.zeros(1, dtype=np.int64), np.zeros(len(rows), dtype=np.int64), ()
        pooled = pool_bins(cell.ravel() * 2 + side, 2 * len(cell_codes), stats, incomplete,
                           ["n", "successes", *level_columns])
        columns = {}
        for i, b in enumerate(by):
            if b in rolled:
                columns[b] = np.full(len(cell_codes), "All", dtype=object)
            else:
                columns[b] = factors[i][1].take(keys[kept.index(i)])
        parts.append((columns, pooled))
    if len(parts) == 1:
        keys, pooled = parts[0]
    else:
        keys = {b: np.concatenate([np.asarray(p[0][b], dtype=object) for p in parts]) for b in by}
        pooled = {name: np.concatenate([p[1][name] for p in parts]) for name in parts[0][1]}
    exists = pooled.pop("_rows").reshape(-1, 2).sum(axis=1) > 0  # only cells that exist
    wide = {b: keys[b][exists] for b in by}
    for stat, values in pooled.items():
        values = values.reshape(-1, 2)[exists]
        for i, s in enumerate(_SIDES):
            wide[f"{stat}_{s}"] = values[:, i]
    return pd.DataFrame(wide)


def _privacy(cells, by, min_n):
    """Primary and complementary suppression of each cell (both groups' sizes are shown counts).

    Cells a published file hid (and totals over them) stay hidden; their counts are unknown, so they
    are left out of the recoverability check, which protects the cells that are shown. Returns the
    ``suppressed`` flags and ``reason`` of each cell.
    """
    dims = list(by)
    hidden = cells["source_suppressed_focal"].to_numpy(bool) | cells["source_suppressed_reference"].to_numpy(bool)
    suppressed = hidden.copy()
    reason = np.where(hidden, "hidden in the source", "").astype(object)
    counts = cells.loc[~hidden, [*dims, "n_focal", "n_reference"]]
    if not dims:
        counts = counts.assign(_cell="all")
    shown = suppress(counts, dims=dims or ["_cell"], count_columns=["n_focal", "n_reference"], min_n=min_n)
    suppressed[~hidden] = shown["suppressed"].to_numpy(bool)
    reason[~hidden] = shown["reason"].to_numpy(object)
    return suppressed, reason


def _estimates(cells, summary, measures, level, suppressed, reason):
    """Each measure over every computable cell at once; rows come out cell by cell, in measure order."""
    arrays = {column: cells[column].to_numpy() for column in cells.columns if column not in summary.by}
    n_focal = np.nan_to_num(arrays["n_focal"].astype(float))
    n_reference = np.nan_to_num(arrays["n_reference"].astype(float))
    occupied = ~suppressed & (n_focal > 0) & (n_reference > 0)
    empty_note = np.where(suppressed, "", np.where((n_focal == 0) | (n_reference == 0),
                                                   "a group has no students in this cell",
                                                   "not computable from this cell's data")).astype(object)
    size, width = len(cells), len(measures)
    columns = {c: np.full((size, width), np.nan) for c in _HIDDEN}
    columns |= {c: np.full((size, width), "", dtype=object) for c in ("method", "note")}
    for j, measure in enumerate(measures):
        kind = MEASURES[measure].needs
        computable = occupied.copy()
        if kind == "means":
            computable &= ~np.isnan(arrays["mean_focal"]) & ~np.isnan(arrays["mean_reference"])
        estimates = estimate_columns(measure, level=level, **_data(measure, arrays, computable, summary))
        for column, source in (("estimate", "value"), ("se", "se"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
            columns[column][computable, j] = getattr(estimates, source)
        for column, own in zip(("value_focal", "value_reference"), _own_values(kind, arrays, size)):
            columns[column][:, j] = np.where(computable, own, np.nan)
        columns["method"][computable, j] = estimates.method
        columns["note"][:, j] = empty_note
        columns["note"][computable, j] = estimates.note
    # (cells x measures) -> cell-major rows: each cell's measures together.
    table = {b: cells[b].take(np.repeat(np.arange(size), width)).reset_index(drop=True) for b in summary.by}
    table["measure"] = np.tile(np.asarray(measures, dtype=object), size)
    table["focal"] = table["reference"] = ""
    hidden = np.repeat(suppressed, width)
    for side in _SIDES:
        n = pd.array(np.repeat(arrays[f"n_{side}"].astype(float), width), dtype="Int64")
        n[hidden] = pd.NA
        table[f"n_{side}"] = n
    for column in ("estimate", "se", "ci_low", "ci_high", "value_focal", "value_reference", "method", "note"):
        table[column] = columns[column].ravel()
    table["suppressed"] = hidden
    table["reason"] = np.repeat(reason, width)
    return pd.DataFrame(table)


def _data(measure, arrays, rows, summary):
    """The arrays `estimate_columns` takes for `measure`, from the cells' pooled statistics (`rows` of them).

    Each data argument is named ``<statistic>_<side>``: counts, means and standard deviations are cell
    columns of the same name; ``p_<side>`` is the share with the outcome and ``counts_<side>`` the
    counts per level. Optional data are given when the cells have them.
    """
    def column(name):
        stat, side = name.rsplit("_", 1)
        if stat == "p":
            return arrays[f"successes_{side}"][rows] / arrays[f"n_{side}"][rows]
        if stat == "counts":
            return np.stack([arrays[f"{c}_{side}"][rows] for c in summary.level_columns], axis=1) \
                if summary.level_columns else np.zeros((int(rows.sum()), 0))
        if name not in arrays:
            return None
        return arrays[name][rows].astype(float)

    entry = MEASURES[measure]
    data = {name: column(name) for name in entry.data}
    optional = {name: column(name) for name in entry.optional}
    return data | optional if all(v is not None for v in optional.values()) else data


def _own_values(kind, arrays, size):
    """Each group's own statistic beside the gap: its mean, or its proportion with the outcome."""
    if kind == "means":
        return arrays["mean_focal"].astype(float), arrays["mean_reference"].astype(float)
    if kind == "proportions":
        with np.errstate(invalid="ignore", divide="ignore"):
            return tuple(arrays[f"successes_{side}"].astype(float) / arrays[f"n_{side}"].astype(float)
                         for side in _SIDES)
    missing = np.full(size, np.nan)
    return missing, missing


def _describe(labels) -> str:
    return " + ".join(map(str, labels))


# ---------------------------------------------------------------------------
# Suppression across gap tables whose groups add up
# ---------------------------------------------------------------------------


def hide(table, mask, *, reason=None) -> pd.DataFrame:
    """A copy of a gap table with the rows of `mask` suppressed: counts and estimates blanked.

    `reason`, when given, becomes the ``reason`` of those rows.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return table
    table = table.copy()
    for column in ("n_focal", "n_reference"):
        table[column] = pd.array(table[column], dtype="Int64")
        table.loc[mask, column] = pd.NA
    for column in _HIDDEN:
        if column in table:
            table.loc[mask, column] = np.nan
    table.loc[mask, "suppressed"] = True
    if reason is not None:
        table.loc[mask, "reason"] = reason
    return table


def group_counts(summary: Summary, labels, *, margins: Sequence[str] = ()) -> pd.DataFrame:
    """The true number of students with any of `labels` in each cell of `summary`, for privacy checks.

    The counts behind a gap table's side before suppression, for `protect_linked`; never to be shown.
    With `margins`, rows with ``"All"`` in those `by` columns count over them too (as in a gap table
    made with ``margins=True``). Returns the `by` columns and ``n``, one row per cell of the summary
    (0 where it has no such student).
    """
    table = summary.table
    rows = table.assign(n=table["n"].where(table[summary.group].isin(label_tuple(labels)), 0))
    by = list(summary.by)
    parts = []
    for size in range(len(margins) + 1):
        for rolled in itertools.combinations(margins, size):
            kept = [b for b in by if b not in rolled]
            part = (rows.groupby(kept, sort=True, dropna=False)["n"].sum().reset_index() if kept
                    else pd.DataFrame({"n": [rows["n"].sum()]}))
            for column in rolled:
                part[column] = "All"
            parts.append(part[[*by, "n"]])
    return pd.concat(parts, ignore_index=True)


def protect_linked(table, counts, *, by, min_n=Rule.min_n, comparisons=COMPARISONS, linked=LINKED,
                   keep=LINKED_KEEP) -> pd.DataFrame:
    """Hide further cells of stacked gap tables so that no hidden count follows from groups that add up.

    Parameters
    ----------
    table : DataFrame
        Gap tables of named comparisons (keys of `comparisons`) made with the same `by`, stacked, with a
        ``comparison`` column.
    counts : DataFrame
        The true counts of the sides of those comparisons: ``comparison``, ``side`` (``"focal"`` or
        ``"reference"``), the `by` columns and ``n`` (see `group_counts`).
    by : sequence of str
        The cell columns.
    min_n : int
        Minimum group size shown.
    comparisons : mapping of str to gapkit.records.Comparison, optional
        The comparisons by name (default `gapkit.records.COMPARISONS`).
    linked, keep : optional
        The groups that add up, and the one to hide last (default `gapkit.records.LINKED` and
        ``LINKED_KEEP``).

    Returns
    -------
    DataFrame
        `table` with the cells `gapkit.privacy.suppress_linked` hides, reason "complementary
        suppression".
    """
    by = list(by)

    def cell(record):
        return tuple(str(record[b]) for b in by)

    shown = {(r["comparison"], cell(r)): not bool(r["suppressed"])
             for r in table.drop_duplicates(["comparison", *by]).to_dict("records")}
    n, hidden, members = {}, {}, {}
    for r in counts.to_dict("records"):
        key = (side_group(comparisons[r["comparison"]], r["side"]), cell(r))
        n[key] = int(r["n"])
        # A group is known when any table shows it.
        hidden[key] = hidden.get(key, True) and not shown.get((r["comparison"], key[1]), False)
        members.setdefault(key, []).append(r["comparison"])
    if not n:
        return table
    groups = pd.DataFrame([{**dict(zip(by, k)), "group": g, "n": n[(g, k)], "suppressed": hidden[(g, k)]}
                           for g, k in n])
    families = [Family(side_group(*total), tuple(side_group(*p) for p in parts)) for total, parts in linked]
    out = suppress_linked(groups, dims=by, families=families, keep=[side_group(*k) for k in keep], min_n=min_n)
    newly = {(c, k) for (g, k), was, now in zip(n, groups["suppressed"], out["suppressed"]) if now and not was
             for c in members[(g, k)]}
    mask = [(r["comparison"], cell(r)) in newly for r in table[["comparison", *by]].to_dict("records")]
    return hide(table, mask, reason=COMPLEMENTARY_REASON)
